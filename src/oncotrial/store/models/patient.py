"""Patients (pseudonymous), their identifying data (apart), consent, and screening."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from oncotrial.store.models.base import Base, Versioned

__all__ = ["Consent", "Patient", "PatientIdentity", "Screening", "ScreeningCriterion"]


class Patient(Versioned, Base):
    """A patient of a trial, known by a pseudonymous ``subject_id`` (``01-0007``).

    ``enrolment_number`` is the order the protocol's rules use (NCT01416831 gives one SBRT fraction to
    patients 1-20 and two from patient 21). ``protocol_version_id`` is the protocol the patient was enrolled
    under, and is analysed under. A deleted patient keeps its rows (soft delete, with the reason).
    """

    __tablename__ = "patient"
    __table_args__ = (UniqueConstraint("trial_id", "subject_id"), UniqueConstraint("trial_id", "enrolment_number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    subject_id: Mapped[str] = mapped_column(String(64))
    enrolment_number: Mapped[int] = mapped_column()
    protocol_version_id: Mapped[int | None] = mapped_column(ForeignKey("protocol_version.id"))
    enrolled_on: Mapped[dt.date] = mapped_column()
    # demographics an analysis uses (no name, no date of birth: those are in patient_identity)
    sex: Mapped[str | None] = mapped_column(String(16))
    age: Mapped[float | None] = mapped_column()
    age_unit: Mapped[str | None] = mapped_column(String(16))
    race: Mapped[str | None] = mapped_column(Text)
    ethnicity: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(8))
    deleted_on: Mapped[dt.datetime | None] = mapped_column()
    deleted_reason: Mapped[str | None] = mapped_column(Text)


class PatientIdentity(Versioned, Base):
    """Identifying data, kept apart: no export and no statistician reads this table."""

    __tablename__ = "patient_identity"

    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    birth_date: Mapped[dt.date | None] = mapped_column()


class Consent(Versioned, Base):
    """Informed consent: the version of the form signed and the date; a withdrawal has its own date."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    form_version: Mapped[str] = mapped_column(String(64))
    consent_date: Mapped[dt.date] = mapped_column()
    withdrawn_on: Mapped[dt.date | None] = mapped_column()


class Screening(Versioned, Base):
    """One screening: the patient record as screened (JSON) and the overall status from the core."""

    __tablename__ = "screening"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    screened_at: Mapped[dt.datetime] = mapped_column()
    record_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # eligible | ineligible | incomplete
    protocol_version_id: Mapped[int | None] = mapped_column(ForeignKey("protocol_version.id"))


class ScreeningCriterion(Base):
    """One criterion's result in a screening, as ``oncotrial.eligibility`` gave it."""

    __tablename__ = "screening_criterion"
    __table_args__ = (UniqueConstraint("screening_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screening.id"), index=True)
    criterion_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16))  # inclusion | exclusion
    status: Mapped[str] = mapped_column(String(16))  # met | not met | unknown | needs review
    reason: Mapped[str] = mapped_column(Text)
