"""The apps, driven headless by setting widget values, as a student's mouse would, and read
back through their public read model (settings, paths, lines, axes), never their insides."""
import base64
import io
import resource

import ipywidgets as widgets
import matplotlib
import numpy as np
import pytest
from IPython.core.formatters import DisplayFormatter
from matplotlib.backend_bases import MouseEvent
from matplotlib.colors import to_rgba
from PIL import Image

from optimlib import (HYPERPARAMETERS, OPTIMIZERS, SGD, SURFACES, Surface, get_optimizer, run,
                      suggested_lr, sweep)
from optimlib.widgets import RaceApp, explore, phase_map, race

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SIX = list(OPTIMIZERS)
BACKENDS = ["inline", "ipympl"]


def attach_browser(app):
    """What the browser does when it shows an ipympl canvas: ask for a first full draw."""
    if app.canvas.ipympl:
        app.figure.canvas.syncing_data_url = False
        app.figure.canvas.draw()


def expected_path(app, name, **changes):
    hyperparameters = {**app.settings["hyperparameters"][name], **changes}
    return run(get_optimizer(name)(**hyperparameters), app.surface, start=app.start,
               steps=app.steps)


def drawn_points(app, name):
    return np.column_stack(app.lines[name].get_data())


def pixels(app):
    if app.canvas.ipympl:
        return np.asarray(app.figure.canvas.buffer_rgba()).copy()
    return np.asarray(Image.open(io.BytesIO(app.canvas.widget.value))).copy()


def click(figure, ax, x, y, event="button_press_event"):
    """A left click (or a hover) at data point (x, y) of ``ax``."""
    px, py = ax.transData.transform((x, y))
    button = 1 if event == "button_press_event" else None
    figure.canvas.callbacks.process(event, MouseEvent(event, figure.canvas, px, py, button))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_slider_redraws_its_path_as_run_computes_it(backend):
    app = race(SIX, surface="rosenbrock", steps=300, backend=backend)
    attach_browser(app)
    before = {name: drawn_points(app, name) for name in SIX}
    frame = pixels(app)
    app.controls["Momentum.lr"].value = 2e-3
    app.controls["Momentum.momentum"].value = 0.8
    expected = expected_path(app, "Momentum", lr=2e-3, momentum=0.8)
    np.testing.assert_array_equal(drawn_points(app, "Momentum"), expected.points)
    for name in SIX:  # only the moved path was recomputed; the others are as they were
        if name != "Momentum":
            np.testing.assert_array_equal(drawn_points(app, name), before[name])
    assert (pixels(app) != frame).any()


@pytest.mark.parametrize("backend", BACKENDS)
def test_200_events_create_no_figures_and_no_artists(backend):
    app = race(["SGD", "Momentum", "AdaGrad", "Adam"], surface="book", steps=100, backend=backend)
    attach_browser(app)
    figures, artists = plt.get_fignums(), len(app.figure.findobj())
    lrs = np.geomspace(1e-3, 3, 200)
    for i, lr in enumerate(lrs):
        app.controls[["SGD.lr", "Momentum.lr", "AdaGrad.lr", "Adam.lr"][i % 4]].value = lr
        if i % 50 == 0:
            app.controls["frame"].value = 30
    assert plt.get_fignums() == figures
    assert len(app.figure.findobj()) == artists
    np.testing.assert_array_equal(drawn_points(app, "Adam"), expected_path(app, "Adam").points[:31])


def test_slider_events_never_redraw_the_whole_figure():
    app = race(SIX, surface="rosenbrock", steps=300, backend="ipympl")
    attach_browser(app)
    full_draws = []
    app.figure.canvas.mpl_connect("draw_event", full_draws.append)
    diffs = []
    real_blit = app.figure.canvas.blit
    app.figure.canvas.blit = lambda bbox=None: diffs.append(real_blit(bbox))
    for lr in np.geomspace(1e-4, 1e-2, 20):
        app.controls["SGD.lr"].value = lr
    assert full_draws == [] and len(diffs) == 20


