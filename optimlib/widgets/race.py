"""The race: several optimizers from one start on one surface, each with its own sliders.

``RaceApp`` keeps its settings in one dict, which the controls write into (see
``controls.bind``) and everything else reads; ``settings`` and ``paths`` are its public read
model. It holds a ``LiveCanvas`` for the pixels. A subclass adds panels beside the contour
through two hooks, ``_make_panels`` and ``_update_panels`` (see ``ExploreApp``).
"""
import contextlib
import functools
from types import MappingProxyType

import ipywidgets as widgets
import numpy as np

from ..checks import check_steps
from ..plotting import contour
from ..surfaces import get_surface
from ..trajectory import suggested_lr
from .canvas import LiveCanvas
from .controls import (SCHEDULE_KEYS, TYPE_HINT, beside, bind, has_slider, hyperparameter_slider,
                       race_controls)
from .errors import ErrorArea
from .racers import check_schedule, make_racers, scoreboard_html

__all__ = ["RaceApp"]


class RaceApp:
    """The app behind ``race``: ``.settings``, ``.paths``, ``.controls``, ``.widget``, ``.figure``."""

    # 550 px wide at scale 1: a notebook's column in a 1000-px JupyterLab window is 568 px
    FIGSIZE, PATHS_AXES = (5.5, 4.1), [0.12, 0.11, 0.85, 0.75]
    CONTROL_KEY = "{name}.{param}"  # the key of a racer's slider in ``controls``

    def __init__(self, entries, surface, start, steps, hyperparameters, backend, tol, scale=1,
                 schedule=None):
        surface, steps = get_surface(surface), check_steps(steps)
        start = surface.check_start(surface.start if start is None else start)
        self._racers, values = make_racers(entries, hyperparameters, surface, start, steps)
        self._settings = {"surface": surface, "start": start, "steps": steps, "noise": 0.0,
                          **check_schedule(schedule or {}, steps), "frame": steps,
                          "hyperparameters": values}
        self.tol, self._holding = tol, False
        self._initial = _copy(self._settings)
        self.canvas = LiveCanvas(self.FIGSIZE, backend, dpi=100 * scale)
        self.figure = self.canvas.figure
        self.scoreboard = widgets.HTML()
        self.errors = ErrorArea()  # what the last event raised, shown under the app
        self.controls = self._make_controls()
        self._make_figure()
        self.widget = self._layout()
        self.widget.children += (self.errors.widget,)
        self._run_all()
        self.canvas.draw_first_frame()

    # --- the public read model and actions ------------------------------------------------

    @property
    def settings(self):
        """The settings now, as a read-only copy: surface (its name), start, steps, noise,
        schedule, drop, every, warmup (as ``Scheduled`` takes them), frame (the step shown)
        and hyperparameters ({optimizer: {name: value}})."""
        return MappingProxyType(_copy(self._settings, surface=self.surface.name))

    @property
    def initial_settings(self):
        """The settings the app was built with, which ``reset`` goes back to, as ``settings``
        gives them: so a test can check that a browser drawing the sliders changed none."""
        return MappingProxyType(_copy(self._initial, surface=self._initial["surface"].name))

    @property
    def paths(self):
        """The current Trajectory of each optimizer, by name (None for one whose last run
        raised: its error is shown under the app and in the scoreboard)."""
        return {r.name: r.path for r in self._racers}

    @property
    def lines(self):
        """The line of each optimizer's path on the contour, by name, up to the step shown."""
        return {r.name: r.line for r in self._racers}

    surface = property(lambda self: self._settings["surface"], doc="The Surface raced on now.")
    start = property(lambda self: self._settings["start"], doc="The common start now, (x, y).")
    steps = property(lambda self: self._settings["steps"], doc="The number of steps run now.")

    def set_start(self, start):
        """Move the common start to (x, y), which must lie inside the plot."""
        self._settings["start"] = self.surface.check_start(start)
        self._run_all()
        self.canvas.blit()

    def reset(self):
        """Back to the settings the app started with."""
        initial = self._initial
        with self._hold():
            for key in ("surface", "noise", *SCHEDULE_KEYS, "steps"):
                self.controls[key].value = initial[key]
            for r in self._racers:
                for param, slider in r.sliders.items():
                    slider.value = initial["hyperparameters"][r.name][param]
            self._settings["start"] = initial["start"]
            self._show_every_step()
        self._draw_contour()
        self._run_all()
        self.canvas.redraw()

    def _repr_mimebundle_(self, **kwargs):
        return self.canvas.mimebundle(self.widget, **kwargs)

    # --- hooks for a subclass ---------------------------------------------------------------

    def _make_panels(self, figure):
        """Draw what goes beside the contour: for a race, a static key (in the background)
        just above the plot, whatever the surface's shape. The numbers go in the HTML
        scoreboard: re-rendering text costs ~3 ms a line, the paths ~0.3 ms each."""
        count = len(self._racers)
        self.axes["paths"].legend(
            [r.line for r in self._racers], [r.name for r in self._racers], loc="lower center",
            bbox_to_anchor=(0.5, 1.0), ncols=count if count <= 4 else -(-count // 2),
            frameon=False, fontsize=9, handlelength=1.6, columnspacing=1.2, borderaxespad=0.2)

    def _update_panels(self, shown):
        """Show the first ``shown`` points of the current paths beside the contour."""

    # --- building ---------------------------------------------------------------------------

    def _make_controls(self):
        continuous = self.canvas.ipympl  # the inline image redraws when a slider is released
        controls = {}
        for r in self._racers:
            if r.own is not None:
                continue
            values = self._settings["hyperparameters"][r.name]
            for param in filter(has_slider, values):
                r.sliders[param] = hyperparameter_slider(param, values[param], continuous)
                bind(r.sliders[param], values, param,
                     self._reaction(functools.partial(self._on_hyperparameter, r)))
                controls[self.CONTROL_KEY.format(name=r.name, param=param)] = r.sliders[param]
        controls.update(race_controls(self.surface, self._settings, continuous))
        for key, reaction in (*((key, self._on_run_setting) for key in ("noise", *SCHEDULE_KEYS)),
                              ("steps", self._on_steps), ("surface", self._on_surface),
                              ("frame", self._on_frame)):
            bind(controls[key], self._settings, key, self._reaction(reaction))
        controls["back"].on_click(self._guard(lambda _: self._move_frame(-1)))
        controls["forward"].on_click(self._guard(lambda _: self._move_frame(+1)))
        controls["reset"].on_click(self._guard(lambda _: self.reset()))
        return controls

    def _make_figure(self):
        figure = self.figure
        self.axes = {"paths": figure.add_axes(self.PATHS_AXES)}
        ax = self.axes["paths"]
        ax.set_anchor("S")  # a surface wider than high leaves room above the plot, not below
        self._contour = contour(self.surface, ax)
        for r in self._racers:
            (r.line,) = ax.plot([], [], color=r.color, marker=r.marker, markersize=3.5,
                                linewidth=1.4, zorder=3)
        (self._start_marker,) = ax.plot([], [], marker="o", markersize=9, color="white",
                                        markeredgecolor="black", zorder=6)
        self.message = ax.text(0.02, 0.98, "", transform=ax.transAxes, va="top", fontsize=9,
                               color="#B00000", zorder=7,
                               bbox=dict(facecolor="white", edgecolor="#B00000", alpha=0.9))
        self.canvas.add_animated(*(r.line for r in self._racers), self._start_marker, self.message)
        self._make_panels(figure)
        figure.canvas.mpl_connect("button_press_event", self._guard(self._on_click))

    def _layout(self):
        """The figure and scoreboard, the controls beside them (below, in a narrow column)."""
        c = self.controls
        how = ("Click on the plot to move the start." if self.canvas.ipympl else
               "Sliders redraw when released; set the start with app.set_start((x, y)).")
        side = [widgets.VBox([widgets.HTML(f"<b style='color:{r.color}'>{r.name}</b>"),
                              *r.sliders.values()]) for r in self._racers]
        side += [widgets.HBox([c[k] for k in ("play", "back", "forward", "reset")]),
                 *(c[k] for k in ("frame", "surface", "steps", "noise", *SCHEDULE_KEYS)),
                 widgets.HTML(f"<small>{how} {TYPE_HINT}</small>")]
        return widgets.VBox([beside([self.canvas.widget, self.scoreboard], side)])

    # --- events -----------------------------------------------------------------------------

    def _on_hyperparameter(self, racer):
        racer.run(self._settings)
        self._paths_changed()
        self.canvas.blit()

    def _on_run_setting(self):
        """The noise or the schedule (or a parameter of it) changed: every path is run again."""
        self._run_all()
        self.canvas.blit()

    def _on_steps(self):
        with self._hold():
            self._show_every_step()
        self._run_all()  # nothing static changes (a panel repaints itself): no full redraw
        self.canvas.blit()

    def _on_surface(self):
        with self._hold():
            self._settings["start"] = self.surface.start
            for r in self._racers:
                if r.own is None:
                    r.sliders["lr"].centre_on(suggested_lr(r.name, self.surface, self.start,
                                                           self.steps))
        self._draw_contour()
        self._run_all()
        self.canvas.redraw()

    def _on_frame(self):
        self._show_frame()
        self.canvas.blit()

    def _move_frame(self, delta):
        frame = self.controls["frame"]
        frame.value = int(np.clip(frame.value + delta, 0, self.steps))

    def _on_click(self, event):
        if (event.inaxes is not self.axes["paths"] or event.button != 1
                or str(getattr(self.figure.canvas.toolbar, "mode", ""))):
            return  # not a plain left click on the contour (or the zoom/pan tool is on)
        self.set_start((event.xdata, event.ydata))

    @contextlib.contextmanager
    def _hold(self):
        """Change several controls without each change redrawing."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False

    def _reaction(self, reaction):
        """``reaction`` as a control's callback: skipped while code changes several controls
        at once (see _hold), and guarded (see _guard)."""
        guarded = self._guard(reaction)

        def react():  # a skipped event neither runs nor clears the message of the last one
            if not self._holding:
                with self.scoreboard.hold_sync():  # the table after the new picture
                    guarded()
        return react

    def _guard(self, callback):
        """``callback`` guarded: its error shows under the app, which repaints (see ErrorArea)."""
        return self.errors.guard(callback, recover=self._repaint, still=lambda: next(
            (r.error for r in self._racers if r.error is not None), None))

    def _repaint(self):
        self._paths_changed()
        self.canvas.redraw()

    # --- drawing ----------------------------------------------------------------------------

    def _show_every_step(self):
        """The play and frame controls span the steps, and show the last one."""
        for control in (self.controls["play"], self.controls["frame"]):
            with control.hold_sync():  # its max and value in one message
                control.max = control.value = self.steps

    def _draw_contour(self):
        for artist in self._contour:
            artist.remove()
        self._contour = contour(self.surface, self.axes["paths"])

    def _run_all(self):
        """Run every racer (one that raises has no path), then raise the first error."""
        errors = []
        for r in self._racers:
            try:
                r.run(self._settings)
            except Exception as error:  # noqa: BLE001 -- raised below, after the others ran
                errors.append(error)
        self._paths_changed()
        if errors:
            raise errors[0]

    def _paths_changed(self):
        """After any path changed: the message and the scoreboard, then the shown frame.
        (Play only moves the frame: see _show_frame.)"""
        diverged = [f"{r.name} at step {r.path.diverged_at}" for r in self._racers
                    if r.path is not None and r.path.diverged_at is not None]
        # One line: each line of text costs ~2 ms to render on every event.
        if len(diverged) == 1:
            self.message.set_text(diverged[0].replace(" at", " diverged at") + ": try a smaller lr")
        else:
            self.message.set_text(f"diverged: {', '.join(diverged)}: try smaller lrs")
        self.message.set_visible(bool(diverged))
        self.scoreboard.value = scoreboard_html(self._racers, self._settings, self.surface,
                                                self.tol)
        self._show_frame()

    def _show_frame(self):
        """Give every animated artist the data of the current paths, up to the shown step."""
        shown = min(self._settings["frame"], self.steps) + 1
        self._start_marker.set_data([self.start[0]], [self.start[1]])
        for r in self._racers:
            points = r.path.points[:shown] if r.path is not None else np.empty((0, 2))
            r.line.set_data(points[:, 0], points[:, 1])
        self._update_panels(shown)


def _copy(settings, **changes):
    """A copy of an app's settings that shares nothing mutable with them, with ``changes``."""
    return {**settings, "hyperparameters": {name: dict(values) for name, values
                                            in settings["hyperparameters"].items()}, **changes}
