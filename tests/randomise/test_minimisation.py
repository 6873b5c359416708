"""Pocock–Simon minimisation (Pocock & Simon, Biometrics 1975;31:103-15): scores worked by hand."""

from __future__ import annotations

from collections import Counter

import pytest

import oncotrial as ot
from oncotrial.errors import DataError

# Arm A ahead on both of the new patient's levels: sex F A 3 B 1, ECOG 0 A 2 B 1.
COUNTS = {"sex": {"F": {"A": 3, "B": 1}, "M": {"A": 0, "B": 2}}, "ecog": {"0": {"A": 2, "B": 1}}}
PATIENT = {"sex": "F", "ecog": "0"}


def test_the_arm_behind_on_the_patients_levels_is_best_and_chosen_with_p_best_one():
    """By hand, range: to A, sex F 4-1 = 3 and ECOG 0 3-1 = 2, score 5; to B, 3-2 = 1 and 2-2 = 0, score 1.
    B is best; with p_best 1 every seed chooses B."""
    for seed in range(20):
        result = ot.assign_by_minimisation(COUNTS, PATIENT, arms=["A", "B"], p_best=1.0, seed=seed)
        assert result.scores == (5.0, 1.0)
        assert result.best == ("B",)
        assert result.arm == "B"


def test_variance_scores_by_hand():
    """Population variance of two counts is (difference / 2)**2: to A, (3/2)**2 + (2/2)**2 = 3.25; to B,
    (1/2)**2 + 0 = 0.25."""
    result = ot.assign_by_minimisation(COUNTS, PATIENT, arms=["A", "B"], method="variance", p_best=1.0, seed=0)
    assert result.scores == (3.25, 0.25)
    assert result.arm == "B"


def test_the_ratio_weights_the_counts():
    """2:1, level counts A 4 B 1. To A: 5/2 = 2.5 against 1, range 1.5; to B: 4/2 = 2 against 2, range 0."""
    counts = {"site": {"01": {"A": 4, "B": 1}}}
    result = ot.assign_by_minimisation(counts, {"site": "01"}, arms=["A", "B"], ratio=[2, 1], p_best=1.0, seed=0)
    assert result.scores == (1.5, 0.0)
    assert result.arm == "B"


def test_the_best_arm_is_chosen_about_p_best_of_the_time():
    """Over 2,000 seeds at p_best 0.8, B (best) is chosen 1,600 times expected, sd 17.9; 1,500 to 1,700
    is more than 5 sd either side."""
    chosen = Counter(
        ot.assign_by_minimisation(COUNTS, PATIENT, arms=["A", "B"], p_best=0.8, seed=s).arm for s in range(2000)
    )
    assert 1500 <= chosen["B"] <= 1700


def test_a_tie_is_broken_at_random_and_the_seed_fixes_the_draw():
    """No one assigned yet: both arms score 2 (a range of 1 at each of the two levels), so both are best;
    over 400 seeds each arm is drawn (one arm every time has chance 2 x 0.5**400)."""
    arms = set()
    for seed in range(400):
        result = ot.assign_by_minimisation({}, PATIENT, arms=["A", "B"], seed=seed)
        assert result.scores == (2.0, 2.0)
        assert result.best == ("A", "B")
        again = ot.assign_by_minimisation({}, PATIENT, arms=["A", "B"], seed=seed)
        assert again.arm == result.arm
        arms.add(result.arm)
    assert arms == {"A", "B"}


@pytest.mark.parametrize(
    ("counts", "factors", "options", "code", "field"),
    [
        (COUNTS, PATIENT, {"p_best": 0.0}, "RAND-E010", "p_best"),
        (COUNTS, PATIENT, {"p_best": 1.5}, "RAND-E010", "p_best"),
        (COUNTS, PATIENT, {"method": "sd"}, "RAND-E011", "method"),
        (COUNTS, {}, {}, "RAND-E012", "factors"),
        ({"sex": {"F": {"C": 1}}}, PATIENT, {}, "RAND-E009", "counts"),
        ({"sex": {"F": {"A": -1}}}, PATIENT, {}, "RAND-E009", "counts"),
        (COUNTS, PATIENT, {"ratio": [1]}, "RAND-E002", "ratio"),
        (COUNTS, PATIENT, {"seed": -3}, "RAND-E006", "seed"),
    ],
)
def test_bad_input_is_a_data_error_naming_the_field(counts, factors, options, code, field):
    args = {"arms": ["A", "B"], "seed": 1, **options}
    with pytest.raises(DataError) as error:
        ot.assign_by_minimisation(counts, factors, **args)
    assert (error.value.code, error.value.field) == (code, field)
