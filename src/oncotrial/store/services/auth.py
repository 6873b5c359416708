"""Log-in for the web app: passwords (argon2), browser sessions, personal access tokens, and the throttle on
failed log-ins.

- A password is kept as its argon2id hash (argon2-cffi's defaults, RFC 9106); never the password itself.
- :func:`log_in` checks the password and opens a session: a new random id each time (so a session id planted
  before the log-in is worth nothing), of which the database keeps only the SHA-256. The log-in is the audited
  insert of the session row, the log-out (:func:`end_session`) the audited update that ends it; both name the
  user.
- After :data:`MAX_FAILURES_PER_USER` failed log-ins for one user name, or :data:`MAX_FAILURES_PER_ADDRESS`
  from one address, within :data:`THROTTLE_WINDOW`, log-ins are refused (the right password too) until the
  oldest of them leaves the window; the refusal says in how many minutes. The failures are rows of the
  database, so the throttle holds across the app's processes. A successful log-in clears the user name's
  count (failures before it no longer count).
- A personal access token (for the API) is shown once, when it is made; the database keeps its SHA-256. Only
  its owner lists and revokes it.

A session id and a token are 32 random bytes (``secrets.token_urlsafe``): SHA-256 without a salt is enough to
store them, as nobody can guess such a value (a password, which people choose, gets argon2).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import secrets
import threading
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from oncotrial.errors import AccessError, DataError, NotFoundError
from oncotrial.store.access import require
from oncotrial.store.audit import Actor, audit_context
from oncotrial.store.models import ApiToken, LoginFailure, User, WebSession

__all__ = [
    "MAX_FAILURES_PER_ADDRESS",
    "MAX_FAILURES_PER_USER",
    "MIN_PASSWORD_LENGTH",
    "THROTTLE_WINDOW",
    "LogIn",
    "PasswordCheck",
    "TokenInfo",
    "TokenOwner",
    "actor_for_session",
    "actor_for_token",
    "check_password",
    "create_token",
    "end_session",
    "list_tokens",
    "log_in",
    "note_token_use",
    "open_session",
    "revoke_token",
    "set_password",
]

MIN_PASSWORD_LENGTH = 10
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
THROTTLE_WINDOW = dt.timedelta(minutes=15)
# a token's last use is written at most this often (each write is an audited update)
TOKEN_USE_RESOLUTION = dt.timedelta(hours=1)

_HASHER = PasswordHasher()
# argon2 checks at once in one process: one per core. Each takes 64 MiB and four threads (argon2-cffi's
# defaults) and releases the GIL, so fifty log-ins at once (the web app's thread pool runs forty) took 2.5 GB and
# shared the cores fifty ways: every log-in finished late, and the other users' pages waited behind them.
# Queued, the log-ins finish one after the other and the pages keep their share of the cores.
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
_HASHING = threading.BoundedSemaphore(max(1, _CORES))
# verified against when the user does not exist, so that a wrong user name takes as long as a wrong password
_DUMMY_HASH = _HASHER.hash("not a password of anyone")
WRONG_LOGIN = (
    "the user name or the password is wrong; check both (log-ins are refused for a while after repeated failures)"
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _actor(user: User) -> Actor:
    return Actor(user.id, user.username, user.role, user.site_id)


def _user(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def set_password(session: Session, actor: Actor, username: str, password: str) -> User:
    """Set a user's password (kept as its argon2 hash): an admin for anyone, a user for themselves."""
    if actor.username != username:
        require(actor, "manage_users")
    user = _user(session, username)
    if user is None:
        raise NotFoundError(
            f"user {username!r} does not exist; an admin adds users with `oncotrial user add`",
            code="AUTH-E001",
            field="username",
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DataError(
            f"the password of {username!r} has {len(password)} characters; give at least {MIN_PASSWORD_LENGTH} "
            "(a few words are easy to remember)",
            code="AUTH-E002",
            field="password",
        )
    with audit_context(session, actor, "password set"):
        user.password_hash = _HASHER.hash(password)
        session.flush()
    return user


def _failures_since(
    session: Session, column: InstrumentedAttribute[str], value: str, since: dt.datetime
) -> list[dt.datetime]:
    rows = session.execute(
        select(LoginFailure.at).where(column == value, LoginFailure.at >= since).order_by(LoginFailure.at)
    )
    return list(rows.scalars())


def _last_log_in(session: Session, user: User | None) -> dt.datetime | None:
    if user is None:
        return None
    return session.execute(select(func.max(WebSession.started_at)).where(WebSession.user_id == user.id)).scalar()


def _check_throttle(session: Session, username: str, address: str, user: User | None, now: dt.datetime) -> None:
    """Refuse while too many recent failures count against the user name or the address."""
    window_start = now - THROTTLE_WINDOW
    since_user = max(window_start, _last_log_in(session, user) or window_start)
    checks = (
        (_failures_since(session, LoginFailure.username, username, since_user), MAX_FAILURES_PER_USER, "this user"),
        (_failures_since(session, LoginFailure.address, address, window_start), MAX_FAILURES_PER_ADDRESS, "here"),
    )
    for failures, limit, whose in checks:
        if len(failures) >= limit:
            free_at = failures[-limit] + THROTTLE_WINDOW
            minutes = max(1, math.ceil((free_at - now).total_seconds() / 60))
            raise AccessError(
                f"{len(failures)} failed log-ins {whose} in the last {THROTTLE_WINDOW.seconds // 60} minutes; log-in "
                f"is paused: try again in {minutes} minute{'s' if minutes != 1 else ''}",
                code="AUTH-E004",
                field="username",
            )


def _password_matches(user: User | None, password: str) -> bool:
    stored = user.password_hash if user is not None and user.active else None
    try:
        with _HASHING:
            return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class LogIn:
    """The outcome of :func:`log_in`: the user and the new session's id, or the refusal to raise once the
    transaction (which holds the recorded failure) is committed."""

    actor: Actor | None
    session_id: str | None
    refusal: AccessError | None = None

    def check(self) -> tuple[Actor, str]:
        """The user and session id; raises the refusal of a failed log-in."""
        if self.refusal is not None or self.actor is None or self.session_id is None:
            raise self.refusal or AccessError(WRONG_LOGIN, code="AUTH-E003", field="password")
        return self.actor, self.session_id


@dataclass(frozen=True)
class PasswordCheck:
    """The slow half of a log-in (:func:`check_password`): whom the name typed names, the hash the password was
    checked against, and whether it matched."""

    username: str
    address: str
    user_id: int | None
    checked_hash: str | None
    matches: bool


def check_password(session: Session, username: str, password: str, *, address: str) -> PasswordCheck:
    """Check the throttle and the password (argon2, ~0.1 s of CPU on purpose), writing nothing.

    The web app runs this in a read transaction and :func:`open_session` in a short write transaction after it:
    on SQLite a write transaction holds the database's one write lock from its start, so an argon2 check inside
    it made every other writer (and every log-in) wait, and fifty log-ins at once ran out of the busy timeout.

    Raises
    ------
    AccessError
        ``AUTH-E004`` while log-ins are paused after repeated failures (with the minutes to wait).
    """
    username, address = username.strip()[:64], address[:64]
    user = _user(session, username)
    _check_throttle(session, username, address, user, _now())
    matches = _password_matches(user, password)  # an unknown user too (the dummy hash): the same time either way
    return PasswordCheck(username, address, user.id if user else None, user.password_hash if user else None, matches)


def open_session(session: Session, check: PasswordCheck) -> LogIn:
    """The write half of a log-in: a new session for a password that matched (a new id, whatever the browser had
    before), else the failure recorded.

    The user is read again: a user deactivated, or whose password was changed, since :func:`check_password` is
    refused; the throttle is checked again, as other failures may have been recorded meanwhile. A wrong user name
    or password (which one is not said) is recorded as a failure, audited under the user name typed, and returned
    as the refusal ``AUTH-E003`` (:meth:`LogIn.check` raises it), so that the caller commits the failure before
    it refuses.

    Raises
    ------
    AccessError
        ``AUTH-E004`` while log-ins are paused after repeated failures; nothing is written then.
    """
    now = _now()
    user = _user(session, check.username)
    _check_throttle(session, check.username, check.address, user, now)
    same = user is not None and user.active and user.id == check.user_id and user.password_hash == check.checked_hash
    if user is None or not (check.matches and same):
        with audit_context(session, Actor(None, check.username or "-", "anonymous")):
            session.add(LoginFailure(username=check.username, address=check.address, at=now))
            session.flush()
        return LogIn(None, None, AccessError(WRONG_LOGIN, code="AUTH-E003", field="password"))
    actor = _actor(user)
    session_id = secrets.token_urlsafe(32)
    with audit_context(session, actor):
        session.add(WebSession(user_id=user.id, id_sha256=_sha256(session_id), address=check.address, started_at=now))
        session.flush()
    return LogIn(actor, session_id)


def log_in(session: Session, username: str, password: str, *, address: str) -> LogIn:
    """Check the user name and password and open a session, in one transaction: :func:`check_password` then
    :func:`open_session` (the web app runs the two in separate transactions, so that no lock is held while the
    password is checked).

    Raises
    ------
    AccessError
        ``AUTH-E004`` while log-ins are paused after repeated failures (with the minutes to wait); nothing is
        written then.
    """
    return open_session(session, check_password(session, username, password, address=address))


def _open_session(session: Session, session_id: str) -> WebSession | None:
    stmt = select(WebSession).where(WebSession.id_sha256 == _sha256(session_id), WebSession.ended_at.is_(None))
    return session.execute(stmt).scalar_one_or_none()


# the acting user's columns, read by every request (one query with the session or token: no ORM objects)
_ACTOR_COLUMNS = (User.id, User.username, User.role, User.site_id)


def actor_for_session(session: Session, session_id: str) -> Actor | None:
    """The user of an open session (None when the session is unknown, ended, or its user inactive).

    Asked on every request of a browser: one query (session and user joined), columns only."""
    row = session.execute(
        select(*_ACTOR_COLUMNS)
        .join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.id_sha256 == _sha256(session_id), WebSession.ended_at.is_(None), User.active.is_(True))
    ).first()
    return None if row is None else Actor(*row)


