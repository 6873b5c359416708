"""``oncotrial recist``: ADRS (time-point and best overall responses) from SDTM tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from oncotrial.cli.common import err, output_option
from oncotrial.cli.options import AdslVarsOption, parse_column_list, parse_whole_number
from oncotrial.errors import DataError
from oncotrial.io.tables import read_table, write_table
from oncotrial.recist import (
    RULE_LIMITS,
    ResponseRules,
    derive_adrs_from_overall,
    derive_adrs_from_timepoints,
    derive_irecist_best_response,
    derive_irecist_responses,
    derive_irradiated_flags,
    derive_lesion_assessments,
    derive_pet_confirmed_response,
    derive_subject_summary,
    derive_timepoint_responses,
    evaluate_baseline_lesions,
    select_lesions,
    select_primary_timepoint,
)


@dataclass(frozen=True)
class LesionOptions:
    """What to read besides TU/TR and what to write besides ADRS (the lesion path)."""

    adsl: Path | None = None
    evaluator: str = "INVESTIGATOR"
    reference_date: str = "RANDDT"
    end_date: str | None = None
    timepoints_path: Path | None = None
    summary_path: Path | None = None
    pet: Path | None = None
    irradiated: Path | None = None
    irradiated_out: Path | None = None
    irecist_path: Path | None = None
    primary_visit: str | None = None
    adsl_vars: tuple[str, ...] = ()


def _report_baseline(assessments: pd.DataFrame) -> None:
    evaluation = evaluate_baseline_lesions(assessments)
    if not evaluation.is_valid:
        err.print(str(evaluation), markup=False)


def _split_irradiated(assessments: pd.DataFrame, opts: LesionOptions) -> pd.DataFrame:
    """Flag the irradiated lesions listed in ``--irradiated``; write their own time points; return the rest."""
    if opts.irradiated is None:
        return assessments
    flagged = derive_irradiated_flags(assessments, read_table(opts.irradiated, name="irradiated lesions"))
    if opts.irradiated_out is not None:
        write_table(derive_timepoint_responses(select_lesions(flagged, irradiated=True)), opts.irradiated_out)
    return select_lesions(flagged, irradiated=False)


def _write_extras(assessments: pd.DataFrame, timepoints: pd.DataFrame, adrs: pd.DataFrame, opts: LesionOptions) -> None:
    if opts.timepoints_path is not None:
        write_table(timepoints, opts.timepoints_path)
    if opts.summary_path is not None:
        summary = derive_subject_summary(timepoints, adrs)
        if opts.primary_visit is not None:
            primary = select_primary_timepoint(timepoints, visit=opts.primary_visit)
            summary = summary.merge(primary[["USUBJID", "PRIMARY"]], on="USUBJID", how="left")
        write_table(summary, opts.summary_path)
    if opts.irecist_path is not None:
        iresponses = derive_irecist_responses(assessments, timepoints)
        best = derive_irecist_best_response(iresponses)
        write_table(iresponses.merge(best, on="USUBJID", how="left"), opts.irecist_path)


def from_lesions(tu: Path, tr: Path, rules: ResponseRules, opts: LesionOptions) -> pd.DataFrame:
    """ADRS from TU/TR: RECIST 1.1 time points, then the response parameters (and the extras asked for)."""
    assessments = derive_lesion_assessments(
        read_table(tu, name="TU"), read_table(tr, name="TR"), evaluator=opts.evaluator
    )
    _report_baseline(assessments)
    assessments = _split_irradiated(assessments, opts)
    timepoints = derive_timepoint_responses(assessments)
    if opts.pet is not None:
        timepoints = derive_pet_confirmed_response(timepoints, read_table(opts.pet, name="PET"))
    subjects = read_table(opts.adsl, name="ADSL") if opts.adsl is not None else None
    adrs = derive_adrs_from_timepoints(
        timepoints,
        subjects,
        reference_col=opts.reference_date if subjects is not None else "RANDDT",
        end_col=opts.end_date,
        rules=rules,
        adsl_vars=opts.adsl_vars,
    )
    _write_extras(assessments, timepoints, adrs, opts)
    return adrs


def _span(rule: str) -> str:
    """The accepted values of a rule, as the help shows them (e.g. 1-3650)."""
    low, high = RULE_LIMITS[rule]
    return f"{low}-{high}"


def _rules(**options: str) -> ResponseRules:
    """The response rules from the options' text, each checked against its range (RULE_LIMITS)."""
    values = {
        name: parse_whole_number(text, option="--" + name.replace("_", "-"), limits=RULE_LIMITS[name])
        for name, text in options.items()
    }
    return ResponseRules(**values)


