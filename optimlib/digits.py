"""The small numpy network of notebook 08, which later notebooks train too.

Two layers as in chapter 5 of the book: 64 pixels -> ``hidden`` ReLU units -> 10 softmax
outputs, cross-entropy loss, on scikit-learn's 1,797 handwritten digits (8 x 8 pixels, no
download). Parameters are a dict of arrays, so every optimizer of optimlib trains it through
``opt.update(params, grads)``.

>>> data = load()
>>> params = init_params()
>>> loss, grads = loss_and_grads(params, data.X_train[:50], data.y_train[:50])
>>> sorted(grads) == sorted(params)
True
"""
from typing import NamedTuple

import numpy as np


class Digits(NamedTuple):
    """The digits cut in three: the optimizers learn from the training digits, settings are
    chosen on the validation digits, and the test digits are read once, at the very end."""
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def load(seed=0):
    """scikit-learn's digits, pixels scaled to [0, 1], shuffled once with ``seed`` (the same
    split every run) and cut into 1,200 training, 300 validation and 297 test digits."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:  # scikit-learn is an extra: optimlib[notebooks]
        raise ImportError("the digits come with scikit-learn: pip install 'optimlib[notebooks]' "
                          "(or pip install scikit-learn)") from error
    digits = load_digits()
    X, y = digits.data / 16.0, digits.target
    order = np.random.default_rng(seed).permutation(len(X))
    X, y = X[order], y[order]
    return Digits(X[:1200], y[:1200], X[1200:1500], y[1200:1500], X[1500:], y[1500:])


def init_params(seed=0, hidden=32):
    """He initialisation (normal, variance 2 / fan-in) for the weights, zero biases."""
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(0, np.sqrt(2 / 64), (64, hidden)), "b1": np.zeros(hidden),
            "W2": rng.normal(0, np.sqrt(2 / hidden), (hidden, 10)), "b2": np.zeros(10)}


def forward(params, X):
    """The hidden layer's outputs and the softmax probabilities, one row per digit."""
    hidden = np.maximum(X @ params["W1"] + params["b1"], 0)
    scores = hidden @ params["W2"] + params["b2"]
    scores -= scores.max(axis=1, keepdims=True)      # for a stable softmax
    probs = np.exp(scores)
    return hidden, probs / probs.sum(axis=1, keepdims=True)


def loss_and_grads(params, X, y, l2=0.0):
    r"""The mean cross-entropy over the rows of X and its gradient by backpropagation.

    With ``l2`` = lambda > 0 the loss gets an L2 penalty on the weights (not the biases, as in
    the book, section 6.4.2) and their gradients its derivative:

    .. math:: L = \text{cross-entropy} + \tfrac{\lambda}{2} \sum W^2, \qquad
              \nabla_W L = \nabla_W \text{cross-entropy} + \lambda W
    """
    if not (np.isfinite(l2) and l2 >= 0):
        raise ValueError(f"l2 must be finite and >= 0, got {l2!r}")
    hidden, probs = forward(params, X)
    n = len(X)
    loss = -np.log(probs[np.arange(n), y] + 1e-12).mean()
    d_scores = probs.copy()
    d_scores[np.arange(n), y] -= 1
    d_scores /= n
    d_hidden = d_scores @ params["W2"].T * (hidden > 0)
    grads = {"W1": X.T @ d_hidden, "b1": d_hidden.sum(axis=0),
             "W2": hidden.T @ d_scores, "b2": d_scores.sum(axis=0)}
    if l2:
        loss += l2 / 2 * sum((params[key] ** 2).sum() for key in ("W1", "W2"))
        for key in ("W1", "W2"):
            grads[key] += l2 * params[key]
    return loss, grads


def accuracy(params, X, y):
    """The fraction of the rows of X whose most likely digit is the label."""
    return (forward(params, X)[1].argmax(axis=1) == y).mean()


def train(opt, data, epochs=20, batch=50, seed=0, hidden=32, l2=0.0):
    """Minibatch training, the book's loop: shuffle the training digits each epoch (``seed``
    fixes the initial weights and the batch order), ``opt.update(params, grads)`` per batch.
    ``l2`` adds the L2 penalty of ``loss_and_grads`` to the loss it trains on.

    Returns a dict: the mean training loss of each epoch ("loss", penalty included), the
    validation accuracy after each epoch ("accuracy"), the accuracy on the training digits
    after each epoch ("train_accuracy") and the trained weights ("params")."""
    params, rng = init_params(seed, hidden), np.random.default_rng(seed)
    history = {"loss": [], "accuracy": [], "train_accuracy": []}
    with np.errstate(all="ignore"):                  # a bad learning rate may overflow
        for _ in range(epochs):
            order, losses = rng.permutation(len(data.X_train)), []
            for start in range(0, len(order), batch):
                rows = order[start:start + batch]
                loss, grads = loss_and_grads(params, data.X_train[rows], data.y_train[rows], l2)
                opt.update(params, grads)
                losses.append(loss)
            history["loss"].append(np.mean(losses))
            history["accuracy"].append(accuracy(params, data.X_val, data.y_val))
            history["train_accuracy"].append(accuracy(params, data.X_train, data.y_train))
    history["params"] = params
    return history
