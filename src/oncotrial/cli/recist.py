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
from oncotrial.io import read_table, write_table
from oncotrial.recist import (
    RULE_LIMITS,
    LesionResponseAnalysis,
    ResponseRules,
    derive_adrs_from_overall,
    derive_lesion_response_analysis,
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


def _write_extras(analysis: LesionResponseAnalysis, opts: LesionOptions) -> None:
    irradiated = analysis.irradiated_timepoints()
    if opts.irradiated_out is not None and irradiated is not None:
        write_table(irradiated, opts.irradiated_out)
    if opts.timepoints_path is not None:
        write_table(analysis.timepoints(), opts.timepoints_path)
    if opts.summary_path is not None:
        write_table(analysis.subject_summary(primary_visit=opts.primary_visit), opts.summary_path)
    if opts.irecist_path is not None:
        write_table(analysis.irecist(), opts.irecist_path)


def from_lesions(tu: Path, tr: Path, rules: ResponseRules, opts: LesionOptions) -> pd.DataFrame:
    """ADRS from TU/TR (:func:`~oncotrial.recist.derive_lesion_response_analysis`), and the extras asked for."""
    analysis = derive_lesion_response_analysis(
        read_table(tu, name="TU"),
        read_table(tr, name="TR"),
        read_table(opts.adsl, name="ADSL") if opts.adsl is not None else None,
        evaluator=opts.evaluator,
        reference_col=opts.reference_date,
        end_col=opts.end_date,
        rules=rules,
        pet=read_table(opts.pet, name="PET") if opts.pet is not None else None,
        irradiated=read_table(opts.irradiated, name="irradiated lesions") if opts.irradiated is not None else None,
        adsl_vars=opts.adsl_vars,
    )
    if not analysis.baseline.is_valid:
        err.print(str(analysis.baseline), markup=False)
    _write_extras(analysis, opts)
    return analysis.to_frame()


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
