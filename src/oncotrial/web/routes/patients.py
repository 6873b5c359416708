"""The patient list (with search), a patient's page (timeline), the screening form, and randomisation."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from oncotrial.errors import DataError
from oncotrial.store import Store
from oncotrial.store.services import (
    list_patients,
    patient_timeline,
    randomise,
    record_screening,
    screening_form,
    sign_offs,
)
from oncotrial.web.forms import FormErrors, parse_moment, read_screening_form
from oncotrial.web.routes._common import StoreDep, can, plain, render
from oncotrial.web.security import Auth, CurrentAuth

__all__ = ["PATIENT", "api", "pages", "patient_context"]

pages = APIRouter(tags=["pages: patients"])
api = APIRouter(tags=["patients"])

PATIENT = "/trials/{trial}/patients/{subject_id}"
SearchQuery = Annotated[str | None, Query(max_length=64, description="Part of the subject id")]


@pages.get("/trials/{trial}/patients", response_class=HTMLResponse, summary="The patients you may see")
def patients_page(
    request: Request, auth: CurrentAuth, store: StoreDep, trial: str, search: SearchQuery = None
) -> HTMLResponse:
    with store.read() as session:
        rows = list_patients(session, auth.actor, trial, search=search)
    # htmx asks for the table's rows only as the user types; without JavaScript the form reloads the page
    template = "patients_rows.html" if request.headers.get("hx-request") else "patients.html"
    return render(request, template, {"actor": auth.actor, "trial": trial, "patients": rows, "search": search or ""})


def patient_context(store: Store, auth: Auth, trial: str, subject_id: str) -> dict[str, Any]:
    """What the patient's page shows (its timeline, sign-offs, and the actions the user may take)."""
    with store.read() as session:
        timeline = patient_timeline(session, auth.actor, trial, subject_id)
        signatures = sign_offs(session, auth.actor, trial, subject_id)
    return {
        "actor": auth.actor,
        "trial": trial,
        "p": timeline,
        "may_randomise": can(auth.actor, "randomise") and timeline.arm is None,
        "may_enter": can(auth.actor, "enter_data"),
        "may_raise_query": can(auth.actor, "raise_query"),
        "sign_offs": signatures,
        "may_sign": can(auth.actor, "sign_off"),
        "sign_off_error": None,
        "today": dt.date.today().isoformat(),
        "error": None,
    }


@pages.get(PATIENT, response_class=HTMLResponse, summary="A patient's page: screening, arm and timeline")
def patient_page(request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str) -> HTMLResponse:
    return render(request, "patient.html", patient_context(store, auth, trial, subject_id))


def _screening_page(
    request: Request, store: Store, auth: Auth, trial: str, subject_id: str, errors: FormErrors, status: int = 200
) -> HTMLResponse:
    with store.read() as session:
        form = screening_form(session, auth.actor, trial, subject_id)
    names = [".".join(str(part) for part in path) for path, _, _ in form.fields]
    # a field that holds others (lesions, above lesions.0.site) is a list: chosen "none" or filled in below
    lists = {name for name in names if any(other.startswith(name + ".") for other in names)}
    context = {"actor": auth.actor, "trial": trial, "form": form, "errors": errors, "lists": lists}
    return render(request, "screening.html", context, status=status)


@pages.get(PATIENT + "/screening", response_class=HTMLResponse, summary="The screening form")
def screening_page(request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str) -> HTMLResponse:
    return _screening_page(request, store, auth, trial, subject_id, FormErrors())


@pages.post(PATIENT + "/screening", summary="Screen the patient: the result criterion by criterion")
async def screen_page(request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str) -> Response:
    form = await request.form()
    typed = {key: value for key, value in form.items() if isinstance(value, str)}
    record, errors = read_screening_form(subject_id, typed)
    screened_at = parse_moment(typed.get("screened_at", ""), field="screened_at", errors=errors)
    if not errors and screened_at is not None:
        try:
            with store.write() as session:
                record_screening(session, auth.actor, trial, subject_id, record, screened_at=screened_at)
        except DataError as exc:
            errors.add(exc.fields.get("field") or "record", str(exc))
    if errors:
        errors.typed = typed
        return _screening_page(request, store, auth, trial, subject_id, errors, status=400)
    return RedirectResponse(f"/trials/{trial}/patients/{subject_id}#screening", status_code=303)


@pages.post(PATIENT + "/randomise", summary="Randomise the patient (an investigator)")
async def randomise_page(request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str) -> Response:
    form = await request.form()
    typed = str(form.get("randomised_on") or "")
    errors = FormErrors()
    day = parse_moment(typed, field="randomised_on", errors=errors, date_only=True)
    if day is not None:
        try:
            with store.write() as session:
                randomise(session, auth.actor, trial, subject_id, randomised_on=day.date())
        except DataError as exc:
            errors.add("randomised_on", str(exc))
    if errors:
        context = patient_context(store, auth, trial, subject_id)
        return render(request, "patient.html", {**context, "error": errors.first(), "today": typed}, status=400)
    return RedirectResponse(f"/trials/{trial}/patients/{subject_id}#arm", status_code=303)


class ScreeningCreate(BaseModel):
    """A screening: the patient record (``oncotrial screen --template``'s fields) and when it was done."""

    record: dict[str, Any]
    screened_at: dt.datetime


class RandomisationCreate(BaseModel):
    """The day of randomisation."""

    randomised_on: dt.date


@api.get("/trials/{trial}/patients", summary="The patients you may see, by subject id")
def patients(auth: CurrentAuth, store: StoreDep, trial: str, search: SearchQuery = None) -> list[dict[str, Any]]:
    with store.read() as session:
        return [plain(row) for row in list_patients(session, auth.actor, trial, search=search)]


@api.get(PATIENT, summary="A patient: latest screening criterion by criterion, arm, timeline")
def patient(auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str) -> dict[str, Any]:
    with store.read() as session:
        return plain(patient_timeline(session, auth.actor, trial, subject_id))  # type: ignore[no-any-return]


@api.get(PATIENT + "/screening-form", summary="The fields of the patient's screening record")
def patient_screening_form(auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str) -> dict[str, Any]:
    with store.read() as session:
        form = screening_form(session, auth.actor, trial, subject_id)
    return {
        "subject_id": form.subject_id,
        "fields": [
            {"path": list(path), "value": plain(value), "comment": comment} for path, value, comment in form.fields
        ],
    }


@api.post(PATIENT + "/screenings", status_code=201, summary="Screen the patient")
def screen(auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str, body: ScreeningCreate) -> dict[str, Any]:
    with store.write() as session:
        record_screening(session, auth.actor, trial, subject_id, body.record, screened_at=body.screened_at)
    with store.read() as session:
        return plain(patient_timeline(session, auth.actor, trial, subject_id).screening)  # type: ignore[no-any-return]


@api.post(PATIENT + "/randomisation", status_code=201, summary="Randomise the patient (an investigator)")
def randomise_patient(
    auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str, body: RandomisationCreate
) -> dict[str, Any]:
    with store.write() as session:
        assignment = randomise(session, auth.actor, trial, subject_id, randomised_on=body.randomised_on)
        return {"subject_id": subject_id, "arm": assignment.arm, "randomised_on": body.randomised_on.isoformat()}
