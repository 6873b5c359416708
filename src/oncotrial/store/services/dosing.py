"""Dosing: the start of a patient's treatment, each administration given, held or delayed, delayed cycles,
and corrections.

The planned calendar is not stored: :func:`check_calendars` rebuilds it with
:func:`oncotrial.dosing.build_dosing_calendar` from the protocol version the patient was enrolled under, the
treatment start, the cycle starts and every administration recorded so far plus the new ones, so the
protocol's limits (doses per cycle, per two cycles, the end of a cycle, the maximum delay of a cycle, the
planned dose) are the core's, enforced once. Its :class:`~oncotrial.errors.ScheduleError` (or
:class:`~oncotrial.errors.DataError`) comes back with the patient and the row added, its code and message
(the limit) unchanged. A patient who crossed over (``record_crossover``) is planned in the randomised arm up
to the crossover rule's first cycle, and from it on the crossover calendar, which starts on the recorded
start of that cycle (``record_cycle_start``).

A trial without a protocol holds data imported from elsewhere (SDTM EX): there is no calendar, so only the
generic checks are made: the status, a reason for a held or delayed dose, the time of a dose given, an
amount with its unit, dates on or after consent, ``ended_at`` not before ``given_at``. Choice: such data may
record an amount of 0 (SDTM records a placebo as EXDOSE 0: 226 of CDISCPILOT01's 591 EX rows), which entry
under a protocol refuses (a dose not given is ``held``).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from oncotrial.dosing import Administration as CalendarDose
from oncotrial.dosing import AdministrationRecord, CyclePlan, CycleStartRecord, Patient, build_dosing_calendar
from oncotrial.errors import DataError, NotFoundError, ScheduleError, TrialError, validation_messages
from oncotrial.protocol.models import Protocol
from oncotrial.store.access import require
from oncotrial.store.audit import Actor, audit_context
from oncotrial.store.models import Administration, AdverseEvent, Crossover, CycleStart, Randomisation, TreatmentStart
from oncotrial.store.models import Patient as PatientRow
from oncotrial.store.services._batch import (
    Batch,
    Rows,
    check_after_consents,
    check_lengths,
    check_not_before,
    correct_record,
    is_after,
    open_batch,
    refuse_rows,
    row_label,
    to_bools,
    to_datetimes,
    to_numbers,
    to_texts,
    write_batch,
)
from oncotrial.store.services._common import (
    assignment_of,
    check_after_consent,
    check_version,
    find_patient,
    find_trial,
    protocol_of_patient,
    require_entry,
)

__all__ = [
    "STATUSES",
    "CalendarCycle",
    "DosingCalendarView",
    "PlannedDose",
    "correct_treatment_start",
    "doses_given",
    "dosing_calendar",
    "record_administration",
    "record_administrations",
    "record_cycle_start",
    "record_treatment_start",
    "update_administration",
]

STATUSES = ("given", "held", "delayed")
KEY = ("treatment", "cycle", "number")
FIELDS = (
    *KEY,
    "status",
    "given_at",
    "ended_at",
    "amount",
    "unit",
    "percent",
    "reason",
    "route",
    "form",
    "frequency",
    "visit",
    "adverse_event_id",
    "allow_above_planned",
)


# --- treatment start and cycle starts -----------------------------------------------------------------------


def _patient_of(protocol_patient: PatientRow, start: TreatmentStart) -> Patient:
    return Patient(
        weight_kg=start.weight_kg if start.weight_kg is not None else float("nan"),
        height_cm=start.height_cm,
        patient_number=protocol_patient.enrolment_number,
        subject_id=protocol_patient.subject_id,
    )


def record_treatment_start(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    *,
    start: dt.datetime,
    weight_kg: float,
    height_cm: float | None = None,
) -> TreatmentStart:
    """Record day 1 of cycle 1 (date and time of the first dose) in the patient's randomised arm, on or after
    randomisation, with the weight (and height, for doses per m²) the doses are computed from. The calendar
    from it is built once, so a start the protocol does not allow (NCT01416831: not a Monday) is refused with
    the next valid date."""
    require_entry(actor)
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id, for_update=True)
    arm = _checked_start(session, patient, start)
    if session.get(TreatmentStart, patient.id) is not None:
        raise DataError(
            f"patient {subject_id}: the treatment start is already recorded; a wrong one is corrected "
            "(oncotrial dose correct-start), not recorded twice",
            code="STORE-E142",
            field="start",
            subject_id=subject_id,
        )
    treatment_start = TreatmentStart(
        patient_id=patient.id, arm=arm, start=start, weight_kg=weight_kg, height_cm=height_cm
    )
    _check_calendar(session, patient, treatment_start, [], [], rows=())
    with audit_context(session, actor):
        session.add(treatment_start)
        session.flush()
    return treatment_start


def _checked_start(session: Session, patient: PatientRow, start: dt.datetime) -> str:
    """The patient's arm, once the start is on or after randomisation and consent."""
    assignment = assignment_of(
        session, patient, refusal="so has no arm to start; randomise first", code="STORE-E140", field="start"
    )
    if start.date() < assignment.randomised_on:
        raise DataError(
            f"patient {patient.subject_id}: treatment start {start:%Y-%m-%d %H:%M} is before randomisation on "
            f"{assignment.randomised_on}; check the date",
            code="STORE-E141",
            field="start",
            subject_id=patient.subject_id,
        )
    check_after_consent(session, patient, start, field="start")
    return assignment.arm


