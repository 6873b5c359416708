"""From SDTM TU (tumour identification) and TR (tumour results) to lesion assessments.

* Lesions come from TU (``TULNKID``, ``TUSTRESC`` TARGET / NON-TARGET / NEW, ``TULOC``,
  ``TUMETHOD``); a lesion is nodal when ``TULOC`` names a lymph node.
* The baseline of a subject is the visit at which TU identifies its target and non-target lesions.
* The RECIST diameter of a target lesion is TR's ``DIAMETER``; without it, ``SAXIS`` (or ``LPERP``)
  for a node and ``LDIAM`` otherwise. Values are converted to mm from their unit (``TRSTRESU``);
  "TOO SMALL TO MEASURE" is 5 mm (RECIST 1.1), empty or "NOT DONE" is not evaluated.
* Non-target and new lesions take their state from ``TUMSTATE`` (a new lesion without one is
  unequivocal). Dates come from ``TRDTC`` (``TUDTC`` for new lesions without results), with
  admiral's imputation of partial dates.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pint

from oncotrial._frames import check_columns
from oncotrial.errors import DataError, InconsistentDataError, TrialWarning
from oncotrial.recist._errors import lesion_error
from oncotrial.recist.dates import compute_imputed_dates
from oncotrial.units import UNITS, UnitParseError, parse_unit

__all__ = ["derive_lesion_assessments"]

_TU = ("USUBJID", "TULNKID", "TUSTRESC", "TULOC", "VISIT")
_TR = ("USUBJID", "TRLNKID", "TRTESTCD", "TRSTRESC", "TRSTRESU", "VISIT", "TRDTC")
_SIZE_TESTS = ("DIAMETER", "LDIAM", "SAXIS", "LPERP")


def _evaluator(table: pd.DataFrame, column: str, evaluator: str | None) -> pd.DataFrame:
    if evaluator is None or column not in table.columns:
        return table
    return table.loc[table[column] == evaluator]


def _mm_factors(units: pd.Series, where: pd.DataFrame) -> pd.Series:
    """Factor from each unit to mm; a missing or non-length unit is an error naming the record."""
    factors: dict[str, float] = {}
    for unit in units.dropna().unique():
        text = str(unit).strip()
        try:
            factors[unit] = float((1.0 * parse_unit(text)).to(UNITS.millimetre).magnitude) if text else np.nan
        except (UnitParseError, pint.errors.DimensionalityError):
            factors[unit] = np.nan
    mapped = units.map(factors)
    bad = mapped.isna()
    if bad.any():
        rows = where[bad.to_numpy()].assign(
            TRSTRESU=lambda r: r["TRSTRESU"].where(r["TRSTRESU"].astype("string").str.strip().fillna("") != "", "none")
        )
        raise lesion_error(
            rows,
            "the {TRTESTCD} {TRSTRESC} has unit '{TRSTRESU}', which is not a length. Give the unit (mm or cm).",
            "RECIST-E011",
            lesion_col="TRLNKID",
        )
    return mapped


_REPEATED = (
    "{TRTESTCD} is recorded more than once. Keep one result (a split lesion's fragments have their own TRLNKID)."
)
# Without TREVAL every evaluator's results are read together: repeated results are then the usual cause.
_REPEATED_WITHOUT_TREVAL = (
    "{TRTESTCD} is recorded more than once, and the TR table has no TREVAL column to tell the evaluators' "
    "results apart. Add TREVAL (who assessed each result, e.g. INVESTIGATOR or INDEPENDENT ASSESSOR) so that "
    "one evaluator's results are used, or keep one result per lesion and visit."
)


def _sizes(tr: pd.DataFrame, *, repeated_message: str = _REPEATED) -> pd.DataFrame:
    size = tr.loc[tr["TRTESTCD"].isin(_SIZE_TESTS)].copy()
    value = pd.to_numeric(size["TRSTRESC"], errors="coerce")
    text = size["TRSTRESC"].astype("string").str.strip().str.upper().fillna("")
    # RECIST 1.1: a lesion too small to measure is recorded as 5 mm (present but below the CT limit)
    too_small = text.str.contains("TOO SMALL", regex=False).to_numpy(dtype=bool)
    value[too_small] = 5.0
    size.loc[too_small, "TRSTRESU"] = "mm"
    unparsable = value.isna() & (text != "") & (text != "NOT DONE")
    if unparsable.any():
        raise lesion_error(
            size[unparsable.to_numpy()], "{TRTESTCD} '{TRSTRESC}' is not a number.", "RECIST-E012", lesion_col="TRLNKID"
        )
    repeated = size.duplicated(["USUBJID", "TRLNKID", "VISIT", "TRTESTCD"], keep=False).to_numpy()
    if repeated.any():
        raise lesion_error(
            size.loc[repeated],
            repeated_message,
            "RECIST-E016",
            lesion_col="TRLNKID",
            error=InconsistentDataError,
        )
    impossible = (value < 0) | np.isinf(value)
    if impossible.any():
        raise lesion_error(
            size[impossible.to_numpy()],
            "{TRTESTCD} '{TRSTRESC}' is not a possible size (it must be a finite number of 0 or more). Correct it.",
            "RECIST-E018",
            lesion_col="TRLNKID",
        )
    measured = value.notna()
    factor = pd.Series(np.nan, index=size.index)
    factor[measured] = _mm_factors(size.loc[measured, "TRSTRESU"], size.loc[measured])
    size["MM"] = value * factor
    # min_count=1: a test not done stays missing (NaN) instead of summing to 0 mm
    wide = (
        size.groupby(["USUBJID", "TRLNKID", "VISIT", "TRTESTCD"], sort=False)["MM"].sum(min_count=1).unstack("TRTESTCD")
    )
    return wide.reindex(columns=list(_SIZE_TESTS))


def _baselines(lesions: pd.DataFrame) -> pd.Series:
    identified = lesions.loc[lesions["CATEGORY"].isin(["TARGET", "NON-TARGET"])]
    visits = identified.groupby("USUBJID")["VISIT"].unique()
    two = visits[visits.map(len) > 1]
    if len(two):
        subject = two.index[0]
        raise InconsistentDataError(
            f"Subject {subject} has baseline lesions identified at two visits ({', '.join(map(str, two.iloc[0]))}): "
            f"give one baseline assessment.",
            code="RECIST-E013",
            subject_id=subject,
        )
    return visits.map(lambda v: v[0])


def derive_lesion_assessments(
    tu: pd.DataFrame, tr: pd.DataFrame, *, evaluator: str | None = "INVESTIGATOR"
) -> pd.DataFrame:
    """The lesion-assessment table of :func:`~oncotrial.recist.derive_timepoint_responses` from TU and TR."""
    check_columns(tu, _TU, name="TU", code="RECIST-E010")
    check_columns(tr, _TR, name="TR", code="RECIST-E010")
    tu = _evaluator(tu, "TUEVAL", evaluator)
    tr = _evaluator(tr, "TREVAL", evaluator)
    tr = tr.loc[tr["TRTESTCD"].isin([*_SIZE_TESTS, "TUMSTATE"])]  # SUMDIAM and other derived rows are ignored
    for table, name in ((tu, "TU"), (tr, "TR")):
        if table.empty:
            who = f" for evaluator {evaluator}" if evaluator else ""
            raise DataError(
                f"The {name} table has no lesion rows{who} (TR needs DIAMETER, LDIAM, SAXIS, LPERP or TUMSTATE "
                f"results): check the file and the evaluator.",
                code="RECIST-E017",
                field=name,
            )
    lesions = pd.DataFrame(
        {
            "USUBJID": tu["USUBJID"],
            "LESIONID": tu["TULNKID"],
            "CATEGORY": tu["TUSTRESC"].str.upper(),
            "NODAL": tu["TULOC"].str.upper().str.contains("NODE", na=False),
            "LOCATION": tu["TULOC"].str.upper(),
            "METHOD": tu["TUMETHOD"].str.upper() if "TUMETHOD" in tu.columns else "",
            "TU_VISIT": tu["VISIT"],
            "TUDTC": tu["TUDTC"] if "TUDTC" in tu.columns else "",
        }
    ).drop_duplicates(["USUBJID", "LESIONID"])
    baseline = _baselines(lesions.rename(columns={"TU_VISIT": "VISIT"}))
    without_treval = evaluator is not None and "TREVAL" not in tr.columns
    sizes = _sizes(tr, repeated_message=_REPEATED_WITHOUT_TREVAL if without_treval else _REPEATED)
    state_rows = tr.loc[tr["TRTESTCD"] == "TUMSTATE"].drop_duplicates(["USUBJID", "TRLNKID", "VISIT"], keep="last")
    states = state_rows.set_index(["USUBJID", "TRLNKID", "VISIT"])["TRSTRESC"].str.upper()
    dates = tr.groupby(["USUBJID", "TRLNKID", "VISIT"])["TRDTC"].first()
    keys = dates.index.to_frame(index=False).rename(columns={"TRLNKID": "LESIONID"})
    rows = keys.merge(lesions, on=["USUBJID", "LESIONID"], how="left")
    stray = rows[rows["CATEGORY"].isna()]
    if len(stray):
        raise lesion_error(
            stray,
            "the lesion has results in TR but is not identified in TU.",
            "RECIST-E014",
            error=InconsistentDataError,
        )
    index = pd.MultiIndex.from_frame(rows[["USUBJID", "LESIONID", "VISIT"]])
    sized = sizes.reindex(index)
    nodal = rows["NODAL"].to_numpy(dtype=bool)
    fallback = np.where(nodal, sized["SAXIS"].fillna(sized["LPERP"]).to_numpy(), sized["LDIAM"].to_numpy())
    rows["DIAMETER"] = np.where(sized["DIAMETER"].notna().to_numpy(), sized["DIAMETER"].to_numpy(), fallback)
    rows["DIAMETER"] = rows["DIAMETER"].where(rows["CATEGORY"].isin(["TARGET", "NEW"]))  # new: for iRECIST
    rows["STATE"] = states.reindex(index).to_numpy()
    rows["BASELINE"] = rows["VISIT"].to_numpy() == rows["USUBJID"].map(baseline).to_numpy()
    rows["ADT"] = _dates(dates.to_numpy(), rows)
    rows = pd.concat(
        [rows, _new_without_results(lesions, rows), _baseline_without_results(lesions, rows, baseline)],
        ignore_index=True,
    )
    columns = ["USUBJID", "VISIT", "ADT", "BASELINE", "LESIONID", "CATEGORY", "NODAL", "DIAMETER", "STATE"]
    return rows[[*columns, "LOCATION", "METHOD"]]


def _dates(text: np.ndarray, rows: pd.DataFrame) -> pd.Series:
    imputed = compute_imputed_dates(pd.Series(text, index=rows.index).astype("string").fillna(""))
    if (imputed.flags == "D").any():
        first = rows[(imputed.flags == "D").to_numpy()].iloc[0]
        warnings.warn(
            TrialWarning(
                f"{int((imputed.flags == 'D').sum())} partial scan date(s) YYYY-MM imputed to the last day of the "
                f"month, e.g. subject {first['USUBJID']}, visit {first['VISIT']}, lesion {first['LESIONID']}."
            ),
            stacklevel=3,
        )
    if imputed.unparsed.any():
        first = rows[imputed.unparsed.to_numpy()].iloc[0]
        raise DataError(
            f"Subject {first['USUBJID']}, visit {first['VISIT']}, lesion {first['LESIONID']}: the scan date "
            f"'{text[np.argmax(imputed.unparsed.to_numpy())]}' is not a date (YYYY-MM-DD or YYYY-MM).",
            code="RECIST-E015",
            subject_id=first["USUBJID"],
            visit=first["VISIT"],
        )
    return imputed.dates


def _baseline_without_results(lesions: pd.DataFrame, rows: pd.DataFrame, baseline: pd.Series) -> pd.DataFrame:
    """Baseline lesions identified in TU but not measured at the baseline visit: an empty baseline row.

    The lesion then counts as identified at baseline (so a later measurement is not a stray), and the
    baseline check reports the missing measurement (RECIST-B06).
    """
    listed = lesions.loc[lesions["CATEGORY"].isin(["TARGET", "NON-TARGET"])]
    at_baseline = rows.loc[rows["BASELINE"].to_numpy(dtype=bool), ["USUBJID", "LESIONID"]]
    have = pd.MultiIndex.from_frame(at_baseline)
    missing = listed[~pd.MultiIndex.from_frame(listed[["USUBJID", "LESIONID"]]).isin(have)]
    if missing.empty:
        return pd.DataFrame(columns=rows.columns)
    dates = rows.loc[rows["BASELINE"].to_numpy(dtype=bool)].groupby("USUBJID")["ADT"].min()
    return pd.DataFrame(
        {
            "USUBJID": missing["USUBJID"].to_numpy(),
            "VISIT": missing["USUBJID"].map(baseline).to_numpy(),
            "ADT": missing["USUBJID"].map(dates).to_numpy(),
            "BASELINE": True,
            "LESIONID": missing["LESIONID"].to_numpy(),
            "CATEGORY": missing["CATEGORY"].to_numpy(),
            "NODAL": missing["NODAL"].to_numpy(),
            "DIAMETER": np.nan,
            "STATE": None,
            "LOCATION": missing["LOCATION"].to_numpy(),
            "METHOD": missing["METHOD"].to_numpy(),
        }
    )


def _new_without_results(lesions: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """NEW lesions identified in TU with no TR row: unequivocal at the TU visit."""
    new = lesions.loc[lesions["CATEGORY"] == "NEW"]
    have = pd.MultiIndex.from_frame(rows[["USUBJID", "LESIONID"]])
    new = new[~pd.MultiIndex.from_frame(new[["USUBJID", "LESIONID"]]).isin(have)]
    if new.empty:
        return pd.DataFrame(columns=rows.columns)
    dates = compute_imputed_dates(new["TUDTC"].astype("string").fillna("")).dates
    return pd.DataFrame(
        {
            "USUBJID": new["USUBJID"].to_numpy(),
            "VISIT": new["TU_VISIT"].to_numpy(),
            "ADT": dates.to_numpy(),
            "BASELINE": False,
            "LESIONID": new["LESIONID"].to_numpy(),
            "CATEGORY": "NEW",
            "NODAL": new["NODAL"].to_numpy(),
            "DIAMETER": np.nan,
            "STATE": "UNEQUIVOCAL",
            "LOCATION": new["LOCATION"].to_numpy(),
            "METHOD": new["METHOD"].to_numpy(),
        }
    )
