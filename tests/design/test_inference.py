"""Inference after a Simon two-stage trial against clinfun 1.1.5's twostage.inference and hand arithmetic.

The p-value function is P_p(T >= x), T the total responses (a trial stopped after stage 1 ranks with its
stage-1 responses); the limits solve P_p(T >= x) = alpha and = 1 - alpha (a 1 - 2 alpha interval).
"""

from __future__ import annotations

import csv
import math

import pytest

from oncotrial.design import compute_two_stage_inference
from oncotrial.errors import DesignError
from tests.conftest import shared_path

Row = dict[str, str]


@pytest.fixture(scope="module")
def inference_rows() -> list[Row]:
    """two_stage_inference.csv: clinfun's twostage.inference(x, r1, n1, n, pu, alpha), 31 rows."""
    with shared_path("reference", "simon", "two_stage_inference.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def _limit_mismatches(row: Row, lower: float, upper: float | None, median: float) -> list[str]:
    if row["LCL"] == "NA":  # x = 0: clinfun has no limits
        if (lower, upper, median) != (0.0, None, 0.0):
            return [f"lower, upper, median = {lower!r}, {upper!r}, {median!r} != 0.0, None, 0.0"]
        return []
    problems = []
    if abs(lower - float(row["LCL"])) > 1e-4 + 1e-9:
        problems.append(f"lower {lower!r} != LCL {row['LCL']}")
    if upper is None or abs(upper - float(row["UCL"])) > 1e-4 + 1e-9:
        problems.append(f"upper {upper!r} != UCL {row['UCL']}")
    return problems


def _row_mismatches(row: Row) -> list[str]:
    r1, n1, r, n, x = (int(row[c]) for c in ("r1", "n1", "r", "n", "x"))
    got = compute_two_stage_inference(x, r1=r1, n1=n1, r=r, n=n, p0=float(row["pu"]), alpha=float(row["alpha"]))
    problems = []
    if got.stopped_stage1 != (row["stopped_stage1"] == "TRUE"):
        problems.append(f"stopped_stage1 {got.stopped_stage1} != {row['stopped_stage1']}")
    if abs(got.umvue - float(row["pumvue"])) > 1e-12:
        problems.append(f"umvue {got.umvue!r} != {row['pumvue']}")
    if abs(got.p_value - float(row["p_value"])) > 1e-12:
        problems.append(f"p_value {got.p_value!r} != {row['p_value']}")
    problems += _limit_mismatches(row, got.lower, got.upper, got.median_unbiased)
    return [f"{r1}/{n1},{r}/{n} p0={row['pu']} x={x}: {p}" for p in problems]


def test_two_stage_inference_matches_clinfun_twostage_inference(inference_rows: list[Row]) -> None:
    """Expected: shared reference/simon/two_stage_inference.csv, from clinfun 1.1.5
    ``twostage.inference(x, r1, n1, n, pu, alpha)``: pumvue and p.value to 1e-12; LCL/UCL to 1e-4, clinfun's
    grid step (NA at x = 0, where oncotrial reports lower 0, upper None and a median-unbiased estimate of 0)."""
    assert len(inference_rows) == 31
    mismatches = [m for row in inference_rows for m in _row_mismatches(row)]
    assert not mismatches, "\n".join(mismatches)


def test_stopped_trial_matches_hand_calculation() -> None:
    """Design 1/10, 5/29, p0 = .1, x = 1 (stopped after stage 1), by hand: UMVUE = x / n1 = .1;
    p-value = P(X1 >= 1) = 1 - .9^10 = 0.6513215599; P_p(T >= 1) = 1 - (1 - p)^10, so the median-unbiased
    estimate is 1 - .5^(1/10), the lower limit 1 - .95^(1/10) and the upper limit 1 - .05^(1/10)."""
    got = compute_two_stage_inference(1, r1=1, n1=10, r=5, n=29, p0=0.1)
    assert got.stopped_stage1
    assert (got.responses, got.n1, got.n) == (1, 10, 29)
    assert got.umvue == pytest.approx(0.1, abs=1e-15)
    assert got.p_value == pytest.approx(0.6513215599, abs=1e-10)
    assert got.median_unbiased == pytest.approx(1 - 0.5**0.1, abs=1e-9)
    assert got.lower == pytest.approx(1 - 0.95**0.1, abs=1e-9)
    assert got.upper == pytest.approx(1 - 0.05**0.1, abs=1e-9)
    assert got.confidence == pytest.approx(0.9)
    assert "stopped after stage 1" in str(got)


def test_continued_tiny_trial_matches_hand_calculation() -> None:
    """Design 0/2, 1/4, p0 = .5, x = 1 after both stages, by hand. T >= 1 exactly when X1 >= 1 (stage 2
    follows only then), so P_p(T >= 1) = 1 - (1 - p)^2: p-value = .75; median-unbiased 1 - sqrt(.5);
    limits 1 - sqrt(.95) and 1 - sqrt(.05). UMVUE (Jung & Kim): x1 = 1 only,
    C(1, 0) C(2, 0) / (C(2, 1) C(2, 0)) = 1/2."""
    got = compute_two_stage_inference(1, r1=0, n1=2, r=1, n=4, p0=0.5)
    assert not got.stopped_stage1
    assert got.p_value == pytest.approx(0.75, abs=1e-12)
    assert got.umvue == pytest.approx(0.5, abs=1e-12)
    assert got.median_unbiased == pytest.approx(1 - math.sqrt(0.5), abs=1e-9)
    assert got.lower == pytest.approx(1 - math.sqrt(0.95), abs=1e-9)
    assert got.upper == pytest.approx(1 - math.sqrt(0.05), abs=1e-9)


def test_no_responses_has_no_upper_limit() -> None:
    """Design 0/2, 1/4, x = 0, by hand: P_p(T >= 0) = 1 for every p, so the p-value is 1, the lower limit and
    the median-unbiased estimate are 0, and no p gives 1 - alpha (clinfun: NA); UMVUE = 0 / 2 = 0."""
    got = compute_two_stage_inference(0, r1=0, n1=2, r=1, n=4, p0=0.5)
    assert got.stopped_stage1
    assert (got.p_value, got.umvue, got.lower, got.upper, got.median_unbiased) == (1.0, 0.0, 0.0, None, 0.0)
    assert "to undefined" in str(got)
    assert got.to_dict()["upper"] is None


def test_changed_stage_2_uses_koyama_chen_conditional_p_value() -> None:
    """Design 0/2, 1/4 (planned n2 = 2); stage 2 enrolled m2 = 1; x1 = 1, x2 = 1, p0 = .5. By hand: stage 2
    needed R2 = r + 1 - x1 = 1; cond = P(Bin(1, .5) >= 1) = .5; pi* solves P(Bin(2, pi*) >= 1) = .5, i.e.
    pi* = 1 - sqrt(.5); p-value = P(X1 = 1) P(Bin(2, pi*) >= 1) + P(X1 = 2) P(Bin(2, pi*) >= 0)
    = .5 x .5 + .25 x 1 = .5. As a function of p, P(Bin(2, pi*) >= 1) = cond = p, so the p-value function is
    2p(1 - p) p + p^2 = 3p^2 - 2p^3, symmetric about .5: median-unbiased .5, lower + upper = 1, and the lower
    limit solves 3p^2 - 2p^3 = .05. UMVUE with n2 = 1: x1 = 1..2, (C(1,0) C(1,1) + C(1,1) C(1,0)) /
    (C(2,1) C(1,1) + C(2,2) C(1,0)) = 2/3."""
    got = compute_two_stage_inference(2, r1=0, n1=2, r=1, n=4, p0=0.5, n_actual=3, stage1_responses=1)
    assert (got.responses, got.n1, got.n, got.stopped_stage1) == (2, 2, 3, False)
    assert got.p_value == pytest.approx(0.5, abs=1e-12)
    assert got.umvue == pytest.approx(2 / 3, abs=1e-12)
    assert got.median_unbiased == pytest.approx(0.5, abs=1e-9)
    assert 3 * got.lower**2 - 2 * got.lower**3 == pytest.approx(0.05, abs=1e-9)
    assert got.upper is not None
    assert got.lower + got.upper == pytest.approx(1.0, abs=1e-9)
    assert "stage-2 size changed" in got.method
    assert any("stage 2 enrolled 1 instead of 2" in note for note in got.notes)


def test_changed_stage_2_that_could_not_reach_the_boundary_is_ordered_as_run() -> None:
    """Design 0/2, 3/4 (planned n2 = 2); x1 = 1 needs 3 more, more than the planned stage 2 holds, so the
    trial as run (n2 = 3, x = 3) is used. By hand: P(T >= 3) = P(X1 = 1) P(Bin(3, .5) >= 2)
    + P(X1 = 2) P(Bin(3, .5) >= 1) = .5 x .5 + .25 x .875 = .46875."""
    got = compute_two_stage_inference(3, r1=0, n1=2, r=3, n=4, p0=0.5, n_actual=5, stage1_responses=1)
    assert got.p_value == pytest.approx(0.46875, abs=1e-12)
    assert got.method == "ordered by total responses, as run"
    assert any("could not have reached the final boundary" in note for note in got.notes)


def test_changed_stage_1_applies_the_planned_r1_to_the_actual_stage_1() -> None:
    """Design 0/2, 1/4 run with n1 = 3 and n = 5 (stage 2 as planned, 2), x = 1. By hand: T >= 1 exactly
    when X1 >= 1 of 3, so the p-value is 1 - .5^3 = .875."""
    got = compute_two_stage_inference(1, r1=0, n1=2, r=1, n=4, p0=0.5, n1_actual=3, n_actual=5)
    assert (got.n1, got.n) == (3, 5)
    assert got.p_value == pytest.approx(0.875, abs=1e-12)
    assert any("stage 1 enrolled 3 instead of 2" in note for note in got.notes)


@pytest.mark.parametrize(
    ("kwargs", "field", "match"),
    [
        pytest.param({"n_actual": 3}, "stage1_responses", r"needs the stage-1 responses", id="changed_n2_no_x1"),
        pytest.param(
            {"responses": 5}, "responses", r"responses = 5 must be a whole number from 0 to the 4", id="x_gt_n"
        ),
        pytest.param({"responses": -1}, "responses", r"responses = -1 must be a whole number", id="x_negative"),
        pytest.param({"responses": True}, "responses", r"responses = True must be a whole number", id="x_bool"),
        pytest.param({"r1": 2}, "design", r"The rule r1/n1 = 2/2, r/n = 1/4 is not a two-stage", id="r1_not_below_n1"),
        pytest.param({"r": 0, "r1": 1}, "design", r"r1/n1 = 1/2, r/n = 0/4 is not a two-stage", id="r_below_r1"),
        pytest.param({"r": 5}, "design", r"r/n = 5/4 is not a two-stage design", id="r_above_n"),
        pytest.param(
            {"responses": 3, "n_actual": 2},
            "n_actual",
            r"n_actual = 2 = n1 says the trial stopped after stage 1, which needs at most r1 = 0",
            id="stopped_with_too_many",
        ),
        pytest.param({"n1_actual": 4}, "n1_actual", r"n1_actual = 4 must be a whole number", id="n1_actual_too_big"),
        pytest.param({"n1": 4}, "n1", r"n1 = 4 must be a whole number of subjects from 1 to 3", id="n1_equals_n"),
        pytest.param(
            {"stage1_responses": 3}, "stage1_responses", r"stage1_responses = 3 must lie between 0 and", id="x1_gt_x"
        ),
        pytest.param(
            {"responses": 3, "n_actual": 3, "stage1_responses": 1},
            "responses",
            r"2 stage-2 responses do not fit the 1 stage-2 subjects",
            id="x2_gt_n2",
        ),
        pytest.param({"p0": 1.0}, "p0", r"p0 = 1.0 is not a response rate", id="p0_one"),
        pytest.param({"alpha": 0.5}, "alpha", r"alpha = 0.5 must lie strictly between 0 and 0.5", id="alpha_half"),
    ],
)
def test_two_stage_inference_rejects_invalid_input(kwargs: dict[str, float], field: str, match: str) -> None:
    arguments = {"responses": 2, "r1": 0, "n1": 2, "r": 1, "n": 4, "p0": 0.5, **kwargs}
    responses = arguments.pop("responses")
    with pytest.raises(DesignError, match=match) as info:
        compute_two_stage_inference(responses, **arguments)  # type: ignore[arg-type]
    assert info.value.fields["field"] == field


def test_stopped_trial_with_more_responses_than_stage_1_is_refused() -> None:
    """0 stage-1 responses <= r1 = 0 stop the trial, so a total of 3 cannot be right."""
    with pytest.raises(DesignError, match="the total must also be 0"):
        compute_two_stage_inference(3, r1=0, n1=10, r=3, n=29, p0=0.05, stage1_responses=0)


def test_the_p_value_never_exceeds_1() -> None:
    # r1 = -1 never stops; 0 responses of 43: P(X >= 0) = 1 exactly
    got = compute_two_stage_inference(0, r1=-1, n1=13, r=12, n=43, p0=0.2)
    assert got.p_value == 1.0


def test_a_trial_that_stopped_after_stage_1_may_give_n_actual_equal_to_n1() -> None:
    # 3/13, 12/43 stopped with 3 of 13; clinfun (two_stage_inference.csv): UMVUE 0.230769230769231,
    # p-value 0.4983478198272 (= P(X1 >= 3 | 13, 0.2))
    stopped = compute_two_stage_inference(3, r1=3, n1=13, r=12, n=43, p0=0.2, n_actual=13)
    assert stopped.stopped_stage1
    assert stopped.umvue == pytest.approx(0.230769230769231, abs=1e-12)
    assert stopped.p_value == pytest.approx(0.4983478198272, abs=1e-12)
