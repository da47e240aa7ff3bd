"""Time one lr-slider event of a race of six optimizers, until the browser's PNG is ready;
then the same kernel-side time per lr event for explore (notebooks 01 and 06).

Setup (issue 4): 6 optimizers x 300 steps on Rosenbrock, 300 x 300 contour, 640 x 480
figure, ipympl canvas as in JupyterLab (a browser attached: it has had its first full
image). An event = set one lr slider -> recompute that path -> redraw -> PNG diff
(``get_diff_image``) ready to send. Compared, in the same run, with a naive full re-plot
(clear, contour, six paths, legend, draw, PNG). Goals: median <= 25 ms, >= 5x faster than
naive, drawing alone (no PNG) <= 5 ms.

Every event counts what the browser would make the kernel do for it: when an event asks
for a full redraw (ipympl's draw_idle), the browser asks back and the kernel renders the
whole figure, so that draw is timed as part of the event. Goal (issue 11): median <= 10 ms
for race and explore, and no full redraw at all. Run: make bench
"""
import time

import numpy as np
from ipympl.backend_nbagg import Canvas, FigureManager
from matplotlib.figure import Figure

from optimlib import OPTIMIZERS, get_optimizer, run
from optimlib.plotting import plot_paths
from optimlib.widgets import explore, race

EVENTS = 200
SIX = list(OPTIMIZERS)
lrs = np.geomspace(1e-4, 1e-2, 50)


def percentiles(times):
    ms = np.array(times) * 1e3
    return np.median(ms), np.percentile(ms, 95)


def time_events(app, key, values):
    """Kernel-side seconds per event of setting ``app.controls[key]`` to each value, with
    the full draw the browser asks for after a draw_idle; and the number of full draws."""
    canvas = app.figure.canvas
    canvas.syncing_data_url = False
    canvas.draw()  # the browser's first full draw
    asked = []
    canvas.draw_idle = lambda: asked.append(True)  # the browser's answer is timed below
    times, full_draws = [], 0
    for value in values:
        t0 = time.perf_counter()
        app.controls[key].value = float(value)
        if asked:
            asked.clear()
            canvas.draw()  # "draw", the browser asks back, the whole figure is rendered
            full_draws += 1
        times.append(time.perf_counter() - t0)
    return times, full_draws


app = race(SIX, surface="rosenbrock", steps=300, backend="ipympl")
canvas = app.figure.canvas
canvas.syncing_data_url = False  # a browser is attached: send diffs only
canvas.draw()                    # the browser's first full draw
assert tuple(app.figure.bbox.size) == (640, 480)

# Inside every event, time the drawing alone: the animated artists over the background.
draw_times, real_draw = [], app.canvas.draw_animated


def timed_draw():
    t0 = time.perf_counter()
    real_draw()
    draw_times.append(time.perf_counter() - t0)


app.canvas.draw_animated = timed_draw
blits, event_times = [], []
real_blit = canvas.blit
canvas.blit = lambda bbox=None: (real_blit(bbox), blits.append(bbox))
for i in range(EVENTS):
    t0 = time.perf_counter()
    app.controls[f"{SIX[i % 6]}.lr"].value = float(lrs[i % 50])  # ends with the PNG diff made
    event_times.append(time.perf_counter() - t0)
assert len(blits) == len(draw_times) == EVENTS, "every event must blit"

run_times = []
adam = app.settings["hyperparameters"]["Adam"]
for i in range(EVENTS // 4):
    t0 = time.perf_counter()
    run(get_optimizer("Adam")(**adam), app.surface, start=app.start, steps=app.steps, seed=0)
    run_times.append(time.perf_counter() - t0)

# The naive way: a new plot from scratch on every event, on the same kind of canvas.
naive_paths = race(SIX, surface="rosenbrock", steps=300, backend="ipympl").paths
fig = Figure(figsize=(6.4, 4.8), dpi=100)
naive_canvas = Canvas(fig)
FigureManager(naive_canvas, 1)
naive_canvas.syncing_data_url = False
naive_times = []
for i in range(EVENTS // 4):
    t0 = time.perf_counter()
    name = SIX[i % 6]
    naive_paths[name] = run(get_optimizer(name)(lr=float(lrs[i % 50])), app.surface, steps=300)
    fig.clear()
    plot_paths(app.surface, naive_paths, ax=fig.add_axes([0.1, 0.1, 0.52, 0.84]))
    naive_canvas.draw()  # renders everything, then makes the PNG diff (refresh_all)
    naive_times.append(time.perf_counter() - t0)

med, p95 = percentiles(event_times)
naive_med, naive_p95 = percentiles(naive_times)
draw_med, draw_p95 = percentiles(draw_times)
run_med, _ = percentiles(run_times)
print(f"race of 6 x 300 steps on Rosenbrock, 640x480, ipympl canvas, {EVENTS} lr events")
print(f"  app event -> PNG diff ready : median {med:6.1f} ms, p95 {p95:6.1f} ms "
      f"({1000 / med:.0f} updates/s; goal median <= 25 ms)")
print(f"    of which: one path (run)  : median {run_med:6.1f} ms (Adam, 300 steps)")
print(f"    of which: drawing only    : median {draw_med:6.1f} ms, p95 {draw_p95:6.1f} ms "
      f"(goal <= 5 ms)")
print(f"  naive full re-plot + PNG    : median {naive_med:6.1f} ms, p95 {naive_p95:6.1f} ms")
print(f"  speed-up over naive         : {naive_med / med:6.1f} x (goal >= 5 x)")

print("explore, lr events as a drag makes them (to and fro over a decade and a half), ipympl")
for label, name, surface, steps, lr in (("01: SGD on book, 60 steps", "SGD", "book", 60, 0.5),
                                        ("06: Adam on rosenbrock, 300 steps", "Adam",
                                         "rosenbrock", 300, 0.1)):
    app = explore(name, surface=surface, steps=steps, backend="ipympl", lr=lr)
    drag = np.geomspace(lr / 30, lr, 40)
    times, full_draws = time_events(app, "lr", [*drag[::-1], *drag[1:]] * 2)
    med, p95 = percentiles(times)
    print(f"  {label:34}: median {med:6.1f} ms, p95 {p95:6.1f} ms, "
          f"{full_draws} full redraws in {len(times)} events (goal median <= 10 ms, none)")
