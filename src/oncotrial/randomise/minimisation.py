"""Pocock–Simon minimisation: the arm that least unbalances the new patient's factor levels, most often.

Pocock SJ, Simon R. Sequential treatment assignment with balancing for prognostic factors in the
controlled clinical trial. Biometrics 1975;31:103-15. For each candidate arm, the new patient is counted
in that arm; at each of the patient's factor levels the counts per arm are divided by the arm's ratio part,
and their imbalance is the range (max - min) or the variance (population, ``np.var``); an arm's score is
the sum over the patient's factors. The arms with the lowest score are "best": one of them (drawn in
proportion to the ratio when several tie) is chosen with probability ``p_best``, otherwise one of the
others (drawn in proportion to the ratio); when every arm ties, one is drawn in proportion to the ratio.
Written by hand: no well-kept Python library implements minimisation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from oncotrial._results import fit_lines, format_table, to_json_dict
from oncotrial.errors import DataError
from oncotrial.randomise._checks import check_arms_and_ratio, check_seed

__all__ = ["MinimisationResult", "assign_by_minimisation"]

Counts = Mapping[str, Mapping[str, Mapping[str, int]]]
"""Patients assigned so far: factor -> level -> arm -> count (a missing entry counts 0)."""


@dataclass(frozen=True)
class MinimisationResult:
    """The arm chosen and, for the audit trail, every arm's imbalance score and which arms were best."""

    arm: str
    arms: tuple[str, ...]
    scores: tuple[float, ...]  # one per arm, in the order of ``arms``
    best: tuple[str, ...]
    method: str
    p_best: float
    seed: int

    def to_frame(self) -> pd.DataFrame:
        """One row per arm: arm, score, best, chosen."""
        return pd.DataFrame(
            {
                "arm": list(self.arms),
                "score": list(self.scores),
                "best": [a in self.best for a in self.arms],
                "chosen": [a == self.arm for a in self.arms],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields, with the scores by arm."""
        return to_json_dict(
            {
                "arm": self.arm,
                "scores": dict(zip(self.arms, self.scores, strict=True)),
                "best": self.best,
                "method": self.method,
                "p_best": self.p_best,
                "seed": self.seed,
            }
        )

    def __str__(self) -> str:
        head = f"Minimisation ({self.method}, p_best {self.p_best:g}): arm {self.arm}"
        rows = [[a, f"{s:.4g}", "best" if a in self.best else ""] for a, s in zip(self.arms, self.scores, strict=True)]
        return fit_lines("\n".join([head, *format_table(["arm", "score", ""], rows)]))


def _check_counts(counts: Counts, factors: Mapping[str, str], arms: tuple[str, ...]) -> None:
    if not factors:
        raise DataError(
            "the new patient has no factor levels: give one per minimisation factor (e.g. {'ecog': '0'})",
            code="RAND-E012",
            field="factors",
        )
    for factor, levels in counts.items():
        for level, by_arm in levels.items():
            unknown = sorted(set(by_arm) - set(arms))
            bad = [n for n in by_arm.values() if isinstance(n, bool) or not isinstance(n, int) or n < 0]
            if unknown or bad:
                raise DataError(
                    f"counts[{factor!r}][{level!r}] {dict(by_arm)}: counts must be whole numbers of 0 or more "
                    f"for the arms {list(arms)}",
                    code="RAND-E009",
                    field="counts",
                )


def _imbalance(values: np.ndarray[Any, Any], method: str) -> float:
    return float(np.ptp(values)) if method == "range" else float(np.var(values))


def _scores(
    counts: Counts, factors: Mapping[str, str], arms: tuple[str, ...], ratio: tuple[int, ...], method: str
) -> list[float]:
    parts = np.array(ratio, dtype=float)
    scores = []
    for k in range(len(arms)):
        total = 0.0
        for factor, level in factors.items():
            by_arm = counts.get(factor, {}).get(level, {})
            n = np.array([by_arm.get(a, 0) for a in arms], dtype=float)
            n[k] += 1
            total += _imbalance(n / parts, method)
        scores.append(total)
    return scores


def _draw(rng: np.random.Generator, pool: Sequence[int], ratio: tuple[int, ...]) -> int:
    weights = np.array([ratio[i] for i in pool], dtype=float)
    return int(pool[rng.choice(len(pool), p=weights / weights.sum())])


def assign_by_minimisation(
    counts: Counts,
    factors: Mapping[str, str],
    *,
    arms: Sequence[str],
    ratio: Sequence[int] | None = None,
    method: Literal["range", "variance"] = "range",
    p_best: float = 0.8,
    seed: int,
) -> MinimisationResult:
    """The arm for a new patient by Pocock–Simon minimisation (see the module docstring).

    Parameters
    ----------
    counts
        Patients assigned so far, factor -> level -> arm -> count (missing entries count 0).
    factors
        The new patient's level of each factor (``{"site": "01", "ecog": "1"}``).
    arms, ratio
        Arm ids and allocation ratio (default equal).
    method
        ``"range"`` or ``"variance"`` of the ratio-weighted counts.
    p_best
        Probability of choosing a best arm when not every arm is best, above 0 and at most 1.
    seed
        Seeds the one random draw: the same inputs and seed give the same arm.
    """
    arms_t, ratio_t = check_arms_and_ratio(arms, [1] * len(arms) if ratio is None else ratio)
    if method not in ("range", "variance"):
        raise DataError(f"method {method!r}: use 'range' or 'variance'", code="RAND-E011", field="method")
    if not 0.0 < p_best <= 1.0:
        raise DataError(
            f"p_best {p_best!r}: give the probability of the best arm, above 0 and at most 1 (often 0.8)",
            code="RAND-E010",
            field="p_best",
        )
    check_seed(seed)
    _check_counts(counts, factors, arms_t)
    scores = _scores(counts, factors, arms_t, ratio_t, method)
    low = min(scores)
    best = [i for i, s in enumerate(scores) if s == low]
    rest = [i for i in range(len(arms_t)) if i not in best]
    rng = np.random.default_rng(seed)
    pool = best if not rest or rng.random() < p_best else rest
    chosen = _draw(rng, pool, ratio_t)
    return MinimisationResult(
        arm=arms_t[chosen],
        arms=arms_t,
        scores=tuple(scores),
        best=tuple(arms_t[i] for i in best),
        method=method,
        p_best=float(p_best),
        seed=seed,
    )
