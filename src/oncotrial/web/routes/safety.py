"""Adverse events: the entry form of a patient's adverse event (CTCAE v5.0 grade, dates, seriousness,
attribution, action taken), and its JSON twin. The checks are the store's (``record_adverse_event``): a field it
refuses is shown in place, with what was typed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from oncotrial.errors import DataError
from oncotrial.store.services import check_entry_for, record_adverse_event
from oncotrial.web.forms import FormErrors, typed_text
from oncotrial.web.routes._common import StoreDep, render
from oncotrial.web.routes.patients import PATIENT
from oncotrial.web.security import CurrentAuth

__all__ = ["api", "pages"]

pages = APIRouter(tags=["pages: adverse events"])
api = APIRouter(tags=["adverse events"])

FIELDS = ("term", "grade", "onset", "resolved", "serious", "attribution", "action_taken", "outcome")
GRADES = [("", "choose"), *((str(g), f"{g}") for g in range(1, 6))]


def _form(
    request: Request, auth: CurrentAuth, trial: str, subject_id: str, errors: FormErrors, status: int = 200
) -> HTMLResponse:
    context = {"actor": auth.actor, "trial": trial, "subject_id": subject_id, "errors": errors, "grades": GRADES}
    return render(request, "adverse_event.html", context, status=status)


@pages.get(PATIENT + "/adverse-events/new", response_class=HTMLResponse, summary="The adverse-event form")
def adverse_event_page(
    request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str
) -> HTMLResponse:
    with store.read() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
    return _form(request, auth, trial, subject_id, FormErrors(typed={"onset": dt.date.today().isoformat()}))


@pages.post(PATIENT + "/adverse-events", summary="Record an adverse event of the patient")
async def record_adverse_event_page(
    request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str
) -> Response:
    with store.read() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
    form = await request.form()
    typed = typed_text(form, FIELDS)
    fields = {name: value for name, value in typed.items() if value}
    try:
        with store.write() as session:
            record_adverse_event(session, auth.actor, trial, subject_id, **fields)
    except DataError as exc:
        return _form(request, auth, trial, subject_id, FormErrors(typed=typed).refused(exc, FIELDS), status=400)
    return RedirectResponse(f"/trials/{trial}/patients/{subject_id}#timeline", status_code=303)


class AdverseEventCreate(BaseModel):
    """An adverse event: the term as reported, the CTCAE v5.0 grade (1-5), onset and resolution days, whether it
    is serious, its attribution to the study drug, and the action taken with the drug. ``term``, ``onset`` and
    ``serious`` are required: the store says so, naming the field, once the user may enter data for the patient."""

    term: str | None = Field(default=None, max_length=200)
    grade: int | None = None
    onset: dt.date | None = None
    resolved: dt.date | None = None
    serious: bool | None = None
    attribution: str | None = None
    action_taken: str | None = None
    outcome: str | None = None


@api.post(PATIENT + "/adverse-events", status_code=201, summary="Record an adverse event of the patient")
def record_adverse_event_api(
    auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str, body: AdverseEventCreate
) -> dict[str, Any]:
    with store.write() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
        event_id = record_adverse_event(session, auth.actor, trial, subject_id, **body.model_dump(exclude_none=True))
    return {"id": event_id, "subject_id": subject_id, **body.model_dump(mode="json")}
