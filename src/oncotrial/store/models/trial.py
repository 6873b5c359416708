"""A trial, its protocol versions (verbatim YAML and SHA-256), its sites, and the staff who use it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from oncotrial.store.models.base import Base, Versioned

__all__ = ["ROLES", "ProtocolVersion", "Site", "Trial", "User"]

# who does what is in oncotrial.store.access; the roles are data
ROLES = ("coordinator", "investigator", "monitor", "statistician", "admin")


class Trial(Versioned, Base):
    """A trial. ``code`` is how users name it (``NCT01416831``, or DM's STUDYID for imported data)."""

    __tablename__ = "trial"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    # None for data imported without an oncotrial protocol (e.g. the pharmaverse set)
    current_protocol_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column()


class ProtocolVersion(Base):
    """A protocol as it was loaded: the YAML text verbatim and its SHA-256. Never changed once written."""

    __tablename__ = "protocol_version"
    __table_args__ = (UniqueConstraint("trial_id", "number"), UniqueConstraint("trial_id", "sha256"))

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"))
    number: Mapped[int] = mapped_column()  # 1, 2, ... within the trial
    protocol_id: Mapped[str] = mapped_column(String(64))  # the id inside the YAML
    yaml_text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column()


class Site(Versioned, Base):
    """A site of a trial; ``code`` is the two-digit prefix of its subject ids (``01``)."""

    __tablename__ = "site"
    __table_args__ = (UniqueConstraint("trial_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"))
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)


class User(Versioned, Base):
    """A member of staff: one role, and one site for the site roles (coordinator, investigator)."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # the web app's log-in (argon2 hash); None for a user who works only through the CLI
    password_hash: Mapped[str | None] = mapped_column(Text)
