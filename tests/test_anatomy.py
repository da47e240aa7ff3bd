"""The anatomy of a step in explore (optimlib/widgets/anatomy.py): for every rule its parts,
read from the state the rule recorded, add up to the step the path took; its gradient step is
the surface's; and the arrows the app draws end where the step ends, or say that they are not
to scale, and never show a step that is not there."""
import matplotlib
import numpy as np
import pytest

from optimlib import MORE_OPTIMIZERS, OPTIMIZERS, get_optimizer, get_surface, run
from optimlib.optimizers import Scheduled
from optimlib.widgets import explore
from optimlib.widgets.anatomy import KEYS, step_anatomy

matplotlib.use("Agg")

NAMES = [*OPTIMIZERS, *MORE_OPTIMIZERS]
STEPS = (1, 2, 7, 30, 99)


def anatomies(name, surface, schedule=None, noise=0.0, **hyperparameters):
    optimizer = get_optimizer(name)(**hyperparameters)
    if schedule:
        optimizer = Scheduled(optimizer, schedule, total=100, warmup=10)
    path = run(optimizer, surface, steps=100, noise=noise, seed=1)
    series = optimizer.diagnostics(path)
    return path, optimizer, {k: step_anatomy(name, optimizer, path, series, k) for k in STEPS}


