"""``oncotrial.store.audit.verify_chain`` on SQLite and PostgreSQL: a change made behind the application's back,
to the audit trail or to the data, is found and named by its entry, table and record.

Each tamper runs as a database owner could run it: the append-only triggers of revision 0002 dropped first,
then raw SQL. It runs in one transaction, verified inside it, then rolled back, so that the test database keeps
its triggers. The expected entry is read with plain SQL (the last entry of the record), never from the code
under test.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import Column, MetaData, String, Table, select, text
from sqlalchemy.orm import Session

from oncotrial.store import ChainReport, Store, verify_chain
from oncotrial.store.audit import audit_context
from oncotrial.store.models import AdverseEvent, Patient
from oncotrial.store.services import actor_for
from tests.store.conftest import enrol_eligible

DROP_TRIGGERS = {
    "sqlite": ("DROP TRIGGER audit_entry_no_update", "DROP TRIGGER audit_entry_no_delete"),
    "postgresql": ("DROP TRIGGER audit_entry_append_only ON audit_entry",),
}


def tampered(store: Store, *statements: str) -> ChainReport:
    """:func:`verify_chain`'s report after ``statements`` (raw SQL, the triggers dropped first), rolled back."""
    with store.engine.connect() as conn, conn.begin() as transaction:
        for statement in (*DROP_TRIGGERS[store.backend], *statements):
            conn.execute(text(statement))
        report = verify_chain(Session(bind=conn))
        transaction.rollback()
    return report


def scalar(store: Store, query: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(query)).scalar_one())


def last_entry(store: Store, table: str, record_id: int) -> int:
    return scalar(store, f"SELECT max(seq) FROM audit_entry WHERE table_name = '{table}' AND record_id = {record_id}")


@pytest.fixture
def audited_store(trial_store: Store) -> Store:
    """A randomised patient of site 01, with one grade 3 adverse event, all audited; the chain verifies."""
    subject = enrol_eligible(trial_store, randomise=True)
    with trial_store.write() as session, audit_context(session, actor_for(session, "inv1")):
        patient = session.execute(select(Patient).where(Patient.subject_id == subject)).scalar_one()
        session.add(
            AdverseEvent(patient_id=patient.id, term="Rash maculo-papular", grade=3, onset=dt.date(2026, 12, 1))
        )
        session.flush()
    with trial_store.read() as session:
        assert verify_chain(session).ok
    return trial_store


def test_each_stored_hash_is_the_sha256_of_the_previous_hash_and_the_entrys_fields(audited_store: Store) -> None:
    """The chain's format as audit.py documents it, recomputed here with hashlib on the raw rows (not with
    entry_hash): SHA-256 of the previous hash (64 zeros before the first), then seq, at, user_id, username,
    action, table_name, record_id, old_values, new_values, reason, joined by 0x1f, NULL as empty text."""
    with audited_store.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT seq, at, user_id, username, action, table_name, record_id, old_values, new_values, reason, "
                "prev_hash, hash FROM audit_entry ORDER BY seq"
            )
        ).all()
        head = conn.execute(text("SELECT seq, hash FROM audit_head")).one()
    prev = "0" * 64
    for row in rows:
        fields = ["" if value is None else str(value) for value in row[:10]]
        expected = hashlib.sha256("\x1f".join([prev, *fields]).encode("utf-8")).hexdigest()
        assert (row.prev_hash, row.hash) == (prev, expected), f"entry {row.seq}"
        prev = expected
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
    assert tuple(head) == (len(rows), prev)
    ae = next(row for row in rows if row.table_name == "adverse_event")
    assert (ae.action, ae.username, ae.old_values) == ("insert", "inv1", None)
    assert '"grade":3' in ae.new_values
    assert '"term":"Rash maculo-papular"' in ae.new_values


def test_a_changed_audit_entry_is_named_by_its_seq_table_and_record(audited_store: Store) -> None:
    seq = scalar(audited_store, "SELECT seq FROM audit_entry WHERE table_name = 'randomisation'")
    report = tampered(
        audited_store,
        f'UPDATE audit_entry SET new_values = replace(replace(replace(new_values, \'"arm":"A"\', \'"arm":"X"\'), '
        f'\'"arm":"B"\', \'"arm":"A"\'), \'"arm":"X"\', \'"arm":"B"\') WHERE seq = {seq}',
    )
    assert report.problem is not None
    assert (report.problem.seq, report.problem.table_name, report.problem.record_id) == (seq, "randomisation", 1)
    assert "it was changed" in report.problem.message
    assert f"audit trail does NOT verify: entry {seq} (randomisation record 1)" in str(report)


