"""The notebooks as students meet them: JupyterLab in Chromium, driven with the mouse."""
import json
import secrets
import statistics
import time
import urllib.request
import uuid

import pytest
import websocket

from conftest import ROOT, SCREENSHOTS

# A cheap fingerprint of a canvas's pixels, computed in the page.
FINGERPRINT = """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 0; for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]) | 0; return h; }"""
INK = """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 200) n++; return n; }"""


def assert_every_app_fits(page, name):
    from test_screens import assert_every_app_fits as check  # it imports from this module
    check(page, name)


def open_notebook(page, lab, name):
    """Open one notebook in a workspace of its own, so no other tab is restored beside it."""
    base, token = lab
    workspace = f"{name.split('.')[0]}-{secrets.token_hex(4)}"
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{name}?token={token}")
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    wait_idle(page)


def wait_idle(page, timeout=180_000):
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout)


def menu(page, top, item):
    page.locator(".lm-MenuBar-itemLabel", has_text=top).click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


# The prompts of the cells whose code shows (a folded solution cell's placeholder has an
# empty prompt of its own: cells run in order, and wait_idle waits for the folded ones).
EVERY_CELL_RAN = """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                       .every(p => /\\[\\d+\\]/.test(p.textContent))"""
NO_CELL_RAN = """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                     .every(p => !/\\d/.test(p.textContent))"""


def run_all(page, restart=False):
    page.locator(".jp-Notebook").click()
    page.keyboard.press("Escape")
    if restart:
        menu(page, "Kernel", "Restart Kernel and Clear Outputs of All Cells")
        page.locator(".jp-Dialog-button.jp-mod-accept").click()
        wait_idle(page)
    page.wait_for_function(NO_CELL_RAN, timeout=30_000)
    menu(page, "Run", "Run All Cells")
    # wait until every code cell has an execution count, then for the kernel to settle
    try:
        page.wait_for_function(EVERY_CELL_RAN, timeout=180_000)
    except Exception:
        shot(page, "run_all_timed_out")
        raise
    wait_idle(page)
    page.wait_for_timeout(1500)  # let the widgets and the first canvas frames arrive


def assert_clean(page):
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.first.inner_text()[:500]
    assert page.get_by_text("Error displaying widget").count() == 0
    # no notification (JupyterLab's "get news?" prompt) lies over the apps
    assert page.locator(".Toastify__toast").count() == 0, page.locator(".Toastify__toast").first.inner_text()


def assert_solutions_folded(page, name):
    """After Run All, each exercise's solution cell still shows folded: one line (its title)
    and no output, so nothing gives the answer away before the student asks for it."""
    cells = json.loads((ROOT / "notebooks" / name).read_text())["cells"]
    titles = ["".join(c["source"]).splitlines()[0] for c in cells
              if "solution" in c["metadata"].get("tags", [])]
    folded = page.locator(".jp-CodeCell").filter(has=page.locator(".jp-InputPlaceholder"))
    assert len(titles) >= 2 and folded.count() == len(titles)
    for i, title in enumerate(titles):
        assert folded.nth(i).locator(".jp-InputPlaceholder").inner_text().startswith(title)
        assert folded.nth(i).locator(".jp-OutputArea-output").count() == 0, title


def main_canvases(page):
    """The image canvas of each ipympl figure (each figure also has a transparent top canvas)."""
    return page.locator(".jupyter-matplotlib-canvas-div canvas:first-child")


def slider(page, description, nth=0):
    return page.locator(".widget-slider").filter(
        has=page.locator(".widget-label", has_text=description)).nth(nth)


def shot(page, name):
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def exact_box(slider_locator):
    """The box beside a hyperparameter's slider that shows and takes its exact value."""
    return slider_locator.locator("xpath=following-sibling::*[1]").locator("input")


def grab(page, slider_locator):
    """Press the mouse on the slider's handle (scrolled into view); return where it is."""
    slider_locator.scroll_into_view_if_needed()
    handle = slider_locator.locator(".noUi-handle").bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    return x, y


