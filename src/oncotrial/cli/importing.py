"""``oncotrial import sdtm``: load an SDTM set into the store through the same checks as data entry."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from oncotrial.cli.database import AsOption, DbOption, JsonOption, operation, print_recorded

app = typer.Typer(no_args_is_help=True, help="Import data from elsewhere: an SDTM set.")


@app.callback()
def _group() -> None:  # a group of one command is still a group: `oncotrial import sdtm`
    """Import data from elsewhere: an SDTM set."""


@app.command("sdtm")
def sdtm_command(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="The folder of the SDTM files (dm.csv, ...).")],
    trial: Annotated[
        str | None, typer.Option("--trial", help="The trial to load into (default: DM's STUDYID).")
    ] = None,
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load DM, DS, EX, TU, TR, RS, AE, LB and PC in one transaction (all or nothing); a trial not in the
    database is created without a protocol, and the checks that needs are listed."""
    from oncotrial.store.cdisc import import_sdtm

    with operation(db, as_user, {"directory": "DIR"}) as (session, actor):
        report = import_sdtm(session, actor, directory, trial_code=trial)
    payload = {
        "trial": report.trial_code,
        "created_trial": report.created_trial,
        "sites_created": list(report.sites_created),
        "files": dict(report.files),
        "records": dict(report.records),
        "ignored_files": list(report.ignored_files),
        "checks_not_made": list(report.checks_not_made),
        "not_kept": {name: list(columns) for name, columns in report.not_kept.items()},
    }
    lines = [f"Imported {directory}: {line}" if i == 0 else line for i, line in enumerate(str(report).splitlines())]
    counts = ", ".join(f"{name} {len(columns)}" for name, columns in report.not_kept.items())
    lines.append(f"columns the store does not keep: {counts} (--json lists them)")
    print_recorded(lines, payload, as_json=as_json)
