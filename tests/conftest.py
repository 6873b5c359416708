"""Shared test helpers: where the project's shared reference data live.

The reference files (``../shared/`` beside the checkout, or the folder named by the
``ONCOTRIAL_SHARED`` environment variable) are read, never copied. A test that needs them skips
with the reason on a developer's machine without them, and fails in CI (``CI`` set), where they
must be present.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def shared_path(*parts: str) -> Path:
    """The path of a shared reference file or folder; skip (or fail in CI) when it is missing."""
    base = Path(os.environ.get("ONCOTRIAL_SHARED", ROOT.parent / "shared"))
    path = base.joinpath(*parts)
    if not path.exists():
        message = f"the shared reference {path} is missing (set ONCOTRIAL_SHARED to the shared/ folder)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
