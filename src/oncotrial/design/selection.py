"""Randomised phase II selection ("pick the winner"): Simon, Wittes & Ellenberg (1985).

Each of ``k`` arms enrols ``n`` subjects; the arm with the most responses is selected, a tie
broken at random. The design question is the ``n`` per arm that selects the truly best arm
(response rate ``p + d``, the others ``p``) with a given probability, typically 0.90.

References
----------
Simon R, Wittes RE, Ellenberg SS. Randomized phase II clinical trials. Cancer Treat Rep
1985;69:1375-1381.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.polynomial.legendre import leggauss
from numpy.typing import NDArray
from scipy.stats import binom

from oncotrial._results import wrap
from oncotrial.design.checks import check_rate, check_sample_size
from oncotrial.errors import DesignError

__all__ = [
    "SelectionDesign",
    "SelectionProbability",
    "compute_correct_selection",
    "compute_selection_probability",
    "find_selection_sample_size",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SelectionProbability:
    """Probability that each arm is selected (ties broken at random); they sum to one."""

    n: int
    rates: tuple[float, ...]
    selected: tuple[float, ...]
    tie: float  # probability that two or more arms share the top count

    @property
    def correct(self) -> float:
        """Probability of selecting the arm with the highest rate (the first such arm)."""
        return self.selected[int(np.argmax(self.rates))]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: n, rates, selected, tie, correct."""
        return {
            "n": self.n,
            "rates": list(self.rates),
            "selected": list(self.selected),
            "tie": self.tie,
            "correct": self.correct,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per arm (numbered from 1): its response rate and its probability of being selected."""
        return pd.DataFrame({"arm": range(1, len(self.rates) + 1), "rate": self.rates, "selected": self.selected})

    def __str__(self) -> str:
        lines = [f"{self.n} per arm: correct selection {self.correct:.4f} (ties {self.tie:.4f}, broken at random)"]
        lines += [
            f"  arm {i} (rate {rate:g}): selected {chosen:.4f}"
            for i, (rate, chosen) in enumerate(zip(self.rates, self.selected, strict=True), start=1)
        ]
        return "\n".join(lines)


def compute_selection_probability(n: int, rates: Sequence[float]) -> SelectionProbability:
    """Exact probability that each arm has the most responses out of ``n`` (ties split at random).

    For arm ``i`` with ``x`` responses and ``m`` other arms tied at ``x``, the arm wins with
    probability ``1 / (m + 1)``; summing over tie patterns equals
    ``integral_0^1 prod_j (F_j(x - 1) + u f_j(x)) du``, a polynomial in ``u`` of degree ``k - 1``
    that Gauss-Legendre quadrature with ``k`` nodes integrates exactly.
    """
    check_sample_size(n, "n", maximum=10000)
    if len(rates) < 2:
        raise DesignError("Give the response rates of at least two arms.", code="DESIGN-E050", field="rates")
    for rate in rates:
        check_rate(rate, "rate")
    p = np.asarray(rates, dtype=float)
    x = np.arange(n + 1)
    f: FloatArray = np.asarray(binom.pmf(x[None, :], n, p[:, None]), dtype=np.float64)  # [arm, x]
    below: FloatArray = np.asarray(binom.cdf(x[None, :] - 1, n, p[:, None]), dtype=np.float64)  # P(X < x)
    nodes, weights = leggauss(len(p))
    u, w = (nodes + 1.0) / 2.0, weights / 2.0
    factors = below[:, :, None] + u[None, None, :] * f[:, :, None]  # [arm, x, node]
    selected = []
    for i in range(len(p)):
        others = np.prod(np.delete(factors, i, axis=0), axis=0)  # [x, node]
        selected.append(float(np.sum(f[i] * (others @ w))))
    strictly = 0.0
    for i in range(len(p)):
        strictly += float(np.sum(f[i] * np.prod(np.delete(below, i, axis=0), axis=0)))
    return SelectionProbability(int(n), tuple(float(v) for v in p), tuple(selected), 1.0 - strictly)


@dataclass(frozen=True)
class SelectionDesign:
    """The smallest ``n`` per arm whose probability of correct selection reaches ``target``."""

    n_per_arm: int
    arms: int
    p: float
    difference: float
    target: float
    correct: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "n_per_arm": self.n_per_arm,
            "arms": self.arms,
            "p": self.p,
            "difference": self.difference,
            "target": self.target,
            "correct": self.correct,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row with the fields of :meth:`to_dict`."""
        return pd.DataFrame([self.to_dict()])

    def __str__(self) -> str:
        return "\n".join(
            wrap(
                f"{self.n_per_arm} subjects per arm ({self.arms} arms, {self.arms * self.n_per_arm} in all) select "
                f"the arm with rate {self.p + self.difference:g} over {self.p:g} with probability "
                f"{self.correct:.3f} (target {self.target:g})"
            )
        )


def _check_selection(p: float, difference: float, arms: int) -> None:
    check_rate(p, "p")
    if not difference > 0:
        raise DesignError(
            f"difference = {difference} must be positive: it is how much better the best arm's rate is.",
            code="DESIGN-E051",
            field="difference",
        )
    check_rate(p + difference, "p + difference")
    check_sample_size(arms, "arms", minimum=2, maximum=10, what="arms")


def compute_correct_selection(n: int, p: float, difference: float, *, arms: int = 2) -> SelectionProbability:
    """The selection probabilities with ``n`` per arm when one arm's rate is ``p + difference`` and the others ``p``.

    ``correct`` is the probability that the better arm is picked (ties broken at random).
    """
    _check_selection(p, difference, arms)
    return compute_selection_probability(n, [p + difference] + [p] * (arms - 1))


def find_selection_sample_size(
    p: float, difference: float, *, arms: int = 2, target: float = 0.90, nmax: int = 1000
) -> SelectionDesign:
    """Smallest ``n`` per arm such that the best arm (rate ``p + difference``) is selected with probability >= ``target``."""
    _check_selection(p, difference, arms)
    if not 1.0 / arms < target < 1.0:
        raise DesignError(
            f"target = {target} must lie between 1/arms = {1 / arms:.3f} (a random pick) and 1.",
            code="DESIGN-E052",
            field="target",
        )
    rates = [p + difference] + [p] * (arms - 1)
    for n in range(1, nmax + 1):
        correct = compute_selection_probability(n, rates).correct
        if correct >= target:
            return SelectionDesign(n, int(arms), float(p), float(difference), float(target), correct)
    raise DesignError(
        f"No n up to {nmax} per arm reaches a {target:g} probability of correct selection.",
        code="DESIGN-E053",
        field="nmax",
    )
