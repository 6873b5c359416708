"""Inference after a Simon two-stage trial: p-value, UMVUE, median-unbiased estimate and exact limits.

Outcomes are ordered by the total number of responses (a trial stopped after stage 1 with
``x`` responses ranks with totals ``x``). The p-value function ``P_p(T >= x)`` gives:

* the p-value (at ``p = p0``);
* the median-unbiased estimate (where it equals 1/2);
* the lower and upper limits (where it equals ``alpha`` and ``1 - alpha``), a ``1 - 2 alpha``
  interval, as Koyama & Chen define it and as clinfun's ``twostage.inference`` computes it.
  Note that the upper limit is not Clopper-Pearson's (``P_p(T <= x) = alpha``): at ``x = 0``
  it does not exist and is reported as ``None`` (clinfun reports NA).

When the stage-2 size enrolled differs from the plan, Koyama & Chen's conditional method maps
the stage-2 result onto the planned stage 2 (``pi*`` with ``P(Bin(n2, pi*) >= R2) = P(Bin(m2, p) >= x2)``),
which keeps the planned design's type I error; it needs the stage-1 responses. When the
stage-1 size differs, the actual ``n1`` is used with the planned ``r1`` (as clinfun does when
given the actual sizes).

References
----------
Koyama T, Chen H. Proper inference from Simon's two-stage designs. Stat Med 2008;27:3145-3154.
Jung SH, Kim KM. On the estimation of the binomial probability in multistage clinical trials.
Stat Med 2004;23:881-896 (UMVUE).
Seshan VE. clinfun 1.1.5, ``twostage.inference(x, r1, n1, n, pu, alpha)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import comb
from scipy.stats import beta as beta_dist
from scipy.stats import binom

from oncotrial._results import wrap
from oncotrial.design.checks import check_error_rate, check_rate, check_sample_size, check_two_stage_rule, is_whole
from oncotrial.errors import DesignError

__all__ = ["TwoStageInference", "compute_two_stage_inference"]

PValueFunction = Callable[[float], float]


@dataclass(frozen=True)
class TwoStageInference:
    """Design-adjusted inference for the response rate after a two-stage trial."""

    responses: int
    n1: int
    n: int
    stopped_stage1: bool
    umvue: float
    median_unbiased: float
    p_value: float
    lower: float  # P_p(T >= x) = alpha
    upper: float | None  # P_p(T >= x) = 1 - alpha; None at x = 0
    confidence: float  # 1 - 2 alpha
    method: str
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """All fields, JSON-ready (``upper`` is None where it does not exist)."""
        return {**asdict(self), "notes": list(self.notes)}

    def to_frame(self) -> pd.DataFrame:
        """One row with the fields of :meth:`to_dict`, the notes joined by "; "."""
        return pd.DataFrame([{**self.to_dict(), "notes": "; ".join(self.notes)}])

    def __str__(self) -> str:
        upper = "undefined" if self.upper is None else f"{self.upper:.4f}"
        subjects = self.n1 if self.stopped_stage1 else self.n
        stopped = " (stopped after stage 1)" if self.stopped_stage1 else ""
        texts = [
            (f"{self.responses} responses in {subjects} subjects{stopped}; {self.method}", ""),
            (
                f"p-value {self.p_value:.4g}; UMVUE {self.umvue:.4f}; median-unbiased {self.median_unbiased:.4f}",
                "  ",
            ),
            (f"{100 * self.confidence:g} % interval {self.lower:.4f} to {upper}", "  "),
            *((f"note: {note}", "  ") for note in self.notes),
        ]
        return "\n".join(line for text, indent in texts for line in wrap(text, indent=indent))


def _as_run_pvalue(x: int, r1: int, n1: int, n2: int) -> PValueFunction:
    """``P_p(T >= x)`` for the trial as run with stage sizes ``n1`` and ``n2``."""
    x1 = np.arange(r1 + 1, n1 + 1)

    def pvalue(p: float) -> float:
        if x <= r1:
            return float(binom.sf(x - 1, n1, p))
        return float(np.sum(binom.pmf(x1, n1, p) * binom.sf(x - x1 - 1, n2, p)))

    return pvalue


def _conditional_pvalue(x1: int, x2: int, *, r1: int, n1: int, r: int, n2_plan: int, n2_run: int) -> PValueFunction:
    """Koyama & Chen's p-value function when stage 2 enrolled ``n2_run`` instead of ``n2_plan``."""
    needed = r + 1 - x1  # stage-2 responses the plan needed after x1
    x1c = np.arange(r1 + 1, n1 + 1)

    def pvalue(p: float) -> float:
        cond = float(binom.sf(x2 - 1, n2_run, p))
        pi_star = 0.0 if needed <= 0 else float(beta_dist.ppf(cond, needed, n2_plan - needed + 1))
        return float(np.sum(binom.pmf(x1c, n1, p) * binom.sf(r - x1c, n2_plan, pi_star)))

    return pvalue