def correct_treatment_start(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    *,
    reason: str,
    start: dt.datetime | None = None,
    weight_kg: float | None = None,
    height_cm: float | None = None,
    expected_version: int | None = None,
) -> TreatmentStart:
    """Correct the recorded treatment start (its date and time, weight or height), with the reason, audited.

    The corrected start is checked as a new one is (on or after randomisation and consent, a start the
    protocol allows), and the patient's calendar is rebuilt with every dose and cycle start recorded: a
    correction that would put a recorded dose outside its cycle, or above the dose planned from the weight,
    is refused with the limit named. ``expected_version`` refuses a correction made from an older version.
    """
    require_entry(actor)
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id, for_update=True)
    recorded = _treatment_start(session, patient)
    check_version(
        recorded, expected_version, what=f"the treatment start of patient {subject_id}", subject_id=subject_id
    )
    corrected = TreatmentStart(  # checked before the recorded one is changed; never added to the session
        patient_id=patient.id,
        arm=recorded.arm,
        start=recorded.start if start is None else start,
        weight_kg=recorded.weight_kg if weight_kg is None else weight_kg,
        height_cm=recorded.height_cm if height_cm is None else height_cm,
    )
    _checked_start(session, patient, corrected.start)
    _check_calendar(
        session,
        patient,
        corrected,
        _administrations(session, [patient.id]),
        _cycle_starts(session, patient.id),
        rows=(),
    )
    with audit_context(session, actor, reason):
        recorded.start, recorded.weight_kg, recorded.height_cm = (
            corrected.start,
            corrected.weight_kg,
            corrected.height_cm,
        )
        session.flush()
    return recorded


