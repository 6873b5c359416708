"""The scenario a design search was asked for, shared by the Simon and single-stage search results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SearchScenario:
    """The rates and error rates requested of a design search, and the largest size searched."""

    p0: float
    p1: float
    alpha_requested: float
    beta_requested: float
    nmax: int

    def scenario_dict(self) -> dict[str, Any]:
        """``{"p0", "p1", "alpha_requested", "beta_requested", "nmax"}``."""
        return {
            "p0": self.p0,
            "p1": self.p1,
            "alpha_requested": self.alpha_requested,
            "beta_requested": self.beta_requested,
            "nmax": self.nmax,
        }
