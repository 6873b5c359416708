"""Who is asking: the session cookie, the bearer token, and the CSRF check.

- The session cookie holds the session's random id, signed with the secret key (itsdangerous) and stamped
  with the time it was issued; it is re-issued on each page, so a session ends after ``session_idle_minutes``
  without a request. The database says whether the session is still open (a log-out ends it for good).
  Flags: ``HttpOnly``, ``SameSite=Lax``, ``Secure`` when the app is served over https.
- The log-in form has no session yet: it carries a random token that is also set, signed, in a short-lived
  cookie of its own (``oncotrial_login``, HttpOnly, SameSite=Strict), and a log-in is refused unless the two
  agree, so that another site cannot post a log-in (and so log the browser in as its own user).
- The CSRF token of a session is HMAC-SHA256(secret key, session id): every form that changes data carries
  it, and every request other than GET/HEAD that is authenticated by the cookie must send it back (form field
  ``csrf_token`` or header ``X-CSRF-Token``). A request with a bearer token (the API) needs none: a browser
  never adds that header by itself.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from oncotrial.errors import AccessError
from oncotrial.store import Store
from oncotrial.store.audit import Actor
from oncotrial.store.services import actor_for_session, actor_for_token, note_token_use

__all__ = [
    "COOKIE",
    "CSRF_FIELD",
    "Auth",
    "CurrentAuth",
    "NotLoggedIn",
    "SessionCodec",
    "csrf_token",
    "current_auth",
    "set_login_cookie",
    "set_session_cookie",
]

COOKIE = "oncotrial_session"
LOGIN_COOKIE = "oncotrial_login"
LOGIN_FIELD = "login_token"
LOGIN_SECONDS = 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotLoggedIn(Exception):
    """No valid session or token: a page sends the user to the log-in page, the API answers 401."""


@dataclass(frozen=True)
class SessionCodec:
    """Signs and reads the session cookie; derives the CSRF token of a session."""

    secret_key: str
    idle_seconds: int

    def dumps(self, session_id: str) -> str:
        return URLSafeTimedSerializer(self.secret_key, salt="session").dumps(session_id)

    def loads(self, cookie: str) -> str | None:
        try:
            value = URLSafeTimedSerializer(self.secret_key, salt="session").loads(cookie, max_age=self.idle_seconds)
        except BadSignature:  # also SignatureExpired: idle too long
            return None
        return value if isinstance(value, str) else None

    def login_cookie(self, token: str) -> str:
        return URLSafeTimedSerializer(self.secret_key, salt="login").dumps(token)

    def login_matches(self, cookie: str, sent: str) -> bool:
        """Whether the log-in form's token ``sent`` is the one its cookie holds (signed, at most an hour old)."""
        try:
            value = URLSafeTimedSerializer(self.secret_key, salt="login").loads(cookie, max_age=LOGIN_SECONDS)
        except BadSignature:
            return False
        return isinstance(value, str) and bool(sent) and hmac.compare_digest(value, sent)

    def csrf(self, session_id: str) -> str:
        return hmac.new(self.secret_key.encode(), b"csrf:" + session_id.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Auth:
    """The acting user, and the session id when the request came with the cookie (None with a token)."""

    actor: Actor
    session_id: str | None


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _check_csrf(request: Request, codec: SessionCodec, session_id: str) -> None:
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, codec.csrf(session_id)):
        raise AccessError(
            "this form is out of date or did not come from oncotrial (its security token is missing or wrong); "
            "reload the page and send it again",
            code="WEB-E010",
            field=CSRF_FIELD,
        )


async def current_auth(request: Request) -> Auth:
    """The user of the request's bearer token or session cookie (with the CSRF check); else :class:`NotLoggedIn`."""
    store = _store(request)
    token = _bearer(request)
    if token is not None:
        with store.read() as session:
            owner = actor_for_token(session, token)
        if owner is None:
            raise NotLoggedIn("the token is unknown or revoked")
        if owner.use_due:
            with store.write() as session:
                note_token_use(session, token)
        return Auth(owner.actor, None)
    codec: SessionCodec = request.app.state.codec
    session_id = codec.loads(request.cookies.get(COOKIE, ""))
    if session_id is None:
        raise NotLoggedIn("no session")
    with store.read() as session:
        actor = actor_for_session(session, session_id)
    if actor is None:
        raise NotLoggedIn("the session has ended")
    await _check_csrf(request, codec, session_id)
    request.state.session_id = session_id  # the cookie is re-issued with the response (idle timeout)
    return Auth(actor, session_id)


CurrentAuth = Annotated[Auth, Depends(current_auth)]


def set_session_cookie(response: Response, request: Request, session_id: str) -> None:
    """The signed session cookie: HttpOnly, SameSite=Lax, Secure over https, kept as long as the idle time."""
    codec: SessionCodec = request.app.state.codec
    response.set_cookie(
        COOKIE,
        codec.dumps(session_id),
        max_age=codec.idle_seconds,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.https,
        path="/",
    )


def set_login_cookie(response: Response, request: Request, token: str) -> None:
    """The log-in form's cookie: the form's token, signed; HttpOnly, SameSite=Strict, for an hour."""
    codec: SessionCodec = request.app.state.codec
    response.set_cookie(
        LOGIN_COOKIE,
        codec.login_cookie(token),
        max_age=LOGIN_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.https,
        path="/login",
    )


def csrf_token(request: Request) -> str:
    """The CSRF token of the request's session ("" without one: the log-in page)."""
    session_id = getattr(request.state, "session_id", None)
    codec: SessionCodec = request.app.state.codec
    return codec.csrf(session_id) if session_id else ""
