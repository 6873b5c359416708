"""The demo built once per test run, shared by the tests that read it (tests/cli/test_demo.py and
tests/web/test_demo_browser.py), also across pytest-xdist workers: the first to ask builds it under a lock, the
others wait and read it."""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
from pathlib import Path

import pytest

from oncotrial.cli.main import main


def run_demo(*argv: str) -> tuple[int, str, str]:
    """Run ``oncotrial demo *argv`` in this process; the exit code, standard output and standard error."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["demo", *argv])
    return code, stdout.getvalue(), stderr.getvalue()


def built_demo(factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo folder of this run and what ``oncotrial demo`` printed (built on the first call)."""
    base = factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the run's own folder either way
    folder, printed = root / "oncotrial-demo", root / "oncotrial-demo.out"
    with (root / "oncotrial-demo.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not printed.exists():
            code, out, err = run_demo("--out", str(folder))
            assert code == 0, err
            printed.write_text(out, encoding="utf-8")
    return folder, printed.read_text(encoding="utf-8")
