"""Shared test helpers."""
import os

import pytest


def torch_or_skip():
    """torch is a test-only oracle: skipped where absent, but CI (OPTIMLIB_REQUIRE_TORCH=1) must have it."""
    if os.environ.get("OPTIMLIB_REQUIRE_TORCH") == "1":
        import torch
        return torch
    return pytest.importorskip("torch", reason="torch is the test oracle; pip install torch==2.13.0")
