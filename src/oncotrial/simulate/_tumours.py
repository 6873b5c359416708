"""Tumour measurements of a virtual patient whose RECIST 1.1 time-point responses are the drawn truth.

Targets are the patient's screening lesions (at most two per organ, five in all: RECIST 1.1 section 3.3; the
rest are non-targets), with one non-target lesion besides. At each assessment the target diameters are the
baseline ones times a factor:

- a responder's factor falls linearly to ``1 + responder_change`` (0 for a complete response, with the
  non-targets then absent) at ``weeks_to_response`` and stays there until progression; diameters are rounded
  down, so the sum is at most the factor times the baseline sum (a PR is a fall of 30 % or more);
- a patient without response keeps a factor drawn from [0.85, 1.10] (stable disease: neither -30 % nor +20 %);
- at progression each diameter is the last one times 1.3 plus 3 mm (rounded up): the sum rises by at least
  20 % and 5 mm over the nadir (the last sum, the smallest so far); where that sum is under 20 mm (after a
  CR, say), or for a quarter of the progressions, a new lesion appears instead.

References
----------
Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST guideline (version 1.1).
Eur J Cancer 2009;45:228-247, sections 3.3 (targets) and 4.3 (time-point response).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["TumourPlan", "build_tumour_records", "plan_tumours", "to_tu_tr"]

MAX_TARGETS, MAX_PER_ORGAN = 5, 2
SD_FACTORS = (0.85, 1.10)


@dataclass(frozen=True)
class TumourPlan:
    """What the measurements must show: the baseline lesions and, per assessment day (days from the start of
    treatment), the factor of the target diameters, or progression."""

    targets: tuple[tuple[str, str, int], ...]  # code, location, baseline diameter (mm)
    non_targets: tuple[tuple[str, str], ...]  # code, location
    response_factor: float  # 1 + responder_change (0: complete response); 1 + the SD change for others
    response_day: float | None  # the day the responder's factor is reached (None: no response)
    progression_by_new_lesion: bool


def plan_tumours(
    lesions: Sequence[Mapping[str, Any]], *, change: float | None, response_day: float | None, rng: np.random.Generator
) -> TumourPlan:
    """The targets from the screening record's ``lesions``; ``change`` is the responder's (-1 for a CR), None
    for a patient without response (stable disease)."""
    targets: list[tuple[str, str, int]] = []
    non_targets: list[tuple[str, str]] = []
    per_organ: dict[str, int] = {}
    for lesion in lesions:
        site = str(lesion["site"])
        if len(targets) < MAX_TARGETS and per_organ.get(site, 0) < MAX_PER_ORGAN and lesion["size_mm"] >= 10:
            per_organ[site] = per_organ.get(site, 0) + 1
            targets.append((f"T{len(targets) + 1:02d}", site, round(lesion["size_mm"])))
        else:
            non_targets.append((f"NT{len(non_targets) + 1:02d}", site))
    non_targets.append((f"NT{len(non_targets) + 1:02d}", "bone"))
    factor = 1 + change if change is not None else float(rng.uniform(*SD_FACTORS))
    return TumourPlan(tuple(targets), tuple(non_targets), factor, response_day, bool(rng.random() < 0.25))


def _factor(plan: TumourPlan, day: float) -> float:
    if plan.response_day is None:
        return plan.response_factor
    reached = min(day / plan.response_day, 1.0)
    return 1 + (plan.response_factor - 1) * reached


def _sizes(plan: TumourPlan, day: float) -> list[int]:
    factor = _factor(plan, day)
    return [math.floor(size * factor + 1e-9) for _, _, size in plan.targets]


def _row(subject_id: str, visit: str, number: int, day: dt.date, lesion: str, **result: Any) -> dict[str, Any]:
    return {
        "subject_id": subject_id,
        "visit": visit,
        "visit_number": float(number),
        "lesion": lesion,
        "measured_on": day,
        **result,
    }


def _lesion(subject_id: str, code: str, kind: str, location: str, day: dt.date, visit: str) -> dict[str, Any]:
    return {
        "subject_id": subject_id,
        "code": code,
        "kind": kind,
        "location": location,
        "method": "CT",
        "identified_on": day,
        "visit": visit,
        "irradiated": False,
    }


def build_tumour_records(
    plan: TumourPlan,
    subject_id: str,
    *,
    baseline_on: dt.date,
    start: dt.date,
    assessment_days: Sequence[int],
    progression_at: int | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Lesion rows (TU shaped, for ``record_lesions``) and result rows (TR shaped, for ``record_measurements``):
    the baseline, then each assessment day (days from ``start``); ``progression_at`` (one of them) shows PD."""
    lesions = [_lesion(subject_id, c, "TARGET", loc, baseline_on, "BASELINE") for c, loc, _ in plan.targets]
    lesions += [_lesion(subject_id, c, "NON-TARGET", loc, baseline_on, "BASELINE") for c, loc in plan.non_targets]
    results = [
        _row(subject_id, "BASELINE", 0, baseline_on, c, test_code="DIAMETER", value=float(size), unit="mm")
        for c, _, size in plan.targets
    ]
    results += [
        _row(subject_id, "BASELINE", 0, baseline_on, c, test_code="TUMSTATE", status="PRESENT")
        for c, _ in plan.non_targets
    ]
    last = [size for _, _, size in plan.targets]
    for number, day in enumerate(assessment_days, start=1):
        when, visit = start + dt.timedelta(days=int(day)), f"WEEK {round(day / 7)}"
        sizes, state = _sizes(plan, day), "ABSENT" if _factor(plan, day) == 0 else "PRESENT"
        if day == progression_at:
            new = plan.progression_by_new_lesion or sum(last) < 20
            sizes = last if new else [math.ceil(size * 1.3) + 3 for size in last]
            if new:
                lesions.append(_lesion(subject_id, "NEW01", "NEW", "liver", when, visit))
                results.append(
                    _row(subject_id, visit, number, when, "NEW01", test_code="TUMSTATE", status="UNEQUIVOCAL")
                )
        results += [
            _row(subject_id, visit, number, when, code, test_code="DIAMETER", value=float(size), unit="mm")
            for (code, _, _), size in zip(plan.targets, sizes, strict=True)
        ]
        results += [
            _row(subject_id, visit, number, when, c, test_code="TUMSTATE", status=state) for c, _ in plan.non_targets
        ]
        last = sizes
    return lesions, results


