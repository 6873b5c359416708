"""ADRS from SDTM RS overall responses and ADSL (what admiralonco derives: ``--from-overall``)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from oncotrial._adsl import derive_adsl_vars, select_adsl_vars
from oncotrial._frames import check_columns, find_exact_duplicates
from oncotrial.errors import DataError, TrialWarning
from oncotrial.recist.best_response import (
    AVAL_CODES,
    ResponseRules,
    derive_overall_response_flags,
    derive_response_parameters,
)
from oncotrial.recist.dates import compute_imputed_dates, read_dates

__all__ = ["PARAMETER_NAMES", "derive_adrs", "derive_adrs_from_overall"]

PARAMETER_NAMES = {
    "OVR": "Overall Response",
    "BOR": "Best Overall Response (confirmation not required)",
    "CBOR": "Best Confirmed Overall Response",
    "RSP": "Response (confirmation not required)",
    "CRSP": "Confirmed Response",
    "CB": "Clinical Benefit (confirmation for response not required)",
    "CCB": "Confirmed Clinical Benefit",
    "PD": "Disease Progression",
}
_RS_COLUMNS = ("USUBJID", "RSTESTCD", "RSEVAL", "RSSTRESC", "RSDTC", "RSSEQ")


def _examples(frame: pd.DataFrame, limit: int = 5) -> str:
    shown = [
        f"{subject} {visit} ({date or 'empty'})".replace("  ", " ")
        for subject, visit, date in zip(
            frame["USUBJID"].head(limit), frame["VISIT"].head(limit), frame["RSDTC"].head(limit), strict=True
        )
    ]
    more = f" and {len(frame) - limit} more" if len(frame) > limit else ""
    return "; ".join(shown) + more


def _check_adsl(adsl: pd.DataFrame, reference_col: str) -> None:
    check_columns(
        adsl,
        ("USUBJID", reference_col),
        name="ADSL",
        code="RECIST-E021",
        hint=f"It needs USUBJID and the reference date {reference_col} (reference_col names another, e.g. TRTSDT).",
    )


def _overall_records(rs: pd.DataFrame, evaluator: str) -> pd.DataFrame:
    ovr = rs.loc[(rs["RSTESTCD"] == "OVRLRESP") & (rs["RSEVAL"] == evaluator)].copy()
    if ovr.empty and (rs["RSTESTCD"] == "OVRLRESP").any():
        present = sorted(set(rs.loc[rs["RSTESTCD"] == "OVRLRESP", "RSEVAL"].astype(str)))
        warnings.warn(
            TrialWarning(
                f"No overall responses by evaluator '{evaluator}'; the RS table has {', '.join(present)}. "
                f"Every subject gets BOR MISSING (choose the evaluator with --evaluator)."
            ),
            stacklevel=3,
        )
    if "VISIT" not in ovr.columns:
        ovr["VISIT"] = ""
    ovr = _drop_exact_duplicates(ovr)
    seq = pd.to_numeric(ovr["RSSEQ"], errors="coerce")
    not_whole = seq.isna() | (seq != seq.round())
    if not_whole.any():
        raise DataError(
            f"RSSEQ is not a whole number for: {_examples(ovr[not_whole.to_numpy()])}. Fix RSSEQ in the RS table.",
            code="RECIST-E022",
            field="RSSEQ",
        )
    dates = compute_imputed_dates(ovr["RSDTC"])
    if dates.unparsed.any():
        warnings.warn(
            TrialWarning(
                f"{int(dates.unparsed.sum())} overall response(s) have no usable date and are not analysed: "
                f"{_examples(ovr[dates.unparsed.to_numpy()])}."
            ),
            stacklevel=3,
        )
    imputed = dates.flags == "D"
    if imputed.any():
        warnings.warn(
            TrialWarning(
                f"{int(imputed.sum())} partial date(s) YYYY-MM imputed to the last day of the month (ADTF = D): "
                f"{_examples(ovr[imputed.to_numpy()])}."
            ),
            stacklevel=3,
        )
    values = ovr["RSSTRESC"].astype(str).str.strip().str.upper()
    invalid = ~values.isin(list(AVAL_CODES))
    if invalid.any():
        warnings.warn(
            TrialWarning(
                f"{int(invalid.sum())} overall response(s) are not RECIST 1.1 categories (CR, PR, SD, "
                f"NON-CR/NON-PD, PD, NE) and are not analysed: "
                f"{_examples(ovr[invalid.to_numpy()])}, value(s) {', '.join(sorted(values[invalid].unique())[:5])}."
            ),
            stacklevel=3,
        )
    return ovr.assign(
        ADT=dates.dates,
        ADTF=dates.flags,
        AVALC=values,
        RSSEQ=seq.astype(np.int64),
        AVISIT=ovr["VISIT"],
    )


def _drop_exact_duplicates(ovr: pd.DataFrame) -> pd.DataFrame:
    """One copy of each overall response recorded twice with every column equal, with a warning naming them.

    A copy would otherwise count as a second assessment on the same date: a duplicated PD loses its
    ANL02FL (a PD is then "before" it) while the copy keeps ANL01FL, and BOR falls from PD to NE.
    """
    repeated = find_exact_duplicates(ovr)
    if not repeated.any():
        return ovr
    warnings.warn(
        TrialWarning(
            f"{int(repeated.sum())} overall response row(s) appear more than once in the RS table with every "
            f"column equal and are counted once: {_examples(ovr[repeated])}. Remove the duplicate rows."
        ),
        stacklevel=4,
    )
    return ovr.loc[~repeated]


def _subjects(adsl: pd.DataFrame, reference_col: str) -> pd.DataFrame:
    if adsl.empty:
        raise DataError(
            "The ADSL table has no subjects: give one row per subject with USUBJID and the reference date.",
            code="RECIST-E024",
            field="ADSL",
        )
    subjects = adsl[["USUBJID", reference_col] + (["STUDYID"] if "STUDYID" in adsl.columns else [])].copy()
    subjects[reference_col] = read_dates(subjects, reference_col, table="ADSL").to_numpy()
    return subjects.drop_duplicates("USUBJID")


def derive_adrs_from_overall(
    rs: pd.DataFrame,
    adsl: pd.DataFrame,
    *,
    evaluator: str = "INVESTIGATOR",
    reference_col: str = "RANDDT",
    end_col: str | None = None,
    rules: ResponseRules | None = None,
    adsl_vars: Sequence[str] = (),
) -> pd.DataFrame:
    """ADRS (OVR records with ANL01FL/ANL02FL, then BOR, CBOR, RSP, CRSP, CB, CCB, PD per subject).

    ``rs`` is an SDTM RS table; the time-point overall responses are its OVRLRESP records by
    ``evaluator``. ``adsl`` lists the subjects and their reference date (``reference_col``);
    ``end_col`` names an ADSL date after which assessments are not analysed (e.g. the start of
    new anti-cancer therapy). Partial dates are imputed as admiral does and flagged; the
    warnings (:class:`~oncotrial.errors.TrialWarning`) name the subjects and visits concerned.
    ADSL variables are carried into every record as :func:`derive_adrs` says.
    """
    check_columns(rs, _RS_COLUMNS, name="RS", code="RECIST-E020")
    return derive_adrs(
        _overall_records(rs, evaluator),
        adsl,
        reference_col=reference_col,
        end_col=end_col,
        rules=rules,
        adsl_vars=adsl_vars,
    )


def derive_adrs(
    overall: pd.DataFrame,
    adsl: pd.DataFrame,
    *,
    reference_col: str = "RANDDT",
    end_col: str | None = None,
    rules: ResponseRules | None = None,
    adsl_vars: Sequence[str] = (),
) -> pd.DataFrame:
    """ADRS from time-point overall responses (``USUBJID, ADT, ADTF, AVALC, RSSEQ, AVISIT``) and ADSL.

    ``adsl`` needs ``USUBJID`` and the reference date column (text or dates); every subject in it
    gets the subject-level parameters, with or without responses. ADSL variables are carried into
    every record, as admiral's ``adsl_vars``: STUDYID, ARM, ARMCD, ACTARM, ACTARMCD, TRT01P, TRT01A,
    AGE, SEX, RACE and the ``STRAT*`` stratification factors when ADSL has them, and the columns
    named in ``adsl_vars`` (which must exist); see :mod:`oncotrial._adsl`.
    """
    carried = select_adsl_vars(adsl, adsl_vars)
    if end_col is not None:
        check_columns(
            adsl,
            [end_col],
            name="ADSL",
            code="RECIST-E023",
            hint=f"{end_col} is end_col, the end date of the assessments analysed: check the name (e.g. NACTDT "
            "for new anti-cancer therapy) or leave it out.",
        )
    _check_adsl(adsl, reference_col)
    subjects = _subjects(adsl, reference_col)
    ovr = overall.drop(columns=[c for c in (reference_col, end_col) if c and c in overall.columns])
    extra = [end_col] if end_col is not None and end_col in adsl.columns else []
    ends = adsl[["USUBJID", *extra]].drop_duplicates("USUBJID")
    for col in extra:
        ends[col] = read_dates(ends, col, table="ADSL").to_numpy()
    ovr = ovr.merge(subjects[["USUBJID", reference_col]], on="USUBJID", how="left").merge(
        ends, on="USUBJID", how="left"
    )
    unknown = ovr[ovr[reference_col].isna()]
    if len(unknown):
        warnings.warn(
            TrialWarning(
                f"{unknown['USUBJID'].nunique()} subject(s) with responses have no {reference_col} in ADSL; their "
                f"responses are not analysed: {', '.join(map(str, unknown['USUBJID'].unique()[:5]))}."
            ),
            stacklevel=2,
        )
    flagged = derive_overall_response_flags(ovr, reference_col=reference_col, end_col=end_col if extra else None)
    params = derive_response_parameters(flagged, subjects, reference_col=reference_col, rules=rules)
    overall_rows = flagged.assign(PARAMCD=pd.Categorical.from_codes(np.zeros(len(flagged), np.int8), pd.Index(["OVR"])))
    if "STUDYID" not in overall_rows.columns:
        overall_rows["STUDYID"] = (
            subjects.set_index("USUBJID")
            .get("STUDYID", pd.Series(dtype=str))
            .reindex(overall_rows["USUBJID"])
            .fillna("")
            .to_numpy()
        )
    columns = ["STUDYID", "USUBJID", "PARAMCD", "AVALC", "AVAL", "ADT", "ADTF", "AVISIT", "RSSEQ", "ANL01FL", "ANL02FL"]
    adrs = pd.concat([overall_rows.reindex(columns=columns), params.reindex(columns=columns)], ignore_index=True)
    adrs["AVAL"] = pd.to_numeric(adrs["AVAL"], errors="coerce").astype("Int64")
    adrs["RSSEQ"] = pd.to_numeric(adrs["RSSEQ"], errors="coerce").astype("Int64")
    adrs["ADTF"] = pd.Categorical(adrs["ADTF"].fillna(""))
    adrs["PARAMCD"] = pd.Categorical(adrs["PARAMCD"], categories=sorted(PARAMETER_NAMES))
    adrs["PARAM"] = adrs["PARAMCD"].map(PARAMETER_NAMES)
    adrs[reference_col] = adrs["USUBJID"].map(subjects.set_index("USUBJID")[reference_col])
    adrs = adrs.sort_values(["USUBJID", "PARAMCD", "ADT", "RSSEQ"], kind="stable", na_position="first")
    adrs = adrs.reset_index(drop=True)[["STUDYID", "USUBJID", "PARAMCD", "PARAM", *columns[3:], reference_col]]
    return derive_adsl_vars(adrs, adsl, carried)
