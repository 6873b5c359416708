"""Reading the audit trail: a patient's history, every entry of every record of theirs (or of one record), oldest
first; and the check of the whole trail for the roles that read it.

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

from oncotrial.errors import NotFoundError
from oncotrial.store.access import PERMISSIONS, require
from oncotrial.store.audit import UNAUDITED, Actor, ChainReport, verify_chain
from oncotrial.store.models import AuditEntry, Base
from oncotrial.store.services._common import find_patient, find_trial

__all__ = ["CONCEALED_TABLES", "IDENTITY_TABLES", "HistoryEntry", "audit_history", "verify_audit_trail"]

CONCEALED_TABLES = frozenset({"allocation_slot", "allocation_secret"})
IDENTITY_TABLES = frozenset({"patient_identity"})
BOOKKEEPING = frozenset({"id", "version"})


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

    @property
    def changes(self) -> list[tuple[str, Any, Any]]:
        """What the entry changed, field by field: (field, old value, new value), every value of an insert (old
        None) or a delete (new None), the changed ones of an update; the bookkeeping (``id``, ``version``) left
        out. Empty when the values are hidden."""
        old, new = self.old_values or {}, self.new_values or {}
        names = [name for name in {**old, **new} if name not in BOOKKEEPING]
        if self.action == "update":
            return [(name, old.get(name), new.get(name)) for name in names if old.get(name) != new.get(name)]
        return [
            (name, old.get(name), new.get(name))
            for name in names
            if (old.get(name) if self.action == "delete" else new.get(name)) is not None
        ]


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


def _one_record(
    records: dict[str, set[int]], subject_id: str, table_name: str, record_id: int | None
) -> dict[str, set[int]]:
    """The patient's records narrowed to ``table_name`` (and ``record_id``); refused when not the patient's."""
    ids = records.get(table_name, set())
    if record_id is not None:
        ids = ids & {record_id}
    if not ids:
        what = f"{table_name} record {record_id}" if record_id is not None else f"{table_name} records"
        raise NotFoundError(
            f"patient {subject_id} has no {what} whose history you may read; open the patient's whole history to "
            "see their records",
            code="STORE-E092",
            field="record_id" if record_id is not None else "table",
            subject_id=subject_id,
        )
    return {table_name: ids}


def audit_history(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    *,
    table_name: str | None = None,
    record_id: int | None = None,
) -> list[HistoryEntry]:
    """Every audit entry of the patient's records, oldest first (a deleted patient's too); with ``table_name``
    (and ``record_id``), only those of that table's record(s) of the patient.

    Raises
    ------
    AccessError
        For a role without ``read_audit``.
    NotFoundError
        For a trial or patient that is not in the database, or a record that is not the patient's (or that the
        user may not read: the concealed allocation tables).
    """
    require(actor, "read_audit")
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id, include_deleted=True)
    records = _patient_records(session, patient.id)
    if not _may(actor, "read_allocation"):
        records = {table: ids for table, ids in records.items() if table not in CONCEALED_TABLES}
    if table_name is not None:
        records = _one_record(records, subject_id, table_name, record_id)
    wanted = or_(*(and_(AuditEntry.table_name == t, AuditEntry.record_id.in_(ids)) for t, ids in records.items()))
    entries = session.execute(select(AuditEntry).where(wanted).order_by(AuditEntry.seq)).scalars()
    hide_values = not _may(actor, "read_identity")
    return [_shown(entry, hide_values=hide_values) for entry in entries]


def verify_audit_trail(session: Session, actor: Actor) -> ChainReport:
    """Check the database's audit trail (:func:`oncotrial.store.audit.verify_chain`: every entry's hash, then every
    record against its last entry), for a role with ``read_audit``. It reads every entry and every audited row, so
    its cost grows with the whole database, not with one trial."""
    require(actor, "read_audit")
    return verify_chain(session)
