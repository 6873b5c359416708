"""Dosing, adverse events, laboratory values and samples of a virtual patient, as store-shaped rows.

Choices (a simulation's, stated so a reader can change them):

- toxicity holds each planned dose of a drug or biologic with ``dose_hold_probability`` (a radiation fraction is
  never held) and delays each later cycle with ``cycle_delay_probability`` by ``delay_days``, moved to the arm's
  start weekday and kept within the protocol's maximum delay;
- adverse events: a Poisson number per cycle given, each a CTCAE v5 term typical of high-dose IL-2 (the table
  below), of grade 3 or 4 with ``grade3_share`` (grade 4 one time in six), else 1 or 2; onset within the
  cycle's first five days, resolved 1 to 10 days later;
- laboratory values at screening (the baseline) and on days 1 and 4 of each cycle given, around the middle of
  the normal range, creatinine and bilirubin raised on day 4 in a share ``grade3_share`` of cycles;
- PK samples after the first dose (0.5 to 8 hours, one compartment, half-life 1.5 hours) where the protocol has
  a PK endpoint; biomarker samples before and 3 days after day 1 of each cycle where it has a biomarker one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from oncotrial.dosing import CycleStartRecord, DosingCalendar, Patient, build_dosing_calendar, compute_next_weekday
from oncotrial.errors import ScheduleError
from oncotrial.protocol.models import Protocol
from oncotrial.simulate.scenario import Toxicity

__all__ = ["adverse_event_rows", "cycle_delays", "dose_rows", "lab_rows", "sample_rows"]

# CTCAE v5.0 terms and their system organ classes (MedDRA), frequent with high-dose IL-2
AE_TERMS = (
    ("Hypotension", "Vascular disorders"),
    ("Capillary leak syndrome", "Vascular disorders"),
    ("Fever", "General disorders and administration site conditions"),
    ("Chills", "General disorders and administration site conditions"),
    ("Fatigue", "General disorders and administration site conditions"),
    ("Nausea", "Gastrointestinal disorders"),
    ("Vomiting", "Gastrointestinal disorders"),
    ("Diarrhea", "Gastrointestinal disorders"),
    ("Creatinine increased", "Investigations"),
    ("Blood bilirubin increased", "Investigations"),
    ("Platelet count decreased", "Investigations"),
    ("Rash maculo-papular", "Skin and subcutaneous tissue disorders"),
    ("Pruritus", "Skin and subcutaneous tissue disorders"),
    ("Confusion", "Psychiatric disorders"),
    ("Dyspnea", "Respiratory, thoracic and mediastinal disorders"),
    ("Anemia", "Blood and lymphatic system disorders"),
)
# SDTM LB test code, name, category, unit, normal range
LABS = (
    ("CREAT", "Creatinine", "CHEMISTRY", "mg/dL", 0.6, 1.2),
    ("BILI", "Bilirubin", "CHEMISTRY", "mg/dL", 0.3, 1.2),
    ("ALT", "Alanine Aminotransferase", "CHEMISTRY", "U/L", 7.0, 40.0),
    ("AST", "Aspartate Aminotransferase", "CHEMISTRY", "U/L", 10.0, 40.0),
    ("WBC", "Leukocytes", "HEMATOLOGY", "10^9/L", 4.0, 11.0),
    ("HGB", "Hemoglobin", "HEMATOLOGY", "g/dL", 12.0, 17.0),
    ("PLAT", "Platelets", "HEMATOLOGY", "10^9/L", 150.0, 400.0),
)
_RAISED = ("CREAT", "BILI")
PK_HOURS = (0.5, 1.0, 2.0, 4.0, 8.0)
PK_HALF_LIFE_HOURS = 1.5


def _delayed_start(calendar: DosingCalendar, cycle: int, toxicity: Toxicity, weekday: Any) -> dt.date | None:
    plan = next(c for c in calendar.cycles if c.cycle == cycle)
    day = plan.planned_start + dt.timedelta(days=toxicity.delay_days)
    if weekday is not None:
        day = compute_next_weekday(day, weekday)
    return day if day <= plan.latest_start else None


def cycle_delays(
    protocol: Protocol,
    arm_id: str,
    patient: Patient,
    start: dt.datetime,
    toxicity: Toxicity,
    rng: np.random.Generator,
    *,
    cycles: Iterable[int],
    crossover: str | None = None,
) -> list[CycleStartRecord]:
    """The cycles of ``cycles`` that start late for toxicity, each checked on the rebuilt calendar."""
    starts: list[CycleStartRecord] = []
    for cycle in cycles:
        if not rng.random() < toxicity.cycle_delay_probability:
            continue
        count = None if crossover is not None else cycle
        calendar = build_dosing_calendar(
            protocol, arm_id, patient, start, cycles=count, crossover=crossover, cycle_starts=starts
        )
        plan_arm = protocol.arm(arm_id) if crossover is None else protocol.arm(_crossover_arm(protocol, arm_id))
        weekday = plan_arm.next_cycle.start_weekday if plan_arm.next_cycle is not None else None
        day = _delayed_start(calendar, cycle, toxicity, weekday)
        if day is None:
            continue
        record = CycleStartRecord(cycle=cycle, start=day, reason="toxicity not resolved")
        try:
            build_dosing_calendar(
                protocol, arm_id, patient, start, cycles=count, crossover=crossover, cycle_starts=[*starts, record]
            )
        except ScheduleError:  # a delay the protocol does not allow is not simulated
            continue
        starts.append(record)
    return starts


def _crossover_arm(protocol: Protocol, arm_id: str) -> str:
    return next(r.to_arm for r in protocol.arm(arm_id).crossover)


def dose_rows(
    protocol: Protocol,
    calendar: DosingCalendar,
    subject_id: str,
    toxicity: Toxicity,
    rng: np.random.Generator,
    *,
    until: dt.date,
) -> list[dict[str, Any]]:
    """Each planned dose up to ``until`` as given at its time, or held for toxicity (``record_administrations``)."""
    radiation = {a.id for a in protocol.agents if a.kind == "radiation"}
    rows = []
    for dose in calendar.administrations:
        if dose.datetime.date() > until:
            continue
        row = {"subject_id": subject_id, "treatment": dose.treatment, "cycle": dose.cycle, "number": dose.number}
        if dose.agent not in radiation and rng.random() < toxicity.dose_hold_probability:
            rows.append({**row, "status": "held", "reason": "toxicity: dose held until it resolves"})
        else:
            rows.append({**row, "status": "given", "given_at": dose.datetime.replace(tzinfo=None)})
    return rows


def _first_days(cycle_days: Sequence[tuple[int, dt.date]]) -> dict[int, dt.date]:
    first: dict[int, dt.date] = {}
    for cycle, day in cycle_days:
        first[cycle] = min(day, first.get(cycle, day))
    return first


def _grade(toxicity: Toxicity, rng: np.random.Generator) -> int:
    if rng.random() < toxicity.grade3_share:
        return 4 if rng.random() < 1 / 6 else 3
    return int(rng.integers(1, 3))


def adverse_event_rows(
    subject_id: str,
    cycle_days: Sequence[tuple[int, dt.date]],
    toxicity: Toxicity,
    rng: np.random.Generator,
    *,
    until: dt.date,
) -> list[dict[str, Any]]:
    """Adverse events of the cycles given (``record_adverse_events`` rows), none after ``until``."""
    rows = []
    for _cycle, first in sorted(_first_days(cycle_days).items()):
        for _ in range(int(rng.poisson(toxicity.adverse_events_per_cycle))):
            term, organ_class = AE_TERMS[int(rng.integers(len(AE_TERMS)))]
            grade = _grade(toxicity, rng)
            onset = first + dt.timedelta(days=int(rng.integers(0, 5)))
            resolved = onset + dt.timedelta(days=int(rng.integers(1, 11)))
            if onset > until:
                continue
            rows.append(
                {
                    "subject_id": subject_id,
                    "term": term,
                    "decoded_term": term,
                    "body_system": organ_class,
                    "grade": grade,
                    "onset": onset,
                    "resolved": resolved if resolved <= until else None,
                    "attribution": "PROBABLE" if grade >= 3 else "POSSIBLE",
                    "serious": grade >= 3 and bool(rng.random() < 0.5),
                    "outcome": "RECOVERED/RESOLVED" if resolved <= until else "NOT RECOVERED/NOT RESOLVED",
                }
            )
    return rows


def _lab_visit(
    subject_id: str, when: dt.datetime, visit: str, raised: bool, rng: np.random.Generator, *, baseline: bool
) -> list[dict[str, Any]]:
    rows = []
    for code, name, category, unit, low, high in LABS:
        value = (low + high) / 2 * float(rng.lognormal(0, 0.15))
        if raised and code in _RAISED:
            value = high * float(rng.uniform(1.6, 3.5))
        rows.append(
            {
                "subject_id": subject_id,
                "test_code": code,
                "test_name": name,
                "category": category,
                "value": round(value, 2),
                "unit": unit,
                "normal_low": low,
                "normal_high": high,
                "collected_at": when,
                "visit": visit,
                "baseline": baseline,
            }
        )
    return rows


def lab_rows(
    subject_id: str,
    screened_at: dt.datetime,
    cycle_days: Sequence[tuple[int, dt.date]],
    toxicity: Toxicity,
    rng: np.random.Generator,
) -> list[dict[str, Any]]:
    """Laboratory values (``record_lab_results`` rows): the screening baseline, days 1 and 4 of each cycle given."""
    rows = _lab_visit(subject_id, screened_at, "SCREENING", False, rng, baseline=True)
    given = {day for _, day in cycle_days}
    for cycle, first in sorted(_first_days(cycle_days).items()):
        morning = dt.datetime.combine(first, dt.time(6, 30))
        rows += _lab_visit(subject_id, morning, f"CYCLE {cycle} DAY 1", False, rng, baseline=False)
        day4 = first + dt.timedelta(days=3)
        if day4 in given:  # still on treatment then
            raised = bool(rng.random() < toxicity.grade3_share)
            rows += _lab_visit(
                subject_id, morning + dt.timedelta(days=3), f"CYCLE {cycle} DAY 4", raised, rng, baseline=False
            )
    return rows


def _pk(subject_id: str, analyte: str, first_dose: dt.datetime, rng: np.random.Generator) -> list[dict[str, Any]]:
    peak = float(rng.lognormal(np.log(100.0), 0.3))
    rate = np.log(2) / PK_HALF_LIFE_HOURS
    rows = [
        {
            "subject_id": subject_id,
            "kind": "pk",
            "analyte": analyte,
            "specimen": "SERUM",
            "collected_at": first_dose,
            "blq": True,
            "lloq": 1.0,
            "timepoint": "PRE-DOSE",
            "timepoint_hours": 0.0,
            "visit": "CYCLE 1 DAY 1",
        }
    ]
    for hours in PK_HOURS:
        value = round(peak * float(np.exp(-rate * hours)), 3)
        rows.append(
            {
                "subject_id": subject_id,
                "kind": "pk",
                "analyte": analyte,
                "specimen": "SERUM",
                "collected_at": first_dose + dt.timedelta(hours=hours),
                "value": value,
                "unit": "ng/mL",
                "lloq": 1.0,
                "blq": value < 1.0,
                "timepoint": f"{hours:g}H POST-DOSE",
                "timepoint_hours": hours,
                "visit": "CYCLE 1 DAY 1",
            }
        )
    return rows


def sample_rows(
    protocol: Protocol, subject_id: str, doses: Sequence[dict[str, Any]], rng: np.random.Generator
) -> list[dict[str, Any]]:
    """PK and biomarker samples (``record_samples`` rows) where the protocol has PK or biomarker endpoints."""
    given = sorted((row["given_at"], row["cycle"], row["treatment"]) for row in doses if row.get("given_at"))
    kinds = {e.kind for e in protocol.endpoints}
    radiation = {a.id for a in protocol.agents if a.kind == "radiation"}
    drug_doses = [g for g in given if g[2] not in radiation]
    rows: list[dict[str, Any]] = []
    if "pk" in kinds and drug_doses:
        rows += _pk(subject_id, drug_doses[0][2].upper(), drug_doses[0][0], rng)
    if "biomarker" in kinds:
        firsts: dict[int, dt.datetime] = {}
        for when, cycle, _ in drug_doses:
            firsts.setdefault(cycle, when)
        for cycle, when in sorted(firsts.items()):
            for label, moment in (("PRE-DOSE", when), ("DAY 3", when + dt.timedelta(days=2))):
                rows.append(
                    {
                        "subject_id": subject_id,
                        "kind": "biomarker",
                        "analyte": "IFNG",
                        "analyte_name": "Interferon gamma",
                        "specimen": "SERUM",
                        "collected_at": moment,
                        "value": round(float(rng.lognormal(np.log(20.0 if label == "PRE-DOSE" else 80.0), 0.5)), 2),
                        "unit": "pg/mL",
                        "timepoint": label,
                        "visit": f"CYCLE {cycle}",
                    }
                )
    return rows
