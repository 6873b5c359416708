"""Tumour assessments of a patient (RECIST 1.1): the baseline lesions form (target or non-target, site, method,
diameter), then a follow-up form that is a grid of the baseline lesions (a diameter or "not evaluable" for a
target; the status of a non-target) with rows for new lesions; and their JSON twins.

After a visit is saved the page shows its time-point response with the rule that gave it, as the store holds
them (``tumour_assessments``: the stored response, its RECIST 1.1 table row, the core's sums and % change):
nothing is computed here. A value the store refuses is shown at its input, with what was typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from oncotrial.errors import DataError
from oncotrial.store import Store
from oncotrial.store.services import (
    AssessmentSheet,
    check_entry_for,
    record_assessment,
    record_baseline_lesions,
    tumour_assessments,
)
from oncotrial.web.forms import FormErrors, parse_moment
from oncotrial.web.routes._common import StoreDep, can, plain, render, require_fields
from oncotrial.web.routes.patients import PATIENT
from oncotrial.web.security import Auth, CurrentAuth

__all__ = ["api", "pages"]

pages = APIRouter(tags=["pages: tumour assessments"])
api = APIRouter(tags=["tumour assessments"])

ASSESSMENTS = PATIENT + "/assessments"
BASELINE_ROWS = 6  # empty rows of the baseline form (RECIST 1.1: at most 5 targets, and non-targets)
NEW_ROWS = 2
LESION_FIELDS = ("code", "kind", "location", "method", "diameter")
NEW_FIELDS = ("code", "location", "method", "status")
# the store's names of a lesion's fields, as the forms name them
AS_TYPED = {"value": "diameter", "lesion": "code", "identified_on": "identified_on", "measured_on": "assessed_on"}


def _page(
    request: Request, store: Store, auth: Auth, trial: str, subject_id: str, errors: FormErrors, status: int = 200
) -> HTMLResponse:
    with store.read() as session:
        sheet = tumour_assessments(session, auth.actor, trial, subject_id)
    context = {
        "actor": auth.actor,
        "trial": trial,
        "sheet": sheet,
        "may_enter": can(auth.actor, "enter_data"),
        "errors": errors,
        "baseline_rows": range(BASELINE_ROWS),
        "new_rows": range(NEW_ROWS),
        "kinds": [("", "choose"), ("TARGET", "target"), ("NON-TARGET", "non-target")],
        "states": [
            ("PRESENT", "present"),
            ("ABSENT", "absent"),
            ("UNEQUIVOCAL", "unequivocal progression"),
            ("NE", "not evaluable"),
        ],
        "new_states": [("UNEQUIVOCAL", "unequivocal"), ("EQUIVOCAL", "equivocal")],
        "today": dt.date.today().isoformat(),
    }
    return render(request, "assessments.html", context, status=status)


@pages.get(ASSESSMENTS, response_class=HTMLResponse, summary="The patient's tumour assessments and entry forms")
def assessments_page(request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str) -> HTMLResponse:
    return _page(request, store, auth, trial, subject_id, FormErrors())


def _rows(typed: dict[str, str], prefix: str, count: int, names: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The filled-in rows of a grid (``prefix.i.name`` inputs), each with its index in the form."""
    rows = []
    for index in range(count):
        row = {name: typed.get(f"{prefix}.{index}.{name}", "") for name in names}
        if any(value for name, value in row.items() if name not in ("kind", "status", "method")):
            rows.append((index, {name: value for name, value in row.items() if value}))
    return rows


def _place(exc: DataError, errors: FormErrors, inputs: dict[str, str]) -> None:
    """The store's error at its input: a lesion's field in the lesion's row (``inputs``: lesion code -> the
    row's input prefix), a visit's field at its own input, else above the form."""
    field = AS_TYPED.get(str(exc.field or ""), str(exc.field or ""))
    prefix = inputs.get(str(exc.lesion or ""))
    if prefix is None and exc.rows and len(inputs) >= exc.rows[0]:
        prefix = list(inputs.values())[exc.rows[0] - 1]
    if prefix is not None and field in (*LESION_FIELDS, "status"):
        errors.add(f"{prefix}.{field}", str(exc))
    elif field in ("identified_on", "assessed_on", "visit"):
        errors.add(field, str(exc))
    else:
        errors.add("", str(exc))


@pages.post(ASSESSMENTS + "/baseline", summary="Record the baseline lesions of the patient")
async def record_baseline_page(
    request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str
) -> Response:
    with store.read() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
    typed = {key: str(value).strip() for key, value in (await request.form()).items() if isinstance(value, str)}
    errors = FormErrors(typed=typed)
    day = parse_moment(typed.get("identified_on", ""), field="identified_on", errors=errors, date_only=True)
    rows = _rows(typed, "lesions", BASELINE_ROWS, LESION_FIELDS)
    if not rows:
        errors.add("lesions.0.code", "enter the lesions found at baseline, one a row")
    if not errors and day is not None:
        try:
            with store.write() as session:
                record_baseline_lesions(
                    session, auth.actor, trial, subject_id, identified_on=day.date(), lesions=[r for _, r in rows]
                )
        except DataError as exc:
            _place(exc, errors, {r.get("code", ""): f"lesions.{i}" for i, r in rows})
    if errors:
        return _page(request, store, auth, trial, subject_id, errors, status=400)
    return RedirectResponse(f"/trials/{trial}/patients/{subject_id}/assessments#baseline", status_code=303)