def record_cycle_start(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    *,
    cycle: int,
    start: dt.date,
    reason: str,
    adverse_event_id: int | None = None,
) -> CycleStart:
    """Record that a cycle (2 or later) started on another day than planned, with the reason (and the patient's
    adverse event that delayed it, if one did); the protocol's window (NCT01416831: planned day to 7 days later, a
    Monday) is checked on the rebuilt calendar."""
    require_entry(actor)
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id, for_update=True)
    check_after_consent(session, patient, start, field="start")
    if adverse_event_id is not None:
        event = session.get(AdverseEvent, adverse_event_id)
        if event is None or event.patient_id != patient.id or event.onset > start:
            raise DataError(
                f"patient {subject_id}: adverse event {adverse_event_id} is not one of this patient's events that "
                f"began by {start}; give the id that `oncotrial ae add` printed for the event that delayed cycle {cycle}",
                code="STORE-E159",
                field="adverse_event_id",
                subject_id=subject_id,
            )
    if not reason.strip():
        raise DataError(
            f"patient {subject_id}: give the reason cycle {cycle} started later (e.g. 'toxicity not resolved')",
            code="STORE-E143",
            field="reason",
            subject_id=subject_id,
        )
    treatment_start = _treatment_start(session, patient)
    existing = _cycle_starts(session, patient.id)
    if any(c.cycle == cycle for c in existing):
        raise DataError(
            f"patient {subject_id}: the start of cycle {cycle} is already recorded",
            code="STORE-E144",
            field="cycle",
            subject_id=subject_id,
        )
    record = CycleStart(
        patient_id=patient.id, cycle=cycle, start=start, reason=reason.strip(), adverse_event_id=adverse_event_id
    )
    _check_calendar(
        session, patient, treatment_start, _administrations(session, [patient.id]), [*existing, record], rows=()
    )
    with audit_context(session, actor):
        session.add(record)
        session.flush()
    return record


def _treatment_start(session: Session, patient: PatientRow) -> TreatmentStart:
    found = session.get(TreatmentStart, patient.id)
    if found is None:
        raise DataError(
            f"patient {patient.subject_id}: no treatment start is recorded, so the protocol's calendar cannot be "
            "built; record the treatment start first",
            code="STORE-E145",
            field="start",
            subject_id=patient.subject_id,
        )
    return found


def _cycle_starts(session: Session, patient_id: int) -> list[CycleStart]:
    return list(session.execute(select(CycleStart).where(CycleStart.patient_id == patient_id)).scalars())


def _administrations(
    session: Session, patient_ids: Sequence[int], *, excluding: int | None = None
) -> list[Administration]:
    stmt = select(Administration).where(Administration.patient_id.in_(patient_ids))
    if excluding is not None:
        stmt = stmt.where(Administration.id != excluding)
    return list(session.execute(stmt).scalars())


# --- the calendar check -------------------------------------------------------------------------------------


def _as_record(row: Mapping[str, Any]) -> AdministrationRecord:
    return AdministrationRecord(
        treatment=row["treatment"],
        cycle=row["cycle"],
        number=row["number"],
        status=row["status"],
        datetime=row["given_at"],
        amount=row["amount"],
        unit=row["unit"],
        percent=row["percent"],
        reason=row["reason"],
        allow_above_planned=bool(row.get("allow_above_planned")),
    )


# the core's names of the fields its calendar errors are about, as the records name them (a cycle start: its start)
_RECORD_FIELDS = {"datetime": "given_at", "cycles": "cycle", "cycle_starts": "start"}


def _with_row(exc: TrialError, subject_id: str, rows: Sequence[tuple[int, int, int]], count: int) -> TrialError:
    """The core's error, with the patient and the row of the batch of ``count`` rows at fault: of the patient's
    rows, the last one of the cycle the error names (the dose beyond the limit), else the patient's last row; and
    the field as the administration record names it."""
    chosen = [r for r in rows if exc.cycle is None or r[1] == exc.cycle] or list(rows)
    row = max(chosen, key=lambda r: (r[1], r[2], r[0]))[0] if chosen else None
    where = row_label("administration", row - 1, count) if row is not None else "administration"
    located = copy.copy(exc)  # the same class, code, cycle and next valid date
    located.message = f"{where}, patient {subject_id}: {exc.message.rstrip('.')}; nothing was recorded"
    located.args = (located.message,)
    located.field = _RECORD_FIELDS.get(str(exc.field), exc.field)
    located.subject_id = subject_id
    located.rows = (row,) if row is not None else ()
    return located


