"""One call for a survival analysis table: Kaplan-Meier per group and overall, log-rank, Cox, follow-up."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from oncotrial.endpoints.compare import CoxResult, LogRankResult, compute_cox_regression, compute_logrank_test
from oncotrial.endpoints.km import (
    ConfType,
    KaplanMeierResult,
    QuantileEstimate,
    check_survival_data,
    compute_kaplan_meier,
    compute_median_followup,
)
from oncotrial.errors import DataError

__all__ = ["SurvivalSummary", "derive_survival_summary"]


@dataclass(frozen=True)
class SurvivalSummary:
    """Curves by group and overall, with the comparison and follow-up (the ``oncotrial km`` JSON)."""

    overall: KaplanMeierResult
    groups: dict[str, KaplanMeierResult]
    logrank: LogRankResult | None
    cox: CoxResult | None
    follow_up: QuantileEstimate
    landmarks: tuple[float, ...] = ()
    tau: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def _curve(self, name: str, km: KaplanMeierResult) -> dict[str, Any]:
        out = {"group": name, **km.to_dict()}
        rmean, se = km.restricted_mean(self.tau)
        out["rmean"] = {
            "estimate": rmean,
            "std_err": se,
            "tau": self.tau if self.tau is not None else float(km.table["time"].iloc[-1]),
        }
        if self.landmarks:
            at = km.survival_at(self.landmarks).replace({np.nan: None})
            out["landmarks"] = at.to_dict(orient="records")
        return out

    def to_dict(self) -> dict[str, Any]:
        """``{"all": {...}, "groups": [...], "logrank": {...}, "cox": {...}, "follow_up": {...}}``."""
        follow = self.follow_up
        return {
            "all": self._curve("all", self.overall),
            "groups": [self._curve(name, km) for name, km in self.groups.items()],
            "logrank": None if self.logrank is None else self.logrank.to_dict(),
            "cox": None if self.cox is None else self.cox.to_dict(),
            "follow_up": {"median": follow.estimate, "lower": follow.lower, "upper": follow.upper},
            "conf_type": self.overall.conf_type,
            "conf_level": self.overall.conf_level,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per curve: n, events, median and limits, restricted mean."""
        rows = []
        for name, km in [("all", self.overall), *self.groups.items()]:
            med = km.median
            rmean, se = km.restricted_mean(self.tau)
            rows.append(
                {"group": name, "n": km.n, "events": km.events, "median": med.estimate, "lower": med.lower,
                 "upper": med.upper, "rmean": rmean, "se_rmean": se}
            )  # fmt: skip
        return pd.DataFrame(rows)


def _column(data: pd.DataFrame, name: str | None) -> pd.Series | None:
    if name is None:
        return None
    if name not in data.columns:
        raise DataError(
            f"The data have no column '{name}'; columns: {', '.join(map(str, data.columns))}.",
            code="SURV-E030",
            field=name,
        )
    return data[name]


def _check_options(
    tau: float | None, rho: float, landmarks: Sequence[float], group_col: str | None, strata_col: str | None
) -> None:
    """Refuse a horizon, weight or landmark the estimates cannot use, and strata without groups."""
    if tau is not None and not (math.isfinite(tau) and tau > 0):
        raise DataError(
            f"tau (--tau) = {tau:g} must be a positive time: the restricted mean is the area under the curve from 0 to tau.",
            code="SURV-E033",
            field="tau",
        )
    if not (math.isfinite(rho) and rho >= 0):
        raise DataError(
            f"rho (--rho) = {rho:g} must be a finite number >= 0 (0 the log-rank test, 1 Peto-Peto).",
            code="SURV-E034",
            field="rho",
        )
    bad = [t for t in landmarks if not (math.isfinite(t) and t >= 0)]
    if bad:
        raise DataError(
            f"Landmark time(s) (--at) {', '.join(f'{t:g}' for t in bad)} must be finite times >= 0 (e.g. 365,730).",
            code="SURV-E035",
            field="landmarks",
        )
    if strata_col is not None and group_col is None:
        raise DataError(
            f"Strata ('{strata_col}') stratify the comparison of groups: give the group column (--group) as well.",
            code="SURV-E036",
            field=strata_col,
        )


def derive_survival_summary(
    data: pd.DataFrame,
    *,
    time_col: str,
    event_col: str,
    group_col: str | None = None,
    strata_col: str | None = None,
    conf_type: ConfType = "log",
    conf_level: float = 0.95,
    landmarks: Sequence[float] = (),
    tau: float | None = None,
    rho: float = 0.0,
    ties: str = "efron",
) -> SurvivalSummary:
    """Kaplan-Meier overall and by ``group_col``, log-rank (stratified by ``strata_col``), Cox on the
    group (treatment coded by the sorted group levels, the first as reference), reverse-KM follow-up.

    ``tau`` must be a positive time, ``rho`` finite and >= 0, the ``landmarks`` times >= 0, and
    ``strata_col`` needs ``group_col``. Restricted means use ``tau`` or, as ``print.survfit`` does for several curves, the last time
    observed in any group.
    """
    if ties not in ("efron", "breslow"):
        raise DataError(f"ties = '{ties}' must be efron or breslow.", code="SURV-E032", field="ties")
    _check_options(tau, rho, landmarks, group_col, strata_col)
    for column in (time_col, event_col):
        _column(data, column)  # present, or an error naming the column
    t, e = check_survival_data(data[time_col], data[event_col], time_name=time_col, event_name=event_col)
    if not e.any():
        raise DataError(
            f"Every subject is censored in '{event_col}': there is no event to estimate from.",
            code="SURV-E031",
            field=event_col,
        )
    overall = compute_kaplan_meier(t, e, conf_type=conf_type, conf_level=conf_level)
    follow = compute_median_followup(t, e, conf_type=conf_type, conf_level=conf_level)
    group = _column(data, group_col)
    if group is None:
        return SurvivalSummary(overall, {}, None, None, follow, tuple(landmarks), tau)
    strata = _column(data, strata_col)
    logrank = compute_logrank_test(t, e, group, strata=strata, rho=rho, group_name=str(group_col))
    codes, labels = pd.factorize(group, sort=True)
    groups = {
        str(label): compute_kaplan_meier(t[codes == i], e[codes == i], conf_type=conf_type, conf_level=conf_level)
        for i, label in enumerate(labels)
    }
    cox = None
    if len(labels) == 2:
        indicator = pd.DataFrame({f"{group_col}={labels[1]}": (codes == 1).astype(float)})
        cox = compute_cox_regression(
            t, e, indicator, ties="breslow" if ties == "breslow" else "efron", conf_level=conf_level
        )
    common_tau = tau if tau is not None else float(t.max())
    return SurvivalSummary(overall, groups, logrank, cox, follow, tuple(landmarks), common_tau)
