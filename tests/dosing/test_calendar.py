"""Dosing calendars of every seed regimen, against calendars worked out by hand.

Start dates: Monday 2026-11-23 is cycle 1 day 1 unless a test says otherwise. Day 8 is
2026-11-30, day 15 is 2026-12-07, day 22 is 2026-12-14, day 29 is 2026-12-21.
"""

from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.dosing import Patient, build_dosing_calendar
from oncotrial.errors import MissingDataError, ScheduleError
from oncotrial.protocol import load_builtin_protocol

MONDAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def sbrt_il2():
    return load_builtin_protocol("NCT01416831")


@pytest.fixture(scope="module")
def il21():
    return load_builtin_protocol("NCT00514085")


def _times(calendar, treatment):
    return [a.datetime for a in calendar.administrations if a.treatment == treatment]


# --- NCT01416831: high-dose IL-2 -------------------------------------------------------------


def test_hd_il2_arm_a_gives_14_doses_8h_apart_from_monday_for_two_cycles(sbrt_il2):
    """600,000 IU/kg IV q8h, up to 14 doses a cycle, started on a Monday; 70 kg -> 42,000,000 IU.
    Cycle 1: Mon 2026-11-23 08:00 to Fri 2026-11-27 16:00 (13 x 8 h = 104 h later)."""
    calendar = build_dosing_calendar(sbrt_il2, "A", Patient(weight_kg=70), MONDAY)
    rows = calendar.administrations
    assert len(rows) == 28
    assert {(a.dose, a.unit, a.route, a.agent) for a in rows} == {(42_000_000, "IU", "IV", "il2")}
    cycle1 = [a for a in rows if a.cycle == 1]
    assert [a.number for a in cycle1] == list(range(1, 15))
    assert cycle1[0].datetime == datetime(2026, 11, 23, 8, 0)
    assert cycle1[1].datetime == datetime(2026, 11, 23, 16, 0)
    assert cycle1[2].datetime == datetime(2026, 11, 24, 0, 0)
    assert cycle1[-1].datetime == datetime(2026, 11, 27, 16, 0)
    assert [a.day for a in cycle1] == [1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5]


def test_hd_il2_cycle_2_is_planned_on_the_monday_after_16_days_and_may_slip_7_days(sbrt_il2):
    """16 days after Mon 2026-11-23 is Wed 2026-12-09; the next Monday is 2026-12-14 (day 22);
    the latest start after a delay of one week is Mon 2026-12-21."""
    calendar = build_dosing_calendar(sbrt_il2, "A", Patient(weight_kg=70), MONDAY)
    cycle2 = calendar.cycles[1]
    assert (cycle2.cycle, cycle2.planned_start, cycle2.latest_start) == (2, date(2026, 12, 14), date(2026, 12, 21))
    times = [a.datetime for a in calendar.administrations if a.cycle == 2]
    assert times[0] == datetime(2026, 12, 14, 8, 0)
    assert times[-1] == datetime(2026, 12, 18, 16, 0)


def test_hd_il2_start_time_sets_the_clock_of_every_dose(sbrt_il2):
    """First dose Monday 16:00: the 14th is 104 h later, Saturday 2026-11-28 00:00 (day 6)."""
    calendar = build_dosing_calendar(sbrt_il2, "A", Patient(weight_kg=70), datetime(2026, 11, 23, 16, 0))
    cycle1 = [a for a in calendar.administrations if a.cycle == 1]
    assert cycle1[0].datetime == datetime(2026, 11, 23, 16, 0)
    assert (cycle1[-1].datetime, cycle1[-1].day) == (datetime(2026, 11, 28, 0, 0), 6)


@pytest.mark.parametrize(
    ("start", "message"),
    [
        pytest.param(date(2026, 11, 25), "2026-11-25 is a Wednesday. The next valid start date is Monday 2026-11-30",
                     id="wednesday"),
        pytest.param(date(2026, 11, 22), "2026-11-22 is a Sunday. The next valid start date is Monday 2026-11-23",
                     id="sunday"),
    ],
)  # fmt: skip
def test_start_date_off_the_monday_anchor_names_the_next_valid_date(sbrt_il2, start, message):
    with pytest.raises(ScheduleError, match=message) as info:
        build_dosing_calendar(sbrt_il2, "A", Patient(weight_kg=70), start)
    assert info.value.code == "DOSE-E010"


