"""The dosing calendar of a patient: every planned dose with "given" (time; amount optional, as planned when left
empty) and "held (reason)", each cycle with "delay cycle" (its new day 1), and the treatment start that the
calendar follows from; with the JSON twins. What ``oncotrial dose`` offers (start, record, cycle-start), through
the same services: the protocol's limits (a dose above the plan, a delay beyond the maximum, a dose before
consent) are the store's, and a refused value is shown at its field, in its row, with what was typed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from oncotrial.errors import DataError, ScheduleError
from oncotrial.store import Store
from oncotrial.store.services import (
    check_entry_for,
    dosing_calendar,
    record_administration,
    record_cycle_start,
    record_treatment_start,
)
from oncotrial.web.forms import FormErrors, parse_moment, typed_text
from oncotrial.web.routes._common import StoreDep, can, plain, render, require_fields
from oncotrial.web.routes._entry import parse_number
from oncotrial.web.routes.patients import PATIENT
from oncotrial.web.security import Auth, CurrentAuth

__all__ = ["api", "pages"]

pages = APIRouter(tags=["pages: dosing"])
api = APIRouter(tags=["dosing"])

CALENDAR = PATIENT + "/calendar"
DOSE_FIELDS = ("treatment", "cycle", "number", "given_at", "amount", "unit", "percent", "reason", "adverse_event_id")
CYCLE_FIELDS = ("cycle", "start", "reason", "adverse_event_id")
START_FIELDS = ("start", "weight_kg", "height_cm")
ACTIONS = ("given", "held", "delayed")
REFUSED = (DataError, ScheduleError)  # the store's refusals of a value (the core's calendar limits included)


def _page(
    request: Request,
    store: Store,
    auth: Auth,
    trial: str,
    subject_id: str,
    *,
    errors: FormErrors | None = None,
    failed: str = "",
    status: int = 200,
) -> HTMLResponse:
    """The calendar; after a refused form, ``failed`` names it (``start``, ``cycle-2``, ``dose-il2-1-3``) so that
    its row shows ``errors`` at their fields and what was typed."""
    with store.read() as session:
        calendar = dosing_calendar(session, auth.actor, trial, subject_id)
    context = {
        "actor": auth.actor,
        "trial": trial,
        "calendar": calendar,
        "may_enter": can(auth.actor, "enter_data"),
        "errors": errors or FormErrors(),
        "failed": failed,
    }
    return render(request, "calendar.html", context, status=status)


@pages.get(CALENDAR, response_class=HTMLResponse, summary="The patient's dosing calendar")
def calendar_page(request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str) -> HTMLResponse:
    return _page(request, store, auth, trial, subject_id)


async def _typed(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    form = await request.form()
    return typed_text(form, (*names, "status", "allow_above_planned"))


def _refused(exc: DataError | ScheduleError, typed: dict[str, str], fields: tuple[str, ...]) -> FormErrors:
    return FormErrors(typed=typed).refused(exc, fields)


@pages.post(CALENDAR + "/start", summary="Record the treatment start (cycle 1 day 1) of the patient")
async def record_start_page(
    request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str
) -> Response:
    with store.read() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
    typed = await _typed(request, START_FIELDS)
    errors = FormErrors(typed=typed)
    start = parse_moment(typed["start"], field="start", errors=errors)
    weight = parse_number(typed["weight_kg"], field="weight_kg", errors=errors)
    height = parse_number(typed["height_cm"], field="height_cm", errors=errors)
    if weight is None and "weight_kg" not in errors.by_field:
        errors.add("weight_kg", "give the weight in kg: the doses per kg are computed from it")
    if not errors and start is not None and weight is not None:
        try:
            with store.write() as session:
                record_treatment_start(
                    session, auth.actor, trial, subject_id, start=start, weight_kg=weight, height_cm=height
                )
        except REFUSED as exc:
            errors = _refused(exc, typed, START_FIELDS)
    if errors:
        return _page(request, store, auth, trial, subject_id, errors=errors, failed="start", status=400)
    return RedirectResponse(f"/trials/{trial}/patients/{subject_id}/calendar", status_code=303)


def _administration(typed: dict[str, str]) -> dict[str, Any]:
    """The record of the dose row's form: a held dose keeps only its reason (and adverse event), the time shown
    for the dose given being left out; an empty amount is the planned dose."""
    status = typed["status"] if typed["status"] in ACTIONS else "given"
    kept = ("treatment", "cycle", "number", "reason", "adverse_event_id") if status == "held" else DOSE_FIELDS
    fields: dict[str, Any] = {name: typed[name] for name in kept if typed[name]}
    if "amount" not in fields:  # the unit input shows the planned dose's unit: without an amount it says nothing
        fields.pop("unit", None)
    if typed["allow_above_planned"] and status != "held":
        fields["allow_above_planned"] = typed["allow_above_planned"]
    return {"status": status, **fields}


@pages.post(CALENDAR + "/doses", summary="Record a dose of the calendar as given, held or delayed")
async def record_dose_page(
    request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str
) -> Response:
    with store.read() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
    typed = await _typed(request, DOSE_FIELDS)
    try:
        with store.write() as session:
            record_administration(session, auth.actor, trial, subject_id, **_administration(typed))
    except REFUSED as exc:
        failed = f"dose-{typed['treatment']}-{typed['cycle']}-{typed['number']}"
        errors = _refused(exc, typed, DOSE_FIELDS)
        return _page(request, store, auth, trial, subject_id, errors=errors, failed=failed, status=400)
    anchor = f"dose-{typed['treatment']}-{typed['cycle']}-{typed['number']}"
    return RedirectResponse(f"/trials/{trial}/patients/{subject_id}/calendar#{anchor}", status_code=303)


@pages.post(CALENDAR + "/cycles", summary="Delay a cycle: record the day it starts, with the reason")
async def delay_cycle_page(
    request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str
) -> Response:
    with store.read() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
    typed = await _typed(request, CYCLE_FIELDS)
    errors = FormErrors(typed=typed)
    day = parse_moment(typed["start"], field="start", errors=errors, date_only=True)
    cycle = parse_number(typed["cycle"], field="cycle", errors=errors)
    event = parse_number(typed["adverse_event_id"], field="adverse_event_id", errors=errors)
    if not errors and day is not None and cycle is not None:
        try:
            with store.write() as session:
                record_cycle_start(
                    session,
                    auth.actor,
                    trial,
                    subject_id,
                    cycle=int(cycle),
                    start=day.date(),
                    reason=typed["reason"],
                    adverse_event_id=None if event is None else int(event),
                )
        except REFUSED as exc:
            errors = _refused(exc, typed, CYCLE_FIELDS)
    if errors:
        failed = f"cycle-{typed['cycle']}"
        return _page(request, store, auth, trial, subject_id, errors=errors, failed=failed, status=400)
    return RedirectResponse(f"/trials/{trial}/patients/{subject_id}/calendar#cycle-{typed['cycle']}", status_code=303)


# --- the JSON twins -----------------------------------------------------------------------------------------


class TreatmentStartCreate(BaseModel):
    """Cycle 1 day 1 (date and time of the first dose), and the weight (and height, for doses per m²) the doses
    are computed from. ``start`` and ``weight_kg`` are required: the answer names the missing one."""

    start: dt.datetime | None = None
    weight_kg: float | None = None
    height_cm: float | None = None


class AdministrationCreate(BaseModel):
    """One dose of the calendar (``oncotrial dose record``): its treatment, cycle and number; ``status`` given,
    held or delayed; when it was given; the amount with its unit, or the percent of the planned dose, when not as
    planned; the reason (held, delayed, reduced); the adverse event that caused it; ``allow_above_planned`` for
    more than the planned dose given on purpose. The store names a missing or refused field."""

    treatment: str | None = Field(default=None, max_length=64)
    cycle: int | None = None
    number: int | None = None
    status: str | None = Field(default=None, max_length=16)
    given_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    amount: float | None = None
    unit: str | None = Field(default=None, max_length=32)
    percent: float | None = None
    reason: str | None = Field(default=None, max_length=500)
    adverse_event_id: int | None = None
    allow_above_planned: bool | None = None


class CycleStartCreate(BaseModel):
    """A cycle (2 or later) that starts on another day than planned: the day, the reason, and the adverse event
    that delayed it, if one did."""

    cycle: int | None = None
    start: dt.date | None = None
    reason: str | None = Field(default=None, max_length=500)
    adverse_event_id: int | None = None


@api.get(CALENDAR, summary="The patient's dosing calendar: cycles and doses, planned or as recorded")
def calendar(auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str) -> dict[str, Any]:
    with store.read() as session:
        return plain(dosing_calendar(session, auth.actor, trial, subject_id))  # type: ignore[no-any-return]


@api.post(PATIENT + "/treatment-start", status_code=201, summary="Record the treatment start of the patient")
def record_start(
    auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str, body: TreatmentStartCreate
) -> dict[str, Any]:
    with store.write() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
        require_fields({"start": body.start, "weight_kg": body.weight_kg}, subject_id)
        assert body.start is not None
        assert body.weight_kg is not None
        start = record_treatment_start(
            session, auth.actor, trial, subject_id, start=body.start, weight_kg=body.weight_kg, height_cm=body.height_cm
        )
        return {"subject_id": subject_id, "arm": start.arm, **body.model_dump(mode="json")}


@api.post(PATIENT + "/doses", status_code=201, summary="Record a dose given, held or delayed")
def record_dose(
    auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str, body: AdministrationCreate
) -> dict[str, Any]:
    with store.write() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
        record_id = record_administration(session, auth.actor, trial, subject_id, **body.model_dump(exclude_none=True))
    return {"id": record_id, "subject_id": subject_id, **body.model_dump(mode="json", exclude_none=True)}


@api.post(PATIENT + "/cycle-starts", status_code=201, summary="Delay a cycle: the day it starts, with the reason")
def delay_cycle(
    auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str, body: CycleStartCreate
) -> dict[str, Any]:
    with store.write() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
        require_fields({"cycle": body.cycle, "start": body.start}, subject_id)
        assert body.cycle is not None
        assert body.start is not None
        record_cycle_start(
            session,
            auth.actor,
            trial,
            subject_id,
            cycle=body.cycle,
            start=body.start,
            reason=body.reason or "",
            adverse_event_id=body.adverse_event_id,
        )
    return {"subject_id": subject_id, **body.model_dump(mode="json")}
