"""Shared test helpers: where the reference data live.

The reference files that the tests compare against are copies kept in the repository, under
``tests/reference/`` (their provenance, file by file, is in ``tests/reference/README.md``), so that every
comparison with R runs in a fresh clone. ``shared_path("reference", "simon", "simon_designs.csv")`` reads
``tests/reference/simon/simon_designs.csv``; ``shared_path("ctgov", ...)`` reads ``tests/reference/ctgov/``.
A file that is missing there is a defect of the checkout: the test fails, it never skips.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "reference"


def shared_path(*parts: str) -> Path:
    """The path of a reference file or folder kept under ``tests/reference/``; fail when it is missing."""
    rest = parts[1:] if parts and parts[0] == "reference" else parts
    path = REFERENCE.joinpath(*rest)
    if not path.exists():
        pytest.fail(f"the reference file {path} is missing from the checkout (see tests/reference/README.md)")
    return path
