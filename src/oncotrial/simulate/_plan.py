"""The plan of a virtual trial: a protocol and a scenario turned into plain numbers (days, per-day hazards,
arm tables, the design's rule), small and picklable so that a chunk of replicates can run anywhere.

Choices where the protocol is silent (each documented in :func:`oncotrial.simulate.simulate_trials`):

* the assessment calendar: every ``scenario.assessment_interval_weeks`` weeks after randomisation; absent, the
  largest whole number of weeks dividing the protocol's response time points (NCT01416831: weeks 14 and 21 →
  every 7 weeks), else every 8 weeks, as for the virtual patients (``patients.compute_assessment_days``);
* confirmation of CR/PR: ``scenario.confirmation``, else as the protocol says (a primary response endpoint
  with ``confirmation_days``); the confirming assessment at least the protocol's ``confirmation_days``
  later, else 28 days (RECIST 1.1 section 4.6: at least 4 weeks);
* allocation: a randomised design by permuted blocks of twice its ratio; a single-arm or cohort design with
  several arms (parts) by permuted blocks of 1:1...; a Simon design enrols its first arm only;
* crossover: an arm whose protocol arm has a crossover rule (and a design that allows crossover) crosses to
  the rule's arm on progression with the scenario's ``crossover_probability``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from oncotrial.design import find_simon_designs
from oncotrial.errors import DataError
from oncotrial.protocol.models import Protocol, RandomisedDesign, SimonTwoStageDesign
from oncotrial.simulate.scenario import Scenario, check_scenario, design_sample_size

__all__ = ["DAYS_PER_MONTH", "ArmPlan", "SimonRule", "TrialOptions", "TrialPlan", "build_trial_plan"]

DAYS_PER_MONTH = 30.4375
RECIST_CONFIRMATION_DAYS = 28


@dataclass(frozen=True)
class TrialOptions:
    """Analysis options of a virtual trial.

    ``p0``, ``p1``, ``alpha``, ``beta`` and ``simon_kind`` give the Simon design (``oncotrial.design``) of a
    protocol whose Simon design lacks r1/n1/r/n (CALGB-500001); ``pfs_alpha`` is the two-sided level of the
    log-rank test of PFS; ``sd_band`` the range of tumour-size change (fraction of baseline) of patients
    without response.
    """

    p0: float | None = None
    p1: float | None = None
    alpha: float = 0.05
    beta: float = 0.20
    simon_kind: Literal["optimal", "minimax"] = "optimal"
    pfs_alpha: float = 0.05
    sd_band: tuple[float, float] = (-0.25, 0.15)


@dataclass(frozen=True)
class SimonRule:
    """Stop after the first ``n1`` evaluable patients when at most ``r1`` respond; promising when more than
    ``r`` of ``n`` respond."""

    r1: int
    n1: int
    r: int
    n: int


@dataclass(frozen=True)
class ArmPlan:
    """One arm's truth, with hazards per day and the crossover target's position (-1: none)."""

    id: str
    response_probability: float
    complete_response_share: float
    response_day: float
    responder_change: float
    pfs_hazard: float
    os_hazard: float
    responder_hazard_ratio: float
    dropout_hazard: float
    crossover_probability: float
    crossover_to: int


@dataclass(frozen=True)
class TrialPlan:
    """Everything a chunk of replicates needs (see the module docstring)."""

    protocol_id: str
    scenario_id: str
    kind: Literal["simon", "randomised", "single"]
    arms: tuple[ArmPlan, ...]
    allocation_block: tuple[int, ...]  # arm position of each slot of a block, before permutation
    patients: int  # the trial's size (Simon: n evaluable)
    pool: int  # patient slots drawn per replicate (a multiple of the block)
    simon: SimonRule | None
    assessment_days: tuple[int, ...]
    confirmation_days: int | None
    sd_min_days: int
    accrual_per_day: float
    follow_up_days: float
    screening_failure: float
    pfs_alpha: float
    sd_band: tuple[float, float]

    @property
    def days(self) -> np.ndarray:
        return np.asarray(self.assessment_days, dtype=np.int64)


def _simon_rule(protocol: Protocol, design: SimonTwoStageDesign, options: TrialOptions) -> SimonRule:
    if None not in (design.r1, design.n1, design.r, design.n):
        return SimonRule(int(design.r1 or 0), int(design.n1 or 0), int(design.r or 0), int(design.n or 0))
    p0 = options.p0 if options.p0 is not None else design.p0
    p1 = options.p1 if options.p1 is not None else design.p1
    if p0 is None or p1 is None:
        raise DataError(
            f"The Simon design of {protocol.id} gives no stage sizes (r1/n1, r/n) and no p0/p1: give p0 and p1 "
            "(and alpha, beta) so that the design can be found.",
            code="SIM-E050",
            field="p0",
        )
    alpha = options.alpha if design.alpha is None or options.p0 is not None else design.alpha
    beta = options.beta if design.beta is None or options.p0 is not None else design.beta
    found = find_simon_designs(p0, p1, alpha=alpha, beta=beta)
    chosen = found.optimal if options.simon_kind == "optimal" else found.minimax
    return SimonRule(chosen.r1, chosen.n1, chosen.r, chosen.n)


def _interval_weeks(protocol: Protocol, scenario: Scenario) -> float:
    """The virtual patients' assessment calendar (one rule for both: :func:`compute_assessment_days`)."""
    from oncotrial.simulate.patients import compute_assessment_days

    return compute_assessment_days(protocol, scenario) / 7


