"""Monitoring a Simon two-stage trial (``oncotrial.design.monitoring``).

Most cases use Simon's (1989) optimal design for p0 = 0.20, p1 = 0.40, alpha = 0.05, beta = 0.20:
r1/n1 = 3/13, r/n = 12/43 (stop after stage 1 if at most 3 of 13 respond; promising if more than
12 of 43). Every expected status and conditional power below is worked out by hand in the test's
parameters or docstring; small designs are used where the binomial sums must stay hand-sized.
"""

from __future__ import annotations

import pytest

from oncotrial.design import InterimStatus, evaluate_two_stage_interim
from oncotrial.errors import DesignError

SIMON_OPTIMAL = {"r1": 3, "n1": 13, "r": 12, "n": 43}


@pytest.mark.parametrize(
    ("responses", "enrolled", "status", "stage"),
    [
        # 2 of 10: 3 stage-1 subjects left, 2 + 3 = 5 > 3 could still pass, 2 <= 3 has not yet passed.
        pytest.param(2, 10, InterimStatus.CONTINUE_STAGE1, 1, id="stage1_undecided"),
        # 4 of 10: 4 > r1 = 3 already, stage 2 will open whatever the last 3 do.
        pytest.param(4, 10, InterimStatus.STAGE1_PASSED, 1, id="stage1_passed_early"),
        # 0 of 11: even 2 more responses give 0 + 2 = 2 <= 3.
        pytest.param(0, 11, InterimStatus.STOP_FUTILITY, 1, id="stage1_futile_early"),
        # 1 of 12: 1 + 1 = 2 <= 3, futile before the 13th subject.
        pytest.param(1, 12, InterimStatus.STOP_FUTILITY, 1, id="stage1_futile_one_left"),
        # 2 of 12: 2 + 1 = 3 <= 3, still futile (the boundary is "at most r1").
        pytest.param(2, 12, InterimStatus.STOP_FUTILITY, 1, id="stage1_futile_at_boundary"),
        # 3 of 12: 3 + 1 = 4 > 3, the 13th subject decides.
        pytest.param(3, 12, InterimStatus.CONTINUE_STAGE1, 1, id="stage1_last_subject_decides"),
        # No one enrolled yet: 0 + 13 > 3.
        pytest.param(0, 0, InterimStatus.CONTINUE_STAGE1, 1, id="nothing_enrolled"),
        # 3 of 13 at the end of stage 1: 3 <= r1 = 3.
        pytest.param(3, 13, InterimStatus.STOP_FUTILITY, 1, id="stage1_ended_at_r1"),
        # 4 of 13: 4 > 3 and 4 + 30 > 12.
        pytest.param(4, 13, InterimStatus.CONTINUE_STAGE2, 1, id="stage1_ended_passed"),
        # 13 of 20: 13 > r = 12 already.
        pytest.param(13, 20, InterimStatus.PROMISING, 2, id="promising_early"),
        # 5 of 38: 5 + 5 = 10 <= 12.
        pytest.param(5, 38, InterimStatus.STOP_FUTILITY, 2, id="stage2_futile_early"),
        # 7 of 38: 7 + 5 = 12 <= 12, still futile at the boundary.
        pytest.param(7, 38, InterimStatus.STOP_FUTILITY, 2, id="stage2_futile_at_boundary"),
        # 8 of 38: 8 + 5 = 13 > 12, every remaining subject must respond.
        pytest.param(8, 38, InterimStatus.CONTINUE_STAGE2, 2, id="stage2_all_must_respond"),
        # 12 of 43 at the end: 12 <= 12.
        pytest.param(12, 43, InterimStatus.STOP_FUTILITY, 2, id="final_at_r"),
        # 13 of 43 at the end: 13 > 12.
        pytest.param(13, 43, InterimStatus.PROMISING, 2, id="final_above_r"),
    ],
)
def test_interim_status_simon_optimal_3_13_12_43(
    responses: int, enrolled: int, status: InterimStatus, stage: int
) -> None:
    decision = evaluate_two_stage_interim(responses, enrolled, **SIMON_OPTIMAL)
    assert decision.status is status
    assert decision.stage == stage
    assert (decision.responses, decision.enrolled) == (responses, enrolled)
    assert decision.conditional_power == {}


