"""Replicates of a virtual trial as arrays [replicate, patient(, assessment)]: no Python loop per patient.

Each replicate ``i`` draws one block of uniforms from its own stream, ``SeedSequence(seed, spawn_key=(i,))``
(the ``i``-th child of ``SeedSequence(seed).spawn``), so a replicate's result does not depend on the chunk
it runs in. Each row of the block is one of :data:`DRAWS`, one value per patient slot; everything else is
arithmetic on those arrays:

* entry: a Poisson accrual process; screening: the people screened for each enrolled patient
  (geometric with the scenario's failure probability); allocation: permuted blocks (``plan.allocation_block``);
* the truth: response with the arm's probability (a CR with its CR share); a responder's tumour shrinks
  linearly to ``responder_change`` (CR: to 0 mm) by ``weeks_to_response``, then stays until progression;
  a patient without response moves to a level drawn in ``sd_band`` by the first assessment;
* times (exponential): progression (a responder's counted from the first assessment at full response,
  with the hazard times ``responder_hazard_ratio``), death, dropout; at progression the sum of diameters
  rises 25 % and 5.5 mm above the nadir; after an observed progression a patient crosses over with the
  arm's crossover probability (counted, not analysed: responses and PFS are by arm as randomised);
* assessments on the calendar until the first PD, death or dropout; RECIST 1.1 time-point and best
  responses (:mod:`oncotrial.simulate._recist`); response is assessed with complete follow-up (a design
  decision waits for every patient's assessments); PFS (first PD or death) is cut at the data cut-off,
  ``follow_up_months`` after the last enrolment, and censored at the last assessment before dropout or
  the cut-off. Randomisation, death and dropout fall on whole days, as dates do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from oncotrial.recist.rules import OverallResponse
from oncotrial.simulate._logrank import compute_logrank_batch
from oncotrial.simulate._plan import TrialPlan
from oncotrial.simulate._recist import compute_best_responses, compute_timepoint_codes

__all__ = [
    "DRAWS",
    "PatientArrays",
    "ReplicateOutcomes",
    "compute_pfs",
    "draw_uniforms",
    "simulate_patients",
    "simulate_replicates",
]

DRAWS = (
    "entry",
    "screening",
    "allocation",
    "response",
    "complete",
    "baseline",
    "level",
    "progression",
    "death",
    "dropout",
    "crossover",
    "tie",
)
_ROW = {name: i for i, name in enumerate(DRAWS)}
_RESPONSES = (int(OverallResponse.CR), int(OverallResponse.PR))

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


def draw_uniforms(plan: TrialPlan, seed: int, start: int, stop: int) -> FloatArray:
    """Uniforms [replicate, draw, patient] of replicates ``start`` to ``stop - 1``, each from its own stream."""
    shape = (len(DRAWS), plan.pool)
    out = np.empty((stop - start, *shape))
    for row, index in enumerate(range(start, stop)):  # one generator per replicate; the work is vectorised
        stream = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(index,))))
        out[row] = stream.random(shape)
    return out


def _exponential(u: FloatArray, hazard: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore"):
        times: FloatArray = -np.log1p(-u) / hazard  # hazard 0: never
    return times


@dataclass(frozen=True)
class PatientArrays:
    """Every patient slot of every replicate [replicate, patient(, assessment)]."""

    arm: IntArray
    entry: FloatArray
    screened: IntArray  # people screened for this slot (the patient and the failures before)
    responder: BoolArray  # the truth
    baseline: FloatArray  # sum of diameters at baseline, mm
    sums: FloatArray  # at each calendar assessment
    assessed: BoolArray  # the assessments the patient has
    codes: IntArray  # time-point overall responses (OverallResponse, -1 not assessed)
    best: IntArray  # best overall response (confirmed when the plan asks)
    evaluable: BoolArray  # not lost before the first assessment
    death: FloatArray
    dropout: FloatArray
    progression_day: FloatArray  # the assessment that showed PD (inf: none)
    crossed: BoolArray


def _arm_values(plan: TrialPlan, arm: IntArray, name: str) -> FloatArray:
    values: FloatArray = np.array([getattr(a, name) for a in plan.arms], dtype=np.float64)[arm]
    return values


def _allocate(plan: TrialPlan, u: FloatArray) -> IntArray:
    block = np.asarray(plan.allocation_block, dtype=np.int64)
    keys = u.reshape(u.shape[0], -1, block.size)
    arm: IntArray = block[np.argsort(keys, axis=2, kind="stable")].reshape(u.shape)
    return arm


def _screened(plan: TrialPlan, u: FloatArray) -> IntArray:
    if plan.screening_failure <= 0:
        return np.ones(u.shape, dtype=np.int64)
    failures = np.floor(np.log1p(-u) / np.log(plan.screening_failure)) if plan.screening_failure < 1 else 0 * u
    screened: IntArray = failures.astype(np.int64) + 1
    return screened


def _levels(plan: TrialPlan, u: FloatArray, arm: IntArray) -> tuple[BoolArray, FloatArray]:
    responder = u[:, _ROW["response"]] < _arm_values(plan, arm, "response_probability")
    complete = u[:, _ROW["complete"]] < _arm_values(plan, arm, "complete_response_share")
    low, high = plan.sd_band
    stable = low + (high - low) * u[:, _ROW["level"]]
    level = np.where(responder, np.where(complete, -1.0, _arm_values(plan, arm, "responder_change")), stable)
    return responder, level


def _pre_progression_sums(
    plan: TrialPlan, baseline: FloatArray, level: FloatArray, responder: BoolArray, arm: IntArray
) -> FloatArray:
    days = plan.days.astype(np.float64)
    reach = _arm_values(plan, arm, "response_day")
    fraction = np.where(responder[..., None], np.minimum(days / reach[..., None], 1.0), 1.0)
    # measured to 0.1 mm, rounded down so that a response level below -30 % stays a PR
    sums: FloatArray = np.floor(baseline[..., None] * (1 + level[..., None] * fraction) * 10) / 10
    return sums


def _progression(plan: TrialPlan, u: FloatArray, arm: IntArray, responder: BoolArray) -> FloatArray:
    days = plan.days.astype(np.float64)
    hazard = _arm_values(plan, arm, "pfs_hazard")
    reach = _arm_values(plan, arm, "response_day")
    position = np.searchsorted(days, reach, side="left")
    at_response = np.where(position < days.size, days[np.minimum(position, days.size - 1)], np.inf)
    ratio = np.where(responder, _arm_values(plan, arm, "responder_hazard_ratio"), 1.0)
    waited = _exponential(u[:, _ROW["progression"]], hazard * ratio)
    progression: FloatArray = np.where(responder, at_response + waited, waited)
    return progression


def _with_progression(sums: FloatArray, baseline: FloatArray, first_pd: IntArray) -> FloatArray:
    """The sums with the one at the first PD assessment grown 25 % and 5.5 mm above the nadir. Before it a
    trajectory never rises (a responder's falls, another's is flat), so the nadir is the smaller of the
    baseline and the assessment just before."""
    before = np.take_along_axis(sums, np.clip(first_pd - 1, 0, sums.shape[-1] - 1)[..., None], -1)[..., 0]
    nadir = np.where(first_pd > 0, np.minimum(baseline, before), baseline)
    grown = np.ceil(np.maximum(1.25 * nadir, nadir + 5.5) * 10) / 10
    at_pd = np.arange(sums.shape[-1]) == first_pd[..., None]
    result: FloatArray = np.where(at_pd, grown[..., None], sums)
    return result


def simulate_patients(plan: TrialPlan, u: FloatArray) -> PatientArrays:
    """The patients of the replicates whose uniforms are ``u`` (from :func:`draw_uniforms`)."""
    days = plan.days
    arm = _allocate(plan, u[:, _ROW["allocation"]]) if len(plan.arms) > 1 else np.zeros(u[:, 0].shape, np.int64)
    gaps = _exponential(u[:, _ROW["entry"]], np.full(arm.shape, plan.accrual_per_day))
    entry = np.floor(np.cumsum(gaps, axis=1))  # the day of randomisation
    responder, level = _levels(plan, u, arm)
    baseline = np.round(20 + 130 * u[:, _ROW["baseline"]], 1)
    progression = _progression(plan, u, arm, responder)
    # events fall on days after randomisation (day 1 at the earliest), as dates do
    death = np.ceil(_exponential(u[:, _ROW["death"]], _arm_values(plan, arm, "os_hazard")))
    dropout = np.ceil(_exponential(u[:, _ROW["dropout"]], _arm_values(plan, arm, "dropout_hazard")))
    first_pd = np.searchsorted(days, progression, side="left")
    position = np.arange(days.size)
    assessed = (days < np.minimum(death, dropout)[..., None]) & (position <= first_pd[..., None])
    sums = _with_progression(_pre_progression_sums(plan, baseline, level, responder, arm), baseline, first_pd)
    codes = compute_timepoint_codes(baseline, sums, assessed)
    best = compute_best_responses(codes, days, sd_min_days=plan.sd_min_days, confirmation_days=plan.confirmation_days)
    shown = (first_pd < days.size) & np.take_along_axis(assessed, np.minimum(first_pd, days.size - 1)[..., None], -1)[
        ..., 0
    ]
    progression_day = np.where(shown, days[np.minimum(first_pd, days.size - 1)], np.inf)
    to = np.array([a.crossover_to for a in plan.arms])[arm]
    crossed = shown & (to >= 0) & (u[:, _ROW["crossover"]] < _arm_values(plan, arm, "crossover_probability"))
    return PatientArrays(
        arm=arm,
        entry=entry,
        screened=_screened(plan, u[:, _ROW["screening"]]),
        responder=responder,
        baseline=baseline,
        sums=sums,
        assessed=assessed,
        codes=codes,
        best=best,
        evaluable=~(dropout < np.minimum(death, float(days[0]))),
        death=death,
        dropout=dropout,
        progression_day=progression_day,
        crossed=crossed,
    )


@dataclass(frozen=True)
class ReplicateOutcomes:
    """One value per replicate (arrays [replicate] or [replicate, arm])."""

    enrolled: IntArray
    screened: IntArray
    analysed: IntArray  # [replicate, arm]: patients in the response analysis
    responses: IntArray  # [replicate, arm]
    stopped: BoolArray  # Simon: stopped after stage 1
    promising: BoolArray  # Simon: declared promising
    selected: IntArray  # the arm with the most responses (ties at random); -1 for a single arm
    pfs_p: FloatArray  # log-rank p-value of PFS between two arms (NaN: no comparison)
    crossovers: IntArray
    short: BoolArray  # Simon: the patient slots ran out before n evaluable (should never happen)

    @staticmethod
    def concatenate(parts: list[ReplicateOutcomes]) -> ReplicateOutcomes:
        """The replicates of several chunks, in order."""
        return ReplicateOutcomes(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(ReplicateOutcomes)}
        )

    def __len__(self) -> int:
        return int(self.enrolled.size)


def _first_reaching(counts: IntArray, target: int) -> tuple[IntArray, BoolArray]:
    reached = counts >= target
    found: BoolArray = np.asarray(reached.any(axis=1), dtype=bool)
    position: IntArray = np.where(found, np.argmax(reached, axis=1), counts.shape[1] - 1)
    return position, found


def _enrolment(plan: TrialPlan, p: PatientArrays) -> tuple[BoolArray, BoolArray, BoolArray, BoolArray]:
    """Who is enrolled (and analysed), and per replicate: stopped, promising, short of patients."""
    slots = np.arange(p.arm.shape[1])
    respond = np.isin(p.best, _RESPONSES) & p.evaluable
    if plan.simon is None:
        enrolled = np.broadcast_to(slots < plan.patients, p.arm.shape)
        no = np.zeros(p.arm.shape[0], dtype=bool)
        return enrolled, no, no, no
    rule = plan.simon
    counts = np.cumsum(p.evaluable, axis=1, dtype=np.int64)
    end1, found1 = _first_reaching(counts, rule.n1)
    end, found = _first_reaching(counts, rule.n)
    stage1 = (respond & (slots <= end1[:, None])).sum(axis=1)
    stopped = stage1 <= rule.r1
    last = np.where(stopped, end1, end)
    total = (respond & (slots <= end[:, None])).sum(axis=1)
    promising = ~stopped & (total > rule.r)
    short = np.where(stopped, ~found1, ~found)
    return slots <= last[:, None], stopped, promising, short


def _selection(plan: TrialPlan, responses: IntArray, u_tie: FloatArray) -> IntArray:
    if len(plan.arms) < 2:
        return np.full(responses.shape[0], -1, dtype=np.int64)
    top = responses == responses.max(axis=1, keepdims=True)
    pick = np.floor(u_tie * top.sum(axis=1)).astype(np.int64)  # the pick-th of the tied arms
    selected: IntArray = np.argmax(np.cumsum(top, axis=1) > pick[:, None], axis=1)
    return selected


def compute_pfs(plan: TrialPlan, p: PatientArrays) -> tuple[FloatArray, BoolArray]:
    """PFS of the first ``plan.patients`` patients [replicate, patient]: days from randomisation to the first
    PD assessment or death, whichever is first, when seen by the data cut-off (``follow_up_months`` after the
    last randomisation) and before dropout; else censored at the last assessment before them (day 0 without
    one) — the core's PFS (:func:`oncotrial.endpoints.derive_adtte`) for these records."""
    n = plan.patients
    cutoff = p.entry[:, n - 1 : n] + math.floor(plan.follow_up_days)
    end = np.minimum(p.dropout, cutoff - p.entry)[:, :n]
    days = plan.days.astype(np.float64)
    pd_seen = p.progression_day[:, :n] <= end
    death_seen = p.death[:, :n] <= end
    event = pd_seen | death_seen
    time = np.minimum(np.where(pd_seen, p.progression_day[:, :n], np.inf), np.where(death_seen, p.death[:, :n], np.inf))
    done = (p.assessed[:, :n] & (days <= end[..., None])).sum(axis=-1)
    censored = np.where(done > 0, days[np.maximum(done - 1, 0)], 0.0)
    return np.where(event, time, censored), event


