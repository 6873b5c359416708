"""Patients: enrolment (with identifying data kept apart), consent, screening, and the soft delete."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import String, Table, func, select
from sqlalchemy.orm import Session

from oncotrial.eligibility import PatientRecord, evaluate_eligibility
from oncotrial.errors import DataError, NotFoundError, validation_messages
from oncotrial.store.access import require, require_site
from oncotrial.store.audit import Actor, audit_context, insert_audited
from oncotrial.store.models import Base, Consent, Patient, PatientIdentity, Screening, ScreeningCriterion, Site
from oncotrial.store.services._common import (
    check_after_consent,
    check_version,
    find_patient,
    find_site,
    find_trial,
    protocol_of_patient,
    require_entry,
)

__all__ = [
    "check_enrolment_for",
    "delete_patient",
    "enrol_patient",
    "enrol_patients",
    "record_consent",
    "record_consents",
    "record_screening",
]

SEXES = ("F", "M", "U")
# fields of a screening record that identify the patient: kept in patient_identity, not in the screening
IDENTIFYING_FIELDS = frozenset({"birth_date", "name"})

# the name services/assessments.py (branch wt-tumour) imports; wt-clinical moved the function to _common


def _next_subject_id(session: Session, trial_id: int, site_id: int, site_code: str) -> str:
    count = session.execute(
        select(func.count()).select_from(Patient).where(Patient.trial_id == trial_id, Patient.site_id == site_id)
    ).scalar_one()
    return f"{site_code}-{count + 1:04d}"


def _enrolment_number(session: Session, trial_id: int, given: int | None, subject_id: str) -> int:
    if given is None:
        top = session.execute(select(func.max(Patient.enrolment_number)).where(Patient.trial_id == trial_id))
        return int(top.scalar() or 0) + 1
    if isinstance(given, bool) or not isinstance(given, int) or given < 1:
        raise DataError(
            f"patient {subject_id}: enrolment number {given!r} must be a whole number from 1",
            code="STORE-E060",
            field="enrolment_number",
            subject_id=subject_id,
        )
    taken = session.execute(
        select(Patient.subject_id).where(Patient.trial_id == trial_id, Patient.enrolment_number == given)
    ).scalar_one_or_none()
    if taken is not None:
        raise DataError(
            f"enrolment number {given} is already patient {taken}'s; give the next free number, or "
            "leave it out to have it assigned",
            code="STORE-E061",
            field="enrolment_number",
            subject_id=subject_id,
        )
    return given


def _check_demographics(
    sex: str | None, age: float | None, subject_id: str | None = None, row: int | None = None
) -> None:
    rows = () if row is None else (row,)
    who = f"patient {subject_id}: " if subject_id else ""
    if sex is not None and sex not in SEXES:
        raise DataError(
            f"{who}sex {sex!r}: use F, M or U", code="STORE-E063", field="sex", subject_id=subject_id, rows=rows
        )
    if age is not None and not 0 <= age < 130:
        raise DataError(
            f"{who}age {age!r} is not a plausible age in years",
            code="STORE-E064",
            field="age",
            subject_id=subject_id,
            rows=rows,
        )


def check_lengths(model: type[Base], values: Mapping[str, Any], subject_id: str | None) -> None:
    """Refuse a text longer than its column of ``model`` holds (PostgreSQL would refuse it at the end, as a
    database error; SQLite never would), naming the field, as the batches' check does (STORE-E105)."""
    table = cast(Table, model.__table__)
    for name, value in values.items():
        kind = table.columns[name].type
        if isinstance(value, str) and isinstance(kind, String) and kind.length is not None and len(value) > kind.length:
            who = f"patient {subject_id}: " if subject_id else ""
            raise DataError(
                f"{who}{name} {value!r} is longer than {kind.length} characters; shorten it",
                code="STORE-E105",
                field=name,
                subject_id=subject_id,
            )


def check_enrolment_for(session: Session, actor: Actor, trial_code: str) -> None:
    """Refuse a user who may not enrol a patient by data entry at a site (the site roles; a statistician's
    import goes through :func:`enrol_patients`), and a trial that is not in the database, before any field is
    read (as :func:`~oncotrial.store.services.check_entry_for` does for a patient's forms)."""
    require(actor, "enter_data")
    find_trial(session, trial_code)


