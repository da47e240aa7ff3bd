"""optimlib: the six classic gradient-descent optimizers, 2D loss surfaces to run them on,
and the plots and sliders of the optimlib notebooks.
"""
from .optimizers import (HYPERPARAMETERS, MORE_OPTIMIZERS, OPTIMIZERS, SCHEDULES, SGD, AdaGrad, Adam,
                         AdamW, Momentum, Nesterov, Optimizer, Range, RMSprop, Scheduled,
                         get_optimizer)
from .surfaces import SURFACES, Surface, get_surface
from .trajectory import Sweep, Trajectory, run, steps_to_minimum, suggested_lr, sweep

__all__ = ["OPTIMIZERS", "MORE_OPTIMIZERS", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop",
           "Adam", "AdamW", "HYPERPARAMETERS", "Range", "SCHEDULES", "Scheduled",
           "Optimizer", "get_optimizer", "Surface", "SURFACES", "get_surface", "Trajectory", "run",
           "steps_to_minimum", "suggested_lr", "Sweep", "sweep"]
__version__ = "0.1.0"
