"""Data queries: the monitor (or the statistician) asks about a patient's data, the site answers, the monitor
closes the query or reopens it.

- ``raise_query`` (``raise_query`` permission: monitor, statistician): a question on the patient, or on one of
  the patient's records (``record_table``, ``record_id``) and optionally one of its fields (``field``);
- ``answer_query`` (site roles, own site): the answer to an open query; it is then *answered*;
- ``close_query`` (``raise_query``): an open or answered query is settled; ``reopen_query``: an answered or
  closed query is open again, with the reason (kept in the audit trail with the answer it replaces);
- ``list_queries``: the queries a user may see (site roles: their site's), newest first, by status;
  ``query_counts``: how many are open and answered, for the dashboard.

Every change is audited (the audit trail keeps each earlier answer) and carries ``expected_version`` as other
edits do, so a second writer gets ``ConflictError``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from oncotrial.errors import DataError, NotFoundError
from oncotrial.store.access import require
from oncotrial.store.audit import Actor, audit_context
from oncotrial.store.models import (
    Administration,
    AdverseEvent,
    Assessment,
    Consent,
    Crossover,
    CycleStart,
    DataQuery,
    Disposition,
    LabResult,
    Lesion,
    Measurement,
    Patient,
    Randomisation,
    Sample,
    Screening,
    Site,
    User,
)
from oncotrial.store.models.base import Base
from oncotrial.store.services._common import check_version, find_patient, find_trial, visible_patients

__all__ = [
    "QUERYABLE",
    "QueryRow",
    "answer_query",
    "check_raise_for",
    "close_query",
    "list_queries",
    "query_counts",
    "raise_query",
    "reopen_query",
]

#: The records a query may point at, by table name.
QUERYABLE: dict[str, type[Base]] = {
    model.__tablename__: model
    for model in (
        Screening,
        Consent,
        Randomisation,
        Administration,
        CycleStart,
        Assessment,
        Lesion,
        Measurement,
        AdverseEvent,
        LabResult,
        Sample,
        Disposition,
        Crossover,
    )
}
TEXT_LIMIT = 4000


@dataclass(frozen=True)
class QueryRow:
    """A query as a list or page shows it (user names, not ids)."""

    id: int
    subject_id: str
    site: str
    record_table: str | None
    record_id: int | None
    field: str | None
    text: str
    status: str
    raised_by: str
    raised_at: dt.datetime
    answer: str | None
    answered_by: str | None
    answered_at: dt.datetime | None
    closed_by: str | None
    closed_at: dt.datetime | None
    version: int

    def to_dict(self) -> dict[str, Any]:
        return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in asdict(self).items()}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _text(value: str | None, *, field: str, subject_id: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise DataError(
            f"the {field} is empty; write what you {'ask' if field == 'text' else 'answer'}",
            code="STORE-E170",
            field=field,
            subject_id=subject_id,
        )
    if len(text) > TEXT_LIMIT:
        raise DataError(
            f"the {field} has {len(text):,} characters; at most {TEXT_LIMIT:,}: shorten it",
            code="STORE-E171",
            field=field,
            subject_id=subject_id,
        )
    return text


def _record_of(session: Session, patient: Patient, table: str, record_id: int | None, field: str | None) -> None:
    """Refuse a query on a table, record or field that is not the patient's."""
    subject_id = patient.subject_id
    model = QUERYABLE.get(table)
    if model is None:
        raise DataError(
            f"a query cannot point at {table!r}; the records it can: {', '.join(sorted(QUERYABLE))}",
            code="STORE-E172",
            field="record_table",
            subject_id=subject_id,
        )
    if record_id is None:
        raise DataError(
            f"the query names the table {table} but not its record; give record_id",
            code="STORE-E173",
            field="record_id",
            subject_id=subject_id,
        )
    owner = _owner(session, model, record_id)
    if owner != patient.id:
        raise NotFoundError(
            f"patient {subject_id} has no {table} record {record_id}",
            code="STORE-E174",
            field="record_id",
            subject_id=subject_id,
        )
    columns = [c.name for c in model.__table__.columns if c.name not in ("id", "patient_id", "version")]
    if field is not None and field not in columns:
        raise DataError(
            f"{table} has no field {field!r}; its fields: {', '.join(columns)}",
            code="STORE-E175",
            field="field",
            subject_id=subject_id,
        )


