"""Instant in the browser: a slider event in any app repaints by a blit (a PNG diff sent at
once), never by a full redraw (ipympl's draw_idle makes the browser ask back, then the kernel
renders the whole figure: ~130 ms more per event). Counted on the figure's own canvas, through
public API only; the pixels a run of blits leaves equal those of a full draw. Every kind of
event: a hyperparameter, noise, steps, schedule (and its drop, every and warmup) and frame in
the race and explore; a slider
and the mouse over the cells of a map. And an event sends nothing that carries nothing new,
and the image before the table (counted where ipywidgets hands a message to the comm)."""
import ipywidgets as widgets
import matplotlib
import numpy as np
import pytest

from optimlib.widgets import explore, phase_map, race
from optimlib.widgets.explore import state_limits

matplotlib.use("Agg")


def count_redraws(app):
    """The browser attached (its first full draw), then a count of what each event costs."""
    canvas = app.figure.canvas
    canvas.syncing_data_url = False
    canvas.draw()
    counts = {"full draws": 0, "draw_idle": 0, "blits": 0}

    def count(key, method):
        def counted(*args, **kwargs):
            counts[key] += 1
            return method(*args, **kwargs)
        return counted

    canvas.mpl_connect("draw_event", lambda event: counts.__setitem__(
        "full draws", counts["full draws"] + 1))
    canvas.draw_idle = count("draw_idle", canvas.draw_idle)
    canvas.blit = count("blits", canvas.blit)
    return counts


def assert_pixels_of_a_full_draw(app):
    """What the blits left on the canvas is what a full draw of the same state paints."""
    canvas = app.figure.canvas
    blitted = np.asarray(canvas.buffer_rgba()).copy()
    canvas.draw()
    np.testing.assert_array_equal(blitted, np.asarray(canvas.buffer_rgba()))


def slide(app, key, values):
    """Set a control to each of ``values``; the number of events (changes of value)."""
    events = 0
    for value in values:
        events += app.controls[key].value != value
        app.controls[key].value = value
    return events


def test_race_sliders_blit_and_never_redraw():
    app = race(["SGD", "Momentum", "Adam"], surface="rosenbrock", steps=200, backend="ipympl")
    counts = count_redraws(app)
    events = slide(app, "SGD.lr", [float(v) for v in np.geomspace(1e-4, 1e-2, 30)])
    events += slide(app, "Momentum.momentum", [0.5, 0.6, 0.7, 0.8, 0.95])
    events += slide(app, "Adam.beta1", [0.5, 0.6, 0.7, 0.8, 0.95])
    events += slide(app, "noise", [0.1, 0.3, 0.0])
    events += slide(app, "frame", [10, 100, 200])
    events += slide(app, "steps", [100, 300])
    events += slide(app, "schedule", ["cosine", "warmup", "constant"])
    events += slide(app, "schedule", ["step"])
    events += slide(app, "drop", [0.3, 0.8])
    events += slide(app, "every", [10, 40])
    events += slide(app, "schedule", ["warmup"])
    events += slide(app, "warmup", [5, 50, 20])
    for button in ("back", "back", "forward"):  # one step back or forward: a frame event
        app.controls[button].click()
        events += 1
    assert counts == {"full draws": 0, "draw_idle": 0, "blits": events}
    assert_pixels_of_a_full_draw(app)


@pytest.mark.parametrize("name, surface, lr", [("SGD", "book", 0.5), ("Adam", "rosenbrock", 0.1),
                                               ("AdaGrad", "rosenbrock", 0.25)])
def test_explore_sliders_blit_and_never_redraw_even_when_the_state_panel_rescales(name, surface, lr):
    app = explore(name, surface=surface, steps=100, backend="ipympl", lr=lr)
    counts = count_redraws(app)
    limits = set()
    events = 0
    for value in [*np.geomspace(lr, lr / 1000, 40), *np.geomspace(lr / 1000, lr, 40)]:
        events += slide(app, "lr", [float(value)])
        limits.add(app.axes["state"].get_ylim())
    assert 2 <= len(limits) <= 20   # the panel follows 3 decades, but not on every event
    for key in set(app.controls) & {"momentum", "decay_rate", "beta1", "beta2"}:
        events += slide(app, key, [0.5, 0.8, app.controls[key].value])
    events += slide(app, "noise", [0.2, 0.0])
    events += slide(app, "steps", [50, 150])
    events += slide(app, "schedule", ["step", "cosine"])
    events += slide(app, "drop", [0.2])        # hidden under cosine: still a setting, a re-run
    events += slide(app, "schedule", ["step"])
    events += slide(app, "every", [5, 25])
    events += slide(app, "schedule", ["warmup"])
    events += slide(app, "warmup", [15, 30])
    events += slide(app, "schedule", ["cosine"])
    events += slide(app, "frame", [0, 75, 150])
    assert app.axes["loss"].get_xlim() == app.axes["state"].get_xlim() == (0, 150)
    assert counts == {"full draws": 0, "draw_idle": 0, "blits": events}
    assert_pixels_of_a_full_draw(app)


