"""The sum of the target lesions' diameters at each assessment, and its change: what waterfall and spider plots show.

Input: SDTM TR (``USUBJID``, ``TRLNKID``, ``TRTESTCD``, ``TRSTRESC``, ``TRSTRESU``, ``VISIT``, ``TRDTC``; ``TREVAL``
when several readers), and TU when known. The target lesions are

* those TU lists as ``TARGET`` (``TUSTRESC``), when TU is given;
* otherwise those TR groups as ``TARGET`` (``TRGRPID``), when TR has that column;
* otherwise the lesions with a diameter at the subject's earliest assessment (the baseline): RECIST 1.1
  measures only target lesions (non-target lesions are recorded present/absent, new lesions appear later).

Without TU no lesion is known to be a lymph node: a node's RECIST diameter is then TR's ``DIAMETER`` (or
``LDIAM``), not its short axis. The sums, the baseline and the nadir are those of the RECIST evaluation itself
(:func:`~oncotrial.recist.derive_lesion_assessments`, :func:`~oncotrial.recist.derive_timepoint_responses`),
so a plotted change is the one the response was decided on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial._frames import check_columns
from oncotrial.recist.lesions import derive_lesion_assessments
from oncotrial.recist.timepoint import derive_timepoint_responses

__all__ = ["TUMOUR_SIZE_COLUMNS", "derive_best_tumour_change", "derive_tumour_sizes"]

TUMOUR_SIZE_COLUMNS = (
    "USUBJID",
    "VISIT",
    "ADT",
    "DAY",
    "BASELINE",
    "SLD",
    "SLD_BASELINE",
    "NADIR",
    "PCHG_BASE",
    "PCHG_NADIR",
)
_TR = ("USUBJID", "TRLNKID", "TRTESTCD", "TRSTRESC", "VISIT", "TRDTC")
_DIAMETERS = ("DIAMETER", "LDIAM", "SAXIS", "LPERP")


def _targets_from_tr(tr: pd.DataFrame) -> pd.DataFrame:
    """A TU of the target lesions read from TR alone (see the module docstring)."""
    sized = tr.loc[tr["TRTESTCD"].isin(_DIAMETERS)]
    if "TRGRPID" in tr.columns:
        chosen = sized.loc[sized["TRGRPID"].astype("string").str.upper() == "TARGET"]
    else:
        measured = sized.loc[pd.to_numeric(sized["TRSTRESC"], errors="coerce").notna()]
        dates = pd.to_datetime(measured["TRDTC"].astype("string").str.slice(0, 10), errors="coerce")
        first = dates.groupby(measured["USUBJID"]).transform("min")
        chosen = measured.loc[(dates == first).to_numpy()]
    first_rows = chosen.sort_values("TRDTC", kind="stable").drop_duplicates(["USUBJID", "TRLNKID"])
    return pd.DataFrame(
        {
            "USUBJID": first_rows["USUBJID"].to_numpy(),
            "TULNKID": first_rows["TRLNKID"].to_numpy(),
            "TUSTRESC": "TARGET",
            "TULOC": "",
            "VISIT": first_rows["VISIT"].to_numpy(),
            "TUDTC": first_rows["TRDTC"].to_numpy(),
        }
    )


def derive_tumour_sizes(
    tr: pd.DataFrame, tu: pd.DataFrame | None = None, *, evaluator: str | None = "INVESTIGATOR"
) -> pd.DataFrame:
    """One row per subject and assessment: the sum of the target diameters (mm) and its % changes.

    Columns ``USUBJID, VISIT, ADT, DAY, BASELINE, SLD, SLD_BASELINE, NADIR, PCHG_BASE, PCHG_NADIR``: ``DAY``
    counts days from the baseline scan (0 there); ``SLD`` is the sum measured (partial when a target lesion
    was not measured); ``NADIR`` is the smallest complete sum before (baseline included; missing at baseline);
    ``PCHG_BASE`` is ``100 (SLD - SLD_BASELINE) / SLD_BASELINE`` and ``PCHG_NADIR`` ``100 (SLD - NADIR) /
    NADIR``, both for complete sums only (missing where a target lesion was not measured or the reference is 0).
    Without TU, a TR in which no target lesion is measured gives an empty table with these columns.

    Raises
    ------
    DataError
        TR (or TU) lacks a column (RECIST-E010), has no lesion rows, or a measurement cannot be read (the
        errors of :func:`~oncotrial.recist.derive_lesion_assessments`, each naming subject, visit and lesion).
    """
    check_columns(tr, _TR, name="TR", code="RECIST-E010")
    if tu is None:
        tu = _targets_from_tr(tr)
        if tu.empty:  # no lesion is measured: nothing to sum (e.g. non-measurable disease only)
            return pd.DataFrame({column: [] for column in TUMOUR_SIZE_COLUMNS})
        tr = tr.merge(tu[["USUBJID", "TULNKID"]], left_on=["USUBJID", "TRLNKID"], right_on=["USUBJID", "TULNKID"])
        if "TRSTRESU" not in tr.columns:
            tr = tr.assign(TRSTRESU="mm")
    assessments = derive_lesion_assessments(tu, tr, evaluator=evaluator)
    points = derive_timepoint_responses(assessments)
    sums = points["SOD"].to_numpy(dtype=float)
    nadir = points["NADIR"].to_numpy(dtype=float)
    complete = points["PCHG"].notna().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        from_nadir = np.where(complete & np.isfinite(nadir) & (nadir > 0), 100.0 * (sums - nadir) / nadir, np.nan)
    start = points.loc[points["BASELINE"], ["USUBJID", "ADT"]].set_index("USUBJID")["ADT"]
    days = (points["ADT"] - points["USUBJID"].map(start)).dt.days
    return pd.DataFrame(
        {
            "USUBJID": points["USUBJID"].to_numpy(),
            "VISIT": points["VISIT"].to_numpy(),
            "ADT": points["ADT"].to_numpy(),
            "DAY": days.to_numpy(),
            "BASELINE": points["BASELINE"].to_numpy(dtype=bool),
            "SLD": sums,
            "SLD_BASELINE": points["SOD_BASELINE"].to_numpy(dtype=float),
            "NADIR": np.where(np.isfinite(nadir), nadir, np.nan),
            "PCHG_BASE": points["PCHG"].to_numpy(dtype=float),
            "PCHG_NADIR": from_nadir,
        }
    )


def derive_best_tumour_change(sizes: pd.DataFrame) -> pd.DataFrame:
    """One row per subject with a complete sum after baseline: ``USUBJID``, ``BEST_PCHG`` (the smallest
    ``PCHG_BASE`` after baseline: the largest shrinkage, or the smallest growth) and the ``VISIT`` and ``DAY``
    where it was first seen; sorted from the largest growth to the largest shrinkage (a waterfall's order).

    ``sizes`` is the table of :func:`derive_tumour_sizes`.
    """
    check_columns(sizes, ("USUBJID", "VISIT", "DAY", "BASELINE", "PCHG_BASE"), name="tumour sizes", code="RECIST-E010")
    after = sizes.loc[~sizes["BASELINE"].to_numpy(dtype=bool) & sizes["PCHG_BASE"].notna().to_numpy()]
    order = after.sort_values(["USUBJID", "PCHG_BASE", "DAY"], kind="stable")
    best = order.drop_duplicates("USUBJID")[["USUBJID", "PCHG_BASE", "VISIT", "DAY"]]
    best = best.rename(columns={"PCHG_BASE": "BEST_PCHG"})
    return best.sort_values(["BEST_PCHG", "USUBJID"], ascending=[False, True], kind="stable").reset_index(drop=True)
