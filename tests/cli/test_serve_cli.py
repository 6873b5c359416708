"""``oncotrial serve``: a database that is missing or behind is refused in one line before anything starts (the app
itself is tested in tests/web)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import assert_clean_error, run_cli


def test_serve_refuses_a_missing_database_file_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "serve", "--db", f"sqlite:///{tmp_path / 'typo.db'}")
    assert_clean_error(code, err)
    assert out == ""
    assert "There is no database file" in err
    assert not (tmp_path / "typo.db").exists()


def test_serve_help_names_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "serve", "--help")
    assert code == 0
    for option in ("--db", "--host", "--port", "--key-file", "--https", "--session-hours"):
        assert option in out
