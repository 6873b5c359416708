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
from typing import Any

import numpy as np
import pandas as pd

from oncotrial._results import format_table
from oncotrial.design._binomial import get_binomial_tables
from oncotrial.design._scenario import SearchScenario
from oncotrial.design.checks import check_error_rate, check_rates, check_sample_size
from oncotrial.errors import DesignError

__all__ = ["SingleStageDesign", "SingleStageSearch", "find_single_stage_designs"]


@dataclass(frozen=True)
class SingleStageDesign:
    """Promising if more than ``r`` of ``n`` respond; exact error rates at p0 and p1."""

    n: int
    r: int
    alpha_achieved: float  # P(X > r | p0)
    beta_achieved: float  # P(X <= r | p1)

    @property
    def power_achieved(self) -> float:
        """``1 - beta_achieved``."""
        return 1.0 - self.beta_achieved

    def to_dict(self) -> dict[str, float | int]:
        """``{"n", "r", "alpha_achieved", "beta_achieved", "power_achieved"}``."""
        return {**asdict(self), "power_achieved": self.power_achieved}

    def to_frame(self) -> pd.DataFrame:
        """One row with the fields of :meth:`to_dict`."""
        return pd.DataFrame([self.to_dict()])

    def __str__(self) -> str:
        return (
            f"Single-stage design: promising if more than {self.r} of {self.n} respond\n"
            f"  type I error {self.alpha_achieved:.4f}, power {self.power_achieved:.4f}"
        )


@dataclass(frozen=True)
class SingleStageSearch(SearchScenario):
    """The first qualifying single-stage designs for one scenario, by increasing ``n`` then ``r``.

    Each design's type I and type II errors are at most ``alpha_requested`` and ``beta_requested``.
    """

    designs: tuple[SingleStageDesign, ...]

    def to_dict(self) -> dict[str, Any]:
        """``{"p0", "p1", "alpha_requested", "beta_requested", "nmax", "designs": [{...}, ...]}``."""
        return {
            **self.scenario_dict(),
            "designs": [d.to_dict() for d in self.designs],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per design: n, r, alpha_achieved, beta_achieved, power_achieved."""
        return pd.DataFrame([d.to_dict() for d in self.designs])

    def __str__(self) -> str:
        head = [
            f"Single-stage designs: p0 = {self.p0:g}, p1 = {self.p1:g}",
            f"type I error at most {self.alpha_requested:g}, type II error at most {self.beta_requested:g}",
        ]
        rows = [[str(d.n), str(d.r), f"{d.alpha_achieved:.4f}", f"{d.power_achieved:.4f}"] for d in self.designs]
        return "\n".join([*head, *format_table(("n", "promising if more than r", "alpha", "power"), rows)])


def find_single_stage_designs(
    p0: float, p1: float, *, alpha: float, beta: float, count: int = 5, nmax: int = 1000
) -> SingleStageSearch:
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
    designs = tuple(SingleStageDesign(int(i), int(j), float(size[i, j]), float(miss[i, j])) for i, j in found)
    return SingleStageSearch(float(p0), float(p1), float(alpha), float(beta), int(nmax), designs)
