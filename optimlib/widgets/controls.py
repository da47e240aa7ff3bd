"""The apps' controls: a slider per hyperparameter, built from the one table of ranges
(``optimlib.optimizers.HYPERPARAMETERS``), and the controls every race shares.

A control is a view: ``bind`` makes a place in an app's settings follow it, so the settings
dict is the one place a value lives.
"""
import functools

import ipywidgets as widgets
import numpy as np
import traitlets

from ..checks import check_drop
from ..optimizers import HYPERPARAMETERS, SCHEDULES, check_hyperparameter
from ..surfaces import SURFACES

__all__ = ["SCHEDULE_KEYS", "SCHEDULE_PARAMETERS", "TYPE_HINT", "ExactSlider", "FloatSlider",
           "IntSlider", "beside", "bind", "has_slider", "hyperparameter_slider", "noise_slider",
           "race_controls", "schedule_controls"]

_LABEL = {"description_width": "80px"}
# Every control is at least 340 px wide and grows with its column up to 520 px: a column of
# them fits beside a figure, or in a notebook's 568-px column, and a longer track drags finer.
_WIDTH, _WIDEST = "340px", "520px"


def _sized():
    """The layout and label width of a control in the column (a Layout each: not shared)."""
    return {"layout": widgets.Layout(width="auto", min_width=_WIDTH, max_width=_WIDEST),
            "style": _LABEL}


