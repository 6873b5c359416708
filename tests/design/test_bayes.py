"""Bayesian monitoring boundaries and their exact operating characteristics (``oncotrial.design.bayes``).

Two facts make the small cases below hand-checkable:

* For whole-number a, b the Beta(a, b) survival function is a binomial sum:
  ``P(p > t) = P(Bin(a + b - 1, t) <= a - 1)``.
* With a uniform prior on the standard rate p_s, ``P(p > p_s | data) = E[p | data]``; for a
  Beta(1 + x, 1 + n - x) posterior that is ``(1 + x) / (n + 2)``.

The one reference value from outside is ph2bye's documented example
``PredP(16, 23, 40, 1, 1, 0.5, 0.9) = 0.8871897`` (Lee & Liu 2008 predictive probability,
R package ph2bye, https://rdrr.io/cran/ph2bye/man/PredP.html).
"""

from __future__ import annotations

import math

import pytest

from oncotrial.design import (
    BetaPrior,
    build_posterior_boundaries,
    build_predictive_boundaries,
    compute_boundary_characteristics,
)
from oncotrial.errors import DesignError

UNIFORM = BetaPrior(1, 1)


# --- predictive probability (Lee & Liu) ------------------------------------------------------


def test_predictive_boundaries_tiny_design_by_hand() -> None:
    """p0 = 0.5, nmax = 3, Beta(1, 1), theta_t = 0.6, theta_l = 0.2, one look at n = 1.

    Success at 3: P(p > 0.5 | X of 3) for Beta(1 + X, 4 - X) = P(Bin(4, 0.5) <= X) = 1/16, 5/16,
    11/16, 15/16 for X = 0..3; the first above 0.6 is X = 2, so success = 2.
    Look at n = 1: x = 0 leaves Beta(1, 2); the 2 future responses y are BetaBinomial(2, 1, 2) with
    P(y = 0, 1, 2) = 1/2, 1/3, 1/6, so PP = P(y >= 2) = 1/6 < 0.2: stop. x = 1 leaves Beta(2, 1),
    y ~ BetaBinomial(2, 2, 1) with P(y = 0) = 1/6, so PP = P(y >= 1) = 5/6: continue. Futility = 0.
    No efficacy stop with theta_u = 1 (PP > 1 never happens).
    """
    bounds = build_predictive_boundaries(0.5, nmax=3, prior=UNIFORM, theta_t=0.6, theta_l=0.2, looks=[1])
    assert bounds.kind == "predictive"
    assert (bounds.p0, bounds.nmax, bounds.looks) == (0.5, 3, (1,))
    assert bounds.futility == (0,)
    assert bounds.efficacy == (None,)
    assert bounds.success == 2
    assert bounds.parameters == {"prior_a": 1, "prior_b": 1, "theta_t": 0.6, "theta_l": 0.2, "theta_u": 1.0}


def test_predictive_boundaries_default_looks_every_subject() -> None:
    """Same design with looks at n = 1 and n = 2 (the default: every subject before nmax).

    n = 2, one subject left, success needs 2 responses in all: x = 0 -> PP = 0 (stop);
    x = 1 -> PP = E[p | Beta(2, 2)] = 1/2 (continue); x = 2 -> PP = 1. Futility at n = 2 is 0.
    """
    bounds = build_predictive_boundaries(0.5, nmax=3, prior=UNIFORM, theta_t=0.6, theta_l=0.2)
    assert bounds.looks == (1, 2)
    assert bounds.futility == (0, 0)
    assert bounds.efficacy == (None, None)
    assert bounds.success == 2


@pytest.mark.parametrize(
    ("p", "promising", "stop_futility", "expected_n"),
    [
        # p = 0.5: stop at n = 1 if x = 0 (0.5); otherwise need >= 1 of 2 more: 0.5 * (1 - 0.25) = 0.375.
        # E[N] = 0.5 * 1 + 0.5 * 3 = 2.0.
        pytest.param(0.5, 0.375, 0.5, 2.0, id="p0.5"),
        # p = 0.2: stop with 0.8; promising 0.2 * (1 - 0.8^2) = 0.2 * 0.36 = 0.072; E[N] = 0.8 + 0.6 = 1.4.
        pytest.param(0.2, 0.072, 0.8, 1.4, id="p0.2"),
        # p = 0.8: stop with 0.2; promising 0.8 * (1 - 0.2^2) = 0.768; E[N] = 0.2 + 2.4 = 2.6.
        pytest.param(0.8, 0.768, 0.2, 2.6, id="p0.8"),
    ],
)
def test_predictive_characteristics_tiny_design_by_hand(
    p: float, promising: float, stop_futility: float, expected_n: float
) -> None:
    """Boundaries of the tiny design above: stop after 1 subject if x = 0, success if >= 2 of 3."""
    bounds = build_predictive_boundaries(0.5, nmax=3, prior=UNIFORM, theta_t=0.6, theta_l=0.2, looks=[1])
    chars = compute_boundary_characteristics(bounds, p)
    assert chars.p == p
    assert chars.promising == pytest.approx(promising, abs=1e-12)
    assert chars.stop_futility == pytest.approx(stop_futility, abs=1e-12)
    assert chars.stop_efficacy == 0.0
    assert chars.expected_n == pytest.approx(expected_n, abs=1e-12)


