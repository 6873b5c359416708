"""Exact single-stage designs for a binary endpoint: the smallest ``n`` (and ``r``) meeting alpha and beta.

Convention (as clinfun's ``ph2single``): the treatment is promising if more than ``r`` of ``n``
respond; a design qualifies when ``P(X > r | p0) <= alpha`` and ``P(X <= r | p1) <= beta``.

References
----------
A'Hern RP. Sample size tables for exact single-stage phase II designs. Stat Med 2001;20:859-866.
Seshan VE. clinfun 1.1.5, ``ph2single(pu, pa, ep1, ep2, nsoln)``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from oncotrial.design._binomial import get_binomial_tables
from oncotrial.design.checks import check_error_rate, check_rates, check_sample_size
from oncotrial.errors import DesignError

__all__ = ["SingleStageDesign", "find_single_stage_designs"]


@dataclass(frozen=True)
class SingleStageDesign:
    """Promising if more than ``r`` of ``n`` respond; exact error rates at p0 and p1."""

    n: int
    r: int
    alpha: float  # P(X > r | p0)
    beta: float  # P(X <= r | p1)

    @property
    def power(self) -> float:
        """``1 - beta``."""
        return 1.0 - self.beta

    def to_dict(self) -> dict[str, float | int]:
        """``{"n", "r", "alpha", "beta", "power"}``."""
        return {**asdict(self), "power": self.power}


def find_single_stage_designs(
    p0: float, p1: float, *, alpha: float, beta: float, count: int = 5, nmax: int = 1000
) -> tuple[SingleStageDesign, ...]:
    """The first ``count`` qualifying ``(n, r)`` pairs, by increasing ``n`` then ``r``.

    The list is clinfun's ``ph2single(pu = p0, pa = p1, ep1 = alpha, ep2 = beta, nsoln = count)``:
    several ``r`` may qualify at one ``n``.

    Raises
    ------
    DesignError
        For invalid rates or error rates, or if fewer than ``count`` designs exist up to ``nmax``.
    """
    check_rates(p0, p1)
    check_error_rate(alpha, "alpha")
    check_error_rate(beta, "beta")
    check_sample_size(count, "count", maximum=100, what="designs")
    check_sample_size(nmax, "nmax", maximum=5000)
    t0, t1 = get_binomial_tables(p0, nmax), get_binomial_tables(p1, nmax)
    size = t0.upper[:, 1 : nmax + 1]  # [n, r] = P0(X > r), r = 0..nmax-1
    miss = 1.0 - t1.upper[:, 1 : nmax + 1]  # [n, r] = P1(X <= r)
    r = np.arange(nmax)[None, :]
    n = np.arange(nmax + 1)[:, None]
    ok = (size <= alpha) & (miss <= beta) & (r < n)
    found = np.argwhere(ok)[:count]  # row-major: by n, then r
    if len(found) < count:
        raise DesignError(
            f"Only {len(found)} single-stage design(s) with n <= {nmax} meet p0 = {p0}, p1 = {p1}, "
            f"alpha = {alpha}, beta = {beta}; ask for fewer or raise nmax.",
            code="DESIGN-E020",
        )
    return tuple(SingleStageDesign(int(i), int(j), float(size[i, j]), float(miss[i, j])) for i, j in found)
