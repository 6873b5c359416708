"""Kaplan-Meier estimation with R's intervals, quantiles, landmarks, restricted mean and follow-up.

Written here rather than taken from lifelines or statsmodels because it must give R survival's
numbers (``survfit`` and ``print.survfit``) exactly, with its three interval types, and stay
vectorised for a million subjects (see NOTES.md: lifelines' median interval differs from R's and it
has a single interval type; statsmodels offers log-log only).

* The table has a row at every distinct time (events and censorings), as
  ``summary(survfit(...), censored = TRUE)``: ``n_risk``, ``n_event``, ``n_censor``, ``surv``,
  ``std_err`` (Greenwood standard error of S), ``std_err_cumhaz`` (``sqrt(sum d / (n (n - d)))``,
  survfit's ``std.err``), ``lower``, ``upper``.
* Intervals: ``log`` (R's default) ``S exp(+-z se)``; ``log-log`` (SAS's default)
  ``S^exp(+-z se / log S)``; ``plain`` ``S +- z S se``, clipped to [0, 1]. None where S is 0
  (and, for log-log, where S is 1).
* Quantiles as ``quantile.survfit``: the first time the curve is at or below 1 - p; where it is
  exactly 1 - p over an interval, the midpoint of that interval (to the last time when the curve
  ends flat there — ``print.survfit`` shows the start of the interval in that one case); the limits
  from the upper and lower curves the same way.
* Restricted mean as ``print.survfit``: the area under the curve up to the last observed time, with
  ``sqrt(sum A_j^2 d_j / (n_j (n_j - d_j)))`` as standard error, ``A_j`` the area beyond event ``j``.

References
----------
Kaplan EL, Meier P. JASA 1958;53:457-481. Greenwood M. Reports on Public Health 1926;33.
Brookmeyer R, Crowley J. A confidence interval for the median survival time. Biometrics 1982;38:29-41.
Therneau TM. survival: Survival Analysis, R package 3.5 (``survfit``, ``print.survfit``, ``quantile.survfit``).
Schemper M, Smith TL. A note on quantifying follow-up in studies of failure time. Control Clin Trials
1996;17:343-346 (reverse Kaplan-Meier).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import norm

from oncotrial._results import fit_lines, format_number, readonly, to_json_safe
from oncotrial.endpoints.missing import compute_row_numbers
from oncotrial.errors import DataError, TrialWarning

__all__ = [
    "ConfType",
    "KaplanMeierResult",
    "QuantileEstimate",
    "RestrictedMean",
    "check_survival_data",
    "check_time_to_event_columns",
    "compute_distinct_times",
    "compute_kaplan_meier",
    "compute_median_followup",
]

ConfType = Literal["log", "log-log", "plain"]
FloatArray = NDArray[np.float64]
_TOL = float(np.sqrt(np.finfo(float).eps))  # survival's tolerance for "exactly at p"


@dataclass(frozen=True)
class QuantileEstimate:
    """A survival-time quantile and its confidence limits (None where the curve does not reach them)."""

    estimate: float | None
    lower: float | None
    upper: float | None

    def to_dict(self) -> dict[str, float | None]:
        """``{"estimate", "lower", "upper"}`` (None where not reached)."""
        return {
            "estimate": to_json_safe(self.estimate),
            "lower": to_json_safe(self.lower),
            "upper": to_json_safe(self.upper),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row: estimate, lower, upper."""
        return pd.DataFrame([self.to_dict()], columns=["estimate", "lower", "upper"])

    def __str__(self) -> str:
        return f"{format_number(self.estimate)} ({format_number(self.lower)} to {format_number(self.upper)})"


_EVENT_LABELS = {
    "1": True,
    "0": False,
    "1.0": True,
    "0.0": False,
    "true": True,
    "false": False,
    "event": True,
    "censored": False,
}


def _event_flags(event: pd.Series, name: str) -> tuple[NDArray[np.bool_], NDArray[np.intp]]:
    """Events as booleans and the rows that cannot be read; a 1/2 coding is read as R's ``Surv`` reads it."""
    # each distinct value is read once (the check runs on every call; at 1M rows a per-row map costs 0.5 s)
    codes, uniques = pd.factorize(event)
    labels = [str(u).strip().lower() for u in uniques]
    if set(labels) <= {"1", "2", "1.0", "2.0"} and any(label.startswith("2") for label in labels):
        # Surv(time, status): "if max(status) == 2, status - 1", i.e. 1 = censored, 2 = event
        warnings.warn(
            TrialWarning(f"Column '{name}' is coded 1/2: read as R's Surv reads it, 1 = censored and 2 = event."),
            stacklevel=3,
        )
        read: list[bool | None] = [label.startswith("2") for label in labels]
    else:
        read = [_EVENT_LABELS.get(label) for label in labels]
    known = np.array([v is not None for v in read] + [False])  # the last slot: a missing value (code -1)
    flags = np.array([bool(v) for v in read] + [False])
    codes = np.where(codes < 0, len(uniques), codes)
    return flags[codes], np.nonzero(~known[codes])[0]


