"""Virtual trials: many replicates of a trial run through accrual, screening, allocation, the assessment
calendar, RECIST 1.1, the endpoints and the design's decision, for its operating characteristics.

:func:`simulate_trials` reports, each with its Monte-Carlo standard error:

* a Simon design: P(declare promising), P(stop at stage 1), the expected sample size (patients enrolled,
  those lost before their first assessment replaced), each beside its exact value from
  :func:`oncotrial.design.compute_two_stage_characteristics` at the arm's true response probability, with
  the difference (what confirmation, dropout and deaths change is shown, not hidden);
* a randomised (or several-part) design: the probability that each arm has the most responses (ties broken
  at random: the selection decision) and of selecting the truly best arm, beside the exact values of
  :func:`oncotrial.design.compute_selection_probability` when the arms are of equal size; the power of the
  PFS comparison (log-rank, two-sided ``pfs_alpha``); the expected sample size and people screened;
* every design: the bias of each arm's ORR estimate (responses / patients analysed, minus the truth).

How one replicate is simulated is in :mod:`oncotrial.simulate._engine` and the choices where a protocol
is silent (assessment calendar, confirmation, allocation) in :mod:`oncotrial.simulate._plan`. The work is
split into chunks of replicates; :mod:`oncotrial.simulate.cluster` runs the chunks on Dask. Results are the
same however the replicates are split.

References
----------
Simon R. Optimal two-stage designs for phase II clinical trials. Control Clin Trials 1989;10:1-10.
Simon R, Wittes RE, Ellenberg SS. Randomized phase II clinical trials. Cancer Treat Rep 1985;69:1375-1381.
Eisenhauer EA et al. RECIST 1.1. Eur J Cancer 2009;45:228-247.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from oncotrial._results import format_table
from oncotrial.design import compute_selection_probability, compute_two_stage_characteristics
from oncotrial.errors import DataError
from oncotrial.protocol.models import Protocol
from oncotrial.simulate._engine import ReplicateOutcomes, simulate_replicates
from oncotrial.simulate._plan import TrialOptions, TrialPlan, build_trial_plan
from oncotrial.simulate.scenario import Scenario

__all__ = [
    "Chunk",
    "ChunkRunner",
    "Estimate",
    "OperatingCharacteristics",
    "ReplicateOutcomes",
    "TrialOptions",
    "TrialPlan",
    "build_trial_plan",
    "check_run",
    "run_chunks_in_process",
    "simulate_replicates",
    "simulate_trials",
    "split_replicates",
]

MAX_REPLICATES = 10_000_000
Chunk = tuple[int, int]  # replicates start..stop-1
ChunkRunner = Callable[[TrialPlan, int, Sequence[Chunk]], Iterable[ReplicateOutcomes]]


@dataclass(frozen=True)
class Estimate:
    """One operating characteristic: its Monte-Carlo estimate and standard error, and the exact value
    where one exists (``difference`` = estimate - exact)."""

    measure: str
    arm: str
    estimate: float
    se: float
    exact: float | None = None

    @property
    def difference(self) -> float | None:
        return None if self.exact is None else self.estimate - self.exact

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "arm": self.arm,
            "estimate": self.estimate,
            "se": self.se,
            "exact": self.exact,
            "difference": self.difference,
        }


@dataclass(frozen=True)
class OperatingCharacteristics:
    """The result of :func:`simulate_trials`; ``outcomes`` holds each replicate's values."""

    protocol_id: str
    scenario_id: str
    replicates: int
    seed: int
    design: str
    confirmation_days: int | None
    sd_min_days: int
    estimates: tuple[Estimate, ...]
    outcomes: ReplicateOutcomes = field(repr=False, compare=False)

    def get(self, measure: str, arm: str = "") -> Estimate:
        """The estimate of ``measure`` (for ``arm`` when it is per arm)."""
        return next(e for e in self.estimates if e.measure == measure and e.arm == arm)

    def to_frame(self) -> pd.DataFrame:
        """One row per estimate: measure, arm, estimate, se, exact, difference."""
        return pd.DataFrame([e.to_dict() for e in self.estimates])

    def to_replicate_frame(self) -> pd.DataFrame:
        """One row per replicate: enrolled, screened, per arm analysed and responses, the decisions."""
        o = self.outcomes
        frame = pd.DataFrame({"replicate": np.arange(len(o)), "enrolled": o.enrolled, "screened": o.screened})
        arms = [e.arm for e in self.estimates if e.measure == "ORR bias"]
        for i, arm in enumerate(arms):
            frame[f"analysed_{arm}"] = o.analysed[:, i]
            frame[f"responses_{arm}"] = o.responses[:, i]
        frame["stopped_stage1"] = o.stopped
        frame["promising"] = o.promising
        frame["selected"] = [arms[i] if i >= 0 else "" for i in o.selected]
        frame["pfs_logrank_p"] = o.pfs_p
        frame["crossovers"] = o.crossovers
        return frame

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the run's settings and the estimates."""
        return {
            "protocol": self.protocol_id,
            "scenario": self.scenario_id,
            "replicates": self.replicates,
            "seed": self.seed,
            "design": self.design,
            "confirmation_days": self.confirmation_days,
            "sd_min_days": self.sd_min_days,
            "estimates": [e.to_dict() for e in self.estimates],
        }

    def __str__(self) -> str:
        confirmation = f"confirmed at >= {self.confirmation_days} days" if self.confirmation_days else "unconfirmed"
        head = [
            f"{self.replicates} virtual trials of {self.protocol_id} (scenario {self.scenario_id}, seed {self.seed})",
            f"design {self.design}; responses {confirmation}; SD at >= {self.sd_min_days} days",
        ]
        rows = [
            [
                e.measure,
                e.arm,
                f"{e.estimate:.4f}",
                f"{e.se:.4f}",
                "" if e.exact is None else f"{e.exact:.4f}",
                "" if e.difference is None else f"{e.difference:+.4f}",
            ]
            for e in self.estimates
        ]
        return "\n".join([*head, *format_table(("measure", "arm", "estimate", "MC SE", "exact", "difference"), rows)])


