"""RECIST 1.1 time-point response from lesion assessments: target, non-target, new lesions, overall.

Input: one row per lesion and assessment (the *assessments* table)

==========  ===================================================================================
USUBJID     subject
VISIT       assessment (time point); its date is the earliest ``ADT`` of its rows
ADT         scan date (datetime64)
BASELINE    True on the baseline assessment (exactly one per subject)
LESIONID    lesion identifier (the same at every assessment)
CATEGORY    TARGET, NON-TARGET or NEW
NODAL       True for a lymph node (measured by its short axis)
DIAMETER    target lesions: the RECIST diameter in mm (longest for non-nodal lesions, short axis for
            nodes); 0 when it disappeared, 5 when "too small to measure"; NaN when not evaluated.
            Fragments of a split lesion are separate rows (they are added); a lesion merged into
            another is recorded 0.
STATE       non-target: PRESENT, ABSENT, UNEQUIVOCAL (progression) or NE;
            new lesions: EQUIVOCAL or UNEQUIVOCAL
==========  ===================================================================================

Rules (RECIST 1.1, Eisenhauer et al. 2009, section 4.3):

* target: PD if the sum of diameters is at least 20 % and 5 mm above the nadir (the smallest sum
  at an earlier complete assessment, baseline included), even when some lesions were not measured
  (their sum can only be larger); otherwise NE if a target lesion was not measured; CR if every
  non-nodal target is gone (0) and every nodal target is below 10 mm; PR if the sum is at least
  30 % below baseline; otherwise SD.
* non-target: PD on unequivocal progression; NE if a baseline non-target lesion was not assessed;
  CR if all are absent; otherwise NON-CR/NON-PD; NA when there is no non-target disease.
* new lesions: YES if unequivocal, or equivocal at this assessment and unequivocal (the same
  lesion) later — progression is then dated to the first scan showing it.
* overall: the RECIST 1.1 table (``rules/recist11_overall_response.csv``), row id in ``RULE_ID``.

Every step is vectorised over all subjects and assessments (bincounts, grouped cumulative minima).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncotrial._frames import check_columns, read_flags
from oncotrial.errors import DataError, InconsistentDataError
from oncotrial.recist._errors import lesion_error
from oncotrial.recist.rules import (
    NEW_LESION_CODES,
    NON_TARGET_CODES,
    OVERALL_CODES,
    TARGET_CODES,
    NewLesions,
    NonTargetResponse,
    TargetResponse,
    load_baseline_rules,
    load_overall_response_table,
)

__all__ = ["TARGET_RULES", "TargetRule", "derive_timepoint_responses"]

REQUIRED = ("USUBJID", "VISIT", "ADT", "BASELINE", "LESIONID", "CATEGORY", "NODAL", "DIAMETER", "STATE")
_EPS = 1e-9  # tolerance for the percentage thresholds on sums given to 0.1 mm


class TargetRule(IntEnum):
    """How the target response was reached (audit), one per time point; its text is in TARGET_RULES."""

    BASELINE = 0
    CR = 1
    PR = 2
    SD = 3
    PD = 4
    PD_PARTIAL = 5
    NE = 6
    NA = 7

    @property
    def response(self) -> TargetResponse | None:
        """The target response this rule gives (None at baseline)."""
        return None if self is TargetRule.BASELINE else TargetResponse[self.name.removesuffix("_PARTIAL")]


TARGET_RULES = (
    "baseline",
    "CR: every non-nodal target gone and every node < 10 mm",
    "PR: sum at least 30 % below baseline",
    "SD: neither PR nor PD",
    "PD: sum at least 20 % and 5 mm above the nadir",
    "PD: measured lesions alone are 20 % and 5 mm above the nadir (others not measured)",
    "NE: target lesion(s) not measured",
    "NA: no target disease",
)
# The target response of each rule (-1: baseline, no response), indexed by TargetRule.
_RULE_RESPONSE = np.array([-1 if (r := rule.response) is None else int(r) for rule in TargetRule], dtype=np.int64)


@dataclass(frozen=True)
class _TimePoints:
    """One row per (subject, visit), sorted by subject and date; ``row_tp`` maps input rows to them."""

    frame: pd.DataFrame
    row_tp: NDArray[np.int64]
    subject: NDArray[np.int64]


def _check(assessments: pd.DataFrame) -> None:
    check_columns(assessments, REQUIRED, name="lesion assessments", code="RECIST-E001")
    bad = ~assessments["CATEGORY"].isin(["TARGET", "NON-TARGET", "NEW"])
    if bad.any():
        raise lesion_error(assessments[bad], "category '{CATEGORY}' is not TARGET, NON-TARGET or NEW.", "RECIST-E002")


def as_flags(table: pd.DataFrame, column: str, name: str = "lesion assessments") -> NDArray[np.bool_]:
    """A yes/no ``column`` of the ``name`` table as booleans (:func:`oncotrial._frames.read_flags`)."""
    return read_flags(table[column], column=column, name=name, code="RECIST-E005")


def _prepare(assessments: pd.DataFrame) -> pd.DataFrame:
    """Reset the index, read the flags as booleans, refuse empty tables and scans without a date."""
    if assessments.empty:
        raise DataError("There are no lesion assessments to evaluate.", code="RECIST-E006", field="assessments")
    a = assessments.reset_index(drop=True)
    a["BASELINE"] = as_flags(a, "BASELINE")
    a["NODAL"] = as_flags(a, "NODAL")
    undated = a["ADT"].isna().to_numpy()
    if undated.any():
        raise lesion_error(a.loc[undated], "the scan has no date. Give the date of every assessment.", "RECIST-E007")
    return a


def _time_points(a: pd.DataFrame) -> _TimePoints:
    # One integer key per (subject, visit): factorizing integers is far faster than tuples.
    subj_codes, subjects = pd.factorize(a["USUBJID"], sort=False)
    visit_codes, visits = pd.factorize(a["VISIT"], sort=False)
    key = subj_codes.astype(np.int64) * max(len(visits), 1) + visit_codes
    tp_codes, uniques = pd.factorize(key, sort=False)
    frame = pd.DataFrame(
        {
            "USUBJID": subjects.take(uniques // max(len(visits), 1)),
            "VISIT": visits.take(uniques % max(len(visits), 1)),
            "ADT": pd.Series(a["ADT"].to_numpy()).groupby(tp_codes).min().to_numpy(),
            "BASELINE": pd.Series(a["BASELINE"].to_numpy(dtype=bool)).groupby(tp_codes).max().to_numpy(),
        }
    )
    order = frame.sort_values(["USUBJID", "BASELINE", "ADT"], ascending=[True, False, True], kind="stable").index
    rank = np.empty(len(frame), dtype=np.int64)
    rank[order.to_numpy()] = np.arange(len(frame))
    frame = frame.loc[order].reset_index(drop=True)
    subject = pd.factorize(frame["USUBJID"], sort=False)[0].astype(np.int64)
    return _TimePoints(frame, rank[tp_codes], subject)


def _check_baselines(tps: _TimePoints) -> None:
    counts = np.bincount(
        tps.subject, weights=tps.frame["BASELINE"].to_numpy(dtype=float), minlength=tps.subject.max() + 1
    )
    for problem, mask in (("no baseline assessment", counts == 0), ("two or more baseline assessments", counts > 1)):
        if mask.any():
            subject = tps.frame["USUBJID"].to_numpy()[np.searchsorted(tps.subject, np.nonzero(mask)[0][0])]
            visits = tps.frame.loc[(tps.frame["USUBJID"] == subject) & tps.frame["BASELINE"], "VISIT"].tolist()
            raise InconsistentDataError(
                f"Subject {subject} has {problem}{' (' + ', '.join(map(str, visits)) + ')' if visits else ''}: "
                f"mark exactly one assessment as baseline.",
                code="RECIST-E003",
                subject_id=subject,
            )


def _check_follow_up_lesions(a: pd.DataFrame, baseline_row: NDArray[np.bool_]) -> None:
    """Target and non-target lesions at follow-up must have been identified at baseline."""
    known = a.loc[baseline_row & a["CATEGORY"].isin(["TARGET", "NON-TARGET"]).to_numpy(), ["USUBJID", "LESIONID"]]
    later = a.loc[
        ~baseline_row & a["CATEGORY"].isin(["TARGET", "NON-TARGET"]).to_numpy(), ["USUBJID", "LESIONID", "VISIT"]
    ]
    merged = later.merge(known.drop_duplicates(), on=["USUBJID", "LESIONID"], how="left", indicator=True)
    stray = merged[merged["_merge"] == "left_only"]
    if len(stray):
        raise lesion_error(
            stray,
            "the lesion is assessed but was not identified at baseline. Record it as a NEW lesion or add it to the "
            "baseline assessment.",
            "RECIST-E004",
            error=InconsistentDataError,
        )


def _upper(values: pd.Series, missing: str) -> NDArray[np.object_]:
    """Upper-case text per row, computed once per distinct value (fast on long columns)."""
    codes, uniques = pd.factorize(values, sort=False)
    labels = np.array([str(u).strip().upper() for u in uniques] + [missing], dtype=object)
    return labels[np.where(codes < 0, len(uniques), codes)]


def _count(
    tp: NDArray[np.int64], mask: NDArray[np.bool_], n: int, weights: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    w = mask.astype(np.float64) if weights is None else np.where(mask, weights, 0.0)
    return np.bincount(tp, weights=w, minlength=n).astype(np.float64)


def _measured_at_baseline(a: pd.DataFrame, tps: _TimePoints, rows: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Which of the ``rows`` belong to a lesion measured at its subject's baseline."""
    lesion, labels = pd.factorize(a["LESIONID"], sort=False)
    subject = tps.subject[tps.row_tp]
    key = subject * max(len(labels), 1) + lesion
    base = tps.frame["BASELINE"].to_numpy(dtype=bool)[tps.row_tp]
    known = key[rows & base & ~np.isnan(a["DIAMETER"].to_numpy(dtype=float))]
    size = (int(subject.max()) + 1) * max(len(labels), 1) if len(subject) else 0
    if size <= 50_000_000:  # a lookup table is linear; np.isin sorts
        table = np.zeros(size, dtype=bool)
        table[known] = True
        found: NDArray[np.bool_] = table[key]
    else:
        found = np.isin(key, known)
    return rows & found


