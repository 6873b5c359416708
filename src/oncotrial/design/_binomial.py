"""Binomial probability tables shared by the design searches.

Every design search in :mod:`oncotrial.design` evaluates many binomial probabilities for
the same response rate; they are computed once per ``(p, nmax)`` and cached, read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy.stats import binom

__all__ = ["BinomialTables", "get_binomial_tables", "get_early_stop_table"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class BinomialTables:
    """Binomial probabilities for one response rate ``p`` and sample sizes ``0..nmax``.

    Attributes
    ----------
    pmf
        ``pmf[m, x] = P(X = x)`` for ``X ~ Binomial(m, p)``; zero where ``x > m``.
    upper
        ``upper[m, k] = P(X >= k)`` for ``k = 0..nmax + 1``; one at ``k = 0``, zero where ``k > m``.
    """

    p: float
    nmax: int
    pmf: FloatArray
    upper: FloatArray


@lru_cache(maxsize=128)
def get_binomial_tables(p: float, nmax: int) -> BinomialTables:
    """Return the (cached, read-only) binomial tables for rate ``p`` up to ``nmax`` subjects."""
    m = np.arange(nmax + 1)[:, None]
    x = np.arange(nmax + 1)[None, :]
    pmf = np.asarray(binom.pmf(x, m, p), dtype=np.float64)
    upper = np.zeros((nmax + 1, nmax + 2))
    # Upper tails summed from the smallest terms up, so small tail probabilities stay exact.
    upper[:, : nmax + 1] = np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1]
    upper[:, 0] = 1.0  # P(X >= 0) is exactly 1 (the sum can fall 2e-16 short), as clinfun's cp0 = 1
    pmf.setflags(write=False)
    upper.setflags(write=False)
    return BinomialTables(p=p, nmax=nmax, pmf=pmf, upper=upper)


@lru_cache(maxsize=128)
def get_early_stop_table(p: float, nmax: int) -> FloatArray:
    """Probability of early termination ``pet[n1, r1 + 1] = P(X1 <= r1)`` for ``r1 = -1..n1 - 1``.

    Computed as clinfun's Fortran does, ``1 - P(n1) - P(n1 - 1) - ... - P(r1 + 1)`` subtracted
    in that order, so that expected sample sizes, and hence ties between designs, are the
    same floating-point numbers as clinfun's.
    """
    pmf = get_binomial_tables(p, nmax).pmf
    n1 = np.arange(nmax + 1)[:, None]
    j = np.arange(nmax + 1)[None, :]
    # rev[n1, j] = P(X1 = n1 - j): stage-1 probabilities from the top down.
    rev = np.where(j <= n1, pmf[n1, np.clip(n1 - j, 0, None)], 0.0)
    steps = np.subtract.accumulate(np.concatenate([np.ones((nmax + 1, 1)), rev], axis=1), axis=1)
    # r1 = -1..n1-1 needs n1 - r1 subtractions: column n1 - r1 of steps.
    r1 = np.arange(-1, nmax)[None, :]
    pet = np.where(r1 < n1, steps[n1, np.clip(n1 - r1, 0, nmax + 1)], 0.0)
    pet.setflags(write=False)
    return np.asarray(pet, dtype=np.float64)
