"""The small numpy network of notebook 08, which later notebooks train too.

Two layers as in chapter 5 of the book: 64 pixels -> ``hidden`` ReLU units -> 10 softmax
outputs, cross-entropy loss, on scikit-learn's 1,797 handwritten digits (8 x 8 pixels, no
download). Parameters are a dict of arrays, so every optimizer of optimlib trains it through
``opt.update(params, grads)``. ``hvp`` and ``top_eigenvalue`` measure the loss's curvature
(notebook 08e): exact Hessian-vector products and the largest eigenvalue.

>>> data = load()
>>> params = init_params()
>>> loss, grads = loss_and_grads(params, data.X_train[:50], data.y_train[:50])
>>> sorted(grads) == sorted(params)
True
"""
import numbers
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


def loss_and_grads(params, X, y, *, l2=0.0, loss="cross_entropy"):
    r"""The mean cross-entropy over the rows of X and its gradient by backpropagation.

    With ``l2`` = lambda > 0 the loss gets an L2 penalty on the weights (not the biases, as in
    the book, section 6.4.2) and their gradients its derivative:

    .. math:: L = \text{cross-entropy} + \tfrac{\lambda}{2} \sum W^2, \qquad
              \nabla_W L = \nabla_W \text{cross-entropy} + \lambda W

    ``loss="squared"``: half the mean squared distance between the ten scores (before the
    softmax) and the one-hot label instead, the squared loss of Cohen et al. (2021).
    """
    if isinstance(l2, bool) or not isinstance(l2, numbers.Real):
        raise TypeError(f"l2 must be a number, got {l2!r}")
    if not (np.isfinite(l2) and l2 >= 0):
        raise ValueError(f"l2 must be finite and >= 0, got {l2!r}")
    hidden, probs = forward(params, X)
    n, onehot = len(X), np.eye(10)[y]
    if loss == "cross_entropy":
        value = -np.log(probs[np.arange(n), y] + 1e-12).mean()
        d_scores = (probs - onehot) / n
    elif loss == "squared":
        residual = hidden @ params["W2"] + params["b2"] - onehot
        value, d_scores = 0.5 * (residual ** 2).sum() / n, residual / n
    else:
        raise ValueError(f"loss must be 'cross_entropy' or 'squared', not {loss!r}")
    d_hidden = d_scores @ params["W2"].T * (hidden > 0)
    grads = {"W1": X.T @ d_hidden, "b1": d_hidden.sum(axis=0),
             "W2": hidden.T @ d_scores, "b2": d_scores.sum(axis=0)}
    if l2:
        value += l2 / 2 * sum((params[key] ** 2).sum() for key in ("W1", "W2"))
        for key in ("W1", "W2"):
            grads[key] += l2 * params[key]
    return value, grads


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
                loss, grads = loss_and_grads(params, data.X_train[rows], data.y_train[rows], l2=l2)
                opt.update(params, grads)
                losses.append(loss)
            history["loss"].append(np.mean(losses))
            history["accuracy"].append(accuracy(params, data.X_val, data.y_val))
            history["train_accuracy"].append(accuracy(params, data.X_train, data.y_train))
    history["params"] = params
    return history


def hvp(params, X, y, v, loss="cross_entropy"):
    """The Hessian of ``loss_and_grads``' loss (without l2) times a direction ``v`` (a dict
    shaped like ``params``): H v, exact, for about twice the cost of a gradient.

    Pearlmutter's R-operator (Pearlmutter 1994, "Fast exact multiplication by the Hessian"):
    R{f} = d/dr f(params + r v) at r = 0. Apply it to every line of the forward and the
    backward pass; the R of the gradient is H v. With z = X W1 + b1, h = relu(z),
    s = h W2 + b2, p = softmax(s) and g_s the gradient at the scores ((p - onehot(y)) / n,
    or (s - onehot(y)) / n for the squared loss):

        R{h} = (X V1 + c1) * [z > 0]          R{s} = R{h} W2 + h V2 + c2
        R{g_s} = p * (R{s} - sum_k p_k R{s}_k) / n,   or R{s} / n for the squared loss
        R{g_W2} = R{h}^T g_s + h^T R{g_s}      R{g_b2} = sum over rows of R{g_s}
        R{g_z} = (R{g_s} W2^T + g_s V2^T) * [z > 0]
        R{g_W1} = X^T R{g_z}                   R{g_b1} = sum over rows of R{g_z}

    ReLU's second derivative is zero away from its kink, so this is the exact Hessian
    wherever no unit sits exactly at z = 0 (almost everywhere)."""
    if sorted(v) != sorted(params) or any(v[k].shape != params[k].shape for k in params):
        raise ValueError(f"v needs the keys and shapes of params: {sorted(params)}")
    hidden, probs = forward(params, X)
    n, onehot, active = len(X), np.eye(10)[y], hidden > 0
    r_hidden = (X @ v["W1"] + v["b1"]) * active
    r_scores = r_hidden @ params["W2"] + hidden @ v["W2"] + v["b2"]
    if loss == "cross_entropy":
        d_scores = (probs - onehot) / n
        r_d_scores = probs * (r_scores - (probs * r_scores).sum(axis=1, keepdims=True)) / n
    elif loss == "squared":
        d_scores = (hidden @ params["W2"] + params["b2"] - onehot) / n
        r_d_scores = r_scores / n
    else:
        raise ValueError(f"loss must be 'cross_entropy' or 'squared', not {loss!r}")
    r_d_hidden = (r_d_scores @ params["W2"].T + d_scores @ v["W2"].T) * active
    return {"W1": X.T @ r_d_hidden, "b1": r_d_hidden.sum(axis=0),
            "W2": r_hidden.T @ d_scores + hidden.T @ r_d_scores, "b2": r_d_scores.sum(axis=0)}


def top_eigenvalue(params, X, y, iters=20, seed=0, start=None, loss="cross_entropy", tol=0.0):
    """The Hessian's eigenvalue of largest magnitude (the *sharpness* when it is positive,
    as it is for these networks) and its unit eigenvector, by power iteration on ``hvp``:
    v <- H v / |H v|, with lambda = v . H v (von Mises 1929).

    Each iteration costs one ``hvp``. The direction's error shrinks like
    |lambda_2 / lambda_1|^iters (lambda's like its square), so when the next eigenvalue is
    close it converges slowly: warm-start with ``start`` (the eigenvector from a nearby point,
    e.g. the last training step) to need few iterations. With ``tol`` > 0 it stops early,
    once lambda changes by less than ``tol`` times itself in one iteration (lambda settles
    before v does); ``iters`` is then the most it will do. Returns (lambda, v)."""
    if not (isinstance(iters, int) and iters >= 1):
        raise ValueError(f"iters must be a whole number >= 1, not {iters!r}")
    if start is None:
        rng = np.random.default_rng(seed)
        start = {k: rng.normal(size=p.shape) for k, p in params.items()}
    norm = lambda u: np.sqrt(sum((a * a).sum() for a in u.values()))
    size = norm(start)
    v, eigenvalue = {k: a / size for k, a in start.items()}, None
    for _ in range(iters):
        hv = hvp(params, X, y, v, loss)
        size, before = norm(hv), eigenvalue
        if size == 0:
            return 0.0, v
        eigenvalue = float(sum((v[k] * hv[k]).sum() for k in v))
        v = {k: a / size for k, a in hv.items()}
        if tol > 0 and before is not None and abs(eigenvalue - before) <= tol * abs(eigenvalue):
            break
    return eigenvalue, v
