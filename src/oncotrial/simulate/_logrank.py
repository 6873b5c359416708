"""The two-group log-rank test of many trials at once (one row per trial).

The same statistic as :func:`oncotrial.endpoints.compute_logrank_test` (rho = gamma = 0, no strata: R's
``survdiff``), written over a [trial, subject] array because the core takes one trial at a time and a
Python loop over 10⁴ trials would cost more than the rest of the simulation. At each distinct event time
of a trial, with ``N`` at risk (``N1`` in group 1) and ``d`` events (``d1`` in group 1):
``O1 - E1 = sum(d1 - d N1 / N)`` and ``V = sum(d (N1 / N) (1 - N1 / N) (N - d) / (N - 1))``; the chi-square
is ``(O1 - E1)² / V`` on one degree of freedom (0 when ``V`` is 0: no events, or a group without subjects
at risk). Ties are handled as the core does: subjects with the same time form one risk set.
``tests/simulate/test_trials.py`` checks the result equals the core's on simulated trials.

References
----------
Mantel N. Cancer Chemother Rep 1966;50:163-170.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2

__all__ = ["compute_logrank_batch"]

FloatArray = NDArray[np.float64]


def compute_logrank_batch(
    time: FloatArray, event: NDArray[np.bool_], group: NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray]:
    """Chi-square and p-value of the log-rank test of each row (``group`` True: group 1).

    All three arrays are [trial, subject]; returns two arrays [trial].
    """
    order = np.argsort(time, axis=1, kind="stable")
    t = np.take_along_axis(time, order, axis=1)
    e = np.take_along_axis(event, order, axis=1).astype(np.float64)
    g = np.take_along_axis(group, order, axis=1).astype(np.float64)
    rows, n = t.shape
    position = np.broadcast_to(np.arange(n), (rows, n))
    new_time = np.concatenate([np.ones((rows, 1), bool), t[:, 1:] != t[:, :-1]], axis=1)
    last_of_time = np.concatenate([t[:, 1:] != t[:, :-1], np.ones((rows, 1), bool)], axis=1)
    first = np.maximum.accumulate(np.where(new_time, position, 0), axis=1)  # first position of each time
    zero = np.zeros((rows, 1))
    cum_g = np.concatenate([zero, np.cumsum(g, axis=1)], axis=1)
    cum_e = np.concatenate([zero, np.cumsum(e, axis=1)], axis=1)
    cum_eg = np.concatenate([zero, np.cumsum(e * g, axis=1)], axis=1)
    at_risk = n - first.astype(np.float64)
    at_risk_1 = cum_g[:, -1:] - np.take_along_axis(cum_g, first, axis=1)
    deaths = cum_e[:, 1:] - np.take_along_axis(cum_e, first, axis=1)  # events of the time, counted at its end
    deaths_1 = cum_eg[:, 1:] - np.take_along_axis(cum_eg, first, axis=1)
    use = last_of_time & (deaths > 0)
    share = at_risk_1 / at_risk
    with np.errstate(divide="ignore", invalid="ignore"):
        var_terms = np.where(at_risk > 1, deaths * share * (1 - share) * (at_risk - deaths) / (at_risk - 1), 0.0)
    o_minus_e = np.where(use, deaths_1 - deaths * share, 0.0).sum(axis=1)
    variance = np.where(use, var_terms, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        chisq = np.where(variance > 0, o_minus_e**2 / variance, 0.0)
    p = np.where(variance > 0, chi2.sf(chisq, 1), 1.0)
    return chisq, p
