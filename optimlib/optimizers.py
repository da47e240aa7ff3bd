"""The six classic gradient-descent update rules, grown from *Deep Learning from Scratch* ch. 6.

Every optimizer keeps the book's interface, so the book's code maps onto this one line by line::

    opt = Momentum(lr=0.1, momentum=0.9)
    opt.update(params, grads)   # params: dict of float arrays, changed in place

What this module adds to the book: the equation and its paper in each docstring, checks
that turn bad input into a clear error (and leave ``params`` untouched), ``reset()``, an
inspectable ``state``, and hyperparameters that may be arrays. An ``lr`` of shape (N, 1)
with params of shape (N, 2) runs N settings at once, as one vectorised batch.
"""
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from .checks import check_count, check_drop

__all__ = ["OPTIMIZERS", "MORE_OPTIMIZERS", "HYPERPARAMETERS", "Range", "get_optimizer", "Optimizer",
           "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "AdamW", "AMSGrad",
           "SCHEDULES", "Scheduled", "check_hyperparameter"]


class Range(NamedTuple):
    """The values a hyperparameter may take, and the part of them a slider or a map shows.

    Allowed: finite values with ``low < value < high`` (``low <= value`` if ``low_inclusive``).
    shown: (first, last), the span of a slider and of a map's axis; None: no control.
    step: a slider's resolution (on a log or a nines scale, in powers of ten).
    log_scale: the values are spaced by factors (a learning rate), not by differences.
    nines: the values crowd towards 1 (a decay rate), so a slider moves 1 - value on a log
        scale: 0.9, 0.99 and 0.999 lie equally far apart.
    """

    low: float
    high: float
    low_inclusive: bool = False
    shown: tuple = None
    step: float = 0.001
    log_scale: bool = False
    nines: bool = False


HYPERPARAMETERS = {
    "lr": Range(0.0, np.inf, shown=(1e-5, 10.0), step=0.01, log_scale=True),
    "momentum": Range(0.0, 1.0, low_inclusive=True, shown=(0.0, 0.99), step=0.01, nines=True),
    "decay_rate": Range(0.0, 1.0, shown=(0.5, 0.999), step=0.01, nines=True),
    "beta1": Range(0.0, 1.0, low_inclusive=True, shown=(0.0, 0.99), step=0.01, nines=True),
    "beta2": Range(0.0, 1.0, shown=(0.9, 0.9999), step=0.01, nines=True),
    "eps": Range(0.0, np.inf),
    "weight_decay": Range(0.0, np.inf, low_inclusive=True, shown=(0.0, 0.5)),
}
"""Every hyperparameter's range, by name: the one table that validation, the apps' sliders
and maps, and the tests read."""


def check_hyperparameter(name, value):
    """Return ``value`` as a float (or a read-only float array) once it is in its range.

    An array holds one value per setting of a batch: shape (N, 1) against params of shape
    (N, 2). Shape (2,) would broadcast too, and quietly give x and y rates of their own.
    """
    array = np.asarray(value)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a real number or an array of them, got {value!r}")
    if array.ndim and array.shape[-1] != 1:
        raise ValueError(f"{name} must be a number, or for N settings at once an array of shape "
                         f"(N, 1); got shape {array.shape}")
    array = array.astype(float)
    bounds = HYPERPARAMETERS[name]
    above = array >= bounds.low if bounds.low_inclusive else array > bounds.low
    ok = np.isfinite(array) & above & (array < bounds.high)
    allowed = (f"{bounds.low} {'<=' if bounds.low_inclusive else '<'} {name} < {bounds.high} "
               f"and finite")
    if array.ndim == 0:
        if not ok:
            raise ValueError(f"{name}={float(array)!r} is out of range: need {allowed}")
        return float(array)
    if not ok.all():
        setting = ", ".join(str(i) for i in np.argwhere(~ok)[0][:-1]) or "0"  # the last axis is 1
        raise ValueError(f"{name}[{setting}]={float(array[~ok][0])!r} is out of range: need {allowed}")
    array.flags.writeable = False
    return array


def _per_step(values, like):
    """A per-step array (steps + 1, ...) shaped to broadcast against ``like``'s rows."""
    values = np.asarray(values, dtype=float)
    return values.reshape(values.shape + (1,) * (np.ndim(like) - values.ndim))


