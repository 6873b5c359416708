"""Tumour assessments: lesions identified at baseline, measurements per visit, time-point responses.

``Lesion``, ``Assessment`` and ``Measurement`` hold what was recorded (SDTM TU and TR); ``TimepointResponse``
holds what ``oncotrial.recist`` derived from them, with its rule id, and is recomputed whenever a
measurement of the patient changes. ``RecordedResponse`` holds responses as an evaluator recorded them
(SDTM RS), such as the investigator's overall response of imported data.

An evaluator is ``evaluator`` (``INVESTIGATOR``, ``INDEPENDENT ASSESSOR``) with ``evaluator_id`` telling
readers of the same kind apart (``RADIOLOGIST 1``; empty for none): each reader's lesions, assessments and
responses are their own. Scan dates of lesions and measurements are kept as the site recorded them (ISO text,
which may be partial: ``2014-01``, as SDTM's ``--DTC``); an assessment's ``assessed_on`` is its first scan day
(a partial date imputed as ``oncotrial.recist`` imputes it).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from oncotrial.store.models.base import Base, Versioned

__all__ = ["Assessment", "Lesion", "Measurement", "RecordedResponse", "TimepointResponse"]


class Lesion(Versioned, Base):
    """A lesion (TU): ``code`` is its link id (``T01``, ``NT02``, ``NEW01``); ``kind`` target, non-target or new."""

    __tablename__ = "lesion"
    __table_args__ = (UniqueConstraint("patient_id", "evaluator", "evaluator_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    evaluator: Mapped[str] = mapped_column(String(64))
    evaluator_id: Mapped[str] = mapped_column(String(64), default="")  # "" when the evaluator has one reader
    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # TARGET | NON-TARGET | NEW
    location: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(String(64))
    identified_on: Mapped[str] = mapped_column(String(10))  # ISO date as recorded (YYYY-MM-DD, or partial)
    visit: Mapped[str | None] = mapped_column(String(64))
    visit_number: Mapped[float | None] = mapped_column()
    irradiated: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted: Mapped[str | None] = mapped_column(String(4))  # TUACPTFL: Y for the accepted reader


class Assessment(Versioned, Base):
    """One visit's tumour assessment by one evaluator (reader)."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("patient_id", "evaluator", "evaluator_id", "visit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    evaluator: Mapped[str] = mapped_column(String(64))
    evaluator_id: Mapped[str] = mapped_column(String(64), default="")
    visit: Mapped[str] = mapped_column(String(64))
    visit_number: Mapped[float | None] = mapped_column()
    assessed_on: Mapped[dt.date] = mapped_column()


class Measurement(Versioned, Base):
    """One result of a lesion at an assessment (TR): a size (``DIAMETER``, ``LDIAM``, ``SAXIS``, ``LPERP``) in
    ``unit``, or a status (``TUMSTATE``); ``SUMDIAM`` (the evaluator's own sum) has no lesion."""

    __tablename__ = "measurement"
    __table_args__ = (UniqueConstraint("assessment_id", "lesion_id", "test_code", "measured_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    lesion_id: Mapped[int | None] = mapped_column(ForeignKey("lesion.id"), index=True)
    test_code: Mapped[str] = mapped_column(String(16))  # DIAMETER | LDIAM | SAXIS | LPERP | TUMSTATE | SUMDIAM
    value: Mapped[float | None] = mapped_column()  # in unit (mm)
    unit: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str | None] = mapped_column(String(64))  # PRESENT | ABSENT | UNEQUIVOCAL | EQUIVOCAL | NE
    original: Mapped[str | None] = mapped_column(String(64))  # TRORRES, as reported
    original_unit: Mapped[str | None] = mapped_column(String(16))
    not_done_reason: Mapped[str | None] = mapped_column(Text)
    measured_on: Mapped[str | None] = mapped_column(String(10))  # ISO date as recorded (may be partial)
    method: Mapped[str | None] = mapped_column(String(64))
    link_group: Mapped[str | None] = mapped_column(String(64))
    accepted: Mapped[str | None] = mapped_column(String(4))


class TimepointResponse(Versioned, Base):
    """The time-point response ``oncotrial.recist`` derived for a follow-up assessment, with its rule id."""

    __tablename__ = "timepoint_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), unique=True)
    target: Mapped[str | None] = mapped_column(String(32))
    non_target: Mapped[str | None] = mapped_column(String(32))
    new_lesions: Mapped[str | None] = mapped_column(String(16))
    overall: Mapped[str] = mapped_column(String(16))
    rule_id: Mapped[str] = mapped_column(String(64))
    sum_of_diameters: Mapped[float | None] = mapped_column()


class RecordedResponse(Versioned, Base):
    """A response as an evaluator recorded it (RS): test code (``OVRLRESP``, ``TRGRESP``, ...), result, date."""

    __tablename__ = "recorded_response"
    __table_args__ = (
        UniqueConstraint(
            "patient_id",
            "evaluator",
            "evaluator_id",
            "test_code",
            "visit",
            "assessed_on",
            "category",
            name="uq_recorded_response_reader_test_visit",  # the convention's name is over PostgreSQL's 63
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    evaluator: Mapped[str] = mapped_column(String(64))
    evaluator_id: Mapped[str] = mapped_column(String(64), default="")
    category: Mapped[str] = mapped_column(String(64))  # RECIST 1.1, ...
    test_code: Mapped[str] = mapped_column(String(16))
    test_name: Mapped[str | None] = mapped_column(Text)
    visit: Mapped[str] = mapped_column(String(64))
    visit_number: Mapped[float | None] = mapped_column()
    assessed_on: Mapped[dt.date | None] = mapped_column()
    original: Mapped[str | None] = mapped_column(String(64))
    response: Mapped[str | None] = mapped_column(String(64))
    not_done_reason: Mapped[str | None] = mapped_column(Text)
    link_group: Mapped[str | None] = mapped_column(String(64))
    accepted: Mapped[str | None] = mapped_column(String(4))
