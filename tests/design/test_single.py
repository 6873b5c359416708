"""Exact single-stage designs against clinfun 1.1.5's ph2single and hand arithmetic.

Convention (clinfun): promising if more than r of n respond; a design qualifies when
P(X > r | p0) <= alpha and P(X <= r | p1) <= beta (both non-strict).
"""

from __future__ import annotations

import csv
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from oncotrial.design import SingleStageDesign, find_single_stage_designs
from oncotrial.errors import DesignError
from tests.conftest import shared_path

Row = dict[str, str]


@pytest.fixture(scope="module")
def single_rows() -> list[Row]:
    """single_stage.csv: clinfun's ph2single(pu, pa, ep1, ep2, nsoln = 5), 6 scenarios x 5 solutions."""
    with shared_path("reference", "simon", "single_stage.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def _mismatches(key: tuple[str, str, str, str], rows: list[Row]) -> list[str]:
    p0, p1, alpha, beta = (float(v) for v in key)
    found = find_single_stage_designs(p0, p1, alpha=alpha, beta=beta, count=len(rows)).designs
    if len(found) != len(rows):
        return [f"{key}: {len(found)} designs != clinfun {len(rows)}"]
    problems = []
    for got, row in zip(found, rows, strict=True):
        where = f"{key} solution {row['solution']}"
        if (got.n, got.r) != (int(row["n"]), int(row["r"])):
            problems.append(f"{where}: n, r = {got.n}, {got.r} != clinfun {row['n']}, {row['r']}")
        if (
            abs(got.alpha_achieved - float(row["type1_error"])) > 1e-12
            or abs(got.beta_achieved - float(row["type2_error"])) > 1e-12
        ):
            problems.append(
                f"{where}: alpha, beta {got.alpha_achieved!r}, {got.beta_achieved!r} != {row['type1_error']}, {row['type2_error']}"
            )
    return problems


def test_single_stage_designs_match_clinfun_ph2single(single_rows: list[Row]) -> None:
    """Expected: shared reference/simon/single_stage.csv, from clinfun 1.1.5
    ``ph2single(pu, pa, ep1, ep2, nsoln = 5)`` (n, r, type1_error, type2_error); count = rows per scenario."""
    by_scenario: dict[tuple[str, str, str, str], list[Row]] = defaultdict(list)
    for row in single_rows:
        by_scenario[(row["pu"], row["pa"], row["ep1"], row["ep2"])].append(row)
    assert len(single_rows) == 30
    assert len(by_scenario) == 6
    mismatches = [m for key, rows in by_scenario.items() for m in _mismatches(key, rows)]
    assert not mismatches, "\n".join(mismatches)


def test_single_stage_designs_match_hand_calculation() -> None:
    """p0 = .1, p1 = .9, alpha = beta = .2, by hand. n = 1, r = 0: alpha = P0(X > 0) = .1, beta = P1(X = 0) = .1.
    n = 2, r = 0: alpha = 1 - .9^2 = .19, beta = .1^2 = .01. n = 2, r = 1: alpha = .1^2 = .01,
    beta = 1 - .9^2 = .19. Ordered by n, then r."""
    found = find_single_stage_designs(0.1, 0.9, alpha=0.2, beta=0.2, count=3).designs
    assert [(d.n, d.r) for d in found] == [(1, 0), (2, 0), (2, 1)]
    assert [(d.alpha_achieved, d.beta_achieved) for d in found] == [
        pytest.approx((0.1, 0.1), abs=1e-12),
        pytest.approx((0.19, 0.01), abs=1e-12),
        pytest.approx((0.01, 0.19), abs=1e-12),
    ]
    assert found[0].power_achieved == pytest.approx(0.9, abs=1e-12)


def test_single_stage_accepts_type_i_error_equal_to_alpha() -> None:
    """ph2single's bounds are non-strict. p0 = .5, p1 = .9, alpha = .25, beta = .2, by hand: n = 1 fails
    (r = 0: P0(X > 0) = .5); n = 2, r = 0 fails (alpha .75); n = 2, r = 1 has alpha = .5^2 = .25 exactly,
    beta = 1 - .9^2 = .19, so it is the first design."""
    first = find_single_stage_designs(0.5, 0.9, alpha=0.25, beta=0.2, count=1).designs[0]
    assert (first.n, first.r, first.alpha_achieved) == (2, 1, 0.25)
    assert first.beta_achieved == pytest.approx(0.19, abs=1e-12)


def test_single_stage_design_to_dict_has_power() -> None:
    """power_achieved = 1 - .19 = .81 by hand."""
    design = SingleStageDesign(n=2, r=1, alpha_achieved=0.25, beta_achieved=0.19)
    assert design.to_dict() == {
        "n": 2,
        "r": 1,
        "alpha_achieved": 0.25,
        "beta_achieved": 0.19,
        "power_achieved": pytest.approx(0.81),
    }


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"p1": 0.05}, r"p1 = 0.05 must be larger than p0 = 0.05", id="p1_equals_p0"),
        pytest.param({"p0": 0}, r"p0 = 0 is not a response rate", id="p0_zero"),
        pytest.param({"alpha": 0}, r"alpha = 0 must lie strictly between 0 and 0.5", id="alpha_zero"),
        pytest.param({"beta": 0.5}, r"beta = 0.5 must lie strictly between 0 and 0.5", id="beta_half"),
        pytest.param({"count": 0}, r"count = 0 must be a whole number of designs from 1 to 100", id="count_zero"),
        pytest.param({"count": 101}, r"count = 101 must be a whole number", id="count_101"),
        pytest.param({"nmax": 5001}, r"nmax = 5001 must be a whole number of subjects from 1 to 5000", id="nmax_5001"),
        # clinfun's first five designs for these rates have n = 27, 28, 33, 34, 35 (shared
        # reference/simon/single_stage.csv), so only two fit within 30 subjects.
        pytest.param({"nmax": 30}, r"Only 2 single-stage design\(s\) with n <= 30", id="too_few_within_nmax"),
    ],
)
def test_single_stage_rejects_invalid_input(kwargs: dict[str, float], match: str) -> None:
    arguments = {"p0": 0.05, "p1": 0.2, "alpha": 0.05, "beta": 0.2, "count": 5, "nmax": 1000, **kwargs}
    p0, p1 = arguments.pop("p0"), arguments.pop("p1")
    with pytest.raises(DesignError, match=match):
        find_single_stage_designs(p0, p1, **arguments)  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(
    p0=st.integers(min_value=5, max_value=70).map(lambda k: k / 100),
    gap=st.integers(min_value=15, max_value=25).map(lambda k: k / 100),
    alpha=st.sampled_from([0.05, 0.1]),
    beta=st.sampled_from([0.1, 0.2]),
)
def test_single_stage_designs_meet_alpha_and_beta_and_none_is_smaller(
    p0: float, gap: float, alpha: float, beta: float
) -> None:
    """Constraints checked with scipy's binomial: every design meets alpha and beta, designs come by n then r,
    and no (n, r) with n below the first design's n qualifies."""
    p1 = p0 + gap
    # nmax = 120 keeps the tables small; these rates need n of about 100 at most (p0 = .7 against .85).
    found = find_single_stage_designs(p0, p1, alpha=alpha, beta=beta, count=3, nmax=120).designs
    for design in found:
        assert design.alpha_achieved == pytest.approx(binom.sf(design.r, design.n, p0), abs=1e-12)
        assert design.beta_achieved == pytest.approx(binom.cdf(design.r, design.n, p1), abs=1e-12)
        assert design.alpha_achieved <= alpha
        assert design.beta_achieved <= beta
    assert [(d.n, d.r) for d in found] == sorted({(d.n, d.r) for d in found})
    n = np.arange(1, found[0].n)[:, None]
    r = np.arange(found[0].n)[None, :]
    smaller = (r < n) & (binom.sf(r, n, p0) <= alpha - 1e-12) & (binom.cdf(r, n, p1) <= beta - 1e-12)
    assert not smaller.any()
