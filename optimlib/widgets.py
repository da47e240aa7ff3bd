"""Interactive apps: drag a slider and watch an optimizer's path move, live.

    explore("Momentum", surface="rosenbrock")      # one optimizer, its loss and its state
    race(["SGD", "Momentum", "AdaGrad", "Adam"])   # several optimizers from one start

An app has ``.controls`` (name -> widget), ``.figure`` and ``.widget`` (what a notebook
shows), so code and tests drive it by setting ``app.controls["lr"].value``.

Why the drawing code looks the way it does. In JupyterLab the figure is an ipympl canvas,
which sends the browser a PNG of the pixels that changed. A full redraw (contour, ticks,
text) takes ~100 ms, so the contour and axes are drawn once into a cached background; an
event restores that background, draws only the "animated" artists (paths, markers, texts)
and pushes the result with ``canvas.blit()``. ipympl never blits by itself
(``supports_blit`` is False), hence ``_on_draw`` and ``_blit`` below. Without ipympl
(e.g. Colab without its custom widget manager) the same pixels go out as an inline image.
"""
import base64
import contextlib
import copy
import io
import sys

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .optimizers import SCHEDULES, Scheduled, get_optimizer
from .plotting import contour, line_style
from .surfaces import SURFACES, get_surface, momentum_optimum, momentum_stability_limit
from .trajectory import check_steps, run, steps_to_minimum, suggested_lr, sweep

__all__ = ["App", "PhaseMap", "explore", "phase_map", "race"]

_SLIDERS = {  # hyperparameter: (min, max, step, readout format)
    "momentum": (0.0, 0.999, 0.001, ".3f"),
    "beta1": (0.0, 0.999, 0.001, ".3f"),
    "decay_rate": (0.5, 0.999, 0.001, ".3f"),
    "beta2": (0.9, 0.9999, 0.0001, ".4f"),
    "weight_decay": (0.0, 0.5, 0.001, ".3f"),
}
_STATE_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]
MARKERS_HTML = {"SGD": "●", "Momentum": "■", "Nesterov": "◆", "AdaGrad": "▲", "RMSprop": "▼",
                "Adam": "✚", "AdamW": "✖"}


def explore(name="SGD", surface="book", start=None, steps=100, backend="auto", tol=0.01,
            **hyperparameters):
    """One optimizer with a slider per hyperparameter, its loss and its internal state.

    name: "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop" or "Adam".
    hyperparameters: starting values, e.g. ``lr=0.1``; lr defaults to one that works on
        this surface (the best of a quick sweep), the rest to the book's defaults.
    backend: "ipympl" (live canvas), "inline" (an image updated on slider release) or
        "auto" (ipympl when installed).
    """
    return App([name], surface, start, steps, {name: hyperparameters}, backend, tol,
               explore=True)


def race(names=("SGD", "Momentum", "AdaGrad", "Adam"), surface="book", start=None, steps=100,
         hyperparameters=None, backend="auto", tol=0.01):
    """Several optimizers from one start, each with its own sliders.

    names: built-in optimizers by name, and/or optimizers of your own: any object with
        ``update(params, grads)`` races too (named by its ``name`` attribute or its class).

    hyperparameters: starting values per optimizer, e.g. ``{"SGD": {"lr": 0.95}}``.
    The legend gives each one's final loss and the step at which it came within ``tol`` of
    a minimum.
    """
    names = [names] if isinstance(names, str) else list(names)
    return App(names, surface, start, steps, hyperparameters or {}, backend, tol, explore=False)


