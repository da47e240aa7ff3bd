"""explore: the race of one optimizer, with its loss and its internal state beside the contour.

The state panel plots the optimizer's own ``diagnostics`` (computed in optimlib.optimizers from
the state it recorded); this module only chooses which of them to show and what to call them.
"""
import numpy as np

from .anatomy import StepArrows, step_anatomy
from .race import RaceApp
from .racers import loss_range

__all__ = ["ExploreApp", "STATE_LABELS", "state_limits"]

_ADAPTIVE = {"step": "|step|", "h": "h", "effective_lr": "lr / (√h + ε)"}
_ADAM = {"step": "|step|", "m": "|m|", "sqrt_v": "√v", "effective_lr": "lr_t / (√v + ε)"}
STATE_LABELS = {
    "SGD": {"step": "|step|"},
    "Momentum": {"step": "|step| = |v|"},  # its step is its velocity: one line says both
    "Nesterov": {"step": "|step|", "velocity": "|v| velocity"},
    "AdaGrad": _ADAPTIVE, "RMSprop": _ADAPTIVE, "Adam": _ADAM, "AdamW": _ADAM,
    "AMSGrad": {"step": "|step|", "m": "|m|", "sqrt_v_max": "√v_max",
                "effective_lr": "lr_t / (√v_max + ε)"},
}
"""The state panel's legend: which of each rule's diagnostics it shows, in the symbols of
the rule's equation."""
_STATE_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]


class ExploreApp(RaceApp):
    """The app behind ``explore``: a race of one, plus ``axes["loss"]`` and ``axes["state"]``
    with ``loss_line`` and ``state_lines`` ({(diagnostic, coordinate 0 or 1): line}), and
    on the contour the anatomy of the step shown: ``arrows`` (see anatomy.StepArrows),
    ``anatomy`` (what they show, an anatomy.Anatomy; None when there is no step)."""

    # The contour on top, the loss and the state below it: 550 px wide, like the race.
    FIGSIZE, PATHS_AXES = (5.5, 5.5), [0.12, 0.52, 0.85, 0.45]
    CONTROL_KEY = "{param}"  # one optimizer: its sliders need no prefix

    def __init__(self, name, surface, start, steps, hyperparameters, backend, tol, scale=1,
                 schedule=None):
        self._series, self._series_path = {}, None  # the diagnostics of this path
        self.anatomy = None
        super().__init__([name], surface, start, steps, {name: hyperparameters}, backend, tol,
                         scale, schedule)

    def _make_panels(self, figure):
        (racer,) = self._racers
        self.axes["loss"] = figure.add_axes([0.15, 0.08, 0.27, 0.25])
        self.axes["loss"].set(yscale="log", xlabel="step", ylabel="loss f − f_min")
        (self.loss_line,) = self.axes["loss"].plot([], [], color=racer.color)
        self.axes["state"] = state = figure.add_axes([0.63, 0.08, 0.33, 0.25])
        state.set(yscale="log", xlabel="step   (solid: x, dashed: y)", ylabel="state")
        self.state_lines = {}
        for color, (key, label) in zip(_STATE_COLORS, STATE_LABELS[racer.name].items()):
            for axis, style in ((0, "-"), (1, "--")):
                (self.state_lines[key, axis],) = state.plot(
                    [], [], style, color=color, label=label if axis == 0 else None)
        state.legend(loc="lower right", bbox_to_anchor=(1, 1.0), ncols=2, fontsize=9,
                     frameon=False, handlelength=1.6, columnspacing=1, borderaxespad=0.2)
        self.arrows = StepArrows(self.axes["paths"], racer.name)
        self.arrows.key(self.axes["loss"], loc="lower left", bbox_to_anchor=(-0.5, 1.0),
                        ncols=2, fontsize=9, frameon=False, handlelength=1.4,
                        handletextpad=0.4, columnspacing=0.8, labelspacing=0.3,
                        borderpad=0.1, borderaxespad=0)
        self.canvas.add_animated(self.loss_line, *self.state_lines.values(),
                                 *self.arrows.lines.values())

    def _update_panels(self, shown):
        (racer,) = self._racers
        if racer.path is None:  # its run failed: nothing to show
            self._series_path = None
            for line in (self.loss_line, *self.state_lines.values()):
                line.set_data([], [])
            self.anatomy = None
            self.arrows.show(None)
            return
        if racer.path is not self._series_path:  # a new run: its diagnostics, and fitted axes
            first, self._series_path = self._series_path is None, racer.path
            self._series = racer.optimizer.diagnostics(racer.path)
            self._fit_panels(first)
        steps = np.arange(shown)
        floor = loss_range(self.surface)[0]
        self.loss_line.set_data(steps, _positive(racer.path.losses[:shown] - floor))
        for (key, axis), line in self.state_lines.items():
            line.set_data(steps, _positive(self._series[key][:shown, axis]))
        step = shown - 1  # the step shown: from point shown - 2 to the newest, shown - 1
        self.anatomy = (step_anatomy(racer.name, racer.optimizer, racer.path, self._series, step)
                        if step >= 1 else None)
        self.arrows.show(self.anatomy)

    def _fit_panels(self, first=False):
        """Both panels span the steps, the loss panel the surface's losses, the state panel
        decades around its series that a slider rarely changes (see ``state_limits``). A
        panel whose limits change is repainted in place: no full redraw, no round trip."""
        floor, top = loss_range(self.surface)
        state = self.axes["state"]
        shown = [self._series[key] for key in STATE_LABELS[self._racers[0].name]]
        limits = {"loss": {"xlim": (0, self.steps),
                           "ylim": (1e-12, 10.0 ** np.ceil(np.log10(max(top - floor, 1e-11))))},
                  "state": {"xlim": (0, self.steps),
                            "ylim": state_limits(shown, None if first else state.get_ylim())}}
        for name, wanted in limits.items():
            ax = self.axes[name]
            now = {"xlim": ax.get_xlim(), "ylim": ax.get_ylim()}
            if any(now[key] != value for key, value in wanted.items()):
                with self.canvas.repainting(ax):
                    ax.set(**wanted)


def state_limits(series, now=None):
    """The state panel's y limits for ``series`` (arrays of lines in columns): ``now`` while
    they show them well (the largest value inside with at most 3 decades spare above it,
    the peak of every line inside, at most 14 decades), else whole decades fitted anew with
    room to move, so that dragging a slider rescales the panel only once in a while. Lines
    that converge may leave through the bottom: the panel follows their peaks, not tails."""
    columns = [_positive(np.reshape(s, (len(s), -1))) for s in series]
    peaks = np.concatenate([np.nanmax(c, axis=0, initial=0) for c in columns if len(c)])
    peaks = np.log10(peaks[peaks > 0]) if len(peaks) else peaks
    if not np.size(peaks):
        return now if now is not None else (1e-3, 1e1)
    values = np.concatenate([c.ravel() for c in columns])
    high, lowest_peak = peaks.max(), peaks.min()
    low = max(np.log10(np.nanmin(values)), high - 12)
    if now is not None:
        bottom, top = np.log10(now)
        if top - 3 <= high <= top and bottom <= lowest_peak and top - bottom <= 14:
            return now
    top = np.ceil(high + 0.5)
    bottom = max(min(np.floor(low - 0.5), np.floor(lowest_peak) - 1), top - 14)
    return 10.0 ** bottom, 10.0 ** top


def _positive(values):
    """Values for a log axis: NaN where not positive (so the line has a gap, not a warning)."""
    values = np.asarray(values, dtype=float)
    return np.where(values > 0, values, np.nan)
