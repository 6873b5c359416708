"""Follow-up from the patient's page: off treatment, off study (with the reason), death and last known alive,
one form and its JSON twin. The checks are the store's (``record_dispositions``, which ``record_off_treatment``,
``record_off_study``, ``record_death`` and ``record_last_known_alive`` call with one row each): the event's date
is required, off treatment and off study need the reason, nothing is dated before consent or after a death."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from oncotrial.errors import DataError
from oncotrial.store import Store
from oncotrial.store.services import check_entry_for, record_dispositions
from oncotrial.web.forms import FormErrors
from oncotrial.web.routes._common import StoreDep
from oncotrial.web.routes._entry import EntryForm, Input, render_entry, typed_in
from oncotrial.web.routes.patients import PATIENT
from oncotrial.web.security import Auth, CurrentAuth

__all__ = ["FOLLOW_UP", "api", "pages"]

pages = APIRouter(tags=["pages: follow-up"])
api = APIRouter(tags=["follow-up"])

EVENTS = (
    ("", "choose"),
    ("off_treatment", "off treatment"),
    ("off_study", "off study"),
    ("death", "death"),
    ("last_known_alive", "last known alive"),
)
FOLLOW_UP = EntryForm(
    (
        Input("event", "Event", options=EVENTS),
        Input("event_date", "Date", "YYYY-MM-DD", required=True),
        Input("reason", "Reason", "off treatment and off study need it (e.g. progressive disease); a death's cause"),
    ),
    "Record the event",
)


def _form(request: Request, auth: Auth, trial: str, subject_id: str, errors: FormErrors, status: int = 200) -> Response:
    return render_entry(
        request,
        auth.actor,
        FOLLOW_UP,
        errors,
        heading=f"Follow-up of patient {subject_id}",
        action=f"/trials/{trial}/patients/{subject_id}/follow-up",
        back=(f"/trials/{trial}/patients/{subject_id}", f"Patient {subject_id}"),
        status=status,
    )


def _record(auth: Auth, store: Store, trial: str, subject_id: str, fields: dict[str, Any]) -> int:
    with store.write() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
        [record_id] = record_dispositions(session, auth.actor, trial, [{"subject_id": subject_id, **fields}])
    return record_id


@pages.get(PATIENT + "/follow-up/new", response_class=HTMLResponse, summary="The follow-up form")
def follow_up_page(request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str) -> Response:
    with store.read() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
    return _form(request, auth, trial, subject_id, FormErrors(typed={"event_date": dt.date.today().isoformat()}))


@pages.post(PATIENT + "/follow-up", summary="Record off treatment, off study, death or last known alive")
async def record_follow_up_page(
    request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str
) -> Response:
    with store.read() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
    typed = typed_in(await request.form(), FOLLOW_UP)
    try:
        _record(auth, store, trial, subject_id, {name: value for name, value in typed.items() if value})
    except DataError as exc:
        return _form(request, auth, trial, subject_id, FOLLOW_UP.refused(exc, typed), status=400)
    return RedirectResponse(f"/trials/{trial}/patients/{subject_id}#timeline", status_code=303)


class FollowUpCreate(BaseModel):
    """A follow-up event: ``off_treatment``, ``off_study``, ``death`` or ``last_known_alive``, its date, and the
    reason (off treatment, off study) or the cause (death). The store says which are missing, naming the field,
    once the user may enter data for the patient."""

    event: str | None = None
    event_date: dt.date | None = None
    reason: str | None = None


@api.post(PATIENT + "/follow-up", status_code=201, summary="Record off treatment, off study, death or last known alive")
def record_follow_up(
    auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str, body: FollowUpCreate
) -> dict[str, Any]:
    record_id = _record(auth, store, trial, subject_id, body.model_dump(exclude_none=True))
    return {"id": record_id, "subject_id": subject_id, **body.model_dump(mode="json")}
