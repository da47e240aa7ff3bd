"""Issue 12: careless input outside the apps gets a clear answer where it enters.

Either it works (and the test checks the result), or it raises a ValueError/TypeError whose
message names the argument and says what is allowed (and the test checks both).
"""
import math

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from optimlib import (SGD, AdaGrad, Adam, Momentum, Optimizer, Scheduled, Surface, Sweep, run,
                      sweep)
from optimlib.checks import MAX_STEPS, check_steps
from optimlib.plotting import contour, line_style, plot_paths, plot_surface_3d

matplotlib.use("agg")


class Rebinding:
    """An own optimizer that puts a new array into params instead of changing it."""
    lr = 0.1

    def update(self, params, grads):
        for key in params:
            params[key] = params[key] - self.lr * grads[key]


class Forgetful:
    """An own optimizer that computes the step and never writes it back."""
    lr = 0.1

    def update(self, params, grads):
        for key in params:
            p = params[key]
            p = p - self.lr * grads[key]  # noqa: F841 (the bug)


class Mine:
    """An own optimizer with an lr and nothing else: no reset, state or hyperparameters."""

    def __init__(self, lr):
        self.lr = lr

    def update(self, params, grads):
        for key in params:
            params[key] -= self.lr * grads[key]


def bowl(**changes):
    """A surface of your own, with some of its parts changed."""
    parts = dict(name="bowl", f=lambda x, y: x**2 + y**2, grad=lambda x, y: (2 * x, 2 * y),
                 xlim=(-2, 2), ylim=(-2, 2), start=(1.5, 1.0), minima=[(0, 0)], min_value=0.0)
    return Surface(**{**parts, **changes})


REFUSED = [
    pytest.param(lambda: SGD(lr=np.array([0.01, 0.5])), ValueError,
                 r"lr must be a number, or for N settings at once an array of shape \(N, 1\); "
                 r"got shape \(2,\)", id="lr per coordinate"),
    pytest.param(lambda: run(Rebinding(), "book"), TypeError,
                 r"optimizer Rebinding: its update\(\) put a new array into params; it must "
                 r"change params in place", id="update rebinds params"),
    pytest.param(lambda: run(Scheduled(Rebinding()), "book"), TypeError,
                 r"optimizer Scheduled: its update\(\) put a new array", id="scheduled rebinds"),
    pytest.param(lambda: run(Forgetful(), "book"), ValueError,
                 r"optimizer Forgetful: its update\(\) left params unchanged although the "
                 r"gradient is not zero; it must change params in place", id="update writes nothing"),
    pytest.param(lambda: sweep("SGD", "book", noise=-1, lr=[0.1, 0.2]), ValueError,
                 r"noise must be finite and >= 0 .*got -1\.0", id="sweep noise=-1"),
    pytest.param(lambda: sweep("SGD", "book", noise=np.nan, lr=[0.1, 0.2]), ValueError,
                 r"noise must be finite and >= 0 .*got nan", id="sweep noise=nan"),
    pytest.param(lambda: run(SGD(), "book", noise=np.nan), ValueError,
                 r"noise must be finite and >= 0 .*got nan", id="run noise=nan"),
    pytest.param(lambda: run(SGD(), "book", noise="a lot"), TypeError,
                 r"noise must be a real number, got 'a lot'", id="noise a string"),
    pytest.param(lambda: sweep("SGD", "book", lr=[100, 200]).best(), ValueError,
                 r"all 2 settings diverged within 100 steps, so none is best: try smaller values",
                 id="best when all diverged"),
    pytest.param(lambda: run(Adam(0.1), "book", steps=10**6), ValueError,
                 r"steps=1000000 is too many: at most 100000", id="run steps=10**6"),
    pytest.param(lambda: sweep("SGD", "book", steps=10**7, lr=[0.1]), ValueError,
                 r"steps=10000000 is too many: at most 100000", id="sweep steps=10**7"),
    pytest.param(lambda: bowl(f=lambda x, y: math.sin(x) + y**2), TypeError,
                 r"Surface f must work element-wise on numpy arrays x and y \(np\.sin, not "
                 r"math\.sin\); on a 3 x 3 grid it raised TypeError", id="f uses math.sin"),
    pytest.param(lambda: bowl(grad=lambda x, y: (2 * x, 2 * y, 0 * x)), ValueError,
                 r"Surface grad must return two values \(df/dx, df/dy\), got 3 values",
                 id="grad returns 3 values"),
    pytest.param(lambda: bowl(grad=lambda x, y: 2 * x), ValueError,
                 r"Surface grad must return two values \(df/dx, df/dy\), got an array of "
                 r"shape \(3, 3\)",
                 id="grad returns one array"),
    pytest.param(lambda: bowl(grad=lambda x, y: (2 * x[:1], 2 * y)), ValueError,
                 r"Surface grad's df/dx must be shaped like x \(\(3, 3\) here\) or a number, "
                 r"got shape \(1, 3\)", id="grad of a wrong shape"),
    pytest.param(lambda: bowl(f=lambda x, y: 1.0, grad=lambda x, y: (0.0, 0.0)), ValueError,
                 r"Surface f must return one loss per point, shaped like x \(\(3, 3\) here\), "
                 r"got shape \(\); for a constant write 0 \* x \+ c", id="constant f"),
    pytest.param(lambda: bowl(f=lambda x, y: x + 1j * y), TypeError,
                 r"Surface f must return real numbers, got complex128", id="complex f"),
    pytest.param(lambda: Adam(0.1).update({"w": np.zeros(2, np.float16)},
                                          {"w": np.ones(2, np.float16)}), TypeError,
                 r"params\['w'\] has dtype float16; it must be a float array of float64 or "
                 r"float32", id="Adam on float16"),
    pytest.param(lambda: run(SGD(), "book", noise=0.1, seed=1.5), TypeError,
                 r"seed must be None or an integer >= 0 .*got 1\.5", id="run seed=1.5"),
    pytest.param(lambda: sweep("SGD", "book", seed=-1, lr=[0.1]), ValueError,
                 r"seed must be None or an integer >= 0 .*got -1", id="sweep seed=-1"),
    pytest.param(lambda: sweep("Momentum", "book", momentum=[0.5, 1.0], lr=[0.1, 0.2, 0.3]),
                 ValueError, r"^momentum\[1\]=1\.0 is out of range: need 0\.0 <= momentum < 1\.0",
                 id="sweep locates the bad grid entry"),
    pytest.param(lambda: Scheduled(object()), TypeError,
                 r"Scheduled needs an optimizer with an lr and update\(params, grads\)",
                 id="Scheduled without lr"),
    pytest.param(lambda: Scheduled(SGD(), "step", drop="half"), TypeError,
                 r"drop must be a number, got 'half'", id="drop a string"),
    pytest.param(lambda: Scheduled(SGD(), "step", every=np.float32(3)), ValueError,
                 r"every must be a positive integer, got 3\.0 \(float32\)", id="every a float"),
]


