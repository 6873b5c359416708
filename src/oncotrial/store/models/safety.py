"""Adverse events, laboratory results, and PK and biomarker samples."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from oncotrial.store.models.base import Base, Versioned

__all__ = ["AdverseEvent", "LabResult", "Sample"]


class AdverseEvent(Versioned, Base):
    """An adverse event: term, CTCAE grade 1-5, onset and resolution, attribution, seriousness, action."""

    __tablename__ = "adverse_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    term: Mapped[str] = mapped_column(Text)  # as reported (AETERM)
    decoded_term: Mapped[str | None] = mapped_column(Text)  # dictionary term (AEDECOD)
    body_system: Mapped[str | None] = mapped_column(Text)  # AEBODSYS
    grade: Mapped[int | None] = mapped_column()  # CTCAE 1-5; None only for imported data without one
    severity: Mapped[str | None] = mapped_column(String(16))  # AESEV, for data graded mild/moderate/severe
    onset: Mapped[dt.date] = mapped_column()  # the first day of onset_partial when only that is known
    onset_partial: Mapped[str | None] = mapped_column(String(10))  # AESTDTC as reported when partial (2014-01)
    pre_consent: Mapped[bool] = mapped_column(Boolean, default=False)  # imported data: onset before consent
    resolved: Mapped[dt.date | None] = mapped_column()
    attribution: Mapped[str | None] = mapped_column(String(32))
    serious: Mapped[bool] = mapped_column(Boolean, default=False)
    action_taken: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)


class LabResult(Versioned, Base):
    """A laboratory result with its unit and normal range (LB, standard units)."""

    __tablename__ = "lab_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    test_code: Mapped[str] = mapped_column(String(16))
    test_name: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(64))
    value: Mapped[float | None] = mapped_column()
    value_text: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(32))
    normal_low: Mapped[float | None] = mapped_column()
    normal_high: Mapped[float | None] = mapped_column()
    collected_at: Mapped[dt.datetime | None] = mapped_column()
    visit: Mapped[str | None] = mapped_column(String(64))
    visit_number: Mapped[float | None] = mapped_column()
    baseline: Mapped[bool] = mapped_column(Boolean, default=False)


class Sample(Versioned, Base):
    """A PK or biomarker sample: time, analyte, value, unit, and below the limit of quantification."""

    __tablename__ = "sample"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # pk | biomarker
    analyte: Mapped[str] = mapped_column(String(64))
    analyte_name: Mapped[str | None] = mapped_column(Text)
    specimen: Mapped[str | None] = mapped_column(String(64))
    collected_at: Mapped[dt.datetime | None] = mapped_column()
    value: Mapped[float | None] = mapped_column()
    value_text: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(32))
    blq: Mapped[bool] = mapped_column(Boolean, default=False)
    lloq: Mapped[float | None] = mapped_column()
    timepoint: Mapped[str | None] = mapped_column(String(64))
    timepoint_hours: Mapped[float | None] = mapped_column()
    visit: Mapped[str | None] = mapped_column(String(64))