def _build_calendars(
    protocol: Protocol,
    start: TreatmentStart,
    patient: Patient,
    records: Sequence[AdministrationRecord],
    starts: Sequence[CycleStartRecord],
    crossover: str | None,
) -> tuple[list[CalendarDose], list[CyclePlan]]:
    """The randomised arm's calendar; for a patient who crossed over, the cycles from the crossover rule's first
    one are the crossover calendar's (``build_dosing_calendar(..., crossover=rule)``), starting on the recorded
    start of that cycle. Returns every dose of the calendars, as planned or as recorded, and every cycle's day 1
    (planned, latest allowed, actual)."""
    arm = protocol.arm(start.arm)
    rule = next((r for r in arm.crossover if r.id == crossover), None)
    first = rule.first_cycle_number if rule is not None else None
    before = [r for r in records if first is None or r.cycle < first]
    starts_before = [c for c in starts if first is None or c.cycle < first]
    cycles = max([arm.planned_cycles, *(r.cycle for r in before), *(c.cycle for c in starts_before)])
    calendar = build_dosing_calendar(
        protocol, start.arm, patient, start.start, cycles=cycles, administrations=before, cycle_starts=starts_before
    )
    after = [r for r in records if first is not None and r.cycle >= first]
    if rule is None or not after:
        return list(calendar.administrations), list(calendar.cycles)
    first = rule.first_cycle_number
    first_start = next((c for c in starts if c.cycle == first), None)
    if first_start is None:
        raise DataError(
            f"cycle {first} is the first cycle after the crossover to arm {rule.to_arm}: record its start (the "
            "day 1 of that cycle) before its doses",
            code="STORE-E146",
            field="cycle",
            cycle=first,
        )
    crossed = build_dosing_calendar(
        protocol,
        start.arm,
        patient,
        first_start.start,
        crossover=rule.id,
        administrations=after,
        cycle_starts=[c for c in starts if c.cycle > first],
    )
    return (
        [*(a for a in calendar.administrations if a.cycle < first), *crossed.administrations],
        [*(c for c in calendar.cycles if c.cycle < first), *crossed.cycles],
    )


def doses_given(session: Session, patient_ids: Sequence[int]) -> dict[int, tuple[float, str, str]]:
    """The dose, unit and route of each recorded administration entered without an amount or a route (as planned,
    or as a percent of the plan), by its id, from the patients' calendars rebuilt under their protocol version:
    what SDTM's EXDOSE, EXDOSU and EXROUTE hold. A patient without a treatment start or a protocol, or whose
    records no longer build a calendar, gives none."""
    given: dict[int, tuple[float, str, str]] = {}
    for patient in session.execute(select(PatientRow).where(PatientRow.id.in_(patient_ids))).scalars():
        start = session.get(TreatmentStart, patient.id)
        protocol = protocol_of_patient(session, patient, needed_for="EXDOSE") if start is not None else None
        if start is None or protocol is None:
            continue
        recorded = _administrations(session, [patient.id])
        stored = [a for a in recorded if (a.amount is None or a.route is None) and a.status != "held"]
        if not stored:
            continue
        try:
            calendar, _ = _rebuilt(session, protocol, patient, start, recorded, _cycle_starts(session, patient.id))
        except (TrialError, ValidationError):  # e.g. a protocol amended since: the doses keep no amount
            continue
        planned = {(d.treatment, d.cycle, d.number): (float(d.dose), str(d.unit), str(d.route)) for d in calendar}
        given.update({a.id: planned[key] for a in stored if (key := (a.treatment, a.cycle, a.number)) in planned})
    return given


def _rebuilt(
    session: Session,
    protocol: Protocol,
    patient: PatientRow,
    start: TreatmentStart,
    administrations: Sequence[Mapping[str, Any] | Administration],
    cycle_starts: Sequence[CycleStart],
) -> tuple[list[CalendarDose], list[CyclePlan]]:
    """The patient's calendar (every dose, as planned or as recorded, and every cycle's day 1) from the given
    records and cycle starts."""
    crossover = session.execute(select(Crossover.rule_id).where(Crossover.patient_id == patient.id)).scalar()
    records = [_as_record(a if isinstance(a, Mapping) else {n: getattr(a, n) for n in FIELDS}) for a in administrations]
    starts = [CycleStartRecord(cycle=c.cycle, start=c.start, reason=c.reason) for c in cycle_starts]
    return _build_calendars(protocol, start, _patient_of(patient, start), records, starts, crossover)


