"""Regression tests for the review of the design code: numpy inputs, strict error rates, certain
outcomes during stage 1, plan checks in inference, priors, selection inputs and the CLI edges.
Expected values are from clinfun (reference files) or worked by hand in the comments."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from oncotrial.design import (
    BetaPrior,
    compute_correct_selection,
    compute_two_stage_characteristics,
    compute_two_stage_inference,
    evaluate_two_stage_interim,
    find_simon_designs,
)
from oncotrial.design.monitoring import InterimStatus
from oncotrial.errors import DesignError
from tests.cli.helpers import assert_clean_error, run_cli


def test_numpy_scalars_from_a_table_are_accepted() -> None:
    # Simon 1989, p0 = .10, p1 = .30, optimal 1/10, 5/29: PET(p0) = P(X1 <= 1 | 10, .1) = .9^10 + 10 x .1 x .9^9
    by_python = compute_two_stage_characteristics(1, 10, 5, 29, 0.1)
    by_numpy = compute_two_stage_characteristics(np.int64(1), np.int64(10), np.int64(5), np.int64(29), np.float64(0.1))
    assert by_numpy == by_python
    assert by_numpy.pet == pytest.approx(0.9**10 + 10 * 0.1 * 0.9**9, abs=1e-15)
    found = find_simon_designs(np.float32(0.1), 0.3, alpha=0.05, beta=0.2, nmax=np.int64(40))
    assert (found.optimal.r1, found.optimal.n1, found.optimal.r, found.optimal.n) == (1, 10, 5, 29)


def test_a_design_at_exactly_alpha_is_not_returned() -> None:
    # 0/1, 0/17 at p0 = .05 has alpha = P(X > 0 | 17, .05) after passing stage 1 ... = .05 exactly by rounding;
    # clinfun's strict rule (alpha < .05, as cp0 = 1 exactly) refuses it. The optimal design is 0/2, 1/3:
    # PET0 = .95^2 = .9025; alpha = P(X1 = 1 or 2, X > 1) = 1 - .9025 - P(X1 >= 1, X <= 1) = .00725.
    found = find_simon_designs(0.05, 0.55, alpha=0.05, beta=0.45, nmax=24)
    optimal = found.optimal
    assert (optimal.r1, optimal.n1, optimal.r, optimal.n) == (0, 2, 1, 3)
    assert optimal.alpha == pytest.approx(0.00725, abs=1e-15)
    assert all(a.design.alpha < 0.05 and a.design.power > 0.55 for a in found.admissible)


@pytest.mark.parametrize(
    ("responses", "enrolled", "design", "status"),
    [
        # 1/10, 15/20: 2 of 8 with 12 left can reach at most 14, not more than 15: futility is certain
        pytest.param(2, 8, (1, 10, 15, 20), InterimStatus.STOP_FUTILITY, id="final-futility-in-stage-1"),
        # 0/10, 1/20: 3 responses already exceed r = 1
        pytest.param(3, 5, (0, 10, 1, 20), InterimStatus.PROMISING, id="promising-in-stage-1"),
        # 1/10, 5/29: 2 of 8 passes stage 1, the final boundary still open
        pytest.param(2, 8, (1, 10, 5, 29), InterimStatus.STAGE1_PASSED, id="stage-1-passed"),
    ],
)
def test_certain_outcomes_are_reported_during_stage_1(
    responses: int, enrolled: int, design: tuple[int, int, int, int], status: InterimStatus
) -> None:
    r1, n1, r, n = design
    decision = evaluate_two_stage_interim(responses, enrolled, r1=r1, n1=n1, r=r, n=n, rates=(0.3,))
    assert decision.status is status
    if status is InterimStatus.STOP_FUTILITY:
        assert decision.conditional_power[0.3] == 0.0
    if status is InterimStatus.PROMISING:
        assert decision.conditional_power[0.3] == 1.0


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


@pytest.mark.parametrize("value", [math.inf, math.nan, 0.0, -1.0])
def test_beta_prior_parameters_are_finite_and_positive(value: float) -> None:
    with pytest.raises(DesignError, match="must be positive and finite"):
        BetaPrior(value, 1.0)


@pytest.mark.parametrize(
    ("difference", "arms", "field"),
    [
        pytest.param(-0.15, 2, "difference", id="negative-difference"),
        pytest.param(0.0, 2, "difference", id="zero-difference"),
        pytest.param(0.9, 2, "p + difference", id="rate-above-1"),
        pytest.param(0.15, 2000, "arms", id="too-many-arms"),
    ],
)
def test_correct_selection_checks_its_inputs(difference: float, arms: int, field: str) -> None:
    with pytest.raises(DesignError) as caught:
        compute_correct_selection(20, 0.2, difference, arms=arms)
    assert caught.value.fields["field"] == field


def test_correct_selection_by_hand() -> None:
    # n = 1 per arm, rates .35 and .2: the better arm wins outright with .35 x .8 = .28 and ties
    # (both 0: .65 x .8 = .52; both 1: .35 x .2 = .07) half the time: .28 + .295 = .575
    assert compute_correct_selection(1, 0.2, 0.15).correct == pytest.approx(0.575, abs=1e-12)


# --- CLI ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["select", "--p", "0.2", "--difference", "-0.15", "--n", "20"], "must be positive", id="select"),
        pytest.param(["select", "--p", "0.2", "--difference", "0.15", "--arms", "2000", "--n", "5"], "arms", id="arms"),
        pytest.param(["bayes", "--p0", "0.2", "--nmax", "1"], "--nmax = 1 must be a whole number", id="bayes-nmax"),
        pytest.param(["bayes", "--p0", "0.2", "--nmax", "20", "--p1", "1.5"], "--p1 = 1.5", id="bayes-p1"),
        pytest.param(
            ["bayes", "--p0", "0.2", "--nmax", "20", "--prior-a", "inf", "--first-look", "15"],
            "positive and finite",
            id="bayes-infinite-prior",
        ),
        pytest.param(
            ["infer", "--design", "3/13,2/43", "--responses", "5", "--p0", "0.2"], "is not a two-stage", id="r"
        ),
        pytest.param(
            ["simon", "--p0", "0.5", "--p1", "0.5395", "--nmax", "10"], "(1000 or more to see", id="hint-capped"
        ),
    ],
)
def test_design_cli_input_errors(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, _, err = run_cli(capsys, "design", *argv)
    assert_clean_error(code, err)
    assert message in err


def test_simon_without_rates_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "design", "simon", "--p0", "0.2")
    assert_clean_error(code, err, expected_code=2)
    assert "give --p0 and --p1" in err


def test_single_takes_nmax(capsys: pytest.CaptureFixture[str]) -> None:
    # clinfun ph2single(.2, .4, .05, .2) starts with n = 33, r = 10 (single_stage.csv); n <= 30 has none
    code, _, err = run_cli(capsys, "design", "single", "--p0", "0.2", "--p1", "0.4", "--nmax", "30")
    assert_clean_error(code, err)
    assert "n <= 30" in err


def test_grid_json_keeps_whole_numbers_and_full_precision(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_text("p0,p1,alpha,beta,nmax\n0.1,0.3,0.05,0.2,100\n0.2,0.3,0.05,0.2,30\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "design", "simon", "--grid", str(path), "--json")
    assert code == 0
    minimax, optimal, none = json.loads(out)
    assert (optimal["r1"], optimal["n1"], optimal["r"], optimal["n"]) == (1, 10, 5, 29)
    assert isinstance(optimal["n1"], int)
    assert isinstance(minimax["n_admissible"], int)
    assert none["design"] == "none"
    assert none["n1"] is None
    # PET0 of 1/10: .9^10 + 10 x .1 x .9^9 = 0.7360989291 exactly to 10 digits; full precision kept
    assert optimal["pet0"] == pytest.approx(0.9**10 + 10 * 0.1 * 0.9**9, abs=1e-15)


def test_grid_csv_to_a_missing_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_text("p0,p1,alpha,beta\n0.1,0.3,0.05,0.2\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "design", "simon", "--grid", str(path), "--out", str(tmp_path / "no" / "x.csv"))
    assert_clean_error(code, err)
    assert "Check that the folder exists" in err
