"""The controls never change a value that code gave them: a browser-drawn slider snaps the
value it shows to its grid and sends the snapped one back (its echo), and the app keeps its
own. Typed values are taken exactly; a drag gives the value under the handle."""
import numpy as np
import pytest

from optimlib import HYPERPARAMETERS, SURFACES, get_optimizer, run, suggested_lr
from optimlib.widgets import explore, phase_map, race

# notebook 00's race: the learning rates of the figure above it
RATES = {"SGD": 0.95, "Momentum": 0.1, "AdaGrad": 1.5, "Adam": 0.3}


def notebook_race():
    return race(list(RATES), surface="book", start=(-7, 2), steps=30, backend="inline",
                hyperparameters={name: {"lr": lr} for name, lr in RATES.items()})


def echo(control):
    """What the browser sends back once it has drawn ``control``'s slider: the grid point
    (min + k step) nearest to the handle's position, computed in floating point as noUiSlider
    does, slightly off."""
    slider = control.slider
    k = round((slider.value - slider.min) / slider.step)
    control.slider.value = min(slider.min + k * slider.step * (1 + 1e-15), slider.max)


def exact_path(app, name):
    return run(get_optimizer(name)(**app.settings["hyperparameters"][name]), app.surface,
               start=app.start, steps=app.steps)


def hyperparameter_controls(app):
    return {key: c for key, c in app.controls.items() if hasattr(c, "slider")}


def test_the_browsers_echo_leaves_the_values_the_notebook_gave():
    app = notebook_race()
    given = {name: dict(values) for name, values in app.settings["hyperparameters"].items()}
    paths = {name: path.points.copy() for name, path in app.paths.items()}
    assert {name: given[name]["lr"] for name in RATES} == RATES
    for control in hyperparameter_controls(app).values():
        echo(control)
    app.controls["SGD.lr"].slider.value = np.log10(0.955)  # the old slider's echo, as issue 11 saw
    assert app.settings["hyperparameters"] == given
    for name, points in paths.items():
        np.testing.assert_array_equal(app.paths[name].points, points)
    assert [app.controls[f"{name}.lr"].text.value for name in RATES] == ["0.95", "0.1", "1.5", "0.3"]


@pytest.mark.parametrize("name, given", [("SGD", {"lr": 0.5}), ("Adam", {"lr": 0.841}),
                                         ("RMSprop", {"lr": 0.0123, "decay_rate": 0.95}),
                                         ("Momentum", {"lr": 0.25, "momentum": 0.937})])
def test_explore_keeps_what_it_was_given_through_echoes(name, given):
    app = explore(name, surface="book", start=(-7, 2), steps=40, backend="inline", **given)
    for control in hyperparameter_controls(app).values():
        echo(control)
        echo(control)
    assert {k: app.settings["hyperparameters"][name][k] for k in given} == given
    np.testing.assert_array_equal(app.paths[name].points, exact_path(app, name).points)


def test_a_typed_value_is_taken_exactly_and_a_drag_gives_the_value_under_the_handle():
    app = notebook_race()
    lr = app.controls["SGD.lr"]
    lr.slider.value = lr.slider.value - 0.15            # a drag: 0.15 decades down
    dragged = app.settings["hyperparameters"]["SGD"]["lr"]
    assert dragged == float(f"{0.95 / 10 ** 0.15:.3g}") == float(lr.text.value)  # 0.673
    lr.text.value = "0.68"                               # then typed
    assert app.settings["hyperparameters"]["SGD"]["lr"] == 0.68 == lr.value
    np.testing.assert_array_equal(app.paths["SGD"].points, exact_path(app, "SGD").points)
    echo(lr)                                            # the handle moves to 0.68: its echo
    assert app.settings["hyperparameters"]["SGD"]["lr"] == 0.68
    lr.slider.value = lr.slider.value + lr.step         # an arrow key: the grid point above
    assert 0.68 < app.settings["hyperparameters"]["SGD"]["lr"] <= 0.68 * 10 ** lr.step
    app.controls["Momentum.momentum"].text.value = " 0.937"
    assert app.settings["hyperparameters"]["Momentum"]["momentum"] == 0.937


