"""Re-planning a calendar from what happened, and refusing what the protocol does not allow.

NCT01416831 arm A from Monday 2026-11-23 08:00, 70 kg: cycle 1 doses 1-14 every 8 h
(dose 2 at 16:00, dose 3 Tue 00:00, ...), cycle 2 planned Mon 2026-12-14, latest Mon 2026-12-21.
"""

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from oncotrial.dosing import AdministrationRecord, CycleStartRecord, Patient, build_dosing_calendar
from oncotrial.errors import ScheduleError
from oncotrial.protocol import load_builtin_protocol, parse_protocol, protocol_to_dict

MONDAY = date(2026, 11, 23)
PATIENT = Patient(weight_kg=70)


@pytest.fixture(scope="module")
def protocol():
    return load_builtin_protocol("NCT01416831")


def _cycle(calendar, number):
    return [a for a in calendar.administrations if a.cycle == number and a.treatment == "il2"]


def test_held_dose_is_not_made_up_and_the_rest_keeps_its_time(protocol):
    held = AdministrationRecord(treatment="il2", cycle=1, number=2, status="held", reason="grade 3 hypotension")
    calendar = build_dosing_calendar(protocol, "A", PATIENT, MONDAY, administrations=[held])
    cycle1 = _cycle(calendar, 1)
    assert len(cycle1) == 14
    assert (cycle1[1].status, cycle1[1].reason) == ("held", "grade 3 hypotension")
    assert cycle1[2].datetime == datetime(2026, 11, 24, 0, 0)
    assert cycle1[-1].datetime == datetime(2026, 11, 27, 16, 0)


def test_delayed_dose_moves_the_rest_of_its_cycle(protocol):
    """Dose 3 delayed 4 h to Tue 04:00: dose 4 at 12:00, dose 14 at Fri 20:00; cycle 2 unchanged."""
    delayed = AdministrationRecord(
        treatment="il2", cycle=1, number=3, status="delayed", datetime=datetime(2026, 11, 24, 4, 0), reason="fever"
    )
    calendar = build_dosing_calendar(protocol, "A", PATIENT, MONDAY, administrations=[delayed])
    cycle1 = _cycle(calendar, 1)
    assert (cycle1[2].datetime, cycle1[2].status, cycle1[2].planned_datetime) == (
        datetime(2026, 11, 24, 4, 0),
        "delayed",
        datetime(2026, 11, 24, 0, 0),
    )
    assert cycle1[3].datetime == datetime(2026, 11, 24, 12, 0)
    assert cycle1[-1].datetime == datetime(2026, 11, 27, 20, 0)
    assert _cycle(calendar, 2)[0].datetime == datetime(2026, 12, 14, 8, 0)


def test_given_dose_records_time_and_amount(protocol):
    given = AdministrationRecord(
        treatment="il2",
        cycle=1,
        number=1,
        status="given",
        datetime=datetime(2026, 11, 23, 9, 30),
        amount=40_000_000,
        unit="IU",
    )
    calendar = build_dosing_calendar(protocol, "A", PATIENT, MONDAY, administrations=[given])
    first, second = _cycle(calendar, 1)[:2]
    assert (first.datetime, first.dose, first.status) == (datetime(2026, 11, 23, 9, 30), 40_000_000, "given")
    assert second.datetime == datetime(2026, 11, 23, 17, 30)


def test_cycle_2_delayed_one_week_and_cycle_3_planned_from_the_actual_start(protocol):
    """Cycle 2 on Mon 2026-12-21 (7 days late, allowed); cycle 3 is 16 days later (Wed 2027-01-06)
    moved to Mon 2027-01-11."""
    delay = CycleStartRecord(cycle=2, start=date(2026, 12, 21), reason="creatinine not recovered")
    calendar = build_dosing_calendar(protocol, "A", PATIENT, MONDAY, cycles=3, cycle_starts=[delay])
    assert [c.start for c in calendar.cycles] == [MONDAY, date(2026, 12, 21), date(2027, 1, 11)]
    assert calendar.cycles[1].reason == "creatinine not recovered"
    assert _cycle(calendar, 2)[0].datetime == datetime(2026, 12, 21, 8, 0)


@pytest.mark.parametrize(
    ("start", "code", "message"),
    [
        pytest.param(date(2026, 12, 28), "DOSE-E032", r"14 days after the planned start 2026-12-14; the protocol "
                     r"allows a delay of at most 7 days \(latest start 2026-12-21\)", id="two_weeks_late"),
        pytest.param(date(2026, 12, 16), "DOSE-E033", "cycles start on a Monday, but 2026-12-16 is a Wednesday; "
                     "the next valid date is 2026-12-21", id="wednesday"),
        pytest.param(date(2026, 12, 7), "DOSE-E031", "before the planned start 2026-12-14", id="early"),
    ],
)  # fmt: skip
def test_cycle_start_outside_the_window_is_refused_with_the_limit(protocol, start, code, message):
    record = CycleStartRecord(cycle=2, start=start, reason="toxicity")
    with pytest.raises(ScheduleError, match=message) as info:
        build_dosing_calendar(protocol, "A", PATIENT, MONDAY, cycle_starts=[record])
    assert info.value.code == code


