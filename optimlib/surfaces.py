"""Two-dimensional loss surfaces to race optimizers on.

A ``Surface`` holds a loss f(x, y), its analytic gradient, plot bounds, known global
minima, a default start, its formula and what it teaches. Both functions take arrays of
x and y and work element-wise, so one call evaluates a whole grid or a batch of paths.
Build your own from two functions::

    bowl = Surface("bowl", f=lambda x, y: x**2 + y**2, grad=lambda x, y: (2 * x, 2 * y),
                   xlim=(-2, 2), ylim=(-2, 2), start=(1.5, 1.0), minima=[(0, 0)], min_value=0)
"""
from dataclasses import dataclass

import numpy as np

__all__ = ["Surface", "SURFACES", "get_surface", "momentum_optimum", "momentum_roots",
           "momentum_stability_limit", "sgd_stability_limit"]


@dataclass(frozen=True, eq=False)
class Surface:
    """A loss surface: f(x, y), its gradient (df/dx, df/dy), where to look and where to start."""

    name: str
    f: object
    grad: object
    xlim: tuple
    ylim: tuple
    start: tuple
    minima: tuple = ()
    min_value: float = None
    formula: str = ""
    lesson: str = ""
    curvatures: tuple = None  # (smallest, largest) eigenvalue of the Hessian, for quadratics

    def __post_init__(self):
        for what in ("f", "grad"):
            if not callable(getattr(self, what)):
                raise TypeError(f"Surface {what} must be a function of (x, y), e.g. "
                                f"lambda x, y: x**2 + y**2; got {getattr(self, what)!r} "
                                f"(strings are never evaluated)")
        for what in ("xlim", "ylim"):
            low, high = _floats(what, getattr(self, what), 2)
            if not low < high:
                raise ValueError(f"Surface {what} must be (low, high) with low < high, "
                                 f"got {getattr(self, what)!r}")
            object.__setattr__(self, what, (low, high))
        object.__setattr__(self, "start", _floats("start", self.start, 2))
        minima = tuple(_floats("minima", point, 2) for point in self.minima)
        object.__setattr__(self, "minima", minima)
        if minima and self.min_value is None:
            raise ValueError("Surface with minima needs their min_value")
        self._probe()

    def _probe(self):
        """Call f and grad once on a 3 x 3 grid over the plot, so that a function that does
        not take arrays or gives the wrong shape fails here, naming itself, and not later
        deep inside a run or a plot."""
        x, y = np.meshgrid(np.linspace(*self.xlim, 3), np.linspace(*self.ylim, 3))
        z = _real("f", self._call("f", x, y))
        if np.shape(z) != x.shape:
            raise ValueError(f"Surface f must return one loss per point, shaped like x "
                             f"({x.shape} here), got shape {np.shape(z)}; for a constant "
                             f"write 0 * x + c")
        gradient = self._call("grad", x, y)
        if not (isinstance(gradient, (tuple, list, np.ndarray)) and len(gradient) == 2):
            got = (f"an array of shape {gradient.shape}" if isinstance(gradient, np.ndarray) else
                   f"{len(gradient)} values" if hasattr(gradient, "__len__") else repr(gradient))
            raise ValueError(f"Surface grad must return two values (df/dx, df/dy), got {got}")
        for part, values in zip(("df/dx", "df/dy"), gradient):
            if np.shape(values) not in (x.shape, ()):
                raise ValueError(f"Surface grad's {part} must be shaped like x ({x.shape} "
                                 f"here) or a number, got shape {np.shape(values)}")
            _real(f"grad's {part}", values)

    def _call(self, what, x, y):
        """``what`` ("f" or "grad") at the arrays x and y, or an error that names it."""
        try:
            with np.errstate(all="ignore"):  # a pole on the plot is allowed
                values = getattr(self, what)(x, y)
        except Exception as error:
            raise TypeError(f"Surface {what} must work element-wise on numpy arrays x and y "
                            f"(np.sin, not math.sin); on a 3 x 3 grid it raised "
                            f"{type(error).__name__}: {error}") from error
        return values

    def value(self, points):
        """The loss at points of shape (..., 2)."""
        points = np.asarray(points, dtype=float)
        return np.asarray(self.f(points[..., 0], points[..., 1]), dtype=float)

    def gradient(self, points):
        """The gradient at points of shape (..., 2), as an array of the same shape."""
        points = np.asarray(points, dtype=float)
        dx, dy = self.grad(points[..., 0], points[..., 1])
        return np.stack(np.broadcast_arrays(dx, dy), axis=-1).astype(float, copy=False)

    def check_start(self, start):
        """``start`` as (x, y) floats, or a clear error if it is not a point on the plot."""
        try:
            x, y = (float(v) for v in start)
        except (TypeError, ValueError):
            raise ValueError(f"start must be (x, y), got {start!r}") from None
        (x0, x1), (y0, y1) = self.xlim, self.ylim
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            raise ValueError(f"start ({x:g}, {y:g}) is outside the plot of {self.name}: "
                             f"x must be in [{x0:g}, {x1:g}] and y in [{y0:g}, {y1:g}]")
        return (x, y)

    def __repr__(self):
        return f"<Surface {self.name}: {self.formula}>"


