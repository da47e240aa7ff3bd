"""Render the README's figures into docs/images/. Run: .venv/bin/python docs/make_figures.py"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from optimlib import OPTIMIZERS, run  # noqa: E402
from optimlib.plotting import plot_paths, plot_surface_3d  # noqa: E402
from optimlib.widgets import race  # noqa: E402

HERE = Path(__file__).parent / "images"
# The learning rates of the book's figure 6-8, plus Nesterov and RMSprop (notebook 00).
LEARNING_RATES = {"SGD": 0.95, "Momentum": 0.1, "Nesterov": 0.1, "AdaGrad": 1.5, "RMSprop": 0.2,
                  "Adam": 0.3}


def save(fig, name, **kwargs):
    fig.savefig(HERE / name, **kwargs)
    print("wrote", HERE / name)


fig, axes = plt.subplots(2, 3, figsize=(12, 4.8), layout="constrained")
for ax, (name, lr) in zip(axes.flat, LEARNING_RATES.items()):
    path = run(OPTIMIZERS[name](lr=lr), "book", start=(-7, 2), steps=30)
    plot_paths("book", {name: path}, ax=ax, legend=False,
               title=f"{name} (lr={lr}): loss {path.losses[-1]:.1e}")
save(fig, "race_book.png", dpi=80)

app = race(list(OPTIMIZERS), surface="rosenbrock", steps=300, backend="inline")
save(app.figure, "app_race.png", dpi=80)
paths = {name: run(OPTIMIZERS[name](lr=LEARNING_RATES[name]), "book", start=(-7, 2), steps=30)
         for name in ("SGD", "Momentum", "Adam")}
save(plot_surface_3d("book", paths).figure, "surface_3d.png", dpi=70)
# The apps as students meet them (screen_*.png) are screenshots of the browser, taken by
# `make e2e` (tests/e2e/test_screens.py) into screenshots/screens/ and copied from there.
