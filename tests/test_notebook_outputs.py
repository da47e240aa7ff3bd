"""Run every notebook once more and read its outputs as a student would see them.

nbval (``--nbval-lax``) fails a notebook on an error; this also fails it on a warning or
anything printed to stderr, which a student would see as a pink box, and on an exercise's
solution cell that shows anything before the student unfolds it.
"""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_notebook_shows_no_warnings(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output["output_type"] == "stream" else ""
            assert output.get("name") != "stderr", f"cell {i}: {text[:300]}"
            assert "Warning" not in text, f"cell {i}: {text[:300]}"
            assert output["output_type"] != "error", f"cell {i}"
        if "solution" in cell.metadata.get("tags", []):
            # JupyterLab unfolds a cell's output when it runs: a solution that printed or
            # drew would show its answer under the exercises after Run All. Its asserts
            # state the answer to whoever unfolds the code.
            assert cell.outputs == [], f"cell {i}: a solution cell shows output"
