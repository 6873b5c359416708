"""Data queries: the trial's queries (a site role: its site's), the form a monitor or statistician raises one
on a patient with, and the answer (site), close and reopen (monitor) buttons; each with its JSON twin. The
rules (who may, which status) are the store's (``services.queries``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from oncotrial.errors import ConflictError, DataError, NotFoundError
from oncotrial.store.services import (
    answer_query,
    check_raise_for,
    close_query,
    list_queries,
    raise_query,
    reopen_query,
)
from oncotrial.web.forms import FormErrors, typed_text
from oncotrial.web.routes._common import StoreDep, can, plain, render
from oncotrial.web.routes.patients import PATIENT
from oncotrial.web.security import Auth, CurrentAuth

__all__ = ["api", "pages"]

pages = APIRouter(tags=["pages: data queries"])
api = APIRouter(tags=["data queries"])

QUERIES = "/trials/{trial}/queries"
QUERY = QUERIES + "/{query_id}"
FIELDS = ("text", "record_table", "record_id", "field")
StatusQuery = Annotated[str | None, Query(max_length=16, description="open, answered or closed")]
SubjectQuery = Annotated[str | None, Query(max_length=64, description="One patient's queries")]


def _list_page(
    request: Request,
    auth: Auth,
    store: StoreDep,
    trial: str,
    status: str | None,
    subject_id: str | None,
    errors: FormErrors | None = None,
    code: int = 200,
) -> HTMLResponse:
    with store.read() as session:
        rows = list_queries(session, auth.actor, trial, status=status or None, subject_id=subject_id or None)
    context = {
        "actor": auth.actor,
        "trial": trial,
        "queries": rows,
        "status": status or "",
        "subject_id": subject_id or "",
        "may_answer": can(auth.actor, "enter_data"),
        "may_settle": can(auth.actor, "raise_query"),
        "errors": errors or FormErrors(),
    }
    return render(request, "queries.html", context, status=code)


@pages.get(QUERIES, response_class=HTMLResponse, summary="The data queries you may see")
def queries_page(
    request: Request,
    auth: CurrentAuth,
    store: StoreDep,
    trial: str,
    status: StatusQuery = None,
    subject_id: SubjectQuery = None,
) -> HTMLResponse:
    return _list_page(request, auth, store, trial, status, subject_id)


def _raise_form(
    request: Request, auth: Auth, trial: str, subject_id: str, errors: FormErrors, code: int = 200
) -> HTMLResponse:
    context = {"actor": auth.actor, "trial": trial, "subject_id": subject_id, "errors": errors}
    return render(request, "query_new.html", context, status=code)


def _check_raise(store: StoreDep, auth: Auth, trial: str, subject_id: str) -> None:
    """Refuse a user who may not raise a query on this patient before any field is read."""
    with store.read() as session:
        check_raise_for(session, auth.actor, trial, subject_id)


@pages.get(PATIENT + "/queries/new", response_class=HTMLResponse, summary="The form to raise a data query")
def raise_query_page(request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str) -> HTMLResponse:
    _check_raise(store, auth, trial, subject_id)
    return _raise_form(request, auth, trial, subject_id, FormErrors())


@pages.post(PATIENT + "/queries", summary="Raise a data query on the patient (monitor, statistician)")
async def raise_query_form(
    request: Request, auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str
) -> Response:
    _check_raise(store, auth, trial, subject_id)
    form = await request.form()
    typed = typed_text(form, FIELDS)
    errors = FormErrors(typed=typed)
    fields: dict[str, Any] = {name: value for name, value in typed.items() if value}
    if "record_id" in fields:
        if not fields["record_id"].isdigit():
            errors.add("record_id", "the record id is a whole number (the id the audit history shows)")
        else:
            fields["record_id"] = int(fields["record_id"])
    if not errors:
        try:
            with store.write() as session:
                raise_query(session, auth.actor, trial, subject_id, **{"text": "", **fields})
        except (DataError, NotFoundError) as exc:  # the patient is known (checked above): a record is not
            errors.refused(exc, FIELDS)
    if errors:
        return _raise_form(request, auth, trial, subject_id, errors, code=400)
    return RedirectResponse(f"/trials/{trial}/queries?subject_id={subject_id}", status_code=303)


async def _act(request: Request, auth: Auth, store: StoreDep, trial: str, query_id: int, action: str) -> Response:
    """An answer, close or reopen sent from the list; an error is shown above the list, with what was typed."""
    form = await request.form()
    text = str(form.get("text") or "")
    version = str(form.get("version") or "")
    expected = int(version) if version.isdigit() else None
    try:
        with store.write() as session:
            if action == "answer":
                answer_query(session, auth.actor, trial, query_id, answer=text, expected_version=expected)
            elif action == "close":
                close_query(session, auth.actor, trial, query_id, expected_version=expected)
            else:
                reopen_query(session, auth.actor, trial, query_id, reason=text, expected_version=expected)
    except (DataError, ConflictError) as exc:  # a conflict too: the text typed is shown again, not lost
        errors = FormErrors(typed={f"text-{query_id}": text})
        errors.add(f"text-{query_id}", str(exc))
        code = 409 if isinstance(exc, ConflictError) else 400
        return _list_page(request, auth, store, trial, None, None, errors, code=code)
    return RedirectResponse(f"/trials/{trial}/queries#query-{query_id}", status_code=303)


@pages.post(QUERY + "/answer", summary="Answer a data query (site)")
async def answer_query_form(
    request: Request, auth: CurrentAuth, store: StoreDep, trial: str, query_id: int
) -> Response:
    return await _act(request, auth, store, trial, query_id, "answer")


@pages.post(QUERY + "/close", summary="Close a data query (monitor, statistician)")
async def close_query_form(request: Request, auth: CurrentAuth, store: StoreDep, trial: str, query_id: int) -> Response:
    return await _act(request, auth, store, trial, query_id, "close")


@pages.post(QUERY + "/reopen", summary="Reopen a data query, with the reason (monitor, statistician)")
async def reopen_query_form(
    request: Request, auth: CurrentAuth, store: StoreDep, trial: str, query_id: int
) -> Response:
    return await _act(request, auth, store, trial, query_id, "reopen")


class QueryCreate(BaseModel):
    """A question on the patient's data; on one record (its table and id) and one of its fields when given.
    ``text`` is required: the store says so, naming the field, once the user may raise queries on the patient."""

    text: str | None = Field(default=None, max_length=4000)
    record_table: str | None = Field(default=None, max_length=64)
    record_id: int | None = None
    field: str | None = Field(default=None, max_length=64)


class QueryText(BaseModel):
    """The answer (answer) or the reason (reopen); ``version``: the version you read, to catch a second writer."""

    text: str = Field(default="", max_length=4000)
    version: int | None = None


@api.get(QUERIES, summary="The data queries you may see, newest first")
def queries(
    auth: CurrentAuth, store: StoreDep, trial: str, status: StatusQuery = None, subject_id: SubjectQuery = None
) -> list[dict[str, Any]]:
    with store.read() as session:
        return [plain(row) for row in list_queries(session, auth.actor, trial, status=status, subject_id=subject_id)]


@api.post(PATIENT + "/queries", status_code=201, summary="Raise a data query on the patient (monitor, statistician)")
def raise_query_api(
    auth: CurrentAuth, store: StoreDep, trial: str, subject_id: str, body: QueryCreate
) -> dict[str, Any]:
    with store.write() as session:
        check_raise_for(session, auth.actor, trial, subject_id)
        query_id = raise_query(
            session, auth.actor, trial, subject_id, **{"text": "", **body.model_dump(exclude_none=True)}
        )
    return {"id": query_id, "subject_id": subject_id, "status": "open", **body.model_dump()}


def _one(store: StoreDep, auth: Auth, trial: str, query_id: int) -> dict[str, Any]:
    with store.read() as session:
        rows = [row for row in list_queries(session, auth.actor, trial) if row.id == query_id]
    return plain(rows[0]) if rows else {"id": query_id}


@api.post(QUERY + "/answer", summary="Answer a data query (site)")
def answer_query_api(auth: CurrentAuth, store: StoreDep, trial: str, query_id: int, body: QueryText) -> dict[str, Any]:
    with store.write() as session:
        answer_query(session, auth.actor, trial, query_id, answer=body.text, expected_version=body.version)
    return _one(store, auth, trial, query_id)


@api.post(QUERY + "/close", summary="Close a data query (monitor, statistician)")
def close_query_api(auth: CurrentAuth, store: StoreDep, trial: str, query_id: int, body: QueryText) -> dict[str, Any]:
    with store.write() as session:
        close_query(session, auth.actor, trial, query_id, expected_version=body.version)
    return _one(store, auth, trial, query_id)


@api.post(QUERY + "/reopen", summary="Reopen a data query, with the reason (monitor, statistician)")
def reopen_query_api(auth: CurrentAuth, store: StoreDep, trial: str, query_id: int, body: QueryText) -> dict[str, Any]:
    with store.write() as session:
        reopen_query(session, auth.actor, trial, query_id, reason=body.text, expected_version=body.version)
    return _one(store, auth, trial, query_id)