@pytest.mark.parametrize(
    ("responses", "enrolled", "rate", "expected"),
    [
        # 10 of 40: more than 12 needs all 3 remaining -> 0.5^3 = 0.125.
        pytest.param(10, 40, 0.5, 0.125, id="need_3_of_3_at_half"),
        # Same at 0.2: 0.2^3 = 0.008.
        pytest.param(10, 40, 0.2, 0.008, id="need_3_of_3_at_0.2"),
        # 11 of 41: need 2 of 2 -> 0.5^2 = 0.25.
        pytest.param(11, 41, 0.5, 0.25, id="need_2_of_2"),
        # 12 of 41: need at least 1 of 2 -> 1 - 0.5^2 = 0.75.
        pytest.param(12, 41, 0.5, 0.75, id="need_1_of_2"),
        # 12 of 41 at 0.4: 1 - 0.6^2 = 0.64.
        pytest.param(12, 41, 0.4, 0.64, id="need_1_of_2_at_0.4"),
        # 11 of 40 at 0.5: need >= 2 of 3 -> (3 + 1) / 8 = 0.5.
        pytest.param(11, 40, 0.5, 0.5, id="need_2_of_3"),
        # Already promising: certain.
        pytest.param(13, 20, 0.3, 1.0, id="already_promising"),
        # Futile in stage 2: 5 + 5 <= 12, impossible.
        pytest.param(5, 38, 0.9, 0.0, id="futile_stage2"),
        # Stage 1 ended with 3 <= r1: the trial stops, whatever the rate.
        pytest.param(3, 13, 0.9, 0.0, id="stopped_after_stage1"),
        # End of the trial: 12 of 43 is not promising, 13 of 43 is.
        pytest.param(12, 43, 0.5, 0.0, id="final_not_promising"),
        pytest.param(13, 43, 0.5, 1.0, id="final_promising"),
        # Stage 1 already futile (0 of 11): no path passes r1.
        pytest.param(0, 11, 0.9, 0.0, id="futile_stage1"),
    ],
)
def test_conditional_power_simon_optimal_by_hand(responses: int, enrolled: int, rate: float, expected: float) -> None:
    decision = evaluate_two_stage_interim(responses, enrolled, **SIMON_OPTIMAL, rates=[rate])
    assert decision.conditional_power == {rate: pytest.approx(expected, abs=1e-12)}


@pytest.mark.parametrize(
    ("responses", "enrolled", "rate", "expected"),
    [
        # Design 0/2, 1/3. 0 of 1: the 2nd stage-1 subject must respond (p) to pass r1 = 0, then with
        # 1 response of 2 the stage-2 subject must respond too (p) to exceed r = 1: p^2.
        pytest.param(0, 1, 0.5, 0.25, id="zero_of_one_at_half"),
        pytest.param(0, 1, 0.2, 0.04, id="zero_of_one_at_0.2"),
        # 1 of 1 (stage 1 passed): a 2nd stage-1 response (p) already makes 2 > 1; otherwise (1 - p)
        # the stage-2 subject must respond (p): p + (1 - p) p. At 0.5: 0.5 + 0.25 = 0.75.
        pytest.param(1, 1, 0.5, 0.75, id="one_of_one_at_half"),
        # At 0.2: 0.2 + 0.8 * 0.2 = 0.36.
        pytest.param(1, 1, 0.2, 0.36, id="one_of_one_at_0.2"),
        # Nobody enrolled: P(X1 >= 1 and X >= 2) over 3 subjects with X1 from the first 2 =
        # P(X1 = 2) + P(X1 = 1) p = p^2 + 2 p (1 - p) p. At 0.5: 0.25 + 0.25 = 0.5.
        pytest.param(0, 0, 0.5, 0.5, id="nothing_enrolled_at_half"),
        # At 0.2: 0.04 + 2 * 0.2 * 0.8 * 0.2 = 0.04 + 0.064 = 0.104.
        pytest.param(0, 0, 0.2, 0.104, id="nothing_enrolled_at_0.2"),
    ],
)
def test_conditional_power_in_stage1_tiny_design(responses: int, enrolled: int, rate: float, expected: float) -> None:
    """Design r1/n1 = 0/2, r/n = 1/3: the stage-1 part of the conditional power includes passing stage 1."""
    decision = evaluate_two_stage_interim(responses, enrolled, r1=0, n1=2, r=1, n=3, rates=[rate])
    assert decision.conditional_power[rate] == pytest.approx(expected, abs=1e-12)


def test_conditional_power_before_enrolment_equals_design_alpha_and_power_clinfun() -> None:
    """With nobody enrolled the conditional power is the design's rejection probability.

    clinfun ``ph2simon(0.2, 0.4, 0.05, 0.2)`` optimal design 3/13, 12/43 (shared/reference/simon/
    simon_designs.csv): alpha = 0.0495814497480525 at p0 = 0.2, power = 0.800214356188116 at p1 = 0.4.
    """
    decision = evaluate_two_stage_interim(0, 0, **SIMON_OPTIMAL, rates=(0.2, 0.4))
    assert list(decision.conditional_power) == [0.2, 0.4]
    assert decision.conditional_power[0.2] == pytest.approx(0.0495814497480525, abs=1e-12)
    assert decision.conditional_power[0.4] == pytest.approx(0.800214356188116, abs=1e-12)


