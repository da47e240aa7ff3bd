"""The apps' controls: a slider per hyperparameter, built from the one table of ranges
(``optimlib.optimizers.HYPERPARAMETERS``), and the controls every race shares.

A control is a view: ``bind`` makes a place in an app's settings follow it, so the settings
dict is the one place a value lives.
"""
import ipywidgets as widgets
import numpy as np

from ..optimizers import HYPERPARAMETERS, SCHEDULES
from ..surfaces import SURFACES

__all__ = ["bind", "has_slider", "hyperparameter_slider", "noise_slider", "race_controls"]

_WIDE = dict(style={"description_width": "80px"}, layout=widgets.Layout(width="320px"))


def has_slider(name):
    """Whether hyperparameter ``name`` gets a slider (eps does not)."""
    return HYPERPARAMETERS[name].shown is not None


def hyperparameter_slider(name, value, continuous):
    """A slider over the span the table shows for ``name``, widened to hold ``value``."""
    allowed = HYPERPARAMETERS[name]
    first, last = allowed.shown
    common = dict(description=name, value=value, step=allowed.step,
                  continuous_update=continuous, **_WIDE)
    if allowed.log_scale:  # its min and max are powers of ten
        exponent = np.log10(value)
        return widgets.FloatLogSlider(base=10, min=min(np.log10(first), np.floor(exponent)),
                                      max=max(np.log10(last), np.ceil(exponent)),
                                      readout_format=".3g", **common)
    decimals = round(-np.log10(allowed.step))  # the readout shows what a step can change
    return widgets.FloatSlider(min=min(first, value), max=max(last, value),
                               readout_format=f".{decimals}f", **common)


def noise_slider(continuous):
    return widgets.FloatSlider(value=0.0, min=0.0, max=2.0, step=0.01, description="noise",
                               continuous_update=continuous,
                               tooltip="std of Gaussian noise added to each gradient")


def race_controls(surface, steps, continuous):
    """The controls of a race besides its sliders, by name."""
    options = list(SURFACES.items())
    if surface not in SURFACES.values():
        options.append((surface.name, surface))
    controls = {
        "surface": widgets.Dropdown(options=options, value=surface, description="surface"),
        "noise": noise_slider(continuous),
        "schedule": widgets.Dropdown(options=SCHEDULES, value="constant", description="lr schedule",
                                     style={"description_width": "80px"}),
        "steps": widgets.IntSlider(value=steps, min=1, max=max(1000, steps), description="steps",
                                   continuous_update=False),
        "play": widgets.Play(value=steps, min=0, max=steps, interval=40, description="play"),
        "frame": widgets.IntSlider(value=steps, min=0, max=steps, description="show step",
                                   continuous_update=continuous),
        "back": widgets.Button(description="◀", tooltip="one step back",
                               layout=widgets.Layout(width="40px")),
        "forward": widgets.Button(description="▶", tooltip="one step forward",
                                  layout=widgets.Layout(width="40px")),
        "reset": widgets.Button(description="reset", tooltip="back to the starting values"),
    }
    widgets.jslink((controls["play"], "value"), (controls["frame"], "value"))
    return controls


def bind(control, settings, key, react):
    """Make ``settings[key]`` follow ``control``'s value, and call ``react()`` after each
    change."""
    def changed(change):
        settings[key] = change["new"]
        react()
    control.observe(changed, names="value")
