"""The terminal elimination rate λz of many profiles at once, with PKNCA's automatic choice of points.

For each profile the candidates are the samples after tmax (tmax itself excluded, PKNCA's
``allow.tmax.in.half.life = FALSE``) with a concentration above 0, after the BLQ rules. The regression of
log(concentration) on time is fitted to the last 3, 4, ... candidates; among the fits with λz > 0 whose
adjusted R² is within ``adj_r_squared_factor`` (1e-4) of the best adjusted R² of all the fits, the one
with the most points is chosen. adjusted R² = 1 − (1 − R²)(n − 1)/(n − 2).

When λz cannot be estimated, the reason is given: too few candidates (fewer than ``min_points``), no
candidate fit with λz > 0, or no concentration above 0.

Points may instead be chosen by the user (an ``include`` flag per sample; PKNCA's
``manually.selected.points``): the regression is fitted to those points as they are.

Vectorised: the candidates of all profiles are laid end to end from the last time backwards, and the
sums of x, y, x², xy and y² accumulate per profile (pandas' grouped ``cumsum``), which gives every
candidate fit of every profile at once; the chosen fit is then recomputed from centred values
(two-pass, as R's ``lm`` residuals) so the reported λz, R² and intercept carry no cancellation error.

References
----------
Gabrielsson J, Weiner D. Pharmacokinetic & Pharmacodynamic Data Analysis, 4th ed., 2000, section 2.8.4
(strategies for estimation of λz); PKNCA 0.12.1 ``pk.calc.half.life`` and ``fit_half_life``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["HalfLifeFit", "compute_half_life"]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class HalfLifeFit:
    """Per profile: the terminal regression's parameters (PKNCA's names in ``columns()``) and the reason
    when λz could not be estimated."""

    lambda_z: Floats
    r_squared: Floats
    adj_r_squared: Floats
    time_first: Floats
    time_last: Floats
    n_points: Floats
    clast_pred: Floats
    reason: NDArray[np.object_]

    def columns(self) -> dict[str, Floats]:
        half_life = np.log(2) / self.lambda_z
        return {
            "lambda.z": self.lambda_z,
            "r.squared": self.r_squared,
            "adj.r.squared": self.adj_r_squared,
            "lambda.z.time.first": self.time_first,
            "lambda.z.time.last": self.time_last,
            "lambda.z.n.points": self.n_points,
            "clast.pred": self.clast_pred,
            "half.life": half_life,
            "span.ratio": (self.time_last - self.time_first) / half_life,
        }


def _fit_points(pid: Ints, x: Floats, y: Floats, n_profiles: int, tlast: Floats) -> dict[str, Floats]:
    """Least squares of y on x per profile, from centred values (two passes)."""
    n = np.bincount(pid, minlength=n_profiles).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mx = np.bincount(pid, weights=x, minlength=n_profiles) / n
        my = np.bincount(pid, weights=y, minlength=n_profiles) / n
        dx, dy = x - mx[pid], y - my[pid]
        sxx = np.bincount(pid, weights=dx * dx, minlength=n_profiles)
        sxy = np.bincount(pid, weights=dx * dy, minlength=n_profiles)
        slope = sxy / sxx
        intercept = my - slope * mx
        residual = y - (intercept[pid] + slope[pid] * x)
        rss = np.bincount(pid, weights=residual * residual, minlength=n_profiles)
        tss = np.bincount(pid, weights=dy * dy, minlength=n_profiles)
        r2 = 1 - rss / tss
        adj = np.where(n > 2, 1 - (1 - r2) * (n - 1) / (n - 2), np.nan)
    first = np.full(n_profiles, np.nan)
    last = np.full(n_profiles, np.nan)
    order = np.lexsort((x, pid))
    if len(order):
        p = pid[order]
        first_rows = order[np.r_[True, p[1:] != p[:-1]]]
        last_rows = order[np.r_[p[1:] != p[:-1], True]]
        first[pid[first_rows]] = x[first_rows]
        last[pid[last_rows]] = x[last_rows]
    return {
        "n": n,
        "lambda_z": -slope,
        "r2": r2,
        "adj": adj,
        "first": first,
        "last": last,
        "clast_pred": np.exp(intercept + slope * tlast),
    }


def _choose_windows(
    pid: Ints, time: Floats, logc: Floats, n_profiles: int, min_points: int, factor: float
) -> tuple[Floats, Ints]:
    """``(chosen number of points, candidates per profile)``: candidates are ordered last time first."""
    rows = np.arange(len(pid))[::-1]
    p = pid[rows]
    count = np.bincount(p, minlength=n_profiles)
    chosen = np.zeros(n_profiles)
    if len(rows) == 0:
        return chosen, count
    starts = np.flatnonzero(np.r_[True, p[1:] != p[:-1]])
    lengths = np.diff(np.r_[starts, len(p)])
    rank = np.arange(len(p)) - np.repeat(starts, lengths) + 1
    # shifted by each profile's last point: small sums, exact per profile (grouped cumsum)
    x = time[rows] - np.repeat(time[rows][starts], lengths)
    y = logc[rows] - np.repeat(logc[rows][starts], lengths)
    sums = pd.DataFrame({"x": x, "y": y, "xx": x * x, "xy": x * y, "yy": y * y}).groupby(p, sort=False).cumsum()
    sx, sy, sxx, sxy, syy = (sums[c].to_numpy() for c in ("x", "y", "xx", "xy", "yy"))
    with np.errstate(divide="ignore", invalid="ignore"):
        cxx, cxy, cyy = sxx - sx * sx / rank, sxy - sx * sy / rank, syy - sy * sy / rank
        slope = cxy / cxx
        r2 = 1 - (cyy - slope * cxy) / cyy
        adj = 1 - (1 - r2) * (rank - 1) / (rank - 2)
    fit = rank >= min_points
    adj = np.where(fit, adj, np.nan)
    best = pd.Series(adj).groupby(p, sort=False).transform("max").to_numpy()
    ok = fit & (-slope > 0) & (adj > best - factor)
    okp, okrank = p[ok], rank[ok]
    if len(okp):  # ranks rise within a profile: its last acceptable fit has the most points
        last = np.r_[okp[1:] != okp[:-1], True]
        chosen[okp[last]] = okrank[last]
    return chosen, count


def compute_half_life(
    pid: Ints,
    time: Floats,
    conc: Floats,
    n_profiles: int,
    *,
    tmax: Floats,
    tlast: Floats,
    include: NDArray[np.bool_] | None = None,
    min_points: int = 3,
    adj_r_squared_factor: float = 1e-4,
    allow_tmax: bool = False,
) -> HalfLifeFit:
    """λz of each profile from cleaned samples sorted by profile then time (see the module docstring).

    ``tmax`` and ``tlast`` are per profile (tlast gives ``clast.pred``); ``include`` marks the samples a
    user chose (a profile with any marked sample is fitted to those, without the automatic search).
    """
    manual_profile = np.zeros(n_profiles, dtype=bool)
    if include is not None:
        manual_profile[pid[include]] = True
    positive = conc > 0
    after = time >= tmax[pid] if allow_tmax else time > tmax[pid]
    candidate = positive & after & ~manual_profile[pid]
    with np.errstate(divide="ignore"):
        logc = np.log(conc)
    rows = np.flatnonzero(candidate)
    chosen, count = _choose_windows(pid[rows], time[rows], logc[rows], n_profiles, min_points, adj_r_squared_factor)
    # the chosen window: the last ``chosen`` candidates of each profile
    from_end = np.zeros(len(rows), dtype=np.int64)
    if len(rows):
        p = pid[rows]
        ends = np.flatnonzero(np.r_[p[1:] != p[:-1], True])
        lengths = np.diff(np.r_[-1, ends])
        from_end = np.repeat(ends, lengths) - np.arange(len(rows)) + 1
    in_window = rows[from_end <= chosen[pid[rows]]]
    if include is not None:
        in_window = np.sort(np.r_[in_window, np.flatnonzero(include & positive)])
    fit = _fit_points(pid[in_window], time[in_window], logc[in_window], n_profiles, tlast)
    estimated = fit["n"] > 0
    reason = np.full(n_profiles, None, dtype=object)
    reason[~estimated & (count >= min_points)] = "no candidate fit has lambda.z > 0 (no decline after tmax)"
    few = ~estimated & (count < min_points)
    texts = {
        c: f"too few points after tmax for lambda.z ({c} above 0; at least {min_points} needed)"
        for c in range(min_points)
    }
    reason[few] = pd.Series(count[few]).map(texts).to_numpy(dtype=object)  # one text per count, not per profile
    negative = manual_profile & estimated & ~(fit["lambda_z"] > 0)
    reason[negative] = "the chosen points give no decline (lambda.z ≤ 0)"
    reason[manual_profile & (fit["n"] < 2)] = "fewer than 2 chosen points above 0"
    bad = ~estimated | negative | (manual_profile & (fit["n"] < 2))
    values = {k: np.where(bad, np.nan, v) for k, v in fit.items()}
    return HalfLifeFit(
        values["lambda_z"], values["r2"], values["adj"], values["first"], values["last"], values["n"],
        values["clast_pred"], reason,
    )  # fmt: skip