class Optimizer:
    """What the six rules share: input checks, ``reset()``, ``state`` and ``hyperparameters``.

    A rule only defines ``__init__`` (its hyperparameters) and ``_update`` (its equation);
    ``state_names`` lists the attributes that hold its state, and ``_state_diagnostics``
    says what that state means (see ``diagnostics``).

    The state belongs to one model. As in the book, it is kept by the keys of ``params``:
    an optimizer used on a second model with the same keys and shapes carries the first
    one's velocity (or accumulators) over, and cannot tell. Call ``reset()`` in between,
    or give each model an optimizer of its own.
    """

    state_names = ()

    def __init__(self, **hyperparameters):
        """Keep the hyperparameters, each checked against its range in HYPERPARAMETERS
        (a name the table does not know is kept as it is)."""
        hyperparameters = {name: check_hyperparameter(name, value) if name in HYPERPARAMETERS
                           else value
                           for name, value in hyperparameters.items()}
        shapes = {name: np.shape(value) for name, value in hyperparameters.items()}
        try:
            self._batch_shape = np.broadcast_shapes(*shapes.values())
        except ValueError:
            raise ValueError(f"hyperparameter shapes do not broadcast together: {shapes}") from None
        self._hyperparameter_names = tuple(hyperparameters)
        for name, value in hyperparameters.items():
            setattr(self, name, value)
        self.reset()

    @property
    def hyperparameters(self):
        """The hyperparameters as a dict, e.g. ``{"lr": 0.01, "momentum": 0.9}``."""
        return {name: getattr(self, name) for name in self._hyperparameter_names}

    def reset(self):
        """Forget all state, as if no update had happened."""
        for name in self.state_names:
            setattr(self, name, {})

    @property
    def state(self):
        """The internal state as read-only views, e.g. ``{"v": {"W": array}}``."""
        return {name: _read_only(getattr(self, name)) for name in self.state_names}

    def update(self, params, grads):
        """Take one step: change each ``params[key]`` in place using ``grads[key]``."""
        self._check(params, grads)
        self._update(params, grads)

    def _update(self, params, grads):
        raise NotImplementedError

    def diagnostics(self, path, lr=None):
        """What this rule did on a run, as series to plot: {meaning: array}, keyed by what each
        series is, from the state the rule recorded in ``path`` (a Trajectory it ran).

        Each series has the shape of ``path.points``, a value per coordinate; row 0, before
        the first update, is NaN. Every rule has "step" (the length of each step along x and
        y); Momentum and Nesterov add "velocity" (|v|); AdaGrad and RMSprop "h" and
        "effective_lr" (lr / (sqrt(h) + eps)); Adam and AdamW "m" (|m|), "sqrt_v" and
        "effective_lr" (lr_t / (sqrt(v) + eps), with Adam's bias-corrected lr_t); AMSGrad
        also "sqrt_v_max", and divides by it in "effective_lr".
        lr: the learning rate of each step, shape (steps + 1,), where it changed during the
            run (``Scheduled`` passes its own); by default this optimizer's ``lr``.
        """
        lr = self.lr if lr is None else _per_step(lr, path.points)
        series = {"step": np.abs(np.diff(path.points, axis=0, prepend=np.nan)),
                  **self._state_diagnostics(path.state, lr)}
        series = {name: np.array(values, dtype=float) for name, values in series.items()}  # copies
        for values in series.values():
            values[0] = np.nan  # step 0 is before the first update: there is no state yet
        return series

    def _state_diagnostics(self, state, lr):
        """This rule's series of ``diagnostics`` beyond "step" (none for plain SGD)."""
        return {}

    def _check(self, params, grads):
        """Raise a clear error for input the update cannot use, before anything changes."""
        for what, value in (("params", params), ("grads", grads)):
            if not isinstance(value, Mapping):
                raise TypeError(f"{what} must be a dict of numpy arrays, got {type(value).__name__}")
        if params.keys() != grads.keys():
            missing, extra = sorted(params.keys() - grads.keys()), sorted(grads.keys() - params.keys())
            raise ValueError(f"params and grads must have the same keys: grads lacks {missing}, "
                             f"has extra {extra}")
        states = [s for s in (getattr(self, name) for name in self.state_names) if isinstance(s, dict)]
        for key, p in params.items():
            for what, a in (("params", p), ("grads", grads[key])):
                if not isinstance(a, np.ndarray):
                    raise TypeError(f"{what}[{key!r}] must be a numpy array of floats, "
                                    f"got {type(a).__name__}")
                if a.dtype.kind != "f" or a.dtype.itemsize < 4:
                    raise TypeError(f"{what}[{key!r}] has dtype {a.dtype}; it must be a float "
                                    f"array of float64 or float32 (float16's 3 digits lose the "
                                    f"steps and squared gradients), e.g. np.asarray(x, dtype=float)")
            if grads[key].shape != p.shape:
                raise ValueError(f"grads[{key!r}] has shape {grads[key].shape} but "
                                 f"params[{key!r}] has shape {p.shape}")
            if not p.flags.writeable:
                raise ValueError(f"params[{key!r}] is read-only; it is updated in place")
            if np.broadcast_shapes(self._batch_shape, p.shape) != p.shape:
                raise ValueError(
                    f"hyperparameters of shape {self._batch_shape} do not broadcast against "
                    f"params[{key!r}] of shape {p.shape}; for N settings on params of shape "
                    f"(N, 2) give each hyperparameter the shape (N, 1)")
            for state in states:
                if state and (key not in state or state[key].shape != p.shape):
                    raise ValueError(f"params changed since the last update (key {key!r}); "
                                     f"call reset() before using new parameters")

    def __repr__(self):
        shown = (f"{name}=array(shape={value.shape})" if isinstance(value, np.ndarray)
                 else f"{name}={value!r}" for name, value in self.hyperparameters.items())
        return f"{type(self).__name__}({', '.join(shown)})"


