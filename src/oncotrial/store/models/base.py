"""The declarative base, the version column, and the types every table shares.

Dates and times of clinical events are stored as the site recorded them (local, without a zone, as SDTM's
``--DTC``); the audit trail's times are UTC. Every table that staff edit has a ``version`` column that
SQLAlchemy checks on UPDATE (``version_id_col``): a second writer who read the same version gets a
conflict, never a silent overwrite.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

__all__ = ["Base", "Versioned"]

# named constraints, so that Alembic can alter them on SQLite and PostgreSQL alike
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Versioned:
    """A ``version`` counter, raised by one on every update (optimistic locking)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]