def check_survival_data(
    time: Any,
    event: Any,
    *,
    time_name: str = "time",
    event_name: str = "event",
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Times as floats and events as booleans; a clear error naming the column and rows otherwise.

    Events may be 0/1, True/False, the labels ``event``/``censored`` (any case), or 1/2 as R's ``Surv``
    reads a status whose largest value is 2 (1 = censored, 2 = event; a ``TrialWarning`` says so).
    """
    if len(time) != len(event):
        raise DataError(
            f"'{time_name}' and '{event_name}' must have one value per subject; got {len(time)} and {len(event)}.",
            code="SURV-E006",
            field=event_name,
        )
    t = pd.to_numeric(pd.Series(time), errors="coerce").to_numpy(dtype=float)
    bad = np.nonzero(~np.isfinite(t) | (t < 0))[0]
    if bad.size:
        rows = compute_row_numbers(time, bad[:100])
        raise DataError(
            f"Column '{time_name}' has missing, non-numeric or negative times at row(s) "
            f"{', '.join(map(str, rows[:10]))}{' ...' if bad.size > 10 else ''}; times must be numbers >= 0.",
            code="SURV-E001",
            field=time_name,
            rows=rows,
        )
    e = pd.Series(event)
    flags, bad = _event_flags(e, event_name)
    if bad.size:
        rows = compute_row_numbers(event, bad[:100])
        raise DataError(
            f"Column '{event_name}' must be 0/1 (or True/False, event/censored, or 1/2 as R's Surv reads it, "
            f"2 = event); row(s) {', '.join(map(str, rows[:10]))} hold "
            f"{', '.join(sorted(set(e.iloc[bad[:10]].astype(str))))}.",
            code="SURV-E002",
            field=event_name,
            rows=rows,
        )
    if len(t) == 0:
        raise DataError("There are no subjects to analyse.", code="SURV-E003", field=time_name)
    return t, flags


def _censor_flags(values: pd.Series, name: str) -> NDArray[np.bool_]:
    """An ADTTE CNSR column (0 = event, 1 = censored) as censoring flags; other values name their rows."""
    codes, uniques = pd.factorize(values)  # each distinct value read once
    labels = [str(u).strip() for u in uniques] + [""]  # the last slot: a missing value (code -1)
    codes = np.where(codes < 0, len(uniques), codes)
    known = np.array([label in ("0", "1", "0.0", "1.0") for label in labels])
    bad = np.nonzero(~known[codes])[0]
    if bad.size:
        rows = ", ".join(map(str, compute_row_numbers(values, bad[:10])))
        raise DataError(
            f"Column '{name}' must be 0/1 (1 = censored); row(s) {rows} are not.", code="SURV-E039", field=name
        )
    return np.array([label.startswith("1") for label in labels])[codes]


def check_time_to_event_columns(
    data: pd.DataFrame, *, time_col: str, event_col: str | None = None, censor_col: str | None = None
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Times and event flags from a table: ``event_col`` (as :func:`check_survival_data` reads it) or an
    ADTTE ``censor_col`` (CNSR: 0 = event, 1 = censored), exactly one of the two."""
    if (event_col is None) == (censor_col is None):
        raise DataError(
            "Give either the event column (1 = event) or the censoring column (CNSR, 1 = censored).",
            code="SURV-E040",
            field="event_col",
        )
    if censor_col is None:
        assert event_col is not None  # one of the two, checked above
        return check_survival_data(data[time_col], data[event_col], time_name=time_col, event_name=event_col)
    t, _ = check_survival_data(data[time_col], np.zeros(len(data)), time_name=time_col)
    return t, ~_censor_flags(data[censor_col], censor_col)


def _interval(surv: FloatArray, se: FloatArray, conf_type: ConfType, z: float) -> tuple[FloatArray, FloatArray]:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "log":
            lower = surv * np.exp(-z * se)
            upper = np.minimum(1.0, surv * np.exp(z * se))
            undefined = surv == 0
        elif conf_type == "log-log":
            x = np.where((surv == 0) | (surv == 1), np.nan, surv)
            a = np.exp(-np.exp(np.log(-np.log(x)) + z * se / np.log(x)))
            b = np.exp(-np.exp(np.log(-np.log(x)) - z * se / np.log(x)))
            lower, upper = np.minimum(a, b), np.maximum(a, b)
            undefined = np.isnan(x)
        elif conf_type == "plain":
            half = z * surv * se
            lower = np.maximum(0.0, surv - half)
            upper = np.minimum(1.0, surv + half)
            undefined = surv == 0
        else:
            raise DataError(
                f"conf_type '{conf_type}' is not log, log-log or plain.", code="SURV-E004", field="conf_type"
            )
        undefined = undefined | ~np.isfinite(se)
    return np.where(undefined, np.nan, lower), np.where(undefined, np.nan, upper)


def _find_time(times: FloatArray, curve: FloatArray, level: float) -> float | None:
    """quantile.survfit's rule: first time the curve is <= level; the midpoint where it sits at level."""
    ok = ~np.isnan(curve)
    t, y = times[ok], curve[ok]
    at_or_below = np.nonzero(y <= level + _TOL)[0]
    if at_or_below.size == 0:
        return None
    i = at_or_below[0]
    if abs(y[i] - level) < _TOL:
        below = np.nonzero(y < level - _TOL)[0]
        # flat exactly at the level: the midpoint of the flat stretch (to the last time if it never drops)
        return float((t[i] + (t[below[0]] if below.size else t[-1])) / 2)
    return float(t[i])


_STEP_COLUMNS = ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "std_err_cumhaz", "lower", "upper")


