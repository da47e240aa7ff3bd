"""Who races: the optimizers of a race, checked, each with its colour, its sliders and its
latest run; and the scoreboard of their results."""
import copy
import functools
import inspect

import numpy as np

from ..optimizers import MORE_OPTIMIZERS, OPTIMIZERS, SGD, Scheduled, get_optimizer
from ..plotting import line_style
from ..trajectory import run, steps_to_minimum, suggested_lr
from .controls import SCHEDULE_KEYS

__all__ = ["SCHEDULE_DEFAULTS", "Racer", "as_entry", "check_schedule", "loss_range",
           "make_racers", "scoreboard_html"]

MARKERS_HTML = {"o": "●", "s": "■", "D": "◆", "^": "▲", "v": "▼", "P": "✚", "X": "✖"}
"""The scoreboard's symbol for each marker of the paths."""


class Racer:
    """One optimizer in a race: its colour, its sliders, its latest run and its line.

    A built-in is rebuilt from the app's settings for every run; an optimizer of your own
    (any object with ``update(params, grads)``) races as it is, a fresh copy for every run.
    """

    def __init__(self, name, index, own=None):
        self.name, self.own, self.sliders = name, own, {}
        style = line_style(name, index)
        self.color, self.marker = style["color"], style["marker"]
        self.symbol = MARKERS_HTML[self.marker]
        self.optimizer = self.path = self.line = self.error = None

    def run(self, settings):
        """Run on the app's settings; keep the optimizer that ran and its path. If the run
        raises, the racer has no path (``path`` is None, ``error`` says why) and the error
        goes on: an old path is never shown for new settings."""
        self.optimizer = self.path = self.error = None
        try:
            self._run(settings)
        except Exception as error:
            self.error = error
            raise

    def _run(self, settings):
        steps = settings["steps"]
        if self.own is not None:
            optimizer = copy.deepcopy(self.own)
        else:
            optimizer = get_optimizer(self.name)(**settings["hyperparameters"][self.name])
            if settings["schedule"] != "constant":
                optimizer = Scheduled(optimizer, settings["schedule"], total=steps,
                                      drop=settings["drop"], every=settings["every"],
                                      warmup=settings["warmup"])
        # a fixed seed: the same noise slider value always gives the same paths
        self.path = run(optimizer, settings["surface"], start=settings["start"], steps=steps,
                        noise=settings["noise"], seed=0)
        self.optimizer = optimizer


def make_racers(entries, hyperparameters, surface, start, steps):
    """The racers of ``entries`` (names and/or optimizers of your own) and the starting
    hyperparameters of each, by name: the given ones, an lr that works here, the rest the
    book's defaults. A clear error for bad input, before any widget exists."""
    entries = [as_entry(entry) for entry in entries]
    names = _racing_names(entries, hyperparameters)
    racers = [Racer(name, i, own=None if isinstance(entry, str) else entry)
              for i, (name, entry) in enumerate(zip(names, entries))]
    return racers, {r.name: _starting_values(r, hyperparameters.get(r.name, {}), surface, start,
                                             steps) for r in racers}


SCHEDULE_DEFAULTS = {"schedule": "constant", **{
    key: inspect.signature(Scheduled).parameters[key].default for key in SCHEDULE_KEYS[1:]}}
"""A race's lr schedule unless told otherwise: constant, with Scheduled's own defaults for
the parameters of the others."""


def check_schedule(schedule, steps):
    """A race's schedule settings (``SCHEDULE_DEFAULTS`` where ``schedule`` gives none),
    checked by ``Scheduled`` itself for a run of ``steps``: a clear error before any widget
    exists."""
    unknown = set(schedule) - set(SCHEDULE_DEFAULTS)
    if unknown:
        raise TypeError(f"unknown schedule setting {', '.join(sorted(unknown))}; the schedule "
                        f"takes: {', '.join(SCHEDULE_DEFAULTS)}")
    values = {**SCHEDULE_DEFAULTS, **schedule}
    checked = Scheduled(SGD(), values["schedule"], total=steps, drop=values["drop"],
                        every=values["every"], warmup=values["warmup"])
    return {key: getattr(checked, key) for key in SCHEDULE_DEFAULTS}


