"""Dosing: each administration as given, held (with the reason) or delayed, and cycle starts that moved.

The planned calendar is not stored: it is rebuilt by ``oncotrial.dosing`` from the protocol version, the
patient's start and these records, so it can never disagree with them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from oncotrial.store.models.base import Base, Versioned

__all__ = ["Administration", "CycleStart", "TreatmentStart"]


class TreatmentStart(Versioned, Base):
    """When a patient's calendar starts (day 1 of cycle 1, as the protocol's rules place it), and the body size
    its doses per kg or per m² are computed from (``oncotrial.dosing.Patient``)."""

    __tablename__ = "treatment_start"

    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), primary_key=True)
    arm: Mapped[str] = mapped_column(String(64))
    start: Mapped[dt.datetime] = mapped_column()
    weight_kg: Mapped[float | None] = mapped_column()
    height_cm: Mapped[float | None] = mapped_column()


class Administration(Versioned, Base):
    """One planned dose and what happened to it (the fields of ``oncotrial.dosing``'s records).

    For data imported from SDTM EX without a protocol, ``treatment`` is EXTRT, ``cycle`` and ``number`` are
    the order of the records, and ``amount``/``unit`` are EXDOSE/EXDOSU.
    """

    __tablename__ = "administration"
    __table_args__ = (UniqueConstraint("patient_id", "treatment", "cycle", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    treatment: Mapped[str] = mapped_column(String(128))
    cycle: Mapped[int] = mapped_column()
    number: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(16))  # given | held | delayed
    given_at: Mapped[dt.datetime | None] = mapped_column()
    ended_at: Mapped[dt.datetime | None] = mapped_column()
    amount: Mapped[float | None] = mapped_column()
    unit: Mapped[str | None] = mapped_column(String(32))
    percent: Mapped[float | None] = mapped_column()
    route: Mapped[str | None] = mapped_column(String(64))
    form: Mapped[str | None] = mapped_column(String(64))
    frequency: Mapped[str | None] = mapped_column(String(64))
    visit: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    # the adverse event that caused a hold, delay or reduction (revision 0004)
    adverse_event_id: Mapped[int | None] = mapped_column(ForeignKey("adverse_event.id"), index=True)
    # a dose above the planned one given on purpose (oncotrial.dosing's allow_above_planned; revision 0004)
    allow_above_planned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class CycleStart(Versioned, Base):
    """A cycle started on another day than planned (a delay for toxicity), with the reason."""

    __tablename__ = "cycle_start"
    __table_args__ = (UniqueConstraint("patient_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    cycle: Mapped[int] = mapped_column()
    start: Mapped[dt.date] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    adverse_event_id: Mapped[int | None] = mapped_column(ForeignKey("adverse_event.id"), index=True)  # rev. 0004
