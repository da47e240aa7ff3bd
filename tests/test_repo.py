"""The repository keeps its promises: pins agree, notebooks are clean, links and docs are right."""
import json
import re
import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def pyproject():
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11+")
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def requirement_lines(path):
    """The requirements of a pip file and the files it includes (-r), comments dropped."""
    lines = []
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            lines += requirement_lines(path.parent / line[3:].strip())
        elif line:
            lines.append(line)
    return lines


def pins(lines, python="3.11"):
    """{name: version} of the 'name==version' requirements that apply on ``python``."""
    found = {}
    for line in lines:
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate({"python_version": python}):
            continue
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        found[canonicalize_name(requirement.name)] = specifier.version
    return found


def environment_pins(path):
    lines = [line.strip() for line in path.read_text().splitlines()]
    return pins(line[2:] for line in lines if line.startswith("- ") and "==" in line)


def declared(pyproject):
    """{name: Requirement} of everything pyproject.toml asks for, extras included."""
    project = pyproject["project"]
    found = {}
    for line in [*project["dependencies"], *sum(project["optional-dependencies"].values(), [])]:
        requirement = Requirement(line)
        found[canonicalize_name(requirement.name)] = requirement
    return found


def test_the_library_declares_ranges_not_pins_and_no_jupyterlab(pyproject):
    """A library does not own its users' environment (issue 12): only lower bounds, each the
    version that CI tests (requirements/lowest.txt), and no JupyterLab among its dependencies."""
    lowest = pins(requirement_lines(ROOT / "requirements/lowest.txt"))
    for name, requirement in declared(pyproject).items():
        (specifier,) = requirement.specifier
        assert specifier.operator == ">=", requirement
        if name not in ("playwright", "django-static-mathjax", "voila"):  # tools, not tested low
            assert Version(lowest[name]) == Version(specifier.version), name
    runtime = {canonicalize_name(Requirement(d).name) for d in pyproject["project"]["dependencies"]}
    assert "jupyterlab" not in runtime and runtime <= set(lowest)
    # the lowest environment also holds a JupyterLab that is not the classroom's, to show that
    # installing optimlib keeps it
    classroom = pins(requirement_lines(ROOT / "requirements/classroom.txt"))
    assert lowest["jupyterlab"] != classroom["jupyterlab"]


@pytest.mark.parametrize("python", ["3.10", "3.11", "3.12"])
def test_the_classroom_set_is_exact_and_inside_the_librarys_ranges(pyproject, python):
    exact = pins(requirement_lines(ROOT / "requirements/tools.txt"), python)
    for name, requirement in declared(pyproject).items():
        assert requirement.specifier.contains(exact[name]), (name, exact[name])
    assert {"jupyterlab", "numpy", "matplotlib", "ipympl", "ipywidgets", "scikit-learn"} <= set(exact)


@pytest.mark.parametrize("path", ["environment.yml", "binder/environment.yml"])
def test_conda_environments_pin_the_classroom_set(path):
    assert environment_pins(ROOT / path) == pins(requirement_lines(ROOT / "requirements/classroom.txt"))
    assert "python=3.11" in (ROOT / path).read_text()


def test_make_installs_the_classroom_set_and_ci_checks_the_lowest():
    makefile, ci = (ROOT / "Makefile").read_text(), (ROOT / ".ci/run").read_text()
    assert "-r requirements/test.txt" in makefile and "-r requirements/tools.txt" in makefile
    assert re.search(r"^bash \.ci/lowest$", ci, re.M)
    assert "-r requirements/lowest.txt" in (ROOT / ".ci/lowest").read_text()


def test_binder_installs_the_package():
    post_build = (ROOT / "binder/postBuild").read_text()
    assert "set -e" in post_build and "pip install" in post_build and "-e ." in post_build
    assert (ROOT / "binder/postBuild").stat().st_mode & 0o111