def _check_calendar(
    session: Session,
    patient: PatientRow,
    start: TreatmentStart,
    administrations: Sequence[Mapping[str, Any] | Administration],
    cycle_starts: Sequence[CycleStart],
    *,
    rows: Sequence[tuple[int, int, int]],
    count: int = 1,
) -> None:
    """Rebuild the patient's calendar from everything recorded (``rows``: the batch's (row, cycle, number), of
    ``count`` rows in all)."""
    protocol = protocol_of_patient(session, patient, needed_for="the dosing calendar")
    try:
        _rebuilt(session, protocol, patient, start, administrations, cycle_starts)
    except ValidationError as exc:
        message = "; ".join(f"{where}: {what}" if where else what for where, what in validation_messages(exc.errors()))
        raise _with_row(DataError(message, code="DOSE-E051"), patient.subject_id, rows, count) from exc
    except (ScheduleError, DataError) as exc:
        raise _with_row(exc, patient.subject_id, rows, count) from exc


def check_calendars(session: Session, batch: Batch, *, excluding: int | None = None) -> None:
    """Each patient's calendar rebuilt with the batch's rows added (``excluding``: a record being replaced)."""
    frame = batch.frame
    frame_rows = frame.assign(_row=range(1, len(frame) + 1))
    patient_ids = sorted(set(frame["patient_id"].tolist()))
    # the patients' rows are locked, so that two batches for one patient cannot both pass a limit they break together
    locked = select(PatientRow).where(PatientRow.id.in_(patient_ids)).with_for_update()
    patients = {p.id: p for p in session.execute(locked).scalars()}
    stored = _administrations(session, patient_ids, excluding=excluding)
    for patient_id, group in frame_rows.groupby("patient_id", sort=False):
        patient = patients[cast(int, patient_id)]
        start = session.get(TreatmentStart, patient.id)
        refuse_rows(
            batch,
            (frame["patient_id"] == patient_id).to_numpy() & (start is None),
            field="start",
            code="STORE-E145",
            message=lambda _row: (
                "no treatment start is recorded, so the protocol's calendar cannot be built; "
                "record the treatment start first"
            ),
        )
        assert start is not None
        new = [dict(zip(FIELDS, values, strict=True)) for values in group[list(FIELDS)].itertuples(index=False)]
        rows = list(zip(group["_row"], group["cycle"], group["number"], strict=True))
        mine = [a for a in stored if a.patient_id == patient.id]
        _check_calendar(
            session, patient, start, [*mine, *new], _cycle_starts(session, patient.id), rows=rows, count=len(frame)
        )


# --- administrations ----------------------------------------------------------------------------------------


def _check_statuses(batch: Batch) -> None:
    frame = batch.frame
    refuse_rows(
        batch,
        ((frame["cycle"] < 1) | (frame["number"] < 1)).to_numpy(),
        field="cycle",
        code="STORE-E150",
        message=lambda row: f"cycle {row['cycle']} dose {row['number']}: cycles and doses are numbered from 1",
    )
    status = frame["status"]
    refuse_rows(
        batch,
        (status.isin(["held", "delayed"]) & frame["reason"].isna()).to_numpy(),
        field="reason",
        code="STORE-E151",
        message=lambda row: (
            f"{row['treatment']} cycle {row['cycle']} dose {row['number']} is {row['status']}: give "
            "the reason (e.g. 'grade 3 hypotension')"
        ),
    )
    refuse_rows(
        batch,
        (status.isin(["given", "delayed"]) & frame["given_at"].isna()).to_numpy(),
        field="given_at",
        code="STORE-E152",
        message=lambda row: (
            f"{row['treatment']} cycle {row['cycle']} dose {row['number']} is {row['status']}: give "
            "the date and time it was given (given_at)"
        ),
    )
    given = frame[["given_at", "ended_at", "amount", "unit", "percent"]].notna().any(axis=1)
    refuse_rows(
        batch,
        ((status == "held") & given).to_numpy(),
        field="status",
        code="STORE-E153",
        message=lambda row: (
            f"{row['treatment']} cycle {row['cycle']} dose {row['number']} is held, so it has no "
            "time or amount; remove them, or record it as given"
        ),
    )


