"""One call for a survival analysis table: Kaplan-Meier per group and overall, log-rank, Cox, follow-up."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from oncotrial._frames import check_columns
from oncotrial._results import fit_lines, format_frame, to_json_safe
from oncotrial.endpoints.adam import choose_time_to_event_columns, select_parameter
from oncotrial.endpoints.compare import CoxResult, LogRankResult, compute_cox_regression, compute_logrank_test
from oncotrial.endpoints.km import (
    ConfType,
    KaplanMeierResult,
    QuantileEstimate,
    check_time_to_event_columns,
    compute_kaplan_meier,
    compute_median_followup,
)
from oncotrial.endpoints.missing import filter_complete_cases
from oncotrial.errors import DataError, TrialWarning

__all__ = ["SurvivalSummary", "derive_survival_summary"]


@dataclass(frozen=True)
class SurvivalSummary:
    """Curves by group and overall, with the comparison and follow-up (the ``oncotrial km`` JSON)."""

    overall: KaplanMeierResult
    groups: Mapping[str, KaplanMeierResult]
    logrank: LogRankResult | None
    cox: CoxResult | None
    follow_up: QuantileEstimate
    landmarks: tuple[float, ...] = ()
    tau: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", MappingProxyType(dict(self.groups)))

    def _curves(self) -> list[tuple[str, KaplanMeierResult]]:
        return [("all", self.overall), *self.groups.items()]

    def _curve(self, name: str, km: KaplanMeierResult, include_table: bool) -> dict[str, Any]:
        out = {"group": name, **km.to_dict()} if include_table else {"group": name, "n": km.n, "events": km.events}
        out["median"] = km.median.to_dict()
        out["rmean"] = km.restricted_mean(self.tau).to_dict()
        if self.landmarks:
            out["landmarks"] = to_json_safe(km.survival_at(self.landmarks).to_dict(orient="records"))
        return out

    def to_dict(self, *, include_tables: bool = True) -> dict[str, Any]:
        """``{"all": {...}, "groups": [...], "logrank": {...}, "cox": {...}, "follow_up": {...}}``; each curve
        with its step table as columns (``KaplanMeierResult.to_dict``) unless ``include_tables`` is False."""
        follow = self.follow_up.to_dict()
        return {
            "all": self._curve("all", self.overall, include_tables),
            "groups": [self._curve(name, km, include_tables) for name, km in self.groups.items()],
            "logrank": None if self.logrank is None else self.logrank.to_dict(),
            "cox": None if self.cox is None else self.cox.to_dict(),
            "follow_up": {"median": follow["estimate"], "lower": follow["lower"], "upper": follow["upper"]},
            "conf_type": self.overall.conf_type,
            "conf_level": self.overall.conf_level,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per curve: n, events, median and limits, restricted mean."""
        rows = []
        for name, km in self._curves():
            med = km.median
            rmean = km.restricted_mean(self.tau)
            rows.append(
                {"group": name, "n": km.n, "events": km.events, "median": med.estimate, "lower": med.lower,
                 "upper": med.upper, "rmean": rmean.estimate, "se_rmean": rmean.std_err}
            )  # fmt: skip
        return pd.DataFrame(rows)

    def to_table(self) -> pd.DataFrame:
        """Every curve's step table, one below the other, with the curve's name first (``group``: all, then
        each group)."""
        frames = [km.to_frame().assign(group=name) for name, km in self._curves()]
        return pd.concat([f[["group", *f.columns.drop("group")]] for f in frames])

    def landmark_frame(self) -> pd.DataFrame:
        """Survival at each landmark time per curve: group, time, n_risk, surv, std_err, lower, upper."""
        frames = [km.survival_at(self.landmarks).assign(group=name) for name, km in self._curves()]
        frame = pd.concat(frames, ignore_index=True)
        return frame[["group", "time", "n_risk", "surv", "std_err", "lower", "upper"]]

    def __str__(self) -> str:
        level = f"{100 * self.overall.conf_level:g} %"
        curves = self.to_frame()[["group", "n", "events", "median", "lower", "upper", "rmean"]]
        spans = {"median": ".1f", "lower": ".1f", "upper": ".1f", "rmean": ".2f"}
        lines = [f"Kaplan-Meier ({self.overall.conf_type} intervals, {level})", format_frame(curves, formats=spans)]
        if self.landmarks:
            at = self.landmark_frame().drop(columns="std_err").rename(columns={"n_risk": "n at risk"})
            fractions = {"time": "g", "surv": ".4f", "lower": ".4f", "upper": ".4f"}
            lines += [f"Survival at landmark times ({level})", format_frame(at, formats=fractions)]
        lines.append(f"Median follow-up (reverse Kaplan-Meier): {self.follow_up}")
        if self.logrank is not None:
            lr = self.logrank
            lines.append(f"Log-rank (rho = {lr.rho:g}): chi-square {lr.chisq:.4f} on {lr.df} df, p = {lr.p:.4g}")
        if self.cox is not None:
            lines.append(_cox_line(self.cox))
        return fit_lines("\n".join(lines))


def _cox_line(cox: CoxResult) -> str:
    limits = (cox.hr[0], cox.lower[0], cox.upper[0])
    if all(math.isfinite(v) and v > 0 for v in limits):
        return f"Cox ({cox.ties}): HR {limits[0]:.4f} ({limits[1]:.4f}, {limits[2]:.4f}), p = {cox.p[0]:.4g}"
    return f"Cox ({cox.ties}): HR not estimable (the fit did not converge)"


