"""Reading the trial database for the staff's pages: the trials a user works on, a trial's dashboard, the
patient list, and a patient's timeline.

The same rules as the writing operations, checked here once: ``read`` for every role; a site role
(coordinator, investigator) sees its own site's patients only (:func:`~oncotrial.store.access.require_site`,
and the patient list and dashboard counts are limited to that site); the concealed allocation list is never
read here (only the assignments of patients already randomised).

The dashboard's Simon stage-1 status comes from :func:`oncotrial.design.monitoring.evaluate_two_stage_interim`
for a protocol with a ``simon_two_stage`` design that gives ``r1``, ``n1``, ``r`` and ``n``; responses are the
patients with at least one time-point response of CR or PR (unconfirmed: the best overall response with
confirmation is the ADRS export's work).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oncotrial.store.access import SITE_ROLES, require
from oncotrial.store.audit import Actor
from oncotrial.store.models import (
    Administration,
    AdverseEvent,
    Assessment,
    Consent,
    CycleStart,
    Disposition,
    Patient,
    Randomisation,
    Screening,
    ScreeningCriterion,
    Site,
    TimepointResponse,
    TreatmentStart,
    Trial,
)
from oncotrial.store.services._common import find_patient, find_trial, protocol_of_trial, visible_patients
from oncotrial.store.services.queries import query_counts

__all__ = [
    "Dashboard",
    "DoseChange",
    "PatientRow",
    "ScreeningForm",
    "ScreeningView",
    "Timeline",
    "TimelineEvent",
    "TrialRow",
    "dose_changes",
    "list_patients",
    "list_trials",
    "patient_timeline",
    "screening_form",
    "trial_dashboard",
]

RESPONSES = ("CR", "PR")


@dataclass(frozen=True)
class TrialRow:
    """A trial as the trial list shows it."""

    code: str
    title: str
    patients: int


@dataclass(frozen=True)
class PatientRow:
    """A patient as the patient list shows it: no identifying data."""

    subject_id: str
    site: str
    enrolled_on: dt.date
    screening: str | None
    arm: str | None


@dataclass(frozen=True)
class Dashboard:
    """A trial's state: enrolment by site and arm against the target, the Simon status, responses so far."""

    code: str
    title: str
    target: int | None
    enrolled: int
    randomised: int
    by_site_and_arm: dict[str, dict[str, int]]
    arms: list[str]
    responders: int
    evaluable: int
    simon: dict[str, Any] | None
    simon_note: str
    sites_shown: str
    open_queries: int = 0  # waiting for the site's answer
    answered_queries: int = 0  # answered, waiting for the monitor


@dataclass(frozen=True)
class TimelineEvent:
    """One event of a patient's timeline, in words, and the record it was read from (its table and id: where its
    audit history is)."""

    on: dt.date | dt.datetime | str | None
    kind: str
    text: str
    table: str | None = None
    record_id: int | None = None


@dataclass(frozen=True)
class ScreeningView:
    """A screening's result, criterion by criterion (id, type, status, reason)."""

    screened_at: dt.datetime
    status: str
    criteria: list[dict[str, str]]


@dataclass(frozen=True)
class Timeline:
    """A patient's page: who they are (pseudonymously), the latest screening, the arm, and every event."""

    subject_id: str
    site: str
    enrolled_on: dt.date
    consented: bool
    arm: str | None
    screening: ScreeningView | None
    events: list[TimelineEvent] = field(default_factory=list)


def list_trials(session: Session, actor: Actor) -> list[TrialRow]:
    """The trials the user works on (a site role: its site's trial), with their (visible) patients."""
    require(actor, "read")
    stmt = select(Trial).order_by(Trial.code)
    if actor.role in SITE_ROLES:
        stmt = stmt.join(Site, Site.trial_id == Trial.id).where(Site.id == actor.site_id)
    rows = []
    for trial in session.execute(stmt).scalars():
        count = (
            select(func.count()).select_from(Patient).where(Patient.trial_id == trial.id, Patient.deleted_on.is_(None))
        )
        rows.append(
            TrialRow(trial.code, trial.title, int(session.execute(count.where(visible_patients(actor))).scalar_one()))
        )
    return rows


def _latest_screenings(session: Session, patient_ids: list[int]) -> dict[int, str]:
    latest: dict[int, str] = {}
    stmt = select(Screening.patient_id, Screening.status).where(Screening.patient_id.in_(patient_ids))
    for patient_id, status in session.execute(stmt.order_by(Screening.screened_at, Screening.id)):
        latest[patient_id] = status
    return latest