@pytest.mark.parametrize("name", [*SIX, "AdamW", "AMSGrad"])
def test_explore_has_a_slider_per_hyperparameter_and_draws_the_state(name):
    app = explore(name, surface="book", steps=60, backend="inline")
    tunable = [k for k in get_optimizer(name)().hyperparameters if k != "eps"]
    assert [k for k in app.controls if k in tunable] == tunable
    for key in tunable:
        slider = app.controls[key]
        slider.value = slider.min + 0.37 * (slider.max - slider.min) if key != "lr" else 0.05
    hyperparameters = app.settings["hyperparameters"][name]
    assert {k: hyperparameters[k] for k in tunable} == {k: app.controls[k].value for k in tunable}
    path = run(get_optimizer(name)(**hyperparameters), "book", steps=60)
    np.testing.assert_array_equal(drawn_points(app, name), path.points)
    np.testing.assert_array_equal(app.loss_line.get_ydata(),
                                  np.where(path.losses > 0, path.losses, np.nan))
    lines = list(app.state_lines.values())
    assert lines and all(np.isfinite(line.get_ydata()[1:]).any() for line in lines)
    if name in ("Momentum", "Nesterov"):
        velocity = app.state_lines["step" if name == "Momentum" else "velocity", 1]
        np.testing.assert_allclose(velocity.get_ydata()[1:], np.abs(path.state["v"][1:, 1]))
    if name == "AdaGrad":  # the effective learning rate only ever shrinks
        effective = app.state_lines["effective_lr", 0].get_ydata()[1:]
        assert (np.diff(effective) <= 0).all()


def test_the_state_panels_legend_speaks_each_rules_symbols():
    def legend(name):
        app = explore(name, surface="book", steps=20, backend="inline")
        return [line.get_label() for (key, axis), line in app.state_lines.items() if axis == 0]
    assert legend("Momentum") == ["|step| = |v|"]
    assert legend("Nesterov") == ["|step|", "|v| velocity"]
    assert legend("AdaGrad") == legend("RMSprop") == ["|step|", "h", "lr / (√h + ε)"]  # notebook 04
    assert legend("Adam") == ["|step|", "|m|", "√v", "lr_t / (√v + ε)"]


def test_steps_and_frame_and_play_buttons():
    app = explore("Adam", surface="himmelblau", steps=50, backend="inline")
    app.controls["steps"].value = 120
    assert app.paths["Adam"].steps == 120 and app.controls["play"].max == 120
    assert len(drawn_points(app, "Adam")) == 121
    app.controls["frame"].value = 10
    np.testing.assert_array_equal(drawn_points(app, "Adam"), app.paths["Adam"].points[:11])
    app.controls["forward"].click()
    app.controls["forward"].click()
    app.controls["back"].click()
    assert app.controls["frame"].value == 11 and len(drawn_points(app, "Adam")) == 12
    assert app.axes["loss"].get_xlim() == (0, 120) and app.settings["frame"] == 11


@pytest.mark.parametrize("backend", BACKENDS)
def test_clicking_on_the_plot_moves_the_start(backend):
    app = race(["SGD", "Adam"], surface="himmelblau", steps=80, backend=backend)
    attach_browser(app)
    click(app.figure, app.axes["paths"], 1.5, -2.0)
    assert app.start == pytest.approx((1.5, -2.0)) and app.settings["start"] == app.start
    np.testing.assert_array_equal(drawn_points(app, "Adam")[0], app.start)
    np.testing.assert_array_equal(drawn_points(app, "Adam"), expected_path(app, "Adam").points)
    # a click outside the contour axes does nothing
    app.figure.canvas.callbacks.process("button_press_event",
                                        MouseEvent("button_press_event", app.figure.canvas, 5, 5, 1))
    assert app.start == pytest.approx((1.5, -2.0))


def test_a_new_surface_redraws_the_contour_and_starts_over():
    app = race(["SGD", "Momentum"], surface="book", steps=80, backend="inline")
    artists = len(app.figure.findobj())
    app.controls["surface"].value = SURFACES["beale"]
    assert app.surface is SURFACES["beale"] and app.start == SURFACES["beale"].start
    assert app.axes["paths"].get_xlim() == SURFACES["beale"].xlim
    assert app.settings["surface"] == "beale"
    assert app.controls["SGD.lr"].value == pytest.approx(suggested_lr("SGD", "beale", steps=80))
    np.testing.assert_array_equal(drawn_points(app, "SGD"), expected_path(app, "SGD").points)
    app.controls["surface"].value = SURFACES["book"]
    assert len(app.figure.findobj()) == artists


def test_divergence_is_a_message_and_the_controls_keep_working():
    app = race(["SGD", "Adam"], surface="book", steps=100, hyperparameters={"SGD": {"lr": 0.5}},
               backend="inline")
    assert not app.message.get_visible()
    app.controls["SGD.lr"].value = 1.5
    k = app.paths["SGD"].diverged_at
    assert k is not None and app.message.get_visible()
    assert app.message.get_text() == f"SGD diverged at step {k}: try a smaller lr"
    assert len(drawn_points(app, "SGD")) == 101 and np.isnan(drawn_points(app, "SGD")[k:]).all()
    assert f"diverged at step {k}" in app.scoreboard.value
    app.controls["SGD.lr"].value = 0.5
    assert not app.message.get_visible() and app.paths["SGD"].diverged_at is None