def enrol_patient(
    session: Session,
    actor: Actor,
    trial_code: str,
    *,
    enrolled_on: dt.date,
    site_code: str | None = None,
    subject_id: str | None = None,
    enrolment_number: int | None = None,
    sex: str | None = None,
    age: float | None = None,
    age_unit: str | None = "YEARS",
    race: str | None = None,
    ethnicity: str | None = None,
    country: str | None = None,
    name: str | None = None,
    birth_date: dt.date | None = None,
) -> Patient:
    """Register a patient at a site, under the trial's current protocol version.

    A site role enrols at its own site (``site_code`` defaults to it). The subject id is ``SITE-NNNN`` in
    order within the site unless given; the enrolment number is the next in the trial unless given (a
    number already used is refused). Name and date of birth go to the identity table only.
    """
    require_entry(actor)
    trial = find_trial(session, trial_code)
    if site_code is None:
        if actor.site_id is None:
            raise DataError("give the site of the patient", code="STORE-E062", field="site")
        site = session.get_one(Site, actor.site_id)
    else:
        site = find_site(session, trial, site_code)
    require_site(actor, site.id)
    _check_demographics(sex, age)
    check_lengths(Patient, {"race": race, "ethnicity": ethnicity, "country": country, "age_unit": age_unit}, subject_id)
    if subject_id is not None:
        check_subject_id(subject_id, site_code=site.code, entry=trial.current_protocol_id is not None)
    sid = subject_id or _next_subject_id(session, trial.id, site.id, site.code)
    if session.execute(select(Patient.id).where(Patient.trial_id == trial.id, Patient.subject_id == sid)).first():
        raise DataError(
            f"trial {trial.code} already has a patient {sid}", code="STORE-E065", field="subject_id", subject_id=sid
        )
    number = _enrolment_number(session, trial.id, enrolment_number, sid)
    with audit_context(session, actor):
        patient = Patient(
            trial_id=trial.id,
            site_id=site.id,
            subject_id=sid,
            enrolment_number=number,
            protocol_version_id=trial.current_protocol_id,
            enrolled_on=enrolled_on,
            sex=sex,
            age=age,
            age_unit=age_unit if age is not None else None,
            race=race,
            ethnicity=ethnicity,
            country=country,
        )
        session.add(patient)
        session.flush()
        if name is not None or birth_date is not None:
            session.add(PatientIdentity(patient_id=patient.id, name=name, birth_date=birth_date))
            session.flush()
    return patient


