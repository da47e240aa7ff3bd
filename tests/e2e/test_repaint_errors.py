"""In the page: after a change the race's canvas equals a fresh race made with its settings,
and an error inside a callback shows under the app."""
import json
import secrets
import urllib.request

from test_jupyterlab import main_canvases, open_notebook, shot, wait_idle

# How many pixels of two canvases differ (any channel by more than ``tol``), computed in the page.
DIFFERING = """([a, b, tol]) => {
    const da = a.getContext('2d').getImageData(0, 0, a.width, a.height).data;
    const db = b.getContext('2d').getImageData(0, 0, b.width, b.height).data;
    if (a.width !== b.width || a.height !== b.height) return -1;
    let n = 0;
    for (let i = 0; i < da.length; i += 4)
        if (Math.abs(da[i] - db[i]) > tol || Math.abs(da[i + 1] - db[i + 1]) > tol
            || Math.abs(da[i + 2] - db[i + 2]) > tol) n++;
    return n; }"""

NAMES = '["SGD", "Momentum", "AdaGrad", "Adam"]'
FRESH = (f's = a.settings\nb = race({NAMES}, surface=s["surface"], start=s["start"], '
         'steps=s["steps"],\n         hyperparameters=s["hyperparameters"], schedule=s["schedule"], '
         'drop=s["drop"],\n         every=s["every"], warmup=s["warmup"])\n'
         'print(dict(a.settings) == dict(b.settings), a.scoreboard.value == b.scoreboard.value,\n'
         '      s["surface"], s["schedule"], s["steps"])\nb')
CELLS = [
    f'from optimlib.widgets import race\na = race({NAMES}, surface="book", start=(-7, 2), steps=30,\n'
    '         hyperparameters={"SGD": {"lr": 0.95}, "Momentum": {"lr": 0.3}, "AdaGrad": {"lr": 1.5},\n'
    '                          "Adam": {"lr": 0.3}})  # as in notebook 00\na',
    FRESH,
    'a.controls["steps"].value = 150',
    FRESH,
    'import numpy as np\n\nclass Fragile:\n    name = "Fragile"\n    lr = 0.05\n'
    '    def update(self, params, grads):\n        for key in params:\n'
    '            if np.abs(grads[key]).max() > 100:\n'
    '                raise ValueError("gradient too steep for Fragile")\n'
    '            params[key] -= self.lr * grads[key]\n\n'
    'c = race(["SGD", Fragile()], surface="book", steps=60)\nc',
]


def make_notebook(lab, cells):
    """A notebook of ``cells`` in the lab's folder, through Jupyter's contents API."""
    base, token = lab
    name = f"scratch_{secrets.token_hex(4)}.ipynb"
    notebook = {"type": "notebook", "content": {
        "cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [],
                   "execution_count": None} for c in cells],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}}
    request = urllib.request.Request(f"{base}/api/contents/{name}?token={token}", method="PUT",
                                     data=json.dumps(notebook).encode(),
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=30)
    return name


def output(page, cell):
    return page.locator(".jp-Notebook .jp-CodeCell").nth(cell).locator(".jp-OutputArea")


RAN = "c => /\\[\\d+\\]/.test(c.querySelector('.jp-InputArea-prompt').textContent)"


def run_cell(page, i):
    """Run code cell ``i`` (Run > Run Selected Cell), again if the first try was not taken."""
    cell = page.locator(".jp-Notebook .jp-CodeCell").nth(i)
    for attempt in range(3):
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Escape")
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
        page.locator(".lm-Menu-itemLabel", has_text="Run Selected Cell").first.click()
        try:
            page.wait_for_function(RAN, arg=cell.element_handle(), timeout=60_000)
            break
        except Exception:
            shot(page, f"run_cell_{i}_timed_out")
            if attempt == 2:
                raise
    wait_idle(page)
    page.wait_for_timeout(1500)  # the widgets and the canvas's images arrive
    return cell


def dropdown(page, cell, label):
    return output(page, cell).locator(".widget-dropdown").filter(
        has=page.locator(".widget-label", has_text=label)).locator("select")


def assert_looks_fresh(page, cell, switched, fresh, expected):
    """The output of a FRESH cell says the settings and scoreboards agree, and the canvases
    are equal pixel for pixel."""
    said = output(page, cell).locator(".jp-OutputArea-output").first.inner_text().split()
    assert said == ["True", "True", *expected], said
    fresh.scroll_into_view_if_needed()
    differing = page.evaluate(f"({DIFFERING})", [switched.element_handle(),
                                                 fresh.element_handle(), 0])
    print(f"\nafter {', '.join(expected)}: switched race vs fresh race: {differing} pixels differ")
    shot(page, f"repaint_fresh_race_{cell}")
    assert differing == 0


def test_a_switched_race_looks_like_a_fresh_one_and_errors_show_under_it(page, lab):
    open_notebook(page, lab, make_notebook(lab, CELLS))
    run_cell(page, 0)
    switched = main_canvases(page).nth(0)
    dropdown(page, 0, "surface").select_option("rosenbrock")   # notebook 00: book -> rosenbrock
    page.wait_for_timeout(2000)
    shot(page, "repaint_switched_race")
    run_cell(page, 1)
    assert_looks_fresh(page, 1, switched, main_canvases(page).nth(1),
                       ["rosenbrock", "constant", "30"])

    run_cell(page, 2)                                        # steps 30 -> 150
    dropdown(page, 0, "lr schedule").select_option("cosine")
    page.wait_for_timeout(2000)
    switched.scroll_into_view_if_needed()
    box = switched.bounding_box()                            # a click moves the start
    page.mouse.click(box["x"] + 0.25 * box["width"], box["y"] + 0.3 * box["height"])
    page.wait_for_timeout(2000)
    run_cell(page, 3)
    assert_looks_fresh(page, 3, switched, main_canvases(page).nth(2),
                       ["rosenbrock", "cosine", "150"])

    # An optimizer of your own that raises on rosenbrock: the error shows under its race.
    run_cell(page, 4)
    dropdown(page, 4, "surface").select_option("rosenbrock")
    area = output(page, 4)
    message = area.get_by_text("ValueError: gradient too steep for Fragile")
    try:
        message.wait_for(timeout=30_000)   # the kernel runs the race on rosenbrock first
    except Exception:
        shot(page, "error_not_shown")
        print("\nunder the race:", area.inner_text()[-600:])
        raise
    assert area.get_by_text("failed: ValueError").count() == 1     # the scoreboard says so
    shot(page, "error_under_the_race")
    dropdown(page, 4, "surface").select_option("book")             # the next event works
    message.wait_for(state="detached", timeout=10_000)
    area.get_by_text("failed: ValueError").wait_for(state="detached", timeout=10_000)
    page.wait_for_timeout(1500)
    shot(page, "error_cleared")
