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