def _real(what, values):
    """``values``, once they are real numbers (not strings, objects or complex)."""
    if np.asarray(values).dtype.kind not in "biuf":
        raise TypeError(f"Surface {what} must return real numbers, got {np.asarray(values).dtype}")
    return values


def _floats(what, value, n):
    try:
        values = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(f"Surface {what} must be {n} numbers, got {value!r}") from None
    if len(values) != n or not all(np.isfinite(values)):
        raise ValueError(f"Surface {what} must be {n} finite numbers, got {value!r}")
    return values


def _book(x, y):
    return x**2 / 20 + y**2


def _book_grad(x, y):
    return x / 10, 2 * y


# The book's bowl turned by 30 degrees: same curvatures (0.1 and 2) but no longer along x and y.
_C, _S = np.cos(np.pi / 6), np.sin(np.pi / 6)
_A, _B, _D = 0.1 * _C**2 + 2 * _S**2, (0.1 - 2) * _S * _C, 0.1 * _S**2 + 2 * _C**2


def _rotated(x, y):
    return (_A * x**2 + 2 * _B * x * y + _D * y**2) / 2


def _rotated_grad(x, y):
    return _A * x + _B * y, _B * x + _D * y


def _rosenbrock(x, y):
    return (1 - x)**2 + 100 * (y - x**2)**2


def _rosenbrock_grad(x, y):
    return -2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)


def _beale(x, y):
    return (1.5 - x + x * y)**2 + (2.25 - x + x * y**2)**2 + (2.625 - x + x * y**3)**2


def _beale_grad(x, y):
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    return (2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1),
            2 * a * x + 4 * b * x * y + 6 * c * x * y**2)


def _himmelblau(x, y):
    return (x**2 + y - 11)**2 + (x + y**2 - 7)**2


def _himmelblau_grad(x, y):
    a, b = x**2 + y - 11, x + y**2 - 7
    return 4 * a * x + 2 * b, 2 * a + 4 * b * y


def _saddle(x, y):
    return x**2 + y**4 / 4 - y**2


def _saddle_grad(x, y):
    return 2 * x, y**3 - 2 * y


def _rastrigin(x, y):
    return 20 + x**2 - 10 * np.cos(2 * np.pi * x) + y**2 - 10 * np.cos(2 * np.pi * y)


def _rastrigin_grad(x, y):
    return (2 * x + 20 * np.pi * np.sin(2 * np.pi * x),
            2 * y + 20 * np.pi * np.sin(2 * np.pi * y))


def _camel(x, y):
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def _camel_grad(x, y):
    return 8 * x - 8.4 * x**3 + 2 * x**5 + y, x - 8 * y + 16 * y**3


def _booth(x, y):
    return (x + 2 * y - 7)**2 + (2 * x + y - 5)**2


def _booth_grad(x, y):
    a, b = x + 2 * y - 7, 2 * x + y - 5
    return 2 * a + 4 * b, 4 * a + 2 * b


