"""The anatomy of a step: the parts an optimizer's step is made of, as arrows on the contour.

At the step shown (frame k: the step from point k - 1 to point k, the newest of the path),
``step_anatomy`` splits the step into the terms of the rule's update, each read from the
state the rule recorded in the path (``path.state``) and from its ``diagnostics``; it never
re-runs the rule. ``StepArrows`` draws them: the *parts* head to tail, so that they end
where the step ends, at point k; the *references* (the plain gradient step, Adam's momentum
before its per-coordinate scale) from point k - 1, to compare the step with.

    Momentum   step = μ v_prev + (−η g)                            (v = μ v_prev − η g)
    Nesterov   step = μ v_prev + (−η g) + μ (v − v_prev)           (the look-ahead)
    AdaGrad,   step = (s_x·(−η g_x), 0) + (0, s_y·(−η g_y)),       s = 1 / (√h + ε)
    RMSprop
    Adam       step = legs of −η m̂ scaled per coordinate by       s = 1 / (√v̂ + ε̂)
    AdamW      ... after the weight decay −η λ p
"""
from typing import NamedTuple

import numpy as np
from matplotlib.legend_handler import HandlerPatch
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow

__all__ = ["ARROWS", "Anatomy", "KEYS", "StepArrows", "step_anatomy"]

ARROWS = {  # each arrow's name in the key, and its colour
    "gradient": ("−η g gradient", "#D00000"),
    "momentum": ("μ v momentum", "#1F3FBF"),
    "look-ahead": ("μ Δv look-ahead", "#A000A0"),
    "decay": ("−η λ p decay", "#8C510A"),
    "m_hat": ("−η m̂ momentum", "#1F3FBF"),
    "legs": ("legs x, y", "#E08000"),
    "step": ("step", "#000000"),
}
_ADAPTIVE = ("gradient", "legs", "step")
_ADAM = ("gradient", "m_hat", "legs", "step")
KEYS = {"SGD": ("gradient", "step"), "Momentum": ("momentum", "gradient", "step"),
        "Nesterov": ("momentum", "gradient", "look-ahead", "step"),
        "AdaGrad": _ADAPTIVE, "RMSprop": _ADAPTIVE, "Adam": _ADAM, "AMSGrad": _ADAM,
        "AdamW": ("gradient", "m_hat", "decay", "legs", "step")}
"""The arrows of each rule, as its key lists them."""


class Anatomy(NamedTuple):
    """Step k of a path: it goes from ``point`` by ``step`` (to point k).

    parts: {arrow: vector}, in order; head to tail from ``point`` they end at point k.
    references: {arrow: vector} drawn from ``point``, to compare the step with.
    """

    point: np.ndarray
    step: np.ndarray
    parts: dict
    references: dict


def step_anatomy(name, optimizer, path, series, k):
    """The anatomy of step k (1 <= k <= steps) of ``path``, which the optimizer called
    ``name`` ran (a built-in, maybe ``Scheduled``); ``series``: its ``diagnostics(path)``.
    None where the path has no finite step k (it diverged)."""
    rule = getattr(optimizer, "optimizer", optimizer)  # a Scheduled rule: the rule inside
    state = path.state
    lr = state["lr_t"][k] if "lr_t" in state else rule.lr  # the rate step k took
    point, step = path.points[k - 1], path.points[k] - path.points[k - 1]
    if not np.isfinite(step).all():
        return None
    parts, references = _RULES[name](rule, state, series, lr, k, step, point)
    return Anatomy(point, step, parts, references)


def _sgd(rule, state, series, lr, k, step, point):
    return {"gradient": step}, {}  # SGD's step is its gradient step and nothing else


def _momentum(rule, state, series, lr, k, step, point):
    mu, v, v_prev = rule.momentum, state["v"][k], state["v"][k - 1]
    return {"momentum": mu * v_prev, "gradient": v - mu * v_prev}, {}


def _nesterov(rule, state, series, lr, k, step, point):
    mu, v, v_prev = rule.momentum, state["v"][k], state["v"][k - 1]
    # p += μ² v_prev − (1 + μ) η g: Momentum's two parts, and μ times the change of v
    return {"momentum": mu * v_prev, "gradient": v - mu * v_prev,
            "look-ahead": mu * (v - v_prev)}, {}


def _adaptive(rule, state, series, lr, k, step, point):
    # step = −η g · s per coordinate, s = effective_lr / η = 1 / (√h + ε)
    return _legs(step), {"gradient": step * lr / series["effective_lr"][k]}


def _adam(rule, state, series, lr, k, step, point):
    beta1, t, m, m_prev = rule.beta1, state["t"][k], state["m"][k], state["m"][k - 1]
    gradient = -lr * (m - beta1 * m_prev) / (1 - beta1)  # m = β1 m_prev + (1 − β1) g
    m_hat = m / (1 - np.power(beta1, t))
    return _legs(step), {"gradient": gradient, "m_hat": -lr * m_hat}


def _adamw(rule, state, series, lr, k, step, point):
    legs, references = _adam(rule, state, series, lr, k, step, point)
    decay = -lr * rule.weight_decay * point  # p -= η λ p, then Adam's step from there
    return {"decay": decay, **_legs(step - decay)}, references


def _legs(step):
    """The step as its x leg, then its y leg."""
    return {"legs x": np.array([step[0], 0.0]), "legs y": np.array([0.0, step[1]])}


_RULES = {"SGD": _sgd, "Momentum": _momentum, "Nesterov": _nesterov, "AdaGrad": _adaptive,
          "RMSprop": _adaptive, "Adam": _adam, "AMSGrad": _adam, "AdamW": _adamw}