def _column(data: pd.DataFrame, name: str | None) -> pd.Series | None:
    if name is None:
        return None
    check_columns(data, [name], name="data", code="SURV-E030")
    return data[name]


def _check_options(
    tau: float | None, rho: float, landmarks: Sequence[float], group_col: str | None, strata_col: str | None
) -> None:
    """Refuse a horizon, weight or landmark the estimates cannot use, and strata without groups."""
    if tau is not None and not (math.isfinite(tau) and tau > 0):
        raise DataError(
            f"tau = {tau:g} must be a positive time: the restricted mean is the area under the curve from 0 to tau.",
            code="SURV-E033",
            field="tau",
        )
    if not (math.isfinite(rho) and rho >= 0):
        raise DataError(
            f"rho = {rho:g} must be a finite number >= 0 (0 the log-rank test, 1 Peto-Peto).",
            code="SURV-E034",
            field="rho",
        )
    bad = [t for t in landmarks if not (math.isfinite(t) and t >= 0)]
    if bad:
        raise DataError(
            f"Landmark time(s) (landmarks) {', '.join(f'{t:g}' for t in bad)} must be finite times >= 0 "
            "(e.g. 365, 730).",
            code="SURV-E035",
            field="landmarks",
        )
    if strata_col is not None and group_col is None:
        raise DataError(
            f"Strata ('{strata_col}') stratify the comparison of groups: give the group column (group_col) as well.",
            code="SURV-E036",
            field="group_col",
        )


def derive_survival_summary(
    data: pd.DataFrame,
    *,
    param: str | None = None,
    time_col: str | None = None,
    event_col: str | None = None,
    censor_col: str | None = None,
    group_col: str | None = None,
    strata_col: str | None = None,
    conf_type: ConfType = "log",
    conf_level: float = 0.95,
    landmarks: Sequence[float] = (),
    tau: float | None = None,
    rho: float = 0.0,
    ties: str = "efron",
) -> SurvivalSummary:
    """Kaplan-Meier overall and by ``group_col`` (of the ``param`` rows of an ADTTE), log-rank (stratified by ``strata_col``), Cox on the
    group (treatment coded by the sorted group levels, the first as reference), reverse-KM follow-up.

    Events come from ``event_col`` (1 = event; 1/2 as R's ``Surv`` reads it) or from an ADTTE
    ``censor_col`` (CNSR, 1 = censored), one of the two; with no time column named, an ADTTE's AVAL and
    CNSR. ``param`` keeps the rows of that PARAMCD; a table of several parameters needs it. Rows missing a value in a column used are
    left out with a warning, as R's ``na.omit``. Without events the curves stay at 1, the medians are
    not reached and there is no comparison (a warning says so), as R's ``survfit`` gives them.

    ``tau`` must be a positive time, ``rho`` finite and >= 0, the ``landmarks`` times >= 0, and
    ``strata_col`` needs ``group_col``. Restricted means use ``tau`` or, as ``print.survfit`` does for several curves, the last time
    observed in any group.
    """
    if ties not in ("efron", "breslow"):
        raise DataError(f"ties = '{ties}' must be efron or breslow.", code="SURV-E032", field="ties")
    _check_options(tau, rho, landmarks, group_col, strata_col)
    time_col, event_col, censor_col = choose_time_to_event_columns(time_col, event_col, censor_col)
    data = select_parameter(data, param, many_code="SURV-E038", none_code="SURV-E047")
    used = [time_col, event_col, censor_col, group_col, strata_col]
    for column in used:
        _column(data, column)  # present, or an error naming the column
    data = filter_complete_cases(data, used)
    t, e = check_time_to_event_columns(data, time_col=time_col, event_col=event_col, censor_col=censor_col)
    # one sort by time serves every curve, the log-rank test and the Cox model (each skips its own sort)
    order = np.argsort(t, kind="stable")
    t, e, data = t[order], e[order], data.iloc[order]
    overall = compute_kaplan_meier(t, e, conf_type=conf_type, conf_level=conf_level)
    follow = compute_median_followup(t, e, conf_type=conf_type, conf_level=conf_level)
    group = _column(data, group_col)
    if group is None:
        return SurvivalSummary(overall, {}, None, None, follow, tuple(landmarks), tau)
    codes, labels = pd.factorize(group, sort=True)
    groups = {
        str(label): compute_kaplan_meier(t[codes == i], e[codes == i], conf_type=conf_type, conf_level=conf_level)
        for i, label in enumerate(labels)
    }
    common_tau = tau if tau is not None else float(t.max())
    if not e.any():
        warnings.warn(
            TrialWarning(
                f"No events in '{censor_col or event_col}': survival stays at 1 and no median is reached; there is "
                "no log-rank test or Cox model to report yet."
            ),
            stacklevel=2,
        )
        return SurvivalSummary(overall, groups, None, None, follow, tuple(landmarks), common_tau)
    strata = _column(data, strata_col)
    logrank = compute_logrank_test(t, e, group, strata=strata, rho=rho, group_name=str(group_col))
    cox = None
    if len(labels) == 2:
        indicator = pd.DataFrame({f"{group_col}={labels[1]}": (codes == 1).astype(float)})
        cox = compute_cox_regression(
            t, e, indicator, ties="breslow" if ties == "breslow" else "efron", conf_level=conf_level
        )
    return SurvivalSummary(overall, groups, logrank, cox, follow, tuple(landmarks), common_tau)
