"""Log-in, log-out and personal access tokens (the user's own)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from oncotrial.errors import AccessError, DataError
from oncotrial.store.services import (
    check_password,
    create_token,
    end_session,
    list_tokens,
    open_session,
    revoke_token,
)
from oncotrial.web.routes._common import StoreDep, plain, render
from oncotrial.web.security import COOKIE, LOGIN_COOKIE, CurrentAuth, set_login_cookie, set_session_cookie

__all__ = ["api", "pages"]

pages = APIRouter(tags=["pages: log-in"])
api = APIRouter(tags=["log-in and tokens"])


def _safe_next(target: str | None) -> str:
    """Where to go after the log-in: a path of this site only (never another site's address)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login_form(request: Request, context: dict[str, Any], *, status: int = 200) -> HTMLResponse:
    """The log-in page with a fresh form token, set in its cookie too."""
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", {**context, "login_token": token}, status=status)
    set_login_cookie(response, request, token)
    return response


@pages.get("/login", response_class=HTMLResponse, summary="The log-in page")
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return _login_form(request, {"next": _safe_next(next), "username": "", "error": None})


@pages.post("/login", response_class=HTMLResponse, summary="Log in (a new session)")
def login(
    request: Request,
    store: StoreDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    login_token: Annotated[str, Form()] = "",
) -> Response:
    context: dict[str, Any] = {"next": _safe_next(next), "username": username}
    if not request.app.state.codec.login_matches(request.cookies.get(LOGIN_COOKIE, ""), login_token):
        error = "this log-in form is out of date or did not come from oncotrial; log in again on this page"
        return _login_form(request, {**context, "error": error}, status=400)
    try:
        with store.read() as session:  # argon2 takes its time here, holding no lock
            check = check_password(session, username, password, address=_address(request))
        with store.write() as session:
            attempt = open_session(session, check)
        _actor, session_id = attempt.check()
    except AccessError as exc:
        return _login_form(request, {**context, "error": str(exc)}, status=401)
    old = request.app.state.codec.loads(request.cookies.get(COOKIE, ""))
    if old is not None:  # the browser's previous session ends: one session per browser
        with store.write() as session:
            end_session(session, old, reason="replaced by a new log-in")
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, request, session_id)
    response.delete_cookie(LOGIN_COOKIE, path="/login", httponly=True, samesite="strict")
    return response


@pages.post("/logout", summary="Log out (the session ends)")
def logout(request: Request, auth: CurrentAuth, store: StoreDep) -> Response:
    if auth.session_id is not None:
        with store.write() as session:
            end_session(session, auth.session_id)
    request.state.session_id = None
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=request.app.state.settings.https)
    return response


@pages.get("/tokens", response_class=HTMLResponse, summary="Your personal access tokens")
def tokens_page(request: Request, auth: CurrentAuth, store: StoreDep) -> HTMLResponse:
    with store.read() as session:
        tokens = list_tokens(session, auth.actor)
    return render(request, "tokens.html", {"actor": auth.actor, "tokens": tokens, "new_token": None, "error": None})


@pages.post("/tokens", response_class=HTMLResponse, summary="Create a personal access token")
def create_token_page(
    request: Request, auth: CurrentAuth, store: StoreDep, name: Annotated[str, Form()] = ""
) -> HTMLResponse:
    new_token, error = None, None
    try:
        with store.write() as session:
            _info, new_token = create_token(session, auth.actor, name)
    except DataError as exc:  # shown at the field, with what was typed
        error = exc
    with store.read() as session:
        tokens = list_tokens(session, auth.actor)
    context = {"actor": auth.actor, "tokens": tokens, "new_token": new_token, "error": error, "name": name}
    return render(request, "tokens.html", context, status=400 if error else 200)


@pages.post("/tokens/{token_id}/revoke", summary="Revoke one of your tokens")
def revoke_token_page(auth: CurrentAuth, store: StoreDep, token_id: int) -> Response:
    with store.write() as session:
        revoke_token(session, auth.actor, token_id)
    return RedirectResponse("/tokens", status_code=303)


class TokenCreate(BaseModel):
    """A new token's name (what it is for)."""

    name: str = Field(min_length=1, max_length=100)


@api.get("/me", summary="Who you are")
def me(auth: CurrentAuth) -> dict[str, Any]:
    return {"username": auth.actor.username, "role": auth.actor.role}


@api.get("/tokens", summary="Your tokens (never the tokens themselves)")
def tokens(auth: CurrentAuth, store: StoreDep) -> list[dict[str, Any]]:
    with store.read() as session:
        return [plain(token) for token in list_tokens(session, auth.actor)]


@api.post("/tokens", status_code=201, summary="Create a token: the answer shows it once")
def create(auth: CurrentAuth, store: StoreDep, body: TokenCreate) -> dict[str, Any]:
    with store.write() as session:
        info, token = create_token(session, auth.actor, body.name)
    return {**plain(info), "token": token}


@api.delete("/tokens/{token_id}", summary="Revoke one of your tokens")
def revoke(auth: CurrentAuth, store: StoreDep, token_id: int) -> dict[str, Any]:
    with store.write() as session:
        return plain(revoke_token(session, auth.actor, token_id))  # type: ignore[no-any-return]
