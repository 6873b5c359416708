"""Per-subject results from computed time-point responses: ADRS parameters, nadir, best % change."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from oncotrial.recist.adrs import derive_adrs
from oncotrial.recist.best_response import ResponseRules
from oncotrial.recist.timepoint import as_flags

__all__ = ["derive_adrs_from_timepoints", "derive_subject_summary"]


def _overall_records(timepoints: pd.DataFrame) -> pd.DataFrame:
    follow = timepoints.loc[~as_flags(timepoints, "BASELINE", "time points") & timepoints["OVERALL"].notna()]
    return pd.DataFrame(
        {
            "USUBJID": follow["USUBJID"].to_numpy(),
            "ADT": follow["ADT"].to_numpy(),
            "ADTF": pd.Categorical.from_codes(np.zeros(len(follow), np.int8), pd.Index([""])),
            "AVALC": follow["OVERALL"].to_numpy(),
            "RSSEQ": np.arange(1, len(follow) + 1),
            "AVISIT": follow["VISIT"].to_numpy(),
        }
    )


def _reference(timepoints: pd.DataFrame, adsl: pd.DataFrame | None, reference_col: str) -> pd.DataFrame:
    """ADSL's reference date, or the baseline scan date when no ADSL is given."""
    if adsl is not None:
        return adsl
    base = timepoints.loc[as_flags(timepoints, "BASELINE", "time points"), ["USUBJID", "ADT"]]
    return base.rename(columns={"ADT": reference_col}).drop_duplicates("USUBJID")


def derive_adrs_from_timepoints(
    timepoints: pd.DataFrame,
    adsl: pd.DataFrame | None = None,
    *,
    reference_col: str = "RANDDT",
    end_col: str | None = None,
    rules: ResponseRules | None = None,
    adsl_vars: Sequence[str] = (),
) -> pd.DataFrame:
    """ADRS (OVR and BOR, CBOR, RSP, CRSP, CB, CCB, PD) from :func:`derive_timepoint_responses` output.

    Without ``adsl`` the reference date is the baseline scan date and the subjects are those assessed.
    ADSL variables are carried as :func:`~oncotrial.recist.derive_adrs` says.
    """
    reference = _reference(timepoints, adsl, reference_col)
    return derive_adrs(
        _overall_records(timepoints),
        reference,
        reference_col=reference_col,
        end_col=end_col,
        rules=rules,
        adsl_vars=adsl_vars,
    )


def derive_subject_summary(timepoints: pd.DataFrame, adrs: pd.DataFrame) -> pd.DataFrame:
    """One row per subject: BOR, CBOR, first response and progression dates, nadir, best % change.

    ``NADIR`` is the smallest complete sum of diameters (baseline included); ``BEST_PCHG`` the
    largest fall (most negative % change from baseline) at any complete follow-up assessment,
    the bar of a waterfall plot.
    """
    wide = adrs.loc[adrs["PARAMCD"].isin(["BOR", "CBOR", "RSP", "PD"])].pivot(
        index="USUBJID", columns="PARAMCD", values=["AVALC", "ADT"]
    )
    summary = pd.DataFrame(
        {
            "BOR": wide[("AVALC", "BOR")],
            "CBOR": wide[("AVALC", "CBOR")],
            "RESPONSE_DATE": wide[("ADT", "RSP")],
            "PROGRESSION_DATE": wide[("ADT", "PD")],
        }
    )
    complete = timepoints.loc[timepoints["PCHG"].notna()]
    summary["SOD_BASELINE"] = timepoints.groupby("USUBJID", sort=False)["SOD_BASELINE"].first()
    summary["NADIR"] = complete.groupby("USUBJID", sort=False)["SOD"].min()
    follow = complete.loc[~as_flags(complete, "BASELINE", "time points")]
    summary["BEST_PCHG"] = follow.groupby("USUBJID", sort=False)["PCHG"].min()
    return summary.reset_index()