def _check_amounts(batch: Batch) -> None:
    frame = batch.frame
    amount, unit, percent = frame["amount"], frame["unit"], frame["percent"]

    problems: list[tuple[pd.Series, str, Callable[[pd.Series], str]]] = [
        (
            amount.notna() & percent.notna(),
            "percent",
            lambda _row: "give the dose given as an amount with its unit, or as percent of the planned dose, not both",
        ),
        (
            amount.notna() & unit.isna(),
            "unit",
            lambda row: f"the amount {row['amount']:g} has no unit; give its unit (e.g. IU or mg)",
        ),
        (
            unit.notna() & amount.isna(),
            "amount",
            lambda row: f"the unit {row['unit']} has no amount; give the amount, or leave out the unit",
        ),
    ]
    for mask, field, problem in problems:
        refuse_rows(
            batch,
            mask.to_numpy(),
            field=field,
            code="STORE-E154",
            message=lambda row, problem=problem: (  # type: ignore[misc]
                f"{row['treatment']} cycle {row['cycle']} dose {row['number']}: {problem(row)}"
            ),
        )

    # imported data may record a placebo as 0 (SDTM EXDOSE 0); entry under a protocol records a dose not given
    # as held
    def too_small(value: Any, *, zero_allowed: bool) -> bool:
        return value is not None and (value < 0 if zero_allowed else value <= 0)

    small = [
        too_small(a, zero_allowed=batch.imported) or too_small(p, zero_allowed=False)
        for a, p in zip(amount, percent, strict=True)
    ]
    refuse_rows(
        batch,
        np.array(small, dtype=bool),
        field="amount",
        code="STORE-E155",
        message=lambda row: (
            f"{row['treatment']} cycle {row['cycle']} dose {row['number']}: the dose given must be "
            "more than 0 (a dose not given is recorded as held)"
        ),
    )


def _check_adverse_events(session: Session, batch: Batch) -> None:
    """An adverse event named as the cause of a dose's hold, delay or reduction is the same patient's, began on or
    before the dose's day, and is named only for a dose held, delayed, or given reduced (an amount or percent)."""
    frame = batch.frame
    linked = frame["adverse_event_id"].notna().to_numpy()
    if not linked.any():
        return
    ids = sorted({int(v) for v in frame.loc[linked, "adverse_event_id"]})
    events = {e.id: e for e in session.execute(select(AdverseEvent).where(AdverseEvent.id.in_(ids))).scalars()}
    found = [events.get(int(v)) if v is not None else None for v in frame["adverse_event_id"]]
    refuse_rows(
        batch,
        linked & np.array([e is None or e.patient_id != p for e, p in zip(found, frame["patient_id"], strict=True)]),
        field="adverse_event_id",
        code="STORE-E159",
        message=lambda row: (
            f"adverse event {row['adverse_event_id']} is not one of patient {row['subject_id']}'s; give the id that "
            "`oncotrial ae add` printed for this patient's event"
        ),
    )
    unmodified = (frame["status"] == "given") & frame["amount"].isna() & frame["percent"].isna()
    refuse_rows(
        batch,
        linked & unmodified.to_numpy(),
        field="adverse_event_id",
        code="STORE-E159",
        message=lambda row: (
            f"{row['treatment']} cycle {row['cycle']} dose {row['number']} was given in full, so no adverse event "
            "held, delayed or reduced it; name the event on a held, delayed or reduced dose"
        ),
    )
    onsets = [e.onset if e is not None else None for e in found]
    refuse_rows(
        batch,
        linked & is_after(onsets, [None if v is None else v.date() for v in frame["given_at"]]),
        field="adverse_event_id",
        code="STORE-E159",
        message=lambda row: (
            f"adverse event {row['adverse_event_id']} began after {row['treatment']} cycle {row['cycle']} dose "
            f"{row['number']} was given, so it cannot have caused its change; check the event or the dose"
        ),
    )


