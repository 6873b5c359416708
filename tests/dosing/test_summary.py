"""Cumulative dose and relative dose intensity, worked out by hand."""

from datetime import date

import pytest

from oncotrial.dosing import (
    AdministrationRecord,
    CycleStartRecord,
    Patient,
    build_dosing_calendar,
    compute_dose_summary,
)
from oncotrial.protocol import load_builtin_protocol

MONDAY = date(2026, 11, 23)


def test_two_held_doses_and_a_week_delay_give_an_rdi_of_962_over_1232():
    """Plan: 28 doses x 42,000,000 IU = 1,176,000,000 IU over 21 + 16 = 37 days.
    Doses 1 given, 2 and 3 held, cycle 2 a week late: 1 given, 25 to give, 26 x 42e6 = 1,092,000,000 IU
    over 28 + 16 = 44 days. RDI = (26 / 44) / (28 / 37) = 962 / 1232 = 0.780844."""
    protocol = load_builtin_protocol("NCT01416831")
    patient = Patient(weight_kg=70)
    records = [
        AdministrationRecord(treatment="il2", cycle=1, number=1, status="given"),
        AdministrationRecord(treatment="il2", cycle=1, number=2, status="held", reason="hypotension"),
        AdministrationRecord(treatment="il2", cycle=1, number=3, status="held", reason="hypotension"),
    ]
    delay = [CycleStartRecord(cycle=2, start=date(2026, 12, 21), reason="toxicity")]
    planned = build_dosing_calendar(protocol, "A", patient, MONDAY)
    actual = build_dosing_calendar(protocol, "A", patient, MONDAY, administrations=records, cycle_starts=delay)
    (summary,) = compute_dose_summary(planned, actual)
    assert (summary.planned_doses, summary.given_doses, summary.held_doses, summary.remaining_doses) == (28, 1, 2, 25)
    assert summary.planned_cumulative == 1_176_000_000
    assert summary.given_cumulative == 42_000_000
    assert summary.projected_cumulative == 1_092_000_000
    assert (summary.planned_days, summary.projected_days) == (37, 44)
    assert summary.relative_dose_intensity == pytest.approx(0.780844, abs=1e-6)
    assert summary.unit == "IU"


def test_full_plan_has_rdi_1_for_each_treatment():
    protocol = load_builtin_protocol("CALGB-500001")
    calendar = build_dosing_calendar(protocol, "IL12-IFN", Patient(weight_kg=70), MONDAY, cycles=2)
    summaries = {s.treatment: s for s in compute_dose_summary(calendar, calendar)}
    assert summaries["rhil12"].planned_cumulative == 42.0  # 2 x 21 ug
    assert summaries["ifna2b"].planned_cumulative == 30_000_000  # 10 x 3,000,000 IU
    assert {s.relative_dose_intensity for s in summaries.values()} == {1.0}