def _read_only(value):
    if isinstance(value, dict):
        return {key: _read_only(a) for key, a in value.items()}
    if isinstance(value, np.ndarray):
        view = value.view()
        view.flags.writeable = False
        return view
    return value


class SGD(Optimizer):
    r"""Stochastic gradient descent: step against the gradient.

    .. math:: p \leftarrow p - \eta\, g

    Robbins & Monro (1951), "A Stochastic Approximation Method".
    """

    def __init__(self, lr=0.01):
        super().__init__(lr=lr)

    def _update(self, params, grads):
        for key in params:
            params[key] -= self.lr * grads[key]


class Momentum(Optimizer):
    r"""Heavy-ball momentum: the velocity remembers past gradients.

    .. math:: v \leftarrow \mu v - \eta\, g, \qquad p \leftarrow p + v

    Polyak (1964), "Some methods of speeding up the convergence of iteration methods".
    Equals ``torch.optim.SGD(momentum=mu)`` with ``v = -lr * momentum_buffer``.
    """

    state_names = ("v",)

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr=lr, momentum=momentum)

    def _update(self, params, grads):
        if not self.v:
            self.v = {key: np.zeros_like(p) for key, p in params.items()}
        for key in params:
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]

    def _state_diagnostics(self, state, lr):
        return {"velocity": np.abs(state["v"])}  # for Momentum itself equal to "step"


class Nesterov(Momentum):
    r"""Nesterov's accelerated gradient in the look-ahead form of Bengio et al.

    .. math::
        p \leftarrow p + \mu^2 v - (1 + \mu)\,\eta\, g, \qquad v \leftarrow \mu v - \eta\, g

    Both lines use the *previous* velocity v. (The book updates v first and then uses the
    new v in the first line; that is not Nesterov's method. Notebook 03 compares the two.)
    Nesterov (1983); Bengio, Boulanger-Lewandowski & Pascanu (2012), "Advances in
    optimizing recurrent networks". Equals ``torch.optim.SGD(momentum=mu, nesterov=True)``.
    Momentum's hyperparameters and state, another update.
    """

    def _update(self, params, grads):
        if not self.v:
            self.v = {key: np.zeros_like(p) for key, p in params.items()}
        for key in params:
            v_prev = self.v[key]
            mu = self.momentum
            params[key] += mu * mu * v_prev - (1 + mu) * self.lr * grads[key]
            self.v[key] = mu * v_prev - self.lr * grads[key]


