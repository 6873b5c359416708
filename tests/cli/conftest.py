"""Fixtures of the tests of the commands on the trial database: a database file built with the commands
themselves, and the store's parametrised ``store_url`` (SQLite and PostgreSQL) for the cases run on both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.cli.helpers import run_cli
from tests.store.conftest import TRIAL, eligible_record, pg_url, sqlite_template, store_url

__all__ = ["TRIAL", "pg_url", "sqlite_template", "store_url"]

STAFF = [
    ("coord1", "coordinator", "01"),
    ("inv1", "investigator", "01"),
    ("inv2", "investigator", "02"),
    ("monitor", "monitor", None),
    ("stat", "statistician", None),
]


@pytest.fixture(autouse=True)
def _no_database_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tester's own ONCOTRIAL_DB and ONCOTRIAL_USER never reach a test."""
    monkeypatch.delenv("ONCOTRIAL_DB", raising=False)
    monkeypatch.delenv("ONCOTRIAL_USER", raising=False)


def run_ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run ``oncotrial *argv``, which must succeed; its standard output."""
    code, out, err = run_cli(capsys, *argv)
    assert code == 0, (argv, err)
    return out


def query(url: str, sql: str) -> list[tuple[object, ...]]:
    """The rows of ``sql`` on the database at ``url``, read directly (not through oncotrial)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(text(sql))]
    engine.dispose()
    return rows


def build_trial(capsys: pytest.CaptureFixture[str], url: str, *, initialised: bool = False) -> str:
    """NCT01416831 with sites 01 and 02, users admin, coord1, inv1 (site 01), inv2 (site 02), monitor and stat,
    and its allocation list drawn from seed 20261130, all through the commands. ``initialised``: the database
    already has the schema (the store's fixture), so only the first admin is added."""
    if initialised:
        from oncotrial.store import open_store
        from oncotrial.store.services import bootstrap_admin

        store = open_store(url)
        with store.write() as session:
            bootstrap_admin(session, "admin", full_name="Trial Admin")
        store.dispose()
    else:
        run_ok(capsys, "db", "init", "--db", url, "--admin", "admin", "--admin-name", "Trial Admin")
    admin = ("--db", url, "--as", "admin")
    run_ok(capsys, "trial", "create", TRIAL, "--protocol", TRIAL, *admin)
    for code in ("01", "02"):
        run_ok(capsys, "site", "add", code, "--trial", TRIAL, "--name", f"Site {code}", *admin)
    for username, role, site in STAFF:
        where = ("--trial", TRIAL, "--site", site) if site else ()
        run_ok(capsys, "user", "add", username, "--role", role, "--name", username.title(), *where, *admin)
    run_ok(capsys, "trial", "allocation", TRIAL, "--seed", "20261130", *admin)
    return url


# --- patients, through the commands --------------------------------------------------------------------------


def as_user(url: str, user: str) -> tuple[str, ...]:
    """``--trial`` NCT01416831, ``--db`` and ``--as``."""
    return ("--trial", TRIAL, "--db", url, "--as", user)


def consent_args(url: str, subject: str, form_version: str, day: str, *, user: str = "inv1") -> tuple[str, ...]:
    return (
        "patient",
        "consent",
        "--subject",
        subject,
        "--form-version",
        form_version,
        "--date",
        day,
        *as_user(url, user),
    )


def enrolled(capsys: pytest.CaptureFixture[str], url: str, user: str = "inv1") -> str:
    """Enrol and consent (2026-11-18) a patient at ``user``'s site; the subject id."""
    enrolled = json.loads(
        run_ok(capsys, "patient", "enrol", "--enrolled-on", "2026-11-18", "--json", *as_user(url, user))
    )
    subject = str(enrolled["subject_id"])
    run_ok(capsys, *consent_args(url, subject, "2.0", "2026-11-18", user=user))
    return subject


def screen_args(url: str, subject: str, record: Path, *extra: str, at: str = "2026-11-21T09:00") -> tuple[str, ...]:
    """``patient screen`` of ``subject`` with ``record`` at ``at``, as inv1."""
    return (
        "patient",
        "screen",
        "--subject",
        subject,
        "--record",
        str(record),
        "--at",
        at,
        *extra,
        *as_user(url, "inv1"),
    )


def screened(capsys: pytest.CaptureFixture[str], url: str, record: Path) -> str:
    """A patient of inv1's site, enrolled, consented and screened with ``record``; the subject id."""
    subject = enrolled(capsys, url)
    run_ok(capsys, *screen_args(url, subject, record))
    return subject


def randomised(capsys: pytest.CaptureFixture[str], url: str, record: Path) -> str:
    """A patient of inv1's site, screened eligible with ``record`` and randomised on 2026-11-21; the subject id."""
    subject = screened(capsys, url, record)
    run_ok(capsys, "patient", "randomise", "--subject", subject, "--on", "2026-11-21", *as_user(url, "inv1"))
    return subject


@pytest.fixture
def trial_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The URL of a SQLite file holding the trial of :func:`build_trial`."""
    return build_trial(capsys, f"sqlite:///{tmp_path / 'trial.db'}")


@pytest.fixture
def record_file(tmp_path: Path) -> Path:
    """A screening record that meets every criterion of NCT01416831 on 2026-11-21 09:00 (consent 2026-11-18;
    the store tests' record, checked criterion by criterion in tests/eligibility/test_evaluate.py)."""
    path = tmp_path / "record.yaml"
    path.write_text(yaml.safe_dump(eligible_record(), sort_keys=False), encoding="utf-8")
    return path