@pytest.mark.parametrize("schedule", [None, "warmup"])
@pytest.mark.parametrize("surface, lr", [("book", 0.1), ("rosenbrock", 0.002)])
@pytest.mark.parametrize("name", NAMES)
def test_the_parts_add_up_to_the_step_and_the_gradient_step_is_the_surfaces(name, surface, lr,
                                                                            schedule):
    path, optimizer, parts_of = anatomies(name, surface, schedule, lr=lr)
    grad = get_surface(surface).grad
    for k, anatomy in parts_of.items():
        step = path.points[k] - path.points[k - 1]
        np.testing.assert_array_equal(anatomy.point, path.points[k - 1])
        np.testing.assert_allclose(sum(anatomy.parts.values()), step, rtol=0, atol=1e-12)
        assert {key.split()[0] for key in {**anatomy.parts, **anatomy.references}} | {"step"} \
            == set(KEYS[name])
        eta = path.state["lr_t"][k] if schedule else lr
        expected = -eta * np.array(grad(*path.points[k - 1]))
        np.testing.assert_allclose(anatomy.parts.get("gradient", anatomy.references.get(
            "gradient")), expected, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_with_noisy_gradients_the_parts_still_add_up_to_the_step(name):
    """The gradient step is the one the rule was given, noise and all: read from its state."""
    path, _, parts_of = anatomies(name, "himmelblau", noise=2.0, lr=0.01)
    noise = 2.0 * np.random.default_rng(1).standard_normal((100, 2))  # as run() draws it
    grad = get_surface("himmelblau").grad
    for k, anatomy in parts_of.items():
        step = path.points[k] - path.points[k - 1]
        np.testing.assert_allclose(sum(anatomy.parts.values()), step, rtol=0, atol=1e-12)
        given = np.array(grad(*path.points[k - 1])) + noise[k - 1]
        np.testing.assert_allclose(anatomy.parts.get("gradient", anatomy.references.get(
            "gradient")), -0.01 * given, rtol=1e-9, atol=1e-15)


def test_each_part_is_its_term_of_the_update():
    """Momentum's parts are μ v_prev and −η g; Nesterov's add μ (v − v_prev); Adam's momentum
    is −η m̂ and its legs are −η m̂ scaled per coordinate by 1 / (√v̂ + ε / √(1 − β2^t))."""
    path, _, parts_of = anatomies("Momentum", "book", lr=0.1, momentum=0.8)
    v = path.state["v"]
    for k, anatomy in parts_of.items():
        np.testing.assert_allclose(anatomy.parts["momentum"], 0.8 * v[k - 1], rtol=1e-15)
    path, _, parts_of = anatomies("Nesterov", "book", lr=0.1, momentum=0.8)
    v = path.state["v"]
    for k, anatomy in parts_of.items():
        np.testing.assert_allclose(anatomy.parts["look-ahead"], 0.8 * (v[k] - v[k - 1]), rtol=1e-12)
    path, _, parts_of = anatomies("Adam", "rosenbrock", lr=0.01, beta1=0.8, beta2=0.99)
    for k, anatomy in parts_of.items():
        m, v, t = path.state["m"][k], path.state["v"][k], path.state["t"][k]
        m_hat, v_hat = m / (1 - 0.8 ** t), v / (1 - 0.99 ** t)
        np.testing.assert_allclose(anatomy.references["m_hat"], -0.01 * m_hat, rtol=1e-12)
        scale = 1 / (np.sqrt(v_hat) + 1e-7 / np.sqrt(1 - 0.99 ** t))
        legs = anatomy.parts["legs x"] + anatomy.parts["legs y"]
        np.testing.assert_allclose(legs, -0.01 * m_hat * scale, rtol=1e-9)


def arrow_ends(line):
    """Tail and tip of an arrow the app drew (its shaft is the first two points)."""
    x, y = line.get_data()
    return np.array([x[0], y[0]]), np.array([x[1], y[1]])


@pytest.mark.parametrize("name", NAMES)
def test_the_app_draws_the_step_to_the_next_point_or_says_it_is_not_to_scale(name):
    app = explore(name, surface="book", start=(-7, 2), steps=40, backend="inline",
                  lr={"SGD": 0.9, "Momentum": 0.5, "Nesterov": 0.3}.get(name, 2.0))
    path, to_scale = app.paths[name], 0
    for frame in range(1, 41):
        app.controls["frame"].value = frame
        lines, anatomy = app.arrows.lines, app.anatomy
        tail, tip = arrow_ends(lines["step"])
        np.testing.assert_array_equal(tail, path.points[frame - 1])
        end = tail
        for key, part in anatomy.parts.items():  # head to tail, they reach where the step does
            if not part.any():  # a part that is zero (Momentum's at step 1) is not drawn
                assert len(lines[key].get_xdata()) == 0
                continue
            part_tail, part_tip = arrow_ends(lines[key])
            np.testing.assert_allclose(part_tail, end, rtol=0, atol=1e-12)
            end = part_tip
        np.testing.assert_allclose(end, tip, rtol=0, atol=1e-12)
        if lines["step"].get_linestyle() == "-":  # to scale: it ends at the next point
            to_scale += 1
            np.testing.assert_allclose(tip, path.points[frame], rtol=0, atol=1e-12)
        else:  # drawn longer or shorter, along the step
            direction = (tip - tail) / np.linalg.norm(tip - tail)
            step = path.points[frame] - tail
            np.testing.assert_allclose(direction, step / np.linalg.norm(step), atol=1e-9)
    assert to_scale >= 1, "no step of this run was drawn to scale: pick a longer one"
    app.controls["frame"].value = 0  # no step yet: no arrows
    assert app.anatomy is None and all(len(line.get_xdata()) == 0 for line in lines.values())


def test_arrows_of_a_diverged_step_are_not_drawn_and_never_nan():
    app = explore("SGD", surface="book", start=(-7, 2), steps=60, backend="inline", lr=3.0)
    path = app.paths["SGD"]
    assert path.diverged_at is not None
    for frame in range(1, 61):
        app.controls["frame"].value = frame
        for line in app.arrows.lines.values():
            x, y = line.get_data()
            if frame >= path.diverged_at:
                assert len(x) == 0
            else:  # the one NaN breaks the shaft from the head
                assert len(x) in (0, 6) and np.isnan(x).sum() == np.isnan(y).sum() <= 1


def test_a_huge_reference_is_cut_and_dashed():
    app = explore("Adam", surface="rosenbrock", steps=100, backend="inline", lr=0.1)
    app.controls["frame"].value = 5
    tail, tip = arrow_ends(app.arrows.lines["gradient"])
    (x0, x1), (y0, y1) = app.axes["paths"].get_xlim(), app.axes["paths"].get_ylim()
    assert np.linalg.norm(app.anatomy.references["gradient"]) > min(x1 - x0, y1 - y0)
    assert np.linalg.norm(tip - tail) == pytest.approx(0.5 * min(x1 - x0, y1 - y0))
    assert app.arrows.lines["gradient"].get_linestyle() != "-"


def test_the_wide_steps_dashes_are_as_long_in_pixels_as_the_thin_arrows():
    """Seen in the browser: matplotlib lengthens dashes with the line's width, so the wide
    step's dashes were 12 px on a 40-px arrow: two grey blobs, not a dashed arrow."""
    app = explore("Adam", surface="rosenbrock", steps=100, backend="inline", lr=0.1)
    app.controls["frame"].value = 1                   # a short step: drawn longer, dashed
    lines = app.arrows.lines
    assert lines["step"].get_linewidth() > 2 * lines["legs x"].get_linewidth()
    pixels = {key: lines[key]._dash_pattern[1] for key in ("step", "legs x", "m_hat")}
    assert np.allclose(pixels["step"], pixels["legs x"]) and np.allclose(pixels["step"],
                                                                        pixels["m_hat"])
    app.controls["frame"].value = 0                   # no step: solid again, and empty
    assert lines["step"].get_linestyle() == "-"