class AdaGrad(Optimizer):
    r"""AdaGrad: each coordinate's step shrinks with the sum of its squared gradients.

    .. math:: h \leftarrow h + g \odot g, \qquad p \leftarrow p - \eta\, g / (\sqrt{h} + \epsilon)

    Duchi, Hazan & Singer (2011), "Adaptive Subgradient Methods for Online Learning and
    Stochastic Optimization". Equals ``torch.optim.Adagrad(eps=eps)``.
    """

    state_names = ("h",)

    def __init__(self, lr=0.01, eps=1e-7):
        super().__init__(lr=lr, eps=eps)

    def _update(self, params, grads):
        if not self.h:
            self.h = {key: np.zeros_like(p) for key, p in params.items()}
        for key in params:
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + self.eps)

    def _state_diagnostics(self, state, lr):
        return {"h": state["h"], "effective_lr": lr / (np.sqrt(state["h"]) + self.eps)}


class RMSprop(AdaGrad):
    r"""RMSprop: AdaGrad with a moving average, so old gradients are forgotten.

    .. math::
        h \leftarrow \rho h + (1 - \rho)\, g \odot g, \qquad
        p \leftarrow p - \eta\, g / (\sqrt{h} + \epsilon)

    with decay rate rho. Tieleman & Hinton (2012), COURSERA Neural Networks for Machine
    Learning, lecture 6.5. Equals ``torch.optim.RMSprop(alpha=decay_rate, eps=eps)``.
    AdaGrad's state and step, another way to accumulate h.
    """

    def __init__(self, lr=0.01, decay_rate=0.99, eps=1e-7):
        Optimizer.__init__(self, lr=lr, decay_rate=decay_rate, eps=eps)

    def _update(self, params, grads):
        if not self.h:
            self.h = {key: np.zeros_like(p) for key, p in params.items()}
        for key in params:
            self.h[key] = self.decay_rate * self.h[key] + (1 - self.decay_rate) * grads[key]**2
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + self.eps)


class Adam(Optimizer):
    r"""Adam: momentum (first moment m) plus RMSprop (second moment v), bias-corrected.

    .. math::
        m \leftarrow \beta_1 m + (1 - \beta_1)\, g, \qquad
        v \leftarrow \beta_2 v + (1 - \beta_2)\, g \odot g, \\
        \eta_t = \eta \sqrt{1 - \beta_2^t} / (1 - \beta_1^t), \qquad
        p \leftarrow p - \eta_t\, m / (\sqrt{v} + \epsilon)

    Kingma & Ba (2015), "Adam: A Method for Stochastic Optimization", Algorithm 1 in the
    efficient form of its section 2. Without the correction, m and v start biased towards
    zero and the early steps are mis-sized: with the default betas, 3 to 7 times too long
    for the first hundred steps (notebook 06).
    """

    state_names = ("m", "v", "t")

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps)

    def reset(self):
        super().reset()
        self.t = 0

    def _update(self, params, grads):
        lr_t = self._moments(params, grads)
        for key in params:
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + self.eps)

    def _moments(self, params, grads):
        """Step t's averages m and v of the gradients; returns its lr_t."""
        if not self.m:
            self.m = {key: np.zeros_like(p) for key, p in params.items()}
            self.v = {key: np.zeros_like(p) for key, p in params.items()}
        self.t += 1
        for key in params:
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key]**2
        return self._bias_corrected_lr(self.lr, self.t)

    def _bias_corrected_lr(self, lr, t):
        """lr_t, the step size of step t = 1, 2, ...: lr * sqrt(1 - beta2^t) / (1 - beta1^t)."""
        # np.power rather than **: Python's float ** rounds differently from numpy's, and a
        # batch of N settings must give exactly what N single runs give.
        return lr * np.sqrt(1 - np.power(self.beta2, t)) / (1 - np.power(self.beta1, t))

    def _state_diagnostics(self, state, lr):
        t = _per_step(np.maximum(state["t"], 1), state["m"])  # t = 0 (row 0) has no step
        return {"m": np.abs(state["m"]), "sqrt_v": np.sqrt(state["v"]),
                "effective_lr": self._bias_corrected_lr(lr, t) / (np.sqrt(state["v"]) + self.eps)}


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay. Shrink the weights, then take Adam's step.

    .. math:: p \leftarrow p - \eta \lambda p, \qquad \text{then Adam's update of } p

    with weight decay lambda. Unlike an L2 penalty added to the loss, the decay does not
    pass through Adam's per-coordinate scaling. Loshchilov & Hutter (2019), "Decoupled
    Weight Decay Regularization". Where lambda is scaled: here, as in ``torch.optim.AdamW``
    (which this equals, up to where eps sits, see Adam), the decay is multiplied by the
    learning rate eta, so halving lr also halves the decay per step. The paper's Algorithm 2
    multiplies it only by the schedule multiplier eta_t, not by the step size alpha: its
    lambda is our ``lr * weight_decay`` (at a constant schedule).
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7, weight_decay=0.01):
        Optimizer.__init__(self, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                           weight_decay=weight_decay)

    def _update(self, params, grads):
        for key in params:
            params[key] -= self.lr * self.weight_decay * params[key]
        super()._update(params, grads)