@pytest.mark.parametrize(
    ("p", "stop_efficacy"),
    [
        # Stop at n = 1 either way: futility if x = 0, efficacy if x = 1; promising = P(x = 1) = p; E[N] = 1.
        pytest.param(0.5, 0.5, id="p0.5"),
        pytest.param(0.2, 0.2, id="p0.2"),
    ],
)
def test_predictive_efficacy_stop_by_hand(p: float, stop_efficacy: float) -> None:
    """theta_u = 0.8: at n = 1, x = 1 has PP = 5/6 > 0.8 (worked out above), so efficacy = 1."""
    bounds = build_predictive_boundaries(0.5, nmax=3, prior=UNIFORM, theta_t=0.6, theta_l=0.2, theta_u=0.8, looks=[1])
    assert bounds.futility == (0,)
    assert bounds.efficacy == (1,)
    chars = compute_boundary_characteristics(bounds, p)
    assert chars.stop_efficacy == pytest.approx(stop_efficacy, abs=1e-12)
    assert chars.stop_futility == pytest.approx(1 - stop_efficacy, abs=1e-12)
    assert chars.promising == pytest.approx(stop_efficacy, abs=1e-12)
    assert chars.expected_n == pytest.approx(1.0, abs=1e-12)


def test_predictive_without_futility_stop_is_a_single_stage_test() -> None:
    """theta_l = 0: PP < 0 never happens, so futility = NEVER (-1) and the trial always runs to 3.

    At p = 0.5 promising = P(Bin(3, 0.5) >= 2) = (3 + 1) / 8 = 0.5, E[N] = 3.
    """
    bounds = build_predictive_boundaries(0.5, nmax=3, prior=UNIFORM, theta_t=0.6, theta_l=0.0, looks=[1])
    assert bounds.futility == (-1,)
    chars = compute_boundary_characteristics(bounds, 0.5)
    assert chars.promising == pytest.approx(0.5, abs=1e-12)
    assert chars.stop_futility == 0.0
    assert chars.expected_n == pytest.approx(3.0, abs=1e-12)


@pytest.mark.parametrize(
    ("theta_u", "efficacy"),
    [
        pytest.param(0.8871, 16, id="just_below_pp_of_16"),
        pytest.param(0.8873, 17, id="just_above_pp_of_16"),
    ],
)
def test_predictive_probability_matches_ph2bye_predp_example(theta_u: float, efficacy: int) -> None:
    """ph2bye ``PredP(16, 23, 40, 1, 1, 0.5, 0.9) = 0.8871897`` (documented example output).

    16 of 23 is an efficacy stop exactly when theta_u < 0.8871897, so the boundary at n = 23 moves
    from 16 to 17 as theta_u crosses that value.
    """
    bounds = build_predictive_boundaries(
        0.5, nmax=40, prior=UNIFORM, theta_t=0.9, theta_l=0.0, theta_u=theta_u, looks=[23]
    )
    assert bounds.efficacy == (efficacy,)


@pytest.mark.parametrize(
    ("theta_l", "futility"),
    [
        pytest.param(0.8871, 15, id="just_below_pp_of_16"),
        pytest.param(0.8873, 16, id="just_above_pp_of_16"),
    ],
)
def test_predictive_futility_brackets_ph2bye_predp_example(theta_l: float, futility: int) -> None:
    """Same reference value: 16 of 23 is a futility stop exactly when theta_l > 0.8871897."""
    bounds = build_predictive_boundaries(0.5, nmax=40, prior=UNIFORM, theta_t=0.9, theta_l=theta_l, looks=[23])
    assert bounds.futility == (futility,)


def test_predictive_unreachable_success_is_an_error() -> None:
    """p0 = 0.5, nmax = 3: even 3 of 3 gives P(p > 0.5) = 15/16 = 0.9375, not above 0.95."""
    with pytest.raises(DesignError, match=r"Even 3 responses of 3 do not give P\(p > 0\.5\) > theta_t = 0\.95"):
        build_predictive_boundaries(0.5, nmax=3, prior=UNIFORM, theta_t=0.95, theta_l=0.2)


