"""``oncotrial.store.services.audit_history`` on SQLite and PostgreSQL: a patient's history is every entry of their
records, oldest first, and no other patient's; the concealed list and identifying values only for the roles
that may read them (``oncotrial.store.access``)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from oncotrial.errors import AccessError, NotFoundError
from oncotrial.store import Store
from oncotrial.store.audit import audit_context
from oncotrial.store.models import (
    AdverseEvent,
    Assessment,
    AuditEntry,
    Lesion,
    Measurement,
    Patient,
    ScreeningCriterion,
)
from oncotrial.store.services import (
    HistoryEntry,
    actor_for,
    audit_history,
    correct_randomisation,
    delete_patient,
    enrol_patient,
    randomise,
    record_consent,
    record_screening,
    verify_audit_trail,
)
from tests.store.conftest import CONSENTED_ON, SCREENED_AT, TRIAL, eligible_record, enrol_eligible

FIRST_TABLES = {"patient", "patient_identity", "consent", "screening", "screening_criterion"}  # enrolment's


@pytest.fixture
def history_store(trial_store: Store) -> Store:
    """Patient 01-0001 with a name and birth date, consented, screened eligible, randomised, the arm corrected,
    then deleted (soft); patient 01-0002 enrolled and randomised between them."""
    with trial_store.write() as session:
        actor = actor_for(session, "inv1")
        enrol_patient(
            session, actor, TRIAL, enrolled_on=CONSENTED_ON, name="Ada Example", birth_date=dt.date(1961, 4, 2)
        )
        record_consent(session, actor, TRIAL, "01-0001", form_version="2.0", consent_date=CONSENTED_ON)
        record_screening(session, actor, TRIAL, "01-0001", eligible_record(), screened_at=SCREENED_AT)
    enrol_eligible(trial_store, randomise=True)  # 01-0002, takes the first slot
    with trial_store.write() as session:
        actor = actor_for(session, "inv1")
        arm = randomise(session, actor, TRIAL, "01-0001", randomised_on=SCREENED_AT.date()).arm
    with trial_store.write() as session:
        other = "A" if arm == "B" else "B"
        actor = actor_for(session, "inv1")
        correct_randomisation(
            session, actor, TRIAL, "01-0001", arm=other, reason="arm entered against the wrong patient"
        )
        delete_patient(session, actor, TRIAL, "01-0001", reason="consent withdrawn before any treatment")
    return trial_store


def _criteria(store: Store) -> int:
    with store.read() as session:
        return session.execute(select(func.count()).select_from(ScreeningCriterion).where(
            ScreeningCriterion.screening_id == 1)).scalar_one()  # fmt: skip


def _history(store: Store, username: str) -> list[tuple[str, str]]:
    with store.read() as session:
        entries = audit_history(session, actor_for(session, username), TRIAL, "01-0001")
    assert [e.seq for e in entries] == sorted(e.seq for e in entries)  # oldest first
    return [(e.table_name, e.action) for e in entries]


def test_a_monitor_sees_every_entry_of_the_patients_records_oldest_first(history_store: Store) -> None:
    """What the fixture did to 01-0001, in order; nothing of 01-0002; no slot of the concealed list."""
    criteria = _criteria(history_store)
    assert criteria > 0
    assert _history(history_store, "monitor") == [
        ("patient", "insert"),
        ("patient_identity", "insert"),
        ("consent", "insert"),
        ("screening", "insert"),
        *[("screening_criterion", "insert")] * criteria,
        ("randomisation", "insert"),
        ("randomisation", "update"),
        ("patient", "update"),
    ]


def test_the_statistician_sees_the_allocation_slot_but_not_identifying_values(history_store: Store) -> None:
    """The slot's entries: drawn with the list (insert, no patient), then taken by 01-0001 (update, with the reason
    the randomisation gives). The identity entry is there, its values hidden."""
    with history_store.read() as session:
        entries = audit_history(session, actor_for(session, "stat"), TRIAL, "01-0001")
    slot = [e for e in entries if e.table_name == "allocation_slot"]
    assert [(e.action, e.reason) for e in slot] == [("insert", None), ("update", "randomisation of patient 01-0001")]
    assert slot[0].new_values is not None
    assert slot[0].new_values["patient_id"] is None
    assert slot[1].new_values is not None
    assert slot[1].new_values["patient_id"] == 1
    [identity] = [e for e in entries if e.table_name == "patient_identity"]
    assert (identity.values_hidden, identity.old_values, identity.new_values) == (True, None, None)
    assert "Ada Example" not in repr(entries)


def test_a_monitor_reads_identifying_values_and_the_reasons(history_store: Store) -> None:
    with history_store.read() as session:
        entries = audit_history(session, actor_for(session, "monitor"), TRIAL, "01-0001")
    [identity] = [e for e in entries if e.table_name == "patient_identity"]
    assert identity.new_values == {"birth_date": "1961-04-02", "name": "Ada Example", "patient_id": 1, "version": 1}
    assert entries[-1].reason == "consent withdrawn before any treatment"
    assert entries[-1].new_values is not None
    assert entries[-1].new_values["deleted_reason"] == entries[-1].reason


@pytest.mark.parametrize(("username", "error"), [("coord1", AccessError), ("inv1", AccessError)])
def test_site_roles_may_not_read_the_audit_trail(history_store: Store, username: str, error: type[Exception]) -> None:
    with pytest.raises(error, match="may not read audit"), history_store.read() as session:
        audit_history(session, actor_for(session, username), TRIAL, "01-0001")


def test_an_unknown_patient_has_no_history(history_store: Store) -> None:
    with pytest.raises(NotFoundError, match="has no patient '01-0099'"), history_store.read() as session:
        audit_history(session, actor_for(session, "monitor"), TRIAL, "01-0099")


def test_grandchild_records_and_records_deleted_since_are_in_the_history(trial_store: Store) -> None:
    """A measurement belongs to the patient through its assessment; an adverse event deleted (with a reason) keeps
    its insert and delete entries in the history. Written with the ORM and an audit context, as services do."""
    subject = enrol_eligible(trial_store)
    with trial_store.write() as session:
        actor = actor_for(session, "inv1")
        patient_id = session.execute(select(Patient.id).where(Patient.subject_id == subject)).scalar_one()
        with audit_context(session, actor):
            lesion = Lesion(
                patient_id=patient_id, evaluator="INVESTIGATOR", code="T01", kind="TARGET", identified_on=CONSENTED_ON
            )
            visit = Assessment(
                patient_id=patient_id, evaluator="INVESTIGATOR", visit="BASELINE", assessed_on=CONSENTED_ON
            )
            event = AdverseEvent(patient_id=patient_id, term="Fatigue", grade=1, onset=dt.date(2026, 11, 25))
            session.add_all([lesion, visit, event])
            session.flush()
            session.add(Measurement(assessment_id=visit.id, lesion_id=lesion.id, test_code="LDIAM", value=24.0))
            session.flush()
    with trial_store.write() as session:
        with audit_context(session, actor_for(session, "inv1"), "entered for the wrong patient"):
            session.delete(session.get_one(AdverseEvent, 1))
            session.flush()
    with trial_store.read() as session:
        entries = audit_history(session, actor_for(session, "monitor"), TRIAL, subject)
    tail = [(e.table_name, e.action, e.reason) for e in entries if e.table_name not in FIRST_TABLES]
    assert tail == [
        ("adverse_event", "insert", None),
        ("assessment", "insert", None),
        ("lesion", "insert", None),
        ("measurement", "insert", None),
        ("adverse_event", "delete", "entered for the wrong patient"),
    ]


def test_one_records_history_is_its_entries_only(history_store: Store) -> None:
    """01-0002 was randomised first in the fixture, so 01-0001's randomisation is record 2: inserted, then
    corrected with the reason the fixture gave (the insert carries the reason the randomisation gives)."""
    with history_store.read() as session:
        entries = audit_history(
            session, actor_for(session, "monitor"), TRIAL, "01-0001", table_name="randomisation", record_id=2
        )
    assert [(e.table_name, e.record_id, e.action, e.reason) for e in entries] == [
        ("randomisation", 2, "insert", "randomisation of patient 01-0001"),
        ("randomisation", 2, "update", "arm entered against the wrong patient"),
    ]


@pytest.mark.parametrize(
    ("username", "table_name", "record_id"),
    [
        pytest.param("monitor", "randomisation", 1, id="another_patients_record"),
        pytest.param("monitor", "allocation_slot", 1, id="concealed_table_for_the_monitor"),
        pytest.param("stat", "no_such_table", None, id="unknown_table"),
    ],
)
def test_a_record_that_is_not_the_patients_or_is_concealed_has_no_history(
    history_store: Store, username: str, table_name: str, record_id: int | None
) -> None:
    """Randomisation record 1 is 01-0002's; the allocation list is read only by the statistician and admin."""
    with pytest.raises(NotFoundError, match="patient 01-0001 has no") as info, history_store.read() as session:
        audit_history(
            session, actor_for(session, username), TRIAL, "01-0001", table_name=table_name, record_id=record_id
        )
    assert info.value.code == "STORE-E092"