def _solve(pvalue: PValueFunction, level: float) -> float | None:
    """The rate where the (increasing) p-value function crosses ``level``; None if it never does."""
    lo, hi = pvalue(0.0), pvalue(1.0)
    if lo >= level:
        return 0.0
    if hi <= level:
        return None
    return float(brentq(lambda p: pvalue(p) - level, 0.0, 1.0, xtol=1e-12, rtol=1e-12))


def _umvue(x: int, r1: int, n1: int, n2: int) -> float:
    """Jung & Kim's UMVUE; ``x / n1`` for a trial stopped after stage 1."""
    if x <= r1:
        return x / n1
    x1 = np.arange(max(r1 + 1, x - n2), min(x, n1) + 1)
    top = np.sum(comb(n1 - 1, x1 - 1) * comb(n2, x - x1))
    bottom = np.sum(comb(n1, x1) * comb(n2, x - x1))
    return float(top / bottom)


def _check_counts(
    responses: int, stage1_responses: int | None, r1: int, n1: int, n: int, names: tuple[str, str] = ("n1", "n")
) -> None:
    check_sample_size(n, names[1], minimum=2)
    check_sample_size(n1, names[0], maximum=n - 1)
    if not -1 <= r1 < n1:
        raise DesignError(f"r1 = {r1} must lie between -1 and n1 - 1 = {n1 - 1}.", code="DESIGN-E030", field="r1")
    if not is_whole(responses) or not 0 <= responses <= n:
        raise DesignError(
            f"responses = {responses!r} must be a whole number from 0 to the {n} subjects enrolled.",
            code="DESIGN-E031",
            field="responses",
        )
    if stage1_responses is not None and not (
        is_whole(stage1_responses) and 0 <= stage1_responses <= min(n1, responses)
    ):
        raise DesignError(
            f"stage1_responses = {stage1_responses} must lie between 0 and min(n1, responses) = {min(n1, responses)}.",
            code="DESIGN-E032",
            field="stage1_responses",
        )


@dataclass(frozen=True)
class _Plan:
    r1: int
    n1: int
    r: int
    n: int