def _pfs_p(plan: TrialPlan, p: PatientArrays) -> FloatArray:
    if len(plan.arms) != 2 or plan.simon is not None:
        return np.full(p.arm.shape[0], np.nan)
    time, event = compute_pfs(plan, p)
    _, pvalue = compute_logrank_batch(time, event, p.arm[:, : plan.patients] == 1)
    return pvalue


def summarise_replicates(plan: TrialPlan, p: PatientArrays, u_tie: FloatArray) -> ReplicateOutcomes:
    """The design's decision and the endpoints of each replicate."""
    enrolled, stopped, promising, short = _enrolment(plan, p)
    analysed_mask = enrolled & (p.evaluable if plan.simon is not None else True)
    respond = np.isin(p.best, _RESPONSES) & analysed_mask
    arms = np.arange(len(plan.arms))
    in_arm = p.arm[..., None] == arms
    responses = (respond[..., None] & in_arm).sum(axis=1)
    return ReplicateOutcomes(
        enrolled=enrolled.sum(axis=1),
        screened=(p.screened * enrolled).sum(axis=1),
        analysed=(analysed_mask[..., None] & in_arm).sum(axis=1),
        responses=responses,
        stopped=stopped,
        promising=promising,
        selected=_selection(plan, responses, u_tie),
        pfs_p=_pfs_p(plan, p),
        crossovers=(p.crossed & enrolled).sum(axis=1),
        short=short,
    )


def simulate_replicates(plan: TrialPlan, seed: int, start: int, stop: int) -> ReplicateOutcomes:
    """Replicates ``start`` to ``stop - 1`` of the trial (a chunk: the unit of work sent to a worker)."""
    u = draw_uniforms(plan, seed, start, stop)
    return summarise_replicates(plan, simulate_patients(plan, u), u[:, _ROW["tie"], 0])