@pytest.mark.parametrize(
    ("table", "statement"),
    [
        pytest.param(
            "randomisation", "UPDATE randomisation SET arm = CASE arm WHEN 'A' THEN 'B' ELSE 'A' END", id="arm"
        ),
        pytest.param("adverse_event", "UPDATE adverse_event SET grade = 2", id="ae_grade"),
    ],
)
def test_a_data_row_changed_with_raw_sql_is_named_by_its_last_entry(
    audited_store: Store, table: str, statement: str
) -> None:
    seq = last_entry(audited_store, table, 1)
    report = tampered(audited_store, f"{statement} WHERE id = 1")
    assert report.problem is not None
    assert (report.problem.seq, report.problem.table_name, report.problem.record_id) == (seq, table, 1)
    assert "changed outside oncotrial" in report.problem.message


def test_a_deleted_audit_entry_is_named_as_missing(audited_store: Store) -> None:
    seq = scalar(audited_store, "SELECT seq FROM audit_entry WHERE table_name = 'randomisation'")
    report = tampered(audited_store, f"DELETE FROM audit_entry WHERE seq = {seq}")
    assert report.problem is not None
    assert (report.problem.seq, report.problem.table_name) == (seq, None)
    assert report.problem.message == f"entry {seq} is missing (next is {seq + 1})"


def test_the_deleted_last_audit_entry_is_found_by_the_chain_head(audited_store: Store) -> None:
    last = scalar(audited_store, "SELECT max(seq) FROM audit_entry")
    report = tampered(audited_store, f"DELETE FROM audit_entry WHERE seq = {last}")
    assert report.problem is not None
    assert report.problem.seq == last
    assert f"the chain ends at entry {last - 1} but its head says {last}" in report.problem.message


def test_a_row_inserted_behind_the_applications_back_is_named(audited_store: Store) -> None:
    report = tampered(
        audited_store,
        "INSERT INTO consent (patient_id, form_version, consent_date, version) VALUES (1, '9.9', '2026-11-19', 1)",
    )
    assert report.problem is not None
    assert (report.problem.seq, report.problem.table_name, report.problem.record_id) == (None, "consent", 2)
    assert "no audit entry" in report.problem.message


def test_a_tamper_rolled_back_leaves_a_chain_that_verifies(audited_store: Store) -> None:
    """The helper above leaves nothing behind: the next test's database is the fixture's."""
    tampered(audited_store, "UPDATE adverse_event SET grade = 2 WHERE id = 1")
    with audited_store.read() as session:
        assert verify_chain(session).ok
    assert scalar(audited_store, "SELECT grade FROM adverse_event") == 3


def _site_table_with_a_new_column() -> Table:
    """The site table as a later release's model would have it: one column more (``region``)."""
    from oncotrial.store.models import Site

    table = Site.__table__.to_metadata(MetaData())
    table.append_column(Column("region", String(32)))
    return table


def test_a_column_added_by_a_later_migration_does_not_fail_the_records_audited_before_it(trial_store: Store) -> None:
    """trial_store's two sites were audited without ``region``; a migration then adds it with a default. They still
    verify (compared on the columns their entries name), and a change of an audited column is still found."""
    with trial_store.engine.begin() as conn:
        conn.execute(text("ALTER TABLE site ADD COLUMN region VARCHAR(32) DEFAULT 'north'"))
    try:
        _check_the_sites_with_a_new_column(trial_store)
    finally:  # this worker's PostgreSQL database serves the next tests with the models' schema
        with trial_store.engine.begin() as conn:
            conn.execute(text("ALTER TABLE site DROP COLUMN region"))


def _check_the_sites_with_a_new_column(trial_store: Store) -> None:
    table = _site_table_with_a_new_column()
    with trial_store.read() as session:
        report = verify_chain(session, tables=[table])
    assert (report.ok, report.records) == (True, 2)
    with trial_store.engine.begin() as conn:
        conn.execute(text("UPDATE site SET name = 'Elsewhere' WHERE code = '02'"))
    with trial_store.read() as session:
        report = verify_chain(session, tables=[table])
        last = session.execute(
            text("SELECT max(seq) FROM audit_entry WHERE table_name = 'site' AND record_id = 2")
        ).scalar_one()
    assert report.problem is not None
    assert (report.problem.seq, report.problem.table_name, report.problem.record_id) == (last, "site", 2)