def test_the_scoreboard_reports_loss_and_when_each_got_near_a_minimum():
    app = race(["Momentum"], surface="book", steps=300, hyperparameters={"Momentum": {"lr": 0.1}},
               backend="inline", tol=0.01)
    from optimlib import steps_to_minimum
    k = steps_to_minimum(app.paths["Momentum"], "book", 0.01)
    html = app.scoreboard.value
    assert "within 0.01 of a minimum" in html and ">0.1</td>" in html
    assert f"at step {k}</td>" in html
    final = app.paths["Momentum"].losses[-1]
    assert f">{final:.2e}</td>" in html


def test_reset_goes_back_to_the_start():
    app = explore("Momentum", surface="rosenbrock", steps=100, backend="inline", lr=1e-3)
    first = drawn_points(app, "Momentum")
    settings = dict(app.settings)
    app.controls["lr"].value = 3e-3
    app.controls["steps"].value = 40
    app.controls["surface"].value = SURFACES["booth"]
    app.reset()
    assert app.surface is SURFACES["rosenbrock"] and app.controls["lr"].value == 1e-3
    assert dict(app.settings) == settings
    np.testing.assert_array_equal(drawn_points(app, "Momentum"), first)


def shown_in(widget):
    """Every widget inside ``widget``, in the order of the page (depth first)."""
    for child in getattr(widget, "children", ()):
        yield child
        yield from shown_in(child)


@pytest.mark.parametrize("make", [lambda: race(backend="inline"),
                                  lambda: explore("Adam", backend="inline"),
                                  lambda: phase_map(backend="inline", cells=10)])
def test_an_app_shows_its_figure_first_and_every_control_in_a_widget_box(make):
    app = make()
    inside = list(shown_in(app.widget))
    assert next(w for w in inside if not isinstance(w, widgets.Box)) is app.canvas.widget
    assert all(control in inside for control in app.controls.values())


def test_an_app_has_the_controls_it_promises():
    app = race(backend="inline")
    assert {"SGD.lr", "Momentum.momentum", "Adam.beta2", "steps", "surface", "play", "frame",
            "reset"} <= set(app.controls)


