"""make site: every page opens from disk with no network, formulas render, animations play."""
import importlib.util
from pathlib import Path

import pytest

from conftest import ROOT, SCREENSHOTS

spec = importlib.util.spec_from_file_location("build_site", ROOT / "docs" / "build_site.py")
build_site = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_site)

PAGES = ["index"] + [path.stem for path in build_site.NOTEBOOKS]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build_site.build(out)
    return out


@pytest.mark.parametrize("name", PAGES)
def test_a_page_works_offline(browser, site, name):
    context = browser.new_context()
    problems = []
    # a USB stick in a lecture hall: no network; any attempt to reach it is a problem
    context.route(lambda url: not url.startswith("file:"),
                  lambda route: (problems.append(f"network: {route.request.url}"), route.abort()))
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.goto((site / f"{name}.html").as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(1500 if name != "index" else 200)   # MathJax typesets after load
    assert problems == []
    if name == "index":
        links = page.locator("ol li a")
        assert links.count() == len(build_site.NOTEBOOKS)
        assert [Path(links.nth(i).get_attribute("href")).stem for i in range(links.count())] == PAGES[1:]
        return
    if name != "09_glossary":  # the glossary is the one notebook without figures
        assert page.locator("img").count() >= 1, "a notebook page without a single figure"
    assert page.evaluate("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    notebook = build_site.nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    if any("$" in cell.source for cell in notebook.cells if cell.cell_type == "markdown"):
        assert page.locator("mjx-container svg").count() > 0, "formulas not typeset"
    # every exercise's solution cell is folded away, as in JupyterLab and Colab
    solutions = page.locator(".celltag_solution")
    assert solutions.count() >= 2
    assert page.evaluate("""() => [...document.querySelectorAll('.celltag_solution')].every(
        c => c.parentElement.matches('details.solution:not([open])') && !c.checkVisibility())""")
    for animation in page.locator(".animation").all():
        animation.scroll_into_view_if_needed()
        slider = animation.locator("input[type=range]")
        before = slider.input_value()
        animation.locator("button[title='Play']").click()
        page.wait_for_timeout(800)
        assert slider.input_value() != before, "the animation did not advance"
    page.screenshot(path=str(SCREENSHOTS / f"site_{name}.png"))
    context.close()