def test_make_and_binder_install_jupyterlab_defaults_without_the_news_prompt():
    overrides = json.loads((ROOT / "binder/overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert "binder/install_overrides.py" in (ROOT / "Makefile").read_text()
    assert "python binder/install_overrides.py" in (ROOT / "binder/postBuild").read_text()


def test_ci_runs_the_readme_test_command():
    readme, ci = (ROOT / "README.md").read_text(), (ROOT / ".ci/run").read_text()
    assert "make lab" in readme and "make test" in readme
    assert re.search(r"^make test$", ci, re.M)
    assert "set -e" in ci


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    for cell in cells:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_the_readme_lists_every_notebook_in_order():
    readme = (ROOT / "README.md").read_text()
    positions = [readme.find(f"notebooks/{nb.name}") for nb in NOTEBOOKS]
    assert NOTEBOOKS and -1 not in positions and positions == sorted(positions)


def link_targets():
    """(file, url) of every Binder and Colab link in the README and the notebooks."""
    sources = [ROOT / "README.md", *NOTEBOOKS]
    for source in sources:
        for url in re.findall(r"\((https://(?:mybinder\.org|colab\.research)[^)\s]+)\)",
                              source.read_text()):
            if not url.endswith(".svg"):
                yield source.name, url


def test_launch_links_point_at_notebooks_of_this_repository(pyproject):
    repo = pyproject["project"]["urls"]["Repository"].removeprefix("https://github.com/")
    links = list(link_targets())
    assert len(links) >= 2 * len(NOTEBOOKS) + 2
    for source, url in links:
        binder = re.fullmatch(rf"https://mybinder\.org/v2/gh/{repo}/HEAD\?urlpath=lab/tree/(.+)", url)
        colab = re.fullmatch(rf"https://colab\.research\.google\.com/github/{repo}/blob/main/(.+)", url)
        target = (binder or colab)
        assert target, f"{source}: {url}"
        assert (ROOT / target.group(1)).is_file(), f"{source}: {url}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_each_notebook_has_goals_prerequisites_summary_and_exercises(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells]
    first = sources[0]
    assert f"notebooks/{notebook.name}" in first and "You will learn" in first
    assert "**You need**" in first                                # prerequisites
    (exercises,) = [i for i, s in enumerate(sources) if "## Exercises" in s]
    assert 2 <= len(re.findall(r"^\d+\. ", sources[exercises], re.M)) <= 4   # 2-4 exercises
    assert any("## Summary" in s for s in sources[max(0, exercises - 2):exercises + 1])
    assert any("assert" in s for c, s in zip(cells, sources) if c["cell_type"] == "code")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_exercise_has_a_folded_solution_that_runs_and_checks_itself(notebook):
    """After the exercises, each solution is a pair: its explanation in a folded <details>
    block, then its code in a code cell that nbval runs (so `make test` executes every
    solution) and whose asserts check the numbers the explanation states. The code cell is
    folded in JupyterLab (source_hidden, outputs_hidden) and in Colab (a form titled by its
    first line), so a student sees it only on asking."""
    cells = json.loads(notebook.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells]
    (exercises,) = [i for i, s in enumerate(sources) if "## Exercises" in s]
    count = len(re.findall(r"^\d+\. ", sources[exercises], re.M))
    rest = cells[exercises + 1:]
    assert len(rest) == 2 * count, "after the exercises: one explanation and one code cell each"
    for k in range(1, count + 1):
        explanation, code = rest[2 * k - 2], rest[2 * k - 1]
        text, source = "".join(explanation["source"]), "".join(code["source"])
        assert explanation["cell_type"] == "markdown"
        assert text.startswith(f"<details><summary>Solution {k}</summary>")
        assert text.rstrip().endswith("</details>")
        assert code["cell_type"] == "code"
        assert source.startswith(f"# @title Solution {k}"), source[:40]
        assert "solution" in code["metadata"].get("tags", [])
        assert code["metadata"].get("jupyter") == {"source_hidden": True, "outputs_hidden": True}
        assert code["metadata"].get("cellView") == "form"
        assert re.search(r"^\s*(assert |np\.testing\.assert)", source, re.M), f"solution {k} checks nothing"


def test_readme_images_exist():
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", (ROOT / "README.md").read_text()):
        assert (ROOT / image).is_file(), image


def test_readme_code_runs():
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_git_ignores_what_the_commands_create():
    ignored = subprocess.run(["git", "check-ignore", ".venv", "site", "optimlib.egg-info"],
                             cwd=ROOT, capture_output=True, text=True)
    if ignored.returncode == 128:
        pytest.skip("not a git checkout")
    assert ignored.stdout.split() == [".venv", "site", "optimlib.egg-info"]


def test_notebooks_import_optimlib_instead_of_copying_it():
    """The update rules live in optimlib; a notebook may show a variant, never a copy."""
    for notebook in NOTEBOOKS:
        source = "".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]
                         if c["cell_type"] == "code")
        assert "import optimlib" in source or "from optimlib" in source, notebook.name
        assert not re.search(r"^class (SGD|Momentum|Nesterov|AdaGrad|RMSprop|Adam)\b", source,
                             re.M), notebook.name


def test_the_nbgitpuller_link_pulls_this_repository_to_notebook_00(pyproject):
    from urllib.parse import parse_qs, urlparse
    readme = (ROOT / "README.md").read_text()
    (link,) = re.findall(r"https://\S+/hub/user-redirect/git-pull\?\S+", readme)
    query = parse_qs(urlparse(link).query)
    repository = pyproject["project"]["urls"]["Repository"]
    assert query["repo"] == [repository] and query["branch"] == ["main"]
    folder = repository.rstrip("/").split("/")[-1]          # nbgitpuller clones into this
    (urlpath,) = query["urlpath"]
    assert urlpath.startswith(f"lab/tree/{folder}/")
    assert (ROOT / urlpath.removeprefix(f"lab/tree/{folder}/")).is_file()


def test_the_makefile_has_every_command_the_readme_names():
    targets = set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(), re.M))
    for command in set(re.findall(r"`make (\w+)`", (ROOT / "README.md").read_text())):
        assert command in targets, command


def test_each_notebook_stops_at_once_on_an_older_optimlib():
    """A hub updates notebooks on every click but optimlib only when its admin reinstalls it:
    each notebook's first cell names the optimlib it was written for (this one), and an
    older one stops there with one line on what to do."""
    import optimlib
    for notebook in NOTEBOOKS:
        first = next(c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code")
        assert f'optimlib.require("{optimlib.__version__}")' in "".join(first["source"]), notebook.name
    optimlib.require(optimlib.__version__)
    optimlib.require("0.1")
    with pytest.raises(ImportError, match=r"needs optimlib 99\.0 or newer, but "
                       rf"{re.escape(optimlib.__version__)} is installed: run `%pip install -U"):
        optimlib.require("99.0")
