"""Sign-offs: on the patient's page an investigator signs off the eligibility of the latest screening and each
visit's tumour assessment (the store decides who may: ``services.sign_off``); and the JSON twins."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from oncotrial.errors import DataError, NotFoundError
from oncotrial.store.services import sign_off, sign_offs
from oncotrial.web.routes._common import StoreDep, plain, render
from oncotrial.web.routes.patients import PATIENT, patient_context
from oncotrial.web.security import CurrentAuth

__all__ = ["api", "pages"]

pages = APIRouter(tags=["pages: sign-offs"])
api = APIRouter(tags=["sign-offs"])


def _number(text: str) -> int:
    return int(text) if text.isdigit() else 0  # 0: no such record, said by the store


@pages.post(PATIENT + "/sign-offs", summary="Sign off a screening's eligibility or a visit's assessment")
async def sign_off_page(request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str) -> Response:
    form = await request.form()
    table, record, version = (str(form.get(name) or "") for name in ("record_table", "record_id", "version"))
    try:
        with store.write() as session:
            sign_off(
                session, auth.actor, trial, subject_id, record_table=table, record_id=_number(record),
                expected_version=_number(version) or None,
            )  # fmt: skip
    except (DataError, NotFoundError) as exc:  # the patient is the user's (else 403/404 above): the record is not
        context = patient_context(store, auth, trial, subject_id)
        return render(request, "patient.html", {**context, "sign_off_error": str(exc)}, status=400)
    return RedirectResponse(f"/trials/{trial}/patients/{subject_id}#sign-offs", status_code=303)


class SignOffCreate(BaseModel):
    """The record signed off (``screening`` or ``assessment``, its id) and the version you read of it."""

    record_table: str | None = Field(default=None, max_length=32)
    record_id: int | None = None
    version: int | None = None


@api.get(PATIENT + "/sign-offs", summary="The patient's records that take a sign-off, and their state")
def patient_sign_offs(auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str) -> list[dict[str, Any]]:
    with store.read() as session:
        return [plain(item) for item in sign_offs(session, auth.actor, trial, subject_id)]


@api.post(PATIENT + "/sign-offs", status_code=201, summary="Sign off a screening's eligibility or an assessment")
def sign_off_api(
    auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str, body: SignOffCreate
) -> dict[str, Any]:
    with store.write() as session:
        made = sign_off(
            session, auth.actor, trial, subject_id, record_table=body.record_table or "",
            record_id=body.record_id or 0, expected_version=body.version,
        )  # fmt: skip
    return {"id": made, "subject_id": subject_id, **body.model_dump()}
