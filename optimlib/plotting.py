"""Static matplotlib figures: a surface's contour with optimizer paths on it.

Colours come from the Okabe-Ito palette, which readers with any common colour-vision
deficiency can tell apart; each optimizer keeps its colour and marker in every notebook.
"""
import matplotlib.pyplot as plt
import numpy as np

from .surfaces import get_surface

__all__ = ["COLORS", "MARKERS", "contour", "plot_paths"]

COLORS = {"SGD": "#0072B2", "Momentum": "#D55E00", "Nesterov": "#CC79A7",
          "AdaGrad": "#009E73", "RMSprop": "#E69F00", "Adam": "#000000"}
MARKERS = {"SGD": "o", "Momentum": "s", "Nesterov": "D", "AdaGrad": "^", "RMSprop": "v",
           "Adam": "P"}
_EXTRA_COLORS = ["#56B4E9", "#999999", "#882255", "#44AA99"]


def contour(surface, ax, resolution=300, levels=20):
    """Draw ``surface`` as grey contour lines, log-spaced so that flat valleys show.

    Minima are yellow stars. Returns the artists drawn, so that they can be removed.
    """
    surface = get_surface(surface)
    x = np.linspace(*surface.xlim, resolution)
    y = np.linspace(*surface.ylim, resolution)
    z = surface.f(*np.meshgrid(x, y))
    low, span = z.min(), z.max() - z.min()
    artists = [ax.contour(x, y, z, levels=low + np.geomspace(span * 1e-4, span, levels),
                          colors="#9a9a9a", linewidths=0.7)]
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
    for i, (label, path) in enumerate(paths.items()):
        name = label.split()[0]
        color = COLORS.get(name, _EXTRA_COLORS[i % len(_EXTRA_COLORS)])
        text = label if path.diverged_at is None else f"{label} (diverged at step {path.diverged_at})"
        ax.plot(path.points[:, 0], path.points[:, 1], color=color, marker=MARKERS.get(name, "o"),
                markersize=3.5, linewidth=1.4, label=text, zorder=3)
    if paths:
        start = next(iter(paths.values())).points[0]
        ax.plot(*start, marker="o", markersize=9, color="white", markeredgecolor="black",
                linestyle="none", zorder=6)
    if title is not None:
        ax.set_title(title)
    if legend and paths:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
    return ax
