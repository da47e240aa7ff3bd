"""The apps, driven headless by setting widget values, as a student's mouse would."""
import base64
import io
import resource

import matplotlib
import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent
from PIL import Image

from optimlib import OPTIMIZERS, SGD, SURFACES, get_optimizer, run, suggested_lr
from optimlib.widgets import explore, race

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SIX = list(OPTIMIZERS)
BACKENDS = ["inline", "ipympl"]


def attach_browser(app):
    """What the browser does when it shows an ipympl canvas: ask for a first full draw."""
    if app._ipympl:
        app.figure.canvas.syncing_data_url = False
        app.figure.canvas.draw()


def expected_path(app, name, **changes):
    runner = next(r for r in app._runners if r.name == name)
    return run(get_optimizer(name)(**{**runner.hyperparameters, **changes}), app.surface,
               start=app.start, steps=app.steps)


def drawn_points(app, name):
    runner = next(r for r in app._runners if r.name == name)
    return np.column_stack(runner.line.get_data())


def pixels(app):
    if app._ipympl:
        return np.asarray(app.figure.canvas.buffer_rgba()).copy()
    return np.asarray(Image.open(io.BytesIO(app._image.value))).copy()


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


@pytest.mark.parametrize("name", [*SIX, "AdamW"])
def test_explore_has_a_slider_per_hyperparameter_and_draws_the_state(name):
    app = explore(name, surface="book", steps=60, backend="inline")
    tunable = [k for k in get_optimizer(name)().hyperparameters if k != "eps"]
    assert [k for k in app.controls if k in tunable] == tunable
    for key in tunable:
        slider = app.controls[key]
        slider.value = slider.min + 0.37 * (slider.max - slider.min) if key != "lr" else 0.05
    runner = app._runners[0]
    path = run(get_optimizer(name)(**runner.hyperparameters), "book", steps=60)
    np.testing.assert_array_equal(drawn_points(app, name), path.points)
    np.testing.assert_array_equal(runner.loss_line.get_ydata(),
                                  np.where(path.losses > 0, path.losses, np.nan))
    lines = [line for (label, axis), line in app._state_lines.items()]
    assert lines and all(np.isfinite(line.get_ydata()[1:]).any() for line in lines)
    if name in ("Momentum", "Nesterov"):
        velocity = app._state_lines["|step| = |v|" if name == "Momentum" else "|v| velocity", 1]
        np.testing.assert_allclose(velocity.get_ydata()[1:], np.abs(path.state["v"][1:, 1]))
    if name == "AdaGrad":  # the effective learning rate only ever shrinks
        effective = app._state_lines["lr / (√h + ε)", 0].get_ydata()[1:]
        assert (np.diff(effective) <= 0).all()


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
    assert app._loss_ax.get_xlim() == (0, 120)


@pytest.mark.parametrize("backend", BACKENDS)
def test_clicking_on_the_plot_moves_the_start(backend):
    app = race(["SGD", "Adam"], surface="himmelblau", steps=80, backend=backend)
    attach_browser(app)
    x, y = app._ax.transData.transform((1.5, -2.0))
    app.figure.canvas.callbacks.process("button_press_event",
                                        MouseEvent("button_press_event", app.figure.canvas, x, y, 1))
    assert app.start == pytest.approx((1.5, -2.0))
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
    assert app._ax.get_xlim() == SURFACES["beale"].xlim
    assert app.controls["SGD.lr"].value == pytest.approx(suggested_lr("SGD", "beale", steps=80))
    np.testing.assert_array_equal(drawn_points(app, "SGD"), expected_path(app, "SGD").points)
    app.controls["surface"].value = SURFACES["book"]
    assert len(app.figure.findobj()) == artists


def test_divergence_is_a_message_and_the_controls_keep_working():
    app = race(["SGD", "Adam"], surface="book", steps=100, hyperparameters={"SGD": {"lr": 0.5}},
               backend="inline")
    assert not app._message.get_visible()
    app.controls["SGD.lr"].value = 1.5
    k = app.paths["SGD"].diverged_at
    assert k is not None and app._message.get_visible()
    assert app._message.get_text() == f"SGD diverged at step {k}: try a smaller lr"
    assert len(drawn_points(app, "SGD")) == 101 and np.isnan(drawn_points(app, "SGD")[k:]).all()
    assert f"diverged at step {k}" in app.scoreboard.value
    app.controls["SGD.lr"].value = 0.5
    assert not app._message.get_visible() and app.paths["SGD"].diverged_at is None


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
    app.controls["lr"].value = 3e-3
    app.controls["steps"].value = 40
    app.controls["surface"].value = SURFACES["booth"]
    app.reset()
    assert app.surface is SURFACES["rosenbrock"] and app.controls["lr"].value == 1e-3
    np.testing.assert_array_equal(drawn_points(app, "Momentum"), first)


def test_an_app_shows_in_a_widget_box():
    app = race(backend="inline")
    assert app.widget.children[0] is app._image
    assert {"SGD.lr", "Momentum.momentum", "Adam.beta2", "steps", "surface", "play", "frame",
            "reset"} <= set(app.controls)