def _latest_today() -> dt.date:
    """The latest date that has begun anywhere now (UTC+14): a date after it is in the future at every site."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=14)).date()


def _check_consent_date(consent_date: dt.date | None, subject_id: str) -> dt.date:
    if consent_date is None:
        raise DataError(
            f"patient {subject_id}: give the date the consent form was signed",
            code="STORE-E090",
            field="consent_date",
            subject_id=subject_id,
        )
    if consent_date > _latest_today():
        raise DataError(
            f"patient {subject_id}: consent date {consent_date.isoformat()} is in the future; give the date the "
            "form was signed",
            code="STORE-E091",
            field="consent_date",
            subject_id=subject_id,
        )
    return consent_date


def record_consent(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    *,
    form_version: str | None,
    consent_date: dt.date | None,
) -> Consent:
    """Record a signed consent (form version and date; the date not in the future)."""
    require_entry(actor)
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id)
    if form_version is None or not form_version.strip():
        raise DataError(
            f"patient {subject_id}: give the version of the consent form signed",
            code="STORE-E066",
            field="form_version",
            subject_id=subject_id,
        )
    check_lengths(Consent, {"form_version": form_version}, subject_id)
    consent_date = _check_consent_date(consent_date, subject_id)
    with audit_context(session, actor):
        consent = Consent(patient_id=patient.id, form_version=form_version, consent_date=consent_date)
        session.add(consent)
        session.flush()
    return consent


def _parse_record(subject_id: str, record: dict[str, Any]) -> PatientRecord:
    try:
        return PatientRecord.model_validate({"subject_id": subject_id, **record})
    except ValidationError as exc:
        lines = "; ".join(
            f"{place}: {message}" if place else message for place, message in validation_messages(exc.errors())
        )
        raise DataError(
            f"patient {subject_id}: the screening record cannot be read: {lines}",
            code="STORE-E067",
            field="record",
            subject_id=subject_id,
        ) from exc


def record_screening(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    record: dict[str, Any],
    *,
    screened_at: dt.datetime,
) -> Screening:
    """Screen the patient under the protocol they were enrolled under, and keep the record and each
    criterion's result (``oncotrial.eligibility``); dated on or after consent.

    The date of birth is identifying: it is kept in the identity table (never in the stored screening record,
    which the statistician reads), and must agree with a date of birth recorded there before.
    """
    require(actor, "enter_data")
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id)
    check_after_consent(session, patient, screened_at, field="screened_at")
    protocol = protocol_of_patient(session, patient, needed_for="eligibility")
    parsed = _parse_record(subject_id, record)
    result = evaluate_eligibility(protocol, parsed, as_of=screened_at)
    identity = session.get(PatientIdentity, patient.id)
    if parsed.birth_date is not None and identity is not None and identity.birth_date not in (None, parsed.birth_date):
        raise DataError(
            f"patient {subject_id}: the record's birth_date {parsed.birth_date} differs from the date of birth "
            "recorded at enrolment; check which is right",
            code="STORE-E068",
            field="birth_date",
            subject_id=subject_id,
        )
    kept = {key: value for key, value in record.items() if key not in IDENTIFYING_FIELDS}
    with audit_context(session, actor):
        if parsed.birth_date is not None and identity is None:
            session.add(PatientIdentity(patient_id=patient.id, name=None, birth_date=parsed.birth_date))
        elif parsed.birth_date is not None and identity is not None and identity.birth_date is None:
            with audit_context(session, actor, "date of birth from the screening record"):
                identity.birth_date = parsed.birth_date
                session.flush()
        screening = Screening(
            patient_id=patient.id,
            screened_at=screened_at,
            status=result.status,
            record_json=json.dumps(kept, sort_keys=True, default=str),
            protocol_version_id=patient.protocol_version_id,
        )
        session.add(screening)
        session.flush()
        session.add_all(
            ScreeningCriterion(
                screening_id=screening.id, criterion_id=c.criterion_id, type=c.type, status=c.status, reason=c.reason
            )
            for c in result.criteria
        )
        session.flush()
    return screening


def delete_patient(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    *,
    reason: str,
    expected_version: int | None = None,
) -> Patient:
    """Soft delete: the patient and their records stay, marked deleted, with the reason (audited)."""
    require(actor, "enter_data")
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id, for_update=True)
    check_version(patient, expected_version, what=f"patient {subject_id}", subject_id=subject_id)
    with audit_context(session, actor, reason):
        patient.deleted_on = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        patient.deleted_reason = reason
        session.flush()
    return patient


_PATIENT_FIELDS = ("sex", "age", "race", "ethnicity", "country")


def _batch_site_ids(session: Session, actor: Actor, trial: Any, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Each row's site id (by ``site_code``), with the site check of the acting user."""
    sites = dict(session.execute(select(Site.code, Site.id).where(Site.trial_id == trial.id)).all())
    ids = []
    for number, row in enumerate(rows, start=1):
        code = row.get("site_code")
        if code not in sites:
            raise DataError(
                f"row {number}: trial {trial.code} has no site {code!r} (its sites: {', '.join(sites) or 'none'})",
                code="STORE-E022",
                field="site",
                subject_id=row.get("subject_id"),
                rows=(number,),
            )
        require_site(actor, sites[code], subject_id=row.get("subject_id"))
        ids.append(sites[code])
    return ids


_SUBJECT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def check_subject_id(subject_id: str, *, site_code: str, entry: bool, row: int | None = None) -> None:
    """A subject id is a pseudonym of letters, digits, '-', '.' and '_' (it appears in file names, exports and
    addresses); under a protocol (``entry``) it begins with its site's code and a hyphen, as the ids oncotrial
    gives do (``01-0007``). Data imported from elsewhere keep their own form."""
    where = f"row {row}: " if row is not None else ""
    problem = None
    if not _SUBJECT_ID.fullmatch(subject_id):
        problem = "use up to 64 letters, digits, '-', '.' or '_', with no spaces (e.g. 01-0007)"
    elif entry and not subject_id.startswith(f"{site_code}-"):
        problem = f"it must begin with its site's code, {site_code}- (e.g. {site_code}-0007)"
    if problem is not None:
        raise DataError(
            f"{where}subject id {subject_id!r}: {problem}",
            code="STORE-E069",
            field="subject_id",
            subject_id=subject_id,
            rows=(row,) if row is not None else (),
        )