class _Runner:
    """One optimizer in an app: its sliders, its latest path, its colour and its artists.

    A built-in is rebuilt from its sliders for every run; an optimizer of your own (any
    object with ``update(params, grads)``) races as it is, a fresh copy for every run.
    """

    def __init__(self, name, sliders, fixed, index, own=None):
        self.name, self.sliders, self.fixed, self.own, self.path = name, sliders, fixed, own, None
        style = line_style(name, index)
        self.color, self.marker = style["color"], style["marker"]
        self.symbol = MARKERS_HTML.get(name, "●")

    @property
    def hyperparameters(self):
        if self.own is not None:
            return dict(getattr(self.own, "hyperparameters", {}))
        return {**self.fixed, **{k: s.value for k, s in self.sliders.items()}}

    @property
    def lr(self):
        return self.sliders["lr"].value if "lr" in self.sliders else getattr(self.own, "lr", None)

    def recompute(self, surface, start, steps, noise=0.0, schedule="constant"):
        optimizer = (copy.deepcopy(self.own) if self.own is not None
                     else get_optimizer(self.name)(**self.hyperparameters))
        if schedule != "constant" and self.own is None:
            # a warmup of a tenth of the race (at most 10 steps), then the cosine
            optimizer = Scheduled(optimizer, schedule, total=steps, warmup=max(1, min(10, steps // 10)))
        # a fixed seed: the same noise slider value always gives the same paths
        self.path = run(optimizer, surface, start=start, steps=steps, noise=noise, seed=0)


class _LiveFigure:
    """A figure that repaints only its animated artists over a cached background.

    Subclasses call ``_make_canvas`` once, put their moving artists (created with
    ``animated=True``) in ``self._animated``, and call ``_blit()`` after changing them or
    ``_full_redraw()`` after changing anything else. See the module docstring for why.
    """

    def _make_canvas(self, figsize):
        self.figure = fig = Figure(figsize=figsize, dpi=100)
        if self._ipympl:
            from ipympl.backend_nbagg import Canvas, FigureManager
            canvas = Canvas(fig)
            FigureManager(canvas, 0)
            canvas.header_visible = canvas.footer_visible = False
            canvas.resizable = False
            self._image = canvas
        else:
            FigureCanvasAgg(fig)
            self._image = widgets.Image(format="png")
        self._canvas, self._background, self._animated = fig.canvas, None, []
        fig.canvas.mpl_connect("draw_event", self._on_draw)
        return fig

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, plus a still image for pages read without a kernel.

        JupyterLab shows the widget; nbconvert, GitHub and the static site (make site) have
        no kernel to drive it and show the image instead.
        """
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.still()).decode("ascii")
        return bundle

    def still(self):
        """The figure as it looks now, as PNG bytes, drawn apart from the live canvas."""
        canvas = self.figure.canvas
        try:
            FigureCanvasAgg(self.figure)  # a canvas of its own: the live one keeps its state
            with io.BytesIO() as png:
                self.figure.savefig(png, format="png")
                return png.getvalue()
        finally:
            self.figure.set_canvas(canvas)

    def _on_draw(self, event):
        """After every full draw: keep the picture without paths, then draw the paths on it."""
        if event.canvas is not self._canvas:
            return  # a draw for still(), not for the live canvas
        self._background = self.figure.canvas.copy_from_bbox(self.figure.bbox)
        self._draw_animated()

    def _draw_animated(self):
        for artist in self._animated:
            self.figure.draw_artist(artist)

    def _blit(self):
        """Repaint only the animated artists over the cached background and send the result."""
        if self._background is None:
            return self._full_redraw()
        canvas = self.figure.canvas
        canvas.restore_region(self._background)
        self._draw_animated()
        if self._ipympl:
            canvas.blit(self.figure.bbox)
        else:
            self._send_png()

    def _full_redraw(self):
        if self._ipympl:
            self.figure.canvas.draw_idle()  # the browser answers with a draw request
        else:
            self.figure.canvas.draw()       # calls _on_draw
            self._send_png()

    def _send_png(self):
        with io.BytesIO() as png:
            Image.fromarray(np.asarray(self.figure.canvas.buffer_rgba())).save(png, format="png")
            self._image.value = png.getvalue()


class App(_LiveFigure):
    """The figure, the controls and the fast redraw shared by ``explore`` and ``race``."""

    def __init__(self, entries, surface, start, steps, hyperparameters, backend, tol, explore):
        self.surface = get_surface(surface)
        for entry in entries:
            if not isinstance(entry, str) and not callable(getattr(entry, "update", None)):
                raise TypeError(f"race takes optimizer names or objects with update(params, "
                                f"grads), got {entry!r}")
        names = [e if isinstance(e, str) else getattr(e, "name", type(e).__name__) for e in entries]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"give each optimizer once, got {names!r}")
        for name in hyperparameters:
            if name not in names:
                raise ValueError(f"hyperparameters for {name!r}, which is not racing")
        self.steps = check_steps(steps)
        self.start = self._checked_start(self.surface.start if start is None else start)
        self.tol, self._explore, self._holding = tol, explore, False
        self._ipympl = _use_ipympl(backend)
        self._runners = [self._make_runner(name, hyperparameters.get(name, {}), i)
                         if isinstance(entry, str) else _Runner(name, {}, {}, i, own=entry)
                         for i, (name, entry) in enumerate(zip(names, entries))]
        self.scoreboard = widgets.HTML()
        self._make_figure()
        self._make_controls()
        self._initial = {"surface": self.surface, "start": self.start,
                         "controls": {k: w.value for k, w in self.controls.items()
                                      if k not in ("surface", "play", "back", "forward", "reset")}}
        self.widget = self._layout()
        self._recompute_all()
        if not self._ipympl:
            self._full_redraw()
        # With ipympl, draw nothing yet: the browser asks for its first full image when it
        # attaches; an image sent before that would be a diff against a frame it never saw.

    # --- building ------------------------------------------------------------------------

    def _make_runner(self, name, given, index):
        cls = get_optimizer(name)
        defaults = cls().hyperparameters
        unknown = set(given) - set(defaults)
        if unknown:
            raise ValueError(f"{name} has no hyperparameter {', '.join(sorted(unknown))}; "
                             f"it has: {', '.join(defaults)}")
        values = {**defaults, **given}
        if "lr" not in given:
            values["lr"] = suggested_lr(name, self.surface, self.start, self.steps)
        cls(**values)  # raises a clear error for a bad value, before any widget exists
        sliders = {k: _slider(k, v, continuous=self._ipympl)
                   for k, v in values.items() if k == "lr" or k in _SLIDERS}
        runner = _Runner(name, sliders, {k: v for k, v in values.items() if k not in sliders}, index)
        for slider in sliders.values():
            slider.observe(lambda change, r=runner: self._on_hyperparameter(r), names="value")
        return runner

    def _make_figure(self):
        explore = self._explore
        fig = self._make_canvas((8, 4) if explore else (6.4, 4.8))
        self._ax = fig.add_axes([0.08, 0.12, 0.44, 0.8] if explore else [0.1, 0.1, 0.64, 0.84])
        self._static = contour(self.surface, self._ax)
        animated = dict(animated=True)
        for r in self._runners:
            (r.line,) = self._ax.plot([], [], color=r.color, marker=r.marker, markersize=3.5,
                                      linewidth=1.4, zorder=3, **animated)
        (self._start_marker,) = self._ax.plot([], [], marker="o", markersize=9, color="white",
                                              markeredgecolor="black", zorder=6, **animated)
        self._message = self._ax.text(
            0.02, 0.98, "", transform=self._ax.transAxes, va="top", fontsize=9, color="#B00000",
            bbox=dict(facecolor="white", edgecolor="#B00000", alpha=0.9), zorder=7, **animated)
        self._animated += [r.line for r in self._runners] + [self._start_marker, self._message]
        if explore:
            self._make_explore_panels(fig)
        else:
            # A static key (part of the background). The numbers go in the HTML scoreboard
            # below the figure: re-rendering text costs ~3 ms a line, the paths ~0.3 ms each.
            fig.legend([r.line for r in self._runners], [r.name for r in self._runners],
                       loc="upper left", bbox_to_anchor=(0.76, 0.95), frameon=False)
        fig.canvas.mpl_connect("button_press_event", self._on_click)

    def _make_explore_panels(self, fig):
        (r,) = self._runners
        self._loss_ax = fig.add_axes([0.64, 0.6, 0.34, 0.32])
        self._loss_ax.set(yscale="log", ylabel="loss f − f_min", xlim=(0, self.steps))
        (r.loss_line,) = self._loss_ax.plot([], [], color=r.color, animated=True)
        self._state_ax = fig.add_axes([0.64, 0.12, 0.34, 0.32])
        self._state_ax.set(yscale="log", xlabel="step   (solid: x, dashed: y)",
                           xlim=(0, self.steps), ylabel="state")
        self._state_lines = {}
        for i, label in enumerate(_state_series(r.name, None, None)):
            for axis, style in ((0, "-"), (1, "--")):
                (line,) = self._state_ax.plot([], [], style, color=_STATE_COLORS[i],
                                              label=label if axis == 0 else None, animated=True)
                self._state_lines[label, axis] = line
        self._state_ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=4, fontsize=7,
                              frameon=False, handlelength=1.2, columnspacing=1)
        self._animated += [r.loss_line, *self._state_lines.values()]
        self._set_loss_limits()

    def _make_controls(self):
        self.controls = {}
        for r in self._runners:
            prefix = "" if self._explore else f"{r.name}."
            self.controls.update({prefix + k: s for k, s in r.sliders.items()})
        options = list(SURFACES.items())
        if self.surface not in SURFACES.values():
            options.append((self.surface.name, self.surface))
        c = self.controls
        c["surface"] = widgets.Dropdown(options=options, value=self.surface, description="surface")
        c["noise"] = widgets.FloatSlider(value=0.0, min=0.0, max=2.0, step=0.01,
                                         description="noise", continuous_update=self._ipympl,
                                         tooltip="std of Gaussian noise added to each gradient")
        c["noise"].observe(self._on_run_setting, names="value")
        c["schedule"] = widgets.Dropdown(options=SCHEDULES, value="constant", description="lr schedule",
                                         style={"description_width": "80px"})
        c["schedule"].observe(self._on_run_setting, names="value")
        c["steps"] = widgets.IntSlider(value=self.steps, min=1, max=max(1000, self.steps),
                                       description="steps", continuous_update=False)
        c["play"] = widgets.Play(value=self.steps, min=0, max=self.steps, interval=40,
                                 description="play")
        c["frame"] = widgets.IntSlider(value=self.steps, min=0, max=self.steps,
                                       description="show step", continuous_update=self._ipympl)
        widgets.jslink((c["play"], "value"), (c["frame"], "value"))
        c["back"] = widgets.Button(description="◀", tooltip="one step back",
                                   layout=widgets.Layout(width="40px"))
        c["forward"] = widgets.Button(description="▶", tooltip="one step forward",
                                      layout=widgets.Layout(width="40px"))
        c["reset"] = widgets.Button(description="reset", tooltip="back to the starting values")
        c["surface"].observe(self._on_surface, names="value")
        c["steps"].observe(self._on_steps, names="value")
        c["frame"].observe(self._on_frame, names="value")
        c["back"].on_click(lambda _: self._move_frame(-1))
        c["forward"].on_click(lambda _: self._move_frame(+1))
        c["reset"].on_click(lambda _: self.reset())

    def _layout(self):
        c = self.controls
        boxes = []
        for r in self._runners:
            title = widgets.HTML(f"<b style='color:{r.color}'>{r.name}</b>")
            boxes.append(widgets.VBox([title, *r.sliders.values()]))
        how = ("Click on the plot to move the start." if self._ipympl else
               "Sliders redraw when released; set the start with app.set_start((x, y)).")
        return widgets.VBox([
            self._image,
            self.scoreboard,
            widgets.HBox([c["surface"], c["steps"], c["noise"], c["reset"]]),
            widgets.HBox([c["play"], c["back"], c["forward"], c["frame"], c["schedule"]]),
            widgets.HBox(boxes, layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HTML(f"<small>{how}</small>"),
        ])

    # --- public actions --------------------------------------------------------------------

    @property
    def paths(self):
        """The current Trajectory of each optimizer, by name."""
        return {r.name: r.path for r in self._runners}

    def set_start(self, start):
        """Move the common start to (x, y), which must lie inside the plot."""
        self.start = self._checked_start(start)
        self._recompute_all()
        self._blit()

    def reset(self):
        """Back to the values the app started with."""
        with self._hold():
            self.controls["surface"].value = self._initial["surface"]
            self._change_surface(self._initial["surface"])
            self.start = self._initial["start"]
            for key, value in self._initial["controls"].items():
                self.controls[key].value = value
            self._change_steps(self.controls["steps"].value)
        self._recompute_all()
        self._full_redraw()

    # --- events ----------------------------------------------------------------------------

    def _on_hyperparameter(self, runner):
        if self._holding:
            return
        runner.recompute(self.surface, self.start, self.steps, self.controls["noise"].value,
                         self.controls["schedule"].value)
        self._paths_changed()
        self._blit()

    def _on_frame(self, change):
        if not self._holding:
            self._show_frame()
            self._blit()

    def _move_frame(self, delta):
        frame = self.controls["frame"]
        frame.value = int(np.clip(frame.value + delta, 0, self.steps))

    def _on_run_setting(self, change):
        """The noise or the schedule changed: every path is run again."""
        if not self._holding:
            self._recompute_all()
            self._blit()

    def _on_steps(self, change):
        if self._holding:
            return
        with self._hold():
            self._change_steps(change["new"])
        self._recompute_all()
        self._full_redraw()

    def _on_surface(self, change):
        if self._holding:
            return
        with self._hold():
            self._change_surface(change["new"])
            for r in self._runners:
                if r.own is None:
                    r.sliders["lr"].value = suggested_lr(r.name, self.surface, self.start, self.steps)
        self._recompute_all()
        self._full_redraw()

    def _on_click(self, event):
        if (event.inaxes is not self._ax or event.button != 1
                or str(getattr(self.figure.canvas.toolbar, "mode", ""))):
            return  # not a plain left click on the contour (or the zoom/pan tool is on)
        self.set_start((event.xdata, event.ydata))

    def _change_steps(self, steps):
        self.steps = steps
        for key in ("play", "frame"):
            self.controls[key].max = steps
            self.controls[key].value = steps
        if self._explore:
            self._loss_ax.set_xlim(0, steps)
            self._state_ax.set_xlim(0, steps)

    def _change_surface(self, surface):
        self.surface = surface
        self.start = self.surface.start
        for artist in self._static:
            artist.remove()
        self._static = contour(self.surface, self._ax)
        if self._explore:
            self._set_loss_limits()

    # --- drawing ---------------------------------------------------------------------------

    def _recompute_all(self):
        for r in self._runners:
            r.recompute(self.surface, self.start, self.steps, self.controls["noise"].value,
                        self.controls["schedule"].value)
        self._paths_changed()

    def _paths_changed(self):
        """After any path changed: the message, the scoreboard and the state panel's scale,
        then the shown frame. (Play only moves the frame: see _show_frame.)"""
        diverged = [f"{r.name} at step {r.path.diverged_at}" for r in self._runners
                    if r.path.diverged_at is not None]
        # One line: each line of text costs ~2 ms to render on every event.
        if len(diverged) == 1:
            self._message.set_text(diverged[0].replace(" at", " diverged at") + ": try a smaller lr")
        else:
            self._message.set_text(f"diverged: {', '.join(diverged)}: try smaller lrs")
        self._message.set_visible(bool(diverged))
        if self._explore:
            self._rescale_state_panel()
        self.scoreboard.value = self._scoreboard_html()
        self._show_frame()

    def _show_frame(self):
        """Give every animated artist the data of the current paths, up to the shown step."""
        shown = min(self.controls["frame"].value, self.steps) + 1
        self._start_marker.set_data([self.start[0]], [self.start[1]])
        for r in self._runners:
            r.line.set_data(r.path.points[:shown, 0], r.path.points[:shown, 1])
        if self._explore:
            (r,) = self._runners
            steps = np.arange(shown)
            r.loss_line.set_data(steps, _positive(r.path.losses[:shown] - self._loss_floor()))
            for (label, axis), line in self._state_lines.items():
                line.set_data(steps, _positive(self._series[label][:shown, axis]))

    def _scoreboard_html(self):
        """A table: each optimizer's lr, final loss and the step it came near a minimum."""
        def row(cells, tag="td"):
            style = "padding:1px 12px 1px 0; line-height:1.3; text-align:left"
            return "<tr>" + "".join(f"<{tag} style='{style}'>{c}</{tag}>" for c in cells) + "</tr>"

        rows = [row(["", "lr", "final loss f − f<sub>min</sub>",
                     f"within {self.tol:g} of a minimum"], tag="th")]
        for r in self._runners:
            path = r.path
            if path.diverged_at is not None:
                loss, reached = "—", f"<b style='color:#B00000'>diverged at step {path.diverged_at}</b>"
            else:
                loss = f"{path.losses[-1] - self._loss_floor():.2e}"
                step = steps_to_minimum(path, self.surface, self.tol) if self.surface.minima else None
                reached = "never" if step is None else f"at step {step}"
            name = f"<b style='color:{r.color}'>{r.symbol} {r.name}</b>"
            lr = "—" if r.lr is None else f"{r.lr:.3g}"
            rows.append(row([name, lr, loss, reached]))
        return "<table style='border-collapse:collapse'>" + "".join(rows) + "</table>"

    def _rescale_state_panel(self):
        """Compute the state series of the new path, and fit the state axis to them."""
        (r,) = self._runners
        self._series = _state_series(r.name, r.path, r.hyperparameters)
        values = np.concatenate([_positive(s).ravel() for s in self._series.values()])
        values = values[np.isfinite(values)]
        if values.size:
            top = np.ceil(np.log10(values.max()))
            bottom = max(np.floor(np.log10(values.min())), top - 12)  # 12 decades are plenty
            limits = (10.0 ** bottom, 10.0 ** top)
            if limits[0] < limits[1] and limits != self._state_ax.get_ylim():
                self._state_ax.set_ylim(limits)
                self._background = None  # the axis changed: the next redraw must be a full one

    def _loss_floor(self):
        return self.surface.min_value if self.surface.min_value is not None else self._grid_min

    def _set_loss_limits(self):
        x = np.linspace(*self.surface.xlim, 200)
        y = np.linspace(*self.surface.ylim, 200)
        z = self.surface.f(*np.meshgrid(x, y))
        self._grid_min = z.min()
        top = z.max() - self._loss_floor()
        self._loss_ax.set_ylim(1e-12, 10.0 ** np.ceil(np.log10(top)))

    # --- helpers ---------------------------------------------------------------------------

    def _checked_start(self, start):
        try:
            x, y = (float(v) for v in start)
        except (TypeError, ValueError):
            raise ValueError(f"start must be (x, y), got {start!r}") from None
        (x0, x1), (y0, y1) = self.surface.xlim, self.surface.ylim
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            raise ValueError(f"start ({x:g}, {y:g}) is outside the plot of {self.surface.name}: "
                             f"x must be in [{x0:g}, {x1:g}] and y in [{y0:g}, {y1:g}]")
        return (x, y)

    @contextlib.contextmanager
    def _hold(self):
        """Change several controls without each change redrawing."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False


def _state_series(name, path, hyper):
    """What to plot of an optimizer's state: {label: array (steps + 1, 2)}.

    With ``path=None`` only the labels are wanted.
    """
    labels = {"SGD": ["|step|"], "Momentum": ["|step| = |v|"],
              "Nesterov": ["|step|", "|v| velocity"], "AdaGrad": ["|step|", "h", "lr / (√h + ε)"],
              "RMSprop": ["|step|", "h", "lr / (√h + ε)"],
              "Adam": ["|step|", "|m|", "√v", "lr_t / (√v + ε)"],
              "AdamW": ["|step|", "|m|", "√v", "lr_t / (√v + ε)"]}[name]
    if path is None:
        return dict.fromkeys(labels)
    step = np.abs(np.diff(path.points, axis=0, prepend=np.nan))
    state = path.state
    # under a schedule the learning rate of each step is in the state; otherwise it is fixed
    lr = state["lr_t"][:, None] if "lr_t" in state else hyper["lr"]
    series = {"|step|": step, "|step| = |v|": step}
    if "|v| velocity" in labels:
        series["|v| velocity"] = np.abs(state["v"])
    if "h" in labels:
        series["h"] = state["h"].copy()
        series["lr / (√h + ε)"] = lr / (np.sqrt(state["h"]) + hyper["eps"])
    if name in ("Adam", "AdamW"):
        t = np.maximum(state["t"], 1)[:, None]
        lr_t = lr * np.sqrt(1 - hyper["beta2"] ** t) / (1 - hyper["beta1"] ** t)
        series.update({"|m|": np.abs(state["m"]), "√v": np.sqrt(state["v"]),
                       "lr_t / (√v + ε)": lr_t / (np.sqrt(state["v"]) + hyper["eps"])})
    for values in series.values():
        values[0] = np.nan  # step 0 is before the first update: there is no state yet
    return series


def _positive(values):
    """Values for a log axis: NaN where not positive (so the line has a gap, not a warning)."""
    values = np.asarray(values, dtype=float)
    return np.where(values > 0, values, np.nan)


def _slider(param, value, continuous):
    style = dict(description=param, continuous_update=continuous,
                 style={"description_width": "80px"}, layout=widgets.Layout(width="320px"))
    if param == "lr":
        exponent = np.log10(value)
        return widgets.FloatLogSlider(value=value, base=10, min=min(-5, np.floor(exponent)),
                                      max=max(1, np.ceil(exponent)), step=0.01,
                                      readout_format=".3g", **style)
    low, high, step, fmt = _SLIDERS[param]
    return widgets.FloatSlider(value=value, min=min(low, value), max=max(high, value), step=step,
                               readout_format=fmt, **style)


def _use_ipympl(backend):
    if backend not in ("auto", "ipympl", "inline"):
        raise ValueError(f"backend must be 'auto', 'ipympl' or 'inline', got {backend!r}")
    if backend == "inline":
        return False
    try:
        previous = matplotlib.get_backend()
        import ipympl.backend_nbagg  # noqa: F401
    except ImportError:
        if backend == "ipympl":
            raise ImportError("backend='ipympl' needs ipympl: pip install ipympl") from None
        return False
    if matplotlib.get_backend() != previous:
        # importing ipympl switches pyplot to it; the notebook's own figures stay as they were
        matplotlib.use(previous)
    if "google.colab" in sys.modules:  # Colab shows ipympl only with its custom widget manager
        from google.colab import output
        output.enable_custom_widget_manager()
    return True


_MAP_AXES = {  # a hyperparameter's default grid on a map: (low, high, log scale)
    "momentum": (0.0, 0.99, False), "beta1": (0.0, 0.99, False),
    "decay_rate": (0.5, 0.999, False), "beta2": (0.9, 0.9999, False),
    "weight_decay": (0.0, 0.5, False),
}


def phase_map(name="Momentum", surface="book", x="lr", y="momentum", start=None, steps=300,
              tol=0.01, cells=100, backend="auto", **hyperparameters):
    """A map of steps-to-converge over a grid of two hyperparameters, with the theory on it.

    Every cell is one run (all run as a single batch by ``sweep``); white cells diverged,
    grey ones never came within ``tol`` of a minimum. Hover over or click a cell to see that
    setting's path on the contour. Sliders set the other hyperparameters and gradient noise
    and recompute the map. On the quadratic surfaces the heavy ball's stability boundary and
    Polyak's optimum are drawn on Momentum's (lr, momentum) map.
    """
    return PhaseMap(name, surface, x, y, start, steps, tol, cells, backend, hyperparameters)


class PhaseMap(_LiveFigure):
    """The app behind ``phase_map``: ``.controls``, ``.figure``, ``.widget``, ``.result``."""

    def __init__(self, name, surface, x, y, start, steps, tol, cells, backend, given):
        self.name, self.surface = name, get_surface(surface)
        cls = get_optimizer(name)
        tunable = [k for k in cls().hyperparameters if k == "lr" or k in _SLIDERS]
        for axis in (x, y):
            if axis not in tunable:
                raise ValueError(f"{name} has no hyperparameter {axis!r} to map; "
                                 f"it has: {', '.join(tunable)}")
        if x == y:
            raise ValueError(f"a map needs two different hyperparameters, got x = y = {x!r}")
        self.steps, self.tol, self.x, self.y = check_steps(steps), tol, x, y
        self.start = tuple(self.surface.start if start is None else start)
        self._ipympl = _use_ipympl(backend)
        values = {**cls().hyperparameters, **given}
        lr = suggested_lr(name, self.surface, self.start, min(self.steps, 200))
        self.grids = {}
        for axis in (x, y):
            if axis == "lr":
                self.grids[axis] = np.geomspace(lr / 20, lr * 20, cells)
            else:
                low, high, _ = _MAP_AXES[axis]
                self.grids[axis] = np.linspace(low, high, cells)
        self.controls = {k: _slider(k, v, continuous=False) for k, v in values.items()
                         if k in tunable and k not in (x, y)}
        self.controls["noise"] = widgets.FloatSlider(value=0.0, min=0.0, max=2.0, step=0.01,
                                                     description="noise", continuous_update=False)
        self._fixed = {k: v for k, v in values.items() if k not in tunable}
        for control in self.controls.values():
            control.observe(lambda change: self._recompute(), names="value")
        self.info, self._cell = widgets.HTML(), None
        self._make_map_figure()
        self.widget = widgets.VBox([self._image, self.info,
                                    widgets.HBox(list(self.controls.values()),
                                                 layout=widgets.Layout(flex_flow="row wrap"))])
        self._recompute()

    def _settings(self, i=None, j=None):
        """The hyperparameters of cell (i, j), or the fixed ones alone."""
        settings = {**self._fixed, **{k: c.value for k, c in self.controls.items() if k != "noise"}}
        if i is not None:
            settings.update({self.x: float(self.grids[self.x][i]),
                             self.y: float(self.grids[self.y][j])})
        return settings

    def _make_map_figure(self):
        fig = self._make_canvas((9, 4))
        self._map_ax = fig.add_axes([0.08, 0.13, 0.38, 0.78])
        self._map_ax.set(xlabel=self.x, ylabel=self.y, title="steps to converge")
        if self.x == "lr":
            self._map_ax.set_xscale("log")
        gx, gy = self.grids[self.x], self.grids[self.y]
        never = matplotlib.colormaps["viridis_r"].with_extremes(bad="#dddddd")  # grey: never
        self._mesh = self._map_ax.pcolormesh(gx, gy, np.zeros((len(gy), len(gx))),
                                             shading="nearest", cmap=never)
        fig.colorbar(self._mesh, ax=self._map_ax, fraction=0.05, pad=0.02)
        self._optimum = None  # Polyak's (lr, momentum), where the theory applies
        if (self.surface.curvatures and self.name == "Momentum"
                and {self.x, self.y} == {"lr", "momentum"}):
            limits = self._map_ax.get_xlim(), self._map_ax.get_ylim()
            momenta = self.grids["momentum"]
            boundary = momentum_stability_limit(self.surface, momenta)
            self._optimum = momentum_optimum(self.surface)
            flip = slice(None) if self.x == "lr" else slice(None, None, -1)  # (x, y) order
            self._map_ax.plot(*(boundary, momenta)[flip], "--", color="#B00000", linewidth=1.5,
                              label="stability limit (theory)")
            self._map_ax.plot(*self._optimum[flip], "*", color="white", markeredgecolor="black",
                              markersize=14, linestyle="none", label="Polyak's optimum (theory)")
            self._map_ax.legend(loc="lower left", fontsize=8, framealpha=0.8)
            self._map_ax.set(xlim=limits[0], ylim=limits[1])  # the boundary runs off the grid
        self._path_ax = fig.add_axes([0.58, 0.13, 0.4, 0.78])
        contour(self.surface, self._path_ax)
        (self._path_line,) = self._path_ax.plot([], [], color=line_style(self.name)["color"],
                                                marker="o", markersize=3, animated=True)
        (self._cell_marker,) = self._map_ax.plot([], [], "s", markerfacecolor="none",
                                                 markeredgecolor="red", markersize=9, animated=True)
        self._cell_label = self._path_ax.text(0.5, 1.02, "", transform=self._path_ax.transAxes,
                                              ha="center", fontsize=9, animated=True)
        self._animated += [self._path_line, self._cell_marker, self._cell_label]
        fig.canvas.mpl_connect("button_press_event", self._on_pointer)
        fig.canvas.mpl_connect("motion_notify_event", self._on_pointer)

    def _recompute(self):
        """Run the whole grid (one batch) and paint the map."""
        self.result = sweep(self.name, self.surface, start=self.start, steps=self.steps,
                            tol=self.tol, noise=self.controls["noise"].value, seed=0,
                            **{**self._settings(), self.x: self.grids[self.x],
                               self.y: self.grids[self.y]})
        steps = np.where(self.result.steps_to_tol >= 0, self.result.steps_to_tol, np.nan)
        shown = np.ma.masked_invalid(steps.T)                          # rows are y, columns x
        self._mesh.set_array(shown)
        self._mesh.set_clim(0, self.steps)
        diverged = self.result.diverged.T
        self._mesh.set_alpha(np.where(diverged, 0.0, 1.0).ravel())     # diverged: blank
        best = self.result.best()
        reached = self.result.steps_to_tol >= 0
        text = (f"<b>{self.name}</b> on {self.surface.name}, {self.steps} steps: "
                f"{reached.sum()} of {reached.size} settings came within {self.tol:g} of a "
                f"minimum, {self.result.diverged.sum()} diverged (blank). Fewest steps: "
                + ", ".join(f"{k} = {v:.3g}" for k, v in best.items()))
        if self._optimum:
            text += (f". Theory (the fastest rate in the long run): lr = {self._optimum[0]:.3g}, "
                     f"momentum = {self._optimum[1]:.3g}")
        self.info.value = text
        i = int(np.argmin(np.abs(self.grids[self.x] - best[self.x])))
        j = int(np.argmin(np.abs(self.grids[self.y] - best[self.y])))
        self.show_cell(i, j, redraw=False)
        self._full_redraw()

    def show_cell(self, i, j, redraw=True):
        """Draw the path of the setting in column i (x) and row j (y) of the map."""
        settings = self._settings(i, j)
        path = run(get_optimizer(self.name)(**settings), self.surface, start=self.start,
                   steps=self.steps, noise=self.controls["noise"].value, seed=0)
        self.path = path
        self._path_line.set_data(path.points[:, 0], path.points[:, 1])
        self._cell_marker.set_data([self.grids[self.x][i]], [self.grids[self.y][j]])
        self._cell_label.set_text(", ".join(f"{k} = {settings[k]:.3g}" for k in (self.x, self.y)))
        if redraw:
            self._blit()

    def _on_pointer(self, event):
        if event.inaxes is not self._map_ax or event.xdata is None:
            return
        i = int(np.argmin(np.abs(np.log(self.grids[self.x] / event.xdata)) if self.x == "lr"
                          else np.abs(self.grids[self.x] - event.xdata)))
        j = int(np.argmin(np.abs(self.grids[self.y] - event.ydata)))
        if self._cell != (i, j):
            self._cell = (i, j)
            self.show_cell(i, j)
