"""An exception inside an app's callback is shown under the app (not in a log nobody
reads), the app shows no path of old settings, and the next event works."""
import importlib

import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent

from optimlib import SURFACES, get_optimizer, run
from optimlib.widgets import phase_map, race
from test_widgets_repaint import Browser, assert_same_pixels, kernel_pixels


class Fragile:
    """An optimizer of a student's own that gives up: after ``patience`` updates, or on a
    gradient steeper than 100 (e.g. on rosenbrock)."""

    name = "Fragile"

    def __init__(self, lr=0.05, patience=100):
        self.lr, self.patience, self.t = lr, patience, 0

    def update(self, params, grads):
        self.t += 1
        if self.t > self.patience:
            raise RuntimeError(f"gave up after {self.patience} steps")
        for key in params:
            if np.abs(grads[key]).max() > 100:
                raise ValueError(f"gradient too steep: {np.abs(grads[key]).max():.3g}")
            params[key] -= self.lr * grads[key]


@pytest.mark.parametrize("backend", ["inline", "ipympl"])
def test_an_error_in_a_callback_shows_under_the_app_and_the_app_keeps_working(backend):
    app = race(["SGD", Fragile()], surface="book", steps=60, backend=backend)
    browser = Browser(app) if backend == "ipympl" else None
    assert app.errors.message == "" and app.widget.children[-1] is app.errors.widget
    assert app.paths["Fragile"].steps == 60

    app.controls["steps"].value = 120                      # a slider event in which it raises
    assert app.errors.message == "RuntimeError: gave up after 100 steps"
    assert "RuntimeError: gave up after 100 steps" in app.errors.widget.value
    assert "#B00000" in app.errors.widget.value           # in red
    assert app.paths["Fragile"] is None and len(app.lines["Fragile"].get_xdata()) == 0
    assert "failed: RuntimeError" in app.scoreboard.value
    assert app.paths["SGD"].steps == 120                   # the others ran on the new settings

    app.controls["SGD.lr"].value = 0.05                    # the next event works ...
    np.testing.assert_array_equal(app.lines["SGD"].get_xydata(), run(
        get_optimizer("SGD")(lr=0.05), "book", steps=120).points)
    # ... and Fragile, which it did not run again, still has no path: its error stays shown
    assert app.errors.message == "RuntimeError: gave up after 100 steps"
    assert app.paths["Fragile"] is None and "failed: RuntimeError" in app.scoreboard.value

    app.controls["steps"].value = 80                       # Fragile runs again, and works
    assert app.errors.message == "" and app.errors.widget.value == ""
    assert app.paths["Fragile"].steps == 80
    app.controls["surface"].value = SURFACES["rosenbrock"]  # too steep there: no old path drawn
    assert app.errors.message.startswith("ValueError: gradient too steep: ")
    assert app.paths["Fragile"] is None and len(app.lines["Fragile"].get_xdata()) == 0
    assert app.axes["paths"].get_xlim() == SURFACES["rosenbrock"].xlim
    assert app.paths["SGD"].points[0].tolist() == list(SURFACES["rosenbrock"].start)
    if browser:  # the page shows what the kernel drew: the new surface, the new paths
        assert_same_pixels(browser.receive(), kernel_pixels(app))

    app.controls["surface"].value = SURFACES["book"]       # back where it works
    assert app.errors.message == "" and app.paths["Fragile"].steps == 80


def test_a_click_that_raises_shows_under_the_app():
    app = race(["SGD", Fragile(patience=10)], surface="book", steps=5, backend="ipympl")
    Browser(app)
    app.controls["steps"].value = 20
    assert app.errors.message == "RuntimeError: gave up after 10 steps"
    app.controls["reset"].click()                          # a button: reset works, and clears
    assert app.errors.message == "" and app.paths["Fragile"].steps == 5


def test_a_phase_maps_errors_show_under_it_and_leave_no_old_map(monkeypatch):
    module = importlib.import_module("optimlib.widgets.phase_map")  # the package's name is the function
    m = phase_map("Momentum", "book", steps=60, cells=8, backend="ipympl")
    Browser(m)
    assert m.widget.children[-1] is m.errors.widget

    def hover(i, j):
        px, py = m.axes["map"].transData.transform((m.grids["lr"][i], m.grids["momentum"][j]))
        m.figure.canvas.callbacks.process("motion_notify_event", MouseEvent(
            "motion_notify_event", m.figure.canvas, px, py))

    def broken(*args, **kwargs):
        raise MemoryError("no room for this run")
    with monkeypatch.context() as patch:
        patch.setattr(module, "run", broken)
        hover(1, 1)
    assert m.errors.message == "MemoryError: no room for this run"
    assert m.path is None and len(m.path_line.get_xdata()) == 0
    hover(2, 3)
    assert m.errors.message == "" and m.cell == (2, 3) and m.path.steps == 60

    with monkeypatch.context() as patch:
        patch.setattr(module, "sweep", broken)
        m.controls["noise"].value = 0.5
    assert m.errors.message == "MemoryError: no room for this run"
    assert m.result is None and np.ma.getmaskarray(m.mesh.get_array()).all()
    m.controls["noise"].value = 0.2
    assert m.errors.message == "" and m.result is not None and m.settings["noise"] == 0.2