def _pvalue_function(
    x: int, plan: _Plan, n1_run: int, n_run: int, stage1_responses: int | None
) -> tuple[PValueFunction, str, tuple[str, ...]]:
    n2_plan, n2_run = plan.n - plan.n1, n_run - n1_run
    notes: list[str] = []
    if n1_run != plan.n1:
        notes.append(f"stage 1 enrolled {n1_run} instead of {plan.n1}: the rule r1 = {plan.r1} is applied to {n1_run}")
    stopped = x <= plan.r1 if stage1_responses is None else stage1_responses <= plan.r1
    if stopped and stage1_responses is not None and stage1_responses != x:
        raise DesignError(
            f"{stage1_responses} stage-1 responses (at most r1 = {plan.r1}) stop the trial after stage 1, "
            f"so the total must also be {stage1_responses}, not {x}. Check the counts.",
            code="DESIGN-E035",
            field="stage1_responses",
        )
    if stopped or n2_run == n2_plan:
        return (
            _as_run_pvalue(x, plan.r1, n1_run, n2_run),
            "ordered by total responses (Koyama & Chen 2008)",
            tuple(notes),
        )
    if stage1_responses is None:
        raise DesignError(
            f"Stage 2 enrolled {n2_run} subjects instead of the planned {n2_plan}: Koyama & Chen's "
            f"inference needs the stage-1 responses; give them (--stage1-responses).",
            code="DESIGN-E033",
            field="stage1_responses",
        )
    x2 = x - stage1_responses
    if not 0 <= x2 <= n2_run:
        raise DesignError(
            f"{x2} stage-2 responses do not fit the {n2_run} stage-2 subjects.", code="DESIGN-E034", field="responses"
        )
    if plan.r + 1 - stage1_responses > n2_plan:
        notes.append("the planned stage 2 could not have reached the final boundary; ordered by total responses as run")
        return _as_run_pvalue(x, plan.r1, n1_run, n2_run), "ordered by total responses, as run", tuple(notes)
    notes.append(f"stage 2 enrolled {n2_run} instead of {n2_plan}: conditional p-value mapped to the planned stage 2")
    fn = _conditional_pvalue(stage1_responses, x2, r1=plan.r1, n1=n1_run, r=plan.r, n2_plan=n2_plan, n2_run=n2_run)
    return fn, "Koyama & Chen 2008, stage-2 size changed", tuple(notes)


def compute_two_stage_inference(
    responses: int,
    *,
    r1: int,
    n1: int,
    r: int,
    n: int,
    p0: float,
    alpha: float = 0.05,
    n1_actual: int | None = None,
    n_actual: int | None = None,
    stage1_responses: int | None = None,
) -> TwoStageInference:
    """Design-adjusted p-value, estimates and ``1 - 2 alpha`` limits after a two-stage trial.

    Parameters
    ----------
    responses
        Total responses observed (stage 1 only if the trial stopped after stage 1).
    r1, n1, r, n
        The planned design (stop if at most ``r1`` of ``n1`` respond; promising if more than ``r`` of ``n``).
    p0
        The uninteresting response rate tested against.
    alpha
        One-sided level: the limits form a ``1 - 2 alpha`` interval.
    n1_actual, n_actual
        The sizes actually enrolled, if they differ from the plan.
    stage1_responses
        Responses in stage 1; needed when the stage-2 size differs from the plan.
    """
    check_rate(p0, "p0")
    check_error_rate(alpha, "alpha")
    check_two_stage_rule(r1, n1, r, n)
    plan = _Plan(r1, n1, r, n)
    n1_run = n1 if n1_actual is None else n1_actual
    n_run = n if n_actual is None else n_actual
    if n_actual is not None and n_actual == n1_run:  # the trial stopped after stage 1
        if not (is_whole(responses) and responses <= r1):
            raise DesignError(
                f"n_actual = {n_actual} = n1 says the trial stopped after stage 1, which needs at most r1 = {r1} "
                f"responses, not {responses}. Give the total enrolled over both stages.",
                code="DESIGN-E033",
                field="n_actual",
            )
        n_run = n  # stage 2 never ran: the planned total does not enter the stage-1 inference
    names = ("n1_actual" if n1_actual is not None else "n1", "n_actual" if n_actual is not None else "n")
    _check_counts(responses, stage1_responses, r1, n1_run, n_run, names)
    stopped = responses <= r1 if stage1_responses is None else stage1_responses <= r1
    pvalue, method, notes = _pvalue_function(responses, plan, n1_run, n_run, stage1_responses)
    median = _solve(pvalue, 0.5)
    return TwoStageInference(
        responses=int(responses),
        n1=int(n1_run),
        n=int(n_run),
        stopped_stage1=bool(stopped),
        umvue=_umvue(responses, r1, n1_run, n_run - n1_run),
        median_unbiased=0.0 if median is None else median,
        p_value=min(1.0, max(0.0, pvalue(p0))),  # sums of binomial terms can pass 1 by 2e-16
        lower=_solve(pvalue, alpha) or 0.0,
        upper=None if pvalue(0.0) >= 1.0 - alpha else _solve(pvalue, 1.0 - alpha),
        confidence=float(1.0 - 2.0 * alpha),
        method=method,
        notes=notes,
    )
