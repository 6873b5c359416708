"""Baseline lesion selection rules of RECIST 1.1 (section 3): measurability and target-lesion limits.

Each breach is one row: subject, lesion, the rule (a stable code) and a message for the
radiologist. Measurability: a non-nodal target lesion needs a longest diameter of at least
10 mm (CT, MRI, calipers) or 20 mm (chest X-ray); a nodal target needs a short axis of at least
15 mm (10 to < 15 mm is pathological but non-target; below 10 mm it is normal). At most five
target lesions per subject and two per organ, all lymph nodes counting as one organ.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from oncotrial._results import frame_records
from oncotrial.recist.rules import BaselineRules, load_baseline_rules
from oncotrial.recist.timepoint import as_flags

__all__ = ["BaselineBreach", "BaselineEvaluation", "evaluate_baseline_lesions"]

_COLUMNS = ("USUBJID", "LESIONID", "RULE", "MESSAGE")
_SHOWN = 20  # breaches listed by str(); the table has them all


@dataclass(frozen=True)
class BaselineBreach:
    """One breach of a baseline rule: the subject, the lesion, the rule id and the message."""

    subject_id: str
    lesion_id: str
    rule_id: str
    message: str


@dataclass(frozen=True)
class BaselineEvaluation:
    """Every breach of the RECIST 1.1 baseline rules (none when the baseline is valid)."""

    breaches: tuple[BaselineBreach, ...]
    rules_version: str

    @property
    def is_valid(self) -> bool:
        return not self.breaches

    def to_frame(self) -> pd.DataFrame:
        """One row per breach: USUBJID, LESIONID, RULE, MESSAGE."""
        rows = [(b.subject_id, b.lesion_id, b.rule_id, b.message) for b in self.breaches]
        return pd.DataFrame(rows, columns=list(_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        return {"rules_version": self.rules_version, "breaches": frame_records(self.to_frame())}

    def __str__(self) -> str:
        if not self.breaches:
            return f"Baseline: every target lesion meets the RECIST {self.rules_version} selection rules."
        lines = []
        for b in self.breaches[:_SHOWN]:
            text = f"Baseline: subject {b.subject_id}, lesion {b.lesion_id}: {b.message} [{b.rule_id}]"
            lines.extend(textwrap.wrap(text, width=80, subsequent_indent="  "))
        if len(self.breaches) > _SHOWN:
            lines.append(f"Baseline: {len(self.breaches) - _SHOWN} more breaches of the RECIST 1.1 selection rules.")
        return "\n".join(lines)


def _breach(frame: pd.DataFrame, rules: BaselineRules, rule: str, detail: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": frame["USUBJID"].to_numpy(),
            "LESIONID": frame["LESIONID"].to_numpy(),
            "RULE": rule,
            "MESSAGE": (rules.messages[rule] + detail).to_numpy(),
        }
    )


def evaluate_baseline_lesions(assessments: pd.DataFrame) -> BaselineEvaluation:
    """Every breach of the baseline rules (none when the baseline is valid); ``to_frame()`` is the table.

    ``assessments`` is the lesion table of :func:`derive_timepoint_responses` (``BASELINE`` and
    ``NODAL`` are yes/no flags: Y/N, true/false, 1/0); ``METHOD`` (e.g. ``CT SCAN``,
    ``CHEST X-RAY``) and ``LOCATION`` (organ) columns are used when present. The thresholds are the
    rows of ``rules/recist11_baseline.csv`` (:func:`~oncotrial.recist.load_baseline_rules`).
    """
    rules = load_baseline_rules()
    baseline = as_flags(assessments, "BASELINE")
    base = assessments.loc[baseline & (assessments["CATEGORY"] == "TARGET").to_numpy()]
    base = base.assign(NODAL=as_flags(base, "NODAL"))
    method = base["METHOD"] if "METHOD" in base.columns else ""
    grouped = base.assign(METHOD=method, DIAMETER=base["DIAMETER"].astype(float)).groupby(
        ["USUBJID", "LESIONID"], sort=False
    )
    # the fragments of a split lesion add up; min_count=1 keeps a lesion never measured missing (a built-in
    # aggregation: a Python lambda per lesion was the slow part of this function on large tables)
    diameters = grouped["DIAMETER"].sum(min_count=1)
    base = grouped.agg(
        NODAL=("NODAL", "first"),
        METHOD=("METHOD", "first"),
        LOCATION=("LOCATION", "first") if "LOCATION" in base.columns else ("LESIONID", "first"),
    )
    base = base.assign(DIAMETER=diameters).reset_index()
    d = base["DIAMETER"]
    xray = base["METHOD"].astype(str).str.upper().str.contains("X-RAY|XRAY|X RAY", regex=True)
    nodal = base["NODAL"].to_numpy(dtype=bool)  # read by as_flags above: real booleans
    text = " (" + d.round(1).astype(str) + " mm)"
    small = ~nodal & ~xray & (d < rules.non_nodal_min_mm)
    small_xray = ~nodal & xray & (d < rules.chest_xray_min_mm)
    small_node = nodal & (d < rules.nodal_min_short_axis_mm)
    parts = [
        _breach(base[d.isna()], rules, "RECIST-B06", pd.Series("", index=base.index)[d.isna()]),
        _breach(base[small], rules, "RECIST-B01", text[small]),
        _breach(base[small_xray], rules, "RECIST-B02", text[small_xray]),
        _breach(base[small_node], rules, "RECIST-B03", text[small_node]),
    ]
    counts = base.groupby("USUBJID", sort=False)["LESIONID"].transform("size")
    rank = base.groupby("USUBJID", sort=False).cumcount()
    over = (counts > rules.max_targets) & (rank >= rules.max_targets)
    parts.append(_breach(base[over], rules, "RECIST-B04", " (" + counts[over].astype(str) + " targets)"))
    organ = np.where(nodal, "LYMPH NODE", base["LOCATION"].astype(str).str.upper())
    per_organ = base.assign(ORGAN=organ).groupby(["USUBJID", "ORGAN"], sort=False)
    limit = rules.max_targets_per_organ
    crowded = (per_organ["LESIONID"].transform("size") > limit) & (per_organ.cumcount() >= limit)
    organs = pd.Series(organ, index=base.index, dtype=str)
    parts.append(_breach(base[crowded], rules, "RECIST-B05", " (" + organs[crowded] + ")"))
    table = pd.concat(parts, ignore_index=True)
    breaches = tuple(
        BaselineBreach(str(subject), str(lesion), str(rule), str(message))
        for subject, lesion, rule, message in table[list(_COLUMNS)].itertuples(index=False, name=None)
    )
    return BaselineEvaluation(breaches, rules.version)