def beside(main, side):
    """The widgets ``side`` in a column to the right of the column ``main`` where the page
    is wide enough for both, else below it: beside the figure, a slider stays in view while
    it is dragged and its path moves."""
    side = widgets.VBox(side, layout=widgets.Layout(flex=f"1 1 {_WIDTH}", min_width=_WIDTH))
    return widgets.HBox([widgets.VBox(main), side],
                        layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"))

# A slider's position for a value, and the value at a position, on each kind of scale.
_SCALES = {"linear": (lambda v: v, lambda p: p),
           "log": (np.log10, lambda p: 10.0 ** p),
           "nines": (lambda v: -np.log10(1.0 - v), lambda p: 1.0 - 10.0 ** -p)}
_DECADES = 2  # a log-scale slider spans this many decades either side of the value it got


class FloatSlider(widgets.FloatSlider):
    """A FloatSlider whose kernel does not echo a dragged value back to the browser.

    ipywidgets 8 answers every value a browser sends with an ``echo_update`` of it, before
    the app reacts, so that other windows on the same kernel follow. On a drag that is a
    message per event ahead of the new image, and the window that sent the value ignores
    it. (Another window on the kernel still gets the app's new picture and value box.)"""
    value = traitlets.CFloat(0.0, help="Float value").tag(sync=True, echo_update=False)


class IntSlider(widgets.IntSlider):
    """An IntSlider that does not echo a dragged value back (see ``FloatSlider``)."""
    value = traitlets.CInt(0, help="Int value").tag(sync=True, echo_update=False)


def has_slider(name):
    """Whether hyperparameter ``name`` gets a slider (eps does not)."""
    return HYPERPARAMETERS[name].shown is not None


TYPE_HINT = "Type an exact value in the box beside a slider (Enter to apply)."


class ExactSlider(widgets.HBox):
    """A slider to drag and, beside it, a text box that shows the exact value and takes a
    typed one.

    ``value`` is the value the app uses: exactly what code set or a student typed, or where a
    drag left the slider (to 3 significant digits). A slider drawn in a browser only holds the
    points of its grid (min + k step); when it shows a value it snaps it to the nearest one and
    sends that back. Such an echo, the grid point nearest to ``value``, leaves ``value`` as it
    is: any other position is at least half a step away, so a drag always counts.

    span: (first, last), or a function of the value that gives them (see ``centre_on``).
    scale: "linear", "log" (the slider moves log10 value) or "nines" (it moves
    -log10(1 - value): 0.9, 0.99, 0.999 are one unit apart). A value outside the slider's span
    (set or typed) widens the span to hold it. ``check`` turns a value into the one kept or
    raises ValueError: setting such a value raises, typing one shows the message under the box
    (and the box shows ``value`` again) until a value is set again in any way: typed, dragged,
    set by code or by reset.
    """
    value = traitlets.Float()

    def __init__(self, name, value, span, step, scale="linear", check=float, continuous=True):
        self._position, self._value_at = _SCALES[scale]
        self._scale, self._check, self._placing = scale, check, False
        self._around = span if callable(span) else None
        self._span = tuple(span(value) if callable(span) else span)
        self.slider = FloatSlider(description=name, step=step, readout=False,
                                  continuous_update=continuous, style=_LABEL,
                                  layout=widgets.Layout(width="auto", flex="1 1 248px"))
        # text, not a number box: no spinner or wheel to change an lr by 1 by accident
        self.text = widgets.Text(_shown(value), continuous_update=False,
                                 layout=widgets.Layout(width="80px"))
        self.note = widgets.HTML()
        super().__init__([self.slider, self.text, self.note], layout=widgets.Layout(
            width="auto", min_width=_WIDTH, max_width=_WIDEST, flex_flow="row wrap"))
        self.value = value
        self._place()
        self.observe(self._show, names="value")
        self.slider.observe(self._dragged, names="value")
        self.text.observe(self._typed, names="value")

    @property
    def min(self):
        return self._span[0]

    @property
    def max(self):
        return self._span[1]

    @property
    def step(self):
        """The slider's step, in its position (in powers of ten on a log or nines scale)."""
        return self.slider.step

    def centre_on(self, value):
        """Set ``value`` and, if the span is a function of the value, span it afresh."""
        if self._around is not None:
            self._span = tuple(self._around(self._check(value)))
        self.value = value
        self._place()

    @traitlets.validate("value")
    def _valid(self, proposal):
        value = self._check(proposal["value"])
        self.note.value = ""  # a message about an earlier typed value no longer applies
        return value

    def _show(self, change):
        self.text.value = _shown(change["new"])
        if not self._placing:
            self._place()

    def _place(self):
        """Widen the span to hold ``value`` and put the handle on the grid point nearest it."""
        low, high = self._span = (min(self._span[0], self.value), max(self._span[1], self.value))
        first, last, here = (float(self._position(v)) for v in (low, high, self.value))
        step = self.slider.step
        grid = min(first + round((here - first) / step) * step, last)
        self._placing = True
        try:
            with self.slider.hold_sync(), self.slider.hold_trait_notifications():
                self.slider.min, self.slider.max, self.slider.value = first, last, grid
        finally:
            self._placing = False

    def _dragged(self, change):
        if self._placing:
            return
        if abs(change["new"] - self._position(self.value)) <= 0.5 * self.slider.step * (1 + 1e-6):
            return  # the browser echoing the grid point nearest to our value: keep ours
        self._placing = True  # the handle is where the student put it: leave it there
        try:
            self.value = _tidy(self._value_at(change["new"]), self._scale, self.slider.step)
        finally:
            self._placing = False

    def _typed(self, change):
        if self._placing or change["new"] == _shown(self.value):
            return
        try:
            self.value = _number(change["new"])
        except ValueError as error:
            self.note.value = f"<small style='color:#B00000'>{error}</small>"
            self.text.value = _shown(self.value)
            return
        self.note.value = ""


def _shown(value):
    """A value as the box shows it: the shortest text that reads back as exactly it."""
    return repr(float(value))


def _number(text):
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number") from None


def _around(shown, value):
    """The span of a log-scale slider for ``value``: _DECADES either side, within
    ``shown``."""
    return max(shown[0], value / 10 ** _DECADES), min(shown[1], value * 10 ** _DECADES)


def _tidy(value, scale, step):
    """A dragged value to the digits a slider step can tell apart."""
    if scale == "log":
        return float(f"{value:.3g}")
    if scale == "nines":
        return round(1.0 - float(f"{1.0 - value:.3g}"), 10)
    return round(value, max(0, round(-np.log10(step))))


def hyperparameter_slider(name, value, continuous):
    """The control of hyperparameter ``name`` over the span the table shows for it (for a
    learning rate: two decades either side of ``value``), widened to hold ``value``."""
    allowed = HYPERPARAMETERS[name]
    scale = "log" if allowed.log_scale else "nines" if allowed.nines else "linear"
    span = functools.partial(_around, allowed.shown) if scale == "log" else allowed.shown
    return ExactSlider(name, value, span, allowed.step, scale,
                       functools.partial(check_hyperparameter, name), continuous)


def noise_slider(continuous):
    return FloatSlider(value=0.0, min=0.0, max=2.0, step=0.01, description="noise",
                       continuous_update=continuous, **_sized(),
                       tooltip="std of Gaussian noise added to each gradient")


SCHEDULE_KEYS = ("schedule", "drop", "every", "warmup")
"""The settings of a race's lr schedule: its name and its parameters (its total is the run's
steps), as ``Scheduled`` takes them."""
SCHEDULE_PARAMETERS = {"constant": (), "step": ("drop", "every"), "cosine": (),
                       "warmup": ("warmup",)}
"""The parameters each schedule uses: only these are shown beside it."""


def schedule_controls(settings, continuous):
    """The lr schedule's dropdown and its parameters' controls, by name, from ``settings``
    (see SCHEDULE_KEYS); a parameter shows only while the chosen schedule uses it. drop gets
    an exact box (0.5 stays 0.5); every and warmup are whole numbers of steps, their sliders
    span the run's steps (and always their value: ``race_controls`` keeps them so)."""
    def steps_slider(key, tooltip):
        return IntSlider(value=settings[key], min=1, max=max(settings["steps"], settings[key]),
                         description=key,
                         continuous_update=continuous, tooltip=tooltip, **_sized())

    controls = {
        "schedule": widgets.Dropdown(options=SCHEDULES, value=settings["schedule"],
                                     description="lr schedule", **_sized()),
        "drop": ExactSlider("drop", settings["drop"], (0.05, 1.0), 0.01, check=check_drop,
                            continuous=continuous),
        "every": steps_slider("every", "the rate is multiplied by drop every this many steps"),
        "warmup": steps_slider("warmup", "steps of linear warmup before the cosine decay"),
    }

    def show(schedule):
        for key in SCHEDULE_KEYS[1:]:
            controls[key].layout.display = None if key in SCHEDULE_PARAMETERS[schedule] else "none"
    show(settings["schedule"])
    controls["schedule"].observe(lambda change: show(change["new"]), names="value")
    return controls


def race_controls(surface, settings, continuous):
    """The controls of a race besides its sliders, by name, at the values of ``settings``."""
    steps = settings["steps"]
    options = list(SURFACES.items())
    if surface not in SURFACES.values():
        options.append((surface.name, surface))
    controls = {
        "surface": widgets.Dropdown(options=options, value=surface, description="surface",
                                    **_sized()),
        "noise": noise_slider(continuous),
        **schedule_controls(settings, continuous),
        "steps": IntSlider(value=steps, min=1, max=max(1000, steps), description="steps",
                           continuous_update=False, **_sized()),
        "play": widgets.Play(value=steps, min=0, max=steps, interval=40, description="play"),
        "frame": IntSlider(value=steps, min=0, max=steps, description="show step",
                           continuous_update=continuous, **_sized()),
        "back": widgets.Button(description="◀", tooltip="one step back",
                               layout=widgets.Layout(width="40px")),
        "forward": widgets.Button(description="▶", tooltip="one step forward",
                                  layout=widgets.Layout(width="40px")),
        "reset": widgets.Button(description="reset", tooltip="back to the starting values"),
    }
    widgets.jslink((controls["play"], "value"), (controls["frame"], "value"))

    def span_steps(change):  # a longer or shorter run: every and warmup span it anew, but
        for key in ("every", "warmup"):  # never below their value (that would change it)
            controls[key].max = max(change["new"], controls[key].value)
    controls["steps"].observe(span_steps, names="value")
    return controls


def bind(control, settings, key, react):
    """Make ``settings[key]`` follow ``control``'s value, and call ``react()`` after each
    change."""
    def changed(change):
        settings[key] = change["new"]
        react()
    control.observe(changed, names="value")