def to_tu_tr(
    lesions: Sequence[Mapping[str, Any]], results: Sequence[Mapping[str, Any]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows as SDTM TU and TR, as :func:`oncotrial.recist.derive_lesion_assessments` reads them."""
    tu = pd.DataFrame(
        {
            "USUBJID": [row["subject_id"] for row in lesions],
            "TULNKID": [row["code"] for row in lesions],
            "TUSTRESC": [row["kind"] for row in lesions],
            "TULOC": [row["location"] for row in lesions],
            "TUMETHOD": [row["method"] for row in lesions],
            "VISIT": [row["visit"] for row in lesions],
            "TUDTC": [row["identified_on"].isoformat() for row in lesions],
        }
    )
    sized = [row["test_code"] == "DIAMETER" for row in results]
    tr = pd.DataFrame(
        {
            "USUBJID": [row["subject_id"] for row in results],
            "TRLNKID": [row["lesion"] for row in results],
            "TRTESTCD": [row["test_code"] for row in results],
            "TRSTRESC": [repr(row["value"]) if s else row["status"] for row, s in zip(results, sized, strict=True)],
            "TRSTRESU": [row.get("unit") if s else None for row, s in zip(results, sized, strict=True)],
            "VISIT": [row["visit"] for row in results],
            "TRDTC": [row["measured_on"].isoformat() for row in results],
        }
    )
    return tu, tr
