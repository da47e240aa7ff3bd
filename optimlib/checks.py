"""Checks for the arguments that ``run``, ``sweep`` and ``Scheduled`` share.

Each takes a value where it enters the package and returns it clean, or raises an error
that names the argument and says what is allowed: a student who types ``seed=1.5`` reads
about ``seed``, not about numpy's SeedSequence. (Hyperparameters have their own check,
``check_hyperparameter`` in optimizers.py, next to the table of their ranges.)
"""
import numbers

import numpy as np

__all__ = ["MAX_STEPS", "check_count", "check_drop", "check_noise", "check_seed", "check_steps"]

MAX_STEPS = 100_000
"""The most steps a run may take. A run keeps every point and the optimizer's state at
every step: 100,000 steps of Adam took 1.2 to 1.8 s and 75 MB, 10**6 steps 14 s and 740 MB
(measured on a 2-core machine), and a batch multiplies both (``suggested_lr`` runs 61 rates
at once: 3 s and 610 MB at this bound). The notebooks take at most 5,000 steps."""


def check_count(name, value):
    """``value`` as an int, or a clear error if it is not a positive integer."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        plain = value.item() if isinstance(value, np.generic) else value  # 3.0, not np.float32(3.0)
        raise ValueError(f"{name} must be a positive integer, got {plain!r} "
                         f"({type(value).__name__})")
    return int(value)


def check_drop(drop):
    """A step schedule's ``drop`` (the factor its rate is multiplied by) as a float in (0, 1],
    or a clear error: 1 keeps the rate, 0 would stop the descent for good."""
    if isinstance(drop, bool) or not isinstance(drop, numbers.Real):
        raise TypeError(f"drop must be a number, got {drop!r}")
    if not 0 < drop <= 1:
        raise ValueError(f"drop={float(drop)!r} is out of range: need 0 < drop <= 1")
    return float(drop)


def check_steps(steps):
    """``steps`` as an int from 1 to MAX_STEPS, or a clear error."""
    steps = check_count("steps", steps)
    if steps > MAX_STEPS:
        raise ValueError(f"steps={steps} is too many: at most {MAX_STEPS}, since a run keeps "
                         f"every point and state (optimlib.checks.MAX_STEPS says what it costs)")
    return steps


def check_noise(noise):
    """The standard deviation of gradient noise as a float (or float array), finite and >= 0."""
    array = np.asarray(noise)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"noise must be a real number, got {noise!r}")
    array = array.astype(float)
    if not (np.isfinite(array) & (array >= 0)).all():
        raise ValueError(f"noise must be finite and >= 0 (the standard deviation of the noise "
                         f"added to each gradient component), got {array.tolist()}")
    return float(array) if array.ndim == 0 else array


def check_seed(seed):
    """``seed`` unchanged if numpy's ``default_rng`` takes it (None, an integer >= 0, ...)."""
    try:
        np.random.default_rng(seed)
    except (TypeError, ValueError) as error:
        raise type(error)(f"seed must be None or an integer >= 0 (it seeds the gradient "
                          f"noise), got {seed!r}") from None
    return seed
