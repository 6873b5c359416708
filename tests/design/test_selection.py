"""Randomised phase II selection, "pick the winner" (``oncotrial.design.selection``).

Reference: Simon R, Wittes RE, Ellenberg SS. Randomized phase II clinical trials. Cancer Treat Rep
1985;69:1375-1381, Table 1 (sample size per arm for a 0.90 probability of correct selection).
Small cases are enumerated by hand in each test's parameters.
"""

from __future__ import annotations

import pytest

from oncotrial.design import compute_correct_selection, compute_selection_probability, find_selection_sample_size
from oncotrial.errors import DesignError


@pytest.mark.parametrize(
    ("n", "rates", "selected", "tie"),
    [
        # n = 1, rates 0.4 / 0.2. Arm 1 wins outright (1, 0): 0.4 * 0.8 = 0.32; arm 2 outright (0, 1):
        # 0.6 * 0.2 = 0.12; ties (0, 0) 0.6 * 0.8 = 0.48 and (1, 1) 0.4 * 0.2 = 0.08, together 0.56,
        # split in half (0.28 each): arm 1 0.32 + 0.28 = 0.60, arm 2 0.12 + 0.28 = 0.40.
        pytest.param(1, (0.4, 0.2), (0.60, 0.40), 0.56, id="two_arms_n1"),
        # The same arms listed the other way round.
        pytest.param(1, (0.2, 0.4), (0.40, 0.60), 0.56, id="two_arms_n1_reversed"),
        # n = 1, three arms at 0.5: 8 equally likely outcomes; a unique top needs exactly one responder
        # (3 outcomes), so tie = 5/8; by symmetry each arm is selected with 1/3.
        pytest.param(1, (0.5, 0.5, 0.5), (1 / 3, 1 / 3, 1 / 3), 5 / 8, id="three_equal_arms_n1"),
        # n = 2, rates 0.5 / 0.5: P(X = 0, 1, 2) = 1/4, 1/2, 1/4; tie = 1/16 + 4/16 + 1/16 = 6/16.
        pytest.param(2, (0.5, 0.5), (0.5, 0.5), 0.375, id="two_equal_arms_n2"),
        # n = 2, rates 0.5 / 0.25: X1 ~ 1/4, 1/2, 1/4; X2 ~ 9/16, 6/16, 1/16.
        # P(X1 > X2) = 1/2 * 9/16 + 1/4 * (9 + 6)/16 = 18/64 + 15/64 = 33/64;
        # tie = 1/4 * 9/16 + 1/2 * 6/16 + 1/4 * 1/16 = (9 + 12 + 1)/64 = 22/64;
        # P(X2 > X1) = 1 - 33/64 - 22/64 = 9/64. Selected: 33/64 + 11/64 = 44/64, 9/64 + 11/64 = 20/64.
        pytest.param(2, (0.5, 0.25), (44 / 64, 20 / 64), 22 / 64, id="two_arms_n2"),
        # n = 1, three arms 0.5 / 0.5 / 0.1 (8 / 8 / 10 in tenths):
        # arm 3 responds (0.1): outcomes of arms 1, 2 each 1/4: (0,0) -> arm 3 alone;
        # (1,0), (0,1) -> two-way tie with arm 3; (1,1) -> three-way tie.
        # arm 3 does not respond (0.9): (1,0) arm 1, (0,1) arm 2, (1,1) tie 1-2, (0,0) three-way tie.
        # Arm 3: 0.1 * (1/4 + 2 * 1/4 * 1/2 + 1/4 * 1/3) + 0.9 * (1/4 * 1/3)
        #      = 0.1 * (1/4 + 1/4 + 1/12) + 0.9 / 12 = 0.1 * 7/12 + 0.9/12 = 1.6/12 = 2/15.
        # Arms 1 and 2 share the rest: (1 - 2/15) / 2 = 13/30.
        # Unique top: arm 3 alone 0.1 * 1/4, arm 1 alone 0.9 * 1/4, arm 2 alone 0.9 * 1/4 -> 1.9/4 = 0.475,
        # tie = 0.525.
        pytest.param(1, (0.5, 0.5, 0.1), (13 / 30, 13 / 30, 2 / 15), 0.525, id="three_unequal_arms_n1"),
    ],
)
def test_selection_probability_by_hand(
    n: int, rates: tuple[float, ...], selected: tuple[float, ...], tie: float
) -> None:
    result = compute_selection_probability(n, rates)
    assert result.n == n
    assert result.rates == rates
    assert result.selected == pytest.approx(selected, abs=1e-12)
    assert result.tie == pytest.approx(tie, abs=1e-12)


def test_correct_selection_is_the_best_arm_wherever_it_is_listed() -> None:
    """Rates 0.2 / 0.4, n = 1: the best arm is second; its probability is 0.60 (worked out above)."""
    result = compute_selection_probability(1, [0.2, 0.4])
    assert result.correct == pytest.approx(0.60, abs=1e-12)
    assert result.to_dict() == {
        "n": 1,
        "rates": [0.2, 0.4],
        "selected": [pytest.approx(0.40), pytest.approx(0.60)],
        "tie": pytest.approx(0.56),
        "correct": pytest.approx(0.60),
    }


