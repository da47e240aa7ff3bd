"""What the student sees after a change: the same pixels as a fresh app with those settings,
no piece of an old path left behind, even when the browser drops images."""
import io

import matplotlib
import numpy as np
import pytest
from PIL import Image

from optimlib import SURFACES
from optimlib.widgets import explore, race

matplotlib.use("Agg")


class Browser:
    """What ipympl's browser side does with an app's canvas, in the kernel: it answers the
    kernel's draw requests and lays each PNG it receives over what it shows (a diff is
    transparent where nothing changed).

    ``burst=True`` plays the worst case of a quick succession of events (a slider's echo
    right after a new surface, a fast drag): the draw requests are answered only after all
    the events of a step, and of the images of a step only the last is drawn (the browser
    drops an image when the next arrives before it has loaded)."""

    def __init__(self, app, burst=False):
        self.canvas, self.burst, self.images, self.asked = app.figure.canvas, burst, [], False
        send_event = self.canvas.send_event
        self.canvas.send_binary = self.images.append
        self.canvas.send_event = lambda kind, **kw: (self._ask() if kind == "draw"
                                                     else send_event(kind, **kw))
        self.canvas.syncing_data_url = False
        self.canvas.draw()  # the browser attaches and asks for its first image
        self.shown = None
        self.receive()

    def _ask(self):
        self.asked = True

    def receive(self):
        """Take in what the events of a step sent, and answer their draw requests."""
        while self.asked:
            self.asked = False
            self.canvas.handle_event({"type": "draw"})
        images, self.images[:] = list(self.images), []
        for png in images[-1:] if self.burst else images:
            image = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
            if self.shown is None:
                self.shown = image.copy()
            drawn = image[..., 3] > 0
            self.shown[drawn] = image[drawn]
        return self.shown


def kernel_pixels(app):
    return np.asarray(app.figure.canvas.buffer_rgba()).copy()


def fresh_like(app, make):
    """A new app made with ``app``'s settings now, as the browser first shows it."""
    settings = app.settings
    fresh = make(surface=settings["surface"], start=settings["start"], steps=settings["steps"],
                 hyperparameters=settings["hyperparameters"])
    for key in ("schedule", "drop", "every", "warmup"):
        fresh.controls[key].value = settings[key]
    fresh.controls["noise"].value = settings["noise"]
    fresh.controls["frame"].value = settings["frame"]
    if "state" in app.axes:
        # explore keeps its state panel's scale while a slider moves (no full redraw per
        # event), so its limits depend on the way there: give the fresh app the same ones
        fresh.axes["state"].set_ylim(app.axes["state"].get_ylim())
    return fresh, Browser(fresh).shown


def assert_same_pixels(shown, expected):
    differ = np.any(shown != expected, axis=-1)
    assert not differ.any(), f"{differ.sum()} pixels differ, in rows {np.unique(np.nonzero(differ)[0])[:10]}"


NAMES = ["SGD", "Momentum", "AdaGrad", "Adam"]


def make_race(**settings):
    return race(NAMES, backend="ipympl", **settings)


def make_explore(**settings):
    (name, values), = settings.pop("hyperparameters").items()
    return explore(name, backend="ipympl", **settings, **values)


@pytest.mark.parametrize("burst", [False, True])
@pytest.mark.parametrize("make, slider", [(make_race, "Momentum.lr"), (make_explore, "lr")])
def test_after_every_change_the_canvas_equals_a_fresh_apps(make, slider, burst):
    app = make(surface="book", steps=80, **({} if make is make_race else
                                           {"hyperparameters": {"Momentum": {"lr": 0.1}}}))
    browser = Browser(app, burst)

    def set(key, value):
        return lambda: setattr(app.controls[key], "value", value)
    steps = [  # each step: events in quick succession, then a look at the page
        [set(slider, 0.05)],
        [set("surface", SURFACES["rosenbrock"]), set(slider, 2e-3)],  # a slider's echo
        [set(slider, 3e-3), set(slider, 4e-3), set(slider, 2e-3)],    # a quick drag
        [set("steps", 150)],
        [set("schedule", "cosine"), set(slider, 2.5e-3)],
        [lambda: app.set_start((-1.0, 2.5)), set("frame", 20)],
        [set("noise", 0.3)],
        [set("schedule", "step"), set("drop", 0.3), set("every", 10)],
        [set("every", 11), set("every", 12), set("drop", 0.45)],        # a quick drag
        [set("schedule", "warmup"), set("warmup", 40)],
        [set("frame", 40), set("frame", 41), set("frame", 42)],         # play
        [set("frame", 150)],
        [set("surface", SURFACES["himmelblau"])],
        [set("steps", 60), set(slider, 0.01)],
    ]
    for i, step in enumerate(steps):
        for event in step:
            event()
        shown = browser.receive()
        fresh, expected = fresh_like(app, make)
        assert_same_pixels(kernel_pixels(app), kernel_pixels(fresh))
        assert_same_pixels(shown, expected)
        assert app.scoreboard.value == fresh.scoreboard.value, i
    app.controls["reset"].click()
    shown = browser.receive()
    fresh, expected = fresh_like(app, make)
    assert app.settings["surface"] == "book"
    assert_same_pixels(shown, expected)


def test_the_background_holds_no_moving_artist():
    """A blit with nothing moved sends no changed pixel: the cached background is the picture
    without the paths, the start, the message and the panels' lines."""
    app = explore("Adam", surface="rosenbrock", steps=100, backend="ipympl")
    browser = Browser(app)
    background = np.asarray(app.canvas.background).copy()
    for artist in app.canvas.animated:
        artist.set_visible(False)
    app.figure.canvas.draw()
    browser.receive()
    np.testing.assert_array_equal(kernel_pixels(app), background)
