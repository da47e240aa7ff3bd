"""A real JupyterLab in headless Chromium, set up from nothing: `make e2e`.

Installs Debian's chromium (apt-get) when it is missing, starts JupyterLab from this
project's .venv on a free loopback port with a token, on a copy of the notebooks (so the
repository's stripped notebooks are never saved with outputs), and stops it afterwards.
"""
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def ensure_chromium():
    if not Path(CHROMIUM).exists():
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"],
                       check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return CHROMIUM


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A running JupyterLab: yields (base_url, token); stops it and its kernels afterwards."""
    home = tmp_path_factory.mktemp("lab")
    (home / "notebooks").mkdir()
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy(notebook, home / "notebooks")
    # An empty settings folder of its own: what the student sees comes from the project's
    # JupyterLab defaults (binder/overrides.json, installed by `make install`), not ours.
    (home / "settings").mkdir()
    port, token = free_port(), secrets.token_hex(16)
    command = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser",
               "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={home / 'notebooks'}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = {"JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    base = f"http://127.0.0.1:{port}"
    server, log = start_server(command, home, f"{base}/api/status?token={token}", env)
    yield base, token
    stop_server(server, log, home)


def start_server(command, home, url, env=None):
    """Start a server in a process group of its own; return it once ``url`` answers."""
    log = open(home / "server.log", "w")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(home / "runtime"), **(env or {})}
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True, env=env)
    for _ in range(120):
        try:
            urllib.request.urlopen(url, timeout=1)
            return server, log
        except OSError:
            time.sleep(0.5)
    stop_server(server, log, home)
    raise RuntimeError(f"{command[0]} did not start: {(home / 'server.log').read_text()[-2000:]}")


def stop_server(server, log, home):
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    log.close()
    left = subprocess.run(["pgrep", "-f", str(home)], capture_output=True, text=True).stdout
    assert not left.strip(), f"processes left behind: {left}"


@pytest.fixture(scope="session")
def voila(tmp_path_factory):
    """Voila in a Jupyter server on notebooks/present, as `make present` runs it (here on
    loopback without a token): yields its base URL, which lands on the lecture page."""
    home = tmp_path_factory.mktemp("voila")
    shutil.copytree(ROOT / "notebooks" / "present", home / "present")
    port = free_port()
    command = [str(Path(sys.executable).parent / "jupyter"), "server", "--no-browser",
               f"--port={port}", "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=",
               f"--ServerApp.root_dir={home / 'present'}",
               "--ServerApp.default_url=/voila/render/index.ipynb"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    base = f"http://127.0.0.1:{port}"
    server, log = start_server(command, home, base)
    yield base
    stop_server(server, log, home)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    executable = ensure_chromium()
    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    yield page
    page.close()