def _owner(session: Session, model: type[Base], record_id: int) -> int | None:
    """The patient a record belongs to (a measurement through its assessment)."""
    if model is Measurement:
        stmt = select(Assessment.patient_id).join(Measurement, Measurement.assessment_id == Assessment.id)
        return session.execute(stmt.where(Measurement.id == record_id)).scalar_one_or_none()
    table = model.__table__
    return session.execute(select(table.c.patient_id).where(table.c.id == record_id)).scalar_one_or_none()


def raise_query(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    *,
    text: str,
    record_table: str | None = None,
    record_id: int | None = None,
    field: str | None = None,
) -> int:
    """Ask the site about the patient's data (about one record, and one of its fields, when given); the id."""
    require(actor, "raise_query")
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id)
    question = _text(text, field="text", subject_id=subject_id)
    if record_table is not None:
        _record_of(session, patient, record_table, record_id, field)
    elif record_id is not None or field is not None:
        raise DataError(
            "a record or field is named without its table; give record_table too",
            code="STORE-E173",
            field="record_table",
            subject_id=subject_id,
        )
    query = DataQuery(
        patient_id=patient.id,
        record_table=record_table,
        record_id=record_id,
        field=field,
        text=question,
        status="open",
        raised_by=actor.user_id,
        raised_at=_now(),
    )
    with audit_context(session, actor):
        session.add(query)
        session.flush()
    return query.id


def check_raise_for(session: Session, actor: Actor, trial_code: str, subject_id: str) -> None:
    """Refuse a user who may not raise a query on this patient, before any field is read (as
    :func:`~oncotrial.store.services.check_entry_for` does for data entry)."""
    require(actor, "raise_query")
    find_patient(session, actor, find_trial(session, trial_code), subject_id)


