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