def test_boundaries_to_frame_and_to_dict() -> None:
    bounds = build_predictive_boundaries(0.5, nmax=3, prior=UNIFORM, theta_t=0.6, theta_l=0.2)
    frame = bounds.to_frame()
    assert list(frame.columns) == ["n", "futility_if_at_most", "efficacy_if_at_least"]
    assert frame["n"].tolist() == [1, 2]
    assert frame["futility_if_at_most"].tolist() == [0, 0]
    assert frame["efficacy_if_at_least"].tolist() == [None, None]
    document = bounds.to_dict()
    assert document["looks"] == [1, 2]
    assert document["futility"] == [0, 0]
    assert document["efficacy"] == [None, None]
    assert document["success"] == 2
    assert document["kind"] == "predictive"


# --- posterior probability (Thall & Simon) ---------------------------------------------------


def test_posterior_boundaries_by_hand() -> None:
    """p0 = 0.2, nmax = 10, Beta(1, 1), theta_l = 0.3, theta_t = 0.95, one look at n = 5.

    Look: P(p > 0.2 | x of 5) = P(Bin(6, 0.2) <= x): x = 0 -> 0.8^6 = 0.262144 < 0.3 (stop);
    x = 1 -> 0.262144 + 6 * 0.2 * 0.8^5 = 0.262144 + 0.393216 = 0.65536 (continue). Futility = 0.
    End: P(p > 0.2 | X of 10) = P(Bin(11, 0.2) <= X). Bin(11, 0.2) pmf: 0.08589934592,
    0.23622320128, 0.2952790016, 0.2214592512, 0.1107296256, 0.03875536896; cumulative
    0.0858993, 0.3221225, 0.6174015, 0.8388608, 0.9495904, 0.9883458: first above 0.95 at X = 5.
    """
    bounds = build_posterior_boundaries(0.2, nmax=10, prior=UNIFORM, theta_l=0.3, looks=[5])
    assert bounds.kind == "posterior"
    assert bounds.looks == (5,)
    assert bounds.futility == (0,)
    assert bounds.efficacy == (None,)
    assert bounds.success == 5
    assert bounds.parameters == {
        "prior_a": 1,
        "prior_b": 1,
        "theta_t": 0.95,
        "theta_l": 0.3,
        "theta_u": 1.0,
        "delta": 0.0,
    }


def test_posterior_characteristics_by_hand() -> None:
    """Boundaries above at p = 0.2.

    stop_futility = P(X5 = 0) = 0.8^5 = 0.32768.
    promising = P(X10 >= 5) - P(X5 = 0 and the last 5 all respond) = P(X10 >= 5) - 0.32768 * 0.2^5.
    Bin(10, 0.2) pmf 0..4: 0.1073741824, 0.268435456, 0.301989888, 0.201326592, 0.088080384,
    sum 0.9672065024, so P(X10 >= 5) = 0.0327934976 and promising = 0.0327934976 - 0.0001048576
    = 0.03268864. E[N] = 5 * 0.32768 + 10 * 0.67232 = 8.3616.
    """
    bounds = build_posterior_boundaries(0.2, nmax=10, prior=UNIFORM, theta_l=0.3, looks=[5])
    chars = compute_boundary_characteristics(bounds, 0.2)
    assert chars.stop_futility == pytest.approx(0.32768, abs=1e-12)
    assert chars.stop_efficacy == 0.0
    assert chars.promising == pytest.approx(0.03268864, abs=1e-12)
    assert chars.expected_n == pytest.approx(8.3616, abs=1e-12)
    assert chars.to_dict() == {
        "p": 0.2,
        "promising": pytest.approx(0.03268864),
        "stop_futility": pytest.approx(0.32768),
        "stop_efficacy": 0.0,
        "expected_n": pytest.approx(8.3616),
    }