def test_fifteenth_dose_in_a_cycle_is_refused(protocol):
    extra = AdministrationRecord(treatment="il2", cycle=1, number=15, status="given")
    with pytest.raises(ScheduleError, match="dose 15 is recorded, but the protocol plans at most 14 doses") as info:
        build_dosing_calendar(protocol, "A", PATIENT, MONDAY, administrations=[extra])
    assert info.value.code == "DOSE-E040"


def test_delay_past_the_end_of_the_cycle_is_refused(protocol):
    """The cycle spans 16 days (to 2026-12-09); dose 14 moved to 2026-12-10 is refused."""
    late = AdministrationRecord(
        treatment="il2", cycle=1, number=14, status="delayed", datetime=datetime(2026, 12, 10, 8, 0), reason="x"
    )
    with pytest.raises(ScheduleError, match=r"after the cycle ends \(2026-12-09\)") as info:
        build_dosing_calendar(protocol, "A", PATIENT, MONDAY, administrations=[late])
    assert info.value.code == "DOSE-E041"


def _course_limit_protocol():
    """NCT01416831 changed to 15 doses a cycle, so that the 28-dose limit over two cycles binds."""
    data = protocol_to_dict(load_builtin_protocol("NCT01416831"))
    arm = data["arms"][0]
    arm["treatments"][0]["schedule"]["max_doses"] = 15
    arm["dose_limits"] = [{"treatment": "il2", "max_doses": 28, "per_cycles": 2, "text": "28 doses in two cycles"}]
    return parse_protocol(data)


def test_course_limit_drops_planned_doses_beyond_28_with_a_note():
    calendar = build_dosing_calendar(_course_limit_protocol(), "A", PATIENT, MONDAY)
    assert [len(_cycle(calendar, n)) for n in (1, 2)] == [15, 13]
    assert calendar.notes == (
        "Cycle 2 il2 dose 14 is not planned: at most 28 doses of il2 in cycles 1–2 (28 doses in two cycles).",
        "Cycle 2 il2 dose 15 is not planned: at most 28 doses of il2 in cycles 1–2 (28 doses in two cycles).",
    )


def test_course_limit_refuses_a_recorded_29th_dose():
    given = AdministrationRecord(treatment="il2", cycle=2, number=15, status="given")
    with pytest.raises(ScheduleError, match=r"recorded as given, but the protocol allows at most 28 doses of il2 in "
                       r"cycles 1–2") as info:  # fmt: skip
        build_dosing_calendar(_course_limit_protocol(), "A", PATIENT, MONDAY, administrations=[given])
    assert info.value.code == "DOSE-E042"


@pytest.mark.parametrize(
    ("record", "code", "message"),
    [
        pytest.param(AdministrationRecord(treatment="ifn", cycle=1, number=1, status="given"), "DOSE-E034",
                     "'ifn' is not a treatment of this arm", id="unknown_treatment"),
        pytest.param(AdministrationRecord(treatment="il2", cycle=3, number=1, status="given"), "DOSE-E035",
                     "this calendar plans cycles 1–2", id="cycle_not_planned"),
    ],
)  # fmt: skip
def test_records_that_do_not_match_the_calendar_are_refused(protocol, record, code, message):
    with pytest.raises(ScheduleError, match=message) as info:
        build_dosing_calendar(protocol, "A", PATIENT, MONDAY, administrations=[record])
    assert info.value.code == code


def test_duplicate_record_and_cycle_1_start_are_refused(protocol):
    record = AdministrationRecord(treatment="il2", cycle=1, number=1, status="given")
    with pytest.raises(ScheduleError, match="recorded twice"):
        build_dosing_calendar(protocol, "A", PATIENT, MONDAY, administrations=[record, record])
    with pytest.raises(ScheduleError, match="change the start date instead"):
        build_dosing_calendar(protocol, "A", PATIENT, MONDAY, cycles=3,
                              cycle_starts=[CycleStartRecord(cycle=4, start=date(2027, 1, 4), reason="x")])  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"status": "held"}, "a held dose needs a reason", id="held_without_reason"),
        pytest.param({"status": "delayed", "reason": "x"}, "a delayed dose needs the new date and time",
                     id="delayed_without_time"),
        pytest.param({"status": "held", "reason": "x", "amount": 1}, "a held dose has no time or amount",
                     id="held_with_amount"),
        pytest.param({"status": "skipped"}, "Input should be 'given', 'held' or 'delayed'", id="unknown_status"),
    ],
)  # fmt: skip
def test_incomplete_records_are_rejected_whole(fields, message):
    with pytest.raises(ValidationError, match=message):
        AdministrationRecord(treatment="il2", cycle=1, number=1, **fields)