def list_patients(session: Session, actor: Actor, trial_code: str, *, search: str | None = None) -> list[PatientRow]:
    """The trial's patients the user may see (a site role: its own site's), by subject id; ``search`` keeps
    those whose subject id contains it."""
    require(actor, "read")
    trial = find_trial(session, trial_code)
    stmt = (
        select(Patient, Site.code, Randomisation.arm)
        .join(Site, Site.id == Patient.site_id)
        .outerjoin(Randomisation, Randomisation.patient_id == Patient.id)
        .where(Patient.trial_id == trial.id, Patient.deleted_on.is_(None))
        .order_by(Patient.subject_id)
    )
    if search and search.strip():
        stmt = stmt.where(func.lower(Patient.subject_id).contains(search.strip().lower(), autoescape=True))
    found = session.execute(stmt.where(visible_patients(actor))).all()
    screenings = _latest_screenings(session, [patient.id for patient, _, _ in found])
    return [
        PatientRow(patient.subject_id, site, patient.enrolled_on, screenings.get(patient.id), arm)
        for patient, site, arm in found
    ]


def _simon(protocol: Any, responders: int, evaluable: int) -> tuple[dict[str, Any] | None, str]:
    design = protocol.design if protocol is not None else None
    if design is None or design.kind != "simon_two_stage":
        kind = design.kind.replace("_", " ") if design is not None else "no protocol"
        return None, f"not a Simon two-stage design ({kind})"
    params = (design.r1, design.n1, design.r, design.n)
    if any(value is None for value in params):
        return None, "the protocol's Simon design does not give r1, n1, r and n"
    from oncotrial.design.monitoring import evaluate_two_stage_interim
    from oncotrial.errors import DesignError

    try:
        decision = evaluate_two_stage_interim(responders, evaluable, r1=design.r1, n1=design.n1, r=design.r, n=design.n)
    except DesignError as exc:
        return None, str(exc)
    return decision.to_dict(), f"r1={design.r1}/n1={design.n1}, r={design.r}/n={design.n}"


def trial_dashboard(session: Session, actor: Actor, trial_code: str) -> Dashboard:
    """The trial's dashboard (a site role sees its own site's enrolment; the Simon status is the trial's)."""
    require(actor, "read")
    trial = find_trial(session, trial_code)
    protocol = protocol_of_trial(session, trial)
    stmt = (
        select(Site.code, Randomisation.arm, func.count())
        .select_from(Patient)
        .join(Site, Site.id == Patient.site_id)
        .outerjoin(Randomisation, Randomisation.patient_id == Patient.id)
        .where(Patient.trial_id == trial.id, Patient.deleted_on.is_(None))
        .group_by(Site.code, Randomisation.arm)
    )
    table: dict[str, dict[str, int]] = {}
    for site, arm, count in session.execute(stmt.where(visible_patients(actor))):
        table.setdefault(site, {})[arm or "not randomised"] = int(count)
    arms = list(getattr(protocol.design, "arms", None) or [arm.id for arm in protocol.arms]) if protocol else []
    arms += sorted({arm for row in table.values() for arm in row if arm not in arms and arm != "not randomised"})
    responders, evaluable = _responses(session, trial)
    simon, note = _simon(protocol, responders, evaluable)
    enrolled = sum(sum(row.values()) for row in table.values())
    queries = query_counts(session, actor, trial_code)
    not_randomised = sum(row.get("not randomised", 0) for row in table.values())
    return Dashboard(
        code=trial.code,
        title=trial.title,
        target=getattr(protocol.design, "enrolled", None) if protocol else None,
        enrolled=enrolled,
        randomised=enrolled - not_randomised,
        by_site_and_arm=table,
        arms=arms,
        responders=responders,
        evaluable=evaluable,
        simon=simon,
        simon_note=note,
        sites_shown="your site" if actor.role in SITE_ROLES else "all sites",
        open_queries=queries["open"],
        answered_queries=queries["answered"],
    )


def _responses(session: Session, trial: Trial) -> tuple[int, int]:
    """(patients with a CR or PR at some time point, patients with any time-point response), trial-wide."""
    stmt = (
        select(Assessment.patient_id, TimepointResponse.overall)
        .join(TimepointResponse, TimepointResponse.assessment_id == Assessment.id)
        .join(Patient, Patient.id == Assessment.patient_id)
        .where(Patient.trial_id == trial.id, Patient.deleted_on.is_(None))
    )
    assessed: set[int] = set()
    responders: set[int] = set()
    for patient_id, overall in session.execute(stmt):
        assessed.add(patient_id)
        if overall in RESPONSES:
            responders.add(patient_id)
    return len(responders), len(assessed)