def test_the_audit_trail_verifies_for_the_roles_that_read_it(history_store: Store) -> None:
    with history_store.read() as session:
        report = verify_audit_trail(session, actor_for(session, "monitor"))
        entries = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    assert report.ok
    assert report.entries == entries
    with pytest.raises(AccessError, match="may not read audit"), history_store.read() as session:
        verify_audit_trail(session, actor_for(session, "coord1"))


@pytest.mark.parametrize(
    ("action", "old", "new", "changes"),
    [
        pytest.param("insert", None, {"id": 3, "version": 1, "term": "Rash", "grade": None},
                     [("term", None, "Rash")], id="insert_its_values"),
        pytest.param("update", {"id": 3, "version": 1, "term": "Rash", "grade": 1},
                     {"id": 3, "version": 2, "term": "Rash", "grade": 2}, [("grade", 1, 2)], id="update_what_changed"),
        pytest.param("delete", {"id": 3, "version": 2, "term": "Rash", "grade": None}, None,
                     [("term", "Rash", None)], id="delete_its_values"),
    ],
)  # fmt: skip
def test_an_entrys_changes_are_field_by_field_without_the_bookkeeping(
    action: str, old: dict[str, object] | None, new: dict[str, object] | None, changes: list[tuple[str, object, object]]
) -> None:
    """Worked by hand: ``id`` and ``version`` are left out; an insert or a delete lists the values it set or
    removed (empty ones left out), an update only the values that differ."""
    entry = HistoryEntry(1, "2026-11-30T12:00:00Z", "inv1", action, "adverse_event", 3, old, new, None)
    assert entry.changes == changes