@pytest.mark.parametrize(
    ("p", "arms", "n_per_arm"),
    [
        pytest.param(0.10, 2, 21, id="p0.10_two_arms"),
        pytest.param(0.10, 3, 31, id="p0.10_three_arms"),
        pytest.param(0.10, 4, 37, id="p0.10_four_arms"),
        pytest.param(0.20, 2, 29, id="p0.20_two_arms"),
        pytest.param(0.20, 3, 44, id="p0.20_three_arms"),
        pytest.param(0.20, 4, 52, id="p0.20_four_arms"),
    ],
)
def test_selection_sample_size_matches_simon_wittes_ellenberg_1985_table1(p: float, arms: int, n_per_arm: int) -> None:
    """Simon, Wittes & Ellenberg (1985) Table 1: n per arm for a 0.90 probability of correct selection, d = 0.15."""
    design = find_selection_sample_size(p, 0.15, arms=arms, target=0.90)
    assert design.n_per_arm == n_per_arm
    assert (design.arms, design.p, design.difference, design.target) == (arms, p, 0.15, 0.90)
    assert 0.90 <= design.correct < 0.92


def test_selection_sample_size_is_the_smallest() -> None:
    """Table 1 gives 29 per arm for p = 0.20, d = 0.15: a search capped at 28 must fail, one at 29 succeed."""
    with pytest.raises(DesignError, match=r"No n up to 28 per arm reaches a 0\.9 probability"):
        find_selection_sample_size(0.20, 0.15, nmax=28)
    assert find_selection_sample_size(0.20, 0.15, nmax=29).n_per_arm == 29


def test_selection_sample_size_n1_by_hand() -> None:
    """Rates 0.4 vs 0.2 at n = 1 select correctly with 0.60 (worked out above), so a target of 0.55 needs n = 1."""
    design = find_selection_sample_size(0.2, 0.2, target=0.55)
    assert design.n_per_arm == 1
    assert design.correct == pytest.approx(0.60, abs=1e-12)
    text = str(design)
    assert text.startswith("1 subjects per arm (2 arms, 2 in all)")
    assert "probability 0.600 (target 0.55)" in text
    assert design.to_dict()["n_per_arm"] == 1


@pytest.mark.parametrize(
    ("n", "rates", "match"),
    [
        pytest.param(1, [0.3], r"at least two arms", id="one_arm"),
        pytest.param(0, [0.3, 0.2], r"n = 0 must be a whole number of subjects from 1 to 10000", id="n_zero"),
        pytest.param(10001, [0.3, 0.2], r"n = 10001", id="n_too_large"),
        pytest.param(1.5, [0.3, 0.2], r"n = 1\.5", id="n_fraction"),
        pytest.param(5, [0.3, 1.0], r"rate = 1\.0 is not a response rate", id="rate_one"),
        pytest.param(5, [0.0, 0.2], r"rate = 0\.0 is not a response rate", id="rate_zero"),
    ],
)
def test_selection_probability_rejects_bad_input(n: int, rates: list[float], match: str) -> None:
    with pytest.raises(DesignError, match=match):
        compute_selection_probability(n, rates)


@pytest.mark.parametrize(
    ("p", "difference", "kwargs", "match"),
    [
        pytest.param(0.0, 0.15, {}, r"p = 0\.0 is not a response rate", id="p_zero"),
        pytest.param(0.9, 0.15, {}, r"p \+ difference = 1\.05", id="best_rate_above_one"),
        pytest.param(0.2, 0.0, {}, r"difference = 0\.0 must be positive", id="no_difference"),
        pytest.param(0.2, -0.1, {}, r"difference = -0\.1 must be positive", id="negative_difference"),
        pytest.param(0.2, 0.15, {"arms": 1}, r"arms = 1 must be a whole number of arms from 2 to 10", id="one_arm"),
        pytest.param(0.2, 0.15, {"arms": 11}, r"arms = 11", id="eleven_arms"),
        pytest.param(0.2, 0.15, {"target": 0.5}, r"target = 0\.5 must lie between 1/arms = 0\.500", id="coin_toss"),
        pytest.param(0.2, 0.15, {"arms": 4, "target": 0.25}, r"1/arms = 0\.250", id="random_pick_4_arms"),
        pytest.param(0.2, 0.15, {"target": 1.0}, r"target = 1\.0 must lie between", id="certainty"),
    ],
)
def test_selection_sample_size_rejects_bad_input(
    p: float, difference: float, kwargs: dict[str, float], match: str
) -> None:
    with pytest.raises(DesignError, match=match):
        find_selection_sample_size(p, difference, **kwargs)  # type: ignore[arg-type]


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
