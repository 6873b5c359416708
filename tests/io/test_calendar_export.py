"""Dosing calendars as JSON, CSV and iCalendar (``oncotrial.io.calendar``).

The calendar is CALGB 500001 for a 70 kg patient from Monday 2026-11-23. Expected values are
worked out by hand from shared/seeds/000_486c762ff8df9e81.txt: "rhIL-12 on day 1 and IFN-α2b on
days 2-6 of a 14-day cycle. rhIL-12 was given intravenously at 300 ng/kg. IFN α2b was dosed at
3×106 units subcutaneously": 300 ng/kg × 70 kg = 21,000 ng = 21 µg on 2026-11-23, and
3,000,000 IU on 2026-11-24 to 2026-11-28; the protocol shows doses at 09:00.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from oncotrial.dosing import AdministrationRecord, DosingCalendar, Patient, build_dosing_calendar
from oncotrial.io import calendar_to_csv, calendar_to_ics, calendar_to_json
from oncotrial.protocol import load_builtin_protocol

MICROGRAM = "\N{MICRO SIGN}g"
# The column order documented in oncotrial.io.calendar.
COLUMNS = [
    "subject_id", "datetime", "agent", "agent_name", "treatment", "dose", "unit", "route",
    "cycle", "day", "number", "status", "planned_datetime", "reason",
]  # fmt: skip
DOSE_DAYS = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28"]
STAMP = datetime(2026, 11, 20, 12, 0)
LONDON = ZoneInfo("Europe/London")


def _calendar(*records: AdministrationRecord) -> DosingCalendar:
    protocol = load_builtin_protocol("CALGB-500001")
    return build_dosing_calendar(
        protocol, "IL12-IFN", Patient(weight_kg=70), date(2026, 11, 23), administrations=records
    )


@pytest.fixture(scope="module")
def calendar() -> DosingCalendar:
    return _calendar()


@pytest.fixture(scope="module")
def calendar_with_held_dose() -> DosingCalendar:
    return _calendar(AdministrationRecord(treatment="ifna2b", cycle=1, number=1, status="held", reason="fever"))


# --- JSON -------------------------------------------------------------------------------------


def test_json_calgb500001_matches_seed(calendar: DosingCalendar) -> None:
    records = json.loads(calendar_to_json(calendar))
    assert len(records) == 6
    assert records[0] == {
        "subject_id": None,
        "datetime": "2026-11-23T09:00",
        "agent": "rhil12",
        "agent_name": "Recombinant human interleukin-12",
        "treatment": "rhil12",
        "dose": 21.0,
        "unit": MICROGRAM,
        "route": "IV",
        "cycle": 1,
        "day": 1,
        "number": 1,
        "status": "planned",
        "planned_datetime": "2026-11-23T09:00",
        "reason": None,
    }
    ifn = records[1:]
    assert [r["datetime"] for r in ifn] == [f"{day}T09:00" for day in DOSE_DAYS[1:]]
    assert {(r["agent"], r["dose"], r["unit"], r["route"]) for r in ifn} == {("ifna2b", 3000000, "IU", "SC")}
    assert [r["day"] for r in ifn] == [2, 3, 4, 5, 6]
    assert [r["number"] for r in ifn] == [1, 2, 3, 4, 5]


def test_json_keeps_the_micro_sign_unescaped(calendar: DosingCalendar) -> None:
    assert f'"unit": "{MICROGRAM}"' in calendar_to_json(calendar)


def test_json_compact_when_indent_is_none(calendar: DosingCalendar) -> None:
    text = calendar_to_json(calendar, indent=None)
    assert "\n" not in text
    assert len(json.loads(text)) == 6


def test_json_held_dose(calendar_with_held_dose: DosingCalendar) -> None:
    records = json.loads(calendar_to_json(calendar_with_held_dose))
    assert len(records) == 6
    assert [r["status"] for r in records] == ["planned", "held", "planned", "planned", "planned", "planned"]
    assert records[1]["reason"] == "fever"
    assert records[1]["datetime"] == "2026-11-24T09:00"


# --- CSV --------------------------------------------------------------------------------------


def test_csv_columns_in_documented_order(calendar: DosingCalendar) -> None:
    rows = list(csv.reader(io.StringIO(calendar_to_csv(calendar))))
    assert rows[0] == COLUMNS
    assert len(rows) == 7


def test_csv_rows(calendar_with_held_dose: DosingCalendar) -> None:
    rows = list(csv.DictReader(io.StringIO(calendar_to_csv(calendar_with_held_dose))))
    assert [r["datetime"] for r in rows] == [f"{day}T09:00" for day in DOSE_DAYS]
    first = rows[0]
    assert (first["agent"], float(first["dose"]), first["unit"], first["route"]) == ("rhil12", 21.0, MICROGRAM, "IV")
    assert (first["cycle"], first["day"], first["number"], first["status"]) == ("1", "1", "1", "planned")
    assert first["reason"] == ""
    assert (rows[1]["status"], rows[1]["reason"]) == ("held", "fever")
    assert float(rows[2]["dose"]) == 3000000


# --- iCalendar --------------------------------------------------------------------------------


def _events(calendar: DosingCalendar) -> list[icalendar.cal.Component]:
    parsed = icalendar.Calendar.from_ical(calendar_to_ics(calendar, stamp=STAMP, tz=LONDON))
    return list(parsed.walk("VEVENT"))


def test_ics_parses_back_with_one_event_per_dose(calendar: DosingCalendar) -> None:
    events = _events(calendar)
    assert len(events) == 6
    assert [e["DTSTART"].dt for e in events] == [
        datetime.fromisoformat(f"{day}T09:00").replace(tzinfo=LONDON) for day in DOSE_DAYS
    ]


def test_ics_first_event(calendar: DosingCalendar) -> None:
    first = _events(calendar)[0]
    assert first["DTSTART"].dt == datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
    assert first["DTEND"].dt == datetime(2026, 11, 23, 9, 15, tzinfo=LONDON)
    assert str(first["SUMMARY"]) == f"Recombinant human interleukin-12 21 {MICROGRAM} IV (C1D1 #1)"
    assert str(first["STATUS"]) == "CONFIRMED"


def test_ics_uses_stamp_as_dtstamp(calendar: DosingCalendar) -> None:
    events = _events(calendar)
    assert {e["DTSTAMP"].dt.replace(tzinfo=None) for e in events} == {STAMP}
    assert "DTSTAMP:20261120T120000Z" in calendar_to_ics(calendar, stamp=STAMP, tz=LONDON)


def test_ics_held_dose_is_cancelled(calendar_with_held_dose: DosingCalendar) -> None:
    events = _events(calendar_with_held_dose)
    assert [str(e["STATUS"]) for e in events] == [
        "CONFIRMED", "CANCELLED", "CONFIRMED", "CONFIRMED", "CONFIRMED", "CONFIRMED",
    ]  # fmt: skip
    assert events[1]["DTSTART"].dt == datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)
    assert "reason: fever" in str(events[1]["DESCRIPTION"])


def test_ics_uids_are_unique(calendar: DosingCalendar) -> None:
    uids = [str(e["UID"]) for e in _events(calendar)]
    assert len(set(uids)) == 6


def test_ics_is_deterministic_for_a_given_stamp(calendar: DosingCalendar) -> None:
    assert calendar_to_ics(calendar, stamp=STAMP, tz=LONDON) == calendar_to_ics(calendar, stamp=STAMP, tz=LONDON)


# --- time zone and subject ----------------------------------------------------------------------


def test_ics_events_carry_the_time_zone_and_the_file_its_vtimezone(calendar: DosingCalendar) -> None:
    text = calendar_to_ics(calendar, stamp=STAMP, tz=LONDON)
    assert "DTSTART;TZID=Europe/London:20261123T090000" in text
    (vtimezone,) = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/London"


def test_ics_summer_dose_is_the_same_instant_as_utc_minus_one_hour() -> None:
    """09:00 in London on Monday 2026-06-15 is British Summer Time (UTC+1), i.e. 08:00 UTC; in New York
    (EDT, UTC-4) the same ward time is 13:00 UTC."""
    protocol = load_builtin_protocol("CALGB-500001")
    summer = build_dosing_calendar(protocol, "IL12-IFN", Patient(weight_kg=70), date(2026, 6, 15))
    for zone, utc_hour in (("Europe/London", 8), ("America/New_York", 13)):
        parsed = icalendar.Calendar.from_ical(calendar_to_ics(summer, stamp=STAMP, tz=ZoneInfo(zone)))
        first = next(iter(parsed.walk("VEVENT")))
        assert first["DTSTART"].dt.astimezone(UTC) == datetime(2026, 6, 15, utc_hour, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def subject_calendar() -> DosingCalendar:
    protocol = load_builtin_protocol("CALGB-500001")
    patient = Patient(weight_kg=70, subject_id="SUBJ-0012")
    return build_dosing_calendar(protocol, "IL12-IFN", patient, date(2026, 11, 23))


def test_subject_id_in_every_json_record_and_csv_row(subject_calendar: DosingCalendar) -> None:
    assert {r["subject_id"] for r in json.loads(calendar_to_json(subject_calendar))} == {"SUBJ-0012"}
    assert {r["subject_id"] for r in csv.DictReader(io.StringIO(calendar_to_csv(subject_calendar)))} == {"SUBJ-0012"}


def test_subject_id_in_every_ics_summary_and_description(subject_calendar: DosingCalendar) -> None:
    events = list(
        icalendar.Calendar.from_ical(calendar_to_ics(subject_calendar, stamp=STAMP, tz=LONDON)).walk("VEVENT")
    )
    assert str(events[0]["SUMMARY"]) == f"SUBJ-0012: Recombinant human interleukin-12 21 {MICROGRAM} IV (C1D1 #1)"
    assert str(events[0]["DESCRIPTION"]) == "Subject SUBJ-0012. Cycle 1, day 1, dose 1; status planned"
    assert all(str(e["SUMMARY"]).startswith("SUBJ-0012: ") for e in events)