def scoreboard_html(racers, settings, surface, tol):
    """A table: each racer's lr, final loss and the step it came within ``tol`` of a minimum.
    Under a schedule the lr shown is the base rate, which the schedule multiplies: said so."""
    hyperparameters, schedule = settings["hyperparameters"], settings["schedule"]
    def row(cells, tag="td"):
        style = "padding:1px 12px 1px 0; line-height:1.3; text-align:left"
        return "<tr>" + "".join(f"<{tag} style='{style}'>{c}</{tag}>" for c in cells) + "</tr>"

    lr = ("lr" if schedule == "constant" else  # narrow: the table fits a 568-px column
          f"<span title='the {schedule} schedule multiplies it'>base lr</span>")
    rows = [row(["", lr, "final loss f − f<sub>min</sub>", f"within {tol:g} of a minimum"],
                tag="th")]
    for r in racers:
        path = r.path
        if path is None:
            loss, reached = "—", f"<b style='color:#B00000'>failed: {type(r.error).__name__}</b>"
        elif path.diverged_at is not None:
            loss, reached = "—", f"<b style='color:#B00000'>diverged at step {path.diverged_at}</b>"
        else:
            loss = f"{path.losses[-1] - loss_range(surface)[0]:.2e}"
            step = steps_to_minimum(path, surface, tol) if surface.minima else None
            reached = ("—" if not surface.minima  # no minima stated: nothing to reach
                       else "never" if step is None else f"at step {step}")
        name = f"<b style='color:{r.color}'>{r.symbol} {r.name}</b>"
        lr = hyperparameters[r.name]["lr"] if r.own is None else getattr(r.own, "lr", None)
        rows.append(row([name, _number(lr), loss, reached]))
    return "<table style='border-collapse:collapse'>" + "".join(rows) + "</table>"


@functools.lru_cache(maxsize=64)
def loss_range(surface):
    """(lowest, highest) loss on the plot of ``surface``; the lowest is its min_value when
    known, else the lowest on a 200 x 200 grid."""
    x = np.linspace(*surface.xlim, 200)
    y = np.linspace(*surface.ylim, 200)
    z = surface.f(*np.meshgrid(x, y))
    return (surface.min_value if surface.min_value is not None else z.min()), z.max()


def _number(value):
    """A hyperparameter as the scoreboard shows it: 3 significant digits, one per entry of
    an array (an optimizer of your own may hold one), "—" for none."""
    try:
        values = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return "—"
    if value is None or values.size == 0:
        return "—"
    return ", ".join(f"{v:.3g}" for v in values.ravel())


def as_entry(entry):
    """A race's entry as a built-in's name or an optimizer of your own; a class is taken by
    its name when it is a built-in one (``race([SGD, Adam])``), else refused."""
    if isinstance(entry, type):
        if entry in OPTIMIZERS.values() or entry in MORE_OPTIMIZERS.values():
            return entry.__name__
        raise TypeError(f"give an optimizer of your own as an instance, "
                        f"{entry.__name__}(...), not the class {entry.__name__}")
    return entry


def _racing_names(entries, hyperparameters):
    """The name of each entry (a name, or an optimizer of your own), checked."""
    for entry in entries:
        if not isinstance(entry, str) and not callable(getattr(entry, "update", None)):
            raise TypeError(f"race takes optimizer names or objects with update(params, "
                            f"grads), got {entry!r}")
    names = [e if isinstance(e, str) else str(getattr(e, "name", type(e).__name__))
             for e in entries]
    if not names or len(set(names)) != len(names):
        raise ValueError(f"give each optimizer once, got {names!r}")
    for name in hyperparameters:
        if name not in names:
            raise ValueError(f"hyperparameters for {name!r}, which is not racing")
    return names


def _starting_values(racer, given, surface, start, steps):
    """A racer's starting hyperparameters (see make_racers)."""
    if racer.own is not None:
        return dict(getattr(racer.own, "hyperparameters", {}))
    cls = get_optimizer(racer.name)
    defaults = cls().hyperparameters
    unknown = set(given) - set(defaults)
    if unknown:
        raise ValueError(f"{racer.name} has no hyperparameter {', '.join(sorted(unknown))}; "
                         f"it has: {', '.join(defaults)}")
    for name, value in given.items():
        if np.ndim(value) != 0:
            raise TypeError(f"{racer.name}'s {name} must be one number (a slider holds one "
                            f"value), got {value!r}")
    values = {**defaults, **given}
    if "lr" not in given:
        values["lr"] = suggested_lr(racer.name, surface, start, steps)
    cls(**values)  # the constructor's own clear error for a value out of range
    return values
