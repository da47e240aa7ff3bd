"""The hyperparameter map: steps-to-converge over a grid of two hyperparameters, the path of
any cell beside it, and, where it applies, the theory drawn on it."""
import copy
from types import MappingProxyType

import ipywidgets as widgets
import matplotlib
import numpy as np

from ..checks import check_steps
from ..optimizers import HYPERPARAMETERS, get_optimizer
from ..plotting import contour, line_style
from ..surfaces import get_surface, momentum_optimum, momentum_stability_limit
from ..trajectory import run, suggested_lr, sweep
from .canvas import LiveCanvas
from .controls import beside, bind, has_slider, hyperparameter_slider, noise_slider
from .errors import ErrorArea

__all__ = ["PhaseMap"]


class PhaseMap:
    """The app behind ``phase_map``: ``.settings``, ``.result`` (the Sweep painted), ``.path``
    (the Trajectory of the cell shown), ``.controls``, ``.widget``, ``.figure``."""

    def __init__(self, name, surface, x, y, start, steps, tol, cells, backend, given, scale=1):
        surface, cls = get_surface(surface), get_optimizer(name)
        tunable = [k for k in cls().hyperparameters if has_slider(k)]
        for axis in (x, y):
            if axis not in tunable:
                raise ValueError(f"{name} has no hyperparameter {axis!r} to map; "
                                 f"it has: {', '.join(tunable)}")
        if x == y:
            raise ValueError(f"a map needs two different hyperparameters, got x = y = {x!r}")
        steps = check_steps(steps)
        start = surface.check_start(surface.start if start is None else start)
        values = {**cls().hyperparameters, **given}
        # what the map is of, fixed for its lifetime; what its sliders change is in _settings
        self.name, self.surface, self.start, self.steps = name, surface, start, steps
        self.x, self.y, self.tol = x, y, tol
        self._settings = {"noise": 0.0,
                          "hyperparameters": {k: v for k, v in values.items() if k not in (x, y)}}
        self._initial = copy.deepcopy(self._settings)
        lr = suggested_lr(name, surface, start, min(steps, 200))
        self.grids = {axis: _grid(axis, lr, cells) for axis in (x, y)}
        self.errors = ErrorArea()  # what the last event raised, shown under the app
        on_setting = self.errors.guard(self._on_setting, recover=self._blank)
        self.controls = {k: hyperparameter_slider(k, v, continuous=False)
                         for k, v in self._settings["hyperparameters"].items() if has_slider(k)}
        for key, control in self.controls.items():
            bind(control, self._settings["hyperparameters"], key, on_setting)
        self.controls["noise"] = noise_slider(continuous=False)
        bind(self.controls["noise"], self._settings, "noise", on_setting)
        self.info, self.cell, self.path, self.result = widgets.HTML(), None, None, None
        # 550 px wide at scale 1, like the race: the map on top, the path of a cell below
        self.canvas = LiveCanvas((5.5, 5.6), backend, dpi=100 * scale)
        self.figure = self.canvas.figure
        self._make_figure()
        self.widget = widgets.VBox([beside([self.canvas.widget],
                                           [self.info, *self.controls.values()]),
                                    self.errors.widget])
        self._paint()
        self.canvas.draw_first_frame()

    @property
    def settings(self):
        """The settings now, as a read-only copy: surface (its name), start, steps, noise and
        the hyperparameters held fixed across the map."""
        return MappingProxyType({"surface": self.surface.name, "start": self.start,
                                 "steps": self.steps, "noise": self._settings["noise"],
                                 "hyperparameters": dict(self._settings["hyperparameters"])})

    @property
    def initial_settings(self):
        """The settings the map was built with, as ``settings`` gives them: so a test can
        check that a browser drawing the sliders changed none."""
        return MappingProxyType({**self.settings, **copy.deepcopy(self._initial)})

    def _repr_mimebundle_(self, **kwargs):
        return self.canvas.mimebundle(self.widget, **kwargs)

    def show_cell(self, i, j, redraw=True):
        """Draw the path of the setting in column i (x) and row j (y) of the map."""
        settings = self._cell_hyperparameters(i, j)
        self.cell, self.path = (i, j), None  # no old path for a new cell, even if run raises
        self.path = run(get_optimizer(self.name)(**settings), self.surface, start=self.start,
                        steps=self.steps, noise=self._settings["noise"], seed=0)
        self.path_line.set_data(self.path.points[:, 0], self.path.points[:, 1])
        self._cell_marker.set_data([self.grids[self.x][i]], [self.grids[self.y][j]])
        self.cell_label.set_text(", ".join(f"{k} = {settings[k]:.3g}" for k in (self.x, self.y)))
        if redraw:
            self.canvas.blit()

    def _cell_hyperparameters(self, i, j):
        return {**self._settings["hyperparameters"], self.x: float(self.grids[self.x][i]),
                self.y: float(self.grids[self.y][j])}

    def _make_figure(self):
        figure = self.figure
        self.axes = {"map": figure.add_axes([0.13, 0.6, 0.7, 0.34]),
                     "path": figure.add_axes([0.13, 0.09, 0.84, 0.36])}
        ax = self.axes["map"]
        ax.set(xlabel=self.x, ylabel=self.y, title="steps to converge")
        for axis, set_scale in ((self.x, ax.set_xscale), (self.y, ax.set_yscale)):
            if HYPERPARAMETERS[axis].log_scale:
                set_scale("log")
        gx, gy = self.grids[self.x], self.grids[self.y]
        # grey: never came within tol (masked); blank: diverged (past the scale, see _paint)
        never = matplotlib.colormaps["viridis_r"].with_extremes(bad="#dddddd", over="none")
        self.mesh = ax.pcolormesh(gx, gy, np.zeros((len(gy), len(gx))), shading="nearest",
                                  cmap=never)
        figure.colorbar(self.mesh, ax=ax, fraction=0.05, pad=0.02)
        self._optimum = None  # Polyak's (lr, momentum), where the theory applies
        if (self.surface.curvatures and self.name == "Momentum"
                and {self.x, self.y} == {"lr", "momentum"}):
            self._draw_theory(ax)
        contour(self.surface, self.axes["path"])
        (self.path_line,) = self.axes["path"].plot([], [], color=line_style(self.name)["color"],
                                                   marker="o", markersize=3)
        (self._cell_marker,) = ax.plot([], [], "s", markerfacecolor="none",
                                       markeredgecolor="red", markersize=9)
        self.cell_label = self.axes["path"].text(0.5, 1.02, "", ha="center", fontsize=9,
                                                 transform=self.axes["path"].transAxes)
        self.canvas.add_animated(self.path_line, self._cell_marker, self.cell_label)
        on_pointer = self.errors.guard(self._on_pointer, recover=self._blank_path)
        figure.canvas.mpl_connect("button_press_event", on_pointer)
        figure.canvas.mpl_connect("motion_notify_event", on_pointer)

    def _draw_theory(self, ax):
        """The heavy ball's stability limit and Polyak's optimum on Momentum's map."""
        limits = ax.get_xlim(), ax.get_ylim()
        momenta = self.grids["momentum"]
        boundary = momentum_stability_limit(self.surface, momenta)
        self._optimum = momentum_optimum(self.surface)
        flip = slice(None) if self.x == "lr" else slice(None, None, -1)  # (x, y) order
        ax.plot(*(boundary, momenta)[flip], "--", color="#B00000", linewidth=1.5,
                label="stability limit (theory)")
        ax.plot(*self._optimum[flip], "*", color="white", markeredgecolor="black",
                markersize=14, linestyle="none", label="Polyak's optimum (theory)")
        ax.legend(loc="lower left", fontsize=9, framealpha=0.8)
        ax.set(xlim=limits[0], ylim=limits[1])  # the boundary runs off the grid

    def _on_setting(self):
        """A slider changed: the whole map is run again and repainted in place (its axes,
        ticks and colour scale stay: no full redraw)."""
        with self.info.hold_sync():  # the text follows the new picture
            with self.canvas.repainting(self.axes["map"], region=self.axes["map"].bbox):
                self._paint()
            self.canvas.blit()

    def _paint(self):
        """Run the whole grid (one batch), paint the map and show its best cell's path."""
        self.result = sweep(self.name, self.surface, start=self.start, steps=self.steps,
                            tol=self.tol, noise=self._settings["noise"], seed=0,
                            **{**self._settings["hyperparameters"], self.x: self.grids[self.x],
                               self.y: self.grids[self.y]})
        steps = np.where(self.result.steps_to_tol >= 0, self.result.steps_to_tol, np.nan)
        # diverged: past the top of the scale, drawn blank (a per-cell alpha took ~80 ms)
        steps = np.where(self.result.diverged, self.steps + 1, steps)
        self.mesh.set_array(np.ma.masked_invalid(steps.T))            # rows are y, columns x
        self.mesh.set_clim(0, self.steps)
        reached = self.result.arrived
        said = [f"<b>{self.name}</b> on {self.surface.name}, {self.steps} steps: {reached.sum()} "
                f"of {reached.size} settings came within {self.tol:g} of a minimum, "
                f"{self.result.diverged.sum()} diverged (blank)"]
        region = self.result.best_region()  # not best(): with noise, one lucky run wins that
        if region is not None:
            best, steps = region
            where = ", ".join(f"{k} = {v:.3g}" for k, v in best.items())
            said.append(f"Fewest steps (the median over a cell and its neighbours): {where}, "
                        f"{steps:g} steps")
        elif reached.any():
            said.append("No cell arrives together with its neighbours: the single runs "
                        "that arrive do so by luck")
        if self._optimum:
            said.append(f"Theory (the fastest rate in the long run): lr = {self._optimum[0]:.3g}, "
                        f"momentum = {self._optimum[1]:.3g}")
        self.info.value = ". ".join(said) + "."
        if self.result.diverged.all():  # nothing to show beside the map
            self._blank_path(redraw=False)
            return
        best = region[0] if region is not None else self.result.best()
        self.show_cell(_nearest(self.grids[self.x], best[self.x], self.x),
                       _nearest(self.grids[self.y], best[self.y], self.y), redraw=False)

    def _blank(self):
        """After a failed recomputation: no map and no path, rather than the old ones."""
        self.result = None
        self.mesh.set_array(np.ma.masked_all(self.mesh.get_array().shape))
        self.info.value = ""
        self._blank_path(redraw=False)
        self.canvas.redraw()

    def _blank_path(self, redraw=True):
        """After a failed run of a cell: no path, rather than the old one."""
        self.path = None
        self.path_line.set_data([], [])
        self.cell_label.set_text("")
        if redraw:
            self.canvas.blit()

    def _on_pointer(self, event):
        if event.inaxes is not self.axes["map"] or event.xdata is None:
            return
        cell = (_nearest(self.grids[self.x], event.xdata, self.x),
                _nearest(self.grids[self.y], event.ydata, self.y))
        if cell != self.cell:
            self.show_cell(*cell)


def _grid(name, lr, cells):
    """The values of hyperparameter ``name`` along a map's axis."""
    if name == "lr":  # around one that works here: the slider's whole span mostly diverges
        return np.geomspace(lr / 20, lr * 20, cells)
    return np.linspace(*HYPERPARAMETERS[name].shown, cells)


def _nearest(grid, value, name):
    """The index of the grid value nearest to ``value`` (by ratio on a log-scale axis)."""
    if HYPERPARAMETERS[name].log_scale:
        return int(np.argmin(np.abs(np.log(grid / value))))
    return int(np.argmin(np.abs(grid - value)))
