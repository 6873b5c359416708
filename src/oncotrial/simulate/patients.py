"""Virtual patients of a protocol and a scenario: plain records in the shapes the trial database's services and
the core take, reproducible from a seed.

Two steps, because a trial's arm comes from its own randomisation:

- :func:`generate_screening` — the people screened: each has a screening record (``oncotrial.eligibility``'s
  shape) that meets every criterion, or, with the scenario's ``screening.failure_probability``, fails one
  criterion drawn from ``screening.reasons`` (by weight); each record is checked by the real core;
- :func:`generate_course` — what happens to one randomised patient in an arm: the dosing calendar of
  :func:`oncotrial.dosing.build_dosing_calendar` with doses held and cycles delayed for toxicity, tumour
  measurements at the assessment times whose RECIST 1.1 responses are the drawn truth (``_tumours``), adverse
  events (CTCAE terms and grades), laboratory values, PK and biomarker samples where the protocol has such
  endpoints, crossover on progression, and death, dropout or the data cut.

Every person and patient draws from a stream of their own (``Generator.spawn``), so one patient's records do not
depend on how many others were drawn before. Times are days from the start of treatment; a month is 30.4375
days (ADaM's). The truth of a patient (responder, progression, death, dropout) is kept beside the records
(:class:`Truth`), so that a test or a virtual trial can compare what the pipeline finds with what was drawn.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from oncotrial.dosing import Patient, build_dosing_calendar, compute_next_weekday
from oncotrial.errors import DataError
from oncotrial.protocol.models import Arm, Protocol
from oncotrial.simulate._eligible import Draft, build_screening_record
from oncotrial.simulate._events import (
    adverse_event_rows,
    cycle_delays,
    dose_rows,
    lab_rows,
    sample_rows,
)
from oncotrial.simulate._tumours import build_tumour_records, plan_tumours, to_tu_tr
from oncotrial.simulate.scenario import ArmScenario, Scenario, check_scenario

__all__ = [
    "MONTH_DAYS",
    "CrossoverCourse",
    "PatientCourse",
    "ScreenedPerson",
    "Truth",
    "compute_assessment_days",
    "generate_course",
    "generate_screening",
]

MONTH_DAYS = 30.4375


@dataclass(frozen=True)
class ScreenedPerson:
    """One person screened: when, the screening record, and the criterion failed (None: eligible)."""

    number: int
    sex: str  # F or M, as the trial database records it
    age: int
    weight_kg: float
    consent_date: dt.date
    screened_at: dt.datetime
    planned_start: dt.datetime
    record: dict[str, Any]
    failed_criterion: str | None

    @property
    def eligible(self) -> bool:
        return self.failed_criterion is None


@dataclass(frozen=True)
class Truth:
    """What was drawn for a patient (days from the start of treatment; ``inf``: not before the data cut)."""

    responder: bool
    complete_response: bool
    response_day: float | None
    progression_day: float
    death_day: float
    dropout_day: float


@dataclass(frozen=True)
class CrossoverCourse:
    """A crossover on progression: the rule, the day it is recorded, the first crossover cycle's start (its
    ``record_cycle_start``) and the crossover cycles' cycle starts and doses."""

    to_arm: str
    rule_id: str
    crossover_on: dt.date
    first_cycle: int
    first_cycle_start: dt.date
    cycle_starts: tuple[dict[str, Any], ...]
    administrations: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class PatientCourse:
    """Every record of one randomised patient, each in the shape of the store service that takes it."""

    subject_id: str
    arm: str
    start: dt.datetime
    weight_kg: float
    truth: Truth
    cycle_starts: tuple[dict[str, Any], ...]  # record_cycle_start keywords (cycle, start, reason)
    administrations: tuple[dict[str, Any], ...]  # record_administrations rows
    lesions: tuple[dict[str, Any], ...]  # record_lesions rows (TU)
    measurements: tuple[dict[str, Any], ...]  # record_measurements rows (TR)
    adverse_events: tuple[dict[str, Any], ...]  # record_adverse_events rows
    lab_results: tuple[dict[str, Any], ...]  # record_lab_results rows
    samples: tuple[dict[str, Any], ...]  # record_samples rows
    dispositions: tuple[dict[str, Any], ...]  # record_dispositions rows (off treatment, off study, death, ...)
    crossover: CrossoverCourse | None = None
    progression_on: dt.date | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def tumour_tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The lesions and results as SDTM TU and TR, as :func:`oncotrial.recist.derive_lesion_assessments`
        reads them."""
        return to_tu_tr(self.lesions, self.measurements)


# --- screening -----------------------------------------------------------------------------------------------


def _check_counts(scenario: Scenario, n_screened: int | None, n_randomised: int | None) -> None:
    if (n_screened is None) == (n_randomised is None):
        raise DataError(
            "give the number of people screened or the number randomised, one of the two",
            code="SIM-E034",
            field="n_screened",
        )
    screening = scenario.screening
    if screening.failure_probability > 0 and not screening.reasons:
        raise DataError(
            f"scenario {scenario.id}: screening.failure_probability is {screening.failure_probability:g} but no "
            "screening.reasons are given; name the criteria people fail (criterion id: weight)",
            code="SIM-E035",
            field="screening.reasons",
        )
    if n_randomised is not None and screening.failure_probability >= 1:
        raise DataError(
            f"scenario {scenario.id}: with screening.failure_probability 1 no one is eligible, so {n_randomised} "
            "patients cannot be randomised; give a probability below 1",
            code="SIM-E036",
            field="screening.failure_probability",
        )


def _first_arm(protocol: Protocol) -> Arm:
    return protocol.arms[0]


def _planned_start(protocol: Protocol, day: dt.date) -> dt.datetime:
    arm = _first_arm(protocol)
    if arm.start_weekday is not None:
        day = compute_next_weekday(day, arm.start_weekday)
    return dt.datetime.combine(day, arm.default_time)


def _person(
    protocol: Protocol, scenario: Scenario, number: int, arrival: dt.date, rng: np.random.Generator
) -> ScreenedPerson:
    screening = scenario.screening
    failed = None
    if rng.random() < screening.failure_probability:
        reasons = list(screening.reasons)
        weights = np.array([screening.reasons[r] for r in reasons], dtype=float)
        failed = reasons[int(rng.choice(len(reasons), p=weights / weights.sum()))]
    planned_start = _planned_start(protocol, arrival + dt.timedelta(days=2))
    # screened two days before the start, in the morning: a pregnancy test then is within 72 hours of it
    screened_at = dt.datetime.combine(planned_start.date() - dt.timedelta(days=2), dt.time(9, 0))
    draft = Draft(
        rng=rng,
        screened_at=screened_at,
        planned_start=planned_start,
        sex=str(rng.choice(["female", "male"])),
        age=float(np.clip(rng.normal(58, 11), 25, 84)),
    )
    _consent_first(draft)
    record = build_screening_record(protocol, draft, failing=failed)
    return ScreenedPerson(
        number=number,
        sex="F" if record["sex"] == "female" else "M",
        age=int(draft.age),
        weight_kg=round(float(np.clip(rng.normal(78, 15), 45, 140)), 1),
        consent_date=screened_at.date() - dt.timedelta(days=3),
        screened_at=screened_at,
        planned_start=planned_start,
        record=record,
        failed_criterion=failed,
    )


def _consent_first(draft: Draft) -> None:
    draft.record["consent_date"] = (draft.screened_at.date() - dt.timedelta(days=3)).isoformat()


def generate_screening(
    protocol: Protocol,
    scenario: Scenario,
    rng: np.random.Generator,
    *,
    n_screened: int | None = None,
    n_randomised: int | None = None,
    first_day: dt.date,
) -> tuple[ScreenedPerson, ...]:
    """People screened for ``protocol`` from ``first_day``: ``n_screened`` of them, or as many as it takes for
    ``n_randomised`` to be eligible. They arrive at random (a Poisson process) so that the eligible ones come at
    the scenario's ``accrual_per_month``; each is screened two days before the arm's next start day.

    Raises
    ------
    ProtocolError
        The scenario does not fit the protocol (:func:`~oncotrial.simulate.check_scenario`).
    DataError
        Neither or both counts given (SIM-E034); failures without reasons (SIM-E035); no one can be eligible
        (SIM-E036); a criterion a record cannot be simulated for (SIM-E030 to SIM-E033).
    """
    check_scenario(scenario, protocol)
    _check_counts(scenario, n_screened, n_randomised)
    rate = scenario.accrual_per_month / MONTH_DAYS / max(1 - scenario.screening.failure_probability, 1e-9)
    people: list[ScreenedPerson] = []
    day = 0.0
    while (n_screened is not None and len(people) < n_screened) or (
        n_randomised is not None and sum(p.eligible for p in people) < n_randomised
    ):
        child = rng.spawn(1)[0]
        day += float(child.exponential(1 / rate))
        people.append(_person(protocol, scenario, len(people) + 1, first_day + dt.timedelta(days=int(day)), child))
    return tuple(people)


# --- the course of a randomised patient ---------------------------------------------------------------------


def compute_assessment_days(protocol: Protocol, scenario: Scenario) -> int:
    """Days between tumour assessments: the scenario's ``assessment_interval_weeks``, else the largest whole number
    of weeks that divides the time points of the protocol's response endpoints (NCT01416831: weeks 14 and 21,
    so every 7 weeks), else 8 weeks."""
    if scenario.assessment_interval_weeks is not None:
        return round(scenario.assessment_interval_weeks * 7)
    weeks = [
        int(e.time_point_weeks)
        for e in protocol.endpoints
        if e.kind == "response" and e.time_point_weeks is not None and float(e.time_point_weeks).is_integer()
    ]
    return 7 * (math.gcd(*weeks) if weeks else 8)


def _exponential(rng: np.random.Generator, hazard_per_month: float) -> float:
    return float(rng.exponential(MONTH_DAYS / hazard_per_month)) if hazard_per_month > 0 else math.inf


def _truth(truth_arm: ArmScenario, rng: np.random.Generator) -> Truth:
    responder = bool(rng.random() < truth_arm.response_probability)
    complete = responder and bool(rng.random() < truth_arm.complete_response_share)
    response_day = truth_arm.weeks_to_response * 7 if responder else None
    if response_day is not None:
        progression = response_day + _exponential(rng, truth_arm.pfs_hazard * truth_arm.responder_hazard_ratio)
    else:
        progression = _exponential(rng, truth_arm.pfs_hazard)
    return Truth(
        responder=responder,
        complete_response=complete,
        response_day=response_day,
        progression_day=progression,
        death_day=_exponential(rng, truth_arm.os_hazard),
        dropout_day=_exponential(rng, truth_arm.dropout_hazard),
    )


def _assessments(truth: Truth, every: int, end: float) -> tuple[list[int], int | None]:
    """Assessment days up to ``end`` (death, dropout or the data cut), stopping at the one that finds the
    progression; that day (None: no progression seen)."""
    days: list[int] = []
    day = every
    while day <= end:
        days.append(day)
        if day >= truth.progression_day:
            return days, day
        day += every
    return days, None


def _cycles(protocol: Protocol, arm: Arm, truth: Truth) -> int:
    """The arm's planned cycles, and for a responder the continuation rule's additional cycles."""
    more = next((r.additional_cycles or 0 for r in arm.continuation if {"CR", "PR"} & set(r.responses)), 0)
    total = arm.planned_cycles + (more if truth.responder else 0)
    return min(total, arm.max_cycles) if arm.max_cycles is not None else total


def _crossover(
    protocol: Protocol,
    arm: Arm,
    truth_arm: ArmScenario,
    calendar_patient: Patient,
    progression_on: dt.date,
    stop_on: dt.date,
    last_cycle: int,
    rng: np.random.Generator,
) -> CrossoverCourse | None:
    """Crossing over after the rule's cycles (not fewer, none beyond), with the scenario's probability."""
    rule = next((r for r in arm.crossover if "PD" in r.responses), None)
    if rule is None or not rng.random() < truth_arm.crossover_probability or last_cycle != rule.after_cycles:
        return None
    to_arm = protocol.arm(rule.to_arm)
    crossover_on = progression_on + dt.timedelta(days=1)
    first_day = crossover_on + dt.timedelta(days=7)  # room for radiation in the days before the first dose
    if to_arm.start_weekday is not None:
        first_day = compute_next_weekday(first_day, to_arm.start_weekday)
    if first_day > stop_on:
        return None
    start = dt.datetime.combine(first_day, to_arm.default_time)
    cycle_range = range(rule.first_cycle_number + 1, rule.first_cycle_number + rule.cycles)
    starts = cycle_delays(
        protocol, arm.id, calendar_patient, start, truth_arm.toxicity, rng, cycles=cycle_range, crossover=rule.id
    )
    calendar = build_dosing_calendar(protocol, arm.id, calendar_patient, start, crossover=rule.id, cycle_starts=starts)
    doses = dose_rows(protocol, calendar, str(calendar_patient.subject_id), truth_arm.toxicity, rng, until=stop_on)
    return CrossoverCourse(
        to_arm=rule.to_arm,
        rule_id=rule.id,
        crossover_on=crossover_on,
        first_cycle=rule.first_cycle_number,
        first_cycle_start=first_day,
        cycle_starts=tuple({"cycle": s.cycle, "start": s.start, "reason": s.reason} for s in starts),
        administrations=tuple(doses),
    )


def generate_course(
    protocol: Protocol,
    scenario: Scenario,
    subject: ScreenedPerson,
    arm: str,
    start: dt.datetime,
    rng: np.random.Generator,
    *,
    subject_id: str,
    enrolment_number: int,
    data_cut: dt.date | None = None,
) -> PatientCourse:
    """The records of ``subject`` randomised to ``arm`` and starting treatment at ``start`` (cycle 1 day 1),
    followed to death, dropout or ``data_cut`` (default: the scenario's follow-up after the start).

    Raises
    ------
    DataError
        The scenario has no truth for ``arm`` (SIM-E037).
    """
    truth_arm = scenario.arms.get(arm)
    if truth_arm is None:
        raise DataError(
            f"scenario {scenario.id} has no arm {arm}; its arms: {', '.join(scenario.arms)}",
            code="SIM-E037",
            field=f"arms.{arm}",
            subject_id=subject_id,
        )
    protocol_arm = protocol.arm(arm)
    truth = _truth(truth_arm, rng)
    first = start.date()
    horizon = (data_cut - first).days if data_cut is not None else scenario.follow_up_months * MONTH_DAYS
    end = min(truth.death_day, truth.dropout_day, horizon)
    stop_on = first + dt.timedelta(days=int(end))
    assessment_days, progression_at = _assessments(truth, compute_assessment_days(protocol, scenario), end)
    progression_on = first + dt.timedelta(days=progression_at) if progression_at is not None else None
    patient = Patient(weight_kg=subject.weight_kg, patient_number=enrolment_number, subject_id=subject_id)
    cycles = _cycles(protocol, protocol_arm, truth)
    starts = cycle_delays(protocol, arm, patient, start, truth_arm.toxicity, rng, cycles=range(2, cycles + 1))
    calendar = build_dosing_calendar(protocol, arm, patient, start, cycles=cycles, cycle_starts=starts)
    treatment_stop = min(stop_on, progression_on) if progression_on is not None else stop_on
    doses = dose_rows(protocol, calendar, subject_id, truth_arm.toxicity, rng, until=treatment_stop)
    given_cycles = {row["cycle"] for row in doses}
    crossover = None
    if progression_on is not None and not truth.responder:
        crossover = _crossover(
            protocol, protocol_arm, truth_arm, patient, progression_on, stop_on, max(given_cycles, default=0), rng
        )
    plan = plan_tumours(
        subject.record.get("lesions", []),
        change=(-1.0 if truth.complete_response else truth_arm.responder_change) if truth.responder else None,
        response_day=truth.response_day,
        rng=rng,
    )
    lesions, measurements = build_tumour_records(
        plan,
        subject_id,
        baseline_on=subject.screened_at.date(),
        start=first,
        assessment_days=assessment_days,
        progression_at=progression_at,
    )
    all_doses = [*doses, *(crossover.administrations if crossover else ())]
    cycle_days = sorted({(row["cycle"], row["given_at"].date()) for row in all_doses if row.get("given_at")})
    return PatientCourse(
        subject_id=subject_id,
        arm=arm,
        start=start,
        weight_kg=subject.weight_kg,
        truth=truth,
        cycle_starts=tuple(
            {"cycle": s.cycle, "start": s.start, "reason": s.reason} for s in starts if s.cycle in given_cycles
        ),
        administrations=tuple(doses),
        lesions=tuple(lesions),
        measurements=tuple(measurements),
        adverse_events=tuple(adverse_event_rows(subject_id, cycle_days, truth_arm.toxicity, rng, until=stop_on)),
        lab_results=tuple(lab_rows(subject_id, subject.screened_at, cycle_days, truth_arm.toxicity, rng)),
        samples=tuple(sample_rows(protocol, subject_id, all_doses, rng)),
        dispositions=tuple(
            _dispositions(subject_id, truth, all_doses, progression_on, crossover, stop_on, horizon, first)
        ),
        crossover=crossover,
        progression_on=progression_on,
    )


def _dispositions(
    subject_id: str,
    truth: Truth,
    doses: list[dict[str, Any]],
    progression_on: dt.date | None,
    crossover: CrossoverCourse | None,
    stop_on: dt.date,
    horizon: float,
    first: dt.date,
) -> list[dict[str, Any]]:
    """Off treatment (with its reason), off study at dropout, death, or last known alive at the data cut."""
    rows: list[dict[str, Any]] = []
    last_dose = max((row["given_at"].date() for row in doses if row.get("given_at")), default=first)
    dies = truth.death_day <= min(truth.dropout_day, horizon)
    drops = not dies and truth.dropout_day <= horizon
    if progression_on is not None and crossover is None:
        rows.append(_event(subject_id, "off_treatment", max(progression_on, last_dose), "progressive disease"))
    elif last_dose + dt.timedelta(days=42) <= stop_on:
        rows.append(_event(subject_id, "off_treatment", last_dose, "completed the planned treatment"))
    elif dies or drops:
        rows.append(_event(subject_id, "off_treatment", stop_on, "death" if dies else "withdrew consent"))
    if drops:
        rows.append(_event(subject_id, "off_study", stop_on, "withdrew consent"))
    rows.append(_event(subject_id, "death" if dies else "last_known_alive", stop_on, None))
    return rows


def _event(subject_id: str, event: str, day: dt.date, reason: str | None) -> dict[str, Any]:
    return {"subject_id": subject_id, "event": event, "event_date": day, "reason": reason}