def _target(a: pd.DataFrame, tps: _TimePoints) -> pd.DataFrame:
    n = len(tps.frame)
    # A target lesion not measured at baseline cannot enter the sums (the baseline check reports it).
    is_t = _measured_at_baseline(a, tps, (a["CATEGORY"] == "TARGET").to_numpy())
    d = a["DIAMETER"].to_numpy(dtype=float)
    nodal = a["NODAL"].to_numpy(dtype=bool)
    tp = tps.row_tp
    measured = is_t & ~np.isnan(d)
    total = _count(tp, measured, n, d)
    # lesions measured: count distinct lesions (fragments of a split lesion are one lesion)
    lesion_tp = pd.DataFrame({"tp": tp[is_t], "lesion": a["LESIONID"].to_numpy()[is_t], "m": measured[is_t]})
    per_lesion = lesion_tp.groupby(["tp", "lesion"], sort=False)["m"].all()
    n_meas = np.bincount(
        per_lesion.index.get_level_values(0).to_numpy(), weights=per_lesion.to_numpy(float), minlength=n
    )
    nonnodal_left = _count(tp, measured & ~nodal & (d > 0), n)
    nodes_big = _count(tp, measured & nodal & (d >= load_baseline_rules().node_normal_below_mm), n)
    base = tps.frame["BASELINE"].to_numpy(dtype=bool)
    per_subject = np.bincount(tps.subject, weights=np.where(base, n_meas, 0.0), minlength=tps.subject.max() + 1)
    n_base: NDArray[np.float64] = per_subject[tps.subject].astype(np.float64)
    complete = n_meas >= n_base
    return _classify_target(tps, total, complete, nonnodal_left == 0, nodes_big == 0, n_base)