@pytest.mark.parametrize("call, error, message", REFUSED)
def test_careless_input_is_refused_with_a_message_that_names_it(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_steps_up_to_the_bound_are_taken():
    assert check_steps(MAX_STEPS) == MAX_STEPS and check_steps(np.int64(3)) == 3


def test_an_lr_per_setting_still_makes_a_batch():
    batch = run(SGD(lr=np.array([[0.1], [0.5]])), "book", steps=20)
    single = run(SGD(lr=0.5), "book", steps=20)
    np.testing.assert_array_equal(batch.points[:, 1], single.points)
    np.testing.assert_array_equal(run(SGD(lr=np.array([0.5])), "book", steps=20).points,
                                  single.points)


def test_best_when_none_arrived_is_the_lowest_loss_and_says_so_by_arrived():
    result = sweep("SGD", "book", steps=5, lr=[1e-3, 1e-2, 3.0])   # 3.0 diverges
    assert result.best() == {"lr": 1e-2} and not result.arrived.any()
    assert result.final_loss[1] < result.final_loss[0] and result.diverged.tolist() == [0, 0, 1]


def test_best_leaves_out_a_setting_that_arrived_and_then_diverged():
    result = Sweep(axes={"lr": np.array([0.1, 0.2])}, final_loss=np.array([np.nan, 1e-5]),
                   steps_to_tol=np.array([3, 10]), diverged=np.array([True, False]),
                   tol=0.01, steps=20)
    assert result.best() == {"lr": 0.2}
    assert result.arrived.tolist() == [False, True]


def test_scheduled_takes_an_optimizer_of_your_own():
    mine = run(Scheduled(Mine(0.1), "step", every=10), "book", steps=30)
    built_in = run(Scheduled(SGD(0.1), "step", every=10), "book", steps=30)
    np.testing.assert_array_equal(mine.points, built_in.points)
    np.testing.assert_array_equal(mine.state["lr_t"], built_in.state["lr_t"])


def test_schedules_nest_and_their_factors_multiply():
    inner = Scheduled(AdaGrad(lr=0.5), "warmup", total=40, warmup=5)
    outer = Scheduled(inner, "step", every=10, drop=0.5)
    path = run(outer, "book", steps=40)
    factors = [outer.factor(t) * inner.factor(t) for t in range(1, 41)]
    np.testing.assert_allclose(path.state["lr_t"][1:], 0.5 * np.array(factors), rtol=1e-15)
    p, h = np.array([-7.0, 2.0]), np.zeros(2)        # AdaGrad by hand, at those rates
    for k, lr in enumerate(0.5 * np.array(factors), start=1):
        g = np.array([p[0] / 10, 2 * p[1]])
        h += g * g
        p -= lr * g / (np.sqrt(h) + 1e-7)
        np.testing.assert_allclose(path.points[k], p, rtol=1e-12)
    effective = outer.diagnostics(path)["effective_lr"]
    np.testing.assert_allclose(effective[1:], path.state["lr_t"][1:, None]
                               / (np.sqrt(path.state["h"][1:]) + 1e-7))


def test_a_float32_drop_is_a_drop():
    schedule = Scheduled(SGD(0.1), "step", every=2, drop=np.float32(0.5))
    assert [schedule.factor(t) for t in (1, 3, 5)] == [1.0, 0.5, 0.25]


def test_a_failed_update_is_not_a_step_of_the_schedule():
    schedule = Scheduled(SGD(lr=0.4), "step", every=1, drop=0.5)
    with pytest.raises(ValueError, match=r"grads\['w'\] has shape \(3,\)"):
        schedule.update({"w": np.zeros(2)}, {"w": np.ones(3)})
    assert schedule.t == 0 and schedule.lr_t == 0.4 and schedule.optimizer.lr == 0.4
    params = {"w": np.zeros(2)}
    schedule.update(params, {"w": np.ones(2)})
    assert schedule.t == 1 and params["w"].tolist() == [-0.4, -0.4]  # its first step: factor 1


def test_one_momentum_on_two_models_carries_its_velocity_unless_reset():
    """Documented (Optimizer's docstring), not detected: the state is kept by key, as in
    the book, and two models with the same keys and shapes look alike."""
    assert "second model" in Optimizer.__doc__ and "reset()" in Optimizer.__doc__
    shared = Momentum(lr=0.1, momentum=0.9)
    shared.update({"w": np.zeros(2)}, {"w": np.ones(2)})
    second = {"w": np.zeros(2)}
    shared.update(second, {"w": np.ones(2)})
    assert second["w"].tolist() == pytest.approx([-0.19, -0.19])   # 0.9 * v + the new step
    shared.reset()
    second = {"w": np.zeros(2)}
    shared.update(second, {"w": np.ones(2)})
    assert second["w"].tolist() == pytest.approx([-0.1, -0.1])     # a fresh start


def flat():
    return bowl(name="flat", f=lambda x, y: 0 * x + 0 * y, grad=lambda x, y: (0.0, 0.0))


def test_a_flat_surface_runs_and_plots():
    surface = flat()
    path = run(Adam(0.1), surface, steps=20)
    assert path.diverged_at is None and (path.points == surface.start).all()
    assert (path.losses == 0).all()
    ax = Figure().add_subplot()
    artists = contour(surface, ax)
    assert not ax.collections and len(artists) == 1        # no contour lines: the minimum's star
    ax = plot_paths(surface, {"Adam": path}, ax=Figure().add_subplot())
    assert [line.get_label() for line in ax.get_lines()][1] == "Adam"
    plot_surface_3d(surface, {"Adam": path}, ax=Figure().add_subplot(projection="3d"))


def test_a_pole_on_the_plot_leaves_the_other_levels():
    pole = bowl(name="pole", f=lambda x, y: 1 / x + y**2, grad=lambda x, y: (-1 / x**2, 2 * y),
                minima=(), min_value=None)              # the probe's grid hits x = 0
    ax = Figure().add_subplot()
    with np.errstate(divide="ignore"):
        contour(pole, ax, resolution=101)                # x = 0 is on this grid too
    levels = ax.collections[0].levels
    assert len(levels) == 20 and np.isfinite(levels).all()


def test_any_label_has_a_style():
    assert line_style(7) == line_style("7") and line_style(7)["marker"] == "o"


# --- the apps (optimlib.widgets): the same rule, at the call or under the app -------------

from optimlib import MORE_OPTIMIZERS, OPTIMIZERS, get_surface  # noqa: E402
from optimlib.widgets import explore, phase_map, race  # noqa: E402


class Named:
    """An own optimizer with a name of any type and an lr of any shape."""

    def __init__(self, name, lr=0.1):
        self.name, self.lr = name, lr

    def update(self, params, grads):
        for key in params:
            params[key] -= self.lr * grads[key]


@pytest.mark.parametrize("call, error, names", [
    (lambda: explore("SGD", lr=np.array([0.1, 0.2]), backend="inline"), TypeError, "lr"),
    (lambda: explore("SGD", lr=np.array([[0.1], [0.2]]), backend="inline"), TypeError, "lr"),
    (lambda: race(["Adam"], hyperparameters={"Adam": {"beta1": np.array([0.9])}},
                  backend="inline"), TypeError, "beta1"),
    (lambda: explore(Named("mine"), backend="inline"), TypeError, "built-in optimizer"),
    (lambda: race([Named]), TypeError, "instance"),
    (lambda: phase_map("Momentum", "book", cells=0, backend="inline"), ValueError, "cells"),
    (lambda: phase_map("Momentum", "book", cells=2.5, backend="inline"), ValueError, "cells"),
    (lambda: race(["SGD"], steps=10**6, backend="inline"), ValueError, "steps"),
])
def test_an_app_refuses_careless_input_at_the_call(call, error, names):
    with pytest.raises(error, match=names):
        call()


def test_built_in_classes_race_and_explore_by_their_names():
    app = race([SGD, Adam, MORE_OPTIMIZERS["AdamW"]], steps=20, backend="inline")
    assert list(app.paths) == ["SGD", "Adam", "AdamW"]
    assert list(explore(Momentum, steps=20, backend="inline").paths) == ["Momentum"]
    assert phase_map(Momentum, "book", cells=4, steps=20, backend="inline").name == "Momentum"


def test_own_optimizers_with_odd_names_and_array_lrs_race_and_are_told_apart():
    own = [Named(i, lr=0.01 * (i + 1)) for i in range(20)]            # int names
    app = race(own, surface="book", steps=10, backend="inline")
    assert list(app.paths) == [str(i) for i in range(20)]
    styles = {(line.get_color(), line.get_marker()) for line in app.lines.values()}
    assert len(styles) == 20                                          # 20 apart on the plot
    array = race(["SGD", Named("split", lr=np.array([0.01, 0.5]))], steps=10, backend="inline")
    assert "0.01, 0.5" in array.scoreboard.value                     # the lr it runs with


def test_a_race_runs_on_any_valid_surface():
    bowl = Surface("mine", lambda x, y: x**2 + 3 * y**2, lambda x, y: (2 * x, 6 * y),
                   xlim=(-3, 3), ylim=(-3, 3), start=(2, 2))          # no minima, no min_value
    app = race(["SGD", "Adam"], surface=bowl, steps=30, backend="inline")
    assert app.settings["surface"] == "mine" and all(p.steps == 30 for p in app.paths.values())
    board = app.scoreboard.value      # no minima stated: nothing to say of reaching one
    assert "failed" not in board and "never" not in board and board.count("<td") == 2 * 4


def test_an_own_optimizer_that_fails_on_a_new_surface_leaves_no_old_path():
    class FailsLater(Named):
        boom = False

        def update(self, params, grads):
            if FailsLater.boom:
                raise RuntimeError("boom")
            super().update(params, grads)

    app = race(["SGD", FailsLater("later")], steps=20, backend="inline")
    FailsLater.boom = True
    app.controls["surface"].value = get_surface("booth")
    booth = get_surface("booth")
    assert app.settings["surface"] == "booth" and app.settings["start"] == booth.start
    assert app.paths["later"] is None and "RuntimeError: boom" in app.errors.message
    assert tuple(app.paths["SGD"].points[0]) == booth.start     # the others: on booth, from its start
    assert "failed: RuntimeError" in app.scoreboard.value


def test_a_click_off_the_surface_in_zoomed_out_axes_says_where_to_click():
    from matplotlib.backend_bases import MouseEvent
    app = race(["SGD"], surface="book", steps=20, backend="ipympl")
    ax, before = app.axes["paths"], app.paths["SGD"]
    ax.set_xlim(-40, 40)                                   # the zoom tool, zoomed out
    px, py = ax.transData.transform((30, 0))
    app.figure.canvas.callbacks.process(
        "button_press_event", MouseEvent("button_press_event", app.figure.canvas, px, py, 1))
    assert "start" in app.errors.message and app.paths["SGD"] is before   # nothing moved
    assert app.settings["start"] == (-7.0, 2.0)


def test_a_flat_surface_works_in_every_app_without_a_warning():
    flat = Surface("flat", lambda x, y: 0 * x + 1.0, lambda x, y: (0 * x, 0 * y),
                   xlim=(-1, 1), ylim=(-1, 1), start=(0.5, 0.5), minima=[(0, 0)], min_value=1.0)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")       # a RuntimeWarning of ours, a matplotlib UserWarning
        warnings.simplefilter("ignore", DeprecationWarning)  # old matplotlib's own (CI's lowest)
        apps = [explore(name, surface=flat, steps=20, backend="inline") for name in OPTIMIZERS]
        apps.append(race(["SGD", "Adam"], surface=flat, steps=20, backend="inline"))
        apps.append(phase_map("Momentum", flat, steps=20, cells=4, backend="inline"))
    for app in apps[:-1]:   # nothing moves on a flat surface: every path stands at its start
        assert all((p.points == (0.5, 0.5)).all() for p in app.paths.values())
    assert apps[-1].result.arrived.sum() == 0 and "0 of 16 settings" in apps[-1].info.value