def test_hd_il2_at_most_six_cycles_for_responders(sbrt_il2):
    """2 cycles + 4 more for responders = 6; asking for 7 is refused."""
    calendar = build_dosing_calendar(sbrt_il2, "A", Patient(weight_kg=70), MONDAY, cycles=6)
    assert len(calendar.administrations) == 6 * 14
    assert [c.planned_start for c in calendar.cycles][-1] == date(2027, 3, 8)  # five 21-day steps: 105 days
    with pytest.raises(ScheduleError, match="7 cycles asked for, but at most 6 cycles in all"):
        build_dosing_calendar(sbrt_il2, "A", Patient(weight_kg=70), MONDAY, cycles=7)


# --- NCT01416831: SBRT by enrolment number ---------------------------------------------------


def test_sbrt_one_fraction_on_the_friday_before_il2_for_patients_1_to_20(sbrt_il2):
    calendar = build_dosing_calendar(sbrt_il2, "B", Patient(weight_kg=70, patient_number=20), MONDAY)
    sbrt = [a for a in calendar.administrations if a.treatment == "sbrt"]
    assert [(a.datetime.date(), a.day, a.dose, a.unit) for a in sbrt] == [(date(2026, 11, 20), -3, 20, "Gy")]
    assert len(_times(calendar, "il2")) == 28


def test_sbrt_two_fractions_wednesday_and_friday_from_patient_21(sbrt_il2):
    calendar = build_dosing_calendar(sbrt_il2, "B", Patient(weight_kg=70, patient_number=21), MONDAY)
    sbrt = [a for a in calendar.administrations if a.treatment == "sbrt"]
    assert [(a.datetime.date(), a.day) for a in sbrt] == [(date(2026, 11, 18), -5), (date(2026, 11, 20), -3)]
    assert all(a.cycle == 1 for a in sbrt)  # radiation only before the first cycle
    assert calendar.administrations[0].treatment == "sbrt"


def test_sbrt_arm_without_enrolment_number_asks_for_it(sbrt_il2):
    with pytest.raises(
        MissingDataError, match=r"depends on the patient's enrolment number.*\(patient_number\)"
    ) as info:
        build_dosing_calendar(sbrt_il2, "B", Patient(weight_kg=70), MONDAY)
    assert info.value.code == "DOSE-E003"


def test_crossover_gives_sbrt_then_il2_cycles_3_and_4(sbrt_il2):
    """Arm A patient 25 progressing after 2 cycles: SBRT Wed 2026-12-30 and Fri 2027-01-01, IL-2 on the
    Monday after (2027-01-04) as cycle 3; cycle 4 is 16 days later (Wed 2027-01-20) moved to Mon 2027-01-25."""
    calendar = build_dosing_calendar(
        sbrt_il2, "A", Patient(weight_kg=70, patient_number=25), date(2027, 1, 4), crossover="default"
    )
    assert calendar.arm_id == "A"
    assert calendar.crossover == "sbrt-after-progression"
    assert [a.datetime.date() for a in calendar.administrations if a.treatment == "sbrt"] == [
        date(2026, 12, 30),
        date(2027, 1, 1),
    ]
    assert [(c.cycle, c.planned_start) for c in calendar.cycles] == [(3, date(2027, 1, 4)), (4, date(2027, 1, 25))]
    assert len(_times(calendar, "il2")) == 28
    with pytest.raises(ScheduleError, match="its crossover allows 2"):
        build_dosing_calendar(sbrt_il2, "A", Patient(weight_kg=70, patient_number=3), date(2027, 1, 4),
                              crossover="default", cycles=3)  # fmt: skip


