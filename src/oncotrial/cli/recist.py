"""``oncotrial recist``: ADRS (time-point and best overall responses) from SDTM tables."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated

import typer

from oncotrial.cli.common import err
from oncotrial.errors import DataError, TrialWarning
from oncotrial.io.tables import read_table, write_table
from oncotrial.recist import ResponseRules, derive_adrs_from_overall


def recist_command(
    out_path: Annotated[Path, typer.Option("--out", help="ADRS file to write (.csv or .parquet).")],
    rs: Annotated[Path | None, typer.Option("--rs", help="SDTM RS table (.csv, .parquet, .xpt).")] = None,
    adsl: Annotated[Path | None, typer.Option("--adsl", help="ADSL table with the reference date.")] = None,
    tu: Annotated[Path | None, typer.Option("--tu", help="SDTM TU table (lesion identification).")] = None,
    tr: Annotated[Path | None, typer.Option("--tr", help="SDTM TR table (lesion measurements).")] = None,
    from_overall: Annotated[
        bool, typer.Option("--from-overall", help="Derive BOR/CBOR/... from the RS overall responses alone.")
    ] = False,
    evaluator: Annotated[str, typer.Option("--evaluator", help="RSEVAL of the responses used.")] = "INVESTIGATOR",
    reference_date: Annotated[str, typer.Option("--reference-date", help="ADSL date column to count from.")] = "RANDDT",
    end_date: Annotated[
        str | None, typer.Option("--end-date", help="ADSL date column after which assessments are ignored.")
    ] = None,
    confirmation_days: Annotated[int, typer.Option("--confirmation-days", help="Days to confirm CR/PR.")] = 28,
    sd_min_days: Annotated[int, typer.Option("--sd-min-days", help="Minimum days from the reference for SD.")] = 42,
    max_ne: Annotated[int, typer.Option("--max-ne", help="NE allowed between a response and its confirmation.")] = 1,
) -> None:
    """Response analysis (ADRS): BOR, CBOR, RSP, CRSP, CB, CCB and PD per subject, with the OVR records."""
    if not from_overall:
        raise DataError(
            "Deriving responses from the lesion tables (--tu/--tr) is not available yet; use --from-overall "
            "with --rs and --adsl to derive them from the RS overall responses.",
            code="CLI-E020",
            field="--from-overall",
        )
    if rs is None or adsl is None:
        raise DataError("--from-overall needs --rs RS and --adsl ADSL.", code="CLI-E021", field="--rs")
    rules = ResponseRules(confirmation_days=confirmation_days, sd_min_days=sd_min_days, max_ne=max_ne)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TrialWarning)
        adrs = derive_adrs_from_overall(
            read_table(rs, name="RS"),
            read_table(adsl, name="ADSL"),
            evaluator=evaluator,
            reference_col=reference_date,
            end_col=end_date,
            rules=rules,
        )
    for w in caught:
        err.print(f"Warning: {w.message}", markup=False)
    write_table(adrs, out_path)
    subjects = adrs.loc[adrs["PARAMCD"] == "BOR"]
    counts = subjects["AVALC"].value_counts().to_dict()
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    err.print(f"Wrote {out_path}: {len(subjects)} subjects; best overall response: {summary}", markup=False)
