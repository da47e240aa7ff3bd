"""Build the notebooks, executed, as a static site that needs no network and no Python.

    .venv/bin/python docs/build_site.py site      (what `make site` runs)

For lecturers with a USB stick and no network: the animations are self-contained
JavaScript, each live app shows as a still image of its figure, and MathJax is copied
next to the pages. index.html lists the notebooks in reading order.
"""
import html
import re
import shutil
import sys
from pathlib import Path

import mathjax
import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def title(nb):
    """The notebook's first heading, e.g. "01 · SGD: the learning rate"."""
    first = nb.cells[0].source.splitlines()[0]
    return first.lstrip("# ").strip()


ICONS = {"fa-fast-backward": "«", "fa-step-backward": "‹", "fa-play fa-flip-horizontal": "◀",
         "fa-pause": "❚❚", "fa-play": "▶", "fa-step-forward": "›", "fa-fast-forward": "»",
         "fa-minus": "−", "fa-plus": "+"}


def offline(page):
    """Drop what would be fetched from the internet: require.js (only for embedded widgets,
    none here), Font Awesome (the animation buttons get text symbols instead) and badges."""
    page = re.sub(r'<script src="https://[^"]*require[^"]*"></script>', "", page)
    page = re.sub(r'<link href="https://[^"]*font-awesome[^"]*" rel="stylesheet"/>', "", page)
    for icon, text in ICONS.items():
        page = page.replace(f'<i class="fa {icon}"></i>', text)
    page = re.sub(r'<img alt="([^"]*)" src="https?://[^"]*"/>', r"\1", page)
    # nbconvert's page configures MathJax 2; MathJax 3 reads this instead
    config = ("<script>window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], "
              "processEscapes: true}, svg: {fontCache: 'global'}};</script>")
    return page.replace('<script src="mathjax/tex-svg.js', config + '<script src="mathjax/tex-svg.js', 1)


CELL_START = '<div class="jp-Cell '


def fold_solutions(page):
    """Put each exercise's solution cell (tagged "solution") in a closed <details>, as
    JupyterLab and Colab fold it: a reader opens it on purpose. Cells are siblings in the
    page, so a cell ends where the next one (or the notebook) begins."""
    starts = [i for i in range(len(page)) if page.startswith(CELL_START, i)]
    ends = starts[1:] + [page.rfind("</main>")]
    for start, end in reversed(list(zip(starts, ends))):
        opening = page[start:page.index(">", start)]
        title = re.search(r"# @title (Solution \d+[^<\n]*)", page[start:end])
        if "celltag_solution" in opening and title:
            summary = html.escape(html.unescape(title.group(1))) + " (the code)"
            page = (page[:start] + f"<details class=\"solution\"><summary>{summary}</summary>\n"
                    + page[start:end] + "</details>\n" + page[end:])
    return page


def stills_for_widgets(nb):
    """Keep each app's still image and drop its widget view: with no kernel it would be empty."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data and "image/png" in data:
                del data["application/vnd.jupyter.widget-view+json"]
    nb.metadata.pop("widgets", None)
    return nb


def build(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "mathjax").mkdir(exist_ok=True)
    # tex-svg.js is MathJax 3 in one file, glyphs included: no web fonts, which browsers
    # refuse to load for pages opened from disk
    shutil.copy(Path(mathjax.__file__).parent / "static" / "mathjax" / "es5" / "tex-svg.js",
                out / "mathjax")
    exporter = HTMLExporter(template_name="lab",
                            mathjax_url="mathjax/tex-svg.js")
    entries = []
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        page, _ = exporter.from_notebook_node(stills_for_widgets(nb),
                                              resources={"metadata": {"name": title(nb)}})
        (out / f"{path.stem}.html").write_text(offline(fold_solutions(page)), encoding="utf-8")
        entries.append((f"{path.stem}.html", title(nb)))
        print("built", out / f"{path.stem}.html")
    items = "\n".join(f'    <li><a href="{href}">{html.escape(text)}</a></li>' for href, text in entries)
    (out / "index.html").write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>optimlib notebooks</title>
<style>body {{ font-family: sans-serif; max-width: 44em; margin: 3em auto; line-height: 1.6 }}</style>
</head><body>
  <h1>optimlib notebooks: watch gradient-descent optimizers move</h1>
  <p>The notebooks, run once and saved as pages. Read them in this order. The sliders need
  a running Python (JupyterLab or Binder); here every app shows as a still picture, and
  the animations play in the browser.</p>
  <ol>
{items}
  </ol>
</body></html>
""", encoding="utf-8")
    print("wrote", out / "index.html")


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else ROOT / "site")
