"""Errors as the user sees them: HTTP statuses exist only here, mapped from the :class:`TrialError` tree.

Under ``/api`` the answer is JSON, ``{"error": {"code", "message", "field", "subject_id"}}``; a page gets the
error page with the message. An unexpected error is logged with a reference and answered with that reference
only: no traceback and nothing internal reaches the user.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from oncotrial.errors import AccessError, ConflictError, NotFoundError, StoreError, TrialError
from oncotrial.web.security import NotLoggedIn, current_auth

__all__ = ["error_body", "install_error_handlers", "status_of"]

LOG = logging.getLogger("oncotrial.web")


def status_of(error: TrialError) -> int:
    """403 refused, 404 not found, 409 conflict, 503 the database failed, 400 bad input."""
    for kind, status in ((AccessError, 403), (NotFoundError, 404), (ConflictError, 409)):
        if isinstance(error, kind):
            return status
    return 503 if type(error) is StoreError else 400


def error_body(code: str, message: str, field: str | None = None, subject_id: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field, "subject_id": subject_id}}


def _is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith(("/api/", "/openapi.json"))


def _answer(request: Request, status: int, body: dict[str, Any]) -> Response:
    if _is_api(request):
        return JSONResponse(body, status_code=status)
    page: Response = request.app.state.templates.TemplateResponse(
        request, "error.html", {"status": status, "error": body["error"]}, status_code=status
    )
    return page


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    async def trial_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, TrialError)
        status = status_of(exc)
        message = str(exc)
        if status == 503:  # the database's own words may name tables: logged, not shown
            reference = secrets.token_hex(4)
            LOG.error("database error %s on %s %s: %s", reference, request.method, request.url.path, exc)
            message = f"the database could not complete the request; try again (reference {reference})"
        fields = exc.fields
        return _answer(
            request, status, error_body(exc.code or "ERROR", message, fields.get("field"), fields.get("subject_id"))
        )

    async def not_logged_in(request: Request, exc: Exception) -> Response:
        if _is_api(request):
            response = JSONResponse(
                error_body("WEB-E002", "log in, or send a personal access token: Authorization: Bearer TOKEN"),
                status_code=401,
            )
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={target}" if request.method == "GET" else "/login", status_code=303)

    async def invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        place = ".".join(str(part) for part in first.get("loc", ())[1:]) or None
        message = f"{place}: {first.get('msg', 'invalid')}" if place else str(first.get("msg", "invalid request"))
        return _answer(request, 400, error_body("WEB-E003", message, place))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if _is_api(request):  # nothing under /api answers without authentication, not even "no such route"
            try:
                await current_auth(request)
            except (NotLoggedIn, TrialError):
                return await not_logged_in(request, NotLoggedIn())
        message = "no such page" if exc.status_code == 404 else str(exc.detail)
        return _answer(request, exc.status_code, error_body(f"HTTP-{exc.status_code}", message))

    async def unexpected(request: Request, exc: Exception) -> Response:
        reference = secrets.token_hex(4)
        LOG.exception("unexpected error %s on %s %s", reference, request.method, request.url.path, exc_info=exc)
        message = f"something went wrong on our side; it was logged (reference {reference}), tell your trial unit"
        return _answer(request, 500, error_body("WEB-E500", message))

    app.add_exception_handler(TrialError, trial_error)
    app.add_exception_handler(NotLoggedIn, not_logged_in)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
