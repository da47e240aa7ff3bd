"""run(): paths equal hand-written loops, batches equal single runs, divergence is quiet."""
import warnings

import numpy as np
import pytest

from optimlib import (OPTIMIZERS, SGD, SURFACES, Adam, Momentum, RMSprop, Trajectory, get_optimizer,
                      run, steps_to_minimum, suggested_lr)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_run_is_the_books_loop(name):
    surface = SURFACES["book"]
    path = run(OPTIMIZERS[name](lr=0.1), surface, start=(-7, 2), steps=30)
    opt, params = OPTIMIZERS[name](lr=0.1), {"xy": np.array([-7.0, 2.0])}
    expected = [params["xy"].copy()]
    for _ in range(30):
        x, y = params["xy"]
        opt.update(params, {"xy": np.array([x / 10, 2 * y])})
        expected.append(params["xy"].copy())
    assert isinstance(path, Trajectory) and path.steps == 30
    np.testing.assert_allclose(path.points, expected, rtol=1e-15, atol=1e-300)
    np.testing.assert_array_equal(path.losses, surface.value(path.points))
    assert path.diverged_at is None and not path.diverged


def test_default_start_is_the_surfaces():
    path = run(SGD(lr=1e-3), "rosenbrock", steps=5)
    assert path.points[0].tolist() == list(SURFACES["rosenbrock"].start)


def test_state_history_is_aligned_with_points():
    path = run(Momentum(lr=0.05), "book", steps=20)
    assert path.state["v"].shape == path.points.shape
    np.testing.assert_array_equal(path.state["v"][0], 0)
    np.testing.assert_allclose(path.state["v"][1:], np.diff(path.points, axis=0), rtol=1e-12)
    adam = run(Adam(lr=0.1), "book", steps=20)
    assert set(adam.state) == {"m", "v", "t"}
    np.testing.assert_array_equal(adam.state["t"], np.arange(21))


def test_run_resets_the_optimizer_first():
    opt = RMSprop(lr=0.1)
    first = run(opt, "beale", steps=40)
    np.testing.assert_array_equal(run(opt, "beale", steps=40).points, first.points)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_batch_equals_separate_runs_exactly(name):
    # 4 x 3 settings around the usual values; some of them diverge on Rosenbrock.
    hyper = {"lr": np.repeat([1e-4, 1e-3, 3e-3, 2e-2], 3)[:, None]}
    extra = {"Momentum": "momentum", "Nesterov": "momentum", "RMSprop": "decay_rate",
             "Adam": "beta1"}.get(name)
    if extra:
        hyper[extra] = np.tile([0.5, 0.9, 0.99], 4)[:, None]
    batch = run(OPTIMIZERS[name](**hyper), "rosenbrock", steps=300)
    assert batch.points.shape == (301, 12, 2) and batch.diverged_at.shape == (12,)
    for i in range(12):
        single = run(OPTIMIZERS[name](**{k: float(v[i, 0]) for k, v in hyper.items()}),
                     "rosenbrock", steps=300)
        np.testing.assert_array_equal(batch.points[:, i], single.points)
        np.testing.assert_array_equal(batch.losses[:, i], single.losses)
        for key in single.state:
            if single.state[key].ndim == 2:
                np.testing.assert_array_equal(batch.state[key][:, i], single.state[key])
        assert batch.diverged_at[i] == (-1 if single.diverged_at is None else single.diverged_at)
    if name in ("SGD", "Momentum"):
        assert batch.diverged.any() and not batch.diverged.all()


def test_many_starts_in_one_batch():
    starts = np.array([[-1.5, 2.0], [0.5, -0.5], [1.5, 1.5]])
    batch = run(Adam(lr=0.05), "rosenbrock", start=starts, steps=50)
    for i, start in enumerate(starts):
        np.testing.assert_array_equal(batch.points[:, i], run(Adam(lr=0.05), "rosenbrock",
                                                               start=start, steps=50).points)


def test_divergence_is_cut_and_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = run(SGD(lr=1.1), "book", start=(-7, 2), steps=100)
        overflow = run(SGD(lr=0.05), "rosenbrock", steps=100)  # overflows to inf within a few steps
    # y is multiplied by 1 - 2 lr = -1.2 each step and leaves the box |y| <= 5 + 10 * 10
    k = int(np.ceil(np.log(105 / 2) / np.log(1.2)))
    assert path.diverged_at == k and path.diverged
    assert np.isfinite(path.points[:k]).all() and np.isnan(path.points[k:]).all()
    assert np.isnan(path.losses[k:]).all() and np.isfinite(path.losses[:k]).all()
    assert overflow.diverged_at is not None and overflow.diverged_at < 10
    assert np.isnan(overflow.points[overflow.diverged_at:]).all()


