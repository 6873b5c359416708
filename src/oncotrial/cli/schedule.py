"""``oncotrial schedule``: a patient's dosing calendar, re-planned from what happened."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.console import Console

from oncotrial.cli.common import (
    input_limits,
    naming_options,
    out,
    output_option,
    parse_start,
    print_table,
    write_text,
)
from oncotrial.dosing import (
    DosingCalendar,
    DosingRecords,
    Patient,
    build_dosing_calendar,
    compute_dose_summary,
    parse_dosing_records,
)
from oncotrial.errors import DataError
from oncotrial.io import calendar_to_csv, calendar_to_ics, calendar_to_json, read_document, shorten_path
from oncotrial.protocol import load_protocol_reference

# the core's parameter names and the options that set them (a core message names the parameter)
_OPTIONS = {
    "weight_kg": "--weight",
    "height_cm": "--height",
    "patient_number": "--patient-number",
    "subject_id": "--subject",
    "cycles": "--cycles",
    "crossover": "--crossover",
}


def schedule_command(
    protocol: Annotated[str, typer.Option("--protocol", help="Built-in protocol id or YAML file.")],
    arm: Annotated[str, typer.Option("--arm", help="Arm (or part) id, e.g. A, B, part-A.")],
    start: Annotated[str, typer.Option("--start", help="Cycle 1 day 1: YYYY-MM-DD or YYYY-MM-DDTHH:MM.")],
    weight: Annotated[float, typer.Option("--weight", help="Body weight in kg (20-300).")],
    height: Annotated[float | None, typer.Option("--height", help="Height in cm (for doses per m²).")] = None,
    patient_number: Annotated[
        int | None, typer.Option("--patient-number", help="Enrolment number in the study (1, 2, ...).")
    ] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="Subject id, in every export (one line of printable text).")
    ] = None,
    cycles: Annotated[int | None, typer.Option("--cycles", help="Cycles to plan (default: the arm's plan).")] = None,
    crossover: Annotated[
        str | None,
        typer.Option("--crossover", help="Plan the arm's crossover treatment ('default' or a rule id)."),
    ] = None,
    records: Annotated[
        Path | None,
        typer.Option("--records", help="JSON/YAML file of doses given, held, delayed and cycle starts."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of administrations.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    as_ics: Annotated[bool, typer.Option("--ics", help="Print an iCalendar file.")] = False,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz", help="Time zone of the calendar's times (IANA, e.g. Europe/London); default: this machine's."
        ),
    ] = None,
    output: Annotated[Path | None, output_option("--out", help="Write to this file instead of the screen.")] = None,
) -> None:
    """Every planned administration for one patient: date and time, agent, dose, route, cycle and day."""
    if sum([as_json, as_csv, as_ics]) > 1:
        raise typer.BadParameter("choose one of --json, --csv and --ics")
    zone = resolve_timezone(tz) if as_ics or tz is not None else None  # a mistyped --tz is never ignored
    proto = load_protocol_reference(protocol)
    with naming_options(_OPTIONS):
        patient = Patient(weight_kg=weight, height_cm=height, patient_number=patient_number, subject_id=subject)
    first_day = parse_start(start)
    recorded = load_dosing_records(records) if records else DosingRecords()
    with naming_options(_OPTIONS):
        calendar = build_dosing_calendar(
            proto, arm, patient, first_day, cycles=cycles, crossover=crossover,
            administrations=recorded.administrations, cycle_starts=recorded.cycle_starts,
        )  # fmt: skip
    if as_json:
        write_text(calendar_to_json(calendar), output)
    elif as_csv:
        write_text(calendar_to_csv(calendar), output)
    elif as_ics and zone is not None:
        write_text(calendar_to_ics(calendar, stamp=datetime.now(UTC).replace(tzinfo=None), tz=zone), output)
    else:
        planned = (
            build_dosing_calendar(proto, arm, patient, first_day, cycles=cycles, crossover=crossover)
            if records
            else calendar  # without records the plan is the calendar
        )
        print_calendar(calendar, planned)


def print_calendar(calendar: DosingCalendar, planned: DosingCalendar, *, console: Console | None = None) -> None:
    """The calendar as a table (never cut, see :func:`print_table`), then the cumulative dose and dose
    intensity per treatment."""
    console = console or out
    title = f"{calendar.protocol_id} arm {calendar.arm_id}" + (" (crossover)" if calendar.crossover else "")
    if calendar.patient.subject_id:
        title += f", subject {calendar.patient.subject_id}"
    rows = [
        [
            f"{a.datetime:%a %Y-%m-%d}",
            f"{a.datetime:%H:%M}",
            str(a.cycle),
            str(a.day),
            str(a.number),
            a.agent_name,
            f"{a.dose:,.10g} {a.unit}",
            a.route,
            a.status + (f" ({a.reason})" if a.reason else ""),
        ]
        for a in calendar.administrations
    ]
    columns = ("date", "time", "cycle", "day", "#", "agent", "dose", "route", "status")
    print_table(title, columns, rows, right={"cycle", "day", "#", "dose"}, console=console)
    for note in calendar.notes:
        console.print(f"Note: {note}")
    console.print(str(compute_dose_summary(planned, calendar)), markup=False, highlight=False)


def resolve_timezone(name: str | None) -> ZoneInfo:
    """The IANA zone ``name`` (``--tz``), or this machine's zone when none is given; a clear error otherwise."""
    name = name.strip() if name is not None else _local_zone_name()
    if name is None:
        raise DataError(
            "Cannot tell this machine's time zone; give it with --tz as an IANA name (e.g. --tz Europe/London).",
            code="CLI-E050",
            field="--tz",
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # ValueError: a path-like or malformed key
        raise DataError(
            f"--tz '{name}' is not a time zone oncotrial knows; give an IANA name such as Europe/London, "
            "America/New_York or UTC.",
            code="CLI-E050",
            field="--tz",
        ) from exc


def _local_zone_name() -> str | None:
    """This machine's IANA zone name: ``TZ``, then the /etc/localtime link, then /etc/timezone.

    Written by hand: the standard library gives the local offset (``astimezone()``) but not the zone's
    name, which an iCalendar VTIMEZONE needs to follow daylight-saving changes.
    """
    env = os.environ.get("TZ", "").lstrip(":").strip()
    if (env and "/" in env) or env == "UTC":
        return env
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "/zoneinfo/" in target:
            return target.split("/zoneinfo/", 1)[1]
    try:
        return Path("/etc/timezone").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def load_dosing_records(path: Path) -> DosingRecords:
    """Read records of what happened (JSON or YAML, within the document limits) and validate them whole."""
    data = read_document(path, what="records file", field="--records", limits=input_limits())
    return parse_dosing_records(data, source=shorten_path(path))


__all__ = ["load_dosing_records", "print_calendar", "resolve_timezone", "schedule_command"]
