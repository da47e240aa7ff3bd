"""optimlib: the six classic gradient-descent optimizers, 2D loss surfaces to run them on,
and the plots and sliders of the optimlib notebooks.
"""
from .optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, Optimizer, RMSprop
from .surfaces import SURFACES, Surface, get_surface
from .trajectory import Trajectory, run

OPTIMIZERS = {"SGD": SGD, "Momentum": Momentum, "Nesterov": Nesterov,
              "AdaGrad": AdaGrad, "RMSprop": RMSprop, "Adam": Adam}

__all__ = ["OPTIMIZERS", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam",
           "Optimizer", "Surface", "SURFACES", "get_surface", "Trajectory", "run"]
__version__ = "0.1.0"