def test_a_typed_value_outside_the_span_widens_it_and_one_not_allowed_is_refused():
    app = explore("Momentum", surface="book", steps=30, backend="inline", lr=0.1)
    lr, momentum = app.controls["lr"], app.controls["momentum"]
    assert (lr.min, lr.max) == pytest.approx((1e-3, 10.0))
    lr.text.value = "1e-4"
    assert app.settings["hyperparameters"]["Momentum"]["lr"] == 1e-4 == lr.min
    assert lr.slider.min == pytest.approx(-4)
    momentum.text.value = "0.9995"
    assert momentum.max == 0.9995 and momentum.slider.max == pytest.approx(-np.log10(0.0005))
    path = app.paths["Momentum"]
    for control, bad, why in ((lr, "-0.1", "out of range"), (lr, "0", "out of range"),
                              (momentum, "1", "out of range"), (momentum, "-0.5", "out of range"),
                              (lr, "0,1", "not a number"), (momentum, "nan", "out of range")):
        control.text.value = bad
        assert float(control.text.value) == control.value and why in control.note.value
    assert app.paths["Momentum"] is path               # nothing was run again
    with pytest.raises(ValueError, match="momentum=1.0 is out of range"):
        momentum.value = 1.0                           # from code: an error, not a clamp
    lr.text.value = "0.2"
    assert lr.note.value == "" and app.settings["hyperparameters"]["Momentum"]["lr"] == 0.2


def test_decay_rates_near_one_lie_a_unit_apart_on_their_sliders():
    app = explore("Adam", surface="book", steps=30, backend="inline", lr=0.1)
    beta2 = app.controls["beta2"]
    positions = []
    for value in (0.9, 0.99, 0.999, 0.9999):
        beta2.value = value
        positions.append(beta2.slider.value)
    np.testing.assert_allclose(np.diff(positions), 1.0)
    assert (beta2.slider.max - beta2.slider.min) / beta2.step == pytest.approx(300)
    beta2.slider.value = 2.5                            # dragged half way from 0.99 to 0.999
    assert beta2.value == 1 - float(f"{10 ** -2.5:.3g}") == 0.99684
    for name in ("momentum", "decay_rate", "beta1", "beta2"):
        assert HYPERPARAMETERS[name].nines


def test_a_new_surface_centres_the_lr_slider_on_its_suggested_lr():
    app = race(["SGD", "Adam"], surface="book", steps=50, backend="inline")
    app.controls["surface"].value = SURFACES["rosenbrock"]
    lr = suggested_lr("SGD", "rosenbrock", steps=50)
    control = app.controls["SGD.lr"]
    assert control.value == lr and (control.min, control.max) == pytest.approx((lr / 100, lr * 100))


def test_a_phase_maps_sliders_keep_their_values_through_echoes():
    m = phase_map("Adam", "book", x="lr", y="beta1", steps=20, cells=5, backend="inline",
                  beta2=0.995)
    result = m.result
    echo(m.controls["beta2"])
    assert m.settings["hyperparameters"]["beta2"] == 0.995 and m.result is result


def test_every_app_tells_the_settings_it_was_built_with_and_keeps_them():
    """``initial_settings``: what the e2e compares every app in every notebook with, once the
    browser has drawn its sliders. It reads like ``settings`` and stays what the app was given."""
    app = notebook_race()
    given = dict(app.settings)
    assert dict(app.initial_settings) == given
    assert {n: v["lr"] for n, v in given["hyperparameters"].items()} == RATES
    app.controls["SGD.lr"].text.value = "0.5"
    app.controls["steps"].value = 40
    app.set_start((1.0, 1.0))
    app.initial_settings["hyperparameters"]["SGD"]["lr"] = 7.0  # a copy: changes nothing
    assert dict(app.initial_settings) == given != dict(app.settings)
    app.reset()
    assert dict(app.settings) == given

    m = phase_map("Adam", "book", x="lr", y="beta1", steps=20, cells=5, backend="inline",
                  beta2=0.995)
    given = dict(m.settings)
    assert dict(m.initial_settings) == given and given["hyperparameters"]["beta2"] == 0.995
    m.controls["beta2"].text.value = "0.99"
    m.controls["noise"].value = 0.5
    m.initial_settings["hyperparameters"]["beta2"] = 0.9
    assert dict(m.initial_settings) == given
    assert (m.settings["hyperparameters"]["beta2"], m.settings["noise"]) == (0.99, 0.5)


def test_a_refused_values_message_goes_once_a_value_is_set_again_in_any_way():
    """Seen in the browser: "'abc' is not a number" stayed under drop after a drag, after
    another schedule and back, and after reset, beside a box that held a good value."""
    app = race(["SGD"], surface="book", steps=60, backend="inline", schedule="step")
    drop = app.controls["drop"]
    for set_again in (lambda: setattr(drop.slider, "value", drop.slider.value - 0.2),  # a drag
                      lambda: setattr(drop, "value", 0.25),                            # code
                      app.reset,                        # reset, to the value it holds already
                      lambda: setattr(drop, "value", drop.value)):
        drop.text.value = "abc"
        assert "'abc' is not a number" in drop.note.value
        set_again()
        assert drop.note.value == "" and float(drop.text.value) == app.settings["drop"]
