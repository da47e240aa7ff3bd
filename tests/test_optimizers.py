"""The six update rules: closed forms, torch as an oracle, state, batches and bad input."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import torch_or_skip
from optimlib import (HYPERPARAMETERS, MORE_OPTIMIZERS, OPTIMIZERS, SGD, AdaGrad, Adam, AdamW,
                      AMSGrad, Momentum, Nesterov, RMSprop, Scheduled, get_optimizer, get_surface, run)

ALL = {**OPTIMIZERS, **MORE_OPTIMIZERS}


def test_optimizers_in_the_books_order_with_the_books_defaults():
    assert list(OPTIMIZERS) == ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
    assert SGD().hyperparameters == {"lr": 0.01}
    assert Momentum().hyperparameters == {"lr": 0.01, "momentum": 0.9}
    assert Nesterov().hyperparameters == {"lr": 0.01, "momentum": 0.9}
    assert AdaGrad().hyperparameters == {"lr": 0.01, "eps": 1e-7}
    assert RMSprop().hyperparameters == {"lr": 0.01, "decay_rate": 0.99, "eps": 1e-7}
    assert Adam().hyperparameters == {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7}


# --- (a) closed forms -------------------------------------------------------------------

def quadratic_path(opt, a, x0, steps):
    """Run opt on f(x) = a x^2 / 2 in one dimension; return x_0 ... x_steps."""
    params = {"x": np.array([x0])}
    xs = [x0]
    for _ in range(steps):
        opt.update(params, {"x": a * params["x"]})
        xs.append(params["x"][0])
    return np.array(xs)


def second_order_recurrence(b, c, x0, x1, steps):
    """x_k of x_{k+1} = b x_k - c x_{k-1}, in closed form: x_k = c1 r1^k + c2 r2^k."""
    disc = np.sqrt(complex(b * b - 4 * c))
    r1, r2 = (b + disc) / 2, (b - disc) / 2
    c1 = (x1 - r2 * x0) / (r1 - r2)
    k = np.arange(steps + 1)
    return (c1 * r1**k + (x0 - c1) * r2**k).real


@pytest.mark.parametrize("lr, a", [(0.1, 1.0), (0.3, 2.0), (0.95, 2.0)])
def test_sgd_on_a_quadratic_is_geometric(lr, a):
    xs = quadratic_path(SGD(lr=lr), a, 3.0, 25)
    np.testing.assert_allclose(xs, 3.0 * (1 - lr * a) ** np.arange(26), rtol=1e-12)


@pytest.mark.parametrize("lr, a, mu", [(0.1, 1.0, 0.9), (0.05, 2.0, 0.5), (0.4, 2.0, 0.3)])
def test_momentum_on_a_quadratic_follows_its_linear_recurrence(lr, a, mu):
    # v_{k+1} = mu v_k - lr a x_k and x_{k+1} = x_k + v_{k+1} give
    # x_{k+1} = (1 + mu - lr a) x_k - mu x_{k-1}, with x_1 = (1 - lr a) x_0.
    xs = quadratic_path(Momentum(lr=lr, momentum=mu), a, 3.0, 30)
    expected = second_order_recurrence(1 + mu - lr * a, mu, 3.0, 3.0 * (1 - lr * a), 30)
    np.testing.assert_allclose(xs, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("lr, a, mu", [(0.1, 1.0, 0.9), (0.05, 2.0, 0.5), (0.4, 2.0, 0.3)])
def test_nesterov_on_a_quadratic_follows_its_linear_recurrence(lr, a, mu):
    # Nesterov's method, x_{k+1} = c y_k with c = 1 - lr a and look-ahead y_k = x_k + mu (x_k - x_{k-1}),
    # makes the look-ahead points (what optimlib stores) obey y_{k+1} = c (1 + mu) y_k - c mu y_{k-1}.
    c = 1 - lr * a
    xs = quadratic_path(Nesterov(lr=lr, momentum=mu), a, 3.0, 30)
    expected = second_order_recurrence(c * (1 + mu), c * mu, 3.0, 3.0 * (1 - (1 + mu) * lr * a), 30)
    np.testing.assert_allclose(xs, expected, rtol=1e-9, atol=1e-12)


def test_the_books_nesterov_variant_is_a_different_method():
    # The book's code updates v first and then uses the new v: p += mu^2 v_new - (1 + mu) lr g.
    lr, mu, a = 0.1, 0.9, 1.0
    p, v, book = 3.0, 0.0, [3.0]
    for _ in range(10):
        v = mu * v - lr * a * p
        p += mu * mu * v - (1 + mu) * lr * a * p
        book.append(p)
    ours = quadratic_path(Nesterov(lr=lr, momentum=mu), a, 3.0, 10)
    # Already the first step differs: the book's is (1 + mu + mu^2) lr g, Nesterov's (1 + mu) lr g.
    assert book[1] == pytest.approx(3.0 - (1 + mu + mu**2) * lr * a * 3.0)
    assert ours[1] == pytest.approx(3.0 - (1 + mu) * lr * a * 3.0)
    assert np.abs(ours[1:] - book[1:]).min() > 0.01


def constant_gradient_path(opt, g, steps):
    """Run opt on the linear loss f(p) = g p (its gradient is g everywhere)."""
    params = {"p": np.zeros(np.shape(g))}
    ps = [params["p"].copy()]
    for _ in range(steps):
        opt.update(params, {"p": np.array(g, dtype=float)})
        ps.append(params["p"].copy())
    return np.array(ps)


G = np.array([2.5, -0.004, 300.0])


def test_adagrad_steps_shrink_like_one_over_root_k():
    # h_k = k g^2, so step k is lr g / (sqrt(k) |g| + eps): first step lr sign(g), up to eps.
    lr, eps, k = 0.5, 1e-7, np.arange(1, 21)[:, None]
    ps = constant_gradient_path(AdaGrad(lr=lr), G, 20)
    steps = -lr * G / (np.sqrt(k) * np.abs(G) + eps)
    np.testing.assert_allclose(np.diff(ps, axis=0), steps, rtol=1e-12)
    np.testing.assert_allclose(ps[1], -lr * np.sign(G), rtol=eps / np.abs(G).min() * 2)


def test_rmsprop_on_a_constant_gradient():
    # h_k = (1 - rho^k) g^2, so step k is lr g / (sqrt(1 - rho^k) |g| + eps).
    lr, rho, eps, k = 0.01, 0.9, 1e-7, np.arange(1, 21)[:, None]
    ps = constant_gradient_path(RMSprop(lr=lr, decay_rate=rho), G, 20)
    steps = -lr * G / (np.sqrt(1 - rho**k) * np.abs(G) + eps)
    np.testing.assert_allclose(np.diff(ps, axis=0), steps, rtol=1e-12)


def test_adam_steps_are_lr_sign_g_on_a_constant_gradient():
    # m_k = (1 - b1^k) g and v_k = (1 - b2^k) g^2: bias correction makes every step
    # lr sqrt(1 - b2^k) g / (sqrt(1 - b2^k) |g| + eps), i.e. lr sign(g) up to eps.
    lr, b1, b2, eps, k = 0.3, 0.8, 0.99, 1e-7, np.arange(1, 21)[:, None]
    ps = constant_gradient_path(Adam(lr=lr, beta1=b1, beta2=b2), G, 20)
    root = np.sqrt(1 - b2**k)
    np.testing.assert_allclose(np.diff(ps, axis=0), -lr * root * G / (root * np.abs(G) + eps),
                               rtol=1e-12)
    np.testing.assert_allclose(np.diff(ps, axis=0), -lr * np.sign(G) * np.ones((20, 1)), rtol=1e-3)


# --- (b) oracles: torch.optim and Adam's Algorithm 1 ----------------------------------------

def random_problem(seed, steps=50):
    rng = np.random.default_rng(seed)
    params = {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=5)}
    grads = [{k: rng.normal(size=p.shape) * 3 for k, p in params.items()} for _ in range(steps)]
    return params, grads


def run_optimlib(opt, params, grads):
    params = {k: p.copy() for k, p in params.items()}
    for g in grads:
        opt.update(params, g)
    return params


def run_torch(make_optimizer, params, grads):
    torch = torch_or_skip()
    tensors = {k: torch.tensor(p, dtype=torch.float64, requires_grad=True) for k, p in params.items()}
    opt = make_optimizer(torch.optim, list(tensors.values()))
    for g in grads:
        for k, t in tensors.items():
            t.grad = torch.tensor(g[k], dtype=torch.float64)
        opt.step()
    return {k: t.detach().numpy() for k, t in tensors.items()}


TORCH_TWINS = {
    "Momentum": (lambda: Momentum(lr=0.03, momentum=0.85),
                 lambda o, ps: o.SGD(ps, lr=0.03, momentum=0.85)),
    "Nesterov": (lambda: Nesterov(lr=0.03, momentum=0.85),
                 lambda o, ps: o.SGD(ps, lr=0.03, momentum=0.85, nesterov=True)),
    "AdaGrad": (lambda: AdaGrad(lr=0.2),
                lambda o, ps: o.Adagrad(ps, lr=0.2, eps=1e-7)),
    "RMSprop": (lambda: RMSprop(lr=0.02, decay_rate=0.95),
                lambda o, ps: o.RMSprop(ps, lr=0.02, alpha=0.95, eps=1e-7)),
    "SGD": (lambda: SGD(lr=0.07), lambda o, ps: o.SGD(ps, lr=0.07)),
    # torch puts eps outside the bias correction; with a negligible eps both are Algorithm 1.
    "Adam": (lambda: Adam(lr=0.02, beta1=0.8, beta2=0.99, eps=1e-14),
             lambda o, ps: o.Adam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-14)),
    "AdamW": (lambda: AdamW(lr=0.02, beta1=0.8, beta2=0.99, eps=1e-14, weight_decay=0.3),
              lambda o, ps: o.AdamW(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-14, weight_decay=0.3)),
    # torch keeps the max of the raw v and divides by sqrt(max) / sqrt(1 - b2^t) + eps; a short
    # memory b2 = 0.6 lets v fall, so that its maximum matters (see the test after the next)
    "AMSGrad": (lambda: AMSGrad(lr=0.02, beta1=0.8, beta2=0.6, eps=1e-14),
                lambda o, ps: o.Adam(ps, lr=0.02, betas=(0.8, 0.6), eps=1e-14, amsgrad=True)),
}


@pytest.mark.parametrize("name", TORCH_TWINS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_agrees_with_torch_over_50_steps(name, seed):
    ours, theirs = TORCH_TWINS[name]
    params, grads = random_problem(seed)
    expected = run_torch(theirs, params, grads)
    got = run_optimlib(ours(), params, grads)
    for key in params:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-10, atol=0)
        assert np.abs(got[key] - params[key]).max() > 0.05  # the 50 steps did move them


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_adam_is_kingma_and_ba_algorithm_1(seed):
    lr, b1, b2, eps_hat = 0.01, 0.9, 0.999, 1e-7
    params, grads = random_problem(seed)
    theta = {k: p.copy() for k, p in params.items()}
    m = {k: np.zeros_like(p) for k, p in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    for t, g in enumerate(grads, start=1):
        for k in theta:
            m[k] = b1 * m[k] + (1 - b1) * g[k]
            v[k] = b2 * v[k] + (1 - b2) * g[k] ** 2
            m_hat = m[k] / (1 - b1**t)
            v_hat = v[k] / (1 - b2**t)
            # Section 2 of the paper: the efficient form's eps_hat is eps * sqrt(1 - b2^t).
            eps = eps_hat / np.sqrt(1 - b2**t)
            theta[k] = theta[k] - lr * m_hat / (np.sqrt(v_hat) + eps)
    got = run_optimlib(Adam(lr=lr, beta1=b1, beta2=b2, eps=eps_hat), params, grads)
    for k in params:
        np.testing.assert_allclose(got[k], theta[k], rtol=1e-10, atol=0)


# --- state, reset, batches ---------------------------------------------------------------

@pytest.mark.parametrize("name", ALL)
def test_reset_forgets_everything(name):
    params, grads = random_problem(7, steps=5)
    opt = ALL[name]()
    first = run_optimlib(opt, params, grads)
    opt.reset()
    assert all(not s for s in opt.state.values())  # empty dicts, t == 0
    again = run_optimlib(opt, params, grads)
    for key in params:
        np.testing.assert_array_equal(first[key], again[key])


def test_state_is_exposed_read_only():
    opt = Adam()
    params, grads = random_problem(3, steps=4)
    run_optimlib(opt, params, grads)
    state = opt.state
    assert set(state) == {"m", "v", "t"} and state["t"] == 4
    assert set(state["m"]) == {"W", "b"}
    with pytest.raises(ValueError, match="read-only"):
        state["m"]["W"][0, 0] = 1.0
    assert set(Momentum().state) == {"v"} and set(AdaGrad().state) == {"h"}


def test_momentum_state_is_the_last_step():
    opt = Momentum(lr=0.1)
    params = {"x": np.array([1.0, -2.0])}
    before = params["x"].copy()
    opt.update(params, {"x": np.array([0.5, 0.25])})
    np.testing.assert_allclose(opt.state["v"]["x"], params["x"] - before, rtol=1e-14)
    np.testing.assert_array_equal(opt.state["v"]["x"], [-0.05, -0.025])


def batch_hyperparameters(name, n, rng):
    """n random settings of each hyperparameter a slider shows, across the slider's span
    (from the one table, HYPERPARAMETERS); a log-scale one (lr) log-uniformly."""
    hyper = {}
    for p in ALL[name]().hyperparameters:
        low, high = HYPERPARAMETERS[p].shown or (None, None)
        if low is None:
            continue  # no slider (eps)
        if HYPERPARAMETERS[p].log_scale:
            hyper[p] = np.exp(rng.uniform(np.log(low), np.log(high), size=(n, 1)))
        else:
            hyper[p] = rng.uniform(low, high, size=(n, 1))
    return hyper


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 6))
def test_a_batch_equals_separate_runs_exactly(name, seed, n):
    rng = np.random.default_rng(seed)
    hyper = batch_hyperparameters(name, n, rng)
    start = rng.normal(size=(n, 2))
    grads = rng.normal(size=(10, n, 2))
    batch = {"p": start.copy()}
    opt = ALL[name](**hyper)
    for g in grads:
        opt.update(batch, {"p": g})
    for i in range(n):
        single = {"p": start[i].copy()}
        opt = ALL[name](**{k: float(v[i, 0]) for k, v in hyper.items()})
        for g in grads:
            opt.update(single, {"p": g[i]})
        np.testing.assert_array_equal(batch["p"][i], single["p"])


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_keys_are_updated_independently(name, seed):
    params, grads = random_problem(seed, steps=6)
    together = run_optimlib(ALL[name](), params, grads)
    for key in params:
        alone = run_optimlib(ALL[name](), {key: params[key]}, [{key: g[key]} for g in grads])
        np.testing.assert_array_equal(together[key], alone[key])


def test_float32_params_stay_float32():
    params = {"w": np.ones(3, dtype=np.float32)}
    Adam().update(params, {"w": np.ones(3, dtype=np.float32)})
    assert params["w"].dtype == np.float32


def test_repr_names_the_hyperparameters():
    assert repr(Momentum(lr=0.1)) == "Momentum(lr=0.1, momentum=0.9)"
    assert repr(SGD(lr=np.ones((4, 1)))) == "SGD(lr=array(shape=(4, 1)))"


# --- bad input: a clear error, nothing changed -------------------------------------------

BAD_HYPERPARAMETERS = [
    ("lr", 0, "0.0 < lr < inf"), ("lr", -0.1, "0.0 < lr < inf"), ("lr", float("nan"), "lr"),
    ("lr", float("inf"), "lr"), ("momentum", -0.1, "0.0 <= momentum < 1.0"),
    ("momentum", 1.0, "0.0 <= momentum < 1.0"), ("decay_rate", 0.0, "0.0 < decay_rate < 1.0"),
    ("decay_rate", 1.0, "0.0 < decay_rate < 1.0"), ("beta1", 1.0, "0.0 <= beta1 < 1.0"),
    ("beta1", -0.5, "0.0 <= beta1 < 1.0"), ("beta2", 0.0, "0.0 < beta2 < 1.0"),
    ("beta2", 1.5, "0.0 < beta2 < 1.0"), ("eps", 0.0, "0.0 < eps < inf"),
    ("eps", -1e-7, "0.0 < eps < inf"), ("weight_decay", -0.1, "0.0 <= weight_decay < inf"),
    ("weight_decay", float("inf"), "weight_decay"),
]


@pytest.mark.parametrize("name, param, value, allowed", [
    (name, *bad) for name in ALL for bad in BAD_HYPERPARAMETERS
    if bad[0] in ALL[name]().hyperparameters])
def test_out_of_range_hyperparameters_are_refused_by_name(name, param, value, allowed):
    with pytest.raises(ValueError) as error:
        ALL[name](**{param: value})
    message = str(error.value)
    assert f"{param}={float(value)!r}" in message and allowed in message


def test_every_hyperparameter_has_one_range_and_its_shown_span_is_allowed():
    names = set().union(*(cls().hyperparameters for cls in ALL.values()))
    assert names == set(HYPERPARAMETERS)
    for name, allowed in HYPERPARAMETERS.items():
        if allowed.shown is None:
            continue
        first, last = allowed.shown
        assert first < last
        for cls in ALL.values():
            if name in cls().hyperparameters:          # both ends of a slider are accepted
                cls(**{name: first}), cls(**{name: last})
    with pytest.raises(ValueError, match=r"0.0 <= momentum < 1.0"):
        Momentum(momentum=HYPERPARAMETERS["momentum"].high)
    with pytest.raises(ValueError, match=r"0.0 < beta2 < 1.0"):
        Adam(beta2=HYPERPARAMETERS["beta2"].low)


def test_bad_entry_of_an_array_hyperparameter_is_located():
    with pytest.raises(ValueError, match=r"momentum\[2\]=1\.0 is out of range"):
        Momentum(momentum=np.array([[0.1], [0.5], [1.0]]))


@pytest.mark.parametrize("value", ["0.1", None, True, 1j, [0.1, "x"]])
def test_non_numbers_are_refused(value):
    with pytest.raises(TypeError, match="lr must be a real number"):
        SGD(lr=value)


def test_hyperparameters_that_do_not_broadcast_together():
    with pytest.raises(ValueError, match="do not broadcast together"):
        Momentum(lr=np.full((3, 1), 0.1), momentum=np.full((4, 1), 0.5))


def good():
    return {"W": np.ones((2, 3)), "b": np.zeros(3)}


BAD_UPDATES = [
    ("params", [np.ones(3)], {"x": np.ones(3)}, TypeError, "params must be a dict"),
    ("grads", None, None, TypeError, "grads must be a dict"),
    ("missing key", None, {"W": np.ones((2, 3))}, ValueError, r"grads lacks \['b'\]"),
    ("extra key", None, {**good(), "c": np.ones(1)}, ValueError, r"has extra \['c'\]"),
    ("shape", None, {"W": np.ones((3, 2)), "b": np.ones(3)}, ValueError,
     r"grads\['W'\] has shape \(3, 2\) but params\['W'\] has shape \(2, 3\)"),
    ("int params", {"W": np.ones((2, 3), dtype=int), "b": np.zeros(3)}, None, TypeError,
     r"params\['W'\] has dtype int64; it must be a float array"),
    ("int grads", None, {"W": np.ones((2, 3), dtype=int), "b": np.ones(3)}, TypeError,
     r"grads\['W'\] has dtype int64"),
    ("list grads", None, {"W": [[1.0] * 3] * 2, "b": np.ones(3)}, TypeError,
     r"grads\['W'\] must be a numpy array of floats, got list"),
    ("float params", {"W": np.ones((2, 3)), "b": 0.5}, {"W": np.ones((2, 3)), "b": 1.0}, TypeError,
     r"params\['b'\] must be a numpy array of floats, got float"),
]


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("case, params, grads, error, message", BAD_UPDATES,
                         ids=[case[0] for case in BAD_UPDATES])
def test_bad_updates_raise_and_change_nothing(name, case, params, grads, error, message):
    opt = ALL[name]()
    params = good() if params is None else params
    grads = ({"W": np.ones((2, 3)), "b": np.ones(3)} if grads is None and case != "grads"
             else grads)
    if case == "grads":
        grads = "not a dict"
    before = {k: np.array(v, copy=True) for k, v in params.items()} if isinstance(params, dict) else None
    with pytest.raises(error, match=message):
        opt.update(params, grads)
    if before is not None:
        for key in before:
            np.testing.assert_array_equal(params[key], before[key])
    assert all(not s for s in opt.state.values())


def test_read_only_params_are_refused():
    p = np.ones(3)
    p.flags.writeable = False
    with pytest.raises(ValueError, match=r"params\['x'\] is read-only"):
        SGD().update({"x": p}, {"x": np.ones(3)})


def test_a_batch_shape_that_does_not_fit_the_params():
    params = {"xy": np.zeros(2)}
    with pytest.raises(ValueError, match=r"shape \(5, 1\) do not broadcast against params\['xy'\]"):
        SGD(lr=np.full((5, 1), 0.1)).update(params, {"xy": np.ones(2)})
    np.testing.assert_array_equal(params["xy"], 0.0)


@pytest.mark.parametrize("name", [n for n in ALL if n != "SGD"])
def test_new_params_after_state_exists_need_reset(name):
    opt = ALL[name]()
    opt.update({"x": np.ones(2)}, {"x": np.ones(2)})
    state = {k: (dict(v) if isinstance(v, dict) else v) for k, v in opt.state.items()}
    params = {"x": np.ones(3)}
    with pytest.raises(ValueError, match="call reset"):
        opt.update(params, {"x": np.ones(3)})
    np.testing.assert_array_equal(params["x"], 1.0)
    assert opt.state.keys() == state.keys()
    opt.reset()
    opt.update(params, {"x": np.ones(3)})
    assert (params["x"] < 1).all()


def test_get_optimizer_lists_the_valid_names():
    assert get_optimizer("Adam") is Adam
    with pytest.raises(ValueError, match="unknown optimizer 'adam'; choose one of: SGD, Momentum"):
        get_optimizer("adam")


def test_adamw_decays_the_weights_apart_from_the_gradient():
    # With a zero gradient Adam does not move, so AdamW only decays: p_k = p_0 (1 - lr wd)^k.
    opt, params = AdamW(lr=0.1, weight_decay=0.5), {"w": np.array([2.0, -3.0])}
    for _ in range(20):
        opt.update(params, {"w": np.zeros(2)})
    np.testing.assert_allclose(params["w"], np.array([2.0, -3.0]) * 0.95**20, rtol=1e-12)
    # and with weight_decay=0 it is Adam
    params, grads = random_problem(4, steps=10)
    np.testing.assert_array_equal(run_optimlib(AdamW(weight_decay=0.0), params, grads)["W"],
                                  run_optimlib(Adam(), params, grads)["W"])
    assert AdamW().hyperparameters == {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7,
                                       "weight_decay": 0.01}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_amsgrad_divides_by_the_running_maximum_of_adams_v(seed):
    params, grads = random_problem(seed)
    amsgrad = TORCH_TWINS["AMSGrad"][0]()                  # the one checked against torch
    adam = Adam(**amsgrad.hyperparameters)
    adam_params, ams_params = ({k: p.copy() for k, p in params.items()} for _ in range(2))
    v_max = {k: np.zeros_like(p) for k, p in params.items()}
    for g in grads:
        adam.update(adam_params, g)
        amsgrad.update(ams_params, g)
        for k in params:
            # the same averages m and v as Adam's (on other params: the gradients are given)
            np.testing.assert_array_equal(amsgrad.state["m"][k], adam.state["m"][k])
            np.testing.assert_array_equal(amsgrad.state["v"][k], adam.state["v"][k])
            v_max[k] = np.maximum(v_max[k], adam.state["v"][k])
            np.testing.assert_array_equal(amsgrad.state["v_max"][k], v_max[k])
    # the maximum mattered: it stands far above v, and the paths parted
    assert (amsgrad.state["v_max"]["W"] > 3 * amsgrad.state["v"]["W"]).any()
    assert np.abs(ams_params["W"] - adam_params["W"]).max() > 0.1
    assert set(amsgrad.state) == {"m", "v", "v_max", "t"} and amsgrad.state["t"] == 50


# --- diagnostics: what each rule's state means, from the state it recorded ----------------

def test_diagnostics_are_named_by_meaning_and_come_from_the_rules_own_state():
    expected = {"SGD": {"step"}, "Momentum": {"step", "velocity"}, "Nesterov": {"step", "velocity"},
                "AdaGrad": {"step", "h", "effective_lr"}, "RMSprop": {"step", "h", "effective_lr"},
                "Adam": {"step", "m", "sqrt_v", "effective_lr"},
                "AdamW": {"step", "m", "sqrt_v", "effective_lr"},
                "AMSGrad": {"step", "m", "sqrt_v", "sqrt_v_max", "effective_lr"}}
    for name, cls in ALL.items():
        opt = cls(lr=0.05)
        path = run(opt, "book", start=(-7, 2), steps=40)
        series = opt.diagnostics(path)
        assert set(series) == expected[name], name
        for values in series.values():
            assert values.shape == path.points.shape and np.isnan(values[0]).all()
            assert np.isfinite(values[1:]).all()
        # the step is the distance each update moved the point, per coordinate
        np.testing.assert_array_equal(series["step"][1:], np.abs(np.diff(path.points, axis=0)))
        for values in path.state.values():             # the path's own state is left as it was
            assert not np.isnan(values[0]).any()


def test_momentums_step_is_its_velocity_and_nesterovs_is_not():
    for cls, same in ((Momentum, True), (Nesterov, False)):
        opt = cls(lr=0.05, momentum=0.8)
        path = run(opt, "book", start=(-7, 2), steps=30)
        series = opt.diagnostics(path)
        np.testing.assert_array_equal(series["velocity"][1:], np.abs(path.state["v"][1:]))
        assert np.allclose(series["step"][1:], series["velocity"][1:], rtol=1e-12) == same


def test_adagrads_effective_lr_is_lr_over_root_h_and_only_shrinks():
    opt = AdaGrad(lr=0.5, eps=1e-3)
    path = run(opt, "book", start=(-7, 2), steps=50)
    series = opt.diagnostics(path)
    h = np.cumsum(get_surface("book").gradient(path.points[:-1]) ** 2, axis=0)  # steps 1 ... 50
    np.testing.assert_allclose(series["h"][1:], h, rtol=1e-12)
    np.testing.assert_allclose(series["effective_lr"][1:], 0.5 / (np.sqrt(h) + 1e-3), rtol=1e-12)
    assert (np.diff(series["effective_lr"][1:], axis=0) <= 0).all()


def test_adams_effective_lr_has_the_bias_correction_of_each_step():
    opt = Adam(lr=0.1, beta1=0.8, beta2=0.99)
    path = run(opt, "rosenbrock", steps=30)
    series = opt.diagnostics(path)
    t = np.arange(31)[1:, None]                            # step t = 1, 2, ... from Algorithm 1
    m, v = path.state["m"][1:], path.state["v"][1:]
    lr_t = 0.1 * np.sqrt(1 - 0.99**t) / (1 - 0.8**t)
    np.testing.assert_allclose(series["effective_lr"][1:], lr_t / (np.sqrt(v) + 1e-7), rtol=1e-12)
    np.testing.assert_array_equal(series["m"][1:], np.abs(m))
    np.testing.assert_array_equal(series["sqrt_v"][1:], np.sqrt(v))
    # each step is that rate times |m|: the diagnostics explain the step actually taken
    np.testing.assert_allclose(series["step"][1:], series["effective_lr"][1:] * series["m"][1:],
                               rtol=1e-9)


def test_amsgrads_effective_lr_divides_by_the_largest_v_so_far():
    opt = AMSGrad(lr=0.1, beta1=0.8, beta2=0.9)
    path = run(opt, "rosenbrock", steps=60)
    series = opt.diagnostics(path)
    t = np.arange(61)[1:, None]
    v = path.state["v"][1:]
    v_max = np.maximum.accumulate(v, axis=0)               # measured on the recorded v
    np.testing.assert_array_equal(path.state["v_max"][1:], v_max)
    lr_t = 0.1 * np.sqrt(1 - 0.9**t) / (1 - 0.8**t)
    np.testing.assert_allclose(series["effective_lr"][1:], lr_t / (np.sqrt(v_max) + 1e-7), rtol=1e-12)
    np.testing.assert_array_equal(series["sqrt_v"][1:], np.sqrt(v))
    np.testing.assert_array_equal(series["sqrt_v_max"][1:], np.sqrt(v_max))
    assert (series["sqrt_v_max"][1:] > 1.5 * series["sqrt_v"][1:]).any()   # they differ on this run
    np.testing.assert_allclose(series["step"][1:], series["effective_lr"][1:] * series["m"][1:],
                               rtol=1e-9)


def test_a_scheduled_optimizers_diagnostics_use_the_rate_of_each_step():
    opt = Scheduled(AdaGrad(lr=0.5), "cosine", total=40)
    path = run(opt, "book", start=(-7, 2), steps=40)
    effective = opt.diagnostics(path)["effective_lr"]
    lr_t = 0.5 * np.array([opt.factor(t) for t in range(1, 41)])
    np.testing.assert_allclose(effective[1:], lr_t[:, None] / (np.sqrt(path.state["h"][1:]) + 1e-7))
    assert effective[-1, 0] < 0.01 * effective[1, 0]         # the cosine takes the rate to zero