class AMSGrad(Adam):
    r"""AMSGrad: Adam divided by the largest v so far, which never forgets a large gradient.

    .. math::
        m \leftarrow \beta_1 m + (1 - \beta_1)\, g, \qquad
        v \leftarrow \beta_2 v + (1 - \beta_2)\, g \odot g, \qquad
        v_{\max} \leftarrow \max(v_{\max}, v), \\
        \eta_t = \eta \sqrt{1 - \beta_2^t} / (1 - \beta_1^t), \qquad
        p \leftarrow p - \eta_t\, m / (\sqrt{v_{\max}} + \epsilon)

    Reddi, Kale & Kumar (2018), "On the Convergence of Adam and Beyond", Algorithm 2. Adam's
    v forgets a rare large gradient within about 1 / (1 - beta2) steps, and then takes long
    steps on the frequent small ones: on the paper's online problem it goes to the worst
    point (notebook 06b). The maximum never forgets: a coordinate's divisor sqrt(v_max) only
    grows, so a rare large gradient keeps the steps after it short.
    The paper's Algorithm 2 has no bias correction; like ``torch.optim.Adam(amsgrad=True)``
    (which this equals, up to where eps sits, see Adam) it keeps Adam's lr_t, and the
    maximum is taken over the uncorrected v.
    """

    state_names = ("m", "v", "v_max", "t")

    def _update(self, params, grads):
        if not self.v_max:
            self.v_max = {key: np.zeros_like(p) for key, p in params.items()}
        lr_t = self._moments(params, grads)
        for key in params:
            self.v_max[key] = np.maximum(self.v_max[key], self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v_max[key]) + self.eps)

    def _state_diagnostics(self, state, lr):
        # Adam's series with v_max where Adam divides by v, and sqrt(v) beside it
        adam = super()._state_diagnostics({**state, "v": state["v_max"]}, lr)
        return {"m": adam["m"], "sqrt_v": np.sqrt(state["v"]), "sqrt_v_max": adam["sqrt_v"],
                "effective_lr": adam["effective_lr"]}


OPTIMIZERS = {"SGD": SGD, "Momentum": Momentum, "Nesterov": Nesterov,
              "AdaGrad": AdaGrad, "RMSprop": RMSprop, "Adam": Adam}
"""The six rules of the book, by name, in its order."""

MORE_OPTIMIZERS = {"AdamW": AdamW, "AMSGrad": AMSGrad}
"""Rules beyond the book's six, which the apps and ``get_optimizer`` know by name too."""


