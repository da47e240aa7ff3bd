"""Interactive apps: drag a slider and watch an optimizer's path move, live.

    explore("Momentum", surface="rosenbrock")      # one optimizer, its loss and its state
    race(["SGD", "Momentum", "AdaGrad", "Adam"])   # several optimizers from one start
    phase_map("Momentum", "book")                  # steps-to-converge over two hyperparameters

Each figure is 550 px wide, to fit a notebook's column in a 1000-px JupyterLab window with
the file browser open; where the page is wider the sliders sit beside it. ``scale=1.5`` (any
app) draws the figure 1.5 times as large, text included: for a projector (``make present``).

An app has ``.controls`` (name -> widget), ``.figure`` and ``.widget`` (what a notebook
shows), so code and tests drive it by setting ``app.controls["lr"].value``; it reads back
through ``app.settings`` and ``app.paths`` (a map: ``.settings``, ``.result``, ``.path``).

The modules: ``canvas`` (LiveCanvas: the figure's pixels, repainted fast; why it works the
way it does), ``controls`` (sliders from the one table of hyperparameter ranges), ``race``
and ``racers`` (the race), ``explore`` (the race of one, with loss and state panels, and
``anatomy``: the step shown taken apart in arrows) and ``phase_map``.
"""
import numbers

from ..optimizers import OPTIMIZERS
from .explore import ExploreApp
from .phase_map import PhaseMap
from .race import RaceApp
from .racers import as_entry

__all__ = ["ExploreApp", "PhaseMap", "RaceApp", "explore", "phase_map", "race"]


def explore(name="SGD", surface="book", start=None, steps=100, backend="auto", tol=0.01,
            scale=1, schedule="constant", drop=0.5, every=30, warmup=10, **hyperparameters):
    """One optimizer with a slider per hyperparameter, its loss and its internal state, and
    on the contour the anatomy of the step shown: its parts (momentum, gradient step, the
    per-coordinate legs of an adaptive rule) as arrows that add up to it.

    name: "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop" or "Adam".
    hyperparameters: starting values, e.g. ``lr=0.1``; lr defaults to one that works on
        this surface (the best of a quick sweep), the rest to the book's defaults.
    backend: "ipympl" (live canvas), "inline" (an image updated on slider release) or
        "auto" (ipympl when installed).
    scale: how many times larger to draw the figure (and its text) than in a notebook, e.g.
        1.2 on a 1280-px projector.
    schedule, drop, every, warmup: the learning-rate schedule, as for ``race``.
    """
    name = as_entry(name)
    if not isinstance(name, str):
        raise TypeError(f"explore shows the state of a built-in optimizer, named: one of "
                        f"{', '.join(OPTIMIZERS)} (got {name!r}); race([...]) races one of "
                        f"your own")
    return ExploreApp(name, surface, start, steps, hyperparameters, backend, tol, scale,
                      dict(schedule=schedule, drop=drop, every=every, warmup=warmup))


def race(names=("SGD", "Momentum", "AdaGrad", "Adam"), surface="book", start=None, steps=100,
         hyperparameters=None, backend="auto", tol=0.01, scale=1, schedule="constant", drop=0.5,
         every=30, warmup=10):
    """Several optimizers from one start, each with its own sliders.

    names: built-in optimizers by name, and/or optimizers of your own: any object with
        ``update(params, grads)`` races too (named by its ``name`` attribute or its class).

    hyperparameters: starting values per optimizer, e.g. ``{"SGD": {"lr": 0.95}}``.
    schedule: the learning-rate schedule of every built-in, "constant", "step", "cosine" or
        "warmup", over the race's steps; drop and every are the step schedule's (the rate is
        multiplied by drop every so many steps), warmup the warmup's (steps up to the full
        rate): ``race(schedule="step", drop=0.5, every=30)``. See ``optimlib.Scheduled``.
    The scoreboard gives each one's final loss and the step at which it came within ``tol``
    of a minimum. scale: as for ``explore`` (1.5 fills a 1280-px projector).
    """
    names = [names] if isinstance(names, str) else list(names)
    return RaceApp(names, surface, start, steps, hyperparameters or {}, backend, tol, scale,
                   dict(schedule=schedule, drop=drop, every=every, warmup=warmup))


def phase_map(name="Momentum", surface="book", x="lr", y="momentum", start=None, steps=300,
              tol=0.01, cells=100, backend="auto", scale=1, **hyperparameters):
    """A map of steps-to-converge over a grid of two hyperparameters, with the theory on it.

    Every cell is one run (all run as a single batch by ``sweep``); white cells diverged,
    grey ones never came within ``tol`` of a minimum. Hover over or click a cell to see that
    setting's path on the contour. Sliders set the other hyperparameters and gradient noise
    and recompute the map. On the quadratic surfaces the heavy ball's stability boundary and
    Polyak's optimum are drawn on Momentum's (lr, momentum) map. The line under it names the
    fewest steps over a cell and its neighbours (``Sweep.best_region``): with noise, which
    single run arrives first is luck. scale: as for ``explore``.
    """
    if isinstance(cells, bool) or not isinstance(cells, numbers.Integral) or cells < 2:
        raise ValueError(f"cells must be an integer >= 2 (the map's cells along each axis), "
                         f"got {cells!r}")
    return PhaseMap(as_entry(name), surface, x, y, start, steps, tol, int(cells), backend,
                    hyperparameters, scale)
