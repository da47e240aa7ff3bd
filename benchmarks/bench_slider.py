"""Every app's events as a browser makes them, timed in the kernel until the image is sent;
and the messages the kernel sends for each.

An event is what JupyterLab's kernel receives when a student drags a slider (the slider's new
position, through ipywidgets' ``set_state``) or moves the mouse over a map: the app runs
what changed, repaints and sends the PNG diff (an ipympl canvas with a browser attached,
which has had its first full image). When an event asks for a full redraw (ipympl's
draw_idle), the browser asks back and the kernel renders the whole figure: that draw is
timed as part of the event and counted. Messages are counted where ipywidgets hands them to
the kernel's comm (``Widget._send``): the image, the value box, the scoreboard, ...

The apps, as the notebooks make them: the race in 07 (six optimizers on Himmelblau, 200
steps), explore in 01 (SGD on the book's bowl, 60 steps) and 06 (Adam on Rosenbrock, 300
steps), the map in 08b (Momentum on the book's bowl, 100 x 100 cells, 300 steps).
Goals (issue 11): median <= 10 ms for race and explore, no full redraw in any app; the map
has none (its noise slider re-runs all 10,000 cells: it answers on release).
Then issue 4's comparison: a race of 6 x 300 steps on Rosenbrock against a naive full re-plot
(goals: median <= 25 ms, >= 5 x faster, drawing alone <= 5 ms). Run: make bench
"""
import collections
import time

import ipywidgets as widgets
import numpy as np
from ipympl.backend_nbagg import Canvas, FigureManager
from matplotlib.figure import Figure

from optimlib import OPTIMIZERS, get_optimizer, run
from optimlib.plotting import plot_paths
from optimlib.widgets import explore, phase_map, race

SIX = list(OPTIMIZERS)
GOAL = "goal median <= 10 ms, no full redraw"


class Messages:
    """The comm messages the kernel sends, each as "widget: what" (e.g. "Canvas: image")."""

    def __init__(self):
        self.sent = []
        send = widgets.Widget._send

        def counted(widget, msg, buffers=None):
            what = {"custom": "image" if buffers else "custom", "update": "update",
                    "echo_update": "echo"}.get(msg.get("method"), msg.get("method"))
            self.sent.append(f"{type(widget).__name__}: {what}")
            return send(widget, msg, buffers)
        widgets.Widget._send = counted


messages = Messages()


def attach(app):
    """The browser attaches: its first full image. Returns the list the draw requests go to."""
    canvas = app.figure.canvas
    canvas.syncing_data_url = False
    canvas.draw()
    asked = []
    canvas.draw_idle = lambda: asked.append(True)  # the browser's answer is timed in timed()
    return asked


def timed(app, events):
    """Run each of ``events`` (functions) on ``app``: seconds per event (with the full draw
    the browser asks for after a draw_idle), full draws, and the messages of each event."""
    asked, canvas = attach(app), app.figure.canvas
    times, full_draws, sent = [], 0, []
    for event in events:
        messages.sent.clear()
        t0 = time.perf_counter()
        event()
        if asked:
            asked.clear()
            canvas.draw()  # "draw": the browser asks back, the whole figure is rendered
            full_draws += 1
        times.append(time.perf_counter() - t0)
        sent.append(list(messages.sent))
    return times, full_draws, sent


def drag(control, positions):
    """The events of a drag of ``control`` through ``positions`` (a slider's own numbers:
    for a hyperparameter's slider, log10 lr or the number of nines), as the browser sends
    them."""
    slider = getattr(control, "slider", control)  # an ExactSlider's handle is its slider
    return [lambda p=float(p): slider.set_state({"value": p}) for p in positions]


def to_and_fro(control, decades=1.5, events=40, times=2):
    """Positions of a drag ``decades`` down a log slider and back (up and back if it has no
    room below), ``times`` over: each a new position (the same one again is no event)."""
    slider = control.slider
    here = slider.value
    far = here - decades if here - decades >= slider.min else min(here + decades, slider.max)
    way = np.linspace(far, here, events)
    return [*way[-2::-1], *way[1:]] * times


def hover(app, cells):
    """The events of a mouse moving over the map, through the centres of ``cells``."""
    canvas, ax = app.figure.canvas, app.axes["map"]
    height = canvas.get_renderer().height
    events = []
    for i, j in cells:
        x, y = ax.transData.transform((app.grids[app.x][i], app.grids[app.y][j]))
        events.append(lambda x=x, y=y: canvas.handle_event(
            {"type": "motion_notify", "x": x, "y": height - y, "button": 0, "buttons": 0,
             "modifiers": []}))
    return events


def line(label, times, full_draws, sent, goal=GOAL):
    ms = np.array(times) * 1e3
    counts = collections.Counter(len(s) for s in sent)
    typical = collections.Counter(tuple(s) for s in sent).most_common(1)[0][0]
    print(f"  {label:34}: median {np.median(ms):6.1f} ms, p95 {np.percentile(ms, 95):6.1f} ms, "
          f"{full_draws} full redraws in {len(ms)} events ({goal})")
    print(f"  {'':34}  {np.median([len(s) for s in sent]):.0f} messages an event "
          f"({', '.join(f'{n}: {c}x' for n, c in sorted(counts.items()))}); "
          f"most often: {', '.join(typical) or 'none'}")
    return np.median(ms)


