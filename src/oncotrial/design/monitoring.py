"""Monitoring a Simon two-stage trial: where it stands, what the rule says now, conditional power.

The decision follows the design's rule (stop after stage 1 if at most ``r1`` of ``n1`` respond;
promising if more than ``r`` of ``n``). Outcomes already certain are said as soon as they are
(for example, futility when even responses in every remaining stage-1 subject cannot pass
``r1``). Conditional power is the exact probability, at a given response rate, that the trial
ends promising, given the responses so far; during stage 1 it includes passing stage 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binom

from oncotrial._results import wrap
from oncotrial.design.checks import check_rate, check_sample_size, check_two_stage_rule, is_whole
from oncotrial.errors import DesignError

__all__ = ["InterimDecision", "InterimStatus", "evaluate_two_stage_interim"]


class InterimStatus(StrEnum):
    """What the two-stage rule says given the data so far."""

    CONTINUE_STAGE1 = "continue stage 1"
    STAGE1_PASSED = "stage 1 passed"  # more than r1 responses already: stage 2 will open
    CONTINUE_STAGE2 = "continue to stage 2"
    STOP_FUTILITY = "stop for futility"
    PROMISING = "promising"  # more than r responses: the final boundary is crossed


@dataclass(frozen=True)
class InterimDecision:
    """The rule's verdict, why, and the conditional power at the rates asked for (a read-only mapping)."""

    status: InterimStatus
    reason: str
    responses: int
    enrolled: int
    stage: int
    conditional_power: Mapping[float, float] = field(default_factory=lambda: MappingProxyType({}))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: status, reason, responses, enrolled, stage, conditional_power (rate -> prob)."""
        return {
            "status": str(self.status),
            "reason": self.reason,
            "responses": self.responses,
            "enrolled": self.enrolled,
            "stage": self.stage,
            "conditional_power": {str(k): v for k, v in self.conditional_power.items()},
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per rate asked for (status, responses, enrolled, stage, rate, conditional_power);
        without rates, one row with the rate and the conditional power missing."""
        head = {"status": str(self.status), "responses": self.responses, "enrolled": self.enrolled, "stage": self.stage}
        powers: list[tuple[float | None, float | None]] = [*self.conditional_power.items()] or [(None, None)]
        return pd.DataFrame([{**head, "rate": p, "conditional_power": v} for p, v in powers]).astype(
            {"rate": "float64", "conditional_power": "float64"}
        )

    def __str__(self) -> str:
        lines = wrap(f"{self.status.value.capitalize()}: {self.reason}")
        lines += [f"conditional power at p = {p:g}: {v:.3f}" for p, v in self.conditional_power.items()]
        return "\n".join(lines)


def _conditional_power(responses: int, enrolled: int, r1: int, n1: int, r: int, n: int, p: float) -> float:
    if responses > r:
        return 1.0  # the final boundary is crossed: certain (the sum below can fall short by rounding)
    if enrolled >= n1:
        if responses <= r1 and enrolled == n1:
            return 0.0
        return float(binom.sf(r - responses, n - enrolled, p))
    y1 = np.arange(0, n1 - enrolled + 1)
    passes = responses + y1 > r1
    final = binom.sf(r - responses - y1, n - n1, p)
    return float(np.sum(binom.pmf(y1, n1 - enrolled, p) * passes * final))


def _stage1_verdict(responses: int, enrolled: int, r1: int, n1: int, r: int, n: int) -> tuple[InterimStatus, str]:
    left = n1 - enrolled
    # an outcome of the whole trial that is already certain is reported first
    if responses > r:
        return InterimStatus.PROMISING, f"{responses} responses already exceed r = {r}: the treatment is promising"
    if responses + n - enrolled <= r:
        return InterimStatus.STOP_FUTILITY, (
            f"even if all {n - enrolled} remaining subjects respond, {responses + n - enrolled} cannot exceed r = {r}"
        )
    if responses > r1:
        return InterimStatus.STAGE1_PASSED, (
            f"{responses} responses already exceed r1 = {r1}: complete stage 1 ({left} more) and open stage 2"
        )
    if responses + left <= r1:
        return InterimStatus.STOP_FUTILITY, (
            f"even if all {left} remaining stage-1 subjects respond, {responses + left} cannot exceed r1 = {r1}"
        )
    return InterimStatus.CONTINUE_STAGE1, (
        f"{responses} of {enrolled} responded; stage 1 needs more than {r1} of {n1} ({left} subjects left)"
    )


def _stage2_verdict(responses: int, enrolled: int, r1: int, n1: int, r: int, n: int) -> tuple[InterimStatus, str]:
    left = n - enrolled
    if enrolled == n1 and responses <= r1:
        return InterimStatus.STOP_FUTILITY, f"{responses} of {n1} responded in stage 1, not more than r1 = {r1}"
    if responses > r:
        return InterimStatus.PROMISING, f"{responses} responses exceed r = {r}: the treatment is promising"
    if responses + left <= r:
        return InterimStatus.STOP_FUTILITY, (
            f"even if all {left} remaining subjects respond, {responses + left} cannot exceed r = {r}"
        )
    return InterimStatus.CONTINUE_STAGE2, (
        f"{responses} of {enrolled} responded; more than {r} of {n} are needed ({left} subjects left)"
    )


def evaluate_two_stage_interim(
    responses: int, enrolled: int, *, r1: int, n1: int, r: int, n: int, rates: Sequence[float] = ()
) -> InterimDecision:
    """Apply the two-stage rule to the responses so far and give the conditional power at ``rates``.

    Raises
    ------
    DesignError
        If the counts do not fit the design (more responses than subjects, more subjects than ``n``,
        a stage-2 enrolment after a stage 1 that should have stopped).
    """
    check_two_stage_rule(r1, n1, r, n)
    check_sample_size(enrolled, "enrolled", minimum=0, maximum=n)
    if not is_whole(responses) or not 0 <= responses <= enrolled:
        raise DesignError(
            f"responses = {responses!r} must be a whole number from 0 to the {enrolled} subjects enrolled.",
            code="DESIGN-E040",
            field="responses",
        )
    if enrolled > n1 and responses <= r1:
        raise DesignError(
            f"{responses} responses in {enrolled} subjects means stage 1 ended with at most {r1} of {n1}: "
            f"the trial should have stopped after stage 1, so stage 2 data do not fit this design. "
            f"Check the counts or the design.",
            code="DESIGN-E041",
            field="enrolled",
        )
    for p in rates:
        check_rate(p, "rate")
    if enrolled < n1:
        status, reason = _stage1_verdict(responses, enrolled, r1, n1, r, n)
    else:
        status, reason = _stage2_verdict(responses, enrolled, r1, n1, r, n)
    power = {float(p): _conditional_power(responses, enrolled, r1, n1, r, n, p) for p in rates}
    stage = 1 if enrolled <= n1 else 2
    return InterimDecision(status, reason, int(responses), int(enrolled), stage, MappingProxyType(power))
