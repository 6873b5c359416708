"""Cumulative dose and dose intensity, planned against given (and still to give).

Dose intensity is the amount delivered per unit of time (Hryniuk W, Bush H. The importance of
dose intensity in chemotherapy of metastatic breast cancer. J Clin Oncol 1984;2:1281-8); the
relative dose intensity (RDI) is the delivered dose intensity divided by the planned one.

Each treatment (one agent of the arm) has its own window: from day 1 of the first cycle in which it is
planned to the end of the last such cycle (that cycle's day 1 plus the cycle's span). A delayed cycle
lowers the intensity of the treatments given in it and after it, even when every dose is given; it
does not touch a treatment whose cycles are over (SBRT given in full in cycle 1 stays at 100 % whatever
happens to the IL-2 of cycle 2). A reduced dose counts at the amount given.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields

import pandas as pd

from oncotrial._results import fit_lines, to_json_dict
from oncotrial.dosing.calendar import DosingCalendar

__all__ = ["DoseSummaries", "DoseSummary", "compute_dose_summary"]


@dataclass(frozen=True)
class DoseSummary:
    """Per treatment: doses and cumulative amounts planned, given, held and still to give.

    ``planned_days`` and ``projected_days`` are the treatment's window (see the module docstring) in
    the plan and in the re-planned calendar.
    """

    treatment: str
    agent: str
    unit: str
    planned_doses: int
    given_doses: int
    held_doses: int
    remaining_doses: int
    planned_cumulative: float
    given_cumulative: float
    projected_cumulative: float
    planned_days: int
    projected_days: int
    relative_dose_intensity: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields."""
        return to_json_dict(asdict(self))

    def to_frame(self) -> pd.DataFrame:
        """One row: the fields, as named."""
        return pd.DataFrame([asdict(self)])

    def __str__(self) -> str:
        return fit_lines(
            f"{self.agent}: {self.planned_doses} doses planned ({self.planned_cumulative:,.10g} {self.unit}); "
            f"{self.given_doses} given, {self.held_doses} held, {self.remaining_doses} to give; "
            f"cumulative given {self.given_cumulative:,.10g} {self.unit}; relative dose intensity "
            f"{self.relative_dose_intensity:.0%}"
        )


@dataclass(frozen=True)
class DoseSummaries:
    """The dose summary of every treatment of a calendar, in the order of the arm (iterable, one per treatment)."""

    summaries: tuple[DoseSummary, ...]

    def __iter__(self) -> Iterator[DoseSummary]:
        return iter(self.summaries)

    def __len__(self) -> int:
        return len(self.summaries)

    def to_frame(self) -> pd.DataFrame:
        """One row per treatment (:meth:`DoseSummary.to_frame`'s columns)."""
        return pd.DataFrame([asdict(s) for s in self.summaries], columns=[f.name for f in fields(DoseSummary)])

    def to_dict(self) -> dict[str, object]:
        """``{"treatments": [...]}``, each :meth:`DoseSummary.to_dict`."""
        return {"treatments": [s.to_dict() for s in self.summaries]}

    def __str__(self) -> str:
        return "\n".join(str(s) for s in self.summaries) or "(no treatments)"


def compute_dose_summary(planned: DosingCalendar, actual: DosingCalendar) -> DoseSummaries:
    """Compare the protocol's plan (no records) with the calendar re-planned from records.

    ``projected`` counts the doses given plus those still planned; the relative dose
    intensity is ``(projected_cumulative / projected_days) / (planned_cumulative / planned_days)``,
    each over the treatment's own window.
    """
    summaries = []
    for treatment in dict.fromkeys(a.treatment for a in planned.administrations):
        plan = [a for a in planned.administrations if a.treatment == treatment]
        rows = [a for a in actual.administrations if a.treatment == treatment]
        given = [a for a in rows if a.status == "given"]
        remaining = [a for a in rows if a.status in ("planned", "delayed")]
        planned_total = _total(a.dose for a in plan)
        given_total = _total(a.dose for a in given)
        projected_total = _total(a.dose for a in given + remaining)
        first, last = min(a.cycle for a in plan), max(a.cycle for a in plan)
        planned_days = planned.compute_window_days(first, last)
        projected_days = actual.compute_window_days(first, last)
        planned_rate = planned_total / planned_days
        projected_rate = projected_total / projected_days
        summaries.append(
            DoseSummary(
                treatment=treatment,
                agent=plan[0].agent_name,
                unit=plan[0].unit,
                planned_doses=len(plan),
                given_doses=len(given),
                held_doses=sum(a.status == "held" for a in rows),
                remaining_doses=len(remaining),
                planned_cumulative=planned_total,
                given_cumulative=given_total,
                projected_cumulative=projected_total,
                planned_days=planned_days,
                projected_days=projected_days,
                relative_dose_intensity=round(projected_rate / planned_rate, 6) if planned_rate else 0.0,
            )
        )
    return DoseSummaries(tuple(summaries))


def _total(values: object) -> float:
    return float(f"{sum(values):.12g}")  # type: ignore[call-overload]