def test_a_diverged_row_leaves_the_others_alone():
    lrs = np.array([[0.1], [2.5]])  # heavy ball on curvature 2 is stable for lr < 2 (1 + 0.9) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batch = run(Momentum(lr=lrs, momentum=0.9), "book", steps=200)
    assert batch.diverged_at[0] == -1 and batch.diverged_at[1] > 0
    assert np.isnan(batch.state["v"][batch.diverged_at[1]:, 1]).all()
    np.testing.assert_array_equal(batch.points[:, 0],
                                  run(Momentum(lr=0.1, momentum=0.9), "book", steps=200).points)


def test_noise_is_reproducible_with_a_seed():
    a = run(SGD(lr=0.1), "book", steps=50, noise=0.5, seed=3)
    b = run(SGD(lr=0.1), "book", steps=50, noise=0.5, seed=3)
    c = run(SGD(lr=0.1), "book", steps=50, noise=0.5, seed=4)
    clean = run(SGD(lr=0.1), "book", steps=50)
    np.testing.assert_array_equal(a.points, b.points)
    assert np.abs(a.points - c.points).max() > 0.1
    assert np.abs(a.points - clean.points).max() > 0.1
    np.testing.assert_array_equal(run(SGD(lr=0.1), "book", steps=50, noise=0.0, seed=3).points,
                                  clean.points)


def test_noise_has_the_stated_size():
    # On a flat surface SGD's path is a random walk of steps lr * noise * N(0, 1).
    flat = SURFACES["booth"].__class__("flat", lambda x, y: 0 * x, lambda x, y: (0 * x, 0 * y),
                                       (-1, 1), (-1, 1), (0, 0))
    path = run(SGD(lr=0.5), flat, steps=4000, noise=0.2, seed=0)
    assert np.diff(path.points, axis=0).std() == pytest.approx(0.1, rel=0.05)


def test_any_object_with_update_can_run():
    class HalfStep:
        def update(self, params, grads):
            for key in params:
                params[key] -= 0.5 * grads[key]

    path = run(HalfStep(), "book", steps=10)
    np.testing.assert_allclose(path.points[1], [-7 + 0.5 * 0.7, 2 - 0.5 * 4])
    assert path.state == {}


@pytest.mark.parametrize("kwargs, message", [
    ({"start": (1, 2, 3)}, "start must be finite"),
    ({"start": (np.nan, 0)}, "start must be finite"),
    ({"start": np.zeros((2, 2, 2))}, "start must be finite"),
    ({"steps": 0}, "steps must be a positive integer"),
    ({"steps": 2.5}, "steps must be a positive integer"),
    ({"steps": True}, "steps must be a positive integer"),
    ({"noise": -1}, "noise must be finite and >= 0"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run(SGD(), "book", **kwargs)


def test_unknown_surface_lists_the_valid_ones():
    with pytest.raises(ValueError, match="choose one of: book, rotated"):
        run(SGD(), "bowl")


def test_a_1d_batch_hyperparameter_is_explained():
    with pytest.raises(ValueError, match=r"shape \(N, 1\)"):
        run(SGD(lr=np.array([0.1, 0.2, 0.3])), "book")


def test_steps_to_minimum():
    path = run(Momentum(lr=0.1), "book", start=(-7, 2), steps=300)
    k = steps_to_minimum(path, "book", tol=0.01)
    distance = np.hypot(*path.points.T)
    assert k is not None and distance[k] <= 0.01 and (distance[:k] > 0.01).all()
    assert steps_to_minimum(run(SGD(lr=1e-4), "book", steps=10), "book") is None
    # Himmelblau has four minima: any of them counts
    path = run(Adam(lr=0.1), "himmelblau", start=(-1, -1), steps=400)
    assert steps_to_minimum(path, "himmelblau") is not None
    batch = run(SGD(lr=np.array([[1e-4], [0.9], [1.2]])), "book", steps=200)
    found = steps_to_minimum(batch, "book")
    assert found[0] == -1 and found[1] > 0 and found[2] == -1
    assert found[1] == steps_to_minimum(run(SGD(lr=0.9), "book", steps=200), "book")


def test_suggested_lr_is_calm_and_converging():
    for name in OPTIMIZERS:
        lr = suggested_lr(name, "book", steps=100)
        path = run(get_optimizer(name)(lr=lr), "book", steps=100)
        assert path.diverged_at is None and (path.losses <= path.losses[0]).all()
        assert path.losses[-1] < 0.05 * path.losses[0]


def test_suggested_lr_is_a_round_number_an_exact_value_box_shows_in_full():
    # an app holds the suggested rate exactly and its box shows it all: 0.0126, never
    # 0.012589254117941675 (the geometric grid's own value, which the box would cut short)
    for name in OPTIMIZERS:
        for surface, start in (("himmelblau", (0, -3)), ("rosenbrock", None), ("saddle", (-2, 0))):
            lr = suggested_lr(name, surface, start=start, steps=100)
            assert lr == float(f"{lr:.3g}") and len(repr(lr)) <= 8, (name, surface, lr)
    assert suggested_lr("SGD", "himmelblau", start=(0, -3), steps=200) == 0.0126