def recist_command(
    out_path: Annotated[Path, output_option("--out", help="ADRS file to write (.csv or .parquet).")],
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
    confirmation_days: Annotated[
        str,
        typer.Option(
            "--confirmation-days", metavar="DAYS", help=f"Days to confirm CR/PR ({_span('confirmation_days')})."
        ),
    ] = "28",
    sd_min_days: Annotated[
        str,
        typer.Option(
            "--sd-min-days", metavar="DAYS", help=f"Minimum days from the reference for SD ({_span('sd_min_days')})."
        ),
    ] = "42",
    max_ne: Annotated[
        str,
        typer.Option(
            "--max-ne", metavar="N", help=f"NE allowed between a response and its confirmation ({_span('max_ne')})."
        ),
    ] = "1",
    timepoints_path: Annotated[
        Path | None, output_option("--timepoints", help="Also write the time-point responses (lesion path).")
    ] = None,
    summary_path: Annotated[
        Path | None, output_option("--summary", help="Also write one row per subject (BOR, nadir, best % change).")
    ] = None,
    pet: Annotated[
        Path | None, typer.Option("--pet", help="PET results (USUBJID, VISIT, PET): a CR needs a negative PET.")
    ] = None,
    irradiated: Annotated[
        Path | None,
        typer.Option("--irradiated", help="Irradiated lesions (USUBJID, LESIONID): not in the primary response."),
    ] = None,
    irradiated_out: Annotated[
        Path | None, output_option("--irradiated-out", help="Write the irradiated lesions' own time-point responses.")
    ] = None,
    irecist_path: Annotated[Path | None, output_option("--irecist", help="Also write iRECIST responses.")] = None,
    primary_visit: Annotated[
        str | None, typer.Option("--primary-visit", help="Visit of the primary time point (e.g. 'WEEK 14').")
    ] = None,
    adsl_vars: AdslVarsOption = None,
) -> None:
    """Response analysis (ADRS): BOR, CBOR, RSP, CRSP, CB, CCB and PD per subject, with the OVR records.

    From the lesion tables (--tu, --tr; RECIST 1.1 computed from the measurements) or, with
    --from-overall, from the RS overall responses alone (as admiralonco does).
    """
    rules = _rules(confirmation_days=confirmation_days, sd_min_days=sd_min_days, max_ne=max_ne)
    extra = tuple(parse_column_list(adsl_vars, option="--adsl-vars"))
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
            adsl_vars=extra,
        )
    else:
        if tu is None or tr is None:
            raise DataError(
                "Give --tu TU and --tr TR (lesions), or --from-overall with --rs RS and --adsl ADSL.",
                code="CLI-E020",
                field="--tu",
            )
        opts = LesionOptions(
            adsl, evaluator, reference_date, end_date, timepoints_path, summary_path,
            pet, irradiated, irradiated_out, irecist_path, primary_visit, extra,
        )  # fmt: skip
        adrs = from_lesions(tu, tr, rules, opts)
    write_table(adrs, out_path)
    subjects = adrs.loc[adrs["PARAMCD"] == "BOR"]
    counts = subjects["AVALC"].value_counts().to_dict()
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    err.print(f"Wrote {out_path}: {len(subjects)} subjects; best overall response: {summary}", markup=False)
