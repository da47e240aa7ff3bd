"""optimlib: the six classic gradient-descent optimizers, 2D loss surfaces to run them on,
and the plots and sliders of the optimlib notebooks.
"""
from .optimizers import (OPTIMIZERS, SGD, AdaGrad, Adam, Momentum, Nesterov, Optimizer, RMSprop,
                         get_optimizer)
from .surfaces import SURFACES, Surface, get_surface
from .trajectory import Sweep, Trajectory, run, steps_to_minimum, suggested_lr, sweep

__all__ = ["OPTIMIZERS", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam",
           "Optimizer", "get_optimizer", "Surface", "SURFACES", "get_surface", "Trajectory", "run",
           "steps_to_minimum", "suggested_lr", "Sweep", "sweep"]
__version__ = "0.1.0"
