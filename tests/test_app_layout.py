"""Readable apps (issue 11, points 4-5), checked on the figures themselves: each fits a
notebook's column, nothing is drawn outside it, no text is smaller than 9 points, the panels
keep apart, and the race's key sits on its plot. (tests/e2e/test_screens.py checks the same
apps in the browser, at the widths students meet.)"""
import itertools

import matplotlib
import pytest
from matplotlib.text import Text

from optimlib import OPTIMIZERS, SURFACES
from optimlib.widgets import explore, phase_map, race

matplotlib.use("Agg")

# A notebook's column in a 1000-px JupyterLab window with the file browser open (measured by
# tests/e2e/test_screens.py: 568 px), less a margin.
COLUMN = 560

APPS = {
    "race of four on the book": lambda **kw: race(
        ["SGD", "Momentum", "AdaGrad", "Adam"], surface="book", start=(-7, 2), steps=30, **kw),
    "race of six on Himmelblau": lambda **kw: race(list(OPTIMIZERS), surface="himmelblau",
                                                   start=(0, -3), steps=1000, **kw),
    "explore Adam": lambda **kw: explore("Adam", surface="rosenbrock", steps=1000, **kw),
    "explore SGD": lambda **kw: explore("SGD", surface="book", start=(-7, 2), steps=60, **kw),
    "map of Momentum": lambda **kw: phase_map("Momentum", "book", start=(-7, 2), cells=20, **kw),
    "map of Adam": lambda **kw: phase_map("Adam", "rosenbrock", y="beta1", cells=20, **kw),
}


def drawn(app):
    """Draw the app's figure as the browser gets it; return its renderer."""
    app.figure.canvas.draw()
    return app.figure.canvas.get_renderer()


def texts(figure):
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.fixture(params=APPS, scope="module")
def app(request):
    return APPS[request.param](backend="inline")


def test_an_app_fits_a_notebook_column(app):
    width, height = app.figure.get_size_inches() * app.figure.dpi
    assert width <= COLUMN and height <= 600


def test_nothing_is_cut_off_and_no_text_is_tiny(app):
    renderer = drawn(app)
    figure = app.figure.bbox
    for ax in app.figure.axes:  # each panel with its ticks, labels, key and texts
        box = ax.get_tightbbox(renderer)
        assert (box.x0 >= figure.x0 - 1 and box.x1 <= figure.x1 + 1 and box.y0 >= figure.y0 - 1
                and box.y1 <= figure.y1 + 1), f"{ax} reaches out of the figure: {box}"
    for text in texts(app.figure):
        assert text.get_fontsize() >= 9, f"{text.get_text()!r} is {text.get_fontsize()} pt"


def test_the_panels_keep_apart(app):
    """Every panel with its labels, ticks and key keeps 4 px from every other: a panel that
    repaints itself in place (``LiveCanvas.repainting``) would otherwise wipe a neighbour's
    pixels."""
    renderer = drawn(app)
    for a, b in itertools.combinations(app.figure.axes, 2):
        box_a, box_b = a.get_tightbbox(renderer), b.get_tightbbox(renderer)
        apart = (box_a.x1 + 4 <= box_b.x0 or box_b.x1 + 4 <= box_a.x0
                 or box_a.y1 + 4 <= box_b.y0 or box_b.y1 + 4 <= box_a.y0)
        assert apart, f"{a.get_label() or a} touches {b.get_label() or b}: {box_a}, {box_b}"


@pytest.mark.parametrize("surface", ["book", "himmelblau", "six_hump_camel"])
def test_the_race_key_sits_right_on_its_plot(surface):
    """Whatever the shape of the surface (the plot keeps x and y to scale), the key stays
    centred just above the plot, with no blank band between them; also after the surface
    changes."""
    app = race(list(OPTIMIZERS), surface="rosenbrock", backend="inline")
    app.controls["surface"].value = SURFACES[surface]
    renderer = drawn(app)
    ax = app.axes["paths"]
    plot, key = ax.get_window_extent(renderer), ax.get_legend().get_window_extent(renderer)
    assert 0 <= key.y0 - plot.y1 <= 6
    assert abs((key.x0 + key.x1) / 2 - (plot.x0 + plot.x1) / 2) <= 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(OPTIMIZERS)


@pytest.mark.parametrize("make", APPS.values(), ids=APPS)
def test_scale_draws_the_same_app_larger_for_a_projector(make):
    """A lecture hall's 1280-px projector: ``scale=2`` draws everything twice as large
    (text too), the same picture in twice the pixels."""
    small, large = make(backend="inline"), make(backend="inline", scale=2)
    assert (large.figure.get_size_inches() == small.figure.get_size_inches()).all()
    assert large.figure.dpi == 2 * small.figure.dpi == 200
    assert 1024 <= large.figure.bbox.width <= 1250