def end_session(session: Session, session_id: str, *, reason: str = "logged out") -> None:
    """End a session (log-out); audited as its user's. An unknown or ended session is left as it is."""
    record = _open_session(session, session_id)
    if record is None:
        return
    user = session.get_one(User, record.user_id)
    with audit_context(session, _actor(user), reason):
        record.ended_at = _now()
        record.end_reason = reason
        session.flush()


@dataclass(frozen=True)
class TokenInfo:
    """A personal access token as its owner sees it (never the token itself, which is shown once)."""

    id: int
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


def _info(token: ApiToken) -> TokenInfo:
    return TokenInfo(token.id, token.name, token.created_at, token.last_used_at, token.revoked_at)


def create_token(session: Session, actor: Actor, name: str) -> tuple[TokenInfo, str]:
    """A new personal access token of the acting user; returns it with the token, which is shown only now."""
    require(actor, "read")
    if actor.user_id is None:
        raise AccessError("only a user of the database has tokens", code="AUTH-E005", field="user")
    name = name.strip()
    if not name or len(name) > 100:
        raise DataError(
            "give the token a name of 1 to 100 characters that says what it is for (e.g. 'nightly export')",
            code="AUTH-E006",
            field="name",
        )
    token = "otk_" + secrets.token_urlsafe(32)
    with audit_context(session, actor):
        record = ApiToken(user_id=actor.user_id, name=name, token_sha256=_sha256(token), created_at=_now())
        session.add(record)
        session.flush()
    return _info(record), token


