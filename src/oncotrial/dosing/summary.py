"""Cumulative dose and dose intensity, planned against given (and still to give).

Dose intensity is the amount delivered per unit of time (Hryniuk W, Bush H. The importance of
dose intensity in chemotherapy of metastatic breast cancer. J Clin Oncol 1984;2:1281-8); the
relative dose intensity (RDI) is the delivered dose intensity divided by the planned one. Here
time runs from cycle 1 day 1 to the end of the last cycle (its day 1 plus the cycle's span),
so a delayed cycle lowers the intensity even when every dose is given.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from oncotrial.dosing.calendar import DosingCalendar

__all__ = ["DoseSummary", "compute_dose_summary"]


@dataclass(frozen=True)
class DoseSummary:
    """Per treatment: doses and cumulative amounts planned, given, held and still to give."""

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
        return asdict(self)


def compute_dose_summary(planned: DosingCalendar, actual: DosingCalendar) -> list[DoseSummary]:
    """Compare the protocol's plan (no records) with the calendar re-planned from records.

    ``projected`` counts the doses given plus those still planned; the relative dose
    intensity is ``(projected_cumulative / projected_days) / (planned_cumulative / planned_days)``.
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
        planned_rate = planned_total / planned.treatment_days
        projected_rate = projected_total / actual.treatment_days
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
                planned_days=planned.treatment_days,
                projected_days=actual.treatment_days,
                relative_dose_intensity=round(projected_rate / planned_rate, 6) if planned_rate else 0.0,
            )
        )
    return summaries


def _total(values: object) -> float:
    return float(f"{sum(values):.12g}")  # type: ignore[call-overload]
