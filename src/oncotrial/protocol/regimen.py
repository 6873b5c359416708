"""What a patient is given and when: doses, schedules, cycles and the rules that move them.

The pieces, from small to large:

- :class:`Dose`: an amount in a unit, flat or per kg of body weight or per m² of body surface.
- A schedule, one of :class:`DaySchedule` (days of a cycle), :class:`WeekSchedule` (days of
  chosen weeks of a cycle), :class:`IntervalSchedule` (every N hours up to a number of doses)
  and :class:`WeekdaysBeforeSchedule` (chosen weekdays before the cycle starts, e.g. SBRT on
  the Wednesday and Friday before IL-2).
- :class:`Treatment`: one agent at one dose by one route on one schedule, possibly a
  different schedule by the patient's enrolment number (:class:`PatientNumberSchedule`).
- :class:`NextCycleRule`, :class:`DoseLimit`, :class:`ContinuationRule` and
  :class:`CrossoverRule`: the rules of an arm's cycles.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from oncotrial.protocol.base import (
    Identifier,
    NotBool,
    PositiveInt,
    ProtocolModel,
    Route,
    TimeOfDay,
    Weekday,
    expand_day_list,
)
from oncotrial.units import UNITS, UnitParseError, parse_unit

__all__ = [
    "ContinuationRule",
    "CrossoverRule",
    "DaySchedule",
    "Dose",
    "DoseLimit",
    "IntervalSchedule",
    "NextCycleRule",
    "PatientNumberSchedule",
    "Response",
    "Schedule",
    "Treatment",
    "WeekSchedule",
    "WeekdaysBeforeSchedule",
]

Response = Literal["CR", "PR", "SD", "PD", "NE"]

# Dimensions an administered amount may have: a mass, a biological activity (IU) or an
# absorbed radiation dose (Gy). A length or a time is a mistake in the protocol.
_DOSE_DIMENSIONS = {
    "mass": UNITS.gram.dimensionality,
    "activity (IU)": UNITS.international_unit.dimensionality,
    "radiation dose (Gy)": UNITS.gray.dimensionality,
    "volume": UNITS.liter.dimensionality,
}


def _check_dose_unit(value: str) -> str:
    try:
        unit = parse_unit(value)
    except UnitParseError as exc:
        raise ValueError(exc.message) from exc
    if unit.dimensionality not in _DOSE_DIMENSIONS.values():
        raise ValueError(
            f"'{value}' is not a unit of dose ({unit.dimensionality}); a dose is a mass "
            "(mg, ug, ng), an activity (IU, MIU), a radiation dose (Gy) or a volume (mL). "
            "Write the amount per kg or m² with 'per: kg' or 'per: m2', not in the unit"
        )
    return value


class Dose(ProtocolModel):
    """An amount in a unit, given flat, per kg of body weight or per m² of body surface.

    ``600,000 IU/kg`` is ``Dose(amount=600000, unit="IU", per="kg")``. ``report_unit``
    is the unit in which the absolute dose is shown (``ug`` for 21,000 ng of IL-12).
    """

    amount: Annotated[float, NotBool] = Field(
        gt=0, le=1e9, description="Amount per administration, > 0 (at most 10⁹ of its unit: more is a slip)."
    )
    unit: str
    per: Literal["kg", "m2"] | None = None
    report_unit: str | None = None

    @field_validator("unit")
    @classmethod
    def _check_unit(cls, value: str) -> str:
        return _check_dose_unit(value)

    @model_validator(mode="after")
    def _report_unit_compatible(self) -> Dose:
        if self.report_unit is not None:
            _check_dose_unit(self.report_unit)
            if parse_unit(self.report_unit).dimensionality != parse_unit(self.unit).dimensionality:
                raise ValueError(f"report_unit '{self.report_unit}' cannot express a dose in '{self.unit}'")
        return self

    def __str__(self) -> str:
        per = {"kg": "/kg", "m2": "/m²", None: ""}[self.per]
        return f"{self.amount:,.10g} {self.unit}{per}"


DayList = Annotated[list[Annotated[int, NotBool, Field(ge=1)]], BeforeValidator(expand_day_list)]


class _ScheduleBase(ProtocolModel):
    time: TimeOfDay | None = Field(
        default=None, description="Clock time of each administration; the calendar's default if absent."
    )


class DaySchedule(_ScheduleBase):
    """Once on each listed day of a cycle (day 1 is the first day of the cycle)."""

    kind: Literal["days"]
    days: DayList = Field(min_length=1)

    @field_validator("days")
    @classmethod
    def _unique(cls, days: list[int]) -> list[int]:
        if len(set(days)) != len(days):
            raise ValueError(f"a day is listed twice in {days}")
        return sorted(days)


class WeekSchedule(_ScheduleBase):
    """Once on each listed day (1–7) of each listed week of a cycle: "days 1–5 of weeks 1, 3, 5"."""

    kind: Literal["weeks"]
    weeks: list[PositiveInt] = Field(min_length=1)
    days_of_week: Annotated[list[Annotated[int, NotBool, Field(ge=1, le=7)]], BeforeValidator(expand_day_list)] = Field(
        min_length=1
    )

    @property
    def days(self) -> list[int]:
        """The cycle days this schedule gives (week 3, day 1 is cycle day 15)."""
        return sorted((w - 1) * 7 + d for w in self.weeks for d in self.days_of_week)


class IntervalSchedule(_ScheduleBase):
    """Every ``every_hours`` hours from the first dose, up to ``max_doses`` doses a cycle."""

    kind: Literal["interval"]
    every_hours: Annotated[float, NotBool] = Field(gt=0, le=24 * 366, description="At most a year.")
    max_doses: PositiveInt


class WeekdaysBeforeSchedule(_ScheduleBase):
    """Once on each listed weekday of the week before the cycle's first day.

    "SBRT on the Wednesday and Friday before IL-2 starts (a Monday)": the latest such
    weekday strictly before cycle day 1, for each weekday listed.
    """

    kind: Literal["weekdays_before"]
    weekdays: list[Weekday] = Field(min_length=1)


Schedule = Annotated[
    DaySchedule | WeekSchedule | IntervalSchedule | WeekdaysBeforeSchedule,
    Field(discriminator="kind"),
]


class PatientNumberSchedule(ProtocolModel):
    """A schedule that applies to patients with enrolment numbers ``first``–``last``."""

    first: PositiveInt
    last: PositiveInt | None = Field(default=None, description="Inclusive; absent means no end.")
    schedule: Schedule

    @model_validator(mode="after")
    def _ordered(self) -> PatientNumberSchedule:
        if self.last is not None and self.last < self.first:
            raise ValueError(f"patients {self.first}–{self.last}: the range runs backwards")
        return self


class Treatment(ProtocolModel):
    """One agent at one dose by one route, on a schedule within each cycle.

    Give either ``schedule`` or ``schedule_by_patient_number`` (the latter covers every
    enrolment number from 1 on, in order, without gaps or overlaps). ``cycles`` lists the
    cycles of the arm's plan in which it is given (counted from the plan's first cycle);
    absent means every cycle.
    """

    id: Identifier
    agent: Identifier
    dose: Dose
    route: Route
    schedule: Schedule | None = None
    schedule_by_patient_number: list[PatientNumberSchedule] | None = None
    cycles: list[PositiveInt] | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_schedule(self) -> Treatment:
        if (self.schedule is None) == (self.schedule_by_patient_number is None):
            raise ValueError("give exactly one of 'schedule' and 'schedule_by_patient_number'")
        rules = self.schedule_by_patient_number or []
        expected = 1
        for i, rule in enumerate(rules):
            if rule.first != expected:
                raise ValueError(
                    f"schedule_by_patient_number[{i}] starts at patient {rule.first}; it must start "
                    f"at patient {expected} so that every enrolment number has one schedule"
                )
            if rule.last is None and i != len(rules) - 1:
                raise ValueError(f"schedule_by_patient_number[{i}] has no end but is not the last rule")
            expected = (rule.last or 0) + 1
        if rules and rules[-1].last is not None:
            raise ValueError(
                f"schedule_by_patient_number ends at patient {rules[-1].last}; the last rule must have "
                "no 'last' so that every later patient has a schedule"
            )
        return self

    @property
    def depends_on_patient_number(self) -> bool:
        return self.schedule_by_patient_number is not None

    def schedule_for(self, patient_number: int | None) -> Schedule:
        """The schedule of the patient with this enrolment number (``None`` when not needed)."""
        if self.schedule is not None:
            return self.schedule
        assert self.schedule_by_patient_number is not None  # guaranteed by _one_schedule
        if patient_number is None:
            raise ValueError("patient number needed")
        for rule in self.schedule_by_patient_number:
            if patient_number >= rule.first and (rule.last is None or patient_number <= rule.last):
                return rule.schedule
        raise ValueError(f"no schedule for patient {patient_number}")  # unreachable after validation


class NextCycleRule(ProtocolModel):
    """When the next cycle starts: ``offset_days`` after the previous cycle's day 1.

    With ``start_weekday`` the cycle starts on the first such weekday on or after that day.
    It may be delayed by up to ``max_delay_days`` (e.g. for toxicity to resolve); a later
    start is refused.
    """

    offset_days: PositiveInt
    start_weekday: Weekday | None = None
    max_delay_days: Annotated[int, NotBool] = Field(default=0, ge=0)


class DoseLimit(ProtocolModel):
    """At most ``max_doses`` of a treatment over each block of ``per_cycles`` cycles.

    "At most 28 doses during two cycles" is ``DoseLimit(treatment="il2", max_doses=28,
    per_cycles=2)``; blocks are cycles 1–2, 3–4, ... of the arm's plan.
    """

    treatment: Identifier
    max_doses: PositiveInt
    per_cycles: PositiveInt = 1
    text: str | None = None


class ContinuationRule(ProtocolModel):
    """How many more cycles a patient may receive given a response.

    Exactly one of ``additional_cycles`` ("responders may receive 4 more cycles"),
    ``cycles_beyond_response`` ("2 courses beyond CR or PR") and ``max_total_cycles``
    ("stable disease: at most 3 courses") is set.
    """

    id: Identifier
    responses: list[Response] = Field(min_length=1)
    assessed_after_cycle: PositiveInt | None = None
    additional_cycles: PositiveInt | None = None
    cycles_beyond_response: PositiveInt | None = None
    max_total_cycles: PositiveInt | None = None
    text: str

    @model_validator(mode="after")
    def _one_amount(self) -> ContinuationRule:
        given = [
            name
            for name in ("additional_cycles", "cycles_beyond_response", "max_total_cycles")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "set exactly one of additional_cycles, cycles_beyond_response and max_total_cycles"
                f" (found {', '.join(given) or 'none'})"
            )
        return self


class CrossoverRule(ProtocolModel):
    """When a patient may cross to another arm's treatment, and how it is counted.

    After ``after_cycles`` cycles with a response in ``responses``, the patient may receive
    ``cycles`` cycles of arm ``to_arm``'s plan, numbered from ``first_cycle_number``; the
    patient stays in arm ``analysed_in_arm`` for the analysis.
    """

    id: Identifier
    to_arm: Identifier
    after_cycles: PositiveInt
    responses: list[Response] = Field(min_length=1)
    cycles: PositiveInt
    first_cycle_number: PositiveInt
    analysed_in_arm: Identifier
    text: str