def test_phase_map_sliders_blit_and_never_redraw():
    m = phase_map("Momentum", "book", start=(-7, 2), steps=200, cells=10, backend="ipympl")
    counts = count_redraws(m)
    before = m.result.steps_to_tol.copy()
    events = slide(m, "noise", [0.3, 0.6])
    assert (m.result.steps_to_tol != before).any()
    assert counts == {"full draws": 0, "draw_idle": 0, "blits": events}
    assert_pixels_of_a_full_draw(m)


def test_a_phase_maps_hyperparameter_slider_and_pointer_blit_and_never_redraw(monkeypatch):
    sent = []
    monkeypatch.setattr(widgets.Widget, "_send", lambda widget, msg, buffers=None:
                        sent.append((widget, msg["method"])))
    m = phase_map("Adam", "himmelblau", x="lr", y="beta1", start=(0, -3), steps=100, cells=10,
                  backend="ipympl")
    counts = count_redraws(m)
    before = m.result.steps_to_tol.copy()
    events = slide(m, "beta2", [0.9, 0.99])                 # the slider of the third one
    assert (m.result.steps_to_tol != before).any()
    canvas, ax = m.figure.canvas, m.axes["map"]
    for kind, (i, j) in (("motion_notify", (2, 3)), ("motion_notify", (7, 1)),
                         ("button_press", (4, 8))):         # the mouse over cells, a click
        x, y = ax.transData.transform((m.grids["lr"][i], m.grids["beta1"][j]))
        sent.clear()
        canvas.handle_event({"type": kind, "x": x, "y": canvas.get_renderer().height - y,
                             "button": 0, "buttons": 0, "modifiers": []})
        assert m.cell == (i, j)
        assert sent == [(canvas, "custom")]  # the image; not the coordinates nobody sees
        events += 1
    assert counts == {"full draws": 0, "draw_idle": 0, "blits": events}
    assert_pixels_of_a_full_draw(m)


@pytest.mark.parametrize("make, key", [
    (lambda: race(["SGD", "Adam"], surface="himmelblau", start=(0, -3), steps=100,
                  backend="ipympl"), "Adam.lr"),
    (lambda: explore("Adam", surface="rosenbrock", steps=100, backend="ipympl", lr=0.1), "lr")])
def test_a_drag_sends_its_value_then_the_picture_then_the_table_and_nothing_else(monkeypatch, make, key):
    """What the kernel sends for a drag event (the browser's new position of a handle): the
    box with the exact value (before the path is run: the browser shows it meanwhile), the
    image, then the scoreboard; no echo of the position."""
    sent = []
    send = widgets.Widget._send

    def recorded(widget, msg, buffers=None):
        sent.append((widget, msg["method"], msg.get("state")))
        return send(widget, msg, buffers)

    monkeypatch.setattr(widgets.Widget, "_send", recorded)
    app = make()
    count_redraws(app)
    lr, image = app.controls[key], (app.figure.canvas, "custom", None)
    lr.slider.set_state({"value": lr.slider.value - 0.1})  # the first diff image after the
    for offset in (0.3, 0.5, 0.2):                         # full one also says so: once
        sent.clear()
        lr.slider.set_state({"value": lr.slider.value - offset})
        value = app.settings["hyperparameters"]["Adam"]["lr"]
        assert sent == [(lr.text, "update", {"value": repr(value)}), image,
                        (app.scoreboard, "update", {"value": app.scoreboard.value})]
    sent.clear()
    app.controls["frame"].set_state({"value": 50})
    assert sent == [image]


def test_the_state_panel_keeps_its_limits_while_the_series_fit_them():
    series = [np.array([[1e-3, 2e-3], [5e-5, 1e-4]])]
    low, high = state_limits(series)
    assert low <= 5e-5 and 2e-3 <= high <= 2e-2 * 10     # decades around the series
    for scale in (0.3, 1, 3):                              # a drag moves them a little: kept
        assert state_limits([s * scale for s in series], (low, high)) == (low, high)
    for scale in (100, 1e-4):                              # out of the panel or lost in it
        moved = state_limits([s * scale for s in series], (low, high))
        assert moved != (low, high) and moved[0] <= 5e-5 * scale and 2e-3 * scale <= moved[1]
    assert state_limits([np.array([np.nan, 0.0])], (1e-2, 1.0)) == (1e-2, 1.0)
