"""Surfaces: analytic gradients against finite differences, stated minima, names, user surfaces."""
import numpy as np
import pytest

from optimlib import SURFACES, Surface, get_surface

REQUIRED = ["book", "rotated", "rosenbrock", "beale", "himmelblau", "saddle", "rastrigin",
            "six_hump_camel", "booth"]


def test_the_design_list_is_there():
    assert set(REQUIRED) <= set(SURFACES)


def assert_gradient_matches_finite_differences(surface, n=1000, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(*surface.xlim, size=n)
    y = rng.uniform(*surface.ylim, size=n)
    h = 1e-6 * np.maximum(1, np.maximum(np.abs(x), np.abs(y)))
    dx = (surface.f(x + h, y) - surface.f(x - h, y)) / (2 * h)
    dy = (surface.f(x, y + h) - surface.f(x, y - h)) / (2 * h)
    gx, gy = surface.grad(x, y)
    # Rounding in f(x +- h) is about 1e-16 |f| / h; allow a thousand times that.
    tol = 1e-7 + 1e-7 * np.abs(surface.f(x, y)) + 1e-6 * np.hypot(gx, gy)
    assert np.shape(gx) == np.shape(gy) == (n,)
    assert (np.abs(gx - dx) <= tol).all(), surface.name
    assert (np.abs(gy - dy) <= tol).all(), surface.name


@pytest.mark.parametrize("name", SURFACES)
def test_gradient_matches_central_differences_at_1000_points(name):
    assert_gradient_matches_finite_differences(SURFACES[name])


def test_the_gradient_check_catches_a_wrong_gradient():
    rosen = SURFACES["rosenbrock"]
    for wrong in (lambda x, y: (rosen.grad(x, y)[0] * 1.001, rosen.grad(x, y)[1]),
                  lambda x, y: (rosen.grad(x, y)[0], -rosen.grad(x, y)[1]),
                  lambda x, y: rosen.grad(y, x)):
        broken = Surface("broken", rosen.f, wrong, rosen.xlim, rosen.ylim, rosen.start)
        with pytest.raises(AssertionError):
            assert_gradient_matches_finite_differences(broken)


@pytest.mark.parametrize("name", SURFACES)
def test_stated_minima_are_minima(name):
    s = SURFACES[name]
    assert s.minima, "every built-in surface states its global minima"
    for x, y in s.minima:
        assert s.f(x, y) == pytest.approx(s.min_value, abs=1e-12)
        assert np.hypot(*s.grad(x, y)) < 1e-9
        assert s.xlim[0] < x < s.xlim[1] and s.ylim[0] < y < s.ylim[1]
    # nothing on a fine grid over the plot is lower than the stated minimum
    x, y = np.meshgrid(np.linspace(*s.xlim, 401), np.linspace(*s.ylim, 401))
    assert s.f(x, y).min() >= s.min_value - 1e-12


@pytest.mark.parametrize("name", SURFACES)
def test_start_inside_the_plot_and_described(name):
    s = SURFACES[name]
    assert s.xlim[0] < s.start[0] < s.xlim[1] and s.ylim[0] < s.start[1] < s.ylim[1]
    assert s.formula and s.lesson.endswith(".")
    assert s.f(*s.start) > s.min_value + 1e-3


def test_vectorised_helpers_take_stacked_points():
    s = SURFACES["himmelblau"]
    pts = np.random.default_rng(1).uniform(-4, 4, size=(7, 3, 2))
    assert s.value(pts).shape == (7, 3) and s.gradient(pts).shape == (7, 3, 2)
    np.testing.assert_array_equal(s.gradient(pts)[..., 1], s.grad(pts[..., 0], pts[..., 1])[1])


def test_rotated_bowl_is_the_books_bowl_turned_30_degrees():
    book, rotated = SURFACES["book"], SURFACES["rotated"]
    c, s = np.cos(np.pi / 6), np.sin(np.pi / 6)
    p = np.random.default_rng(2).normal(size=(100, 2)) * 5
    turned = p @ np.array([[c, -s], [s, c]]).T
    np.testing.assert_allclose(rotated.value(turned), book.value(p), rtol=1e-12)
    np.testing.assert_allclose(rotated.start, (c * -7 - s * 2, s * -7 + c * 2), atol=0.01)


def test_get_surface():
    assert get_surface("rosenbrock") is SURFACES["rosenbrock"]
    assert get_surface(SURFACES["booth"]) is SURFACES["booth"]
    with pytest.raises(ValueError) as error:
        get_surface("nope")
    assert "'nope'" in str(error.value)
    assert all(name in str(error.value) for name in SURFACES)


def test_a_users_surface():
    bowl = Surface("bowl", f=lambda x, y: x**2 + y**2, grad=lambda x, y: (2 * x, 2 * y),
                   xlim=(-2, 2), ylim=(-2, 2), start=(1.5, 1.0), minima=[(0, 0)], min_value=0)
    assert bowl.start == (1.5, 1.0) and bowl.minima == ((0.0, 0.0),)
    assert_gradient_matches_finite_differences(bowl)
    assert bowl.gradient([1.0, 0.5]).tolist() == [2.0, 1.0]


def test_a_constant_gradient_component_is_broadcast():
    tilted = Surface("tilted", f=lambda x, y: x**2 + y, grad=lambda x, y: (2 * x, 1.0),
                     xlim=(-1, 1), ylim=(-1, 1), start=(0.5, 0.5))
    np.testing.assert_array_equal(tilted.gradient(np.zeros((4, 2)))[:, 1], 1.0)


@pytest.mark.parametrize("changes, error, message", [
    ({"f": "x**2 + y**2"}, TypeError, "strings are never evaluated"),
    ({"grad": None}, TypeError, "grad must be a function"),
    ({"xlim": (2, -2)}, ValueError, "low < high"),
    ({"ylim": (0, float("inf"))}, ValueError, "ylim must be 2 finite numbers"),
    ({"start": (1, 2, 3)}, ValueError, "start must be 2 finite numbers"),
    ({"start": "origin"}, TypeError, "start must be 2 numbers"),
    ({"minima": [(0, 0)]}, ValueError, "needs their min_value"),
])
def test_bad_user_surfaces_are_refused(changes, error, message):
    args = dict(name="s", f=lambda x, y: x + y, grad=lambda x, y: (1.0, 1.0),
                xlim=(-1, 1), ylim=(-1, 1), start=(0, 0))
    with pytest.raises(error, match=message):
        Surface(**{**args, **changes})


@pytest.mark.parametrize("name", [n for n, s in SURFACES.items() if s.curvatures])
def test_stated_curvatures_are_the_hessians_eigenvalues(name):
    s = SURFACES[name]
    h = 1e-4
    hessian = np.array([[(s.grad(h, 0)[i] - s.grad(-h, 0)[i]) / (2 * h),
                         (s.grad(0, h)[i] - s.grad(0, -h)[i]) / (2 * h)] for i in (0, 1)])
    np.testing.assert_allclose(np.linalg.eigvalsh(hessian), s.curvatures, rtol=1e-6)
    for x, y in np.random.default_rng(0).normal(size=(5, 2)) * 3:   # and it is constant
        local = np.array([[(s.grad(x + h, y)[i] - s.grad(x - h, y)[i]) / (2 * h),
                           (s.grad(x, y + h)[i] - s.grad(x, y - h)[i]) / (2 * h)] for i in (0, 1)])
        np.testing.assert_allclose(local, hessian, atol=1e-6)


def test_theory_needs_a_quadratic():
    from optimlib.surfaces import momentum_optimum, sgd_stability_limit
    assert sgd_stability_limit("book") == 1.0
    lr, momentum = momentum_optimum("book")
    assert lr == pytest.approx(1.3358, abs=1e-4) and momentum == pytest.approx(0.4026, abs=1e-4)
    with pytest.raises(ValueError, match="'rosenbrock' is not a quadratic"):
        sgd_stability_limit("rosenbrock")


def test_the_damping_roots_match_a_closed_form_and_the_recurrences_eigenvalues():
    """momentum_roots (notebook 02b) against the closed forms of the three regimes, and against
    np.linalg.eigvals of the 2x2 matrix that maps (x_k, x_{k-1}) to (x_{k+1}, x_k)."""
    from optimlib.surfaces import momentum_roots
    # critically damped: lr lam = (1 -+ sqrt(mu))^2 gives the double root +-sqrt(mu)
    for lr, mu, lam, double in ((0.64, 0.04, 1.0, 0.2), (1.44, 0.04, 1.0, -0.2)):
        np.testing.assert_allclose(momentum_roots(lr, mu, lam), [double, double], atol=1e-12)
    # under-damped: a complex pair of magnitude sqrt(mu); momentum 0.5, lr lam = 0.5: r = (1 +- i) / 2
    r1, r2 = momentum_roots(0.5, 0.5, 1.0)
    assert {complex(r1), complex(r2)} == {0.5 + 0.5j, 0.5 - 0.5j}
    # over-damped: momentum 0.09, lr lam = 0.09: r^2 - r + 0.09 = (r - 0.9)(r - 0.1)
    np.testing.assert_allclose(momentum_roots(0.9, 0.09, 0.1), [0.9, 0.1], atol=1e-12)
    # momentum 0 is SGD: one root 1 - lr lam, the other 0
    np.testing.assert_allclose(momentum_roots(0.3, 0.0, 2.0), [0.4, 0.0], atol=1e-12)
    rng = np.random.default_rng(1)
    lr, mu, lam = rng.uniform(0.01, 3, 500), rng.uniform(0, 0.999, 500), rng.uniform(0.01, 3, 500)
    r1, r2 = momentum_roots(lr, mu, lam)                       # arrays broadcast
    assert r1.shape == (500,) and (np.abs(r1) >= np.abs(r2)).all()
    for k in range(500):
        matrix = [[1 + mu[k] - lr[k] * lam[k], -mu[k]], [1, 0]]
        eig = np.linalg.eigvals(matrix)
        eig = eig[np.argsort(-np.abs(eig))]
        np.testing.assert_allclose(np.abs([r1[k], r2[k]]), np.abs(eig), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(np.sort_complex([r1[k], r2[k]]), np.sort_complex(eig.astype(complex)),
                                   atol=1e-6)