def _check_unique(session: Session, batch: Batch, excluding: int | None) -> None:
    frame = batch.frame
    keys = list(zip(frame["patient_id"], frame["treatment"], frame["cycle"], frame["number"], strict=True))
    stored = {
        (a.patient_id, a.treatment, a.cycle, a.number)
        for a in _administrations(session, sorted(set(frame["patient_id"].tolist())), excluding=excluding)
    }
    seen: set[tuple[Any, ...]] = set()
    twice = []
    for key in keys:
        twice.append(key in stored or key in seen)
        seen.add(key)
    refuse_rows(
        batch,
        pd.Series(twice).to_numpy(),
        field="number",
        code="STORE-E157",
        message=lambda row: (
            f"{row['treatment']} cycle {row['cycle']} dose {row['number']} is already recorded; "
            "correct the recorded one instead"
        ),
    )


def _checked_administrations(
    session: Session, actor: Actor, trial_code: str, rows: Rows, *, excluding: int | None = None
) -> Batch:
    batch = open_batch(
        session, actor, trial_code, rows, what="administration", fields=FIELDS, required=(*KEY, "status")
    )
    to_texts(batch, "status", choices=STATUSES)
    for column in ("treatment", "reason", "unit", "route", "form", "frequency", "visit"):
        to_texts(batch, column)
    to_numbers(batch, "cycle", integer=True)
    to_numbers(batch, "number", integer=True)
    to_numbers(batch, "amount")
    to_numbers(batch, "percent")
    to_datetimes(batch, "given_at")
    to_datetimes(batch, "ended_at")
    to_numbers(batch, "adverse_event_id", integer=True)
    to_bools(batch, "allow_above_planned", default=False)
    _check_statuses(batch)
    _check_amounts(batch)
    _check_adverse_events(session, batch)
    check_not_before(batch, "ended_at", "given_at", code="STORE-E156")
    check_after_consents(batch, "given_at")
    check_lengths(batch, Administration)
    _check_unique(session, batch, excluding)
    if batch.has_protocol:
        check_calendars(session, batch, excluding=excluding)
    return batch


def record_administrations(session: Session, actor: Actor, trial_code: str, rows: Rows) -> list[int]:
    """Record administrations, each row one dose (``subject_id``, ``treatment``, ``cycle``, ``number``, ``status``
    given|held|delayed, ``given_at``, ``amount`` with ``unit`` or ``percent``, ``reason``, and optionally
    ``route``, ``form``, ``frequency``, ``visit``, ``ended_at``). Every row is checked (for a trial with a
    protocol, against each patient's rebuilt calendar) before any is written. Returns the new ids in row order.
    """
    batch = _checked_administrations(session, actor, trial_code, rows)
    return write_batch(session, actor, Administration, batch)


def record_administration(session: Session, actor: Actor, trial_code: str, subject_id: str, **fields: Any) -> int:
    """Record one administration (keyword arguments: the fields of :func:`record_administrations`); its id."""
    return record_administrations(session, actor, trial_code, [{"subject_id": subject_id, **fields}])[0]


def update_administration(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    *,
    treatment: str,
    cycle: int,
    number: int,
    changes: Mapping[str, Any],
    reason: str,
    expected_version: int | None,
) -> Administration:
    """Correct a recorded administration (``changes``: field -> new value; ``reason`` is the correction's, kept in
    the audit trail; a change of the dose's own reason is ``changes={"reason": ...}``). The corrected record is
    checked as a new one would be (the calendar included). An edit made from an older version than the stored
    one is refused (:class:`~oncotrial.errors.ConflictError`)."""
    require_entry(actor)
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id)
    stored = session.execute(
        select(Administration)
        .where(
            Administration.patient_id == patient.id,
            Administration.treatment == treatment,
            Administration.cycle == cycle,
            Administration.number == number,
        )
        .with_for_update()
    ).scalar_one_or_none()
    if stored is None:
        raise NotFoundError(
            f"patient {subject_id} has no record of {treatment} cycle {cycle} dose {number}",
            code="STORE-E158",
            field="number",
            subject_id=subject_id,
        )
    correct_record(
        session,
        actor,
        stored,
        changes=changes,
        editable=FIELDS[len(KEY) :],
        current={name: getattr(stored, name) for name in FIELDS},
        recheck=lambda row: _checked_administrations(session, actor, trial_code, [row], excluding=stored.id),
        reason=reason,
        expected_version=expected_version,
        what=f"{treatment} cycle {cycle} dose {number} of patient {subject_id}",
        subject_id=subject_id,
    )
    return stored