def _check_new_subjects(session: Session, trial: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        sid = row.get("subject_id")
        if not isinstance(sid, str) or not sid.strip() or sid in seen:
            what = "twice in the batch" if sid in seen else "without a subject id"
            raise DataError(
                f"row {number}: patient {sid!r} is {what}; give each patient one unique subject id",
                code="STORE-E065",
                field="subject_id",
                subject_id=sid if isinstance(sid, str) else None,
                rows=(number,),
            )
        check_subject_id(
            sid, site_code=str(row.get("site_code")), entry=trial.current_protocol_id is not None, row=number
        )
        seen.add(sid)
        _check_demographics(row.get("sex"), row.get("age"), sid, number)
    taken = session.execute(
        select(Patient.subject_id).where(Patient.trial_id == trial.id, Patient.subject_id.in_(sorted(seen)))
    ).scalars()
    first = next(iter(taken), None)
    if first is not None:
        raise DataError(
            f"trial {trial.code} already has a patient {first}", code="STORE-E065", field="subject_id", subject_id=first
        )


def enrol_patients(session: Session, actor: Actor, trial_code: str, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Register many patients at once (the SDTM import), with the checks of :func:`enrol_patient`.

    Each row has ``subject_id``, ``site_code``, ``enrolled_on`` and optionally the demographics of
    :func:`enrol_patient` (``sex``, ``age``, ``age_unit``, ``race``, ``ethnicity``, ``country``) and the
    identifying ``name`` and ``birth_date`` (written to the identity table only). Enrolment numbers follow the
    trial's last one, in the rows' order. Every row is checked before any is written; returns the patients' ids.
    """
    require_entry(actor)
    trial = find_trial(session, trial_code)
    site_ids = _batch_site_ids(session, actor, trial, rows)
    _check_new_subjects(session, trial, rows)
    top = session.execute(select(func.max(Patient.enrolment_number)).where(Patient.trial_id == trial.id)).scalar()
    patients = [
        {
            "trial_id": trial.id,
            "site_id": site_id,
            "subject_id": row["subject_id"],
            "enrolment_number": int(top or 0) + number,
            "protocol_version_id": trial.current_protocol_id,
            "enrolled_on": row["enrolled_on"],
            **{name: row.get(name) for name in _PATIENT_FIELDS},
            "age_unit": row.get("age_unit", "YEARS") if row.get("age") is not None else None,
            "deleted_on": None,
            "deleted_reason": None,
        }
        for number, (row, site_id) in enumerate(zip(rows, site_ids, strict=True), start=1)
    ]
    ids = insert_audited(session, Patient.__table__, patients, actor)  # type: ignore[arg-type]
    identities = [
        {"patient_id": pid, "name": row.get("name"), "birth_date": row.get("birth_date")}
        for pid, row in zip(ids, rows, strict=True)
        if row.get("name") is not None or row.get("birth_date") is not None
    ]
    insert_audited(session, PatientIdentity.__table__, identities, actor)  # type: ignore[arg-type]
    return ids


def record_consents(session: Session, actor: Actor, trial_code: str, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Record many signed consents (``subject_id``, ``form_version``, ``consent_date``), checked as
    :func:`record_consent` does, all before any is written."""
    require_entry(actor)
    trial = find_trial(session, trial_code)
    subjects = sorted({str(row["subject_id"]) for row in rows})
    found = {
        p.subject_id: p
        for p in session.execute(
            select(Patient).where(Patient.trial_id == trial.id, Patient.subject_id.in_(subjects))
        ).scalars()
    }
    records = []
    for number, row in enumerate(rows, start=1):
        sid = str(row["subject_id"])
        patient = found.get(sid)
        if patient is None or patient.deleted_on is not None:
            raise NotFoundError(
                f"row {number}: trial {trial.code} has no patient {sid!r}",
                code="STORE-E023",
                field="subject_id",
                subject_id=sid,
                rows=(number,),
            )
        require_site(actor, patient.site_id, subject_id=sid)
        if not str(row.get("form_version") or "").strip():
            raise DataError(
                f"row {number}: patient {sid}: give the version of the consent form signed",
                code="STORE-E066",
                field="form_version",
                subject_id=sid,
                rows=(number,),
            )
        records.append(
            {
                "patient_id": patient.id,
                "form_version": row["form_version"],
                "consent_date": row["consent_date"],
                "withdrawn_on": None,
            }
        )
    return insert_audited(session, Consent.__table__, records, actor)  # type: ignore[arg-type]
