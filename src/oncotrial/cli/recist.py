"""``oncotrial recist``: ADRS (time-point and best overall responses) from SDTM tables."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from oncotrial.cli.common import err
from oncotrial.errors import DataError, TrialWarning
from oncotrial.io.tables import read_table, write_table
from oncotrial.recist import (
    ResponseRules,
    derive_adrs_from_overall,
    derive_adrs_from_timepoints,
    derive_lesion_assessments,
    derive_subject_summary,
    derive_timepoint_responses,
    evaluate_baseline_lesions,
)


def _from_lesions(
    tu: Path,
    tr: Path,
    adsl: Path | None,
    evaluator: str,
    reference_date: str,
    end_date: str | None,
    rules: ResponseRules,
    timepoints_path: Path | None,
    summary_path: Path | None,
) -> pd.DataFrame:
    assessments = derive_lesion_assessments(read_table(tu, name="TU"), read_table(tr, name="TR"), evaluator=evaluator)
    breaches = evaluate_baseline_lesions(assessments)
    for row in breaches.head(20).itertuples():
        err.print(f"Baseline: subject {row.USUBJID}, lesion {row.LESIONID}: {row.MESSAGE} [{row.RULE}]", markup=False)
    if len(breaches) > 20:
        err.print(f"Baseline: {len(breaches) - 20} more breaches of the RECIST 1.1 selection rules.", markup=False)
    timepoints = derive_timepoint_responses(assessments)
    subjects = read_table(adsl, name="ADSL") if adsl is not None else None
    adrs = derive_adrs_from_timepoints(
        timepoints,
        subjects,
        reference_col=reference_date if subjects is not None else "RANDDT",
        end_col=end_date,
        rules=rules,
    )
    if timepoints_path is not None:
        write_table(timepoints, timepoints_path)
    if summary_path is not None:
        write_table(derive_subject_summary(timepoints, adrs), summary_path)
    return adrs


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
    timepoints_path: Annotated[
        Path | None, typer.Option("--timepoints", help="Also write the time-point responses (lesion path).")
    ] = None,
    summary_path: Annotated[
        Path | None, typer.Option("--summary", help="Also write one row per subject (BOR, nadir, best % change).")
    ] = None,
) -> None:
    """Response analysis (ADRS): BOR, CBOR, RSP, CRSP, CB, CCB and PD per subject, with the OVR records.

    From the lesion tables (--tu, --tr; RECIST 1.1 computed from the measurements) or, with
    --from-overall, from the RS overall responses alone (as admiralonco does).
    """
    rules = ResponseRules(confirmation_days=confirmation_days, sd_min_days=sd_min_days, max_ne=max_ne)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TrialWarning)
        if from_overall:
            if rs is None or adsl is None:
                raise DataError("--from-overall needs --rs RS and --adsl ADSL.", code="CLI-E021", field="--rs")
            adrs = derive_adrs_from_overall(
                read_table(rs, name="RS"),
                read_table(adsl, name="ADSL"),
                evaluator=evaluator,
                reference_col=reference_date,
                end_col=end_date,
                rules=rules,
            )
        else:
            if tu is None or tr is None:
                raise DataError(
                    "Give --tu TU and --tr TR (lesions), or --from-overall with --rs RS and --adsl ADSL.",
                    code="CLI-E020",
                    field="--tu",
                )
            adrs = _from_lesions(
                tu, tr, adsl, evaluator, reference_date, end_date, rules, timepoints_path, summary_path
            )
    for w in caught:
        err.print(f"Warning: {w.message}", markup=False)
    write_table(adrs, out_path)
    subjects = adrs.loc[adrs["PARAMCD"] == "BOR"]
    counts = subjects["AVALC"].value_counts().to_dict()
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    err.print(f"Wrote {out_path}: {len(subjects)} subjects; best overall response: {summary}", markup=False)
