"""The audit history of a patient's records, or of one record (by table and id): who, when (UTC), what changed
field by field (old → new), and why; and the check of the whole audit trail. Who sees what is the store's
decision (``audit_history``, ``verify_audit_trail``): the roles with ``read_audit``, the concealed allocation
tables only for those with ``read_allocation``, identifying values only for those with ``read_identity``."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from oncotrial.store import Store
from oncotrial.store.audit import ChainReport
from oncotrial.store.services import HistoryEntry, audit_history, verify_audit_trail
from oncotrial.web.routes._common import StoreDep, plain, render
from oncotrial.web.routes.patients import PATIENT
from oncotrial.web.security import Auth, CurrentAuth

__all__ = ["api", "pages"]

pages = APIRouter(tags=["pages: audit"])
api = APIRouter(tags=["audit"])

TableQuery = Annotated[
    str | None, Query(max_length=64, description="Only this table's records of the patient (e.g. consent)")
]
RecordQuery = Annotated[int | None, Query(ge=1, description="Only this record of the table (its id)")]


def _history(
    store: Store, auth: Auth, trial: str, subject_id: str, table: str | None, record_id: int | None
) -> list[HistoryEntry]:
    with store.read() as session:
        return audit_history(session, auth.actor, trial, subject_id, table_name=table, record_id=record_id)


@pages.get(PATIENT + "/audit", response_class=HTMLResponse, summary="The audit history of the patient's records")
def audit_page(
    request: Request,
    auth: CurrentAuth,
    store: StoreDep,
    trial: str,
    subject_id: str,
    table: TableQuery = None,
    record_id: RecordQuery = None,
) -> HTMLResponse:
    entries = _history(store, auth, trial, subject_id, table, record_id)
    context = {
        "actor": auth.actor,
        "trial": trial,
        "subject_id": subject_id,
        "entries": entries,
        "table": table,
        "record_id": record_id,
    }
    return render(request, "audit.html", context)


def _checked(store: Store, auth: Auth) -> tuple[ChainReport, float]:
    """The report of the whole trail, and the seconds it took."""
    started = time.perf_counter()
    with store.read() as session:
        report = verify_audit_trail(session, auth.actor)
    return report, time.perf_counter() - started


@pages.get("/audit/verify", response_class=HTMLResponse, summary="Verify the audit trail")
def verify_page(request: Request, auth: CurrentAuth, store: StoreDep) -> HTMLResponse:
    report, seconds = _checked(store, auth)
    return render(request, "audit_verify.html", {"actor": auth.actor, "report": report, "seconds": seconds})


@api.get(PATIENT + "/audit", summary="The audit history of the patient's records (or of one record), oldest first")
def audit(
    auth: CurrentAuth,
    store: StoreDep,
    trial: str,
    subject_id: str,
    table: TableQuery = None,
    record_id: RecordQuery = None,
) -> list[dict[str, Any]]:
    return [
        {**plain(entry), "changes": [{"field": name, "old": old, "new": new} for name, old, new in entry.changes]}
        for entry in _history(store, auth, trial, subject_id, table, record_id)
    ]


@api.get("/audit/verify", summary="Verify the audit trail: every entry's hash, every record against its last entry")
def verify(auth: CurrentAuth, store: StoreDep) -> dict[str, Any]:
    report, seconds = _checked(store, auth)
    return {"ok": report.ok, **plain(report), "message": str(report), "seconds": round(seconds, 3)}
