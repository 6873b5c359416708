"""Reading the audit trail: a patient's history, every entry of every record of theirs, oldest first.

A patient's records are the patient row, the rows of every table that refers to it (``patient_id``), and their
children in turn (a screening's criteria, an assessment's measurements and time-point response), found by the
foreign keys of the models, so that a table added later is covered without a change here. A record deleted
since is found by its delete entry's old values.

Who sees what (``oncotrial.store.access``): the roles with ``read_audit``; entries of the concealed allocation
tables only for the roles with ``read_allocation``; the values of the identity table only for the roles with
``read_identity`` (the entry itself, who changed it and when, stays visible).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, or_, select
from sqlalchemy.orm import Session

from oncotrial.store.access import PERMISSIONS, require
from oncotrial.store.audit import UNAUDITED, Actor
from oncotrial.store.models import AuditEntry, Base
from oncotrial.store.services._common import find_patient, find_trial

__all__ = ["CONCEALED_TABLES", "IDENTITY_TABLES", "HistoryEntry", "audit_history"]

CONCEALED_TABLES = frozenset({"allocation_slot", "allocation_secret"})
IDENTITY_TABLES = frozenset({"patient_identity"})


@dataclass(frozen=True)
class HistoryEntry:
    """One audit entry as a reader sees it: ``old_values``/``new_values`` are the row's values (``None`` for an
    insert's old and a delete's new values, and when ``values_hidden``)."""

    seq: int
    at: str
    username: str
    action: str
    table_name: str
    record_id: int
    old_values: dict[str, Any] | None
    new_values: dict[str, Any] | None
    reason: str | None
    values_hidden: bool = False


def _children(table: Table, parents: dict[str, set[int]]) -> list[tuple[str, set[int]]]:
    """(column, parent ids) for each foreign key of ``table`` to a table whose records are the patient's."""
    links = []
    for fk in table.foreign_keys:
        ids = parents.get(fk.column.table.name)
        if ids:
            links.append((fk.parent.name, ids))
    return links


def _deleted_ids(session: Session, table: Table, column: str, ids: set[int]) -> set[int]:
    """Records of ``table`` deleted since, whose ``column`` was one of ``ids`` (from their delete entries)."""
    entries = session.execute(
        select(AuditEntry.record_id, AuditEntry.old_values).where(
            AuditEntry.table_name == table.name, AuditEntry.action == "delete"
        )
    )
    return {int(record) for record, old in entries if old and json.loads(old).get(column) in ids}


def _patient_records(session: Session, patient_id: int) -> dict[str, set[int]]:
    """The patient's records by table: the patient row, and every row linked to it, directly or through a parent."""
    records: dict[str, set[int]] = {"patient": {patient_id}}
    for table in Base.metadata.sorted_tables:  # parents before children
        if table.name in UNAUDITED or table.name == "patient":
            continue
        pk = table.primary_key.columns[0]
        found: set[int] = set()
        for column, ids in _children(table, records):
            found |= set(session.execute(select(pk).where(table.c[column].in_(ids))).scalars())
            found |= _deleted_ids(session, table, column, ids)
        if found:
            records[table.name] = found
    return records


def _may(actor: Actor, permission: str) -> bool:
    return actor.role in PERMISSIONS[permission]


def _shown(entry: AuditEntry, *, hide_values: bool) -> HistoryEntry:
    hidden = hide_values and entry.table_name in IDENTITY_TABLES
    return HistoryEntry(
        seq=entry.seq,
        at=entry.at,
        username=entry.username,
        action=entry.action,
        table_name=entry.table_name,
        record_id=entry.record_id,
        old_values=None if hidden or entry.old_values is None else json.loads(entry.old_values),
        new_values=None if hidden or entry.new_values is None else json.loads(entry.new_values),
        reason=entry.reason,
        values_hidden=hidden,
    )


def audit_history(session: Session, actor: Actor, trial_code: str, subject_id: str) -> list[HistoryEntry]:
    """Every audit entry of the patient's records, oldest first (a deleted patient's too).

    Raises
    ------
    AccessError
        For a role without ``read_audit``.
    NotFoundError
        For a trial or patient that is not in the database.
    """
    require(actor, "read_audit")
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id, include_deleted=True)
    records = _patient_records(session, patient.id)
    if not _may(actor, "read_allocation"):
        records = {table: ids for table, ids in records.items() if table not in CONCEALED_TABLES}
    wanted = or_(*(and_(AuditEntry.table_name == t, AuditEntry.record_id.in_(ids)) for t, ids in records.items()))
    entries = session.execute(select(AuditEntry).where(wanted).order_by(AuditEntry.seq)).scalars()
    hide_values = not _may(actor, "read_identity")
    return [_shown(entry, hide_values=hide_values) for entry in entries]
