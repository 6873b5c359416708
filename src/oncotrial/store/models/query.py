"""Data queries: a question a monitor (or the statistician) raises on a patient's data, which the site answers
and the monitor closes — or reopens when the answer does not settle it. The history of each (who asked, who
answered, what was said before a reopening) is the audit trail's."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from oncotrial.store.models.base import Base, Versioned

__all__ = ["QUERY_STATUSES", "DataQuery"]

#: open: waiting for the site's answer; answered: waiting for the monitor; closed: settled.
QUERY_STATUSES = ("open", "answered", "closed")


class DataQuery(Versioned, Base):
    """A query on a patient's data, optionally on one record (table and id) and one of its fields."""

    __tablename__ = "data_query"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    record_table: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[int | None] = mapped_column()
    field: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    raised_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    raised_at: Mapped[dt.datetime] = mapped_column()
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column()
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column()