class StepArrows:
    """The arrows of a step on the contour ``ax``: one line each (shaft and head), animated.

    To scale where they can be seen: a step whose longest arrow is shorter than ``SHORTEST``
    pixels is drawn longer, to that length, and one longer than ``LONGEST`` of the plot's
    smaller side shorter, to that (all its arrows alike, so that they still add up); a
    reference longer than ``LONGEST`` is cut to it. An arrow not to scale is dashed."""

    SHORTEST, LONGEST, HEAD = 40, 0.5, 8  # pixels, a fraction of the plot, pixels
    THIN, DASHES = 1.6, (3, 2)  # an arrow's linewidth, its dashes in linewidths (the key's)

    def __init__(self, ax, name):
        self.ax, self.name = ax, name
        self.lines = {}
        for arrow in KEYS[name]:
            # the step wide and pale beneath its parts, which may lie along it; Adam's −η m̂
            # wider than the thin gradient on top of it (at step 1 they are equal: both show);
            # all of them above the start's marker
            style = (dict(linewidth=4, alpha=0.35, zorder=6.5) if arrow == "step" else
                     dict(linewidth=2.2 * self.THIN, zorder=6.55) if arrow == "m_hat" else
                     dict(linewidth=self.THIN, zorder=6.6))
            for key in (("legs x", "legs y") if arrow == "legs" else (arrow,)):
                (self.lines[key],) = ax.plot([], [], color=ARROWS[arrow][1], **style)

    def key(self, ax, **legend):
        """The key of the arrows, as a legend of ``ax``."""
        handles = [FancyArrow(0, 0, 1, 0, color=ARROWS[arrow][1],
                              alpha=self.lines[arrow if arrow != "legs" else "legs x"].get_alpha())
                   for arrow in KEYS[self.name]]
        labels = [ARROWS[arrow][0] for arrow in KEYS[self.name]]
        handles.append(Line2D([], [], color="grey", linestyle=(0, self.DASHES),
                              linewidth=self.THIN))
        labels.append("not to scale")
        return ax.legend(handles, labels, handler_map={FancyArrow: HandlerPatch(_key_arrow)},
                         **legend)

    def show(self, anatomy):
        """Draw ``anatomy`` (hide every arrow for None)."""
        drawn = dict.fromkeys(self.lines, (np.empty(0), np.empty(0)))
        styles = dict.fromkeys(self.lines, "-")
        if anatomy is not None:
            drawn, styles = self._arrows(anatomy, drawn, styles)
        for key, line in self.lines.items():
            line.set_data(*drawn[key])
            # dashes as long in pixels on the wide step as on the thin arrows (matplotlib
            # scales them with the width: the step's would be two blobs on a short arrow)
            thin = self.THIN / line.get_linewidth()
            line.set_linestyle(styles[key] if styles[key] == "-" else
                               (0, tuple(thin * d for d in self.DASHES)))

    def _arrows(self, anatomy, drawn, styles):
        (x0, x1), (y0, y1) = self.ax.get_xlim(), self.ax.get_ylim()
        side = min(abs(x1 - x0), abs(y1 - y0))
        # The plot keeps x and y to scale, shrinking its box to fit (at the next draw: so
        # from the box it may have, not the one it has now)
        box = self.ax.get_position(original=True).transformed(self.ax.figure.transFigure)
        per_pixel = max(abs(x1 - x0) / box.width, abs(y1 - y0) / box.height)
        vectors = [*anatomy.parts.values(), anatomy.step, *anatomy.references.values()]
        if not all(np.isfinite(v).all() for v in vectors):
            return drawn, styles
        longest = max(np.hypot(*v) for v in (*anatomy.parts.values(), anatomy.step))
        if longest == 0:
            return drawn, styles  # no step (the gradient is zero): nothing to draw
        factor = np.clip(longest, self.SHORTEST * per_pixel, self.LONGEST * side) / longest
        scaled = "-" if factor == 1 else "--"
        tail = anatomy.point
        for key, vector in anatomy.parts.items():
            drawn[key], styles[key] = _arrow(tail, factor * vector, self.HEAD * per_pixel), scaled
            tail = tail + factor * vector
        drawn["step"], styles["step"] = (_arrow(anatomy.point, factor * anatomy.step,
                                                self.HEAD * per_pixel), scaled)
        for key, vector in anatomy.references.items():
            length = np.hypot(*vector) * factor
            cut = min(1.0, self.LONGEST * side / length) if length > 0 else 1.0
            drawn[key] = _arrow(anatomy.point, factor * cut * vector, self.HEAD * per_pixel)
            styles[key] = "-" if factor * cut == 1 else "--"
        return drawn, styles


def _arrow(tail, vector, head):
    """x and y data of a line from ``tail`` along ``vector`` with an open head of length
    ``head`` (at most 40 % of the arrow) at its end; NaN breaks the line."""
    tip = tail + vector
    length = np.hypot(*vector)
    if length == 0:
        return np.empty(0), np.empty(0)
    back = -vector / length * min(head, 0.4 * length)
    c, s = np.cos(0.45), np.sin(0.45)  # the barbs at ±26°
    left = tip + [c * back[0] - s * back[1], s * back[0] + c * back[1]]
    right = tip + [c * back[0] + s * back[1], -s * back[0] + c * back[1]]
    x = [tail[0], tip[0], np.nan, left[0], tip[0], right[0]]
    y = [tail[1], tip[1], np.nan, left[1], tip[1], right[1]]
    return np.array(x), np.array(y)


def _key_arrow(legend, orig_handle, xdescent, ydescent, width, height, fontsize):
    """An arrow for the key, in the colour of ``orig_handle``."""
    return FancyArrow(-xdescent, height / 2 - ydescent, width, 0, width=1.2,
                      head_width=5, head_length=6, length_includes_head=True,
                      color=orig_handle.get_facecolor(), alpha=orig_handle.get_alpha())
