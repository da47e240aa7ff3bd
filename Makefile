# The README's two commands: `make lab` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install lab test e2e site present bench

$(INSTALLED): pyproject.toml binder/overrides.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
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
	$(BIN)/python -m pip install --quiet -e '.[test,e2e,site,present]'
	OPTIMLIB_E2E=1 $(BIN)/python -m pytest tests/e2e -s

# every notebook, executed, as static pages for a USB stick: no network, no Python needed
site: install
	$(BIN)/python -m pip install --quiet -e '.[site]'
	$(BIN)/python docs/build_site.py site

# lecture mode: the race and explore apps served by Voila, code hidden, sliders live
present: install
	$(BIN)/python -m pip install --quiet -e '.[present]'
	$(BIN)/voila notebooks/present

bench: install
	$(BIN)/python benchmarks/bench_sweep.py
	$(BIN)/python benchmarks/bench_step.py
	$(BIN)/python benchmarks/bench_slider.py
	$(BIN)/python benchmarks/bench_notebooks.py