def test_posterior_efficacy_stop_by_hand() -> None:
    """Add theta_u = 0.95: P(Bin(6, 0.2) <= x) = 0.262144, 0.65536, 0.90112, 0.98304 for x = 0..3
    (pmf 2: 15 * 0.04 * 0.4096 = 0.24576; pmf 3: 20 * 0.008 * 0.512 = 0.08192), so efficacy = 3.

    At p = 0.2, Bin(5, 0.2) pmf 0..5: 0.32768, 0.4096, 0.2048, 0.0512, 0.0064, 0.00032.
    stop_efficacy = 0.0512 + 0.0064 + 0.00032 = 0.05792; stop_futility = 0.32768.
    Reaching 10 needs X5 = 1 (then >= 4 of 5: 0.00672) or X5 = 2 (then >= 3 of 5: 0.05792):
    promising = 0.05792 + 0.4096 * 0.00672 + 0.2048 * 0.05792 = 0.05792 + 0.002752512 + 0.011862016
    = 0.072534528. E[N] = 5 * 0.3856 + 10 * 0.6144 = 8.072.
    """
    bounds = build_posterior_boundaries(0.2, nmax=10, prior=UNIFORM, theta_l=0.3, theta_u=0.95, looks=[5])
    assert bounds.futility == (0,)
    assert bounds.efficacy == (3,)
    assert bounds.success == 5
    chars = compute_boundary_characteristics(bounds, 0.2)
    assert chars.stop_efficacy == pytest.approx(0.05792, abs=1e-12)
    assert chars.stop_futility == pytest.approx(0.32768, abs=1e-12)
    assert chars.promising == pytest.approx(0.072534528, abs=1e-12)
    assert chars.expected_n == pytest.approx(8.072, abs=1e-12)
    assert chars.promising >= chars.stop_efficacy > 0


def test_posterior_delta_shifts_the_interim_target_only() -> None:
    """p0 = 0.1, delta = 0.1: interim looks test p > 0.1 + 0.1 = 0.2 (futility 0, as above); the end
    tests p > 0.1: P(Bin(11, 0.1) <= X) = 0.31381059609, 0.6973568802, 0.91043814915, 0.9814652388
    for X = 0..3 (pmf 0.9^11, 1.1 * 0.9^10, 0.55 * 0.9^9, 0.165 * 0.9^8), first above 0.95 at X = 3.
    """
    bounds = build_posterior_boundaries(0.1, nmax=10, prior=UNIFORM, theta_l=0.3, delta=0.1, looks=[5])
    assert bounds.futility == (0,)
    assert bounds.success == 3
    assert bounds.parameters["delta"] == 0.1


def test_posterior_with_uniform_standard_prior_by_hand() -> None:
    """Standard rate p_s ~ Beta(1, 1): P(p > p_s | x of n) = E[p] = (1 + x) / (n + 2).

    n = 5: (1 + x) / 7 = 0.143, 0.286, 0.429, ..., 0.857 for x = 0..5. theta_l = 0.3 -> futility 1;
    theta_u = 0.8 -> efficacy 5 (6/7 = 0.857; 5/7 = 0.714). End, n = 10: (1 + X) / 12 > 0.9 first at
    X = 10 (11/12 = 0.917; 10/12 = 0.833) -> success 10.
    """
    bounds = build_posterior_boundaries(
        0.2, nmax=10, prior=UNIFORM, theta_l=0.3, theta_u=0.8, theta_t=0.9, standard_prior=UNIFORM, looks=[5]
    )
    assert bounds.futility == (1,)
    assert bounds.efficacy == (5,)
    assert bounds.success == 10
    assert bounds.parameters["standard_a"] == 1
    assert bounds.parameters["standard_b"] == 1


def test_posterior_with_uniform_standard_prior_characteristics_by_hand() -> None:
    """Boundaries above at p = 0.5: stop_futility = P(X5 <= 1) = 6/32 = 0.1875; stop_efficacy =
    P(X5 = 5) = 1/32; 10 of 10 needs 5 of the first 5, which already stopped, so promising = 1/32.
    E[N] = 5 * 7/32 + 10 * 25/32 = 285/32 = 8.90625.
    """
    bounds = build_posterior_boundaries(
        0.2, nmax=10, prior=UNIFORM, theta_l=0.3, theta_u=0.8, theta_t=0.9, standard_prior=UNIFORM, looks=[5]
    )
    chars = compute_boundary_characteristics(bounds, 0.5)
    assert chars.stop_futility == pytest.approx(0.1875, abs=1e-9)
    assert chars.stop_efficacy == pytest.approx(0.03125, abs=1e-9)
    assert chars.promising == pytest.approx(0.03125, abs=1e-9)
    assert chars.expected_n == pytest.approx(8.90625, abs=1e-9)


def test_posterior_unreachable_success_is_an_error() -> None:
    """Uniform standard prior, theta_t = 0.95: (1 + X) / 12 <= 11/12 < 0.95 for every X <= 10, so no
    result at nmax could be a success; the builder says so (as the predictive builder does)."""
    with pytest.raises(DesignError, match="lower theta_t"):
        build_posterior_boundaries(0.2, nmax=10, prior=UNIFORM, theta_l=0.3, standard_prior=UNIFORM, looks=[5])


