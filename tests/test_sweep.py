"""sweep(): the same numbers as run() one setting at a time, and the theory on the map."""
import numpy as np
import pytest

from optimlib import Adam, Momentum, SGD, run, steps_to_minimum, sweep
from optimlib.trajectory import Sweep
from optimlib.surfaces import momentum_optimum, momentum_stability_limit, sgd_stability_limit


@pytest.mark.parametrize("surface, start", [("book", (-7, 2)), ("rosenbrock", None),
                                            ("himmelblau", (0, -3))])
def test_a_sweep_equals_separate_runs(surface, start):
    lrs, momenta = np.geomspace(1e-3, 2, 7), np.array([0.0, 0.5, 0.9])
    result = sweep("Momentum", surface, start=start, steps=150, tol=0.05, lr=lrs, momentum=momenta)
    assert result.final_loss.shape == (7, 3) and list(result.axes) == ["lr", "momentum"]
    for i, lr in enumerate(lrs):
        for j, mu in enumerate(momenta):
            path = run(Momentum(lr=lr, momentum=mu), surface, start=start, steps=150)
            assert result.diverged[i, j] == path.diverged
            np.testing.assert_array_equal(result.final_loss[i, j], path.losses[-1])
            reached = steps_to_minimum(path, surface, 0.05)
            assert result.steps_to_tol[i, j] == (-1 if reached is None else reached)
    assert result.diverged.any() and not result.diverged.all()


def test_a_sweep_with_noise_and_a_fixed_hyperparameter_equals_the_batch_run():
    lrs = np.geomspace(0.01, 0.5, 9)
    result = sweep(Adam, "book", steps=80, noise=0.3, seed=7, lr=lrs, beta2=0.99)
    batch = run(Adam(lr=lrs[:, None], beta2=0.99), "book", steps=80, noise=0.3, seed=7)
    np.testing.assert_array_equal(result.final_loss, batch.losses[-1])


def test_the_momentum_maps_best_cell_is_polyaks_optimum():
    lrs, momenta = np.geomspace(0.2, 5, 200), np.linspace(0, 0.95, 200)
    result = sweep("Momentum", "book", start=(-7, 2), steps=300, tol=1e-12, lr=lrs, momentum=momenta)
    loss = np.where(result.diverged, np.inf, result.final_loss)
    i, j = np.unravel_index(np.argmin(loss), loss.shape)
    lr_star, momentum_star = momentum_optimum("book")
    assert abs(np.log(lrs[i] / lr_star)) <= np.log(lrs[1] / lrs[0])   # within one cell ...
    assert abs(momenta[j] - momentum_star) <= momenta[1] - momenta[0]  # ... in both directions
    # and a wrong formula would miss: e.g. the SGD optimum 2 / (L + ell) with momentum 0
    assert abs(np.log(lrs[i] / (2 / 2.1))) > 5 * np.log(lrs[1] / lrs[0])


def test_the_stability_boundary_separates_converged_from_diverged():
    lrs, momenta = np.geomspace(0.2, 5, 200), np.linspace(0, 0.95, 40)
    result = sweep("Momentum", "book", start=(-7, 2), steps=300, lr=lrs, momentum=momenta)
    cell = np.log(lrs[1] / lrs[0])
    for j, mu in enumerate(momenta):
        limit = momentum_stability_limit("book", mu)
        stable, unstable = lrs < limit * np.exp(-cell), lrs > limit * np.exp(cell)
        assert not result.diverged[stable, j].any() and result.diverged[unstable, j].all(), mu
    sgd = sweep(SGD, "book", start=(-7, 2), steps=300, lr=lrs)
    assert (sgd.diverged == (lrs > sgd_stability_limit("book"))).sum() >= len(lrs) - 1


def test_best_prefers_the_fastest_then_the_lowest():
    result = sweep("SGD", "book", start=(-7, 2), steps=200, lr=np.linspace(0.5, 0.99, 50))
    best = result.best()
    assert set(best) == {"lr"} and abs(best["lr"] - 2 / 2.1) < 0.02


def test_best_region_is_not_won_by_one_lucky_run():
    never = -1
    lucky = Sweep({"lr": np.arange(5.0), "momentum": np.arange(4.0)}, np.zeros((5, 4)),
                  np.array([[3, never, never, never], [never, never, never, never],
                            [never, never, 20, 21], [never, never, 19, 22],
                            [never, never, 20, 25]]), np.zeros((5, 4), bool), 0.01, 30)
    assert lucky.best() == {"lr": 0.0, "momentum": 0.0}                 # 3 steps, alone
    # around (3, 3): 20, 21, 19, 22, 20, 25 -> 20.5; around (3, 2): three nevers -> 22
    assert lucky.best_region() == ({"lr": 3.0, "momentum": 3.0}, 20.5)
    line = Sweep({"lr": np.arange(5.0)}, np.zeros(5), np.array([3, never, 9, 8, 10]),
                 np.zeros(5, bool), 0.01, 30)
    assert line.best_region() == ({"lr": 3.0}, 9.0)   # ties to one that arrives sooner itself
    scattered = Sweep({"lr": np.arange(5.0)}, np.zeros(5), np.array([3, never, never, never, 10]),
                      np.zeros(5, bool), 0.01, 30)
    assert scattered.best_region() is None


def test_with_heavy_noise_the_best_region_is_none_and_without_it_next_to_the_best():
    lrs, momenta = np.geomspace(0.05, 2, 40), np.linspace(0, 0.99, 40)
    clean = sweep("Momentum", "book", start=(-7, 2), steps=300, lr=lrs, momentum=momenta)
    (setting, steps), best = clean.best_region(), clean.best()
    assert abs(np.log(setting["lr"] / best["lr"])) <= 2 * np.log(lrs[1] / lrs[0])
    assert abs(setting["momentum"] - best["momentum"]) <= 2 * (momenta[1] - momenta[0])
    noisy = sweep("Momentum", "book", start=(-7, 2), steps=300, noise=0.97, seed=0, lr=lrs,
                  momentum=momenta)
    assert (noisy.steps_to_tol >= 0).any() and noisy.best_region() is None


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": np.ones((2, 2))}, "up to two 1-D grids"),
    ({"lr": [0.1], "momentum": [0.5], "eps": [1e-7, 1e-8]}, "up to two 1-D grids"),
    ({"lr": [0.1], "steps": 0}, "steps must be a positive integer"),
    ({"lr": [0.1, -0.1]}, r"lr\[1\]=-0.1 is out of range"),
])
def test_bad_sweeps_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sweep("Momentum", "book", **kwargs)
