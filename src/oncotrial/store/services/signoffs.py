"""Sign-offs: the investigator attests the eligibility of a patient's screening and each visit's tumour
assessment (the ``sign_off`` permission: investigators, their own site's patients).

A sign-off holds the record's version: a record corrected after it was signed shows as *changed since signed*
and is signed again; a record signed at its current version cannot be signed twice. ``sign_offs`` lists the
patient's records that take one (the latest screening, every assessment) with their state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from oncotrial.errors import DataError, NotFoundError
from oncotrial.store.access import require
from oncotrial.store.audit import Actor, audit_context
from oncotrial.store.models import SIGNABLE, Assessment, Patient, Screening, SignOff, User
from oncotrial.store.services._common import check_version, find_patient, find_trial

__all__ = ["SignOffItem", "sign_off", "sign_offs"]


@dataclass(frozen=True)
class SignOffItem:
    """A record that takes a sign-off, and its state: ``signed_by``/``signed_at`` of its latest sign-off,
    ``current`` when that sign-off is of the record as it is now."""

    record_table: str
    record_id: int
    label: str
    version: int
    signed_by: str | None
    signed_at: dt.datetime | None
    current: bool


def _record(session: Session, patient: Patient, table: str, record_id: int) -> Screening | Assessment:
    if table not in SIGNABLE:
        raise DataError(
            f"a sign-off is of a screening or an assessment, not {table!r}",
            code="STORE-E180",
            field="record_table",
            subject_id=patient.subject_id,
        )
    record = session.get(Screening, record_id) if table == "screening" else session.get(Assessment, record_id)
    if record is None or record.patient_id != patient.id:
        raise NotFoundError(
            f"patient {patient.subject_id} has no {table} {record_id}",
            code="STORE-E181",
            field="record_id",
            subject_id=patient.subject_id,
        )
    return record


def sign_off(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    *,
    record_table: str,
    record_id: int,
    expected_version: int | None = None,
) -> int:
    """Sign off the patient's screening (its eligibility) or assessment as it stands; the sign-off's id.
    ``expected_version``: the version the investigator read (a record changed since is refused, ConflictError)."""
    require(actor, "sign_off")
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id)
    record = _record(session, patient, record_table, record_id)
    check_version(record, expected_version, what=f"{record_table} {record_id}", subject_id=subject_id)
    signed = session.execute(
        select(SignOff.id).where(
            SignOff.record_table == record_table,
            SignOff.record_id == record_id,
            SignOff.record_version == record.version,
        )
    ).scalar()
    if signed is not None:
        raise DataError(
            f"the {record_table} {record_id} of patient {subject_id} is signed off already as it stands",
            code="STORE-E182",
            field="record_id",
            subject_id=subject_id,
        )
    row = SignOff(
        patient_id=patient.id,
        record_table=record_table,
        record_id=record_id,
        record_version=record.version,
        signed_by=actor.user_id,
        signed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
    )
    with audit_context(session, actor):
        session.add(row)
        session.flush()
    return row.id


def sign_offs(session: Session, actor: Actor, trial_code: str, subject_id: str) -> list[SignOffItem]:
    """The patient's latest screening and every assessment, each with its sign-off state."""
    require(actor, "read")
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id)
    screening = session.execute(
        select(Screening).where(Screening.patient_id == patient.id).order_by(Screening.screened_at.desc()).limit(1)
    ).scalar()
    assessments = session.execute(
        select(Assessment).where(Assessment.patient_id == patient.id).order_by(Assessment.assessed_on)
    ).scalars()
    records: list[tuple[str, Screening | Assessment, str]] = []
    if screening is not None:
        label = f"eligibility: screening of {screening.screened_at:%Y-%m-%d} ({screening.status})"
        records.append(("screening", screening, label))
    records += [
        ("assessment", a, f"tumour assessment: {a.visit} of {a.assessed_on} ({a.evaluator.lower()})")
        for a in assessments
    ]
    signed = {
        (table, record_id): (version, username, at)
        for table, record_id, version, username, at in session.execute(
            select(SignOff.record_table, SignOff.record_id, SignOff.record_version, User.username, SignOff.signed_at)
            .join(User, User.id == SignOff.signed_by)
            .where(SignOff.patient_id == patient.id)
            .order_by(SignOff.id)
        )
    }  # the latest sign-off of each record (ordered by id: a later one replaces an earlier)
    items = []
    for table, record, label in records:
        version, username, at = signed.get((table, record.id), (None, None, None))
        items.append(SignOffItem(table, record.id, label, record.version, username, at, version == record.version))
    return items