@pytest.mark.parametrize("call, message", [
    (lambda: race(["SGD", "Adamm"]), "unknown optimizer 'Adamm'; choose one of: SGD, Momentum"),
    (lambda: explore("sgd"), "unknown optimizer 'sgd'"),
    (lambda: race(surface="bowl"), "unknown surface 'bowl'; choose one of: book, rotated"),
    (lambda: explore(start=(50, 0)), r"start \(50, 0\) is outside the plot of book: x must be in \[-10, 10\]"),
    (lambda: phase_map(start=(50, 0)), r"start \(50, 0\) is outside the plot of book: x must be in \[-10, 10\]"),
    (lambda: race(steps=0), "steps must be a positive integer"),
    (lambda: race(steps=-3), "steps must be a positive integer"),
    (lambda: explore("SGD", momentum=0.9), "SGD has no hyperparameter momentum; it has: lr"),
    (lambda: explore("Adam", beta2=1.0), r"beta2=1.0 is out of range"),
    (lambda: race(["SGD", "SGD"]), "give each optimizer once"),
    (lambda: race(["SGD"], hyperparameters={"Adam": {"lr": 1}}), "which is not racing"),
    (lambda: race(backend="qt"), "backend must be 'auto', 'ipympl' or 'inline'"),
])
def test_bad_input_is_refused_at_the_call(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_set_start_outside_the_plot_is_refused_and_changes_nothing():
    app = race(["SGD"], backend="inline")
    with pytest.raises(ValueError, match="outside the plot"):
        app.set_start((0, 99))
    assert app.start == SURFACES["book"].start


def test_2000_slider_events_keep_memory_flat():
    app = race(SIX, surface="rosenbrock", steps=300, backend="ipympl")
    attach_browser(app)
    lrs = np.geomspace(1e-4, 1e-2, 100)
    for lr in lrs:  # warm up: caches, allocator pools
        app.controls["SGD.lr"].value = lr
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for i in range(2000):
        app.controls[f"{SIX[i % 6]}.lr"].value = float(lrs[(i * 7) % 100])
    growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert growth_mb <= 20, growth_mb


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_app_displays_live_with_a_still_image_for_static_pages(backend):
    app = race(["SGD", "Adam"], surface="book", steps=40, backend=backend)
    attach_browser(app)
    canvas, background = app.figure.canvas, app.canvas.background
    bundle, _ = DisplayFormatter().format(app)                # what a notebook does to show it
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == app.widget.model_id
    still = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
    # the whole figure, RaceApp.FIGSIZE at 100 dpi: 550 x 410 (409 on matplotlib 3.8, which
    # truncates 4.1 x 100 = 409.99...), the size matplotlib gives any figure of that size
    blank = io.BytesIO()
    matplotlib.figure.Figure(figsize=RaceApp.FIGSIZE, dpi=100).savefig(blank, format="png")
    assert still.size == Image.open(blank).size and still.size[0] == 550
    assert (np.asarray(still.convert("L")) < 100).sum() > 500      # paths and text, not blank
    # the live canvas is untouched: same canvas, same cached background, still blitting
    assert app.figure.canvas is canvas and app.canvas.background is background
    app.controls["SGD.lr"].value = 0.5
    np.testing.assert_array_equal(drawn_points(app, "SGD"), expected_path(app, "SGD").points)


class SignSGD:
    """An optimizer of a student's own: a step of lr in the direction of -sign(g), with a
    step counter as state, so that reusing one instance across runs would show."""

    name = "SignSGD"

    def __init__(self, lr=0.1):
        self.lr, self.t = lr, 0

    def update(self, params, grads):
        self.t += 1
        for key in params:
            params[key] -= self.lr * np.sign(grads[key])


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_optimizer_of_your_own_races_with_the_builtins(backend):
    mine = SignSGD(lr=0.2)
    app = race(["Adam", mine], surface="book", steps=50, backend=backend)
    attach_browser(app)
    expected = run(SignSGD(lr=0.2), "book", steps=50)
    np.testing.assert_array_equal(drawn_points(app, "SignSGD"), expected.points)
    assert mine.t == 0                        # it raced as a copy; the instance is untouched
    app.set_start((3.0, -1.0))                # every run starts from a fresh copy
    np.testing.assert_array_equal(drawn_points(app, "SignSGD"),
                                  run(SignSGD(lr=0.2), "book", start=(3, -1), steps=50).points)
    assert "SignSGD</b>" in app.scoreboard.value and ">0.2</td>" in app.scoreboard.value
    assert "Adam.lr" in app.controls and not any(k.startswith("SignSGD") for k in app.controls)
    app.controls["surface"].value = SURFACES["booth"]   # a new surface: its lr stays its own
    np.testing.assert_array_equal(drawn_points(app, "SignSGD"),
                                  run(SignSGD(lr=0.2), "booth", steps=50).points)


def test_race_refuses_what_cannot_update():
    with pytest.raises(TypeError, match="optimizer names or objects with update"):
        race(["SGD", object()], backend="inline")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_noise_slider_makes_every_gradient_noisy_and_reproducible(backend):
    app = race(["SGD", "Momentum"], surface="book", steps=60, backend=backend)
    attach_browser(app)
    clean = drawn_points(app, "SGD")
    app.controls["noise"].value = 0.5
    noisy = run(SGD(lr=app.controls["SGD.lr"].value), "book", steps=60, noise=0.5, seed=0)
    np.testing.assert_array_equal(drawn_points(app, "SGD"), noisy.points)
    assert np.abs(noisy.points - clean).max() > 0.05
    app.controls["noise"].value = 0.0
    np.testing.assert_array_equal(drawn_points(app, "SGD"), clean)
    app.controls["noise"].value = 0.3
    app.reset()
    assert app.controls["noise"].value == 0.0
    np.testing.assert_array_equal(drawn_points(app, "SGD"), clean)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_phase_map_paints_the_sweep_and_shows_a_cells_path(backend):
    m = phase_map("Momentum", "book", start=(-7, 2), steps=120, cells=30, backend=backend)
    attach_browser(m)
    expected = sweep("Momentum", "book", start=(-7, 2), steps=120, tol=0.01,
                     lr=m.grids["lr"], momentum=m.grids["momentum"])
    painted = m.mesh.get_array().reshape(30, 30)              # rows: momentum, columns: lr
    colours = m.mesh.to_rgba(painted)                         # what each cell shows
    reached, diverged = expected.steps_to_tol.T >= 0, expected.diverged.T
    np.testing.assert_array_equal(painted[reached], expected.steps_to_tol.T[reached])
    never = ~reached & ~diverged                                      # grey: never got there
    assert never.any() and (colours[never] == to_rgba("#dddddd")).all()
    assert diverged.any() and np.array_equal(colours[..., 3] == 0, diverged)   # blank: diverged
    artists = len(m.figure.findobj())
    for i, j in [(3, 4), (20, 10), (29, 0)]:
        click(m.figure, m.axes["map"], m.grids["lr"][i], m.grids["momentum"][j])
        path = run(get_optimizer("Momentum")(lr=m.grids["lr"][i], momentum=m.grids["momentum"][j]),
                   "book", start=(-7, 2), steps=120)
        np.testing.assert_array_equal(np.column_stack(m.path_line.get_data()), path.points)
        np.testing.assert_array_equal(m.path.points, path.points)
    assert len(m.figure.findobj()) == artists
    before, info = m.result.final_loss.copy(), m.info.value
    assert expected.arrived.sum() == 243
    assert "Theory" in info and "Fewest steps" in info and "243 of 900 settings" in info
    m.controls["noise"].value = 0.5                       # the map is recomputed with noise
    assert not np.array_equal(before, m.result.final_loss, equal_nan=True)
    assert m.settings["noise"] == 0.5
    assert "Theory" in m.info.value and "7 of 900 settings" in m.info.value  # and so its text
    assert "Fewest steps" not in m.info.value and "by luck" in m.info.value


def test_a_noisy_phase_map_names_no_lucky_cell_as_the_fastest():
    m = phase_map("Momentum", "book", start=(-7, 2), steps=300, cells=40, backend="inline")
    best, _ = m.result.best_region()          # its path is the one shown
    assert "Fewest steps (the median over a cell and its neighbours): lr = " in m.info.value
    assert (m.grids["lr"][m.cell[0]], m.grids["momentum"][m.cell[1]]) == (best["lr"], best["momentum"])
    m.controls["noise"].value = 0.97          # single runs still arrive, here and there ...
    assert (m.result.steps_to_tol >= 0).sum() >= 5
    assert "Fewest steps" not in m.info.value and "by luck" in m.info.value   # ... by luck


def test_a_phase_map_of_adam_keeps_a_slider_for_the_third_hyperparameter():
    m = phase_map("Adam", "rosenbrock", x="lr", y="beta1", steps=60, cells=12, backend="inline")
    lr = suggested_lr("Adam", "rosenbrock", steps=60)           # the map's axes (notebook 08b)
    np.testing.assert_allclose(m.grids["lr"], np.geomspace(lr / 20, lr * 20, 12))
    np.testing.assert_allclose(m.grids["beta1"], np.linspace(0, 0.99, 12))
    assert set(m.controls) == {"beta2", "noise"}
    m.controls["beta2"].value = 0.95
    assert m.settings["hyperparameters"]["beta2"] == 0.95
    expected = sweep("Adam", "rosenbrock", steps=60, tol=0.01, beta2=0.95, lr=m.grids["lr"],
                     beta1=m.grids["beta1"])          # the map was run again with that beta2
    np.testing.assert_array_equal(m.result.steps_to_tol, expected.steps_to_tol)


@pytest.mark.parametrize("call, message", [
    (dict(name="SGD"), "SGD has no hyperparameter 'momentum' to map; it has: lr"),
    (dict(name="Momentum", y="lr"), "two different hyperparameters"),
    (dict(name="Adam", y="momentum"), "Adam has no hyperparameter 'momentum'"),
])
def test_bad_maps_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        phase_map(backend="inline", **call)


def test_the_schedule_control_reschedules_every_builtin():
    from optimlib import Scheduled
    app = race(["SGD", "Adam"], surface="book", steps=80, backend="inline")
    app.controls["schedule"].value = "cosine"
    lr = app.controls["Adam.lr"].value
    expected = run(Scheduled(get_optimizer("Adam")(lr=lr), "cosine", total=80), "book", steps=80)
    np.testing.assert_array_equal(drawn_points(app, "Adam"), expected.points)
    app.controls["schedule"].value = "constant"
    np.testing.assert_array_equal(drawn_points(app, "Adam"), expected_path(app, "Adam").points)


def test_the_schedules_parameters_are_settings_set_by_the_constructor_and_by_their_controls():
    from optimlib import Scheduled
    app = race(["SGD", "Adam"], surface="book", steps=90, backend="inline", schedule="step",
               drop=0.25, every=20)
    given = {"schedule": "step", "drop": 0.25, "every": 20, "warmup": 10}
    assert {k: app.settings[k] for k in given} == given
    assert {k: app.initial_settings[k] for k in given} == given
    lr = app.controls["Adam.lr"].value

    def scheduled(**kwargs):
        return run(Scheduled(get_optimizer("Adam")(lr=lr), total=90, **kwargs), "book", steps=90)
    np.testing.assert_array_equal(drawn_points(app, "Adam"),
                                  scheduled(schedule="step", drop=0.25, every=20).points)
    app.controls["drop"].value = 0.7
    app.controls["every"].value = 7
    np.testing.assert_array_equal(drawn_points(app, "Adam"),
                                  scheduled(schedule="step", drop=0.7, every=7).points)
    app.controls["schedule"].value = "warmup"
    app.controls["warmup"].value = 45
    np.testing.assert_array_equal(drawn_points(app, "Adam"),
                                  scheduled(schedule="warmup", warmup=45).points)
    assert {k: app.settings[k] for k in given} == {"schedule": "warmup", "drop": 0.7, "every": 7,
                                                   "warmup": 45}
    app.controls["reset"].click()
    assert dict(app.settings) == dict(app.initial_settings)
    np.testing.assert_array_equal(drawn_points(app, "Adam"),
                                  scheduled(schedule="step", drop=0.25, every=20).points)


def test_explore_takes_the_schedule_and_its_step_arrows_still_end_at_the_next_point():
    from optimlib import Scheduled
    app = explore("Momentum", surface="book", steps=60, backend="inline", schedule="warmup",
                  warmup=25, lr=0.3)
    assert {k: app.settings[k] for k in ("schedule", "warmup")} == {"schedule": "warmup", "warmup": 25}
    expected = run(Scheduled(get_optimizer("Momentum")(lr=0.3), "warmup", total=60, warmup=25),
                   "book", steps=60).points
    np.testing.assert_array_equal(drawn_points(app, "Momentum"), expected)
    app.controls["frame"].value = 12                 # during the warmup: the rate is 12/25 lr
    anatomy = app.anatomy                            # step 12 of the shown path, in parts
    np.testing.assert_array_equal(anatomy.point, expected[11])
    np.testing.assert_allclose(anatomy.point + sum(anatomy.parts.values()), expected[12],
                               rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="warmup"):
        explore("SGD", steps=20, backend="inline", schedule="warmup", warmup=30)


def test_a_schedules_parameters_show_only_while_they_apply():
    app = explore("Adam", surface="book", steps=40, backend="inline")
    def shown():
        return {k for k in ("drop", "every", "warmup") if app.controls[k].layout.display != "none"}
    assert shown() == set()
    for schedule, expected in (("step", {"drop", "every"}), ("cosine", set()),
                               ("warmup", {"warmup"}), ("constant", set())):
        app.controls["schedule"].value = schedule
        assert shown() == expected, schedule
    warming = race(["SGD"], backend="inline", schedule="warmup", warmup=5)
    assert warming.controls["warmup"].layout.display != "none"


def test_every_and_warmup_span_the_runs_steps_without_changing_their_value():
    app = race(["SGD", "Adam"], surface="book", steps=60, backend="inline", schedule="warmup",
               warmup=45)
    assert app.controls["warmup"].max == app.controls["every"].max == 60   # no warmup past the run
    app.controls["steps"].value = 300
    assert app.controls["warmup"].max == app.controls["every"].max == 300
    app.controls["steps"].value = 20                 # shorter than the warmup: its value stays
    assert app.controls["warmup"].max == 45 and app.settings["warmup"] == 45
    assert app.controls["every"].max == 30 and app.settings["every"] == 30
    assert "warmup=45 is longer than total=20" in app.errors.message   # why nothing runs
    app.controls["warmup"].value = 10
    app.controls["steps"].value = 25
    assert app.controls["warmup"].max == 25 and app.errors.message == ""
    assert app.paths["Adam"] is not None and len(app.paths["Adam"].points) == 26


def test_under_a_schedule_the_scoreboard_says_its_lr_is_the_base_rate():
    app = race(["SGD", "Adam"], surface="book", steps=90, backend="inline")
    assert ">lr</th>" in app.scoreboard.value and "base lr" not in app.scoreboard.value
    app.controls["schedule"].value = "step"
    assert "title='the step schedule multiplies it'>base lr</span></th>" in app.scoreboard.value
    assert f">{app.settings['hyperparameters']['SGD']['lr']:g}</td>" in app.scoreboard.value
    app.controls["schedule"].value = "constant"
    assert ">lr</th>" in app.scoreboard.value


def test_the_schedules_controls_hold_exact_values_beyond_their_spans():
    app = race(["SGD"], surface="book", steps=1000, backend="inline", schedule="step",
               drop=0.123, every=500, warmup=700)
    assert app.controls["drop"].value == 0.123 and app.controls["drop"].text.value == "0.123"
    assert app.controls["every"].value == 500 and app.controls["warmup"].value == 700
    drop = app.controls["drop"]
    drop.text.value = "1.5"                       # typed out of range: refused, and said why
    assert drop.value == 0.123 and "drop=1.5 is out of range" in drop.note.value
    drop.text.value = "0.9"
    assert app.settings["drop"] == 0.9


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(schedule="linear"), ValueError, "unknown schedule 'linear'; choose one of: constant"),
    (dict(schedule="step", drop=0.0), ValueError, r"drop=0.0 is out of range: need 0 < drop <= 1"),
    (dict(drop="half"), TypeError, "drop must be a number, got 'half'"),
    (dict(every=2.5), ValueError, r"every must be a positive integer, got 2.5 \(float\)"),
    (dict(warmup=0), ValueError, "warmup must be a positive integer, got 0"),
    (dict(schedule="warmup", warmup=101), ValueError, "warmup=101 is longer than total=100"),
])
def test_bad_schedule_settings_are_refused_before_any_widget_exists(kwargs, error, message):
    with pytest.raises(error, match=message):
        race(["SGD"], backend="inline", steps=100, **kwargs)


