"""Learning-rate schedules: the factor formulas, the steps they produce, and run()."""
import numpy as np
import pytest

from optimlib import SGD, Adam, Momentum, Scheduled, run


@pytest.mark.parametrize("schedule, factors", [
    ("constant", [1, 1, 1, 1, 1, 1]),
    ("step", [1, 1, 0.5, 0.5, 0.25, 0.25]),
    ("cosine", [1, 0.5 * (1 + np.cos(np.pi / 5)), 0.5 * (1 + np.cos(2 * np.pi / 5)),
                0.5 * (1 + np.cos(3 * np.pi / 5)), 0.5 * (1 + np.cos(4 * np.pi / 5)), 0.0]),
    # up to 1 over 3 steps, then the cosine over the remaining 5 - 3 = 2: 1, 1/2, 0
    ("warmup", [1 / 3, 2 / 3, 1, 1, 0.5, 0.0]),
])
def test_sgd_steps_follow_the_schedule(schedule, factors):
    # On a constant gradient g, SGD's step t is lr * factor(t) * g.
    opt = Scheduled(SGD(lr=0.3), schedule, total=5, every=2, drop=0.5, warmup=3)
    params, steps = {"p": np.zeros(1)}, []
    for _ in range(6):
        before = params["p"][0]
        opt.update(params, {"p": np.array([2.0])})
        steps.append(before - params["p"][0])
    np.testing.assert_allclose(steps, 0.3 * 2.0 * np.array(factors), atol=1e-15)


def test_warmup_reaches_the_full_rate_at_its_last_step_and_then_follows_a_cosine():
    opt = Scheduled(SGD(lr=1.0), "warmup", total=110, warmup=10)
    factors = np.array([opt.factor(t) for t in range(1, 112)])
    np.testing.assert_allclose(factors[:10], np.arange(1, 11) / 10)
    np.testing.assert_allclose(factors[10:], [Scheduled(SGD(), "cosine", total=100).factor(t)
                                              for t in range(1, 102)])
    assert factors[10] == 1.0 and factors[-1] == 0.0 and (np.diff(factors[10:]) <= 0).all()
    assert Scheduled(SGD(), "warmup", total=5, warmup=5).factor(6) == 1.0   # only the warmup


def test_a_schedule_runs_and_resets_like_any_optimizer():
    opt = Scheduled(Momentum(lr=0.1), "cosine", total=50)
    first = run(opt, "book", steps=50)
    again = run(opt, "book", steps=50)                   # run() resets it: same path
    np.testing.assert_array_equal(first.points, again.points)
    np.testing.assert_allclose(first.state["lr_t"][1:], [0.1 * opt.factor(t) for t in range(1, 51)])
    assert not np.array_equal(first.points, run(Momentum(lr=0.1), "book", steps=50).points)
    batch = run(Scheduled(Adam(lr=np.array([[0.1], [0.3]])), "step", every=10), "book", steps=40)
    single = run(Scheduled(Adam(lr=0.3), "step", every=10), "book", steps=40)
    np.testing.assert_array_equal(batch.points[:, 1], single.points)


@pytest.mark.parametrize("kwargs, message", [
    ({"schedule": "linear"}, "unknown schedule 'linear'; choose one of: constant, step"),
    ({"total": 0}, "total must be a positive integer"),
    ({"every": 2.5}, "every must be a positive integer"),
    ({"drop": 0.0}, "drop=0.0 is out of range"),
    ({"schedule": "warmup", "warmup": 11, "total": 10}, "warmup=11 is longer than total=10"),
])
def test_bad_schedules_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Scheduled(SGD(), **kwargs)


@pytest.mark.parametrize("kwargs", [{"drop": 0.0}, {"drop": 1.5}, {"drop": "half"}, {"every": 0},
                                    {"warmup": 2.0}, {"schedule": "warmup", "warmup": 11}])
def test_the_apps_refuse_a_schedule_with_scheduleds_own_words(kwargs):
    """One check for a schedule's parameters: the race says what Scheduled says."""
    from optimlib.widgets import race
    with pytest.raises((TypeError, ValueError)) as scheduled:
        Scheduled(SGD(), **{"schedule": "step", "total": 10, **kwargs})
    with pytest.raises(type(scheduled.value)) as app:
        race(["SGD"], steps=10, backend="inline", **{"schedule": "step", **kwargs})
    assert str(app.value) == str(scheduled.value)


def test_drop_one_keeps_the_rate_and_drop_is_a_float():
    opt = Scheduled(SGD(lr=0.2), "step", every=1, drop=1)
    assert opt.drop == 1.0 and isinstance(opt.drop, float)
    assert [opt.factor(t) for t in (1, 2, 50)] == [1.0, 1.0, 1.0]
