# The README's two commands: `make lab` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install lab test e2e site present bench

$(INSTALLED): pyproject.toml requirements/classroom.txt requirements/test.txt binder/overrides.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# the classroom's exact set (requirements/), and optimlib itself, editable
	$(BIN)/python -m pip install --quiet -r requirements/test.txt -e .
	# JupyterLab's defaults for this environment: no "get news?" prompt over the sliders
	$(BIN)/python binder/install_overrides.py
	touch $@

install: $(INSTALLED)

lab: install
	$(BIN)/jupyter lab notebooks/00_start_here.ipynb

test: install
	$(BIN)/python -m pytest

# JupyterLab in headless Chromium: installs chromium (apt-get) and playwright when missing.
e2e: install
	$(BIN)/python -m pip install --quiet -r requirements/tools.txt
	OPTIMLIB_E2E=1 $(BIN)/python -m pytest tests/e2e -s

# every notebook, executed, as static pages for a USB stick: no network, no Python needed
site: install
	$(BIN)/python -m pip install --quiet -r requirements/tools.txt
	$(BIN)/python docs/build_site.py site

# lecture mode: a lecture page that links the race and explore apps, served by Voila inside a
# Jupyter server (which opens the browser on that page): code hidden, sliders live
present: install
	$(BIN)/python -m pip install --quiet -r requirements/tools.txt
	$(BIN)/jupyter server --ServerApp.root_dir=notebooks/present \
	    --ServerApp.default_url=/voila/render/index.ipynb

bench: install
	$(BIN)/python benchmarks/bench_sweep.py
	$(BIN)/python benchmarks/bench_step.py
	$(BIN)/python benchmarks/bench_slider.py
	$(BIN)/python benchmarks/bench_notebooks.py
