"""``oncotrial screen``: screen patient records against a protocol's eligibility criteria."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from oncotrial._documents import PATIENTS_FILE_LIMITS, read_document
from oncotrial.cli.common import err, input_limits, out, parse_start, print_table, write_text
from oncotrial.eligibility import ScreeningLog, screen_patients
from oncotrial.errors import DataError
from oncotrial.protocol import load_protocol_reference


def load_patients(path: Path) -> list[Any]:
    """A YAML or JSON file holding a list of patient records (or ``{"patients": [...]}``)."""
    if path.suffix.lower() not in {".yaml", ".yml", ".json"}:
        raise DataError(
            f"The patients file {path} must be YAML (.yaml, .yml) or JSON (.json); see 'oncotrial screen --help' "
            f"and the record shape in the README.",
            code="ELIG-E003",
            field="--patients",
        )
    data = read_document(path, what="patients file", field="--patients", limits=input_limits(PATIENTS_FILE_LIMITS))
    if isinstance(data, dict) and "patients" in data:
        data = data["patients"]
    if not isinstance(data, list) or not data:
        raise DataError(
            f"The patients file {path} must hold a list of one or more patient records (or 'patients: [...]').",
            code="ELIG-E003",
            field="--patients",
        )
    return data


def screen_command(
    protocol: Annotated[str, typer.Option("--protocol", help="A built-in protocol id or a protocol YAML file.")],
    patients: Annotated[Path, typer.Option("--patients", help="Patient records (YAML or JSON list).")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Screening date (YYYY-MM-DD); default today.")] = None,
    lab_window_days: Annotated[
        float,
        typer.Option("--lab-window-days", min=0, help="Oldest lab/ECOG accepted when a criterion gives no limit."),
    ] = 28.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Screen patients: each criterion met / not met / unknown, and eligible, ineligible or incomplete.

    Exits with 1 when any record could not be screened (it is listed; the others are screened).
    """
    proto = load_protocol_reference(protocol)
    when: date | datetime = parse_start(as_of, option="--as-of") if as_of else date.today()
    log = screen_patients(proto, load_patients(patients), as_of=when, max_data_age_days=lab_window_days)
    if as_json:
        write_text(json.dumps(log.to_dict(), indent=2, default=str), None)
    else:
        _print_log(log, proto.id, when)
    if log.errors:
        raise typer.Exit(1)


def _print_log(log: ScreeningLog, protocol_id: str, when: date | datetime) -> None:
    rows = [[result.subject_id, result.status, "\n".join(result.reasons)] for result in log.results]
    print_table(f"Screening for {protocol_id} on {when}", ("patient", "status", "reasons"), rows)
    summary = log.summary()
    out.print(", ".join(f"{k}: {v}" for k, v in summary.items()))
    for error in log.errors:
        err.print(f"Not screened (record {error.index}): {error.message}", markup=False)