# --- the calendar as the pages show it ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedDose:
    """One dose of a patient's calendar: planned (``status`` "planned", ``recorded`` False) or as recorded (given,
    held, delayed), with the dose the calendar gives it (the planned dose, or the dose given)."""

    treatment: str
    cycle: int
    day: int
    number: int
    agent_name: str
    due_at: dt.datetime
    planned_at: dt.datetime
    dose: float
    unit: str
    route: str
    status: str
    reason: str | None
    recorded: bool


@dataclass(frozen=True)
class CalendarCycle:
    """A cycle's day 1 (as planned, the latest the protocol allows, the actual one and why it moved) and its doses;
    ``moved``: a start of its own is recorded (``record_cycle_start``)."""

    cycle: int
    planned_start: dt.date
    latest_start: dt.date
    start: dt.date
    reason: str | None
    moved: bool
    doses: tuple[PlannedDose, ...]


@dataclass(frozen=True)
class DosingCalendarView:
    """A patient's dosing calendar: the arm, the treatment start (None until recorded: then there is no calendar
    yet) with the weight the doses follow, and the cycles with their doses (none for a trial imported without a
    protocol)."""

    subject_id: str
    arm: str | None
    start: dt.datetime | None
    weight_kg: float | None
    height_cm: float | None
    cycles: tuple[CalendarCycle, ...] = ()


def dosing_calendar(session: Session, actor: Actor, trial_code: str, subject_id: str) -> DosingCalendarView:
    """The patient's calendar rebuilt from the protocol version they were enrolled under and everything recorded
    (the check of a new record rebuilds the same one): every planned dose with its status, and every cycle's
    window."""
    require(actor, "read")
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id)
    start = session.get(TreatmentStart, patient.id)
    arm = session.execute(select(Randomisation.arm).where(Randomisation.patient_id == patient.id)).scalar()
    if start is None:
        return DosingCalendarView(subject_id, arm, None, None, None)
    if patient.protocol_version_id is None:  # imported data: no protocol, so no calendar (only the doses recorded)
        return DosingCalendarView(subject_id, start.arm, start.start, start.weight_kg, start.height_cm)
    protocol = protocol_of_patient(session, patient, needed_for="the dosing calendar")
    recorded = _administrations(session, [patient.id])
    starts = _cycle_starts(session, patient.id)
    doses, plans = _rebuilt(session, protocol, patient, start, recorded, starts)
    keys = {(a.treatment, a.cycle, a.number) for a in recorded}
    moved = {c.cycle for c in starts}
    shown = [
        PlannedDose(
            d.treatment,
            d.cycle,
            d.day,
            d.number,
            d.agent_name,
            d.datetime,
            d.planned_datetime or d.datetime,
            d.dose,
            d.unit,
            d.route,
            d.status,
            d.reason,
            (d.treatment, d.cycle, d.number) in keys,
        )
        for d in sorted(doses, key=lambda d: (d.cycle, d.datetime, d.treatment, d.number))
    ]
    cycles = tuple(
        CalendarCycle(
            c.cycle,
            c.planned_start,
            c.latest_start,
            c.start,
            c.reason,
            c.cycle in moved,
            tuple(d for d in shown if d.cycle == c.cycle),
        )
        for c in plans
    )
    return DosingCalendarView(subject_id, start.arm, start.start, start.weight_kg, start.height_cm, cycles)
