"""Shared test helpers."""
import os

import pytest

# The browser tests need Chromium and a JupyterLab server: `make e2e` runs them on purpose.
collect_ignore = [] if os.environ.get("OPTIMLIB_E2E") == "1" else ["e2e"]


def torch_or_skip():
    """torch is a test-only oracle: skipped where absent, but CI (OPTIMLIB_REQUIRE_TORCH=1) must have it."""
    if os.environ.get("OPTIMLIB_REQUIRE_TORCH") == "1":
        import torch
        return torch
    return pytest.importorskip("torch", reason="torch is the test oracle; pip install torch==2.13.0")