@dataclass(frozen=True)
class RestrictedMean:
    """Restricted mean survival time up to ``tau``: the area under the curve, with its standard error."""

    estimate: float
    std_err: float
    tau: float

    def to_frame(self) -> pd.DataFrame:
        """One row: estimate, std_err, tau."""
        return pd.DataFrame([self.to_dict()], columns=["estimate", "std_err", "tau"])

    def to_dict(self) -> dict[str, float | None]:
        """``{"estimate", "std_err", "tau"}`` (None where undefined)."""
        return {
            "estimate": to_json_safe(self.estimate),
            "std_err": to_json_safe(self.std_err),
            "tau": to_json_safe(self.tau),
        }

    def __str__(self) -> str:
        return f"Restricted mean up to {self.tau:g}: {format_number(self.estimate)} (standard error {format_number(self.std_err)})"


@dataclass(frozen=True, eq=False)
class KaplanMeierResult:
    """A Kaplan-Meier curve: the table at every distinct time and the summaries R prints.

    The table's columns (``steps``) are read-only arrays; :meth:`to_frame` (or ``table``) gives a copy.
    """

    steps: Mapping[str, NDArray[Any]]
    n: int
    events: int
    conf_type: ConfType
    conf_level: float

    def __post_init__(self) -> None:
        steps = {name: readonly(self.steps[name]) for name in _STEP_COLUMNS}
        object.__setattr__(self, "steps", MappingProxyType(steps))

    def to_frame(self) -> pd.DataFrame:
        """The step table (a copy): time, n_risk, n_event, n_censor, surv, std_err, std_err_cumhaz, lower, upper."""
        return pd.DataFrame({name: np.array(values) for name, values in self.steps.items()})

    @property
    def table(self) -> pd.DataFrame:
        """The step table (a copy, as :meth:`to_frame`)."""
        return self.to_frame()

    @property
    def median(self) -> QuantileEstimate:
        """Median survival time with its confidence limits (``print.survfit``)."""
        return self.quantile(0.5)

    def _floats(self, name: str) -> FloatArray:
        return np.asarray(self.steps[name], dtype=float)

    def quantile(self, p: float) -> QuantileEstimate:
        """The time by which a fraction ``p`` has had the event (survival ``1 - p``), with limits."""
        t = self._floats("time")
        level = 1.0 - p
        # the lower curve reaches the level first: it gives the lower limit of the time
        return QuantileEstimate(
            _find_time(t, self._floats("surv"), level),
            _find_time(t, self._floats("lower"), level),
            _find_time(t, self._floats("upper"), level),
        )

    def survival_at(self, times: Sequence[float]) -> pd.DataFrame:
        """Survival (with standard error and interval) and number at risk at each landmark time."""
        t = self._floats("time")
        query = np.asarray(times, dtype=float)
        idx = np.searchsorted(t, query, side="right") - 1
        cols = ["surv", "std_err", "lower", "upper"]
        values = {c: np.where(idx >= 0, self._floats(c)[np.maximum(idx, 0)], np.nan) for c in cols}
        for column, before_first in (("surv", 1.0), ("std_err", 0.0), ("lower", 1.0), ("upper", 1.0)):
            values[column] = np.where(idx >= 0, values[column], before_first)  # S = 1 before the first time
        return pd.DataFrame({"time": query, **values, "n_risk": self.number_at_risk(query)})

    def number_at_risk(self, times: Sequence[float] | NDArray[np.float64]) -> NDArray[np.int64]:
        """Subjects still under observation at each time (time >= t), as in a plot's risk table."""
        t = self._floats("time")
        n_risk = np.asarray(self.steps["n_risk"], dtype=np.int64)
        idx = np.searchsorted(t, np.asarray(times, dtype=float), side="left")
        return np.where(idx < len(t), n_risk[np.minimum(idx, len(t) - 1)], 0).astype(np.int64)

    def restricted_mean(self, tau: float | None = None) -> RestrictedMean:
        """Restricted mean survival time up to ``tau`` (default: the last time) and its standard error."""
        t, s = self._floats("time"), self._floats("surv")
        d, n = self._floats("n_event"), self._floats("n_risk")
        end = float(t[-1]) if tau is None else float(tau)
        keep = t <= end
        t, s, d, n = t[keep], s[keep], d[keep], n[keep]
        starts = np.concatenate([[0.0], t])
        heights = np.concatenate([[1.0], s])
        widths = np.diff(np.concatenate([starts, [end]]))
        pieces = heights * widths
        rmean = float(pieces.sum())
        beyond = np.cumsum(pieces[::-1])[::-1][1:]  # area after each time t_j
        with np.errstate(divide="ignore", invalid="ignore"):
            h = np.where(n - d > 0, d / (n * (n - d)), 0.0)
        return RestrictedMean(rmean, float(np.sqrt(np.sum(beyond**2 * h))), end)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: n, events, median with limits, and the table as columns
        (``{"time": [...], "surv": [...], ...}``; an undefined value is None)."""
        return {
            "n": self.n,
            "events": self.events,
            "conf_type": self.conf_type,
            "conf_level": self.conf_level,
            "median": self.median.to_dict(),
            "table": {name: to_json_safe(values) for name, values in self.steps.items()},
        }

    def __str__(self) -> str:
        med = self.median
        return fit_lines(
            f"Kaplan-Meier: n = {self.n}, events = {self.events}; median {med} "
            f"({100 * self.conf_level:g} % limits, {self.conf_type} intervals)"
        )


def compute_distinct_times(t: FloatArray) -> tuple[FloatArray, NDArray[np.intp]]:
    """The sorted distinct times and each subject's index among them (``np.unique(t, return_inverse=True)``).

    Times already in order (as ``derive_survival_summary`` passes them) take one linear pass instead of a
    sort: at 1M subjects the sort is most of the cost of a curve.
    """
    if t.size and bool(np.all(t[1:] >= t[:-1])):
        new = np.concatenate([[True], t[1:] != t[:-1]])
        return t[new], np.cumsum(new) - 1
    times, inverse = np.unique(t, return_inverse=True)
    return times, inverse


def compute_kaplan_meier(
    time: Sequence[float] | NDArray[Any],
    event: Sequence[Any] | NDArray[Any],
    *,
    conf_type: ConfType = "log",
    conf_level: float = 0.95,
) -> KaplanMeierResult:
    """Kaplan-Meier estimate with Greenwood standard errors and R's ``conf.type`` intervals."""
    t, e = check_survival_data(time, event)
    if not 0 < conf_level < 1:
        raise DataError(f"conf_level = {conf_level} must lie between 0 and 1.", code="SURV-E005", field="conf_level")
    times, inverse = compute_distinct_times(t)
    n_event = np.bincount(inverse, weights=e.astype(float), minlength=times.size)
    n_total = np.bincount(inverse, minlength=times.size).astype(float)
    n_risk = len(t) - np.concatenate([[0.0], np.cumsum(n_total)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - n_event / n_risk)
        increment = np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event)), 0.0)
    se_cumhaz = np.sqrt(np.cumsum(increment))
    with np.errstate(invalid="ignore"):
        se_surv = np.where(surv > 0, surv * se_cumhaz, np.nan)
    z = float(norm.ppf(1 - (1 - conf_level) / 2))
    lower, upper = _interval(surv, se_cumhaz, conf_type, z)
    steps = dict(
        {
            "time": times,
            "n_risk": n_risk.astype(np.int64),
            "n_event": n_event.astype(np.int64),
            "n_censor": (n_total - n_event).astype(np.int64),
            "surv": surv,
            "std_err": se_surv,
            "std_err_cumhaz": se_cumhaz,
            "lower": lower,
            "upper": upper,
        }
    )
    return KaplanMeierResult(steps, len(t), int(e.sum()), conf_type, conf_level)


def compute_median_followup(
    time: Sequence[float] | NDArray[Any],
    event: Sequence[Any] | NDArray[Any],
    *,
    conf_type: ConfType = "log",
    conf_level: float = 0.95,
) -> QuantileEstimate:
    """Median follow-up by reverse Kaplan-Meier: censorings are the events (``survfit(Surv(time, 1 - event) ~ 1)``)."""
    t, e = check_survival_data(time, event)
    return compute_kaplan_meier(t, ~e, conf_type=conf_type, conf_level=conf_level).median
