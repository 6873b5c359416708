"""Baseline lesion selection rules of RECIST 1.1 (section 3): measurability and target-lesion limits.

Each breach is one row: subject, lesion, the rule (a stable code) and a message for the
radiologist. Measurability: a non-nodal target lesion needs a longest diameter of at least
10 mm (CT, MRI, calipers) or 20 mm (chest X-ray); a nodal target needs a short axis of at least
15 mm (10 to < 15 mm is pathological but non-target; below 10 mm it is normal). At most five
target lesions per subject and two per organ, all lymph nodes counting as one organ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["BASELINE_RULES", "evaluate_baseline_lesions"]

BASELINE_RULES = {
    "RECIST-B01": "non-nodal target lesion below 10 mm (CT/MRI/calipers): not measurable",
    "RECIST-B02": "non-nodal target lesion below 20 mm on chest X-ray: not measurable",
    "RECIST-B03": "nodal target lesion with short axis below 15 mm: not measurable (10-<15 mm is non-target)",
    "RECIST-B04": "more than 5 target lesions",
    "RECIST-B05": "more than 2 target lesions in one organ (all lymph nodes are one organ)",
    "RECIST-B06": "target lesion without a baseline measurement",
}


def _breach(frame: pd.DataFrame, rule: str, detail: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": frame["USUBJID"].to_numpy(),
            "LESIONID": frame["LESIONID"].to_numpy(),
            "RULE": rule,
            "MESSAGE": (BASELINE_RULES[rule] + detail).to_numpy(),
        }
    )


def evaluate_baseline_lesions(assessments: pd.DataFrame) -> pd.DataFrame:
    """Every breach of the baseline rules (an empty table when the baseline is valid).

    ``assessments`` is the lesion table of :func:`derive_timepoint_responses`; ``METHOD`` (e.g.
    ``CT SCAN``, ``CHEST X-RAY``) and ``LOCATION`` (organ) columns are used when present.
    """
    base = assessments.loc[assessments["BASELINE"].to_numpy(dtype=bool) & (assessments["CATEGORY"] == "TARGET")]
    base = base.groupby(["USUBJID", "LESIONID"], sort=False, as_index=False).agg(
        DIAMETER=("DIAMETER", lambda d: d.sum(min_count=1)),
        NODAL=("NODAL", "first"),
        METHOD=("METHOD", "first") if "METHOD" in base.columns else ("NODAL", lambda v: ""),
        LOCATION=("LOCATION", "first") if "LOCATION" in base.columns else ("LESIONID", "first"),
    )
    d = base["DIAMETER"]
    xray = base["METHOD"].astype(str).str.upper().str.contains("X-RAY|XRAY|X RAY", regex=True)
    nodal = base["NODAL"].to_numpy(dtype=bool)
    text = " (" + d.round(1).astype(str) + " mm)"
    parts = [
        _breach(base[d.isna()], "RECIST-B06", pd.Series("", index=base.index)[d.isna()]),
        _breach(base[~nodal & ~xray & (d < 10)], "RECIST-B01", text[~nodal & ~xray & (d < 10)]),
        _breach(base[~nodal & xray & (d < 20)], "RECIST-B02", text[~nodal & xray & (d < 20)]),
        _breach(base[nodal & (d < 15)], "RECIST-B03", text[nodal & (d < 15)]),
    ]
    counts = base.groupby("USUBJID", sort=False)["LESIONID"].transform("size")
    rank = base.groupby("USUBJID", sort=False).cumcount()
    over = (counts > 5) & (rank >= 5)
    parts.append(_breach(base[over], "RECIST-B04", " (" + counts[over].astype(str) + " targets)"))
    organ = np.where(nodal, "LYMPH NODE", base["LOCATION"].astype(str).str.upper())
    per_organ = base.assign(ORGAN=organ).groupby(["USUBJID", "ORGAN"], sort=False)
    crowded = (per_organ["LESIONID"].transform("size") > 2) & (per_organ.cumcount() >= 2)
    organs = pd.Series(organ, index=base.index, dtype=str)
    parts.append(_breach(base[crowded], "RECIST-B05", " (" + organs[crowded] + ")"))
    return pd.concat(parts, ignore_index=True)
