"""File formats at the edge: calendars as JSON, CSV and iCalendar (CDISC tables come later)."""

from oncotrial.io.calendar import calendar_to_csv, calendar_to_ics, calendar_to_json

__all__ = ["calendar_to_csv", "calendar_to_ics", "calendar_to_json"]