def _proportion(measure: str, hits: np.ndarray, arm: str = "", exact: float | None = None) -> Estimate:
    p = float(np.mean(hits))
    return Estimate(measure, arm, p, math.sqrt(p * (1 - p) / hits.size), exact)


def _mean(measure: str, values: np.ndarray, arm: str = "", exact: float | None = None) -> Estimate:
    sd = float(np.std(values, ddof=1)) if values.size > 1 else 0.0
    return Estimate(measure, arm, float(np.mean(values)), sd / math.sqrt(values.size), exact)


def _simon_estimates(plan: TrialPlan, o: ReplicateOutcomes) -> list[Estimate]:
    assert plan.simon is not None
    rule = plan.simon
    exact = compute_two_stage_characteristics(rule.r1, rule.n1, rule.r, rule.n, plan.arms[0].response_probability)
    return [
        _proportion("P(declare promising)", o.promising, exact=exact.reject),
        _proportion("P(stop at stage 1)", o.stopped, exact=exact.pet),
        _mean("expected sample size", o.enrolled, exact=exact.en),
    ]


def _selection_estimates(plan: TrialPlan, o: ReplicateOutcomes) -> list[Estimate]:
    rates = [a.response_probability for a in plan.arms]
    if len(rates) < 2:
        return [_mean("expected sample size", o.enrolled)]
    balanced = len(set(plan.allocation_block.count(i) for i in range(len(rates)))) == 1
    per_arm = plan.patients // len(rates)
    exact = None
    if balanced and plan.patients % len(plan.allocation_block) == 0 and 0 < min(rates) and max(rates) < 1:
        exact = compute_selection_probability(per_arm, rates)
    found = [
        _proportion("P(selected)", o.selected == i, arm.id, None if exact is None else exact.selected[i])
        for i, arm in enumerate(plan.arms)
    ]
    best = int(np.argmax(rates))
    found.append(
        _proportion("P(correct selection)", o.selected == best, exact=None if exact is None else exact.correct)
    )
    if not np.isnan(o.pfs_p).all():
        found.append(_proportion("power of PFS comparison", o.pfs_p < plan.pfs_alpha))
    found.append(_mean("expected sample size", o.enrolled))
    return found