print("Every app, events as a browser sends them; kernel-side time until the image is sent")
app = race(SIX, surface="himmelblau", start=(0, -3), steps=200, backend="ipympl")
events = [e for name in SIX for e in drag(app.controls[f"{name}.lr"],
                                          to_and_fro(app.controls[f"{name}.lr"], times=1))]
line("07 race of 6, lr of each in turn", *timed(app, events))
line("07 race of 6, Adam's lr alone", *timed(app, drag(app.controls["Adam.lr"],
                                                        to_and_fro(app.controls["Adam.lr"]))))
line("07 race of 6, noise", *timed(app, drag(app.controls["noise"],
                                              [*np.linspace(0.02, 1, 30), 0.0])))
app.controls["schedule"].value = "step"
line("07 race of 6, step schedule's drop", *timed(app, drag(app.controls["drop"],
                                                            np.linspace(0.05, 1.0, 30))))
line("07 race of 6, step schedule's every", *timed(app, drag(app.controls["every"],
                                                             [*range(5, 200, 6)])))
app.controls["schedule"].value = "warmup"
line("07 race of 6, warmup schedule's warmup", *timed(app, drag(app.controls["warmup"],
                                                                [*range(5, 200, 6)])))
app.controls["schedule"].value = "constant"
line("07 race of 6, show step (play)", *timed(app, drag(app.controls["frame"],
                                                         [*range(0, 201, 5), *range(195, 0, -5)])))
for label, name, surface, steps, start, lr in (
        ("01 explore SGD on book, 60 steps", "SGD", "book", 60, (-7, 2), 0.5),
        ("06 explore Adam on rosenbrock, 300", "Adam", "rosenbrock", 300, None, 0.1)):
    app = explore(name, surface=surface, steps=steps, start=start, backend="ipympl", lr=lr)
    line(f"{label}, lr", *timed(app, drag(app.controls["lr"], to_and_fro(app.controls["lr"]))))

live = phase_map("Momentum", "book", start=(-7, 2), steps=300, backend="ipympl")
line("08b map, noise (on release)", *timed(live, drag(live.controls["noise"],
                                                       [0.1, 0.3, 0.0, 0.2, 0.0])),
     goal="re-runs all 10,000 cells")
cells = [(i, (3 * i) % 100) for i in range(0, 100, 2)]  # a new cell every event
line("08b map, the mouse over new cells", *timed(live, hover(live, cells)))

# Issue 4's comparison: a race of 6 x 300 steps on Rosenbrock, against a naive re-plot.
app = race(SIX, surface="rosenbrock", steps=300, backend="ipympl")
width, height = (round(v) for v in app.figure.bbox.size)  # the naive re-plot gets the same
draw_times, real_draw = [], app.canvas.draw_animated


def timed_draw():
    t0 = time.perf_counter()
    real_draw()
    draw_times.append(time.perf_counter() - t0)


app.canvas.draw_animated = timed_draw
blits, blit = [], app.figure.canvas.blit
app.figure.canvas.blit = lambda bbox=None: (blit(bbox), blits.append(bbox))
events = [e for name in SIX for e in drag(app.controls[f"{name}.lr"],
                                          to_and_fro(app.controls[f"{name}.lr"], times=1))]
times, _, _ = timed(app, events)
assert len(blits) == len(events), "every event must blit"
draw_times = draw_times[1:]  # the first was the browser's first full draw
run_times = []
adam = app.settings["hyperparameters"]["Adam"]
for i in range(50):
    t0 = time.perf_counter()
    run(get_optimizer("Adam")(**adam), app.surface, start=app.start, steps=app.steps, seed=0)
    run_times.append(time.perf_counter() - t0)

naive_paths = dict(app.paths)
fig = Figure(figsize=app.figure.get_size_inches(), dpi=app.figure.dpi)
naive_canvas = Canvas(fig)
FigureManager(naive_canvas, 1)
naive_canvas.syncing_data_url = False
naive_times, lrs = [], np.geomspace(1e-4, 1e-2, 50)
for i in range(50):
    t0 = time.perf_counter()
    name = SIX[i % 6]
    naive_paths[name] = run(get_optimizer(name)(lr=float(lrs[i])), app.surface, steps=300)
    fig.clear()
    plot_paths(app.surface, naive_paths, ax=fig.add_axes([0.1, 0.1, 0.52, 0.84]))
    naive_canvas.draw()  # renders everything, then makes the PNG diff (refresh_all)
    naive_times.append(time.perf_counter() - t0)

med, naive_med = np.median(times) * 1e3, np.median(naive_times) * 1e3
print(f"Issue 4: race of 6 x 300 steps on Rosenbrock, {width}x{height}, {len(times)} lr events")
print(f"  app event -> PNG diff sent  : median {med:6.1f} ms, p95 "
      f"{np.percentile(times, 95) * 1e3:6.1f} ms (goal median <= 25 ms)")
print(f"    of which: one path (run)  : median {np.median(run_times) * 1e3:6.1f} ms "
      f"(Adam, 300 steps)")
print(f"    of which: drawing only    : median {np.median(draw_times) * 1e3:6.1f} ms, p95 "
      f"{np.percentile(draw_times, 95) * 1e3:6.1f} ms (goal <= 5 ms)")
print(f"  naive full re-plot + PNG    : median {naive_med:6.1f} ms")
print(f"  speed-up over naive         : {naive_med / med:6.1f} x (goal >= 5 x)")
