"""The table of the notebooks' claims (tests/claims.tsv) and the cells that check them.

Each row names a sentence of a notebook (a quote from one markdown cell, found by the cell's
id) and what checks it: the id(s) of the code cell(s) whose asserts measure it, or a test
of the suite (``tests/test_x.py::test_name``) for a claim about the library itself, or
``setup`` for a sentence that only says what the next code cell does (its numbers must
then stand in that cell's code). The tests keep the table honest both ways: a quote that
no longer stands in its cell fails (the sentence changed: look at its check again), a
checking cell without an assert fails, and a markdown cell that states a number but has
no row fails (a new claim without a check).
"""
import csv
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TABLE = ROOT / "tests" / "claims.tsv"


def rows():
    with TABLE.open(newline="", encoding="utf-8") as table:
        return list(csv.DictReader(table, delimiter="\t"))


def cells(notebook):
    return {c["id"]: c for c in json.loads(notebook.read_text())["cells"]}


def normal(text):
    return re.sub(r"\s+", " ", text).strip()


# what a number in prose may be without being a claim: a notebook, chapter, figure, section
# or year reference, a symbol's index, or part of a name
NOT_A_CLAIM = re.compile(
    r"notebooks? \d+(?:\s*(?:to|and|,)\s*\d+)*|chapters? \d+(?:\s*to\s*\d+)?|figure \d+-\d+"
    r"|section \d+(?:\.\d+)?|Algorithm \d|\(?\b(?:19|20)\d\d\b\)?|\b\d+D\b|[βρεη]\d|β_\d"
    r"|Solution \d|exercise \d|\bstep t = 1, 2|8 × 8")


def numbers_in_prose(markdown):
    """The digits a reader sees as numbers in a markdown cell, outside formulas, code,
    links, headings and references."""
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\]\([^)]*\)|<[^>]+>", " ", markdown, flags=re.S)
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return re.findall(r"\d", NOT_A_CLAIM.sub(" ", text))


def test_the_table_has_rows_for_every_notebook():
    names = {row["notebook"] for row in rows()}
    assert names == {nb.stem for nb in NOTEBOOKS}


def numbers(text):
    """The numbers in a text, as floats: "1,500" is 1500, "1e-6" and "10^{-6}" are 1e-06."""
    text = re.sub(r"(\d),(\d{3})\b", r"\1\2", text)
    text = re.sub(r"10\^\{?(-?\d+)\}?", r"1e\1", text.replace("−", "-"))
    return {float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)}


@pytest.mark.parametrize("row", rows(), ids=lambda r: f"{r['notebook']}:{r['quote'][:40]}")
def test_each_claim_stands_in_its_cell_and_is_checked(row):
    path = ROOT / "notebooks" / f"{row['notebook']}.ipynb"
    notebook = cells(path)
    claim = notebook.get(row["cell"])
    assert claim is not None and claim["cell_type"] == "markdown", row["cell"]
    assert normal(row["quote"]) in normal("".join(claim["source"])), "the sentence changed"
    if row["checked_in"] == "setup":
        order = list(notebook)
        following = next(c for c in order[order.index(row["cell"]) + 1:]
                         if notebook[c]["cell_type"] == "code")
        code = "".join(notebook[following]["source"])
        missing = numbers(row["quote"]) - numbers(code)
        assert numbers(row["quote"]) and not missing, f"the next code cell does not use {missing}"
        return
    for check in row["checked_in"].split(","):
        check = check.strip()
        if check.startswith("tests/"):
            file, _, name = check.partition("::")
            assert re.search(rf"^def {name}\(", (ROOT / file).read_text(), re.M), check
            continue
        cell = notebook.get(check)
        assert cell is not None and cell["cell_type"] == "code", check
        assert re.search(r"^\s*(assert |np\.testing\.assert)", "".join(cell["source"]), re.M), check


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_markdown_cell_that_states_a_number_has_a_checked_claim(notebook):
    listed = {row["cell"] for row in rows() if row["notebook"] == notebook.stem}
    all_cells = json.loads(notebook.read_text())["cells"]
    for index, cell in enumerate(all_cells[1:], start=1):        # cell 0: title and goals
        source = "".join(cell["source"])
        if cell["cell_type"] != "markdown" or "## Exercises" in source:
            continue
        if numbers_in_prose(source):
            assert cell["id"] in listed, f"cell {index} states numbers with no row in claims.tsv: {source[:120]!r}"