def _estimates(plan: TrialPlan, o: ReplicateOutcomes) -> tuple[Estimate, ...]:
    found = _simon_estimates(plan, o) if plan.simon is not None else _selection_estimates(plan, o)
    found.append(_mean("expected people screened", o.screened))
    with np.errstate(divide="ignore", invalid="ignore"):
        orr = o.responses / o.analysed
    for i, arm in enumerate(plan.arms):
        found.append(_mean("ORR bias", orr[:, i] - arm.response_probability, arm.id))
    if o.short.any():  # a Simon trial that ran out of patient slots before n evaluable (never expected)
        found.append(_proportion("P(too few patients drawn)", o.short))
    if any(a.crossover_to >= 0 for a in plan.arms):
        found.append(_mean("crossovers per trial", o.crossovers))
    return tuple(found)


def split_replicates(replicates: int, chunk_size: int) -> list[Chunk]:
    """The chunks ``(start, stop)`` covering replicates 0..replicates-1."""
    return [(start, min(start + chunk_size, replicates)) for start in range(0, replicates, chunk_size)]


def run_chunks_in_process(plan: TrialPlan, seed: int, chunks: Sequence[Chunk]) -> Iterable[ReplicateOutcomes]:
    """Run the chunks one after the other in this process."""
    for start, stop in chunks:
        yield simulate_replicates(plan, seed, start, stop)


def check_run(replicates: int, seed: int, chunk_size: int = 1000) -> None:
    """Refuse a number of replicates, a seed or a chunk size that is not a whole number in range."""
    checks = [
        ("replicates", replicates, 1, MAX_REPLICATES, "the number of virtual trials"),
        ("seed", seed, 0, 2**63 - 1, "the random seed"),
        ("chunk_size", chunk_size, 1, MAX_REPLICATES, "the replicates per chunk"),
    ]
    for name, value, low, high, what in checks:
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or not low <= value <= high:
            raise DataError(
                f"{name} = {value!r} is not valid: {what} must be a whole number from {low} to {high}.",
                code="SIM-E053",
                field=name,
            )


def simulate_trials(
    protocol: Protocol,
    scenario: Scenario,
    replicates: int,
    *,
    seed: int,
    options: TrialOptions | None = None,
    chunk_size: int = 1000,
    run_chunks: ChunkRunner = run_chunks_in_process,
    progress: Callable[[int], None] | None = None,
) -> OperatingCharacteristics:
    """Simulate ``replicates`` trials of ``protocol`` under ``scenario`` and report their operating
    characteristics (see the module docstring).

    Replicate ``i`` draws from ``SeedSequence(seed).spawn(replicates)[i]``; the replicates are run in chunks
    of ``chunk_size`` by ``run_chunks`` (in this process by default; :func:`oncotrial.simulate.cluster.dask_runner`
    on Dask), which yields each chunk's outcomes in order; ``progress`` is called with the replicates done.

    Raises
    ------
    ProtocolError
        The scenario does not fit the protocol (:func:`oncotrial.simulate.check_scenario`).
    DataError
        ``replicates``, ``seed`` or ``chunk_size`` is not a whole number in range; the protocol's design
        cannot be simulated (no sample size, a Simon design without stage sizes and without p0/p1).
    """
    check_run(replicates, seed, chunk_size)
    plan = build_trial_plan(protocol, scenario, options)
    parts: list[ReplicateOutcomes] = []
    for part in run_chunks(plan, int(seed), split_replicates(int(replicates), int(chunk_size))):
        parts.append(part)
        if progress is not None:
            progress(sum(len(p) for p in parts))
    outcomes = ReplicateOutcomes.concatenate(parts)
    rule = plan.simon
    design = (
        f"Simon two-stage {rule.r1}/{rule.n1}, {rule.r}/{rule.n}"
        if rule is not None
        else f"{plan.kind}, {plan.patients} patients, arms {', '.join(a.id for a in plan.arms)}"
    )
    return OperatingCharacteristics(
        protocol_id=plan.protocol_id,
        scenario_id=plan.scenario_id,
        replicates=int(replicates),
        seed=int(seed),
        design=design,
        confirmation_days=plan.confirmation_days,
        sd_min_days=plan.sd_min_days,
        estimates=_estimates(plan, outcomes),
        outcomes=outcomes,
    )