def test_unknown_arm_and_crossover_are_named(sbrt_il2):
    with pytest.raises(ScheduleError, match=r"has no arm 'C'\. Its arms are: A, B"):
        build_dosing_calendar(sbrt_il2, "C", Patient(weight_kg=70), MONDAY)
    with pytest.raises(ScheduleError, match="arm B has no crossover rule"):
        build_dosing_calendar(sbrt_il2, "B", Patient(weight_kg=70, patient_number=1), MONDAY, crossover="default")


# --- NCT00514085: rIL-21 ---------------------------------------------------------------------


def test_il21_part_a_gives_15_doses_on_days_1_5_15_19_29_33_of_an_8_week_cycle(il21):
    """50 ug/kg/day IV push, 70 kg -> 3.5 mg; cycle 2 starts on day 57 (2027-01-18)."""
    calendar = build_dosing_calendar(il21, "part-A", Patient(weight_kg=70), MONDAY, cycles=2)
    cycle1 = [a for a in calendar.administrations if a.cycle == 1]
    assert [a.day for a in cycle1] == [1, 2, 3, 4, 5, 15, 16, 17, 18, 19, 29, 30, 31, 32, 33]
    assert [a.datetime.date() for a in cycle1][::5] == [date(2026, 11, 23), date(2026, 12, 7), date(2026, 12, 21)]
    assert {(a.dose, a.unit, a.route) for a in calendar.administrations} == {(3.5, "mg", "IV push")}
    assert calendar.cycles[1].start == date(2027, 1, 18)
    assert len(calendar.administrations) == 30


def test_il21_part_b_gives_10_doses_in_a_6_week_cycle(il21):
    calendar = build_dosing_calendar(il21, "part-B", Patient(weight_kg=70), MONDAY, cycles=2)
    cycle1 = [a for a in calendar.administrations if a.cycle == 1]
    assert [a.day for a in cycle1] == [1, 2, 3, 4, 5, 15, 16, 17, 18, 19]
    assert calendar.cycles[1].start == date(2027, 1, 4)  # day 43


# --- CALGB 500001: rhIL-12 + IFN-alpha-2b ----------------------------------------------------


def test_il12_day_1_and_ifn_days_2_to_6_of_each_14_day_cycle():
    protocol = load_builtin_protocol("CALGB-500001")
    calendar = build_dosing_calendar(protocol, "IL12-IFN", Patient(weight_kg=70), MONDAY, cycles=2)
    rows = [(a.cycle, a.day, a.agent, a.dose, a.unit, a.route) for a in calendar.administrations]
    cycle1 = [(1, 1, "rhil12", 21.0, "µg", "IV")] + [(1, d, "ifna2b", 3_000_000, "IU", "SC") for d in range(2, 7)]
    assert rows[:6] == cycle1
    assert rows[6][:3] == (2, 1, "rhil12")
    assert calendar.administrations[6].datetime.date() == date(2026, 12, 7)


def test_standard_hd_il2_course_has_cycle_2_on_day_15():
    calendar = build_dosing_calendar(load_builtin_protocol("HD-IL2-LTO"), "HD-IL2", Patient(weight_kg=70), MONDAY)
    assert [c.start for c in calendar.cycles] == [MONDAY, date(2026, 12, 7)]
    assert len(calendar.administrations) == 28


@settings(max_examples=40, deadline=None)
@given(weight=st.floats(min_value=20, max_value=300), weeks=st.integers(min_value=0, max_value=520))
def test_hd_il2_property_any_weight_any_monday(weight, weeks):
    """For any accepted weight and any Monday: 28 doses, 8 h apart within a cycle, all of
    600,000 IU x weight (to 12 significant digits), cycle 2 exactly 21 days after cycle 1."""
    protocol = load_builtin_protocol("NCT01416831")
    start = MONDAY + timedelta(weeks=weeks)
    calendar = build_dosing_calendar(protocol, "A", Patient(weight_kg=weight), start)
    times = _times(calendar, "il2")
    assert len(times) == 28
    assert all(b - a == timedelta(hours=8) for a, b in pairwise(times[:14]))
    assert calendar.cycles[1].start - start == timedelta(days=21)
    assert all(a.dose == pytest.approx(600000 * weight, rel=1e-11) for a in calendar.administrations)
