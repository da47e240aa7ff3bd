"""optimlib.digits: notebook 08's network, shared by the notebooks that train it."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from optimlib import SGD, digits  # noqa: E402


@pytest.fixture(scope="module")
def data():
    return digits.load()


def test_the_split_is_fixed_disjoint_and_complete(data):
    assert [len(part) for part in data] == [1200, 1200, 300, 300, 297, 297]
    from sklearn.datasets import load_digits
    shipped = load_digits()
    rows = np.concatenate([data.X_train, data.X_val, data.X_test])
    labels = np.concatenate([data.y_train, data.y_val, data.y_test])
    both = lambda X, y: sorted(map(tuple, np.column_stack([X, y])))
    assert both(rows, labels) == both(shipped.data / 16, shipped.target)  # every digit once
    assert rows.min() == 0 and rows.max() == 1
    again = digits.load()
    assert all(np.array_equal(a, b) for a, b in zip(data, again))
    other = digits.load(seed=1)
    assert not np.array_equal(data.y_train, other.y_train)


def test_backpropagation_agrees_with_central_differences(data):
    params = digits.init_params(1)
    X, y = data.X_train[:20], data.y_train[:20]
    _, grads = digits.loss_and_grads(params, X, y)
    h = 1e-6
    for key in params:
        for i in np.ndindex(params[key].shape):
            if np.random.default_rng(hash(i) % 2**32).random() > 0.05 and key.startswith("W"):
                continue                            # about 5% of the weights, every bias
            params[key][i] += h
            up = digits.loss_and_grads(params, X, y)[0]
            params[key][i] -= 2 * h
            down = digits.loss_and_grads(params, X, y)[0]
            params[key][i] += h
            assert abs((up - down) / (2 * h) - grads[key][i]) < 1e-7, (key, i)


def test_training_learns_and_is_repeatable(data):
    first = digits.train(SGD(lr=0.3), data, epochs=3)
    again = digits.train(SGD(lr=0.3), data, epochs=3)
    assert first["loss"] == again["loss"] and first["accuracy"] == again["accuracy"]
    assert first["loss"][-1] < first["loss"][0] < np.log(10)
    assert first["accuracy"][-1] > 0.85
    assert first["accuracy"][-1] == digits.accuracy(first["params"], data.X_val, data.y_val)
    assert sum(p.size for p in first["params"].values()) == 2410


def test_the_l2_penalty_and_its_gradient_agree_with_central_differences(data):
    params = digits.init_params(2, hidden=8)
    X, y, l2 = data.X_train[:20], data.y_train[:20], 0.1
    loss, grads = digits.loss_and_grads(params, X, y, l2=l2)
    plain_loss, plain_grads = digits.loss_and_grads(params, X, y)
    penalty = l2 / 2 * ((params["W1"] ** 2).sum() + (params["W2"] ** 2).sum())
    assert abs(loss - (plain_loss + penalty)) < 1e-12               # the weights only: not the biases
    for key in ("b1", "b2"):
        assert np.array_equal(grads[key], plain_grads[key])
    h = 1e-6
    for key in params:
        for i in np.ndindex(params[key].shape):
            params[key][i] += h
            up = digits.loss_and_grads(params, X, y, l2=l2)[0]
            params[key][i] -= 2 * h
            down = digits.loss_and_grads(params, X, y, l2=l2)[0]


def flat(tree):
    return np.concatenate([tree[key].ravel() for key in sorted(tree)])


@pytest.mark.parametrize("loss", ["cross_entropy", "squared"])
def test_the_squared_loss_backpropagates_like_central_differences(data, loss):
    params = digits.init_params(2)
    X, y = data.X_train[:20], data.y_train[:20]
    _, grads = digits.loss_and_grads(params, X, y, loss=loss)
    rng, h = np.random.default_rng(3), 1e-6
    for key in params:
        for _ in range(5):
            i = tuple(rng.integers(n) for n in params[key].shape)
            params[key][i] += h
            up = digits.loss_and_grads(params, X, y, loss=loss)[0]
            params[key][i] -= 2 * h
            down = digits.loss_and_grads(params, X, y, loss=loss)[0]
            params[key][i] += h
            assert abs((up - down) / (2 * h) - grads[key][i]) < 1e-7, (key, i)


def test_l2_zero_changes_nothing_and_a_bad_l2_is_refused(data):
    params = digits.init_params(3)
    X, y = data.X_train[:30], data.y_train[:30]
    loss, grads = digits.loss_and_grads(params, X, y)
    loss0, grads0 = digits.loss_and_grads(params, X, y, l2=0.0)
    assert loss == loss0 and all(np.array_equal(grads[k], grads0[k]) for k in grads)
    for bad in (-0.1, np.nan, np.inf):
        with pytest.raises(ValueError, match="l2"):
            digits.loss_and_grads(params, X, y, l2=bad)
    for bad in ("0.1", True, None):
        with pytest.raises(TypeError, match="l2"):
            digits.loss_and_grads(params, X, y, l2=bad)


def test_train_records_training_accuracy_and_passes_l2_on(data):
    plain = digits.train(SGD(lr=0.3), data, epochs=2)
    assert len(plain["train_accuracy"]) == 2
    assert plain["train_accuracy"][-1] == digits.accuracy(plain["params"], data.X_train, data.y_train)
    decayed = digits.train(SGD(lr=0.3), data, epochs=2, l2=0.5)
    size = lambda p: sum((p[k] ** 2).sum() for k in ("W1", "W2"))
    assert size(decayed["params"]) < size(plain["params"])           # the penalty shrinks the weights
    # one SGD step with L2 is the shrink (1 - lr * l2) W and then the step of the plain loss
    params, X, y = digits.init_params(4), data.X_train[:50], data.y_train[:50]
    shrunk = {k: (1 - 0.3 * 0.5) * p if k.startswith("W") else p.copy() for k, p in params.items()}
    SGD(lr=0.3).update(shrunk, digits.loss_and_grads(params, X, y)[1])
    SGD(lr=0.3).update(params, digits.loss_and_grads(params, X, y, l2=0.5)[1])
    assert all(np.allclose(params[k], shrunk[k], rtol=0, atol=1e-14) for k in params)


@pytest.mark.parametrize("loss", ["cross_entropy", "squared"])
def test_hessian_vector_products_agree_with_central_differences_of_the_gradient(data, loss):
    # H v = (g(params + eps v) - g(params - eps v)) / (2 eps) + O(eps^2), as long as no ReLU
    # switches between the two points (the gradient jumps at a kink): checked below. With
    # eps = 1e-5 the truncation error is ~eps^2 = 1e-10 and the rounding ~1e-16 / eps = 1e-11,
    # relative to |H v| ~ 1 (measured: 1e-10 to 1e-9); a wrong or missing term of the
    # R-operator is off by order 1, so 1e-6 separates the two with room on both sides.
    params = digits.init_params(1)
    X, y = data.X_train[:50], data.y_train[:50]
    rng, eps = np.random.default_rng(0), 1e-5
    for _ in range(5):
        v = {key: rng.normal(size=p.shape) for key, p in params.items()}
        up = {key: params[key] + eps * v[key] for key in params}
        down = {key: params[key] - eps * v[key] for key in params}
        assert np.array_equal(digits.forward(up, X)[0] > 0, digits.forward(down, X)[0] > 0)
        numeric = (flat(digits.loss_and_grads(up, X, y, loss=loss)[1])
                   - flat(digits.loss_and_grads(down, X, y, loss=loss)[1])) / (2 * eps)
        exact = flat(digits.hvp(params, X, y, v, loss))
        assert np.linalg.norm(numeric - exact) < 1e-6 * np.linalg.norm(exact)


@pytest.mark.parametrize("loss", ["cross_entropy", "squared"])
def test_the_hessian_is_symmetric(data, loss):
    params = digits.init_params(4)
    X, y = data.X_train[:100], data.y_train[:100]
    rng = np.random.default_rng(1)
    for _ in range(5):
        v, w = ({key: rng.normal(size=p.shape) for key, p in params.items()} for _ in range(2))
        vHw = flat(v) @ flat(digits.hvp(params, X, y, w, loss))
        wHv = flat(w) @ flat(digits.hvp(params, X, y, v, loss))
        assert abs(vHw - wHv) < 1e-12 * (abs(vHw) + 1)      # equal up to rounding


@pytest.mark.parametrize("loss", ["cross_entropy", "squared"])
def test_power_iteration_finds_the_top_eigenvalue_of_the_explicit_hessian(data, loss):
    # a net small enough (hidden=4: 310 parameters) to build H column by column, H e_i
    params = digits.init_params(5, hidden=4)
    X, y = data.X_train[:40], data.y_train[:40]
    shapes = {key: p.shape for key, p in params.items()}
    sizes = [int(np.prod(shapes[key])) for key in sorted(shapes)]
    columns = []
    for i in range(sum(sizes)):
        e = np.zeros(sum(sizes))
        e[i] = 1
        parts = np.split(e, np.cumsum(sizes)[:-1])
        columns.append(flat(digits.hvp(params, X, y, {key: part.reshape(shapes[key])
                                                     for key, part in zip(sorted(shapes), parts)}, loss)))
    H = np.array(columns).T
    assert np.abs(H - H.T).max() < 1e-12 * np.abs(H).max()
    eigenvalues = np.linalg.eigvalsh(H)
    top = eigenvalues[np.argmax(np.abs(eigenvalues))]
    assert top > 0                                          # the sharpness
    # the next eigenvalue is 0.73 to 0.77 of the top one here, so 300 iterations shrink the
    # error to rounding (measured: 1e-15 relative, for the value and for H v - lambda v)
    found, vector = digits.top_eigenvalue(params, X, y, iters=300, loss=loss)
    assert abs(found - top) < 1e-12 * top
    assert np.linalg.norm(H @ flat(vector) - top * flat(vector)) < 1e-9 * top
    # a warm start from the answer stays there
    again, _ = digits.top_eigenvalue(params, X, y, iters=1, start=vector, loss=loss)
    assert abs(again - top) < 1e-12 * top


def test_power_iteration_stops_early_once_the_estimate_settles(data):
    params = digits.init_params(3)
    X, y = data.X_train, data.y_train
    exact, _ = digits.top_eigenvalue(params, X, y, iters=500)
    calls, hvp = [], digits.hvp
    try:
        digits.hvp = lambda *args: calls.append(1) or hvp(*args)
        early, _ = digits.top_eigenvalue(params, X, y, iters=500, tol=1e-6)
    finally:
        digits.hvp = hvp
    assert len(calls) < 500 and abs(early / exact - 1) < 1e-4


def test_bad_input_to_the_hessian_tools_is_refused_clearly(data):
    params = digits.init_params()
    X, y = data.X_train[:10], data.y_train[:10]
    with pytest.raises(ValueError, match="loss must be"):
        digits.loss_and_grads(params, X, y, loss="hinge")
    with pytest.raises(ValueError, match="loss must be"):
        digits.hvp(params, X, y, params, loss="mse")
    with pytest.raises(ValueError, match="keys and shapes"):
        digits.hvp(params, X, y, {"W1": params["W1"]})
    with pytest.raises(ValueError, match="iters"):
        digits.top_eigenvalue(params, X, y, iters=0)
