"""Dosing calendars: every planned administration of an arm for one patient, re-planned from records.

The calendar starts on cycle 1 day 1 (the ``start`` date). Cycle days follow the oncology
convention: day 1 is the cycle's first day and the day before it is day -1 (there is no day
0), so radiation on the Friday before an IL-2 Monday is day -3.

Re-planning from records (:mod:`oncotrial.dosing.records`):

- a held dose is not given and not made up;
- a dose given at another time, or delayed, moves the remaining doses of its cycle by the
  same amount, so an every-8-hours schedule keeps its 8 hours;
- a delayed cycle starts on the recorded date, which must fall in the protocol's window
  (planned date to planned date + maximum delay, on the protocol's weekday); later cycles are
  planned from the actual start;
- a dose beyond a per-cycle or per-course maximum, or past the end of its cycle, is refused
  with the limit it breaks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Literal, TypeAlias

import pandas as pd
import pint

from oncotrial._results import fit_lines, to_json_dict
from oncotrial.dosing.amounts import DoseAmount, Patient, compute_dose
from oncotrial.dosing.records import AdministrationRecord, CycleStartRecord
from oncotrial.errors import MissingDataError, ScheduleError
from oncotrial.protocol.base import Weekday
from oncotrial.protocol.describe import describe_schedule, describe_treatment_schedule
from oncotrial.protocol.models import Arm, Protocol
from oncotrial.protocol.regimen import (
    CrossoverRule,
    DaySchedule,
    IntervalSchedule,
    Schedule,
    Treatment,
    WeekdaysBeforeSchedule,
    WeekSchedule,
)
from oncotrial.units import UNITS, parse_unit

__all__ = [
    "Administration",
    "CyclePlan",
    "DosingCalendar",
    "build_dosing_calendar",
    "compute_cycle_day",
    "compute_next_weekday",
]

Status = Literal["planned", "given", "held", "delayed"]
_DateTime: TypeAlias = datetime  # the field below is named "datetime", as in the JSON


@dataclass(frozen=True)
class Administration:
    """One administration on the calendar."""

    datetime: _DateTime
    agent: str
    agent_name: str
    treatment: str
    dose: float
    unit: str
    route: str
    cycle: int
    day: int
    number: int
    status: Status = "planned"
    planned_datetime: _DateTime | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields; ``datetime`` and ``planned_datetime`` in ISO 8601."""
        return {
            "datetime": self.datetime.isoformat(timespec="minutes"),
            "agent": self.agent,
            "agent_name": self.agent_name,
            "treatment": self.treatment,
            "dose": self.dose,
            "unit": self.unit,
            "route": self.route,
            "cycle": self.cycle,
            "day": self.day,
            "number": self.number,
            "status": self.status,
            "planned_datetime": (self.planned_datetime or self.datetime).isoformat(timespec="minutes"),
            "reason": self.reason,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row: the fields of :meth:`to_dict`."""
        return pd.DataFrame([self.to_dict()])

    def __str__(self) -> str:
        return fit_lines(
            f"{self.datetime:%a %Y-%m-%d %H:%M}  C{self.cycle}D{self.day:<3} {self.agent_name}: "
            f"{self.dose:,.10g} {self.unit} {self.route} [{self.status}]" + (f" ({self.reason})" if self.reason else "")
        )


@dataclass(frozen=True)
class CyclePlan:
    """A cycle's day 1: as planned by the protocol, the latest allowed, and the actual one."""

    cycle: int
    planned_start: date
    latest_start: date
    start: date
    reason: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields; dates in ISO 8601."""
        return to_json_dict(asdict(self))

    def to_frame(self) -> pd.DataFrame:
        """One row: cycle, planned_start, latest_start, start, reason (dates as dates)."""
        return pd.DataFrame([asdict(self)])

    def __str__(self) -> str:
        moved = "" if self.start == self.planned_start else f" (planned {self.planned_start:%Y-%m-%d})"
        why = f": {self.reason}" if self.reason else ""
        return fit_lines(f"Cycle {self.cycle} starts {self.start:%Y-%m-%d}{moved}{why}")


@dataclass(frozen=True)
class DosingCalendar:
    """A patient's dosing calendar for one arm (or a crossover), with what happened so far."""

    protocol_id: str
    arm_id: str
    patient: Patient
    administrations: tuple[Administration, ...]
    cycles: tuple[CyclePlan, ...]
    cycle_days: int
    crossover: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_frame(self) -> pd.DataFrame:
        """One row per administration, in time order (the columns of :meth:`to_records`)."""
        return pd.DataFrame(self.to_records())

    def to_records(self) -> list[dict[str, object]]:
        """Each administration's :meth:`Administration.to_dict`, after the patient's ``subject_id`` (or None)."""
        return [{"subject_id": self.patient.subject_id, **a.to_dict()} for a in self.administrations]

    def compute_window_days(self, first_cycle: int, last_cycle: int) -> int:
        """Days from day 1 of cycle ``first_cycle`` to the end of cycle ``last_cycle`` (its day 1 + the
        cycle's span): the time over which a treatment given in those cycles is delivered."""
        starts = {c.cycle: c.start for c in self.cycles}
        return (starts[last_cycle] - starts[first_cycle]).days + self.cycle_days

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: protocol_id, arm_id, crossover, subject_id, cycle_days, cycles, notes, and the
        administrations (:meth:`to_records`)."""
        return to_json_dict(
            {
                "protocol_id": self.protocol_id,
                "arm_id": self.arm_id,
                "crossover": self.crossover,
                "subject_id": self.patient.subject_id,
                "cycle_days": self.cycle_days,
                "cycles": [c.to_dict() for c in self.cycles],
                "notes": list(self.notes),
                "administrations": self.to_records(),
            }
        )

    def __str__(self) -> str:
        head = f"{self.protocol_id} arm {self.arm_id}: {len(self.administrations)} administrations"
        lines = [head, *(f"  {a}" for a in self.administrations), *(f"Note: {note}" for note in self.notes)]
        return fit_lines("\n".join(lines))


def compute_cycle_day(day: date, cycle_start: date) -> int:
    """The cycle day of ``day``: 1 on ``cycle_start``, -1 the day before (there is no day 0)."""
    offset = (day - cycle_start).days
    return offset + 1 if offset >= 0 else offset


def compute_next_weekday(day: date, weekday: Weekday) -> date:
    """The first ``weekday`` on or after ``day``."""
    return day + timedelta(days=(weekday.number - day.weekday()) % 7)


def build_dosing_calendar(
    protocol: Protocol,
    arm_id: str,
    patient: Patient,
    start: date | datetime,
    *,
    cycles: int | None = None,
    crossover: str | None = None,
    administrations: Sequence[AdministrationRecord] = (),
    cycle_starts: Sequence[CycleStartRecord] = (),
) -> DosingCalendar:
    """Every administration of ``arm_id`` for ``patient`` from cycle 1 day 1 = ``start``.

    Parameters
    ----------
    protocol, arm_id
        The protocol and the arm (or part) the patient is on.
    patient
        Weight (and height for doses per m²), enrolment number for rules that depend on it.
    start
        Cycle 1 day 1; a ``datetime`` also sets the clock time of the first administration.
        With ``crossover`` it is day 1 of the first crossover cycle.
    cycles
        How many cycles to plan; the arm's ``planned_cycles`` by default, at most its
        ``max_cycles``.
    crossover
        The id of one of the arm's crossover rules (or ``"default"`` for its only rule): plan
        the crossover treatment instead, numbered as the rule says.
    administrations, cycle_starts
        What actually happened; the rest is re-planned around it.

    Raises
    ------
    ScheduleError
        The start date breaks a weekday rule (the message names the next valid date), too
        many cycles are asked for, or a record breaks a limit of the protocol.
    MissingDataError
        The schedule depends on the enrolment number and none was given.
    """
    arm = _find_arm(protocol, arm_id)
    if not arm.treatments:
        raise ScheduleError(
            f"Arm {arm.id} of {protocol.id} has no treatments yet (a draft, e.g. imported from ClinicalTrials.gov): "
            f"add its agents' doses and schedules to the protocol before building a calendar.",
            code="DOSE-E030",
            arm=arm.id,
        )
    plan_arm, rule = arm, None
    if crossover is not None:
        rule = _find_crossover(protocol, arm, crossover)
        plan_arm = protocol.arm(rule.to_arm)
    n_cycles = _check_cycle_count(protocol, arm, rule, cycles)
    first_number = rule.first_cycle_number if rule else 1
    first_day = start.date() if isinstance(start, datetime) else start
    clock = start.time() if isinstance(start, datetime) else plan_arm.default_time
    _check_start_weekday(protocol, plan_arm, first_day)
    _check_patient_number(protocol, plan_arm, patient)
    cycle_plans = _plan_cycles(protocol, plan_arm, first_day, n_cycles, first_number, cycle_starts)
    records = _index_records(protocol, plan_arm, administrations, cycle_plans)
    rows: list[Administration] = []
    for index, cycle in enumerate(cycle_plans):
        for treatment in plan_arm.treatments:
            if treatment.cycles is None or index + 1 in treatment.cycles:
                rows.extend(_cycle_administrations(protocol, plan_arm, treatment, patient, cycle, clock, records))
    rows.sort(key=lambda a: (a.datetime, a.treatment))
    rows, notes = _apply_dose_limits(protocol, plan_arm, rows)
    return DosingCalendar(
        protocol_id=protocol.id,
        arm_id=arm.id,
        patient=patient,
        administrations=tuple(rows),
        cycles=tuple(cycle_plans),
        cycle_days=plan_arm.cycle_offset_days,
        crossover=rule.id if rule else None,
        notes=tuple(notes),
    )


# --- arm, crossover and cycle count ---------------------------------------------------------


def _find_arm(protocol: Protocol, arm_id: str) -> Arm:
    try:
        return protocol.arm(arm_id)
    except KeyError:
        arms = ", ".join(a.id for a in protocol.arms)
        raise ScheduleError(
            f"{protocol.id} has no arm '{arm_id}'. Its arms are: {arms}.", code="DOSE-E020", field="arm"
        ) from None


def _find_crossover(protocol: Protocol, arm: Arm, crossover: str) -> CrossoverRule:
    if not arm.crossover:
        raise ScheduleError(
            f"{protocol.id} arm {arm.id} has no crossover rule; patients on it cannot cross over.",
            code="DOSE-E021",
            field="crossover",
        )
    if crossover == "default" and len(arm.crossover) == 1:
        return arm.crossover[0]
    for rule in arm.crossover:
        if rule.id == crossover:
            return rule
    ids = ", ".join(r.id for r in arm.crossover)
    raise ScheduleError(
        f"{protocol.id} arm {arm.id} has no crossover rule '{crossover}'; its rules are: {ids}.",
        code="DOSE-E021",
        field="crossover",
    )


def _check_cycle_count(protocol: Protocol, arm: Arm, rule: CrossoverRule | None, cycles: int | None) -> int:
    limit: int | None
    if rule is not None:
        default, limit, why = rule.cycles, rule.cycles, f"its crossover allows {rule.cycles}"
    else:
        default, limit, why = arm.planned_cycles, arm.max_cycles, f"at most {arm.max_cycles} cycles in all"
    count = default if cycles is None else cycles
    if count < 1:
        raise ScheduleError(f"The number of cycles must be 1 or more; got {count}.", code="DOSE-E022", field="cycles")
    if limit is not None and count > limit:
        raise ScheduleError(
            f"{protocol.id} arm {arm.id}: {count} cycles asked for, but {why}. Ask for {limit} or fewer.",
            code="DOSE-E022",
            field="cycles",
        )
    return count


def _check_start_weekday(protocol: Protocol, arm: Arm, day: date) -> None:
    weekday = arm.start_weekday
    if weekday is None or day.weekday() == weekday.number:
        return
    valid = compute_next_weekday(day, weekday)
    raise ScheduleError(
        f"{protocol.id} arm {arm.id}: treatment starts on a {weekday.label}, but {day.isoformat()} is a "
        f"{day:%A}. The next valid start date is {valid:%A} {valid.isoformat()}.",
        code="DOSE-E010",
        field="start",
        next_valid=valid.isoformat(),
    )


def _check_patient_number(protocol: Protocol, arm: Arm, patient: Patient) -> None:
    needing = [t for t in arm.treatments if t.depends_on_patient_number]
    if needing and patient.patient_number is None:
        raise MissingDataError(
            f"{protocol.id} arm {arm.id}: the {needing[0].id} schedule depends on the patient's enrolment "
            f"number {describe_treatment_schedule(needing[0])}. Give the enrolment number (patient_number).",
            code="DOSE-E003",
            field="patient_number",
        )


# --- cycles ---------------------------------------------------------------------------------


def _plan_cycles(
    protocol: Protocol,
    arm: Arm,
    first_day: date,
    n_cycles: int,
    first_number: int,
    cycle_starts: Sequence[CycleStartRecord],
) -> list[CyclePlan]:
    by_cycle = {r.cycle: r for r in cycle_starts}
    numbers = range(first_number, first_number + n_cycles)
    for record in cycle_starts:
        if record.cycle not in numbers[1:]:
            raise ScheduleError(
                f"A start is recorded for cycle {record.cycle}, but this calendar's cycles after the first "
                f"are {', '.join(map(str, numbers[1:])) or 'none'}. The first cycle starts on the calendar's "
                "start date: change the start date instead.",
                code="DOSE-E037",
                field="cycle_starts",
            )
    plans = [CyclePlan(first_number, first_day, first_day, first_day)]
    for number in numbers[1:]:
        previous = plans[-1].start
        planned = previous + timedelta(days=arm.cycle_offset_days)
        rule = arm.next_cycle
        if rule is not None and rule.start_weekday is not None:
            planned = compute_next_weekday(planned, rule.start_weekday)
        latest = planned + timedelta(days=rule.max_delay_days if rule else 0)
        recorded = by_cycle.get(number)
        if recorded is None:
            plans.append(CyclePlan(number, planned, latest, planned))
            continue
        _check_cycle_start(protocol, arm, recorded, planned, latest)
        plans.append(CyclePlan(number, planned, latest, recorded.start, recorded.reason))
    return plans


def _check_cycle_start(protocol: Protocol, arm: Arm, record: CycleStartRecord, planned: date, latest: date) -> None:
    rule = arm.next_cycle
    where = f"{protocol.id} arm {arm.id}, cycle {record.cycle}"
    if record.start < planned:
        raise ScheduleError(
            f"{where}: the recorded start {record.start.isoformat()} is before the planned start "
            f"{planned.isoformat()}; a cycle may be delayed, not brought forward.",
            code="DOSE-E031",
            field="cycle_starts",
            cycle=record.cycle,
        )
    if record.start > latest:
        allowed = rule.max_delay_days if rule else 0
        raise ScheduleError(
            f"{where}: the recorded start {record.start.isoformat()} is {(record.start - planned).days} days "
            f"after the planned start {planned.isoformat()}; the protocol allows a delay of at most "
            f"{allowed} days (latest start {latest.isoformat()}).",
            code="DOSE-E032",
            field="cycle_starts",
            cycle=record.cycle,
        )
    weekday = rule.start_weekday if rule else None
    if weekday is not None and record.start.weekday() != weekday.number:
        valid = compute_next_weekday(record.start, weekday)
        hint = f"the next valid date is {valid.isoformat()}" if valid <= latest else "no later date is allowed"
        raise ScheduleError(
            f"{where}: cycles start on a {weekday.label}, but {record.start.isoformat()} is a "
            f"{record.start:%A}; {hint}.",
            code="DOSE-E033",
            field="cycle_starts",
            cycle=record.cycle,
        )


# --- administrations within a cycle ---------------------------------------------------------


def _slots(schedule: Schedule, cycle_start: date, clock: time) -> list[tuple[datetime, int]]:
    """The planned (datetime, cycle day) of each administration of a schedule in one cycle."""
    at = schedule.time or clock
    if isinstance(schedule, IntervalSchedule):
        first = datetime.combine(cycle_start, at)
        times = [first + timedelta(hours=schedule.every_hours * i) for i in range(schedule.max_doses)]
        return [(t, compute_cycle_day(t.date(), cycle_start)) for t in times]
    if isinstance(schedule, WeekdaysBeforeSchedule):
        days = sorted(_weekday_before(cycle_start, w) for w in schedule.weekdays)
        return [(datetime.combine(d, at), compute_cycle_day(d, cycle_start)) for d in days]
    cycle_days: Iterable[int] = schedule.days if isinstance(schedule, DaySchedule | WeekSchedule) else ()
    return [(datetime.combine(cycle_start + timedelta(days=d - 1), at), d) for d in cycle_days]


def _weekday_before(day: date, weekday: Weekday) -> date:
    """The latest ``weekday`` strictly before ``day``."""
    return day - timedelta(days=(day.weekday() - weekday.number - 1) % 7 + 1)


RecordIndex = dict[tuple[str, int], dict[int, AdministrationRecord]]


def _index_records(
    protocol: Protocol, arm: Arm, records: Sequence[AdministrationRecord], cycles: Sequence[CyclePlan]
) -> RecordIndex:
    treatments = {t.id for t in arm.treatments}
    numbers = {c.cycle for c in cycles}
    index: RecordIndex = {}
    for record in records:
        where = f"{protocol.id} arm {arm.id}: record for {record.treatment} cycle {record.cycle} dose {record.number}"
        if record.treatment not in treatments:
            raise ScheduleError(
                f"{where}: '{record.treatment}' is not a treatment of this arm ({', '.join(sorted(treatments))}).",
                code="DOSE-E034",
                field="treatment",
            )
        if record.cycle not in numbers:
            raise ScheduleError(
                f"{where}: this calendar plans cycles {min(numbers)}–{max(numbers)}; plan more cycles "
                "(cycles) or correct the cycle number.",
                code="DOSE-E035",
                field="cycle",
                parameters=("cycles",),
            )
        slot = index.setdefault((record.treatment, record.cycle), {})
        if record.number in slot:
            raise ScheduleError(f"{where}: this dose is recorded twice; keep one record.", code="DOSE-E036")
        slot[record.number] = record
    return index


def _cycle_administrations(
    protocol: Protocol,
    arm: Arm,
    treatment: Treatment,
    patient: Patient,
    cycle: CyclePlan,
    clock: time,
    records: RecordIndex,
) -> list[Administration]:
    schedule = treatment.schedule_for(patient.patient_number)
    slots = _slots(schedule, cycle.start, clock)
    recorded = records.get((treatment.id, cycle.cycle), {})
    extra = sorted(n for n in recorded if n > len(slots))
    if extra:
        raise ScheduleError(
            f"{protocol.id} arm {arm.id}, cycle {cycle.cycle}: {treatment.id} dose {extra[0]} is recorded, but the "
            f"protocol plans at most {len(slots)} doses of {treatment.id} in a cycle ({describe_schedule(schedule)}).",
            code="DOSE-E040",
            field="number",
            cycle=cycle.cycle,
        )
    planned = compute_dose(treatment.dose, patient)
    agent = protocol.agent(treatment.agent)
    template = Administration(
        datetime=datetime.min, agent=agent.id, agent_name=agent.name, treatment=treatment.id,
        dose=planned.value, unit=planned.unit, route=treatment.route.value, cycle=cycle.cycle, day=0, number=0,
    )  # fmt: skip
    end = datetime.combine(cycle.start + timedelta(days=arm.cycle_offset_days), time())
    shift = timedelta()
    rows = []
    previous: Administration | None = None
    where = f"{protocol.id} arm {arm.id}: record for {treatment.id} cycle {cycle.cycle}"
    for number, (slot, day) in enumerate(slots, start=1):
        row = _apply_record(template, recorded.get(number), slot + shift, (day, number), cycle.start, planned, where)
        _check_order(row, slot + shift, previous, f"{protocol.id} arm {arm.id}, cycle {cycle.cycle}: {treatment.id}")
        previous = row if row.status != "held" else previous
        shift = row.datetime - slot if row.status != "held" else shift
        if row.status != "held" and slot >= datetime.combine(cycle.start, time()) and row.datetime >= end:
            raise ScheduleError(
                f"{protocol.id} arm {arm.id}, cycle {cycle.cycle}: {treatment.id} dose {number} would fall on "
                f"{row.datetime:%Y-%m-%d %H:%M}, after the cycle ends ({end:%Y-%m-%d}); the delay is too long. "
                "Hold the dose instead, or record a delayed next cycle.",
                code="DOSE-E041",
                field="datetime",
                cycle=cycle.cycle,
            )
        rows.append(row)
    return rows


def _check_order(row: Administration, due: datetime, previous: Administration | None, where: str) -> None:
    """A delayed dose is later than it was due, and every dose comes after the one before it."""
    if row.status == "delayed" and row.datetime < due:
        raise ScheduleError(
            f"{where} dose {row.number} is recorded as delayed to {row.datetime:%Y-%m-%d %H:%M}, before it was due "
            f"({due:%Y-%m-%d %H:%M}). A delay moves a dose later; record an earlier dose as given at its time.",
            code="DOSE-E044",
            field="datetime",
            cycle=row.cycle,
        )
    if row.status != "held" and previous is not None and row.datetime <= previous.datetime:
        raise ScheduleError(
            f"{where} dose {row.number} at {row.datetime:%Y-%m-%d %H:%M} is not after dose {previous.number} "
            f"({previous.datetime:%Y-%m-%d %H:%M}). Correct the recorded date and time.",
            code="DOSE-E045",
            field="datetime",
            cycle=row.cycle,
        )


def _apply_record(
    template: Administration,
    record: AdministrationRecord | None,
    when: datetime,
    slot: tuple[int, int],
    cycle_start: date,
    planned: DoseAmount,
    where: str,
) -> Administration:
    day, number = slot
    row = replace(template, datetime=when, planned_datetime=when, day=day, number=number)
    if record is None:
        return row
    if record.status == "held":
        return replace(row, status="held", reason=record.reason)
    actual = record.datetime or when
    return replace(
        row,
        datetime=actual,
        day=compute_cycle_day(actual.date(), cycle_start),
        status=record.status,
        dose=_given_dose(record, planned, f"{where} dose {number}"),
        reason=record.reason,
    )


def _given_dose(record: AdministrationRecord, planned: DoseAmount, where: str) -> float:
    """The dose a record says was given, in the planned dose's unit; the planned dose when it says none."""
    if record.percent is not None:
        value = planned.value * record.percent / 100
    elif record.amount is not None and record.unit is not None:
        try:
            value = UNITS.Quantity(record.amount, parse_unit(record.unit)).to(parse_unit(planned.unit)).magnitude
        except pint.DimensionalityError:
            raise ScheduleError(
                f"{where}: the amount is in '{record.unit}', which cannot express the planned dose of {planned}; "
                f"give the amount given in {planned.unit} (or a unit of the same kind).",
                code="DOSE-E046",
                field="unit",
            ) from None
    else:
        return planned.value
    value = float(f"{value:.12g}")  # binary noise of the conversion, as in compute_dose
    if value > planned.value * (1 + 1e-9) and not record.allow_above_planned:
        raise ScheduleError(
            f"{where}: {value:,.10g} {planned.unit} given is more than the planned dose of {planned}. Correct the "
            'amount, or add "allow_above_planned": true to the record if more was given on purpose.',
            code="DOSE-E047",
            field="amount",
        )
    return value


# --- limits ---------------------------------------------------------------------------------


def _apply_dose_limits(
    protocol: Protocol, arm: Arm, rows: Sequence[Administration]
) -> tuple[list[Administration], list[str]]:
    """Drop planned doses beyond a limit (with a note); refuse recorded ones beyond it."""
    kept, notes = list(rows), []
    for limit in arm.dose_limits:
        counts: dict[int, int] = {}
        result = []
        for row in kept:
            if row.treatment != limit.treatment or row.status == "held":
                result.append(row)
                continue
            block = (row.cycle - 1) // limit.per_cycles
            counts[block] = counts.get(block, 0) + 1
            if counts[block] <= limit.max_doses:
                result.append(row)
                continue
            first = block * limit.per_cycles + 1
            span = f"cycle {first}" if limit.per_cycles == 1 else f"cycles {first}–{first + limit.per_cycles - 1}"
            rule = f"at most {limit.max_doses} doses of {limit.treatment} in {span} ({limit.text or 'dose limit'})"
            if row.status != "planned":
                raise ScheduleError(
                    f"{protocol.id} arm {arm.id}: cycle {row.cycle} {row.treatment} dose {row.number} is recorded as "
                    f"{row.status}, but the protocol allows {rule}.",
                    code="DOSE-E042",
                    field="administrations",
                    cycle=row.cycle,
                )
            notes.append(f"Cycle {row.cycle} {row.treatment} dose {row.number} is not planned: {rule}.")
        kept = result
    return kept, notes
