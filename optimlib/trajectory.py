"""Run an optimizer on a surface and keep everything a plot needs: points, losses, state.

``run`` takes one optimizer and returns a ``Trajectory``. If the optimizer's
hyperparameters are arrays of shape (N, 1), the N settings run together as one batch of
points of shape (N, 2): that is how a whole grid of learning rates runs in one go.
"""
import itertools
from dataclasses import dataclass

import numpy as np

from .checks import check_noise, check_seed, check_steps
from .optimizers import HYPERPARAMETERS, Optimizer, Scheduled, check_hyperparameter, get_optimizer
from .surfaces import get_surface

__all__ = ["Sweep", "Trajectory", "round_rates", "run", "steps_to_minimum", "suggested_lr",
           "sweep"]

ESCAPE = 10
"""A path has diverged once it is this many plot widths outside the plot."""


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The path of one run (or of a batch of N runs); row k holds the values after k steps.

    points: (steps + 1, 2), or (steps + 1, N, 2) for a batch; NaN from divergence on.
    losses: (steps + 1,) or (steps + 1, N).
    diverged_at: the first step whose point is not finite, leaves the plot by ESCAPE plot
        widths or has a non-finite loss; None if the run never diverged. For a batch an
        int array of shape (N,) with -1 for "never".
    state: the optimizer's state after each step, by name: ``state["v"]`` has the shape of
        ``points``, ``state["t"]`` the shape (steps + 1,). Row 0 is the initial state.
    """

    points: np.ndarray
    losses: np.ndarray
    diverged_at: object
    state: dict

    @property
    def steps(self):
        return len(self.points) - 1

    @property
    def diverged(self):
        """Whether the run diverged (a bool array of shape (N,) for a batch)."""
        if self.points.ndim == 2:
            return self.diverged_at is not None
        return self.diverged_at >= 0


def run(optimizer, surface, start=None, steps=100, noise=0.0, seed=None):
    """Run ``optimizer`` for ``steps`` steps on ``surface`` from ``start``.

    optimizer: an Optimizer (reset first), or any object with ``update(params, grads)``.
    surface: a Surface or the name of a built-in one.
    start: (x, y), or N starts of shape (N, 2); by default the surface's own start.
    steps: from 1 to MAX_STEPS (100,000): every point and state is kept.
    noise: standard deviation of Gaussian noise added to every gradient component, to
        show what *stochastic* gradients do; ``seed`` makes the noise reproducible.

    >>> from optimlib import Momentum, run
    >>> path = run(Momentum(lr=0.1), "book", start=(-7, 2), steps=30)
    >>> path.points.shape
    (31, 2)
    """
    surface = get_surface(surface)
    start = np.array(surface.start if start is None else start, dtype=float)
    if start.ndim not in (1, 2) or start.shape[-1] != 2 or not np.isfinite(start).all():
        raise ValueError(f"start must be finite (x, y) or an (N, 2) array, got {start.tolist()}")
    steps, noise, seed = check_steps(steps), check_noise(noise), check_seed(seed)
    batch = [np.shape(h) for h in getattr(optimizer, "hyperparameters", {}).values()]
    try:
        shape = np.broadcast_shapes(start.shape, *batch)
    except ValueError:
        shape = ()
    if len(shape) not in (1, 2) or shape[-1] != 2:
        raise ValueError(f"start of shape {start.shape} and hyperparameters of shapes {batch} "
                         f"do not make a batch: for N settings give each one the shape (N, 1)")
    if hasattr(optimizer, "reset"):
        optimizer.reset()
    p = np.broadcast_to(start, shape).copy()
    points = np.full((steps + 1, *shape), np.nan)
    points[0] = p
    history = []
    with np.errstate(all="ignore"):  # divergence is reported in diverged_at, not as warnings
        for k in _descend(optimizer, surface, p, steps, noise, seed):
            points[k] = p
            history.append(_snapshot(optimizer))
            if k % 16 == 0 and not np.isfinite(p).any():
                break
        losses = surface.value(points)
        bad = ~np.isfinite(points).all(axis=-1) | ~np.isfinite(losses) | _escaped(surface, points)
    state = _stack(history, steps + 1)
    first_bad = np.where(bad.any(axis=0), bad.argmax(axis=0), -1)
    for row, k in np.ndenumerate(first_bad):
        if k >= 0:
            points[(slice(k, None), *row)] = np.nan
            losses[(slice(k, None), *row)] = np.nan
            for values in state.values():
                if values.ndim == points.ndim:
                    values[(slice(k, None), *row)] = np.nan
    if first_bad.ndim == 0:
        first_bad = None if first_bad < 0 else int(first_bad)
    return Trajectory(points, losses, first_bad, state)


def steps_to_minimum(path, surface, tol=0.01):
    """The first step at which ``path`` is within ``tol`` of one of the surface's minima.

    None if it never gets there; for a batch an int array of shape (N,), -1 for never.
    """
    surface = get_surface(surface)
    if not surface.minima:
        raise ValueError(f"surface {surface.name!r} states no minima to reach")
    distance = np.linalg.norm(path.points[..., None, :] - np.array(surface.minima), axis=-1)
    near = distance.min(axis=-1) <= tol
    first = np.where(near.any(axis=0), near.argmax(axis=0), -1)
    if first.ndim == 0:
        return None if first < 0 else int(first)
    return first


def round_rates(first, last, count):
    """``count`` rates from ``first`` to ``last``, evenly spaced in log(lr), each rounded to
    3 significant digits: numbers a student can read and type (0.0126), which an app then
    holds and shows exactly. ``suggested_lr`` picks from them; notebooks tune on them."""
    return np.array([float(f"{lr:.3g}") for lr in np.geomspace(first, last, count)])


def suggested_lr(name, surface, start=None, steps=100):
    """A learning rate that works for ``name`` on ``surface``, found by trying 61 at once.

    Of the rates on a log grid over the span an lr slider shows, 1e-5 to 10 (run as one
    batch), the ones whose path stays on the plot and never rises above its starting loss
    compete; the winner has the lowest mean log-loss over the run, i.e. gets low fast. The
    smallest rate if none qualifies.

    The grid's rates are rounded to 3 significant digits (1e-5, 1.26e-5, 1.58e-5, ...,
    0.0126, ..., 7.94, 10): an app holds the rate it is given exactly and shows it in full,
    so it has to be a number a student can read and type, 0.0126, not 0.012589254117941675.
    Rounded, the grid is still strictly increasing and geometric to within 0.4%.
    """
    surface = get_surface(surface)
    lrs = round_rates(*HYPERPARAMETERS["lr"].shown, 61)[:, None]
    path = run(get_optimizer(name)(lr=lrs), surface, start=start, steps=steps)
    x, y = path.points[..., 0], path.points[..., 1]
    floor = surface.min_value if surface.min_value is not None else np.nanmin(path.losses)
    with np.errstate(invalid="ignore", divide="ignore"):
        on_plot = ((x >= surface.xlim[0]) & (x <= surface.xlim[1])
                   & (y >= surface.ylim[0]) & (y <= surface.ylim[1])).all(axis=0)
        calm = (path.losses <= path.losses[0]).all(axis=0)
        score = np.log10(np.maximum(path.losses - floor, 1e-16)).mean(axis=0)
    score = np.where(on_plot & calm, score, np.inf)
    return float(lrs[np.argmin(score), 0]) if np.isfinite(score).any() else float(lrs[0, 0])


@dataclass(frozen=True, eq=False)
class Sweep:
    """The outcome of every combination of up to two hyperparameter grids.

    axes: the grids by name, in order; the arrays below have one axis per grid.
    final_loss: the loss after the last step (NaN where the run diverged).
    steps_to_tol: the first step within ``tol`` of a minimum, -1 for never.
    diverged: whether the run diverged.
    tol, steps: the sweep's tolerance and number of steps.
    """

    axes: dict
    final_loss: np.ndarray
    steps_to_tol: np.ndarray
    diverged: np.ndarray
    tol: float
    steps: int

    def best(self):
        """The setting that came within tol soonest without diverging (ties: lowest final
        loss), as a dict, e.g. ``{"lr": 0.5}``. If none came within tol, the one with the
        lowest final loss; ``arrived.any()`` tells the two apart. (Notebook 08b tunes SGD
        on Rosenbrock this way, where no rate arrives within 1,000 steps.)

        Raises ValueError if every run diverged: then there is nothing to rank, and naming
        one of them would look like an answer.
        """
        if self.diverged.all():
            raise ValueError(f"all {self.diverged.size} settings diverged within {self.steps} "
                             f"steps, so none is best: try smaller values or less noise")
        key = np.where(self.arrived, self.steps_to_tol, np.inf)
        loss = np.where(np.isnan(self.final_loss), np.inf, self.final_loss)
        index = np.lexsort((loss.ravel(), key.ravel()))[0]
        return self._setting(np.unravel_index(index, self.final_loss.shape))

    def best_region(self):
        """The setting whose neighbourhood gets within tol soonest, and in how many steps:
        the least median of steps_to_tol over a setting that arrives and its neighbours on
        the grids (up to 8 on a map; never counts as infinitely many; ties go to the setting
        that arrives sooner itself). None if no neighbourhood arrives.

        Unlike ``best``, one lucky run cannot win: with gradient noise, whether a single run
        comes within tol is partly chance, and the setting that did so first is a fluke."""
        steps = np.where(self.arrived, self.steps_to_tol, np.inf)
        padded = np.pad(steps, 1, constant_values=np.nan)  # off the grid: not a neighbour
        around = [padded[tuple(slice(1 + d, 1 + d + n) for d, n in zip(shift, steps.shape))]
                  for shift in itertools.product((-1, 0, 1), repeat=steps.ndim)]
        median = np.where(np.isfinite(steps), np.nanmedian(around, axis=0), np.inf)
        if not np.isfinite(median).any():
            return None
        where = np.unravel_index(np.lexsort((steps.ravel(), median.ravel()))[0], steps.shape)
        return self._setting(where), float(median[where])

    def _setting(self, where):
        return {name: float(values[i]) for (name, values), i in zip(self.axes.items(), where)}

    @property
    def arrived(self):
        """Whether each setting came within tol of a minimum and did not diverge."""
        return (self.steps_to_tol >= 0) & ~self.diverged


def sweep(optimizer, surface, start=None, steps=100, tol=0.01, noise=0.0, seed=None,
          **hyperparameters):
    """Run every combination of up to two hyperparameter grids as one vectorised batch.

    optimizer: a name ("Momentum") or an optimizer class.
    hyperparameters: 1-D arrays are grids, numbers are held fixed, e.g.
        ``sweep("Momentum", "book", lr=np.geomspace(0.1, 3, 200), momentum=np.linspace(0, 0.95, 200))``
    The same numbers as ``run`` one setting at a time (tests check it), without keeping
    every point: a 200 x 200 map of 300 steps takes well under a second.
    """
    cls = get_optimizer(optimizer) if isinstance(optimizer, str) else optimizer
    surface = get_surface(surface)
    axes = {k: np.asarray(v, dtype=float) for k, v in hyperparameters.items() if np.ndim(v) > 0}
    fixed = {k: v for k, v in hyperparameters.items() if k not in axes}
    if len(axes) > 2 or any(v.ndim != 1 or v.size == 0 for v in axes.values()):
        raise ValueError(f"sweep takes up to two 1-D grids, got {({k: v.shape for k, v in axes.items()})}")
    for name, grid in axes.items():  # one grid at a time, so that an error says which entry
        if name in HYPERPARAMETERS:
            check_hyperparameter(name, grid[:, None])
    steps, noise, seed = check_steps(steps), check_noise(noise), check_seed(seed)
    if not surface.minima:
        raise ValueError(f"surface {surface.name!r} states no minima to reach")
    grids = np.meshgrid(*axes.values(), indexing="ij")
    shape = grids[0].shape if grids else ()
    count = int(np.prod(shape))
    optimizer = cls(**fixed, **{k: g.reshape(-1, 1) for k, g in zip(axes, grids)})
    start = np.asarray(surface.start if start is None else start, dtype=float)
    if start.shape != (2,) or not np.isfinite(start).all():
        raise ValueError(f"start must be finite (x, y), got {start.tolist()}")
    p = np.tile(start, (count, 1))
    x, y = p[:, 0], p[:, 1]  # views: they follow p as it changes in place

    # Per step, one pass per coordinate: reducing over an axis of length 2 (np.linalg.norm,
    # .all(axis=1)) cost more than the step itself. The same numbers: norm is the square
    # root of the sum of squares, computed here in the same order.
    def near():
        close = np.zeros(count, dtype=bool)
        for mx, my in surface.minima:
            dx, dy = x - mx, y - my
            close |= np.sqrt(dx * dx + dy * dy) <= tol
        return close

    first_near = np.where(near(), 0, -1)
    diverged = np.zeros(count, dtype=bool)
    with np.errstate(all="ignore"):
        for k in _descend(optimizer, surface, p, steps, noise, seed):
            loss = surface.value(p)
            finite = np.isfinite(x) & np.isfinite(y) & np.isfinite(loss)
            diverged |= ~finite | _escaped(surface, p)
            first_near[(first_near < 0) & ~diverged & near()] = k
    final = np.where(diverged, np.nan, loss)
    return Sweep(axes, final.reshape(shape), first_near.reshape(shape), diverged.reshape(shape),
                 tol, steps)


def _descend(optimizer, surface, p, steps, noise, seed):
    """Take ``steps`` steps of ``optimizer`` on ``surface``, changing ``p`` in place, and
    yield the step number after each. The input is checked on the first step only."""
    rng, noisy = np.random.default_rng(seed), bool(np.any(noise))
    # after the checked first step, the lean path of a built-in rule
    update = optimizer._update if isinstance(optimizer, Optimizer) else optimizer.update
    for k in range(1, steps + 1):
        grad = np.empty_like(p)
        grad[..., 0], grad[..., 1] = surface.grad(p[..., 0], p[..., 1])
        if noisy:
            grad += noise * rng.standard_normal(p.shape)
        if k == 1:
            _first_update(optimizer, p, grad)
        else:
            update({"xy": p}, {"xy": grad})
        yield k


def _first_update(optimizer, p, grad):
    """The first step, checked: ``update`` must change ``params`` in place, as the book's
    optimizers do, or the path would stand still without a word."""
    params, before = {"xy": p}, p.copy()
    optimizer.update(params, {"xy": grad})
    name = type(optimizer).__name__
    if params["xy"] is not p:
        raise TypeError(f"optimizer {name}: its update() put a new array into params; it must "
                        f"change params in place: params[key] -= lr * grads[key], not "
                        f"params[key] = params[key] - lr * grads[key]")
    # A built-in rule's step may round away (a tiny lr near a minimum): only an own one is suspect.
    if not isinstance(optimizer, (Optimizer, Scheduled)) and grad.any() and np.array_equal(p, before):
        raise ValueError(f"optimizer {name}: its update() left params unchanged although the "
                         f"gradient is not zero; it must change params in place: "
                         f"params[key] -= lr * grads[key]")


def _escaped(surface, points):
    x, y = points[..., 0], points[..., 1]
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    wx, wy = ESCAPE * (x1 - x0), ESCAPE * (y1 - y0)
    return (x < x0 - wx) | (x > x1 + wx) | (y < y0 - wy) | (y > y1 + wy)


def _snapshot(optimizer):
    """The optimizer's state now, as {name: array or number}, copied."""
    snapshot = {}
    if isinstance(optimizer, Optimizer):  # its own attributes: quicker than read-only views
        state = {name: getattr(optimizer, name) for name in optimizer.state_names}
    else:
        state = getattr(optimizer, "state", {})
    for name, value in state.items():
        if isinstance(value, dict):
            value = value.get("xy")
        if isinstance(value, np.ndarray):
            snapshot[name] = value.copy()
        elif isinstance(value, (int, float)):
            snapshot[name] = np.array(float(value))
    return snapshot


def _stack(history, length):
    """Per-name arrays of ``length`` rows: zeros before the first step, NaN after a break."""
    state = {}
    for name in history[0] if history else ():
        values = np.full((length, *history[0][name].shape), np.nan)
        values[0] = 0
        values[1:len(history) + 1] = [snapshot[name] for snapshot in history]
        state[name] = values
    return state
