"""A dosing calendar as JSON, CSV or iCalendar (RFC 5545) text.

JSON is a list of administrations, each with ``subject_id`` (``--subject``, or null), ``datetime``
(ISO 8601, local time), ``agent``, ``agent_name``, ``treatment``, ``dose``, ``unit``, ``route``,
``cycle``, ``day``, ``number``, ``status`` (planned, given, held, delayed), ``planned_datetime`` and
``reason``. CSV has the same columns. iCalendar has one event per administration (held ones are
CANCELLED) at the ward's local time in a named time zone (``TZID``, with its ``VTIMEZONE``), so a
calendar application in another zone or across a daylight-saving change shows the right hour; the
subject id is in each event's summary and description.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from oncotrial.dosing import DosingCalendar

__all__ = ["CALENDAR_COLUMNS", "calendar_to_csv", "calendar_to_ics", "calendar_to_json"]

CALENDAR_COLUMNS = (
    "subject_id", "datetime", "agent", "agent_name", "treatment", "dose", "unit", "route",
    "cycle", "day", "number", "status", "planned_datetime", "reason",
)  # fmt: skip


def calendar_to_json(calendar: DosingCalendar, *, indent: int | None = 2) -> str:
    """The administrations as a JSON list."""
    return json.dumps(calendar.to_records(), indent=indent, ensure_ascii=False)


def calendar_to_csv(calendar: DosingCalendar) -> str:
    """The administrations as CSV, one row each, with a header."""
    frame = calendar.to_frame().reindex(columns=list(CALENDAR_COLUMNS))
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def calendar_to_ics(calendar: DosingCalendar, *, stamp: datetime, tz: ZoneInfo, minutes: int = 15) -> str:
    """The administrations as an iCalendar file.

    ``stamp`` is the DTSTAMP (creation time, UTC); ``tz`` the time zone of the ward where the calendar's
    local times are kept (an IANA zone such as ``ZoneInfo("Europe/London")``): every event carries it
    as ``TZID`` and the file holds its ``VTIMEZONE``.
    """
    cal = Calendar()
    cal.add("prodid", "-//oncotrial//dosing calendar//EN")
    cal.add("version", "2.0")
    subject = calendar.patient.subject_id
    who = subject or (f"patient {calendar.patient.patient_number}" if calendar.patient.patient_number else "patient")
    cal.add("x-wr-calname", f"{calendar.protocol_id} arm {calendar.arm_id} - {who}")
    cal.add("x-wr-timezone", tz.key)
    for a in calendar.administrations:
        event = Event()
        uid = f"{calendar.protocol_id}-{calendar.arm_id}-{who}-c{a.cycle}-{a.treatment}-{a.number}"
        event.add("uid", uid.replace(" ", "_") + "@oncotrial")
        event.add("dtstamp", stamp)
        start = a.datetime.replace(tzinfo=tz)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=minutes))
        summary = f"{a.agent_name} {a.dose:,.10g} {a.unit} {a.route} (C{a.cycle}D{a.day} #{a.number})"
        event.add("summary", f"{subject}: {summary}" if subject else summary)
        description = f"Cycle {a.cycle}, day {a.day}, dose {a.number}; status {a.status}"
        description = (f"Subject {subject}. " if subject else "") + description
        event.add("description", description + (f"; reason: {a.reason}" if a.reason else ""))
        event.add("status", "CANCELLED" if a.status == "held" else "CONFIRMED")
        cal.add_component(event)
    if calendar.administrations:  # the zone's rules over the calendar's years only (a short VTIMEZONE)
        first, last = calendar.administrations[0].datetime, calendar.administrations[-1].datetime
        cal.add_missing_timezones(first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 2, 1, 1))
    text: str = cal.to_ical().decode("utf-8")
    return text
