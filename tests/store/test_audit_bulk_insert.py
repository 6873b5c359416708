"""``insert_audited``'s bulk path writes rows exactly as the ORM would, audits each, and hands out ids that never
collide with the ORM's, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text

from oncotrial.store import Store, verify_chain
from oncotrial.store.audit import audit_context, insert_audited
from oncotrial.store.models import LabResult
from oncotrial.store.services import actor_for
from tests.store.conftest import enrol_eligible

VALUES = {
    "test_code": "ALB",
    "test_name": "Albumin",
    "category": "CHEMISTRY",
    "value": 38,  # a whole number for a float column: stored and audited as 38.0 either way
    "value_text": "38",
    "unit": "g/L",
    "normal_low": 33.0,
    "normal_high": 49.0,
    "collected_at": dt.datetime(2013, 12, 26, 14, 45),
    "visit": "WEEK 2",
    "visit_number": 4.0,
    "baseline": True,
}


def test_bulk_rows_are_stored_as_orm_rows_and_the_chain_verifies(trial_store: Store) -> None:
    """The same values through the ORM and through insert_audited read back identically in raw SQL (SQLite's
    date-time text, its 0/1 booleans), ids follow on (ORM, bulk, bulk, ORM: ascending, no collision) and
    verify_chain finds every record equal to its last entry."""
    subject = enrol_eligible(trial_store)
    with trial_store.write() as session:
        actor = actor_for(session, "inv1")
        from oncotrial.store.models import Patient

        patient_id = session.execute(select(Patient.id).where(Patient.subject_id == subject)).scalar_one()
        with audit_context(session, actor):
            session.add(LabResult(patient_id=patient_id, **VALUES))
            session.flush()
        bulk = insert_audited(session, LabResult.__table__, [{"patient_id": patient_id, **VALUES}] * 2, actor)  # type: ignore[arg-type]
        with audit_context(session, actor):
            session.add(LabResult(patient_id=patient_id, **VALUES))
            session.flush()
    with trial_store.read() as session:
        raw = session.execute(text("SELECT * FROM lab_result ORDER BY id")).all()
        report = verify_chain(session)
    ids = [row[0] for row in raw]
    assert ids == sorted(set(ids))
    assert bulk == ids[1:3]
    assert len({tuple(row[1:]) for row in raw}) == 1  # every column but the id stored the same way
    assert report.ok, str(report)