def in_kernel(lab, notebook, code):
    """Run ``code`` in the kernel of the open ``notebook`` (on a connection of our own, not in
    a cell of the page) and return what it printed: what the app holds, read back."""
    base, token = lab
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}") as answer:
        kernel = next(s["kernel"]["id"] for s in json.load(answer) if s["path"].endswith(notebook))
    ws = websocket.create_connection(
        f"ws://{base.removeprefix('http://')}/api/kernels/{kernel}/channels?token={token}",
        timeout=60)
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "e2e",
                   "session": uuid.uuid4().hex, "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
    printed, error = [], None
    try:
        while True:
            message = json.loads(ws.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["header"]["msg_type"], message["content"]
            if kind == "stream":
                printed.append(content["text"])
            elif kind == "error":
                error = "\n".join(content["traceback"])
            elif kind == "status" and content["execution_state"] == "idle":
                break
    finally:
        ws.close()
    assert error is None, error
    return "".join(printed)


def show_every_app(page):
    """Scroll every slider into view, so the browser has drawn it (and echoed its value).
    (A control an app hides, like a schedule's parameter that does not apply, is drawn with
    its app's output but cannot be scrolled to: Playwright would wait for it to show.)"""
    for i in range(page.locator(".widget-slider:visible").count()):
        page.locator(".widget-slider:visible").nth(i).scroll_into_view_if_needed()
    page.wait_for_timeout(1000)


# The notebooks with apps, and how many apps each shows.
APPS = {"00_start_here": 1, "01_sgd": 1, "02_momentum": 1, "03_nesterov": 1, "04_adagrad": 1,
        "05_rmsprop": 1, "06_adam": 1, "06c_schedules": 1, "07_race": 1,
        "08b_hyperparameter_maps": 2, "10_build_your_own": 1}

# Every app alive in the kernel, read back as JSON: the settings it holds and those it was
# built with; whether its paths (a map: its grid and its path) equal a fresh run of the
# settings it holds (an optimizer of your own is not run again: the notebook checks it); and,
# for the apps shown (Out, in the order of the page), each exact box's label and value.
READBACK = """
def _readback():
    import gc, json
    import numpy as np
    from optimlib import MORE_OPTIMIZERS, OPTIMIZERS, Scheduled, get_optimizer, run, sweep
    from optimlib.widgets import PhaseMap, RaceApp
    from optimlib.widgets.controls import ExactSlider

    def rerun(name, hyperparameters, s, app):
        optimizer = get_optimizer(name)(**hyperparameters)
        if s.get("schedule", "constant") != "constant":  # a map has no schedule
            optimizer = Scheduled(optimizer, s["schedule"], total=s["steps"], drop=s["drop"],
                                  every=s["every"], warmup=s["warmup"])
        return run(optimizer, app.surface, start=s["start"], steps=s["steps"],
                   noise=s["noise"], seed=0).points

    def fresh(app, s):
        same = lambda a, b: bool(np.array_equal(a, b, equal_nan=True))
        if isinstance(app, PhaseMap):
            grids = {axis: app.grids[axis] for axis in (app.x, app.y)}
            result = sweep(app.name, app.surface, start=s["start"], steps=s["steps"],
                           tol=app.tol, noise=s["noise"], seed=0,
                           **{**s["hyperparameters"], **grids})
            cell = {axis: float(grids[axis][i]) for axis, i in zip(grids, app.cell)}
            return {"map": all(same(getattr(result, k), getattr(app.result, k))
                               for k in ("final_loss", "steps_to_tol", "diverged")),
                    "path": same(rerun(app.name, {**s["hyperparameters"], **cell}, s, app),
                                 app.path.points)}
        return {name: same(rerun(name, s["hyperparameters"][name], s, app), path.points)
                if name in {**OPTIMIZERS, **MORE_OPTIMIZERS} else "own: not run again"
                for name, path in app.paths.items()}

    plain = lambda s: json.loads(json.dumps(dict(s), default=float))
    apps = [o for o in gc.get_objects() if isinstance(o, (RaceApp, PhaseMap))]
    shown = {}
    for key in sorted(Out):
        if any(Out[key] is app for app in apps) and id(Out[key]) not in shown:
            shown[id(Out[key])] = key
    report = []
    for app in sorted(apps, key=lambda app: shown.get(id(app), float("inf"))):
        s, given = app.settings, app.initial_settings
        report.append({
            "app": f"{type(app).__name__} in Out[{shown[id(app)]}]" if id(app) in shown
                   else f"{type(app).__name__}, not shown",
            "held": plain(s), "given": plain(given), "same": dict(s) == dict(given),
            "fresh": fresh(app, s),
            "boxes": [[c.slider.description, c.value] for c in app.controls.values()
                      if isinstance(c, ExactSlider) and id(app) in shown]})
    print(json.dumps(report))

_readback()
del _readback
"""

# Each exact box in the page, in order: the label of its slider, the text it holds, and whether
# all of that text fits in the box (a box that cuts "0.012589254117941675" to "0.0125892" shows
# the student a number the app does not hold).
BOXES = """() => [...document.querySelectorAll('.widget-slider')]
    .filter(s => s.nextElementSibling && s.nextElementSibling.classList.contains('widget-text'))
    .map(s => { const box = s.nextElementSibling.querySelector('input');
                return [s.querySelector('.widget-label').textContent, box.value,
                        box.scrollWidth <= box.clientWidth]; })"""


def assert_every_app_holds_its_values(page, lab, notebook):
    """Once the browser has drawn every slider, every app in the kernel holds exactly the
    settings it was built with, its paths are a fresh run of them, and each exact box in the
    page shows its slider's value (the student reads the box)."""
    show_every_app(page)
    report = json.loads(in_kernel(lab, notebook, READBACK))
    for app in report:
        held = app["held"]
        print(f"\n{notebook}, {app['app']}: {held['surface']}, start {held['start']}, "
              f"{held['steps']} steps, noise {held['noise']}: {held['hyperparameters']}; "
              f"same as given: {app['same']}; paths as a fresh run: {app['fresh']}")
    # An app a notebook never shows (02's claims cell drives one, "probe", through its
    # arrows) may hold what the notebook set; its paths must still be a fresh run of that.
    shown = [app for app in report if not app["app"].endswith("not shown")]
    assert len(shown) == APPS[notebook.removesuffix(".ipynb")]
    for app in report:
        if app in shown:
            assert app["held"] == app["given"] and app["same"], app["app"]
        assert all(same in (True, "own: not run again") for same in app["fresh"].values()), app
    boxes = page.evaluate(BOXES)
    print(f"{notebook}: the exact boxes show {boxes}")
    assert len(boxes) == sum(len(app["boxes"]) for app in report)
    assert [[label, float(text)] for label, text, _ in boxes] == [
        box for app in report for box in app["boxes"]]
    assert all(fits for _, _, fits in boxes), [text for _, text, fits in boxes if not fits]


# What each notebook's apps must hold once the browser has drawn them: exactly the values the
# notebook gave (printed in the kernel as JSON, read from Out, where the shown apps are kept).
EXACT = {
    "00_start_here.ipynb": """
import json
print(json.dumps({"given": {n: learning_rates[n] for n in app.paths},
                  "held": {n: app.settings["hyperparameters"][n]["lr"] for n in app.paths},
                  "paths": all(np.array_equal(app.paths[n].points, paths[n].points)
                               for n in app.paths)}))""",
    "01_sgd.ipynb": """
import json
app = [o for o in Out.values() if type(o).__name__ == "ExploreApp"][-1]
print(json.dumps({"given": {"SGD": 0.5}, "held": {"SGD": app.settings["hyperparameters"]["SGD"]["lr"]},
                  "paths": True}))""",
    "02_momentum.ipynb": """
import json
app = [o for o in Out.values() if type(o).__name__ == "ExploreApp"][-1]
print(json.dumps({"given": {"lr": round(lr_star, 3), "momentum": round(momentum_star, 3)},
                  "held": {k: app.settings["hyperparameters"]["Momentum"][k]
                           for k in ("lr", "momentum")},
                  "paths": True}))""",
    "06c_schedules.ipynb": """
import json
app = [o for o in Out.values() if type(o).__name__ == "RaceApp"][-1]
print(json.dumps({"given": {"schedule": "step", "drop": 0.5, "every": 30, "warmup": 10},
                  "held": {k: app.settings[k] for k in ("schedule", "drop", "every", "warmup")},
                  "paths": True}))""",
    "08b_hyperparameter_maps.ipynb": """
import json
app = [o for o in Out.values() if type(o).__name__ == "RaceApp"][-1]
print(json.dumps({"given": {n: lr for n, (lr, _) in tuned.items()},
                  "held": {n: app.settings["hyperparameters"][n]["lr"] for n in tuned},
                  "paths": True}))""",
    "10_build_your_own.ipynb": """
import json
print(json.dumps({"given": {"Lion": {}}, "held": {"Lion": app.settings["hyperparameters"]["Lion"]},
                  "paths": np.array_equal(app.paths["Lion"].points, himmelblau_path.points)}))""",
}


def assert_exact(page, lab, notebook):
    """Every app holds what it was built with (see above); and, where EXACT says, what the
    notebook's own variables say it should hold."""
    assert_every_app_holds_its_values(page, lab, notebook)
    if notebook not in EXACT:
        return
    said = json.loads(in_kernel(lab, notebook, EXACT[notebook]))
    print(f"\n{notebook}: the notebook gave {said['given']}, the app holds {said['held']}")
    assert said["held"] == said["given"] and said["paths"]


def test_start_here_runs_and_its_race_answers_the_mouse(page, lab):
    open_notebook(page, lab, "00_start_here.ipynb")
    run_all(page)
    assert_clean(page)
    assert_solutions_folded(page, "00_start_here.ipynb")
    canvas = main_canvases(page).last          # the race (the last app of the notebook)
    canvas.scroll_into_view_if_needed()
    assert canvas.evaluate(INK) > 1000, "the race's canvas is blank"
    shot(page, "00_race_first_frame")

    assert_exact(page, lab, "00_start_here.ipynb")

    # Drag SGD's lr slider back and forth, timing mouse-move -> changed canvas pixels.
    lr = slider(page, "lr")
    box = exact_box(lr)
    value_before = box.input_value()
    x, y = grab(page, lr)
    latencies = []
    for i in range(24):
        before = canvas.evaluate(FINGERPRINT)
        t0 = time.perf_counter()
        page.mouse.move(x - 20 if i % 2 == 0 else x - 40, y)
        while canvas.evaluate(FINGERPRINT) == before and time.perf_counter() - t0 < 5:
            page.wait_for_timeout(5)
        latencies.append(time.perf_counter() - t0)
    page.mouse.up()
    shot(page, "00_race_after_drag")
    ms = sorted(1000 * t for t in latencies)
    print(f"\ndrag -> repaint over {len(ms)} drags: median {statistics.median(ms):.0f} ms, "
          f"p95 {ms[int(0.95 * len(ms)) - 1]:.0f} ms (goal: median <= 250 ms)")
    assert max(latencies) < 5, "a drag did not repaint the canvas"
    page.wait_for_function("([el, text]) => el.value !== text",
                           arg=[box.element_handle(), value_before], timeout=5000)
    sgd_lr = 'print(app.settings["hyperparameters"]["SGD"]["lr"])'
    dragged = float(in_kernel(lab, "00_start_here.ipynb", sgd_lr))
    assert dragged == float(box.input_value()) < 0.95

    # Then type a value: the app takes exactly that; an arrow key steps the slider from it.
    box.fill("0.68")
    box.press("Enter")
    page.wait_for_timeout(500)
    shot(page, "00_race_typed")
    assert float(in_kernel(lab, "00_start_here.ipynb", sgd_lr)) == 0.68
    lr.locator(".noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(500)
    stepped = float(in_kernel(lab, "00_start_here.ipynb", sgd_lr))
    print(f"dragged to lr = {dragged}, typed 0.68, one arrow key -> {stepped}")
    assert 0.68 < stepped <= 0.68 * 10 ** 0.01 and float(box.input_value()) == stepped

    # Click on the contour: the start moves, so the paths and the scoreboard change.
    scoreboard = page.locator(".widget-html", has_text="final loss").last
    board_before, pixels_before = scoreboard.inner_text(), canvas.evaluate(FINGERPRINT)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + 0.55 * box["width"], box["y"] + 0.35 * box["height"])
    page.wait_for_function("([el, text]) => el.innerText !== text",
                           arg=[scoreboard.element_handle(), board_before], timeout=5000)
    page.wait_for_function(f"([c, before]) => ({FINGERPRINT})(c) !== before",
                           arg=[canvas.element_handle(), pixels_before], timeout=5000)
    shot(page, "00_race_after_click")

    # Play: the shown step runs from 0 up again and the picture changes as it goes.
    frame = slider(page, "show step").locator(".widget-readout")
    page.locator(".widget-play button").first.click()
    page.wait_for_timeout(400)
    first, pixels = frame.inner_text(), canvas.evaluate(FINGERPRINT)
    page.wait_for_timeout(600)
    assert frame.inner_text() != first and canvas.evaluate(FINGERPRINT) != pixels
    shot(page, "00_race_playing")
    assert_every_app_fits(page, "00_start_here")  # at 1400 and 1000 px (test_screens)

    # In a narrower window every control still fits the notebook's column.
    page.set_viewport_size({"width": 1000, "height": 1000})
    page.wait_for_timeout(500)
    lr.scroll_into_view_if_needed()
    column = page.locator(".jp-Cell-outputArea").filter(has=lr).bounding_box()
    for box in page.locator(".widget-hbox:visible").filter(has=page.locator(".widget-text")).all():
        edges = box.bounding_box()
        assert edges["x"] + edges["width"] <= column["x"] + column["width"] + 1
    shot(page, "00_race_controls_1000px")


def test_restart_and_run_all_gives_the_same_notebook(page, lab):
    open_notebook(page, lab, "00_start_here.ipynb")
    run_all(page)
    outputs = page.locator(".jp-OutputArea-output[data-mime-type='text/plain']").all_inner_texts()
    run_all(page, restart=True)
    assert_clean(page)
    assert page.locator(".jp-OutputArea-output[data-mime-type='text/plain']").all_inner_texts() == outputs
    assert main_canvases(page).last.evaluate(INK) > 1000
    shot(page, "00_after_restart")


@pytest.mark.parametrize("name", [name for name in APPS if name != "00_start_here"])
def test_notebook_runs_with_live_canvases(page, lab, name):
    t0 = time.perf_counter()
    open_notebook(page, lab, f"{name}.ipynb")
    run_all(page)
    ran = time.perf_counter() - t0
    assert_clean(page)
    assert_solutions_folded(page, f"{name}.ipynb")
    assert_exact(page, lab, f"{name}.ipynb")
    canvas = main_canvases(page).last
    canvas.scroll_into_view_if_needed()
    assert canvas.evaluate(INK) > 1000
    shot(page, name)
    page.locator(".widget-slider:visible").last.scroll_into_view_if_needed()
    shot(page, f"{name}_controls")  # the exact boxes of the last app, as the student reads them
    if name in DRAG_THEN_TYPE:
        drag_then_type(page, lab, f"{name}.ipynb", *DRAG_THEN_TYPE[name])
    assert_every_app_fits(page, name)  # at 1400 and 1000 px, on this Run All (test_screens)
    print(f"{name}: open and Run All {ran:.0f} s, all checks {time.perf_counter() - t0:.0f} s")


# A slider of an explore app to drag and then type into: its label, what the app holds
# (read in the kernel) and the value to type.
DRAG_THEN_TYPE = {"06_adam": ("beta2", 'next(o for o in Out.values() if type(o).__name__ == '
                                       '"ExploreApp").settings["hyperparameters"]["Adam"]["beta2"]',
                              "0.995")}


def drag_then_type(page, lab, notebook, description, held, typed):
    """Drag the slider's handle: the app holds the value its box then shows; type a value in
    the box: the app holds exactly that, and the box shows it."""
    control = slider(page, description)
    box = exact_box(control)
    before = box.input_value()
    x, y = grab(page, control)
    page.mouse.move(x - 30, y, steps=3)
    page.mouse.up()
    page.wait_for_function("([el, text]) => el.value !== text",
                           arg=[box.element_handle(), before], timeout=5000)
    page.wait_for_timeout(500)
    dragged = float(in_kernel(lab, notebook, f"print(repr({held}))"))
    assert dragged == float(box.input_value()) != float(before)
    box.fill(typed)
    box.press("Enter")
    page.wait_for_timeout(500)
    now = float(in_kernel(lab, notebook, f"print(repr({held}))"))
    shot(page, f"{notebook.split('.')[0]}_{description}_typed")
    print(f"{notebook}: {description} {before} dragged to {dragged}, typed {typed} -> {now}")
    assert now == float(typed) and box.input_value() == typed
