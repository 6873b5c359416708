"""ADSL from SDTM tables (DM, DS, EX, AE, LB), by the rules of admiral's ADSL template (``ad_adsl.R``).

A pure derivation (tables in, a table out); the store's export feeds it the SDTM tables it rebuilds, and the
tests feed it pharmaverse's SDTM and compare with pharmaverse's ADSL (``tests/reference/pharmaverse/adam``).

==========  ==============================================================================================
variable    rule (admiral template)
==========  ==============================================================================================
TRT01P/A    ARM / ACTARM
RANDDT      DSSTDTC of the DS record with DSDECOD ``RANDOMIZED``
TRTSDT      the first EXSTDTC (a complete date) of a valid dose: EXDOSE > 0, or EXDOSE = 0 of a treatment
            whose EXTRT contains ``PLACEBO``; ordered by date, then EXSEQ
TRTEDT      the last EXENDTC (a complete date) of a valid dose
DTHDT       DTHDTC, a partial date imputed to the first day of the month (``highest_imputation = "M"``)
LSTALVDT    the last of: AESTDTC and AEENDTC (imputed to the first day, up to a missing month), LBDTC (its
            date), and TRTEDT
==========  ==============================================================================================

Dates are written as ISO 8601 text (``YYYY-MM-DD``), as ``oncotrial recist`` and ``oncotrial adtte`` read them.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["derive_adsl"]

_DM = ("STUDYID", "USUBJID", "SITEID", "AGE", "AGEU", "SEX", "RACE", "ETHNIC", "COUNTRY", "ARM", "ARMCD", "ACTARM",
       "ACTARMCD", "DTHFL", "RFICDTC")  # fmt: skip


def _days(text: pd.Series, *, impute_month: bool) -> pd.Series:
    """Complete ``YYYY-MM-DD`` dates; with ``impute_month``, ``YYYY-MM`` is the 1st and ``YYYY`` January 1st
    (admiral's ``highest_imputation = "M"``, ``date_imputation = "first"``); anything else is missing."""
    day = text.astype("string").str.slice(0, 10)
    if impute_month:
        day = day.where(day.str.len() != 7, day + "-01").where(day.str.len() != 4, day + "-01-01")
    return pd.to_datetime(day.where(day.str.len() == 10), format="%Y-%m-%d", errors="coerce")


def _by_subject(subjects: pd.Series, dates: pd.Series, *, last: bool) -> pd.Series:
    grouped = dates.groupby(subjects)
    return grouped.max() if last else grouped.min()


def _treatment_dates(ex: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    dose = pd.to_numeric(ex["EXDOSE"], errors="coerce")
    placebo = ex["EXTRT"].astype("string").str.upper().str.contains("PLACEBO", regex=False).fillna(False)
    valid = ex.loc[((dose > 0) | ((dose == 0) & placebo)).to_numpy()]
    start = _by_subject(valid["USUBJID"], _days(valid["EXSTDTC"], impute_month=False), last=False)
    end = _by_subject(valid["USUBJID"], _days(valid["EXENDTC"], impute_month=False), last=True)
    return start, end


def derive_adsl(
    dm: pd.DataFrame, ds: pd.DataFrame, ex: pd.DataFrame, ae: pd.DataFrame, lb: pd.DataFrame
) -> pd.DataFrame:
    """One row per DM subject with the demographics, arms and the dates above (ISO text, empty when none).

    The tables are SDTM as text or numbers (as :func:`oncotrial.io.read_table` reads them).
    """
    adsl = dm[[c for c in _DM if c in dm.columns]].copy().reset_index(drop=True)
    adsl["TRT01P"] = adsl.get("ARM")
    adsl["TRT01A"] = adsl.get("ACTARM")
    randomised = ds.loc[ds["DSDECOD"].astype("string").str.upper() == "RANDOMIZED"]
    start, end = _treatment_dates(ex)
    dates = pd.DataFrame(
        {
            "RANDDT": _by_subject(randomised["USUBJID"], _days(randomised["DSSTDTC"], impute_month=False), last=False),
            "TRTSDT": start,
            "TRTEDT": end,
        }
    )
    alive = pd.concat(
        [
            _by_subject(ae["USUBJID"], _days(ae["AESTDTC"], impute_month=True), last=True),
            _by_subject(ae["USUBJID"], _days(ae["AEENDTC"], impute_month=True), last=True),
            _by_subject(lb["USUBJID"], _days(lb["LBDTC"], impute_month=False), last=True),
            end,
        ],
        axis=1,
    ).max(axis=1)
    dates["LSTALVDT"] = alive
    subjects = pd.Index(adsl["USUBJID"])
    for name in ("RANDDT", "TRTSDT", "TRTEDT", "LSTALVDT"):
        adsl[name] = dates[name].reindex(subjects).to_numpy()
    adsl["DTHDT"] = _days(dm["DTHDTC"], impute_month=True).to_numpy() if "DTHDTC" in dm.columns else pd.NaT
    for name in ("RANDDT", "TRTSDT", "TRTEDT", "DTHDT", "LSTALVDT"):
        adsl[name] = pd.to_datetime(adsl[name]).dt.strftime("%Y-%m-%d").astype("string")
    return adsl
