"""Static matplotlib figures: paths on a contour, loss curves, a 3D view, animations.

Colours come from the Okabe-Ito palette, which readers with any common colour-vision
deficiency can tell apart; each optimizer keeps its colour and marker in every notebook.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .surfaces import get_surface

__all__ = ["COLORS", "MARKERS", "animate", "contour", "line_style", "line_styles", "plot_losses",
           "plot_paths", "plot_surface_3d"]

COLORS = {"SGD": "#0072B2", "Momentum": "#D55E00", "Nesterov": "#CC79A7",
          "AdaGrad": "#009E73", "RMSprop": "#E69F00", "Adam": "#000000", "AdamW": "#56B4E9"}
MARKERS = {"SGD": "o", "Momentum": "s", "Nesterov": "D", "AdaGrad": "^", "RMSprop": "v",
           "Adam": "P", "AdamW": "X"}
# for labels beyond the palette (grey last: the contours are grey), each colour with each
# marker in turn: 28 styles apart
_EXTRA_COLORS = ["#882255", "#44AA99", "#DDCC77", "#999999"]
_EXTRA_MARKERS = ["o", "s", "D", "^", "v", "P", "X"]


def contour(surface, ax, resolution=300, levels=20):
    """Draw ``surface`` as grey contour lines, log-spaced so that flat valleys show.

    Minima are yellow stars. Returns the artists drawn, so that they can be removed.
    """
    surface = get_surface(surface)
    x = np.linspace(*surface.xlim, resolution)
    y = np.linspace(*surface.ylim, resolution)
    z = surface.f(*np.meshgrid(x, y))
    finite = z[np.isfinite(z)]  # a pole on the plot is left out of the levels
    span = np.ptp(finite) if finite.size else 0.0
    artists = []
    if span > 0:  # a flat surface has no contour lines, only its stars and the paths
        heights = finite.min() + np.geomspace(span * 1e-4, span, levels)
        artists.append(ax.contour(x, y, z, levels=heights, colors="#9a9a9a", linewidths=0.7))
    if surface.minima:
        mx, my = np.array(surface.minima).T
        artists += ax.plot(mx, my, marker="*", markersize=14, color="#F0E442",
                           markeredgecolor="black", linestyle="none", zorder=5)
    ax.set(xlim=surface.xlim, ylim=surface.ylim, xlabel="x", ylabel="y", aspect="equal")
    return artists


def plot_paths(surface, paths, ax=None, title=None, legend=True):
    """Contour of ``surface`` with each path of ``paths`` ({label: Trajectory}) drawn on it.

    The start is a white circle, minima are yellow stars; a path that diverged ends where
    it left and says so in the legend. Returns the Axes.
    """
    surface = get_surface(surface)
    if ax is None:
        ax = plt.figure(figsize=(7, 4.5), layout="constrained").add_subplot()
    contour(surface, ax)
    for style, (label, path) in zip(line_styles(paths), paths.items()):
        text = label if path.diverged_at is None else f"{label} (diverged at step {path.diverged_at})"
        ax.plot(path.points[:, 0], path.points[:, 1], **style, markersize=3.5,
                linewidth=1.4, label=text, zorder=3)
    if paths:
        start = next(iter(paths.values())).points[0]
        ax.plot(*start, marker="o", markersize=9, color="white", markeredgecolor="black",
                linestyle="none", zorder=6)
    if title is not None:
        ax.set_title(title)
    if legend and paths:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
    return ax


def line_style(label, i=0):
    """Colour and marker of an optimizer, by the first word of its label ("SGD lr=0.1");
    the ``i``-th label of a figure that names no built-in one gets the ``i``-th extra style."""
    name = _first_word(label)
    if name in COLORS:
        return dict(color=COLORS[name], marker=MARKERS[name])
    colors, markers = len(_EXTRA_COLORS), len(_EXTRA_MARKERS)
    return dict(color=_EXTRA_COLORS[i % colors], marker=_EXTRA_MARKERS[i // colors % markers])


def line_styles(labels):
    """``line_style`` of each label, except that when several labels name one optimizer
    ("SGD lr=0.1", "SGD lr=0.5") only the first keeps its colour: the others get colours
    of their own, so that two curves of one figure never look alike."""
    styles, named, extra = [], set(), 0
    for i, label in enumerate(labels):
        style = line_style(label, i)
        name = _first_word(label)
        if name in COLORS and name in named:
            style["color"], extra = _EXTRA_COLORS[extra % len(_EXTRA_COLORS)], extra + 1
        named.add(name)
        styles.append(style)
    return styles


def _first_word(label):
    """The optimizer's name in a label: its first word ("SGD lr=0.1" -> "SGD"); a label
    may be any object, e.g. the int name of an optimizer of your own."""
    words = str(label).split()
    return words[0] if words else ""


def plot_losses(paths, surface=None, ax=None, title=None):
    """Loss against step for each path of ``paths`` ({label: Trajectory}), on a log scale.

    With a ``surface`` that states its minimum value, the loss is shown above that value
    (f - f_min), so that reaching the minimum means falling off the bottom of the plot.
    """
    floor = 0.0
    if surface is not None and get_surface(surface).min_value is not None:
        floor = get_surface(surface).min_value
    if ax is None:
        ax = plt.figure(figsize=(6, 3.5), layout="constrained").add_subplot()
    for style, (label, path) in zip(line_styles(paths), paths.items()):
        gap = path.losses - floor
        ax.plot(np.arange(len(gap)), np.where(gap > 0, gap, np.nan), label=label,
                color=style["color"], linewidth=1.5)
    ax.set(yscale="log", xlabel="step", ylabel="loss" if surface is None else "loss f − f_min")
    if title is not None:
        ax.set_title(title)
    if paths:
        ax.legend(frameon=False)
    return ax


def plot_surface_3d(surface, paths=None, ax=None, resolution=80, log=False):
    """The surface as a 3D mesh, with each path of ``paths`` lifted onto it.

    ``log=True`` plots log10(1 + f - f_min), for surfaces whose walls dwarf their valleys.
    """
    surface = get_surface(surface)
    floor = surface.min_value if surface.min_value is not None else 0.0

    def height(z):
        return np.log10(1 + z - floor) if log else z

    if ax is None:
        ax = plt.figure(figsize=(6.5, 5), layout="constrained").add_subplot(projection="3d")
    x, y = np.meshgrid(np.linspace(*surface.xlim, resolution), np.linspace(*surface.ylim, resolution))
    ax.plot_surface(x, y, height(surface.f(x, y)), cmap="viridis", alpha=0.75, linewidth=0,
                    rcount=resolution, ccount=resolution)
    for style, (label, path) in zip(line_styles(paths or {}), (paths or {}).items()):
        px, py = path.points[:, 0], path.points[:, 1]
        ax.plot(px, py, height(surface.f(px, py)), **style, markersize=3,
                label=label, zorder=10)
    ax.set(xlabel="x", ylabel="y", zlabel="log10(1 + f − f_min)" if log else "f(x, y)")
    if paths:
        ax.legend(frameon=False, loc="upper left")
    return ax


def animate(surface, paths, frames=60, interval=80):
    """An animation of ``paths`` ({label: Trajectory}) growing step by step on the contour.

    It shows ``frames`` frames (every k-th step, so that long runs stay small) and needs no
    kernel once exported::

        anim = animate("book", paths)
        html = anim.to_jshtml()                     # self-contained HTML + JS, for slides
        anim.save("race.gif", writer="pillow")      # a GIF
    """
    steps = max(len(p.points) for p in paths.values()) - 1
    shown = np.unique(np.linspace(0, steps, min(frames, steps + 1)).round().astype(int))
    fig = Figure(figsize=(7, 4.2), dpi=80, layout="constrained")  # dpi 80: ~50 kB a frame
    FigureCanvasAgg(fig)
    ax = plot_paths(surface, paths, ax=fig.add_subplot())
    lines = ax.get_lines()[-len(paths) - 1:-1]  # the paths, drawn after the minima markers
    counter = ax.text(0.98, 0.02, "", transform=ax.transAxes, ha="right", fontsize=10)

    def draw(k):
        for line, path in zip(lines, paths.values()):
            line.set_data(path.points[:k + 1, 0], path.points[:k + 1, 1])
        counter.set_text(f"step {k}")
        return [*lines, counter]

    return FuncAnimation(fig, draw, frames=shown, interval=interval, blit=False)
