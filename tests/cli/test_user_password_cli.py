"""``oncotrial user password``: the password is typed at a hidden prompt, twice, never given on the command line, and
kept as an argon2 hash; a short one is refused in one line."""

from __future__ import annotations

import getpass

import pytest

from tests.cli.conftest import query, run_ok
from tests.cli.helpers import assert_clean_error, run_cli


def typed(monkeypatch: pytest.MonkeyPatch, *answers: str) -> None:
    """The answers typed at the hidden prompts, in order."""
    given = iter(answers)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(given))


def test_an_admin_sets_a_password_typed_twice_at_the_prompt(
    trial_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    typed(monkeypatch, "correct horse battery", "correct horse battery")
    out = run_ok(capsys, "user", "password", "coord1", "--db", trial_db, "--as", "admin")
    assert out.strip().splitlines()[-1].endswith("Set the password of coord1.")  # after the prompts
    stored = query(trial_db, "SELECT password_hash FROM app_user WHERE username = 'coord1'")[0][0]
    assert str(stored).startswith("$argon2id$")
    assert "correct horse battery" not in str(stored)


def test_a_short_password_is_refused_in_one_line(
    trial_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    typed(monkeypatch, "short", "short")
    code, _, err = run_cli(capsys, "user", "password", "coord1", "--db", trial_db, "--as", "admin")
    assert_clean_error(code, err)
    assert "give at least 10" in err
    assert query(trial_db, "SELECT password_hash FROM app_user WHERE username = 'coord1'")[0][0] is None
