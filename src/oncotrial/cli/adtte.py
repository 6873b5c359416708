"""``oncotrial adtte``: time-to-event parameters (OS, PFS, TTP, DOR, DSD) from ADSL and ADRS."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from oncotrial.cli.common import err, output_option, parse_start
from oncotrial.cli.options import AdslVarsOption, parse_column_list, parse_whole_number
from oncotrial.endpoints import (
    ADRS_PARAMETERS,
    MAX_GAP_DAYS_LIMITS,
    SURVIVAL_COLUMNS,
    check_adtte_columns,
    derive_adtte,
)
from oncotrial.io import DEFAULT_ADSL_VARS, read_table, write_table_arrow

# the ADRS columns and parameters derive_adtte reads
_ADRS_COLUMNS = frozenset({"USUBJID", "PARAMCD", "AVALC", "ADT", "ANL01FL"})


def adtte_command(
    adsl: Annotated[Path, typer.Option("--adsl", help="ADSL (USUBJID, the start date, DTHDT, LSTALVDT, ...).")],
    adrs: Annotated[Path, typer.Option("--adrs", help="ADRS as oncotrial recist writes it.")],
    out_path: Annotated[Path, output_option("--out", help="ADTTE file to write (.csv or .parquet).")],
    start_date: Annotated[str, typer.Option("--start-date", help="ADSL column where time starts.")] = "RANDDT",
    cutoff: Annotated[str | None, typer.Option("--cutoff", help="Data cut-off date (YYYY-MM-DD).")] = None,
    nact: Annotated[str | None, typer.Option("--nact", help="ADSL column: start of new anti-cancer therapy.")] = None,
    max_gap_days: Annotated[
        str | None,
        typer.Option(
            "--max-gap-days",
            metavar="DAYS",
            help=f"Censor events after a longer gap (days, {MAX_GAP_DAYS_LIMITS[0]}-{MAX_GAP_DAYS_LIMITS[1]}) since the "
            "last assessment.",
        ),
    ] = None,
    adsl_vars: AdslVarsOption = None,
) -> None:
    """ADTTE with admiral's event/censoring choice and the FDA censoring rules; reasons per censoring."""
    cut = parse_start(cutoff, option="--cutoff", time="with the time") if cutoff else None
    gap = (
        None
        if max_gap_days is None
        else parse_whole_number(max_gap_days, option="--max-gap-days", limits=MAX_GAP_DAYS_LIMITS)
    )
    extra = parse_column_list(adsl_vars, option="--adsl-vars")
    # only the columns used are read (an ADRS of a million subjects has ten million rows)
    adsl_columns = {"USUBJID", start_date, *SURVIVAL_COLUMNS, *DEFAULT_ADSL_VARS, *extra, *([nact] if nact else [])}
    adsl_table = read_table(
        adsl, name="ADSL", columns=lambda c: c in adsl_columns or c.upper().startswith("STRAT"), text=True
    )
    adrs_table = read_table(
        adrs, name="ADRS", columns=_ADRS_COLUMNS.__contains__, text=True, keep_rows=("PARAMCD", ADRS_PARAMETERS)
    )
    # a file ADSL must say who died and who was last known alive: without them OS would be silently wrong
    check_adtte_columns(adsl_table, adrs_table, start_col=start_date, nact_col=nact)
    adtte = derive_adtte(
        adsl_table,
        adrs_table,
        start_col=start_date,
        cutoff=cut.date() if isinstance(cut, datetime) else cut,
        nact_col=nact,
        max_gap_days=gap,
        adsl_vars=extra,
    )
    write_table_arrow(adtte, out_path)
    counts = adtte.groupby("PARAMCD", observed=True)["CNSR"].agg(["size", "sum"])
    summary = ", ".join(f"{p} {int(r['size'])} ({int(r['size'] - r['sum'])} events)" for p, r in counts.iterrows())
    err.print(f"Wrote {out_path}: {summary}", markup=False)