def _find_query(session: Session, actor: Actor, trial_code: str, query_id: int) -> tuple[DataQuery, Patient]:
    """The query, once the user may see its patient (a site role: their site's only)."""
    trial = find_trial(session, trial_code)
    row = session.execute(
        select(DataQuery, Patient.subject_id)
        .join(Patient, Patient.id == DataQuery.patient_id)
        .where(DataQuery.id == query_id, Patient.trial_id == trial.id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"trial {trial.code} has no query {query_id}", code="STORE-E176", field="query")
    query, subject_id = row
    return query, find_patient(session, actor, trial, subject_id)


def _check_status(query: DataQuery, allowed: tuple[str, ...], action: str, subject_id: str) -> None:
    if query.status not in allowed:
        raise DataError(
            f"query {query.id} of patient {subject_id} is {query.status}; only an {' or '.join(allowed)} query "
            f"can be {action}",
            code="STORE-E177",
            field="status",
            subject_id=subject_id,
        )


def answer_query(
    session: Session, actor: Actor, trial_code: str, query_id: int, *, answer: str, expected_version: int | None = None
) -> None:
    """The site's answer to an open query of its patient."""
    require(actor, "enter_data")
    query, patient = _find_query(session, actor, trial_code, query_id)
    check_version(query, expected_version, what=f"query {query_id}", subject_id=patient.subject_id)
    _check_status(query, ("open",), "answered", patient.subject_id)
    text = _text(answer, field="answer", subject_id=patient.subject_id)
    with audit_context(session, actor, f"answer to query {query_id}"):
        query.answer, query.answered_by, query.answered_at, query.status = text, actor.user_id, _now(), "answered"
        session.flush()


def close_query(
    session: Session, actor: Actor, trial_code: str, query_id: int, *, expected_version: int | None = None
) -> None:
    """Settle an open or answered query."""
    require(actor, "raise_query")
    query, patient = _find_query(session, actor, trial_code, query_id)
    check_version(query, expected_version, what=f"query {query_id}", subject_id=patient.subject_id)
    _check_status(query, ("open", "answered"), "closed", patient.subject_id)
    with audit_context(session, actor, f"query {query_id} closed"):
        query.closed_by, query.closed_at, query.status = actor.user_id, _now(), "closed"
        session.flush()


def reopen_query(
    session: Session,
    actor: Actor,
    trial_code: str,
    query_id: int,
    *,
    reason: str,
    expected_version: int | None = None,
) -> None:
    """Open an answered or closed query again (the answer did not settle it); the reason is audited with the
    answer it clears."""
    require(actor, "raise_query")
    query, patient = _find_query(session, actor, trial_code, query_id)
    check_version(query, expected_version, what=f"query {query_id}", subject_id=patient.subject_id)
    _check_status(query, ("answered", "closed"), "reopened", patient.subject_id)
    why = _text(reason, field="reason", subject_id=patient.subject_id)
    with audit_context(session, actor, f"query {query_id} reopened: {why}"):
        query.status = "open"
        query.answer = query.answered_by = query.answered_at = query.closed_by = query.closed_at = None
        session.flush()


def _visible(actor: Actor, trial_id: int) -> ColumnElement[bool]:
    """The condition on patients that a user may see queries of: the trial's, not deleted, and (a site role)
    their site's."""
    return (Patient.trial_id == trial_id) & Patient.deleted_on.is_(None) & visible_patients(actor)


def list_queries(
    session: Session, actor: Actor, trial_code: str, *, status: str | None = None, subject_id: str | None = None
) -> list[QueryRow]:
    """The queries the user may see, newest first; ``status`` and ``subject_id`` narrow the list."""
    require(actor, "read")
    trial = find_trial(session, trial_code)
    if subject_id is not None:
        find_patient(session, actor, trial, subject_id)
    if status is not None and status not in ("open", "answered", "closed"):
        raise DataError(f"no query status {status!r}; one of open, answered, closed", code="STORE-E178", field="status")
    raised, answered, closed = aliased(User), aliased(User), aliased(User)
    stmt = (
        select(DataQuery, Patient.subject_id, Site.code, raised.username, answered.username, closed.username)
        .join(Patient, Patient.id == DataQuery.patient_id)
        .join(Site, Site.id == Patient.site_id)
        .join(raised, raised.id == DataQuery.raised_by)
        .outerjoin(answered, answered.id == DataQuery.answered_by)
        .outerjoin(closed, closed.id == DataQuery.closed_by)
        .where(_visible(actor, trial.id))
        .order_by(DataQuery.id.desc())
    )
    if status is not None:
        stmt = stmt.where(DataQuery.status == status)
    if subject_id is not None:
        stmt = stmt.where(Patient.subject_id == subject_id)
    return [
        QueryRow(
            id=q.id,
            subject_id=sid,
            site=site,
            record_table=q.record_table,
            record_id=q.record_id,
            field=q.field,
            text=q.text,
            status=q.status,
            raised_by=by,
            raised_at=q.raised_at,
            answer=q.answer,
            answered_by=answerer,
            answered_at=q.answered_at,
            closed_by=closer,
            closed_at=q.closed_at,
            version=q.version,
        )
        for q, sid, site, by, answerer, closer in session.execute(stmt)
    ]


def query_counts(session: Session, actor: Actor, trial_code: str) -> dict[str, int]:
    """How many of the queries the user may see are open (waiting for the site) and answered (waiting for the
    monitor)."""
    require(actor, "read")
    trial = find_trial(session, trial_code)
    stmt = (
        select(DataQuery.status, func.count())
        .join(Patient, Patient.id == DataQuery.patient_id)
        .where(_visible(actor, trial.id), DataQuery.status.in_(("open", "answered")))
        .group_by(DataQuery.status)
    )
    counts = {"open": 0, "answered": 0}
    counts.update({status: int(n) for status, n in session.execute(stmt)})
    return counts
