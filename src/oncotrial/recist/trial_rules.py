"""Trial-specific response rules the seed trials need, on top of RECIST 1.1.

* **Irradiated lesions** (NCT01416831, SBRT + high-dose IL-2): lesions flagged ``IRRADIATED`` are
  left out of the primary response and assessed on their own (:func:`derive_irradiated_flags`,
  :func:`select_lesions`).
* **CR confirmed by PET** : an overall CR counts only with a negative PET at that assessment;
  otherwise it is reported as PR (:func:`derive_pet_confirmed_response`).
* **Primary time point** ("end of cycle 2, week 14"; week 21 after crossover): the response at a
  named visit, or at the assessment nearest a target day within a window
  (:func:`select_primary_timepoint`).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from oncotrial._frames import check_columns
from oncotrial.errors import DataError
from oncotrial.recist.timepoint import as_flags

__all__ = ["derive_irradiated_flags", "derive_pet_confirmed_response", "select_lesions", "select_primary_timepoint"]


def derive_irradiated_flags(assessments: pd.DataFrame, irradiated: pd.DataFrame) -> pd.DataFrame:
    """Add ``IRRADIATED``: whether the lesion is listed in ``irradiated`` (``USUBJID``, ``LESIONID``).

    Every listed lesion must be among the assessed ones (identified in TU, measured in TR): a
    listed lesion that is not is refused with its subject and lesion id, since an id mistyped in
    the list would leave the irradiated lesion in the primary response.
    """
    check_columns(
        irradiated,
        ("USUBJID", "LESIONID"),
        name="irradiated lesions",
        code="RECIST-E033",
        hint="Give one row per lesion with USUBJID and LESIONID (TULNKID).",
    )
    listed = pd.MultiIndex.from_frame(irradiated[["USUBJID", "LESIONID"]].astype(str))
    assessed = pd.MultiIndex.from_frame(assessments[["USUBJID", "LESIONID"]].astype(str))
    unknown = listed[~listed.isin(assessed)].unique()
    if len(unknown):
        shown = ", ".join(f"subject {subject} lesion {lesion}" for subject, lesion in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise DataError(
            f"{len(unknown)} irradiated lesion(s) are not among the lesions of TU/TR: {shown}{more}. Check the "
            "subject and lesion ids (LESIONID is TU's TULNKID, e.g. T01) in the irradiated lesions table.",
            code="RECIST-E034",
            subject_id=str(unknown[0][0]),
            lesion=str(unknown[0][1]),
            field="LESIONID",
        )
    return assessments.assign(IRRADIATED=assessed.isin(listed))


def select_lesions(assessments: pd.DataFrame, *, irradiated: bool) -> pd.DataFrame:
    """The lesion assessments of irradiated lesions only (``irradiated=True``) or of all the others.

    ``assessments`` needs a boolean ``IRRADIATED`` column (a lesion treated with radiation, e.g.
    SBRT, is flagged at every assessment). The primary response uses ``irradiated=False``; the
    irradiated lesions, assessed separately, use ``irradiated=True``. New lesions are never
    irradiated, so they count in the primary response. Subjects left without any baseline lesion
    are dropped from the selection (their ADRS parameters come out MISSING).
    """
    check_columns(
        assessments,
        ["IRRADIATED"],
        name="lesion assessments",
        code="RECIST-E030",
        hint="Flag the lesions treated with radiation (Y/N) to separate them from the primary response.",
    )
    flag = as_flags(assessments, "IRRADIATED")
    lesion_flag = (
        pd.Series(flag)
        .groupby([assessments["USUBJID"].to_numpy(), assessments["LESIONID"].to_numpy()])
        .transform("max")
    )
    chosen = assessments.loc[lesion_flag.to_numpy(dtype=bool) == irradiated]
    # a subject with no baseline lesion in the selection has nothing to assess in it
    with_baseline = chosen.loc[as_flags(chosen, "BASELINE"), "USUBJID"].unique()
    selected: pd.DataFrame = chosen.loc[chosen["USUBJID"].isin(with_baseline)].reset_index(drop=True)
    return selected


def derive_pet_confirmed_response(timepoints: pd.DataFrame, pet: pd.DataFrame) -> pd.DataFrame:
    """Overall CR only with a negative PET at the same assessment; otherwise PR.

    ``pet`` has ``USUBJID``, ``VISIT`` and ``PET`` (NEGATIVE or POSITIVE). Adds ``PET`` and
    ``CR_RULE`` ("CR: PET negative", "PR: CR without a negative PET") and returns a new table.
    """
    check_columns(pet, ("USUBJID", "VISIT", "PET"), name="PET", code="RECIST-E031")
    result = timepoints.merge(
        pet[["USUBJID", "VISIT", "PET"]].drop_duplicates(["USUBJID", "VISIT"], keep="last"),
        on=["USUBJID", "VISIT"],
        how="left",
    )
    result["PET"] = result["PET"].astype("string").str.strip().str.upper()
    is_cr = (result["OVERALL"].astype(object) == "CR").to_numpy()
    negative = (result["PET"] == "NEGATIVE").fillna(False).to_numpy(dtype=bool)
    overall = result["OVERALL"].astype(object).to_numpy().copy()
    overall[is_cr & ~negative] = "PR"
    categories = (
        timepoints["OVERALL"].cat.categories if isinstance(timepoints["OVERALL"].dtype, pd.CategoricalDtype) else None
    )
    result["OVERALL"] = pd.Categorical(overall, categories=categories)
    result["CR_RULE"] = np.select(
        [is_cr & negative, is_cr], ["CR: PET negative", "PR: CR without a negative PET"], default=""
    )
    return result


def select_primary_timepoint(
    timepoints: pd.DataFrame,
    *,
    visit: str | None = None,
    day: int | None = None,
    window_days: int = 14,
    reference: Literal["baseline"] = "baseline",
) -> pd.DataFrame:
    """Each subject's response at the primary time point.

    Either the assessment at ``visit`` (e.g. ``"WEEK 14"``), or the follow-up assessment nearest
    ``day`` days after the baseline scan (e.g. 98 for week 14) within ``window_days``, the earlier
    one on ties. Subjects without such an assessment get ``OVERALL`` empty and ``PRIMARY = NE``.
    """
    if (visit is None) == (day is None):
        raise DataError(
            "Give either the primary visit or the primary day (not both).", code="RECIST-E032", field="visit"
        )
    baseline = as_flags(timepoints, "BASELINE", "time points")
    follow = timepoints.loc[~baseline]
    if visit is not None:
        chosen = follow.loc[follow["VISIT"].astype(str) == visit].drop_duplicates("USUBJID", keep="first")
    elif day is not None:
        base = timepoints.loc[baseline].set_index("USUBJID")["ADT"]
        days = (follow["ADT"] - follow["USUBJID"].map(base)).dt.days
        distance = (days - day).abs()
        near = follow.assign(_distance=distance).loc[distance <= window_days]
        chosen = near.sort_values(["USUBJID", "_distance", "ADT"], kind="stable").drop_duplicates("USUBJID")
    subjects = pd.DataFrame({"USUBJID": timepoints["USUBJID"].drop_duplicates().to_numpy()})
    result = subjects.merge(chosen[["USUBJID", "VISIT", "ADT", "OVERALL"]], on="USUBJID", how="left")
    result["PRIMARY"] = result["OVERALL"].astype(object).where(result["OVERALL"].notna(), "NE")
    return result
