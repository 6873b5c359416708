"""Off-treatment, off-study (with reasons), death, and last known alive."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from oncotrial.store.models.base import Base, Versioned

__all__ = ["DISPOSITION_EVENTS", "Disposition"]

DISPOSITION_EVENTS = ("off_treatment", "off_study", "death", "last_known_alive", "other")


class Disposition(Versioned, Base):
    """A disposition event (DS): one of :data:`DISPOSITION_EVENTS`, its date, and the reason as recorded."""

    __tablename__ = "disposition"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    event_date: Mapped[dt.date | None] = mapped_column()
    reason: Mapped[str | None] = mapped_column(Text)  # DSTERM
    decoded: Mapped[str | None] = mapped_column(Text)  # DSDECOD
    category: Mapped[str | None] = mapped_column(String(64))  # DSCAT
    visit: Mapped[str | None] = mapped_column(String(64))
