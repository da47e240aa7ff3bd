"""Read every notebook's outputs as a student would see them, on nbval's own run.

nbval (``--nbval-lax``, pyproject.toml) runs each notebook cell by cell and fails a cell on an
error. This also fails it on a warning or anything printed to stderr, which a student would
see as a pink box, and an exercise's solution cell (tagged "solution") on any output:
JupyterLab unfolds a cell's output when it runs, so a solution that printed or drew would
show its answer under the exercises after Run All; its asserts state the answer to whoever
unfolds the code. (It lives here, beside pyproject.toml, because a conftest.py applies only
to the folder it is in and below, and the notebooks are not under tests/.)
"""
import pytest


def student_would_see(cell, outputs):
    """What is wrong with a cell's outputs, as a student would see it (None if nothing)."""
    for output in outputs:
        text = output.get("text", "") if output.get("output_type") == "stream" else ""
        if output.get("name") == "stderr":
            return f"printed to stderr: {text[:300]}"
        if "Warning" in text:
            return f"printed a warning: {text[:300]}"
    if "solution" in cell.metadata.get("tags", []) and outputs:
        return "a solution cell shows output"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    outputs = getattr(item, "test_outputs", None)  # set by nbval's cell items as they run
    if outputs is not None:
        problem = student_would_see(item.cell, outputs)
        if problem:
            raise AssertionError(f"{item.name}: {problem}")
    return result
