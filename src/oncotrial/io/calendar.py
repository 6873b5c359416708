"""A dosing calendar as JSON, CSV or iCalendar (RFC 5545) text.

JSON is a list of administrations, each with ``datetime`` (ISO 8601, local time), ``agent``,
``agent_name``, ``treatment``, ``dose``, ``unit``, ``route``, ``cycle``, ``day``, ``number``,
``status`` (planned, given, held, delayed), ``planned_datetime`` and ``reason``. CSV has the
same columns. iCalendar has one event per administration (held ones are CANCELLED) in floating
local time, as a ward's calendar shows it.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from oncotrial.dosing.calendar import DosingCalendar

__all__ = ["CALENDAR_COLUMNS", "calendar_to_csv", "calendar_to_ics", "calendar_to_json"]

CALENDAR_COLUMNS = (
    "datetime", "agent", "agent_name", "treatment", "dose", "unit", "route",
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


def calendar_to_ics(calendar: DosingCalendar, *, stamp: datetime, minutes: int = 15) -> str:
    """The administrations as an iCalendar file; ``stamp`` is the DTSTAMP (creation time)."""
    cal = Calendar()
    cal.add("prodid", "-//oncotrial//dosing calendar//EN")
    cal.add("version", "2.0")
    who = calendar.patient.subject_id or (
        f"patient {calendar.patient.patient_number}" if calendar.patient.patient_number else "patient"
    )
    cal.add("x-wr-calname", f"{calendar.protocol_id} arm {calendar.arm_id} - {who}")
    for a in calendar.administrations:
        event = Event()
        uid = f"{calendar.protocol_id}-{calendar.arm_id}-{who}-c{a.cycle}-{a.treatment}-{a.number}"
        event.add("uid", uid.replace(" ", "_") + "@oncotrial")
        event.add("dtstamp", stamp)
        event.add("dtstart", a.datetime)
        event.add("dtend", a.datetime + timedelta(minutes=minutes))
        event.add("summary", f"{a.agent_name} {a.dose:,.10g} {a.unit} {a.route} (C{a.cycle}D{a.day} #{a.number})")
        description = f"Cycle {a.cycle}, day {a.day}, dose {a.number}; status {a.status}"
        event.add("description", description + (f"; reason: {a.reason}" if a.reason else ""))
        event.add("status", "CANCELLED" if a.status == "held" else "CONFIRMED")
        cal.add_component(event)
    text: str = cal.to_ical().decode("utf-8")
    return text
