"""make present: a lecture page that links the apps; the race served by Voila, code hidden,
its sliders live."""
from conftest import SCREENSHOTS
from test_jupyterlab import FINGERPRINT, INK, main_canvases, slider


def test_the_lecture_page_links_the_apps_and_the_race_answers_a_slider(page, voila):
    page.goto(voila)                       # where `make present` opens the browser
    assert page.url.split("?")[0].endswith("/voila/render/index.ipynb"), page.url
    links = page.locator("a[href$='.ipynb']")
    page.wait_for_function("() => document.querySelectorAll(\"a[href$='.ipynb']\").length >= 2")
    assert {a.get_attribute("href") for a in links.all()} == {"race.ipynb", "explore.ipynb"}
    page.screenshot(path=str(SCREENSHOTS / "present_index.png"))
    page.locator("a[href='race.ipynb']").click()
    page.wait_for_url("**/voila/render/race.ipynb", wait_until="commit")
    page.wait_for_selector(".jupyter-matplotlib-canvas-div canvas", timeout=120_000)
    canvas = main_canvases(page).first
    page.wait_for_function("c => c.width > 0", arg=canvas.element_handle())
    page.wait_for_timeout(1500)
    assert page.get_by_text("from optimlib").count() == 0         # the code is hidden
    assert page.get_by_text("Error displaying widget").count() == 0
    assert canvas.evaluate(INK) > 1000
    before = canvas.evaluate(FINGERPRINT)
    lr = slider(page, "lr")
    lr.scroll_into_view_if_needed()
    handle = lr.locator(".noUi-handle").bounding_box()
    page.mouse.move(handle["x"] + 5, handle["y"] + 5)
    page.mouse.down()
    page.mouse.move(handle["x"] + 45, handle["y"] + 5, steps=4)
    page.mouse.up()
    page.wait_for_function(f"([c, h]) => ({FINGERPRINT})(c) !== h",
                           arg=[canvas.element_handle(), before], timeout=10_000)
    page.screenshot(path=str(SCREENSHOTS / "present_race.png"))