def _prior_nadir(tps: _TimePoints, total: NDArray[np.float64], complete: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Smallest complete sum at an earlier assessment of the same subject (baseline included)."""
    usable = pd.Series(np.where(complete, total, np.inf))
    running = usable.groupby(tps.subject, sort=False).cummin()
    prior = running.groupby(tps.subject, sort=False).shift(1)
    return np.asarray(prior.to_numpy(dtype=float, na_value=np.nan), dtype=np.float64)


def _classify_target(
    tps: _TimePoints,
    total: NDArray[np.float64],
    complete: NDArray[np.bool_],
    nonnodal_gone: NDArray[np.bool_],
    nodes_small: NDArray[np.bool_],
    n_base: NDArray[np.float64],
) -> pd.DataFrame:
    base = tps.frame["BASELINE"].to_numpy(dtype=bool)
    base_sum = np.bincount(tps.subject, weights=np.where(base, total, 0.0), minlength=tps.subject.max() + 1)[
        tps.subject
    ]
    nadir = _prior_nadir(tps, total, complete)
    rise = (5 * total >= 6 * nadir - _EPS) & (total - nadir >= 5 - _EPS)  # +20 % and +5 mm over the nadir
    fall = 10 * total <= 7 * base_sum + _EPS  # -30 % from baseline
    decisions = [
        (base, TargetRule.BASELINE),
        (n_base == 0, TargetRule.NA),
        (rise & complete, TargetRule.PD),
        (rise, TargetRule.PD_PARTIAL),
        (~complete, TargetRule.NE),
        (nonnodal_gone & nodes_small, TargetRule.CR),
        (fall, TargetRule.PR),
    ]
    rule = np.select([c for c, _ in decisions], [int(r) for _, r in decisions], default=int(TargetRule.SD))
    response = _RULE_RESPONSE[rule]  # a TargetResponse (-1: baseline)
    with np.errstate(divide="ignore", invalid="ignore"):
        pchg = np.where(complete & (base_sum > 0), 100.0 * (total - base_sum) / base_sum, np.nan)
    return pd.DataFrame(
        {
            "SOD": np.where(n_base > 0, total, np.nan),
            "SOD_BASELINE": np.where(n_base > 0, base_sum, np.nan),
            "NADIR": np.where(n_base > 0, nadir, np.nan),
            "PCHG": pchg,
            "TARGET_CODE": response,
            "TARGET_RULE_CODE": rule,
        }
    )


def _non_target(a: pd.DataFrame, tps: _TimePoints) -> NDArray[np.int64]:
    n = len(tps.frame)
    is_nt = (a["CATEGORY"] == "NON-TARGET").to_numpy()
    state = _upper(a["STATE"], "NE")
    # one state per lesion and time point (rows may repeat): the worst, UNEQUIVOCAL > PRESENT > ABSENT > NE
    rank = np.select([state == "UNEQUIVOCAL", state == "PRESENT", state == "ABSENT"], [3, 2, 1], default=0)
    lesion, labels = pd.factorize(a["LESIONID"], sort=False)
    key = tps.row_tp[is_nt] * max(len(labels), 1) + lesion[is_nt]
    worst = pd.Series(rank[is_nt]).groupby(key, sort=False).max()
    tp = (worst.index.to_numpy() // max(len(labels), 1)).astype(np.int64)
    ranks = worst.to_numpy()
    every = np.ones(len(ranks), dtype=bool)
    unequivocal = _count(tp, ranks == 3, n)
    absent = _count(tp, ranks == 1, n)
    known = _count(tp, ranks >= 1, n)
    base = tps.frame["BASELINE"].to_numpy(dtype=bool)
    in_base = _count(tp, every, n)
    n_base = np.bincount(tps.subject, weights=np.where(base, in_base, 0.0), minlength=tps.subject.max() + 1)[
        tps.subject
    ]
    codes = np.select(
        [n_base == 0, unequivocal > 0, known < n_base, absent >= n_base],
        [NonTargetResponse.NA, NonTargetResponse.PD, NonTargetResponse.NE, NonTargetResponse.CR],
        default=NonTargetResponse.NON_CR_NON_PD,
    )
    return np.asarray(codes, dtype=np.int64)


def _new_lesions(a: pd.DataFrame, tps: _TimePoints) -> NDArray[np.int64]:
    """1 where an unequivocal new lesion is seen, or an equivocal one later proves unequivocal."""
    n = len(tps.frame)
    is_new = (a["CATEGORY"] == "NEW").to_numpy()
    if not is_new.any():
        return np.full(n, NewLesions.NO, dtype=np.int64)
    new = pd.DataFrame(
        {
            "subject": a["USUBJID"].to_numpy()[is_new],
            "lesion": a["LESIONID"].to_numpy()[is_new],
            "tp": tps.row_tp[is_new],
            "state": _upper(a["STATE"], "UNEQUIVOCAL")[is_new],
        }
    )
    sure = new["state"] != "EQUIVOCAL"
    first_sure = new[sure].groupby(["subject", "lesion"])["tp"].min().rename("first_sure")
    new = new.join(first_sure, on=["subject", "lesion"])
    confirmed = sure | (new["first_sure"].notna() & (new["tp"] <= new["first_sure"]))
    seen = np.bincount(new["tp"].to_numpy(), weights=confirmed.to_numpy(float), minlength=n) > 0
    return np.where(seen, NewLesions.YES, NewLesions.NO).astype(np.int64)


def derive_timepoint_responses(assessments: pd.DataFrame) -> pd.DataFrame:
    """Target, non-target, new-lesion and overall response at every assessment of every subject.

    Returns one row per subject and visit, sorted by subject and date (baseline first), with
    ``USUBJID, VISIT, ADT, BASELINE, SOD, SOD_BASELINE, NADIR, PCHG, TARGET, TARGET_RULE,
    NON_TARGET, NEW_LESIONS, OVERALL, RULE_ID`` (responses are empty at baseline). ``SOD`` is the
    sum of the diameters measured (partial when a target lesion was not measured), ``NADIR`` the
    smallest complete sum before, ``PCHG`` the % change from baseline (complete sums only).

    Raises
    ------
    InconsistentDataError
        A subject with no or two baselines; a target or non-target lesion assessed at follow-up
        but not identified at baseline (each message names subject, visit and lesion).
    """
    _check(assessments)
    a = _prepare(assessments)
    tps = _time_points(a)
    _check_baselines(tps)
    _check_follow_up_lesions(a, tps.frame["BASELINE"].to_numpy(dtype=bool)[tps.row_tp])
    target = _target(a, tps)
    non_target = _non_target(a, tps)
    new = _new_lesions(a, tps)
    base = tps.frame["BASELINE"].to_numpy(dtype=bool)
    table = load_overall_response_table()
    t_code = np.where(target["TARGET_CODE"].to_numpy() < 0, TargetResponse.NA, target["TARGET_CODE"].to_numpy())
    looked_up = table.evaluate(t_code, non_target, new)
    overall, row = looked_up.overall, looked_up.rule_row
    result = tps.frame.copy()
    result[["SOD", "SOD_BASELINE", "NADIR", "PCHG"]] = target[["SOD", "SOD_BASELINE", "NADIR", "PCHG"]].to_numpy()
    result["TARGET"] = _labels(np.where(base, -1, target["TARGET_CODE"].to_numpy()), TARGET_CODES)
    result["TARGET_RULE"] = _labels(target["TARGET_RULE_CODE"].to_numpy(), TARGET_RULES)
    result["NON_TARGET"] = _labels(np.where(base, -1, non_target), NON_TARGET_CODES)
    result["NEW_LESIONS"] = _labels(np.where(base, -1, new), NEW_LESION_CODES)
    result["OVERALL"] = _labels(np.where(base, -1, overall), OVERALL_CODES)
    result["RULE_ID"] = _labels(np.where(base, -1, row), tuple(table.rows["rule_id"]))
    return result


def _labels(codes: NDArray[np.int64], labels: tuple[str, ...]) -> pd.Categorical[str]:
    """Categorical labels from codes; -1 gives a missing value."""
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=pd.Index(list(labels)))