def _measurements(typed: dict[str, str], sheet: AssessmentSheet) -> tuple[list[dict[str, str]], dict[str, str]]:
    """One measurement per baseline lesion of the grid (a diameter, or the status NE / the non-target's status),
    and the lesion code -> input prefix of each row."""
    measurements, inputs = [], {}
    for index, lesion in enumerate(sheet.lesions):
        prefix = f"m.{index}"
        inputs[lesion.code] = prefix
        if lesion.kind == "TARGET" and not typed.get(f"{prefix}.not_evaluable"):
            measurements.append({"lesion": lesion.code, "diameter": typed.get(f"{prefix}.diameter", "")})
        else:
            measurements.append({"lesion": lesion.code, "status": typed.get(f"{prefix}.status") or "NE"})
    return measurements, inputs


@pages.post(ASSESSMENTS, summary="Record a follow-up assessment of the patient; its response is shown")
async def record_assessment_page(
    request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str
) -> Response:
    with store.read() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
        sheet = tumour_assessments(session, auth.actor, trial, subject_id)
    typed = {key: str(value).strip() for key, value in (await request.form()).items() if isinstance(value, str)}
    errors = FormErrors(typed=typed)
    day = parse_moment(typed.get("assessed_on", ""), field="assessed_on", errors=errors, date_only=True)
    if not typed.get("visit"):
        errors.add("visit", "give the visit's name (e.g. WEEK 6)")
    measurements, inputs = _measurements(typed, sheet)
    new = _rows(typed, "new", NEW_ROWS, NEW_FIELDS)
    inputs |= {r.get("code", ""): f"new.{i}" for i, r in new}
    if not errors and day is not None:
        try:
            with store.write() as session:
                record_assessment(
                    session,
                    auth.actor,
                    trial,
                    subject_id,
                    visit=typed["visit"],
                    assessed_on=day.date(),
                    measurements=measurements,
                    new_lesions=[r for _, r in new],
                )
        except DataError as exc:
            _place(exc, errors, inputs)
    if errors:
        return _page(request, store, auth, trial, subject_id, errors, status=400)
    return RedirectResponse(f"/trials/{trial}/patients/{subject_id}/assessments#responses", status_code=303)


# --- the JSON twins -----------------------------------------------------------------------------------------


class LesionIn(BaseModel):
    """A lesion: its code (T01, NT01, NEW01), kind (TARGET or NON-TARGET at baseline), site, method, and its
    diameter in mm (a target) or status (PRESENT, ABSENT, UNEQUIVOCAL, EQUIVOCAL, NE)."""

    code: str | None = Field(default=None, max_length=64)
    kind: str | None = Field(default=None, max_length=16)
    location: str | None = Field(default=None, max_length=200)
    method: str | None = Field(default=None, max_length=64)
    diameter: float | None = None
    status: str | None = Field(default=None, max_length=32)


class MeasurementIn(BaseModel):
    """A baseline lesion at a follow-up visit: its code, and its diameter in mm or its status (NE: not
    evaluable)."""

    lesion: str | None = Field(default=None, max_length=64)
    diameter: float | None = None
    status: str | None = Field(default=None, max_length=32)


class BaselineCreate(BaseModel):
    """The baseline: the day of the scans and the lesions found."""

    identified_on: dt.date | None = None
    lesions: list[LesionIn] = Field(default_factory=list, max_length=50)


class AssessmentCreate(BaseModel):
    """A follow-up visit: its name, the day of the scans, each baseline lesion's result, and new lesions."""

    visit: str | None = Field(default=None, max_length=64)
    assessed_on: dt.date | None = None
    measurements: list[MeasurementIn] = Field(default_factory=list, max_length=50)
    new_lesions: list[LesionIn] = Field(default_factory=list, max_length=50)


def _given(items: list[LesionIn] | list[MeasurementIn]) -> list[dict[str, Any]]:
    return [item.model_dump(exclude_none=True) for item in items]


@api.get(ASSESSMENTS, summary="The patient's baseline lesions and follow-up visits, each with its response")
def assessments(auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str) -> dict[str, Any]:
    with store.read() as session:
        return plain(tumour_assessments(session, auth.actor, trial, subject_id))  # type: ignore[no-any-return]


@api.post(PATIENT + "/baseline-lesions", status_code=201, summary="Record the baseline lesions of the patient")
def record_baseline(
    auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str, body: BaselineCreate
) -> dict[str, Any]:
    with store.write() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
        require_fields({"identified_on": body.identified_on}, subject_id)
        assert body.identified_on is not None
        record_baseline_lesions(
            session, auth.actor, trial, subject_id, identified_on=body.identified_on, lesions=_given(body.lesions)
        )
        sheet = tumour_assessments(session, auth.actor, trial, subject_id)
    return plain(sheet)  # type: ignore[no-any-return]


@api.post(ASSESSMENTS, status_code=201, summary="Record a follow-up assessment; answers its time-point response")
def record_visit(
    auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str, body: AssessmentCreate
) -> dict[str, Any]:
    with store.write() as session:
        check_entry_for(session, auth.actor, trial, subject_id)
        require_fields({"visit": body.visit, "assessed_on": body.assessed_on}, subject_id)
        assert body.visit is not None
        assert body.assessed_on is not None
        record_assessment(
            session,
            auth.actor,
            trial,
            subject_id,
            visit=body.visit,
            assessed_on=body.assessed_on,
            measurements=_given(body.measurements),
            new_lesions=_given(body.new_lesions),
        )
        sheet = tumour_assessments(session, auth.actor, trial, subject_id)
    visit = next((v for v in sheet.visits if v.visit == body.visit), None)  # None: no response (e.g. new lesions)
    return {"subject_id": subject_id, "visit": body.visit, **(plain(visit) if visit is not None else {})}