SURFACES = {s.name: s for s in [
    Surface("book", _book, _book_grad, xlim=(-10, 10), ylim=(-5, 5), start=(-7, 2),
            minima=[(0, 0)], min_value=0.0, formula=r"f(x, y) = \frac{x^2}{20} + y^2",
            lesson="The book's bowl is 20 times steeper in y than in x: plain SGD zigzags "
                   "across the valley while crawling along it.", curvatures=(0.1, 2.0)),
    Surface("rotated", _rotated, _rotated_grad, xlim=(-10, 10), ylim=(-6, 6),
            start=(-7.06, -1.77), minima=[(0, 0)], min_value=0.0,
            formula=r"f(p) = \tfrac12 p^\top R_{30^\circ} \mathrm{diag}(0.1, 2) R_{30^\circ}^\top p",
            lesson="The book's bowl turned by 30 degrees: per-coordinate step sizes "
                   "(AdaGrad, RMSprop, Adam) help less when the valley is not along an axis.",
            curvatures=(0.1, 2.0)),
    Surface("rosenbrock", _rosenbrock, _rosenbrock_grad, xlim=(-2, 2), ylim=(-1, 3),
            start=(-1.2, 1.0), minima=[(1, 1)], min_value=0.0,
            formula=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
            lesson="A long, curved, flat-bottomed valley: finding it is easy, following it "
                   "to the minimum is hard."),
    Surface("beale", _beale, _beale_grad, xlim=(-4.5, 4.5), ylim=(-4.5, 4.5),
            start=(1.0, 1.5), minima=[(3, 0.5)], min_value=0.0,
            formula=r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
            lesson="Plateaus next to cliffs: gradients range over many orders of magnitude, "
                   "which adaptive step sizes handle and a fixed one does not."),
    Surface("himmelblau", _himmelblau, _himmelblau_grad, xlim=(-5, 5), ylim=(-5, 5),
            start=(-0.5, -0.5),
            minima=[(3, 2), (-2.805118086952745, 3.131312518250573),
                    (-3.779310253377747, -3.283185991286169),
                    (3.5844283403304917, -1.8481265269644034)], min_value=0.0,
            formula=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
            lesson="Four equally good minima: which one an optimizer finds depends on the "
                   "start and on its hyperparameters."),
    Surface("saddle", _saddle, _saddle_grad, xlim=(-2.5, 2.5), ylim=(-2.5, 2.5),
            start=(-2.0, 0.01), minima=[(0, 2**0.5), (0, -2**0.5)], min_value=-1.0,
            formula=r"f(x, y) = x^2 + \frac{y^4}{4} - y^2",
            lesson="A saddle point at the origin: the gradient there is zero, and an "
                   "optimizer that starts near the ridge must escape along y."),
    Surface("rastrigin", _rastrigin, _rastrigin_grad, xlim=(-5.12, 5.12), ylim=(-5.12, 5.12),
            start=(-3.3, 2.6), minima=[(0, 0)], min_value=0.0,
            formula=r"f(x, y) = 20 + \sum_{u \in \{x, y\}} \left(u^2 - 10 \cos 2\pi u\right)",
            lesson="A bowl covered in bumps with a local minimum near every integer point: "
                   "gradient descent stops in the first one it meets."),
    Surface("six_hump_camel", _camel, _camel_grad, xlim=(-2, 2), ylim=(-1, 1),
            start=(-1.5, 0.8),
            minima=[(0.08984201310031807, -0.7126564030207396),
                    (-0.08984201310031807, 0.7126564030207396)],
            min_value=-1.0316284534898774,
            formula=r"f(x, y) = (4 - 2.1x^2 + x^4/3)\,x^2 + xy + (4y^2 - 4)\,y^2",
            lesson="Six local minima, two of them global: a small change of learning rate "
                   "can send a path into a different basin."),
    Surface("booth", _booth, _booth_grad, xlim=(-10, 10), ylim=(-10, 10), start=(-8, -8),
            minima=[(1, 3)], min_value=0.0,
            formula=r"f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2",
            lesson="A plain, well-conditioned quadratic bowl: every optimizer should do well "
                   "here, a sanity check before the hard surfaces.", curvatures=(2.0, 18.0)),
]}


def get_surface(name):
    """The built-in surface called ``name`` (a ``Surface`` is passed through unchanged)."""
    if isinstance(name, Surface):
        return name
    try:
        return SURFACES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown surface {name!r}; choose one of: "
                         f"{', '.join(SURFACES)}") from None


# --- what theory says on a quadratic surface (its curvatures ell <= L) ------------------

def _curvatures(surface):
    surface = get_surface(surface)
    if surface.curvatures is None:
        raise ValueError(f"surface {surface.name!r} is not a quadratic with known curvatures")
    return surface.curvatures


def sgd_stability_limit(surface):
    """SGD converges on a quadratic exactly when lr < 2 / L (notebook 01)."""
    return 2 / _curvatures(surface)[1]


def momentum_stability_limit(surface, momentum):
    """The heavy ball converges on a quadratic exactly when lr < 2 (1 + momentum) / L."""
    return 2 * (1 + np.asarray(momentum, dtype=float)) / _curvatures(surface)[1]


def momentum_optimum(surface):
    """Polyak's (1964) best (lr, momentum) on a quadratic with condition number kappa = L / ell:
    lr = 4 / (sqrt(L) + sqrt(ell))^2, momentum = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2."""
    ell, big = _curvatures(surface)
    root_kappa = np.sqrt(big / ell)
    return 4 / (np.sqrt(big) + np.sqrt(ell)) ** 2, ((root_kappa - 1) / (root_kappa + 1)) ** 2


def momentum_roots(lr, momentum, curvature):
    """The two roots of the heavy ball along one direction of curvature lam (notebook 02b).

    There the gradient is lam x, and p <- p + v with v <- momentum v - lr lam x gives the linear
    recurrence x_{k+1} = (1 + momentum - lr lam) x_k - momentum x_{k-1}: x_k = c1 r1^k + c2 r2^k,
    r1, r2 the roots of r^2 - (1 + momentum - lr lam) r + momentum = 0 (the eigenvalues of
    [[1 + momentum - lr lam, -momentum], [1, 0]]). Complex (under-damped) they have |r| =
    sqrt(momentum), their product; real and equal (critically damped) when lr lam = (1 +- sqrt(momentum))^2.
    Arrays broadcast; returns complex (r1, r2), |r1| >= |r2|: |r1| is the rate of the path.
    """
    momentum = np.asarray(momentum, dtype=float)
    b = 1 + momentum - np.asarray(lr, dtype=float) * np.asarray(curvature, dtype=float)
    root = np.sqrt(b * b - 4 * momentum + 0j)
    plus, minus = (b + root) / 2, (b - root) / 2
    swap = np.abs(minus) > np.abs(plus)
    return np.where(swap, minus, plus), np.where(swap, plus, minus)