def test_posterior_concentrated_standard_prior_tends_to_fixed_p0() -> None:
    """A standard prior Beta(2000, 8000) (mean 0.2, sd 0.004) is nearly a point mass at 0.2, so the
    boundaries are those of the fixed-p0 case worked out above: futility 0 at n = 5, success 5 at 10."""
    bounds = build_posterior_boundaries(
        0.2, nmax=10, prior=UNIFORM, theta_l=0.3, standard_prior=BetaPrior(2000, 8000), looks=[5]
    )
    assert bounds.futility == (0,)
    assert bounds.success == 5


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param(0, 1, id="a_zero"),
        pytest.param(1, -1, id="b_negative"),
    ],
)
def test_beta_prior_rejects_non_positive_parameters(a: float, b: float) -> None:
    with pytest.raises(DesignError, match=r"Beta prior parameters must be positive"):
        BetaPrior(a, b)


@pytest.mark.parametrize(
    ("p0", "kwargs", "match"),
    [
        pytest.param(0.0, {}, r"p0 = 0\.0 is not a response rate", id="p0_zero"),
        pytest.param(0.5, {"nmax": 1}, r"nmax = 1 must be a whole number of subjects from 2 to 2000", id="nmax_one"),
        pytest.param(0.5, {"nmax": 2001}, r"nmax = 2001", id="nmax_too_large"),
        pytest.param(
            0.5, {"looks": [0]}, r"Interim looks must be at 1 to nmax - 1 = 9 subjects; got \[0\]", id="look_zero"
        ),
        pytest.param(0.5, {"looks": [5, 10]}, r"got \[5, 10\]", id="look_at_nmax"),
        pytest.param(
            0.5, {"theta_l": -0.1}, r"theta_l = -0\.1 must be a probability from 0 to 1", id="theta_l_negative"
        ),
        pytest.param(0.5, {"theta_u": 1.5}, r"theta_u = 1\.5 must be a probability", id="theta_u_above_one"),
        pytest.param(0.5, {"theta_t": 2.0}, r"theta_t = 2\.0 must be a probability", id="theta_t_above_one"),
    ],
)
def test_predictive_boundaries_reject_bad_input(p0: float, kwargs: dict[str, object], match: str) -> None:
    arguments: dict[str, object] = {"nmax": 10, "prior": UNIFORM, "theta_t": 0.9, "theta_l": 0.1} | kwargs
    with pytest.raises(DesignError, match=match):
        build_predictive_boundaries(p0, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"delta": 1.0}, r"delta = 1\.0 must lie in \[0, 1\)", id="delta_one"),
        pytest.param({"delta": -0.1}, r"delta = -0\.1 must lie in", id="delta_negative"),
        pytest.param({"looks": [10]}, r"Interim looks must be at 1 to nmax - 1 = 9", id="look_at_nmax"),
        pytest.param({"theta_l": 1.1}, r"theta_l = 1\.1 must be a probability", id="theta_l_above_one"),
    ],
)
def test_posterior_boundaries_reject_bad_input(kwargs: dict[str, object], match: str) -> None:
    arguments: dict[str, object] = {"nmax": 10, "prior": UNIFORM, "theta_l": 0.1} | kwargs
    with pytest.raises(DesignError, match=match):
        build_posterior_boundaries(0.2, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("p", [pytest.param(0.0, id="zero"), pytest.param(1.0, id="one")])
def test_characteristics_reject_a_rate_outside_0_1(p: float) -> None:
    bounds = build_predictive_boundaries(0.5, nmax=3, prior=UNIFORM, theta_t=0.6, theta_l=0.2)
    with pytest.raises(DesignError, match=r"p = .* is not a response rate"):
        compute_boundary_characteristics(bounds, p)


def test_crossed_thresholds_are_rejected() -> None:
    """theta_l = 0.9 > theta_u = 0.1 on the tiny design (PP = 1/6, 5/6 at n = 1): every x would be below
    theta_l and above theta_u, a stop for futility and for efficacy at once; the input is refused."""
    with pytest.raises(DesignError, match="must be below theta_u"):
        build_predictive_boundaries(0.5, nmax=3, prior=UNIFORM, theta_t=0.6, theta_l=0.9, theta_u=0.1, looks=[1])


@pytest.mark.parametrize("value", [math.inf, math.nan, 0.0, -1.0])
def test_beta_prior_parameters_are_finite_and_positive(value: float) -> None:
    with pytest.raises(DesignError, match="must be positive and finite"):
        BetaPrior(value, 1.0)
