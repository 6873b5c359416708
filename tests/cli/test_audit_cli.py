"""``oncotrial audit verify``: OK after data entry; a data row or an audit entry changed with raw SQL makes it name
the entry and exit 1; only the roles that read the audit trail may run it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from tests.cli.conftest import TRIAL, run_ok
from tests.cli.helpers import assert_clean_error, run_cli


def _execute(url: str, sql: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


@pytest.fixture
def entered_db(trial_db: str, capsys: pytest.CaptureFixture[str]) -> str:
    run_ok(capsys, "patient", "enrol", "--trial", TRIAL, "--sex", "F", "--db", trial_db, "--as", "inv1")
    return trial_db


def test_verify_says_ok_after_data_entry(entered_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_ok(capsys, "audit", "verify", "--db", entered_db, "--as", "monitor")
    assert out.startswith("Audit trail OK: ")
    report = json.loads(run_ok(capsys, "audit", "verify", "--db", entered_db, "--as", "monitor", "--json"))
    assert report["ok"] is True
    assert report["problem"] is None


def test_a_data_row_changed_with_raw_sql_is_named(entered_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _execute(entered_db, "UPDATE patient SET sex = 'M'")
    code, out, _ = run_cli(capsys, "audit", "verify", "--db", entered_db, "--as", "monitor")
    assert code == 1
    assert "does NOT verify" in out
    assert "(patient record 1)" in out


def test_an_audit_entry_changed_with_raw_sql_is_named(entered_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    # as a database owner could: the append-only triggers of revision 0002 dropped first
    _execute(entered_db, "DROP TRIGGER audit_entry_no_update")
    _execute(entered_db, "UPDATE audit_entry SET username = 'someone' WHERE seq = 3")
    code, out, _ = run_cli(capsys, "audit", "verify", "--db", entered_db, "--as", "admin", "--json")
    assert code == 1
    assert json.loads(out)["problem"]["seq"] == 3


def test_a_site_role_may_not_read_the_audit_trail(entered_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "audit", "verify", "--db", entered_db, "--as", "inv1")
    assert_clean_error(code, err)
    assert "may not read audit" in err