def list_tokens(session: Session, actor: Actor) -> list[TokenInfo]:
    """The acting user's tokens (revoked ones too), newest first."""
    require(actor, "read")
    stmt = select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id.desc())
    return [_info(token) for token in session.execute(stmt).scalars()]


def revoke_token(session: Session, actor: Actor, token_id: int) -> TokenInfo:
    """Revoke one of the acting user's tokens (a token of someone else is not found)."""
    require(actor, "read")
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.user_id:
        raise NotFoundError(
            f"you have no token {token_id}; your tokens are listed on the tokens page", code="AUTH-E007", field="token"
        )
    if token.revoked_at is None:
        with audit_context(session, actor, "token revoked by its owner"):
            token.revoked_at = _now()
            session.flush()
    return _info(token)


def _valid_token(session: Session, token: str) -> tuple[ApiToken, User] | None:
    record = session.execute(
        select(ApiToken).where(ApiToken.token_sha256 == _sha256(token), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    user = session.get(User, record.user_id) if record is not None else None
    if record is None or user is None or not user.active:
        return None
    return record, user


@dataclass(frozen=True)
class TokenOwner:
    """The owner of a valid token, and whether its last use is due to be written (:func:`note_token_use`)."""

    actor: Actor
    use_due: bool


def actor_for_token(session: Session, token: str) -> TokenOwner | None:
    """The owner of a valid token (None when unknown or revoked, or its user inactive); reads only, so that an
    API call takes no write lock unless its use is due to be noted.

    Asked on every API request: one query (token and user joined), columns only."""
    row = session.execute(
        select(*_ACTOR_COLUMNS, ApiToken.last_used_at)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_sha256 == _sha256(token), ApiToken.revoked_at.is_(None), User.active.is_(True))
    ).first()
    if row is None:
        return None
    user_id, username, role, site_id, last_used_at = row
    due = last_used_at is None or _now() - last_used_at >= TOKEN_USE_RESOLUTION
    return TokenOwner(Actor(user_id, username, role, site_id), due)


def note_token_use(session: Session, token: str) -> None:
    """Write the token's last use (now), at most once per :data:`TOKEN_USE_RESOLUTION` (an audited update)."""
    found = _valid_token(session, token)
    if found is None:
        return
    record, user = found
    now = _now()
    if record.last_used_at is None or now - record.last_used_at >= TOKEN_USE_RESOLUTION:
        with audit_context(session, _actor(user), "token used"):
            record.last_used_at = now
            session.flush()
