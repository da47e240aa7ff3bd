"""Static figures and animations draw exactly the paths they are given."""
import io

import matplotlib
import numpy as np
import pytest
from PIL import Image

from optimlib import SGD, Adam, Momentum, run
from optimlib.plotting import COLORS, animate, plot_losses, plot_paths, plot_surface_3d

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture
def paths():
    yield {"SGD lr=0.95": run(SGD(lr=0.95), "book", start=(-7, 2), steps=30),
           "Momentum": run(Momentum(lr=0.1), "book", start=(-7, 2), steps=30),
           "SGD lr=1.1": run(SGD(lr=1.1), "book", start=(-7, 2), steps=40)}
    plt.close("all")


def test_plot_paths_draws_each_path_with_its_optimizers_colour(paths):
    ax = plot_paths("book", paths)
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_array_equal(np.column_stack(lines["SGD lr=0.95"].get_data()),
                                  paths["SGD lr=0.95"].points)
    assert lines["Momentum"].get_color() == COLORS["Momentum"]
    k = paths["SGD lr=1.1"].diverged_at
    assert f"SGD lr=1.1 (diverged at step {k})" in lines
    assert [t.get_text() for t in ax.get_legend().get_texts()][1] == "Momentum"


def test_two_paths_of_one_optimizer_never_share_a_colour(paths):
    for ax in (plot_paths("book", paths), plot_losses(paths, "book")):
        colors = {line.get_label().split(" (")[0]: line.get_color() for line in ax.get_lines()
                  if not line.get_label().startswith("_")}
        assert colors["SGD lr=0.95"] == COLORS["SGD"] and colors["Momentum"] == COLORS["Momentum"]
        assert colors["SGD lr=1.1"] not in COLORS.values()        # the second SGD: its own


def test_the_palette_is_okabe_ito_and_distinct():
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                 "#000000"}
    assert set(COLORS.values()) <= okabe_ito and len(set(COLORS.values())) == len(COLORS)


def test_plot_losses_shows_the_loss_above_the_minimum(paths):
    assert plot_losses(paths).get_ylabel() == "loss"
    camel = {"Adam": run(Adam(lr=0.05), "six_hump_camel", steps=50)}
    ax = plot_losses(camel, "six_hump_camel")
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "loss f − f_min"
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(),
                               camel["Adam"].losses + 1.0316284534898774)


def test_plot_surface_3d_lifts_the_paths_onto_the_surface(paths):
    ax = plot_surface_3d("book", {"Momentum": paths["Momentum"]})
    x, y, z = ax.get_lines()[0].get_data_3d()
    np.testing.assert_allclose(z, x**2 / 20 + y**2)
    ax = plot_surface_3d("rosenbrock", {"Adam": run(Adam(lr=0.2), "rosenbrock", steps=50)},
                         log=True)
    x, y, z = ax.get_lines()[0].get_data_3d()
    np.testing.assert_allclose(z, np.log10(1 + (1 - x) ** 2 + 100 * (y - x**2) ** 2))


def test_animate_exports_html_and_gif(paths, tmp_path):
    anim = animate("book", paths, frames=12)
    html = anim.to_jshtml()
    assert html.count("data:image/png;base64") == 12 and "<script" in html
    anim.save(tmp_path / "race.gif", writer="pillow")
    gif = Image.open(tmp_path / "race.gif")
    assert gif.format == "GIF" and gif.n_frames == 12
    first, last = (np.asarray(frame.convert("RGB")) for frame in _frames(gif, 0, 11))
    assert (first != last).any()
    assert plt.get_fignums() == []  # animations make no pyplot figures


def _frames(gif, *indices):
    for i in indices:
        gif.seek(i)
        buffer = io.BytesIO()
        gif.convert("RGB").save(buffer, format="png")
        yield Image.open(buffer)
