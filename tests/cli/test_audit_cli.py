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


@pytest.fixture
def history_db(trial_db: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A patient of site 01 enrolled with a name, then deleted with a reason."""
    who = ("--trial", TRIAL, "--db", trial_db, "--as", "inv1")
    run_ok(capsys, "patient", "enrol", "--name", "Mary Major", "--enrolled-on", "2026-11-18", *who)
    run_ok(capsys, "patient", "delete", "--subject", "01-0001", "--reason", "entered twice", *who)
    return trial_db


def _history(url: str, user: str, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    shown = run_ok(
        capsys, "audit", "show", "--trial", TRIAL, "--patient", "01-0001", "--db", url, "--as", user, "--json"
    )
    entries: list[dict[str, object]] = json.loads(shown)["entries"]
    return entries


def test_show_gives_a_patients_history_oldest_first(history_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Enrolment wrote the patient and identity rows; the delete updated the patient with its reason."""
    entries = _history(history_db, "monitor", capsys)
    assert [(e["action"], e["table_name"], e["username"]) for e in entries] == [
        ("insert", "patient", "inv1"),
        ("insert", "patient_identity", "inv1"),
        ("update", "patient", "inv1"),
    ]
    assert entries[1]["new_values"]["name"] == "Mary Major"  # type: ignore[index]
    assert entries[2]["reason"] == "entered twice"
    table = run_ok(
        capsys, "audit", "show", "--trial", TRIAL, "--patient", "01-0001", "--db", history_db, "--as", "monitor"
    )
    assert "deleted_reason: - ->" in table  # the change, from no value to the reason (which the cell may wrap)
    assert "entered twice" in table


def test_show_hides_identifying_data_from_the_statistician(history_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    identity = next(e for e in _history(history_db, "stat", capsys) if e["table_name"] == "patient_identity")
    assert (identity["values_hidden"], identity["new_values"]) == (True, None)


@pytest.mark.parametrize(
    ("patient", "user", "says"),
    [
        pytest.param("01-0009", "monitor", "no patient '01-0009' (option --patient)", id="unknown_patient"),
        pytest.param("01-0001", "coord1", "may not read audit", id="site_role"),
    ],
)
def test_show_refuses(history_db: str, patient: str, user: str, says: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(
        capsys, "audit", "show", "--trial", TRIAL, "--patient", patient, "--db", history_db, "--as", user
    )
    assert_clean_error(code, err)
    assert says in err
