"""What every service function shares: finding a trial, a site, a patient (with the site check), the
protocol a patient is analysed under, the consent-date check, and the version check of an edit."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from oncotrial.errors import ConflictError, DataError, NotFoundError, StoreError
from oncotrial.protocol.io import parse_protocol
from oncotrial.protocol.models import Protocol
from oncotrial.store.access import SITE_ROLES, require, require_site
from oncotrial.store.audit import Actor
from oncotrial.store.models import Consent, Patient, ProtocolVersion, Randomisation, Site, Trial, User

__all__ = [
    "actor_for",
    "assignment_of",
    "check_after_consent",
    "check_version",
    "find_patient",
    "find_site",
    "find_trial",
    "protocol_of_patient",
    "protocol_of_trial",
    "require_entry",
]


def actor_for(session: Session, username: str) -> Actor:
    """The :class:`Actor` for an active user, by user name."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        state = "is not active" if user is not None else "does not exist"
        raise NotFoundError(
            f"user {username!r} {state}; an admin adds users with `oncotrial user add`",
            code="STORE-E020",
            field="user",
        )
    return Actor(user.id, user.username, user.role, user.site_id)


def require_entry(actor: Actor) -> None:
    """Data entry by a site role; a statistician's import of data from elsewhere goes through the same
    operations under the ``import`` permission."""
    require(actor, "import" if actor.role == "statistician" else "enter_data")


def find_trial(session: Session, code: str) -> Trial:
    trial = session.execute(select(Trial).where(Trial.code == code)).scalar_one_or_none()
    if trial is None:
        known = ", ".join(session.execute(select(Trial.code).order_by(Trial.code)).scalars()) or "none yet"
        raise NotFoundError(
            f"trial {code!r} is not in the database (trials: {known})", code="STORE-E021", field="trial"
        )
    return trial


def find_site(session: Session, trial: Trial, code: str) -> Site:
    site = session.execute(select(Site).where(Site.trial_id == trial.id, Site.code == code)).scalar_one_or_none()
    if site is None:
        known = ", ".join(session.execute(select(Site.code).where(Site.trial_id == trial.id)).scalars()) or "none"
        raise NotFoundError(
            f"trial {trial.code} has no site {code!r} (its sites: {known})", code="STORE-E022", field="site"
        )
    return site


def find_patient(
    session: Session,
    actor: Actor,
    trial: Trial,
    subject_id: str,
    *,
    for_update: bool = False,
    include_deleted: bool = False,
) -> Patient:
    """A patient of ``trial`` whom ``actor`` may see (own site for site roles); deleted patients are not found
    unless ``include_deleted`` (their history stays readable)."""
    require(actor, "read")
    stmt = select(Patient).where(Patient.trial_id == trial.id, Patient.subject_id == subject_id)
    patient = session.execute(stmt.with_for_update() if for_update else stmt).scalar_one_or_none()
    if patient is None or (patient.deleted_on is not None and not include_deleted):
        raise NotFoundError(
            f"trial {trial.code} has no patient {subject_id!r}" + (" (deleted)" if patient is not None else ""),
            code="STORE-E023",
            field="subject_id",
            subject_id=subject_id,
        )
    require_site(actor, patient.site_id, subject_id=subject_id)
    return patient


@lru_cache(maxsize=32)
def _parse(yaml_text: str, source: str) -> Protocol:
    return parse_protocol(yaml.safe_load(yaml_text), source=source)


def _protocol(version: ProtocolVersion) -> Protocol:
    return _parse(version.yaml_text, f"protocol {version.protocol_id} version {version.number}")


def protocol_of_trial(session: Session, trial: Trial) -> Protocol | None:
    """The trial's current protocol, or None for a trial without one (imported data)."""
    if trial.current_protocol_id is None:
        return None
    return _protocol(session.get_one(ProtocolVersion, trial.current_protocol_id))


def protocol_of_patient(session: Session, patient: Patient, *, needed_for: str) -> Protocol:
    """The protocol version the patient was enrolled under; refuse when the trial has none."""
    if patient.protocol_version_id is None:
        raise StoreError(
            f"patient {patient.subject_id}: the trial has no oncotrial protocol (its data were imported), so "
            f"{needed_for} cannot be checked against one",
            code="STORE-E024",
            subject_id=patient.subject_id,
        )
    return _protocol(session.get_one(ProtocolVersion, patient.protocol_version_id))


def check_after_consent(session: Session, patient: Patient, when: dt.date | dt.datetime, *, field: str) -> None:
    """Refuse a date before the patient's consent (or any date when no consent is recorded)."""
    day = when.date() if isinstance(when, dt.datetime) else when
    consent = (
        session.execute(select(Consent).where(Consent.patient_id == patient.id).order_by(Consent.consent_date))
        .scalars()
        .first()
    )
    if consent is None:
        raise DataError(
            f"patient {patient.subject_id}: no consent is recorded, so nothing dated can be recorded yet; record "
            "the consent first",
            code="STORE-E030",
            field=field,
            subject_id=patient.subject_id,
        )
    if day < consent.consent_date:
        raise DataError(
            f"patient {patient.subject_id}: {field} {day.isoformat()} is before consent on "
            f"{consent.consent_date.isoformat()}; check the date",
            code="STORE-E031",
            field=field,
            subject_id=patient.subject_id,
        )


def check_version(record: Any, expected: int | None, *, what: str, subject_id: str | None = None) -> None:
    """Refuse an edit made from an older version of ``record`` than the one stored now."""
    if expected is not None and record.version != expected:
        raise ConflictError(
            f"{what} was changed by someone else since you read it (you edited version {expected}, it is now "
            f"version {record.version}); reload it and make your change again",
            code="STORE-E040",
            field="version",
            subject_id=subject_id,
        )


def assignment_of(session: Session, patient: Patient, *, refusal: str, code: str, field: str) -> Randomisation:
    """The patient's randomisation; refuse with ``"patient X is not randomised, <refusal>"`` when there is none."""
    assignment = session.execute(
        select(Randomisation).where(Randomisation.patient_id == patient.id)
    ).scalar_one_or_none()
    if assignment is None:
        raise DataError(
            f"patient {patient.subject_id} is not randomised, {refusal}",
            code=code,
            field=field,
            subject_id=patient.subject_id,
        )
    return assignment


def visible_patients(actor: Actor) -> ColumnElement[bool]:
    """The condition on :class:`Patient` that keeps the patients the actor may see (a site role: its site's)."""
    if actor.role in SITE_ROLES:
        return Patient.site_id == actor.site_id
    return true()


def check_entry_for(session: Session, actor: Actor, trial_code: str, subject_id: str) -> None:
    """Refuse a user who may not enter data for this patient (a role without data entry, or another site's),
    before any field is read: a form or API route asks this first, so that such a user learns nothing from the
    checks of the fields."""
    require(actor, "enter_data")
    find_patient(session, actor, find_trial(session, trial_code), subject_id)
