"""Enrolment of a new patient at the user's site, and the patient's signed consent: the forms and their JSON
twins. The checks are the store's (``enrol_patient``, ``record_consent``): a field it refuses is shown in place,
with what was typed. A user who may not enter data is refused before any field is read (``check_enrolment_for``,
``check_entry_for``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from oncotrial.errors import DataError
from oncotrial.store.services import (
    check_enrolment_for,
    check_entry_for,
    enrol_patient,
    patient_timeline,
    record_consent,
)
from oncotrial.web.forms import FormErrors, parse_moment
from oncotrial.web.routes._common import StoreDep, plain
from oncotrial.web.routes._entry import EntryForm, Input, parse_number, render_entry, typed_in
from oncotrial.web.routes.patients import PATIENT
from oncotrial.web.security import Auth, CurrentAuth

__all__ = ["CONSENT", "ENROLMENT", "api", "pages"]

pages = APIRouter(tags=["pages: enrolment and consent"])
api = APIRouter(tags=["enrolment and consent"])

ENROLMENT = EntryForm(
    (
        Input("enrolled_on", "Date of enrolment", "YYYY-MM-DD", required=True),
        Input("subject_id", "Subject id", "empty: the next of your site, e.g. 01-0007"),
        Input("sex", "Sex", options=(("", "not known"), ("F", "female"), ("M", "male"), ("U", "unknown"))),
        Input("age", "Age at enrolment, in years"),
        Input("race", "Race", "as SDTM DM records it, e.g. WHITE"),
        Input("ethnicity", "Ethnicity", "as SDTM DM records it, e.g. NOT HISPANIC OR LATINO"),
        Input("country", "Country", "ISO 3166 code, e.g. GBR"),
        Input("name", "Name", "kept apart from the clinical data; never exported"),
        Input("birth_date", "Date of birth", "YYYY-MM-DD; kept apart; never exported"),
    ),
    "Enrol the patient",
)
CONSENT = EntryForm(
    (
        Input("form_version", "Version of the consent form signed", "e.g. 2.0", required=True),
        Input("consent_date", "Date the form was signed", "YYYY-MM-DD; not in the future", required=True),
    ),
    "Record the consent",
)
TEXTS = ("subject_id", "sex", "race", "ethnicity", "country", "name")


def _enrolment_form(request: Request, auth: Auth, trial: str, errors: FormErrors, status: int = 200) -> HTMLResponse:
    return render_entry(
        request,
        auth.actor,
        ENROLMENT,
        errors,
        heading=f"Enrol a patient in {trial}",
        action=f"/trials/{trial}/enrol",
        back=(f"/trials/{trial}/patients", f"All patients of {trial}"),
        status=status,
        intro="The patient is enrolled at your site, under the trial's current protocol version.",
    )


@pages.get("/trials/{trial}/enrol", response_class=HTMLResponse, summary="The enrolment form")
def enrolment_page(request: Request, auth: CurrentAuth, store: StoreDep, trial: str) -> HTMLResponse:
    with store.read() as session:
        check_enrolment_for(session, auth.actor, trial)
    return _enrolment_form(request, auth, trial, FormErrors(typed={"enrolled_on": dt.date.today().isoformat()}))


def _enrolment_fields(typed: dict[str, str], errors: FormErrors) -> dict[str, Any]:
    """The arguments of ``enrol_patient`` from the typed text (empty inputs left out); problems into ``errors``."""
    fields: dict[str, Any] = {name: typed[name] for name in TEXTS if typed[name]}
    enrolled = parse_moment(typed["enrolled_on"], field="enrolled_on", errors=errors, date_only=True)
    fields["enrolled_on"] = enrolled.date() if enrolled else None
    if typed["birth_date"]:
        born = parse_moment(typed["birth_date"], field="birth_date", errors=errors, date_only=True)
        fields["birth_date"] = born.date() if born else None
    fields["age"] = parse_number(typed["age"], field="age", errors=errors)
    return fields


@pages.post("/trials/{trial}/enrol", summary="Enrol a patient at your site")
async def enrol_page(request: Request, auth: CurrentAuth, store: StoreDep, trial: str) -> Response:
    with store.read() as session:
        check_enrolment_for(session, auth.actor, trial)
    typed = typed_in(await request.form(), ENROLMENT)
    errors = FormErrors(typed=typed)
    fields = _enrolment_fields(typed, errors)
    subject_id = ""
    if not errors:
        try:
            with store.write() as session:
                subject_id = enrol_patient(session, auth.actor, trial, **fields).subject_id
        except DataError as exc:
            ENROLMENT.refused(exc, typed, errors)
    if errors:
        return _enrolment_form(request, auth, trial, errors, status=400)
    return RedirectResponse(f"/trials/{trial}/patients/{subject_id}", status_code=303)


def _consent_form(
    request: Request, auth: Auth, trial: str, subject_id: str, errors: FormErrors, status: int = 200
) -> HTMLResponse:
    return render_entry(
        request,
        auth.actor,
        CONSENT,
        errors,
        heading=f"Consent of patient {subject_id}",
        action=f"/trials/{trial}/patients/{subject_id}/consents",
        back=(f"/trials/{trial}/patients/{subject_id}", f"Patient {subject_id}"),
        status=status,
    )


@pages.get(PATIENT + "/consent/new", response_class=HTMLResponse, summary="The consent form")
def consent_page(request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str) -> HTMLResponse:
    with store.read() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
    typed = {"consent_date": dt.date.today().isoformat()}
    return _consent_form(request, auth, trial, subject_id, FormErrors(typed=typed))


@pages.post(PATIENT + "/consents", summary="Record the patient's signed consent")
async def record_consent_page(
    request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str
) -> Response:
    with store.read() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
    typed = typed_in(await request.form(), CONSENT)
    errors = FormErrors(typed=typed)
    signed = parse_moment(typed["consent_date"], field="consent_date", errors=errors, date_only=True)
    if signed is not None:
        try:
            with store.write() as session:
                record_consent(
                    session,
                    auth.actor,
                    trial,
                    subject_id,
                    form_version=typed["form_version"],
                    consent_date=signed.date(),
                )
        except DataError as exc:
            CONSENT.refused(exc, typed, errors)
    if errors:
        return _consent_form(request, auth, trial, subject_id, errors, status=400)
    return RedirectResponse(f"/trials/{trial}/patients/{subject_id}#timeline", status_code=303)


class PatientCreate(BaseModel):
    """A new patient at your site: the day of enrolment (default today), the subject id (default the next of the
    site), demographics as SDTM DM records them, and the identifying name and date of birth (kept apart)."""

    enrolled_on: dt.date | None = None
    subject_id: str | None = None
    sex: str | None = None
    age: float | None = None
    race: str | None = None
    ethnicity: str | None = None
    country: str | None = None
    name: str | None = None
    birth_date: dt.date | None = None


class ConsentCreate(BaseModel):
    """A signed consent: the version of the form and the day it was signed (both required: the store says so,
    naming the field, once the user may enter data for the patient)."""

    form_version: str | None = Field(default=None)
    consent_date: dt.date | None = None


@api.post("/trials/{trial}/patients", status_code=201, summary="Enrol a patient at your site")
def enrol(auth: CurrentAuth, store: StoreDep, trial: str, body: PatientCreate) -> dict[str, Any]:
    fields = body.model_dump(exclude_none=True)
    fields["enrolled_on"] = body.enrolled_on or dt.date.today()
    with store.write() as session:
        check_enrolment_for(session, auth.actor, trial)
        subject_id = enrol_patient(session, auth.actor, trial, **fields).subject_id
    with store.read() as session:
        return plain(patient_timeline(session, auth.actor, trial, subject_id))  # type: ignore[no-any-return]


@api.post(PATIENT + "/consents", status_code=201, summary="Record the patient's signed consent")
def consent(auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str, body: ConsentCreate) -> dict[str, Any]:
    with store.write() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
        record = record_consent(
            session, auth.actor, trial, subject_id, form_version=body.form_version, consent_date=body.consent_date
        )
        consent_id = record.id
    return {"id": consent_id, "subject_id": subject_id, **body.model_dump(mode="json")}