def get_optimizer(name):
    """The optimizer class called ``name``, e.g. ``get_optimizer("Adam")``."""
    known = {**OPTIMIZERS, **MORE_OPTIMIZERS}
    try:
        return known[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown optimizer {name!r}; choose one of: {', '.join(known)}") from None


def _cosine(t, length):
    """From 1 at step t = 1 down to 0 at step length + 1 (and after): half a cosine wave."""
    return 0.5 * (1 + np.cos(np.pi * min(t - 1, length) / length)) if length > 0 else 1.0


SCHEDULES = ("constant", "step", "cosine", "warmup")
"""Learning-rate schedules that ``Scheduled`` knows."""


class Scheduled:
    r"""Any optimizer with a learning-rate schedule: at step t its lr is lr * factor(t).

    - ``"constant"``: factor 1.
    - ``"step"``: multiply by ``drop`` every ``every`` steps: drop ** floor((t - 1) / every).
    - ``"cosine"``: from 1 down to 0 over ``total`` steps: (1 + cos(pi (t - 1) / total)) / 2
      (Loshchilov & Hutter 2017, SGDR, without restarts).
    - ``"warmup"``: linear warmup to 1 over the first ``warmup`` steps, t / warmup, then the
      cosine from 1 down to 0 over the remaining ``total - warmup`` steps (Goyal et al. 2017
      for the warmup); ``warmup <= total``.

    ``Scheduled(Adam(lr=0.1), "cosine", total=300)`` is used like any optimizer. Yours too:
    it needs an ``lr`` attribute and ``update(params, grads)`` (and is reset if it has
    ``reset()``). A Scheduled has an ``lr`` as well, its base rate, so schedules nest and
    their factors multiply: ``Scheduled(Scheduled(SGD(0.1), "warmup", total=100), "step")``.
    """

    def __init__(self, optimizer, schedule="cosine", total=100, every=30, drop=0.5, warmup=10):
        if not hasattr(optimizer, "lr") or not callable(getattr(optimizer, "update", None)):
            raise TypeError(f"Scheduled needs an optimizer with an lr and update(params, grads), "
                            f"got {optimizer!r}")
        if schedule not in SCHEDULES:
            raise ValueError(f"unknown schedule {schedule!r}; choose one of: {', '.join(SCHEDULES)}")
        total, every, warmup = (check_count(name, value) for name, value in
                                (("total", total), ("every", every), ("warmup", warmup)))
        if schedule == "warmup" and warmup > total:
            raise ValueError(f"warmup={warmup!r} is longer than total={total!r}: need warmup <= total")
        self.drop = check_drop(drop)
        self.optimizer, self.schedule = optimizer, schedule
        self.total, self.every, self.warmup = total, every, warmup
        self.base_lr = optimizer.lr
        self.reset()

    def factor(self, t):
        """The multiplier of the learning rate at step t = 1, 2, ..."""
        if self.schedule == "constant":
            return 1.0
        if self.schedule == "step":
            return self.drop ** ((t - 1) // self.every)
        if self.schedule == "cosine":
            return _cosine(t, self.total)
        if t <= self.warmup:
            return t / self.warmup
        return _cosine(t - self.warmup, self.total - self.warmup)

    @property
    def lr(self):
        """The base learning rate, which the schedule multiplies (an outer schedule sets it)."""
        return self.base_lr

    @lr.setter
    def lr(self, value):
        self.base_lr = value

    @property
    def hyperparameters(self):
        return getattr(self.optimizer, "hyperparameters", {"lr": self.base_lr})

    @property
    def state(self):
        # an inner schedule's lr_t wins: that is the rate the rule took
        return {"lr_t": self.lr_t, **getattr(self.optimizer, "state", {})}

    def diagnostics(self, path, lr=None):
        """The wrapped optimizer's ``diagnostics``, at the learning rate of each step (the
        path's own ``lr_t``; ``lr`` is ignored)."""
        return self.optimizer.diagnostics(path, lr=path.state["lr_t"])

    def reset(self):
        self.t, self.lr_t = 0, self.base_lr
        self.optimizer.lr = self.base_lr
        if hasattr(self.optimizer, "reset"):
            self.optimizer.reset()

    def update(self, params, grads):
        t = self.t + 1
        lr_t = self.optimizer.lr = self.base_lr * self.factor(t)
        try:
            self.optimizer.update(params, grads)
        except Exception:
            self.optimizer.lr = self.lr_t  # the step did not happen: t and lr stay as they were
            raise
        self.t, self.lr_t = t, lr_t

    def __repr__(self):
        return f"Scheduled({self.optimizer!r}, {self.schedule!r})"
