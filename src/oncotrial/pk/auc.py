"""Areas under the concentration (AUC) and moment (AUMC) curves of many profiles at once, as PKNCA computes them.

Each pair of neighbouring samples of a profile is a segment, integrated by the method PKNCA's
``choose_interval_method`` gives it:

* both concentrations 0: zero;
* ``"linear"``: the linear trapezoid;
* ``"lin up/log down"``: the log trapezoid where the concentration falls to a value above 0
  (``c2 < c1`` and ``c2 > 0``), the linear one otherwise;
* segments after tlast (the last concentration above 0) add nothing; the one starting at tlast adds its
  linear trapezoid to AUCall only.

An area is NaN when the profile has fewer than two samples or no sample at time 0 (PKNCA refuses an
interval that starts before the first measurement); it is 0 when every concentration is 0.

The segments of every profile are computed in one pass of array arithmetic and summed per profile with
``np.bincount``. A partial AUC over ``[start, end]`` is the difference of the cumulative area at the two
times, each found by interpolating inside its segment with that segment's method (the same curve PKNCA
integrates after inserting the interpolated points).

References
----------
Gabrielsson J, Weiner D. Pharmacokinetic & Pharmacodynamic Data Analysis, 4th ed., 2000, sections 2.8.1
and 2.8.3 (linear and log-linear trapezoidal rules); PKNCA 0.12.1 ``pk.calc.auxc``, ``auc_integrate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from oncotrial.pk.blq import compute_first_last_positive

__all__ = ["Areas", "AucMethod", "compute_areas", "compute_partial_auc"]

AucMethod = Literal["linear", "lin up/log down"]
Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class Segments:
    """Neighbouring samples of one profile: start row ``i`` (the end is ``i + 1``) and how each is integrated."""

    pid: Ints
    t1: Floats
    t2: Floats
    c1: Floats
    c2: Floats
    log: NDArray[np.bool_]
    before_tlast: NDArray[np.bool_]
    at_tlast: NDArray[np.bool_]


@dataclass(frozen=True)
class Areas:
    """Per profile: AUClast, AUCall, AUMClast, the cleaned tlast, and why an area is missing."""

    auclast: Floats
    aucall: Floats
    aumclast: Floats
    tlast: Floats
    reason: NDArray[np.object_]


def _sum(pid: Ints, weights: Floats, n_profiles: int) -> Floats:
    """The sum of ``weights`` per profile."""
    return np.asarray(np.bincount(pid, weights=weights, minlength=n_profiles), dtype=np.float64)


def _segments(pid: Ints, time: Floats, conc: Floats, tlast: Floats, method: AucMethod) -> Segments:
    same = np.flatnonzero(pid[1:] == pid[:-1])
    p = pid[same]
    t1, t2, c1, c2 = time[same], time[same + 1], conc[same], conc[same + 1]
    log = (c2 < c1) & (c2 > 0) if method == "lin up/log down" else np.zeros(len(same), dtype=bool)
    return Segments(p, t1, t2, c1, c2, log, t2 <= tlast[p], t1 == tlast[p])


def _auc(s: Segments) -> Floats:
    dt = s.t2 - s.t1
    with np.errstate(divide="ignore", invalid="ignore"):
        log = dt * (s.c2 - s.c1) / np.log(s.c2 / s.c1)
    return np.where(s.log, log, dt * (s.c1 + s.c2) / 2)


def _aumc(s: Segments) -> Floats:
    dt = s.t2 - s.t1
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.log(s.c2 / s.c1)
        log = dt * (s.c2 * s.t2 - s.c1 * s.t1) / k - dt**2 * (s.c2 - s.c1) / k**2
    return np.where(s.log, log, dt * (s.c2 * s.t2 + s.c1 * s.t1) / 2)


def _reasons(pid: Ints, time: Floats, conc: Floats, n: int) -> NDArray[np.object_]:
    count = np.bincount(pid, minlength=n)
    first_time = np.full(n, np.nan)
    if len(pid):
        starts = np.flatnonzero(np.r_[True, pid[1:] != pid[:-1]])
        first_time[pid[starts]] = time[starts]
    reason = np.full(n, None, dtype=object)
    reason[first_time > 0] = "no sample at time 0 (PKNCA does not extrapolate before the first sample)"
    reason[count == 1] = "only one measured concentration"
    reason[count == 0] = "no measured concentration"
    return reason


def compute_areas(pid: Ints, time: Floats, conc: Floats, n_profiles: int, method: AucMethod) -> Areas:
    """AUClast, AUCall and AUMClast of each profile from cleaned samples sorted by profile then time."""
    _, tlast, _ = compute_first_last_positive(pid, time, conc, n_profiles)
    s = _segments(pid, time, conc, tlast, method)
    auc, aumc = _auc(s), _aumc(s)
    zero = (s.c1 == 0) & (s.c2 == 0)
    inside = s.before_tlast & ~zero
    auclast = _sum(s.pid[inside], auc[inside], n_profiles)
    aumclast = _sum(s.pid[inside], aumc[inside], n_profiles)
    tail = s.at_tlast
    triangle = _sum(s.pid[tail], ((s.t2 - s.t1) * (s.c1 + s.c2) / 2)[tail], n_profiles)
    reason = _reasons(pid, time, conc, n_profiles)
    missing = reason != None  # noqa: E711 (an object array compared element by element)
    auclast[missing] = np.nan
    aumclast[missing] = np.nan
    aucall = auclast + triangle
    return Areas(auclast, aucall, aumclast, tlast, reason)


def _cumulative_at(pid: Ints, time: Floats, conc: Floats, n_profiles: int, method: AucMethod, at: float) -> Floats:
    """The AUClast-type area from the first sample to time ``at`` of each profile (the curve is 0 after tlast)."""
    _, tlast, _ = compute_first_last_positive(pid, time, conc, n_profiles)
    s = _segments(pid, time, conc, tlast, method)
    auc = np.where(s.before_tlast & ~((s.c1 == 0) & (s.c2 == 0)), _auc(s), 0.0)
    whole = s.t2 <= at
    total = _sum(s.pid[whole], auc[whole], n_profiles)
    # the segment holding ``at``: integrate from t1 to ``at`` on the segment's own curve
    part = (s.t1 < at) & (at < s.t2) & s.before_tlast
    t1, t2, c1, c2 = s.t1[part], s.t2[part], s.c1[part], s.c2[part]
    fraction = (at - t1) / (t2 - t1)
    with np.errstate(divide="ignore", invalid="ignore"):
        c_at_log = np.exp(np.log(c1) + fraction * (np.log(c2) - np.log(c1)))
        log_area = (at - t1) * (c_at_log - c1) / np.log(c_at_log / c1)
    c_at_lin = c1 + fraction * (c2 - c1)
    area = np.where(s.log[part], log_area, (at - t1) * (c1 + c_at_lin) / 2)
    return total + _sum(s.pid[part], area, n_profiles)


def compute_partial_auc(
    pid: Ints, time: Floats, conc: Floats, n_profiles: int, method: AucMethod, start: float, end: float
) -> Floats:
    """AUC from ``start`` to ``end`` (PKNCA's ``pk.calc.auc(interval = c(start, end))``, auc.type AUClast).

    Inside the samples the concentration at ``start`` and ``end`` is interpolated with the segment's method
    (linear, or log on a falling segment under lin up/log down); after tlast it is 0. NaN when ``start`` is
    before the profile's first sample or the profile has fewer than two samples.
    """
    area = _cumulative_at(pid, time, conc, n_profiles, method, end) - _cumulative_at(
        pid, time, conc, n_profiles, method, start
    )
    count = np.bincount(pid, minlength=n_profiles)
    first_time = np.full(n_profiles, np.inf)
    if len(pid):
        starts = np.flatnonzero(np.r_[True, pid[1:] != pid[:-1]])
        first_time[pid[starts]] = time[starts]
    area[(first_time > start) | (count < 2)] = np.nan
    return area
