"""optimlib: the six classic gradient-descent optimizers, 2D loss surfaces to run them on,
and the plots and sliders of the optimlib notebooks.
"""
from .optimizers import (HYPERPARAMETERS, MORE_OPTIMIZERS, OPTIMIZERS, SCHEDULES, SGD, AdaGrad, Adam,
                         AdamW, AMSGrad, Momentum, Nesterov, Optimizer, Range, RMSprop, Scheduled,
                         get_optimizer)
from .surfaces import SURFACES, Surface, get_surface
from .trajectory import Sweep, Trajectory, run, steps_to_minimum, suggested_lr, sweep

__all__ = ["OPTIMIZERS", "MORE_OPTIMIZERS", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop",
           "Adam", "AdamW", "AMSGrad", "HYPERPARAMETERS", "Range", "SCHEDULES", "Scheduled",
           "Optimizer", "get_optimizer", "Surface", "SURFACES", "get_surface", "Trajectory", "run",
           "steps_to_minimum", "suggested_lr", "Sweep", "sweep", "require"]
__version__ = "0.3.0"  # pyproject.toml reads it from here


def require(version):
    """Stop a notebook written for optimlib ``version`` at its first cell, with one line on
    what to do, when an older optimlib is installed (a hub's image not yet updated, say).

    >>> require("0.1")
    """
    def parts(text):
        return tuple(int(part) for part in text.split(".")[:3])

    if parts(__version__) < parts(version):
        raise ImportError(
            f"This notebook needs optimlib {version} or newer, but {__version__} is installed: "
            "run `%pip install -U git+https://github.com/optimlib/optimlib-notebooks` and restart "
            "the kernel (on a JupyterHub, the admin updates it in the hub's image)")

