"""Log-in for the web app: browser sessions, personal access tokens (API), and failed log-ins (throttling).

Nothing secret is stored: a session's id and a token are random strings that only their holder has; the
database keeps their SHA-256. Failed log-ins live here (not in a process's memory) so that the throttle holds
when the app runs in several processes. Every table is audited like the clinical ones: a log-in is the insert
of its session, a log-out the update that ends it, both naming the user.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from oncotrial.store.models.base import Base, Versioned

__all__ = ["ApiToken", "LoginFailure", "WebSession"]


class WebSession(Versioned, Base):
    """A browser session: the SHA-256 of its id, whose it is, from where, when it began and ended (UTC)."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    id_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column()
    ended_at: Mapped[dt.datetime | None] = mapped_column()
    end_reason: Mapped[str | None] = mapped_column(String(32))  # logged out | expired


class ApiToken(Versioned, Base):
    """A personal access token of a user, for the API: named by its owner, stored as SHA-256 only."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column()
    last_used_at: Mapped[dt.datetime | None] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()


class LoginFailure(Base):
    """One failed log-in: the user name typed (a user may not exist), the address, the time (UTC)."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_username_at", "username", "at"),
        Index("ix_login_failure_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column()