def _screening_view(session: Session, patient: Patient) -> ScreeningView | None:
    latest = (
        session.execute(
            select(Screening)
            .where(Screening.patient_id == patient.id)
            .order_by(Screening.screened_at.desc(), Screening.id.desc())
        )
        .scalars()
        .first()
    )
    if latest is None:
        return None
    criteria = session.execute(
        select(ScreeningCriterion).where(ScreeningCriterion.screening_id == latest.id).order_by(ScreeningCriterion.id)
    ).scalars()
    return ScreeningView(
        latest.screened_at,
        latest.status,
        [{"criterion_id": c.criterion_id, "type": c.type, "status": c.status, "reason": c.reason} for c in criteria],
    )


def _events(session: Session, patient: Patient) -> list[TimelineEvent]:
    """Every recorded event of the patient, in words (consent, screening, randomisation, doses, assessments,
    adverse events, disposition)."""
    pid = patient.id
    events = [
        TimelineEvent(patient.enrolled_on, "enrolment", f"enrolled (number {patient.enrolment_number})", "patient", pid)
    ]
    for c in session.execute(select(Consent).where(Consent.patient_id == pid)).scalars():
        events.append(
            TimelineEvent(c.consent_date, "consent", f"consent form {c.form_version} signed", "consent", c.id)
        )
    for s in session.execute(select(Screening).where(Screening.patient_id == pid)).scalars():
        events.append(TimelineEvent(s.screened_at, "screening", f"screened: {s.status}", "screening", s.id))
    for r in session.execute(select(Randomisation).where(Randomisation.patient_id == pid)).scalars():
        events.append(
            TimelineEvent(r.randomised_on, "randomisation", f"randomised to arm {r.arm}", "randomisation", r.id)
        )
    start = session.get(TreatmentStart, pid)
    if start is not None:
        events.append(
            TimelineEvent(start.start, "treatment start", f"cycle 1 day 1 in arm {start.arm}", "treatment_start", pid)
        )
    for cs in session.execute(select(CycleStart).where(CycleStart.patient_id == pid)).scalars():
        text = f"cycle {cs.cycle} started on {cs.start} ({cs.reason})"
        events.append(TimelineEvent(cs.start, "cycle start", text, "cycle_start", cs.id))
    for a in session.execute(select(Administration).where(Administration.patient_id == pid)).scalars():
        what = f"{a.treatment}, cycle {a.cycle} dose {a.number}: {a.status}" + (f" ({a.reason})" if a.reason else "")
        events.append(TimelineEvent(a.given_at, "dose", what, "administration", a.id))
    stmt = select(Assessment, TimepointResponse.overall).outerjoin(
        TimepointResponse, TimepointResponse.assessment_id == Assessment.id
    )
    for assessment, overall in session.execute(stmt.where(Assessment.patient_id == pid)):
        text = f"tumour assessment {assessment.visit}" + (f": {overall}" if overall else "")
        events.append(TimelineEvent(assessment.assessed_on, "assessment", text, "assessment", assessment.id))
    for ae in session.execute(select(AdverseEvent).where(AdverseEvent.patient_id == pid)).scalars():
        grade = f"grade {ae.grade}" if ae.grade is not None else (ae.severity or "no grade")
        events.append(
            TimelineEvent(
                ae.onset,
                "adverse event",
                f"{ae.term}, {grade}" + (", serious" if ae.serious else ""),
                "adverse_event",
                ae.id,
            )
        )
    for d in session.execute(select(Disposition).where(Disposition.patient_id == pid)).scalars():
        kind = d.event.replace("_", " ")
        events.append(TimelineEvent(d.event_date, kind, d.reason or kind, "disposition", d.id))
    return sorted(events, key=_event_order)


# on one day, events in the order a trial runs (a date without a time sorts with that day's times)
KIND_ORDER = (
    "enrolment",
    "consent",
    "screening",
    "randomisation",
    "treatment start",
    "cycle start",
    "dose",
    "assessment",
    "adverse event",
)


def _event_order(event: TimelineEvent) -> tuple[str, int, str]:
    when = "" if event.on is None else str(event.on)
    rank = KIND_ORDER.index(event.kind) if event.kind in KIND_ORDER else len(KIND_ORDER)
    return when[:10], rank, when


