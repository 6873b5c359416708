"""Cumulative dose and relative dose intensity, worked out by hand."""

from datetime import date

import pytest

from oncotrial.dosing import (
    AdministrationRecord,
    CycleStartRecord,
    DosingCalendar,
    Patient,
    build_dosing_calendar,
    compute_dose_summary,
)
from oncotrial.protocol import load_builtin_protocol

MONDAY = date(2026, 11, 23)


def held_and_delayed_calendars(subject_id: str | None = None) -> tuple[DosingCalendar, DosingCalendar]:
    """NCT01416831 arm A, 70 kg, from Monday 2026-11-23: the plan, and the calendar with doses 2 and 3 of
    cycle 1 held (hypotension) and cycle 2 a week late (2026-12-21, toxicity)."""
    protocol = load_builtin_protocol("NCT01416831")
    patient = Patient(weight_kg=70, subject_id=subject_id)
    records = [
        AdministrationRecord(treatment="il2", cycle=1, number=1, status="given"),
        AdministrationRecord(treatment="il2", cycle=1, number=2, status="held", reason="hypotension"),
        AdministrationRecord(treatment="il2", cycle=1, number=3, status="held", reason="hypotension"),
    ]
    delay = [CycleStartRecord(cycle=2, start=date(2026, 12, 21), reason="toxicity")]
    planned = build_dosing_calendar(protocol, "A", patient, MONDAY)
    actual = build_dosing_calendar(protocol, "A", patient, MONDAY, administrations=records, cycle_starts=delay)
    return planned, actual


def test_two_held_doses_and_a_week_delay_give_an_rdi_of_962_over_1232():
    """Plan: 28 doses x 42,000,000 IU = 1,176,000,000 IU over 21 + 16 = 37 days.
    Doses 1 given, 2 and 3 held, cycle 2 a week late: 1 given, 25 to give, 26 x 42e6 = 1,092,000,000 IU
    over 28 + 16 = 44 days. RDI = (26 / 44) / (28 / 37) = 962 / 1232 = 0.780844."""
    planned, actual = held_and_delayed_calendars()
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


def test_sbrt_given_in_cycle_1_stays_at_100_percent_when_il2_cycle_2_is_delayed():
    """NCT01416831 arm B, patient 21 (two SBRT fractions of 20 Gy, cycle 1 only), 70 kg, from Mon 2026-11-23;
    cycle 2 delayed a week to Mon 2026-12-21 (planned 2026-12-14). Each treatment's window runs from day 1 of its
    first cycle to the end of its last (day 1 + 16 days):
    SBRT: 40 Gy over 16 days planned and 16 days actual, RDI 1.
    IL-2: 28 x 42,000,000 IU over 21 + 16 = 37 days planned and 28 + 16 = 44 days actual, RDI 37/44 = 0.840909."""
    protocol = load_builtin_protocol("NCT01416831")
    patient = Patient(weight_kg=70, patient_number=21)
    delay = [CycleStartRecord(cycle=2, start=date(2026, 12, 21), reason="creatinine not recovered")]
    planned = build_dosing_calendar(protocol, "B", patient, MONDAY)
    actual = build_dosing_calendar(protocol, "B", patient, MONDAY, cycle_starts=delay)
    summaries = {s.treatment: s for s in compute_dose_summary(planned, actual)}
    sbrt, il2 = summaries["sbrt"], summaries["il2"]
    assert (sbrt.planned_cumulative, sbrt.projected_cumulative, sbrt.unit) == (40, 40, "Gy")
    assert (sbrt.planned_days, sbrt.projected_days) == (16, 16)
    assert sbrt.relative_dose_intensity == 1.0
    assert (il2.planned_days, il2.projected_days) == (37, 44)
    assert il2.relative_dose_intensity == pytest.approx(0.840909, abs=1e-6)


def test_reduced_doses_count_at_the_amount_given():
    """CALGB 500001, 70 kg, one 14-day cycle. rhIL-12 planned 300 ng/kg x 70 kg = 21 ug, given 10,500 ng =
    10.5 ug: RDI 10.5 / 21 = 0.5. IFN-a2b planned 5 x 3,000,000 = 15,000,000 IU; dose 1 given at 50 % =
    1,500,000 IU, the other 4 still planned: 13,500,000 IU, RDI 13.5 / 15 = 0.9 (same 14-day window)."""
    protocol = load_builtin_protocol("CALGB-500001")
    patient = Patient(weight_kg=70)
    records = [
        AdministrationRecord(treatment="rhil12", cycle=1, number=1, status="given", amount=10_500, unit="ng"),
        AdministrationRecord(treatment="ifna2b", cycle=1, number=1, status="given", percent=50),
    ]
    planned = build_dosing_calendar(protocol, "IL12-IFN", patient, MONDAY)
    actual = build_dosing_calendar(protocol, "IL12-IFN", patient, MONDAY, administrations=records)
    summaries = {s.treatment: s for s in compute_dose_summary(planned, actual)}
    il12, ifn = summaries["rhil12"], summaries["ifna2b"]
    assert (il12.given_cumulative, il12.planned_cumulative) == (10.5, 21)
    assert il12.relative_dose_intensity == 0.5
    assert (ifn.given_cumulative, ifn.projected_cumulative, ifn.planned_cumulative) == (
        1_500_000,
        13_500_000,
        15_000_000,
    )
    assert ifn.relative_dose_intensity == 0.9
