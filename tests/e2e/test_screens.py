"""Readable apps (issue 11, points 4-5): every app as a student meets it, screenshotted and
measured, in JupyterLab at 1400 and 1000 px wide and in Voila on a 1280-px projector.

Each notebook with an app runs once at 1400 px (in test_jupyterlab, whose Run All this shares);
then the window narrows to 1000 px (JupyterLab
lays its column out again; the apps' figures keep their size). For every app's output area:
its figure and every control row end inside the area (nothing cut off or hidden behind a
scroll bar), no slider's track is squeezed, no label is cut short, and the area is
screenshotted to screenshots/screens/ for a person to look at. In Voila the apps fill at least
80% of the projector's width.
"""
import pytest

from conftest import SCREENSHOTS
from test_jupyterlab import main_canvases

WIDTHS = (1400, 1000)
HEIGHT = 1400  # tall enough to screenshot a whole app; the widths are what is tested
PROJECTOR = {"width": 1280, "height": 800}
FOLDER = SCREENSHOTS / "screens"

# Per app output area, measured in the page: how far (px) its figure and its widest row of
# controls reach past the area's right edge, whether the area scrolls sideways, the narrowest
# slider track, the labels whose text is cut short, whether the controls sit beside the figure
# (the first one to the right of it) and how wide figure and controls span together.
MEASURE = """area => {
    const box = e => e.getBoundingClientRect();
    const shown = els => [...els].filter(e => e.offsetWidth > 0);
    const right = box(area).right;
    const past = els => Math.max(-1e9, ...shown(els).map(e => box(e).right - right));
    const figure = area.querySelector('.jupyter-matplotlib-canvas-div canvas');
    const controls = shown(area.querySelectorAll('.widget-slider, .widget-dropdown, .widget-play'));
    return {
        area: Math.round(box(area).width),
        figure: Math.round(box(figure).width),
        figure_past: Math.round(past([figure])),
        controls_past: Math.round(past(area.querySelectorAll('.widget-hbox, .widget-inline-hbox'))),
        scrolls: area.scrollWidth > area.clientWidth + 1,
        narrowest_track: Math.round(Math.min(1e9, ...shown(area.querySelectorAll(
            '.widget-slider .slider-container')).map(e => box(e).width))),
        cut_labels: shown(area.querySelectorAll('.widget-label, .widget-button'))
            .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim()),
        beside: controls.length > 0 && box(controls[0]).left >= box(figure).right,
        span: Math.round(Math.max(...controls.map(e => box(e).right)) - box(figure).left),
    };
}"""
MIN_TRACK = 120  # px: a slider shorter than this needs pixel hunting


def app_areas(page):
    """The output area of each app: a live figure together with sliders."""
    return page.locator(".jp-OutputArea-output").filter(
        has=page.locator(".jupyter-matplotlib-canvas-div")).filter(
        has=page.locator(".widget-slider"))


def measure_apps(page, areas, name, beside):
    """Screenshot and measure every app in ``areas``; return the list of what is wrong: cut
    off, squeezed, or (if ``beside``) controls that do not sit beside the figure."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    problems = []
    for i in range(areas.count()):
        area = areas.nth(i)
        area.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        area.screenshot(path=str(FOLDER / f"{name}_app{i}.png"))
        m = area.evaluate(MEASURE)
        print(f"{name} app {i}: {m}")
        if m["figure_past"] > 0 or m["controls_past"] > 0 or m["scrolls"]:
            problems.append(f"{name} app {i}: cut off at the right {m}")
        if m["narrowest_track"] < MIN_TRACK or m["cut_labels"]:
            problems.append(f"{name} app {i}: squeezed controls {m}")
        if beside and not m["beside"]:
            problems.append(f"{name} app {i}: the controls are not beside the figure {m}")
    return problems


def assert_every_app_fits(page, name):
    """At 1400 px the controls sit beside the figure (in view while a slider is dragged); at
    1000 px (a 568-px column) they go below it; either way nothing is cut off or squeezed.
    Called by test_jupyterlab's test of each notebook with an app, after its Run All at 1400
    px: one Run All per notebook serves both."""
    areas = app_areas(page)
    assert areas.count() >= (2 if name.startswith("08b") else 1)
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.wait_for_timeout(800)
        problems += measure_apps(page, areas, f"lab{width}_{name}", beside=width >= 1400)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", ["race", "explore"])
def test_lecture_mode_fills_the_projector(browser, voila, name):
    """make present on a 1280-px projector: figure and controls side by side span at least
    80% of its width, and the figure fits its 800-px height (the race is drawn at scale=1.5,
    explore at 1.2)."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport=PROJECTOR)
    try:
        page.goto(f"{voila}/voila/render/{name}.ipynb")
        page.wait_for_selector(".jupyter-matplotlib-canvas-div canvas", timeout=120_000)
        canvas = main_canvases(page).first
        page.wait_for_function("c => c.width > 0", arg=canvas.element_handle())
        page.wait_for_timeout(1500)
        page.screenshot(path=str(FOLDER / f"voila1280_{name}_page.png"))
        bottom = canvas.bounding_box()["y"] + canvas.bounding_box()["height"]
        assert bottom <= PROJECTOR["height"], f"the figure ends {bottom:.0f} px down the page"
        area = page.locator(".jp-OutputArea-output").filter(has=canvas)
        problems = measure_apps(page, area, f"voila1280_{name}", beside=True)
        span = area.evaluate(MEASURE)["span"]
        print(f"voila {name}: figure and controls span {span} px of {PROJECTOR['width']}")
        assert span >= 0.8 * PROJECTOR["width"] and not problems, problems
    finally:
        page.close()
