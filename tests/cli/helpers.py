"""Helpers shared by the CLI tests: run ``oncotrial`` in-process and check clean failures."""

from __future__ import annotations

import pytest

from oncotrial.cli.main import main


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``oncotrial *argv``; return the exit code, standard output and standard error."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_clean_error(code: int, err: str, expected_code: int = 1) -> None:
    """The run failed with ``expected_code`` and a message, without a traceback."""
    assert code == expected_code
    assert "Traceback" not in err
    assert err.strip(), "an error must say what is wrong"
