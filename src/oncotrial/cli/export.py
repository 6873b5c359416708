"""``oncotrial export``: a trial's SDTM domains, or its ADaM datasets (ADSL, ADRS, ADTTE), from the store."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from oncotrial.cli.common import output_option
from oncotrial.cli.database import AsOption, DbOption, TrialOption, operation, print_recorded
from oncotrial.errors import DataError

app = typer.Typer(
    no_args_is_help=True, help="Export a trial: SDTM domains, ADaM datasets, or ClinicalTrials.gov results."
)

OutOption = Annotated[Path, output_option("--out", help="The folder to write the files into (created if needed).")]
FormatOption = Annotated[str, typer.Option("--format", help="csv, parquet or xpt (SAS transport v5).")]


def _check_format(value: str) -> str:
    if value not in ("csv", "parquet", "xpt"):
        raise DataError(f"--format '{value}' must be csv, parquet or xpt.", code="CLI-E068", field="--format")
    return value


def _print_written(what: str, trial: str, out: Path, files: Mapping[str, Path]) -> None:
    names = ", ".join(path.name for path in files.values())
    print_recorded([f"Wrote the {what} of trial {trial} to {out}: {names}."], {}, as_json=False)


@app.command("sdtm")
def sdtm_command(
    trial: TrialOption,
    out: OutOption,
    format: FormatOption = "csv",
    db: DbOption = None,
    as_user: AsOption = None,
) -> None:
    """Write DM, DS, EX, TU, TR, RS, AE, LB and PC (never the identity table); a statistician's work."""
    from oncotrial.store.cdisc import export_sdtm

    chosen = _check_format(format)
    with operation(db, as_user, {"format": "--format"}, read_only=True) as (session, actor):
        files = export_sdtm(session, actor, trial, out, format=chosen)  # type: ignore[arg-type]
    _print_written("SDTM domains", trial, out, files)


@app.command("adam")
def adam_command(
    trial: TrialOption,
    out: OutOption,
    format: FormatOption = "csv",
    db: DbOption = None,
    as_user: AsOption = None,
) -> None:
    """Write ADSL, ADRS and ADTTE, derived as the file commands (recist, adtte) derive them."""
    from oncotrial.store.cdisc.adam import export_adam

    chosen = _check_format(format)
    with operation(db, as_user, {"format": "--format"}, read_only=True) as (session, actor):
        files = export_adam(session, actor, trial, out, format=chosen)  # type: ignore[arg-type]
    _print_written("ADaM datasets", trial, out, files)


@app.command("ctgov-results")
def ctgov_results_command(
    trial: TrialOption,
    out: Annotated[Path, output_option("--out", help="The JSON file to write (a ClinicalTrials.gov study record).")],
    db: DbOption = None,
    as_user: AsOption = None,
) -> None:
    """Write the trial's ClinicalTrials.gov results (resultsSection, API v2 shape) as a study record (JSON)."""
    import json

    from oncotrial.cli.common import write_text
    from oncotrial.report import derive_ctgov_results, report_data_from_store

    with operation(db, as_user, read_only=True) as (session, actor):
        data = report_data_from_store(session, actor, trial)
    record = derive_ctgov_results(data)
    write_text(json.dumps(record, indent=2, ensure_ascii=False, allow_nan=False), out)