def test_interim_decision_to_dict_and_str() -> None:
    """10 of 40 at rate 0.5: continue, conditional power 0.5^3 = 0.125 (see the table above)."""
    decision = evaluate_two_stage_interim(10, 40, **SIMON_OPTIMAL, rates=[0.5])
    assert decision.to_dict() == {
        "status": "continue to stage 2",
        "reason": decision.reason,
        "responses": 10,
        "enrolled": 40,
        "stage": 2,
        "conditional_power": {"0.5": pytest.approx(0.125)},
    }
    assert "more than 12 of 43" in decision.reason
    assert "3 subjects left" in decision.reason
    text = str(decision)
    assert text.startswith("Continue to stage 2: ")
    assert "conditional power at p = 0.5: 0.125" in text


def test_interim_reason_explains_stage1_futility() -> None:
    """0 of 11 with 2 left: 0 + 2 = 2 cannot exceed r1 = 3."""
    decision = evaluate_two_stage_interim(0, 11, **SIMON_OPTIMAL)
    assert "all 2 remaining stage-1 subjects" in decision.reason
    assert "r1 = 3" in decision.reason
    assert " ".join(str(decision).split()) == f"Stop for futility: {decision.reason}"  # wrapped at 80 columns


def test_stage2_enrolment_after_futile_stage1_is_rejected() -> None:
    """3 responses in 20 subjects means at most 3 of the first 13 responded (<= r1 = 3): stage 2 never opens."""
    with pytest.raises(DesignError, match="should have stopped after stage 1"):
        evaluate_two_stage_interim(3, 20, **SIMON_OPTIMAL)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param(
            {"responses": 11, "enrolled": 10}, r"responses = 11 must be a whole number from 0", id="more_responses"
        ),
        pytest.param(
            {"responses": -1, "enrolled": 10}, r"responses = -1 must be a whole number", id="negative_responses"
        ),
        pytest.param({"responses": True, "enrolled": 10}, r"responses = True", id="bool_responses"),
        pytest.param({"responses": 2.0, "enrolled": 10}, r"responses = 2\.0", id="float_responses"),
        pytest.param(
            {"responses": 5, "enrolled": 44},
            r"enrolled = 44 must be a whole number of subjects from 0 to 43",
            id="enrolled_above_n",
        ),
        pytest.param({"responses": 0, "enrolled": -1}, r"enrolled = -1", id="negative_enrolled"),
        pytest.param(
            {"responses": 2, "enrolled": 10, "rates": [0.0]}, r"rate = 0\.0 is not a response rate", id="rate_zero"
        ),
        pytest.param(
            {"responses": 2, "enrolled": 10, "rates": [0.5, 1.0]}, r"rate = 1\.0 is not a response rate", id="rate_one"
        ),
        pytest.param({"responses": 2, "enrolled": 10, "rates": [1.5]}, r"rate = 1\.5", id="rate_above_one"),
        pytest.param(
            {"responses": 2, "enrolled": 10, "r1": 13},
            r"r1/n1 = 13/13, r/n = 12/43 is not a two-stage design",
            id="r1_equals_n1",
        ),
        pytest.param({"responses": 2, "enrolled": 10, "r1": -2}, r"is not a two-stage design", id="r1_below_minus_one"),
        pytest.param(
            {"responses": 2, "enrolled": 10, "r": 2},
            r"r1/n1 = 3/13, r/n = 2/43 is not a two-stage design",
            id="r_below_r1",
        ),
        pytest.param({"responses": 2, "enrolled": 10, "r": 43}, r"is not a two-stage design", id="r_equals_n"),
        pytest.param(
            {"responses": 2, "enrolled": 10, "n1": 43},
            r"n1 = 43 must be a whole number of subjects from 1 to 42",
            id="n1_equals_n",
        ),
        pytest.param({"responses": 0, "enrolled": 0, "n1": 0}, r"n1 = 0", id="n1_zero"),
        pytest.param(
            {"responses": 0, "enrolled": 0, "n1": 1, "r1": 0, "r": 0, "n": 1}, r"n = 1 must be", id="n_too_small"
        ),
    ],
)
def test_interim_rejects_bad_input(kwargs: dict[str, object], match: str) -> None:
    arguments: dict[str, object] = {**SIMON_OPTIMAL, **kwargs}
    responses, enrolled = arguments.pop("responses"), arguments.pop("enrolled")
    with pytest.raises(DesignError, match=match):
        evaluate_two_stage_interim(responses, enrolled, **arguments)  # type: ignore[arg-type]


def test_minus_one_r1_never_stops_after_stage1() -> None:
    """r1 = -1 (no stage-1 stop): 0 of 13 already 'exceeds' r1, so stage 2 continues (0 + 30 > 12)."""
    decision = evaluate_two_stage_interim(0, 13, r1=-1, n1=13, r=12, n=43)
    assert decision.status is InterimStatus.CONTINUE_STAGE2


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