def _confirmation_days(protocol: Protocol, scenario: Scenario) -> int | None:
    stated = [
        e.response.confirmation_days
        for e in protocol.endpoints
        if e.level == "primary" and e.response is not None and e.response.confirmation_days
    ]
    wanted = scenario.confirmation if scenario.confirmation is not None else bool(stated)
    if not wanted:
        return None
    return int(stated[0]) if stated else RECIST_CONFIRMATION_DAYS


def _arm_plans(protocol: Protocol, scenario: Scenario, arm_ids: list[str]) -> tuple[ArmPlan, ...]:
    allows_crossover = not isinstance(protocol.design, RandomisedDesign) or protocol.design.crossover
    plans = []
    for arm_id in arm_ids:
        truth = scenario.arms[arm_id]
        rules = protocol.arm(arm_id).crossover if allows_crossover else []
        target = arm_ids.index(rules[0].to_arm) if rules and rules[0].to_arm in arm_ids else -1
        plans.append(
            ArmPlan(
                id=arm_id,
                response_probability=truth.response_probability,
                complete_response_share=truth.complete_response_share,
                response_day=truth.weeks_to_response * 7,
                responder_change=truth.responder_change,
                pfs_hazard=truth.pfs_hazard / DAYS_PER_MONTH,
                os_hazard=truth.os_hazard / DAYS_PER_MONTH,
                responder_hazard_ratio=truth.responder_hazard_ratio,
                dropout_hazard=truth.dropout_hazard / DAYS_PER_MONTH,
                crossover_probability=truth.crossover_probability,
                crossover_to=target,
            )
        )
    return tuple(plans)


def _arms_and_block(protocol: Protocol, scenario: Scenario) -> tuple[str, list[str], tuple[int, ...]]:
    design = protocol.design
    if isinstance(design, SimonTwoStageDesign):
        arm = next(a.id for a in protocol.arms if a.id in scenario.arms)
        return "simon", [arm], (0,)
    if isinstance(design, RandomisedDesign):
        arms, ratio = list(design.arms), list(design.ratio)
        kind = "randomised"
    else:
        arms = [a.id for a in protocol.arms]
        ratio, kind = [1] * len(arms), "single"
    missing = [arm for arm in arms if arm not in scenario.arms]
    if missing:
        raise DataError(
            f"Scenario {scenario.id} gives no truth for arm(s) {', '.join(missing)} of {protocol.id}: add them "
            "under 'arms'.",
            code="SIM-E051",
            field=f"arms.{missing[0]}",
        )
    block = tuple(i for i, count in enumerate(ratio) for _ in range(2 * count))
    return kind, arms, block


def _pool(kind: str, patients: int, arms: tuple[ArmPlan, ...], first_day: int, block: int) -> int:
    """Patient slots per replicate: a Simon trial replaces patients who drop out before their first
    assessment, so it draws enough for that to run short about once in 10⁹ trials."""
    size = patients
    if kind == "simon":
        lost = 1 - math.exp(-arms[0].dropout_hazard * first_day)
        mean = patients / (1 - lost) if lost < 1 else patients * 100
        size = math.ceil(mean + 6 * math.sqrt(mean * max(lost, 1e-12)) + 2)
    return max(block, math.ceil(size / block) * block)


def build_trial_plan(protocol: Protocol, scenario: Scenario, options: TrialOptions | None = None) -> TrialPlan:
    """Check the scenario against the protocol (:func:`check_scenario`) and turn both into a plan."""
    options = options or TrialOptions()
    check_scenario(scenario, protocol)
    kind, arm_ids, block = _arms_and_block(protocol, scenario)
    arms = _arm_plans(protocol, scenario, arm_ids)
    simon = (
        _simon_rule(protocol, protocol.design, options) if isinstance(protocol.design, SimonTwoStageDesign) else None
    )
    patients = simon.n if simon is not None else (scenario.patients or design_sample_size(protocol))
    if patients is None:
        raise DataError(
            f"Neither scenario {scenario.id} nor the design of {protocol.id} says how many patients to enrol: "
            "give 'patients' in the scenario.",
            code="SIM-E052",
            field="patients",
        )
    interval = _interval_weeks(protocol, scenario) * 7
    accrual_per_day = scenario.accrual_per_month / DAYS_PER_MONTH
    follow_up_days = scenario.follow_up_months * DAYS_PER_MONTH
    pool = _pool(kind, patients, arms, round(interval), len(block))
    horizon = 1.5 * pool / accrual_per_day + follow_up_days + interval
    count = min(max(2, math.ceil(horizon / interval)), 520)
    return TrialPlan(
        protocol_id=protocol.id,
        scenario_id=scenario.id,
        kind=kind,  # type: ignore[arg-type]
        arms=arms,
        allocation_block=block,
        patients=int(patients),
        pool=pool,
        simon=simon,
        assessment_days=tuple(round(interval * k) for k in range(1, count + 1)),
        confirmation_days=_confirmation_days(protocol, scenario),
        sd_min_days=round(scenario.sd_min_weeks * 7),
        accrual_per_day=accrual_per_day,
        follow_up_days=follow_up_days,
        screening_failure=scenario.screening.failure_probability,
        pfs_alpha=options.pfs_alpha,
        sd_band=options.sd_band,
    )