def patient_timeline(session: Session, actor: Actor, trial_code: str, subject_id: str) -> Timeline:
    """A patient's page: the latest screening criterion by criterion, the arm, and every event by date."""
    require(actor, "read")
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id)
    site = session.get_one(Site, patient.site_id)
    arm = session.execute(select(Randomisation.arm).where(Randomisation.patient_id == patient.id)).scalar()
    consented = session.execute(select(Consent.id).where(Consent.patient_id == patient.id)).first() is not None
    return Timeline(
        subject_id=patient.subject_id,
        site=site.code,
        enrolled_on=patient.enrolled_on,
        consented=consented,
        arm=arm,
        screening=_screening_view(session, patient),
        events=_events(session, patient),
    )


@dataclass(frozen=True)
class ScreeningForm:
    """The fields of a patient's screening record under their protocol (``oncotrial.eligibility``'s template),
    each with the value to show first: the latest screening's, else the consent date recorded, else the preset."""

    subject_id: str
    fields: list[tuple[tuple[str | int, ...], Any, str]]


def _lookup(record: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        if isinstance(part, int):
            record = record[part] if isinstance(record, list) and part < len(record) else None
        else:
            record = record.get(part) if isinstance(record, dict) else None
        if record is None:
            return None
    return record


def screening_form(session: Session, actor: Actor, trial_code: str, subject_id: str) -> ScreeningForm:
    """The screening form of a patient of the actor's site, for data entry (``enter_data``)."""
    require(actor, "enter_data")
    from oncotrial.eligibility.template import build_record_template
    from oncotrial.store.services._common import protocol_of_patient

    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id)
    protocol = protocol_of_patient(session, patient, needed_for="eligibility")
    latest = (
        session.execute(
            select(Screening.record_json)
            .where(Screening.patient_id == patient.id)
            .order_by(Screening.screened_at.desc(), Screening.id.desc())
        )
        .scalars()
        .first()
    )
    before = json.loads(latest) if latest else {}
    consent = session.execute(
        select(Consent.consent_date).where(Consent.patient_id == patient.id).order_by(Consent.consent_date)
    ).scalar()
    if consent is not None:
        before.setdefault("consent_date", consent.isoformat())
    fields = []
    for item in build_record_template(protocol):
        if item.path == ("subject_id",):
            continue
        shown = _lookup(before, item.path)
        fields.append((item.path, item.value if shown is None else shown, item.comment))
    return ScreeningForm(patient.subject_id, fields)


@dataclass(frozen=True)
class DoseChange:
    """A dose held, delayed or reduced, or a cycle started late, and the adverse event recorded as its cause."""

    subject_id: str
    event_id: int
    term: str
    grade: int | None
    onset: dt.date
    change: str  # held | delayed | reduced | given above the plan | cycle started late
    treatment: str | None  # None for a cycle start
    cycle: int
    number: int | None
    on: dt.date | None
    reason: str | None


def _change_of(dose: Administration) -> str:
    if dose.status != "given":
        return dose.status
    return "given above the plan" if dose.allow_above_planned else "reduced"


def dose_changes(session: Session, actor: Actor, trial_code: str) -> list[DoseChange]:
    """Every dose and cycle start that names the adverse event that changed it, by patient, event and cycle (a
    site role: its site's patients): the toxicity's effect on treatment, from the dosing records."""
    require(actor, "read")
    trial = find_trial(session, trial_code)
    visible = (Patient.trial_id == trial.id) & Patient.deleted_on.is_(None) & visible_patients(actor)
    doses = session.execute(
        select(Patient.subject_id, AdverseEvent, Administration)
        .join(AdverseEvent, AdverseEvent.patient_id == Patient.id)
        .join(Administration, Administration.adverse_event_id == AdverseEvent.id)
        .where(visible)
    ).all()
    starts = session.execute(
        select(Patient.subject_id, AdverseEvent, CycleStart)
        .join(AdverseEvent, AdverseEvent.patient_id == Patient.id)
        .join(CycleStart, CycleStart.adverse_event_id == AdverseEvent.id)
        .where(visible)
    ).all()  # the same query for cycle starts: written out, as each keeps its model's type
    changes = [
        DoseChange(
            subject, event.id, event.term, event.grade, event.onset, _change_of(dose), dose.treatment, dose.cycle,
            dose.number, dose.given_at.date() if dose.given_at else None, dose.reason,
        )
        for subject, event, dose in doses
    ] + [
        DoseChange(
            subject, event.id, event.term, event.grade, event.onset, "cycle started late", None, start.cycle, None,
            start.start, start.reason,
        )
        for subject, event, start in starts
    ]  # fmt: skip
    return sorted(changes, key=lambda c: (c.subject_id, c.event_id, c.cycle, c.number or 0))