def test_fewer_steps_than_the_warmup_is_an_error_under_the_app_until_the_steps_allow_it():
    app = race(["SGD"], surface="book", steps=50, backend="inline", schedule="warmup", warmup=40)
    app.controls["steps"].value = 30
    assert "warmup=40 is longer than total=30" in app.errors.message
    assert app.paths["SGD"] is None
    app.controls["steps"].value = 60
    assert not app.errors.message and app.paths["SGD"] is not None


def test_the_apps_schedule_defaults_are_scheduleds():
    import inspect

    from optimlib import Scheduled
    from optimlib.widgets.racers import SCHEDULE_DEFAULTS
    defaults = {k: p.default for k, p in inspect.signature(Scheduled).parameters.items()}
    race_defaults = {k: p.default for k, p in inspect.signature(race).parameters.items()}
    explore_defaults = {k: p.default for k, p in inspect.signature(explore).parameters.items()}
    for key in ("drop", "every", "warmup"):
        assert SCHEDULE_DEFAULTS[key] == defaults[key] == race_defaults[key] == explore_defaults[key]
    assert SCHEDULE_DEFAULTS["schedule"] == race_defaults["schedule"] == "constant"
    assert explore_defaults["schedule"] == "constant"


def test_an_app_leaves_pyplots_backend_alone():
    # ipympl switches pyplot to itself when imported; the notebook's static figures must
    # stay inline. A fresh interpreter, since ipympl is imported only once per process.
    import subprocess
    import sys
    code = ("import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt\n"
            "from optimlib.widgets import race; race(['SGD'], backend='ipympl')\n"
            "print(matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().lower() == "agg"


def test_hovering_the_map_updates_the_cells_label_with_its_path():
    m = phase_map("Momentum", "book", start=(-7, 2), steps=60, cells=10, backend="ipympl")
    attach_browser(m)
    click(m.figure, m.axes["map"], m.grids["lr"][2], m.grids["momentum"][7], "motion_notify_event")
    assert m.cell == (2, 7) and m.cell_label in m.canvas.animated   # redrawn with every blit
    assert m.cell_label.get_text() == (f"lr = {m.grids['lr'][2]:.3g}, "
                                       f"momentum = {m.grids['momentum'][7]:.3g}")


def test_the_state_panel_follows_a_schedule():
    app = explore("AdaGrad", surface="book", steps=50, backend="inline", lr=0.5)
    app.controls["schedule"].value = "cosine"
    path, eps = app.paths["AdaGrad"], 1e-7
    effective = app.state_lines["effective_lr", 0].get_ydata()
    lr_t = path.state["lr_t"]
    np.testing.assert_allclose(effective[1:], lr_t[1:] / (np.sqrt(path.state["h"][1:, 0]) + eps))
    assert effective[-1] < 0.01 * effective[1]   # cosine takes the rate down to zero


def test_settings_are_the_one_read_model_and_follow_every_control():
    app = race(["SGD", "Adam"], surface="book", steps=50, backend="inline")
    assert dict(app.settings) == {
        "surface": "book", "start": (-7.0, 2.0), "steps": 50, "noise": 0.0,
        "schedule": "constant", "drop": 0.5, "every": 30, "warmup": 10, "frame": 50,
        "hyperparameters": {"SGD": {"lr": suggested_lr("SGD", "book", steps=50)},
                            "Adam": {"lr": suggested_lr("Adam", "book", steps=50), "beta1": 0.9,
                                     "beta2": 0.999, "eps": 1e-7}}}
    app.controls["Adam.beta1"].value = 0.5
    app.controls["noise"].value = 0.2
    app.controls["schedule"].value = "step"
    app.controls["frame"].value = 7
    app.set_start((1.0, 1.0))
    settings = app.settings
    assert settings["hyperparameters"]["Adam"]["beta1"] == 0.5 and settings["noise"] == 0.2
    assert settings["schedule"] == "step" and settings["frame"] == 7
    assert settings["start"] == (1.0, 1.0) and len(drawn_points(app, "Adam")) == 8
    with pytest.raises(TypeError):
        settings["steps"] = 10                          # read-only: the controls set it
    settings["hyperparameters"]["Adam"]["beta1"] = 0.1  # a copy: the app is not changed
    assert app.settings["hyperparameters"]["Adam"]["beta1"] == 0.5


def test_sliders_and_maps_span_what_the_one_table_shows():
    app = explore("Adam", surface="book", steps=20, backend="inline", lr=0.1)
    for name in ("beta1", "beta2"):
        slider, allowed = app.controls[name], HYPERPARAMETERS[name]
        assert (slider.min, slider.max) == allowed.shown and slider.step == allowed.step
    low, high = HYPERPARAMETERS["lr"].shown  # the lr's: two decades either side, within these
    assert (app.controls["lr"].min, app.controls["lr"].max) == (0.1 / 100, min(high, 0.1 * 100))
    assert app.controls["lr"].step == HYPERPARAMETERS["lr"].step
    assert explore("SGD", backend="inline", lr=1e-6).controls["lr"].min == 1e-6 < low
    assert explore("Momentum", backend="inline", momentum=0.995).controls["momentum"].max == 0.995
    m = phase_map("RMSprop", "book", x="lr", y="decay_rate", steps=20, cells=5, backend="inline")
    np.testing.assert_array_equal(m.grids["decay_rate"],
                                  np.linspace(*HYPERPARAMETERS["decay_rate"].shown, 5))


def test_a_surface_of_your_own_without_a_known_minimum_races():
    tilted = Surface("tilted", f=lambda x, y: x**2 + y**2 + x, grad=lambda x, y: (2 * x + 1, 2 * y),
                     xlim=(-2, 2), ylim=(-2, 2), start=(1.5, 1.0))
    app = race(["SGD", "Adam"], surface=tilted, steps=30, backend="inline")
    lowest = min(tilted.value(np.stack(np.meshgrid(np.linspace(-2, 2, 200),
                                                   np.linspace(-2, 2, 200)), axis=-1)).ravel())
    final = app.paths["SGD"].losses[-1]
    assert f">{final - lowest:.2e}</td>" in app.scoreboard.value
    # no minimum stated: the scoreboard cannot say when one was reached, and does not say never
    assert "never" not in app.scoreboard.value and app.scoreboard.value.count(">—</td>") == 2
    app.controls["SGD.lr"].value = 0.05
    np.testing.assert_array_equal(drawn_points(app, "SGD"), expected_path(app, "SGD").points)


def test_a_map_on_which_every_setting_diverges_says_so_and_shows_no_path():
    """Sweep.best() refuses to rank a map that only diverged: the app says what happened
    and draws no path beside the map, instead of naming a 'best' setting."""
    from optimlib import Surface
    away = Surface("away", lambda x, y: x**2 + y**2, lambda x, y: (-1e3 * x, -1e3 * y),
                   xlim=(-2, 2), ylim=(-2, 2), start=(1, 1), minima=[(0, 0)], min_value=0.0)
    app = phase_map("Adam", away, x="beta1", y="beta2", cells=5, backend="inline", lr=10.0)
    assert app.result.diverged.all() and app.path is None
    assert "0 of 25 settings came within 0.01 of a minimum, 25 diverged" in app.info.value
    assert "Fewest steps" not in app.info.value and not app.errors.message
