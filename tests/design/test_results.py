"""The one shape of every ``oncotrial.design`` result (issue 11), and the values each realistic instance holds.

Every result is a frozen dataclass with typed fields, ``to_frame()`` (a new DataFrame each call),
``to_dict()`` that ``json.dumps(..., allow_nan=False)`` accepts and that holds only plain Python values,
and a non-empty ``__str__`` whose lines fit 80 columns.

Reference numbers:

* clinfun 1.1.5 ``ph2simon(0.05, 0.20, 0.05, 0.20)`` and ``twostage.admissible(.)`` (tests/reference/simon/
  simon_designs.csv and simon_admissible.csv): minimax 0/13, 3/27; admissible 0/11, 3/28 (q .414 to .597);
  optimal 0/10, 3/29 with EN(p0) 17.6239981544708, PET(p0) 0.598736939238379, EN(p1) 26.9598905344,
  PET(p1) 0.1073741824, achieved alpha 0.0468285337051976 and power 0.801110133055173.
* clinfun ``ph2single(0.2, 0.4, 0.05, 0.2)`` (single_stage.csv): 35/11 then 36/11; the first has type I
  error 0.0343574006954932 and type II error 0.195174503430638.
* clinfun ``twostage.inference(13, 3, 13, 43, 0.2, 0.05)`` (two_stage_inference.csv): UMVUE 0.370709206956267,
  p-value 0.0495814497480525, limits 0.2003 and 0.4966.
* Simon, Wittes & Ellenberg (1985) Table 1: 29 per arm for p = 0.20, difference 0.15, two arms, 0.90.
* Monitoring, selection with n = 1 and the tiny Bayesian design: by hand, in each test's docstring.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from oncotrial.design import (
    AdmissibleDesign,
    BayesBoundaries,
    BetaPrior,
    BoundaryCharacteristics,
    InterimDecision,
    SelectionDesign,
    SelectionProbability,
    SimonDesign,
    SimonSearch,
    SingleStageDesign,
    SingleStageSearch,
    TwoStageCharacteristics,
    TwoStageInference,
    build_posterior_boundaries,
    build_predictive_boundaries,
    compute_boundary_characteristics,
    compute_correct_selection,
    compute_two_stage_characteristics,
    compute_two_stage_inference,
    evaluate_two_stage_interim,
    find_selection_sample_size,
    find_simon_designs,
    find_single_stage_designs,
)
from tests.result_shape import assert_result_shape

OPTIMAL_3_13 = {"r1": 3, "n1": 13, "r": 12, "n": 43}


# r1 = -1: stage 1 never stops the trial. By hand at p0 = .3 and p1 = .6 with n = 2: PET = 0, EN = 2,
# alpha = P(X > 0) = 1 - .7^2 = .51, power = 1 - .4^2 = .84.
NEVER_STOPPING = SimonDesign(
    -1, 1, 0, 2, en0=2.0, pet0=0.0, en1=2.0, pet1=0.0, alpha_achieved=0.51, power_achieved=0.84
)


def _simon() -> SimonSearch:
    return find_simon_designs(0.05, 0.20, alpha=0.05, beta=0.20)


def _single() -> SingleStageSearch:
    return find_single_stage_designs(0.2, 0.4, alpha=0.05, beta=0.2, count=2)


def _tiny_bayes() -> BayesBoundaries:
    return build_predictive_boundaries(0.5, nmax=3, prior=BetaPrior(1, 1), theta_t=0.6, theta_l=0.2, looks=[1])


def _posterior_bayes() -> BayesBoundaries:
    return build_posterior_boundaries(
        0.2,
        nmax=40,
        prior=BetaPrior(0.2, 0.8),
        theta_l=0.05,
        theta_u=0.99,
        standard_prior=BetaPrior(20, 80),
        looks=range(10, 40, 5),
    )


# Each result type once at least, plus the instances with the longest text (notes, reasons, labels).
RESULTS: list[tuple[str, Callable[[], object]]] = [
    ("simon_search", _simon),
    ("simon_search_with_note", lambda: find_simon_designs(0.05, 0.25, alpha=0.05, beta=0.2, nmax=25)),
    ("simon_search_minimax_and_optimal", lambda: find_simon_designs(0.05, 0.45, alpha=0.2, beta=0.2)),
    ("simon_design", lambda: _simon().optimal),
    ("simon_design_never_stopping", lambda: NEVER_STOPPING),
    ("admissible_design", lambda: _simon().admissible[1]),
    ("two_stage_characteristics", lambda: compute_two_stage_characteristics(0, 10, 3, 29, 0.05)),
    ("single_stage_search", _single),
    ("single_stage_design", lambda: _single().designs[0]),
    ("two_stage_inference", lambda: compute_two_stage_inference(13, **OPTIMAL_3_13, p0=0.2)),
    (
        "two_stage_inference_stopped_with_note",
        lambda: compute_two_stage_inference(2, **OPTIMAL_3_13, p0=0.2, n1_actual=14, n_actual=14),
    ),
    ("interim_decision", lambda: evaluate_two_stage_interim(10, 40, **OPTIMAL_3_13, rates=[0.5, 0.2])),
    ("interim_decision_long_reason", lambda: evaluate_two_stage_interim(0, 11, **OPTIMAL_3_13)),
    ("selection_probability", lambda: compute_correct_selection(1, 0.2, 0.2)),
    ("selection_design", lambda: find_selection_sample_size(0.2, 0.15, arms=3)),
    ("bayes_boundaries_predictive", _tiny_bayes),
    ("bayes_boundaries_posterior", _posterior_bayes),
    ("boundary_characteristics", lambda: compute_boundary_characteristics(_tiny_bayes(), 0.5)),
]
RESULT_TYPES = {
    SimonSearch, SimonDesign, AdmissibleDesign, TwoStageCharacteristics, SingleStageSearch, SingleStageDesign,
    TwoStageInference, InterimDecision, SelectionProbability, SelectionDesign, BayesBoundaries,
    BoundaryCharacteristics,
}  # fmt: skip


@pytest.fixture(params=[pytest.param(build, id=name) for name, build in RESULTS])
def result(request: pytest.FixtureRequest) -> object:
    build: Callable[[], object] = request.param
    return build()


def test_every_result_type_has_an_instance() -> None:
    built = {type(build()) for _, build in RESULTS}
    assert built == RESULT_TYPES


def test_every_result_type_is_exported() -> None:
    import oncotrial.design

    assert {t.__name__ for t in RESULT_TYPES} <= set(oncotrial.design.__all__)


def test_result_has_the_one_shape(result: object) -> None:
    """The shared check (tests/result_shape.py): frozen and typed, to_frame() a new DataFrame each call,
    to_dict() plain JSON, str() within 80 columns."""
    assert_result_shape(result)


def test_mappings_in_results_are_read_only() -> None:
    decision = evaluate_two_stage_interim(10, 40, **OPTIMAL_3_13, rates=[0.5])
    with pytest.raises(TypeError):
        decision.conditional_power[0.5] = 1.0  # type: ignore[index]
    bounds = _tiny_bayes()
    with pytest.raises(TypeError):
        bounds.parameters["theta_t"] = 0.0  # type: ignore[index]


# --- values ----------------------------------------------------------------------------------


def test_simon_search_holds_clinfun_designs_and_the_requested_rates() -> None:
    found = _simon()
    assert (found.p0, found.p1, found.alpha_requested, found.beta_requested, found.nmax) == (0.05, 0.2, 0.05, 0.2, 100)
    frame = found.to_frame()
    assert frame["label"].tolist() == ["Minimax", "Admissible", "Optimal"]
    assert frame[["r1", "n1", "r", "n"]].to_numpy().tolist() == [[0, 13, 3, 27], [0, 11, 3, 28], [0, 10, 3, 29]]
    assert frame["q_low"].round(3).tolist() == [0.597, 0.414, 0.0]
    document = found.to_dict()
    assert document["alpha_requested"] == 0.05
    assert document["optimal"]["alpha_achieved"] == pytest.approx(0.0468285337051976, abs=1e-12)
    assert document["minimax"]["power_achieved"] == pytest.approx(0.801124467145196, abs=1e-12)
    lines = str(found).splitlines()
    assert lines[:2] == [
        "Simon two-stage designs: p0 = 0.05, p1 = 0.2",
        "type I error below 0.05, type II error below 0.2, n at most 100",
    ]
    assert lines[2].split() == [
        "design",
        "r1/n1",
        "r/n",
        "EN(p0)",
        "PET(p0)",
        "EN(p1)",
        "alpha",
        "power",
        "weight",
        "q",
    ]
    assert lines[5].split() == ["Optimal", "0/10", "3/29", "17.62", "0.599", "26.96", "0.0468", "0.8011", "0.000-0.414"]


def test_simon_design_holds_achieved_rates_of_clinfun_optimal() -> None:
    design = _simon().optimal
    assert design.to_dict() == pytest.approx(
        {
            "r1": 0, "n1": 10, "r": 3, "n": 29,
            "en0": 17.6239981544708, "pet0": 0.598736939238379, "en1": 26.9598905344, "pet1": 0.1073741824,
            "alpha_achieved": 0.0468285337051976, "power_achieved": 0.801110133055173,
        },
        abs=1e-10,
    )  # fmt: skip
    assert design.to_frame().to_dict("records") == [design.to_dict()]
    assert str(design).splitlines() == [
        "Two-stage design 0/10, 3/29: stop after stage 1 if at most 0 of 10 respond;",
        "  promising if more than 3 of 29 respond",
        "  under p0: expected size 17.62, early stop 0.599, type I error 0.0468",
        "  under p1: expected size 26.96, early stop 0.107, power 0.8011",
    ]


def test_simon_design_that_never_stops_says_so() -> None:
    """clinfun reports designs with r1 = -1 (no stage-1 count stops the trial); the text says so in words."""
    assert str(NEVER_STOPPING).splitlines()[:2] == [
        "Two-stage design -1/1, 0/2: stage 1 never stops the trial;",
        "  promising if more than 0 of 2 respond",
    ]


def test_admissible_design_holds_its_weights() -> None:
    """clinfun twostage.admissible: 0/11, 3/28 is best for q from .414 to .597 (printed to 3 decimals)."""
    admissible = _simon().admissible[1]
    assert (admissible.label, admissible.design.rule) == ("Admissible", "0/11,3/28")
    assert (round(admissible.q_low, 3), round(admissible.q_high, 3)) == (0.414, 0.597)
    row = admissible.to_frame().iloc[0]
    assert (row["label"], row["n"], row["en0"]) == ("Admissible", 28, pytest.approx(18.3303984313002, abs=1e-10))
    assert str(admissible).startswith("Admissible design, best for weights q from 0.414 to 0.597")


def test_two_stage_characteristics_at_p0_match_clinfun() -> None:
    """At p0 = .05 the optimal 0/10, 3/29 has reject = achieved alpha, pet = PET(p0), en = EN(p0) of clinfun."""
    at0 = compute_two_stage_characteristics(0, 10, 3, 29, 0.05)
    expected = {"p": 0.05, "reject": 0.0468285337051976, "pet": 0.598736939238379, "en": 17.6239981544708}
    assert at0.to_dict() == pytest.approx(expected, abs=1e-10)
    assert at0.to_frame().to_dict("records") == [at0.to_dict()]
    assert str(at0) == "At p = 0.05: promising 0.0468, early stop 0.5987, expected size 17.62"


def test_single_stage_search_matches_clinfun_ph2single() -> None:
    found = _single()
    assert (found.alpha_requested, found.beta_requested, found.nmax) == (0.05, 0.2, 1000)
    frame = found.to_frame()
    assert list(frame.columns) == ["n", "r", "alpha_achieved", "beta_achieved", "power_achieved"]
    assert frame[["n", "r"]].to_numpy().tolist() == [[35, 11], [36, 11]]
    first = found.designs[0]
    assert (first.alpha_achieved, first.beta_achieved) == pytest.approx(
        (0.0343574006954932, 0.195174503430638), abs=1e-12
    )
    assert first.power_achieved == pytest.approx(0.804825496569362, abs=1e-12)
    assert found.to_dict()["designs"][0]["n"] == 35
    assert str(found).splitlines()[3].split() == ["35", "11", "0.0344", "0.8048"]
    assert str(first).splitlines() == [
        "Single-stage design: promising if more than 11 of 35 respond",
        "  type I error 0.0344, power 0.8048",
    ]


def test_two_stage_inference_matches_clinfun() -> None:
    inference = compute_two_stage_inference(13, **OPTIMAL_3_13, p0=0.2)
    row = inference.to_frame().iloc[0]
    assert row["p_value"] == pytest.approx(0.0495814497480525, abs=1e-12)
    assert row["umvue"] == pytest.approx(0.370709206956267, abs=1e-12)
    assert (row["lower"], row["upper"]) == pytest.approx((0.2003, 0.4966), abs=1e-4)
    assert row["notes"] == ""
    assert str(inference).splitlines()[0].startswith("13 responses in 43 subjects; ordered by total responses")


def test_interim_decision_frame_has_one_row_per_rate() -> None:
    """10 of 40 on 3/13, 12/43: more than 12 needs all 3 remaining respond: .5^3 = .125, .2^3 = .008."""
    decision = evaluate_two_stage_interim(10, 40, **OPTIMAL_3_13, rates=[0.5, 0.2])
    frame = decision.to_frame()
    assert frame["rate"].tolist() == [0.5, 0.2]
    assert frame["conditional_power"].tolist() == pytest.approx([0.125, 0.008], abs=1e-12)
    assert set(frame["status"]) == {"continue to stage 2"}
    assert str(decision).splitlines()[-2:] == [
        "conditional power at p = 0.5: 0.125",
        "conditional power at p = 0.2: 0.008",
    ]
    without_rates = evaluate_two_stage_interim(10, 40, **OPTIMAL_3_13).to_frame()
    assert len(without_rates) == 1
    assert without_rates["conditional_power"].isna().all()


def test_selection_probability_frame_by_hand() -> None:
    """n = 1, rates .4 and .2: arm 1 wins .4 x .8 = .32 outright and half of the ties .4 x .2 + .6 x .8 = .56,
    so .32 + .28 = .60; arm 2 gets .40."""
    probability = compute_correct_selection(1, 0.2, 0.2)
    frame = probability.to_frame()
    assert frame["arm"].tolist() == [1, 2]
    assert frame["rate"].tolist() == [0.4, 0.2]
    assert frame["selected"].tolist() == pytest.approx([0.6, 0.4], abs=1e-12)
    assert str(probability).splitlines() == [
        "1 per arm: correct selection 0.6000 (ties 0.5600, broken at random)",
        "  arm 1 (rate 0.4): selected 0.6000",
        "  arm 2 (rate 0.2): selected 0.4000",
    ]


def test_selection_design_matches_simon_wittes_ellenberg() -> None:
    design = find_selection_sample_size(0.2, 0.15)
    row = design.to_frame().iloc[0]
    assert (row["n_per_arm"], row["arms"], row["target"]) == (29, 2, 0.9)
    assert row["correct"] >= 0.9
    assert str(design).startswith("29 subjects per arm (2 arms, 58 in all)")


def test_bayes_boundaries_by_hand() -> None:
    """p0 = .5, nmax = 3, Beta(1, 1), theta_t = .6, theta_l = .2, one look at n = 1: success needs 2 of 3
    (P(p > .5 | 2 of 3) = 11/16 > .6 > 5/16); at n = 1, x = 0 has PP = 1/6 < .2 (futility), no efficacy stop."""
    bounds = _tiny_bayes()
    assert bounds.to_frame().to_dict("list") == {"n": [1], "futility_if_at_most": [0], "efficacy_if_at_least": [None]}
    assert bounds.to_dict()["parameters"] == {
        "prior_a": 1.0, "prior_b": 1.0, "theta_t": 0.6, "theta_l": 0.2, "theta_u": 1.0,
    }  # fmt: skip
    lines = str(bounds).splitlines()
    assert lines[0] == "Predictive-probability boundaries (Lee & Liu 2008): p0 = 0.5, nmax = 3"
    assert lines[3].split() == ["1", "0", "-"]
    assert lines[-1] == "Promising at n = 3 if at least 2 respond."


def test_boundary_characteristics_by_hand() -> None:
    """Same design at p = .5: stop .5 at n = 1; else 2 more subjects need at least 1 response: .5 x .75 = .375;
    E[N] = .5 x 1 + .5 x 3 = 2."""
    at = compute_boundary_characteristics(_tiny_bayes(), 0.5)
    expected = {"p": 0.5, "promising": 0.375, "stop_futility": 0.5, "stop_efficacy": 0.0, "expected_n": 2.0}
    assert at.to_frame().to_dict("records") == [pytest.approx(expected, abs=1e-12)]
    assert str(at) == "p = 0.5: promising 0.3750, early futility stop 0.5000, expected n 2.0"