@pytest.mark.parametrize("call, message", [
    (lambda: race(["SGD", "Adamm"]), "unknown optimizer 'Adamm'; choose one of: SGD, Momentum"),
    (lambda: explore("sgd"), "unknown optimizer 'sgd'"),
    (lambda: race(surface="bowl"), "unknown surface 'bowl'; choose one of: book, rotated"),
    (lambda: explore(start=(50, 0)), r"start \(50, 0\) is outside the plot of book: x must be in \[-10, 10\]"),
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
    canvas, background = app.figure.canvas, app._background
    bundle = app._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == app.widget.model_id
    still = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
    assert still.size == (640, 480)
    assert (np.asarray(still.convert("L")) < 100).sum() > 500      # paths and text, not blank
    # the live canvas is untouched: same canvas, same cached background, still blitting
    assert app.figure.canvas is canvas and app._background is background
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
    from optimlib import sweep
    from optimlib.widgets import phase_map
    m = phase_map("Momentum", "book", start=(-7, 2), steps=120, cells=30, backend=backend)
    attach_browser(m)
    expected = sweep("Momentum", "book", start=(-7, 2), steps=120, tol=0.01,
                     lr=m.grids["lr"], momentum=m.grids["momentum"])
    painted = m._mesh.get_array().reshape(30, 30)             # rows: momentum, columns: lr
    reached = expected.steps_to_tol.T >= 0
    np.testing.assert_array_equal(painted[reached], expected.steps_to_tol.T[reached])
    assert np.ma.getmaskarray(painted)[~reached].all()               # grey: never got there
    diverged = expected.diverged.T                                  # blank: diverged
    assert diverged.any() and np.array_equal(m._mesh.get_alpha().reshape(30, 30) == 0, diverged)
    artists = len(m.figure.findobj())
    for i, j in [(3, 4), (20, 10), (29, 0)]:
        x, y = m._map_ax.transData.transform((m.grids["lr"][i], m.grids["momentum"][j]))
        m.figure.canvas.callbacks.process("button_press_event",
                                          MouseEvent("button_press_event", m.figure.canvas, x, y, 1))
        path = run(get_optimizer("Momentum")(lr=m.grids["lr"][i], momentum=m.grids["momentum"][j]),
                   "book", start=(-7, 2), steps=120)
        np.testing.assert_array_equal(np.column_stack(m._path_line.get_data()), path.points)
    assert len(m.figure.findobj()) == artists
    before = m.result.final_loss.copy()
    m.controls["noise"].value = 0.5                       # the map is recomputed with noise
    assert not np.array_equal(before, m.result.final_loss, equal_nan=True)
    assert "Theory" in m.info.value and "Fewest steps" in m.info.value


def test_a_phase_map_of_adam_keeps_a_slider_for_the_third_hyperparameter():
    from optimlib.widgets import phase_map
    m = phase_map("Adam", "rosenbrock", x="lr", y="beta1", steps=60, cells=12, backend="inline")
    lr = suggested_lr("Adam", "rosenbrock", steps=60)           # the map's axes (notebook 08b)
    np.testing.assert_allclose(m.grids["lr"], np.geomspace(lr / 20, lr * 20, 12))
    np.testing.assert_allclose(m.grids["beta1"], np.linspace(0, 0.99, 12))
    assert set(m.controls) == {"beta2", "noise"}
    m.controls["beta2"].value = 0.95
    assert m._settings()["beta2"] == 0.95


@pytest.mark.parametrize("call, message", [
    (dict(name="SGD"), "SGD has no hyperparameter 'momentum' to map; it has: lr"),
    (dict(name="Momentum", y="lr"), "two different hyperparameters"),
    (dict(name="Adam", y="momentum"), "Adam has no hyperparameter 'momentum'"),
])
def test_bad_maps_are_refused(call, message):
    from optimlib.widgets import phase_map
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
    from optimlib.widgets import phase_map
    m = phase_map("Momentum", "book", start=(-7, 2), steps=60, cells=10, backend="ipympl")
    attach_browser(m)
    x, y = m._map_ax.transData.transform((m.grids["lr"][2], m.grids["momentum"][7]))
    m.figure.canvas.callbacks.process("motion_notify_event",
                                      MouseEvent("motion_notify_event", m.figure.canvas, x, y))
    assert m._cell == (2, 7) and m._cell_label in m._animated   # redrawn with every blit
    assert m._cell_label.get_text() == (f"lr = {m.grids['lr'][2]:.3g}, "
                                        f"momentum = {m.grids['momentum'][7]:.3g}")


def test_the_state_panel_follows_a_schedule():
    app = explore("AdaGrad", surface="book", steps=50, backend="inline", lr=0.5)
    app.controls["schedule"].value = "cosine"
    path, eps = app.paths["AdaGrad"], 1e-7
    effective = app._state_lines["lr / (√h + ε)", 0].get_ydata()
    lr_t = path.state["lr_t"]
    np.testing.assert_allclose(effective[1:], lr_t[1:] / (np.sqrt(path.state["h"][1:, 0]) + eps))
    assert effective[-1] < 0.01 * effective[1]   # cosine takes the rate down to zero
