"""Simon two-stage designs against clinfun 1.1.5, Simon (1989) and hand arithmetic.

Convention throughout: stop after stage 1 if at most r1 of n1 respond; the treatment is promising
if more than r of n respond. Designs are written r1/n1, r/n.
"""

from __future__ import annotations

import csv
import itertools
import math
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from scipy.stats import binom

from oncotrial.design import (
    SimonDesign,
    SimonSearch,
    compute_two_stage_characteristics,
    find_simon_designs,
    find_simon_designs_grid,
)
from oncotrial.errors import DesignError
from tests.conftest import shared_path

Row = dict[str, str]
RULE = ("r1", "n1", "r", "n")
# (SimonDesign attribute, simon_designs.csv column), compared to 1e-10.
DESIGN_NUMBERS = (
    ("en0", "EN_p0_clinfun"),
    ("pet0", "PET_p0_clinfun"),
    ("en1", "EN_p1"),
    ("pet1", "PET_p1"),
    ("alpha_achieved", "alpha_achieved"),
    ("power_achieved", "power_achieved"),
)
SIMON_DESIGN_FIELDS = [*RULE, "en0", "pet0", "en1", "pet1", "alpha_achieved", "power_achieved"]
SCENARIO_KEY = re.compile(r"p0=([\d.]+)_p1=([\d.]+)_a=([\d.]+)_b=([\d.]+)")


def _read_csv(path: Path) -> list[Row]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def design_rows() -> list[Row]:
    """simon_designs.csv: clinfun's ph2simon minimax and optimal designs (36 rows)."""
    return _read_csv(shared_path("reference", "simon", "simon_designs.csv"))


@pytest.fixture(scope="module")
def admissible_rows() -> list[Row]:
    """simon_admissible.csv: clinfun's twostage.admissible designs, minimax to optimal per scenario."""
    return _read_csv(shared_path("reference", "simon", "simon_admissible.csv"))


@pytest.fixture(scope="module")
def nmax_used(design_rows: list[Row]) -> dict[tuple[float, float], int]:
    """The nmax given to clinfun for each (p0, p1), from simon_designs.csv."""
    return {(float(row["p0"]), float(row["p1"])): int(row["nmax_used"]) for row in design_rows}


def _rule(design: SimonDesign) -> tuple[int, int, int, int]:
    return (design.r1, design.n1, design.r, design.n)


def _expected_rule(row: Row) -> tuple[int, int, int, int]:
    r1, n1, r, n = (int(row[c]) for c in RULE)
    return (r1, n1, r, n)


def _design_mismatches(row: Row, found: SimonSearch) -> list[str]:
    where = f"p0={row['p0']} p1={row['p1']} {row['design']}"
    design = found.minimax if row["design"] == "minimax" else found.optimal
    problems = []
    if _rule(design) != _expected_rule(row):
        problems.append(f"{where}: r1/n1,r/n {_rule(design)} != clinfun {_expected_rule(row)}")
    for attr, column in DESIGN_NUMBERS:
        got, expected = getattr(design, attr), float(row[column])
        if abs(got - expected) > 1e-10:
            problems.append(f"{where}: {attr} {got!r} != {column} {expected!r}")
    if len(found.admissible) != int(row["n_admissible"]):
        problems.append(f"{where}: {len(found.admissible)} admissible designs != clinfun {row['n_admissible']}")
    return problems


def test_simon_designs_match_clinfun_ph2simon(design_rows: list[Row]) -> None:
    """Expected: shared reference/simon/simon_designs.csv, from clinfun 1.1.5
    ``ph2simon(pu=p0, pa=p1, ep1=alpha, ep2=beta, nmax=nmax_used)`` (minimax and optimal rows), with
    EN/PET under p1 and achieved alpha/power from exact binomial sums, and ``nrow(twostage.admissible(.))``."""
    assert len(design_rows) == 36
    cache: dict[tuple[float, float, float, float, int], SimonSearch] = {}
    mismatches: list[str] = []
    for row in design_rows:
        key = (float(row["p0"]), float(row["p1"]), float(row["alpha"]), float(row["beta"]), int(row["nmax_used"]))
        if key not in cache:
            cache[key] = find_simon_designs(key[0], key[1], alpha=key[2], beta=key[3], nmax=key[4])
        mismatches.extend(_design_mismatches(row, cache[key]))
    assert len(cache) == 18
    assert not mismatches, "\n".join(mismatches)


def _admissible_mismatches(scenario: str, rows: list[Row], found: SimonSearch) -> list[str]:
    if len(found.admissible) != len(rows):
        return [f"{scenario}: {len(found.admissible)} admissible designs != clinfun {len(rows)}"]
    problems = []
    for i, (got, row) in enumerate(zip(found.admissible, rows, strict=True)):
        where = f"{scenario} #{i + 1}"
        if (got.label, *_rule(got.design)) != (row["label"], *_expected_rule(row)):
            problems.append(f"{where}: {got.label} {_rule(got.design)} != {row['label']} {_expected_rule(row)}")
        for attr, column in (("en0", "EN(p0)"), ("pet0", "PET(p0)")):
            if abs(getattr(got.design, attr) - float(row[column])) > 1e-10:
                problems.append(f"{where}: {attr} {getattr(got.design, attr)!r} != {row[column]}")
        if (round(got.q_low, 3), round(got.q_high, 3)) != (float(row["qLo"]), float(row["qHi"])):
            problems.append(f"{where}: q {got.q_low!r}..{got.q_high!r} != {row['qLo']}..{row['qHi']}")
    return problems


def test_simon_admissible_matches_clinfun_twostage_admissible(
    admissible_rows: list[Row], nmax_used: dict[tuple[float, float], int]
) -> None:
    """Expected: shared reference/simon/simon_admissible.csv, from clinfun 1.1.5
    ``twostage.admissible(ph2simon(pu, pa, ep1, ep2, nmax))`` with nmax = nmax_used of simon_designs.csv;
    clinfun prints the weights q to 3 decimals, so round(q, 3) is compared."""
    by_scenario: dict[str, list[Row]] = defaultdict(list)
    for row in admissible_rows:
        by_scenario[row["scenario"]].append(row)
    assert len(by_scenario) == 18
    mismatches: list[str] = []
    for scenario, rows in by_scenario.items():
        match = SCENARIO_KEY.fullmatch(scenario)
        assert match is not None, scenario
        p0, p1, alpha, beta = (float(v) for v in match.groups())
        found = find_simon_designs(p0, p1, alpha=alpha, beta=beta, nmax=nmax_used[(p0, p1)])
        mismatches.extend(_admissible_mismatches(scenario, rows, found))
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize(
    ("p0", "p1", "alpha", "beta", "optimal", "minimax"),
    [
        pytest.param(
            0.05, 0.25, 0.05, 0.20, (0, 9, 2, 17, 12.0, 0.63), (0, 12, 2, 16, 13.8, 0.54), id="p05_p25_a05_b20"
        ),
        pytest.param(
            0.10, 0.30, 0.05, 0.20, (1, 10, 5, 29, 15.0, 0.74), (1, 15, 5, 25, 19.5, 0.55), id="p10_p30_a05_b20"
        ),
        pytest.param(
            0.20, 0.40, 0.05, 0.20, (3, 13, 12, 43, 20.6, 0.75), (4, 18, 10, 33, 22.3, 0.72), id="p20_p40_a05_b20"
        ),
        pytest.param(
            0.30, 0.50, 0.05, 0.20, (5, 15, 18, 46, 23.6, 0.72), (6, 19, 16, 39, 25.7, 0.67), id="p30_p50_a05_b20"
        ),
        # Our transcription of this row read PET .65 (to be checked against the paper); P(X1 <= 1 | n1 = 12, p = .1) = .9^12 + 12 (.1) .9^11
        # = 0.28243 + 0.37657 = 0.65900 (by hand), which rounds to .66; EN = 12 + 23 (1 - .659) = 19.84 agrees.
        pytest.param(
            0.10, 0.30, 0.10, 0.10, (1, 12, 5, 35, 19.8, 0.66), (1, 16, 4, 25, 20.4, 0.51), id="p10_p30_a10_b10"
        ),
    ],
)
def test_simon_designs_match_simon_1989_tables(
    p0: float,
    p1: float,
    alpha: float,
    beta: float,
    optimal: tuple[int, int, int, int, float, float],
    minimax: tuple[int, int, int, int, float, float],
) -> None:
    """Expected: Simon R. Optimal two-stage designs for phase II clinical trials. Control Clin Trials
    1989;10:1-10, Tables 1-2 (r1/n1, r/n; EN(p0) to 1 decimal and PET(p0) to 2 decimals as printed)."""
    found = find_simon_designs(p0, p1, alpha=alpha, beta=beta)
    for expected, design in ((optimal, found.optimal), (minimax, found.minimax)):
        assert (*_rule(design), round(design.en0, 1), round(design.pet0, 2)) == expected


@pytest.mark.parametrize(
    ("rule", "p", "reject", "pet", "en"),
    [
        # pet = P(X1 <= 0) = .5; reject = P(X1 = 1) P(X2 > -1) = .5 x 1 = .5; en = 1 + .5 x 1 = 1.5.
        pytest.param((0, 1, 0, 2), 0.5, 0.5, 0.5, 1.5, id="0of1_0of2_p50"),
        # pet = .5^2 = .25; reject = P(X1 = 1) P(X2 >= 1) + P(X1 = 2) P(X2 >= 0) = .5 x .5 + .25 = .5;
        # en = 2 + .75 x 1 = 2.75.
        pytest.param((0, 2, 1, 3), 0.5, 0.5, 0.25, 2.75, id="0of2_1of3_p50"),
        # r1 = -1 never stops: pet = 0; reject = P(X > 0 of 2) = 1 - .7^2 = .51; en = 2.
        pytest.param((-1, 1, 0, 2), 0.3, 0.51, 0.0, 2.0, id="never_stop_p30"),
        # pet = P(X1 <= 1 of 2) = 1 - .2^2 = .96; reject = P(X1 = 2) P(X2 >= 0) = .04; en = 2 + .04 x 1 = 2.04.
        pytest.param((1, 2, 1, 3), 0.2, 0.04, 0.96, 2.04, id="1of2_1of3_p20"),
        # pet = .5; reject = P(X1 = 1) P(X2 >= 1 of 2) = .5 x .75 = .375; en = 1 + .5 x 2 = 2.
        pytest.param((0, 1, 1, 3), 0.5, 0.375, 0.5, 2.0, id="0of1_1of3_p50"),
    ],
)
def test_two_stage_characteristics_match_hand_calculation(
    rule: tuple[int, int, int, int], p: float, reject: float, pet: float, en: float
) -> None:
    """Exact characteristics of tiny designs, worked by hand in each case's comment."""
    got = compute_two_stage_characteristics(*rule, p)
    assert (got.p, got.reject, got.pet, got.en) == pytest.approx((p, reject, pet, en), abs=1e-12)


@pytest.mark.parametrize(
    ("rule", "match"),
    [
        pytest.param((2, 2, 3, 4), r"r1/n1 = 2/2, r/n = 3/4 is not a two-stage design", id="r1_not_below_n1"),
        pytest.param((1, 2, 0, 4), r"r1/n1 = 1/2, r/n = 0/4 is not a two-stage design", id="r_below_r1"),
        pytest.param((0, 2, 4, 4), r"is not a two-stage design", id="r_equals_n"),
        pytest.param((-2, 2, 0, 4), r"is not a two-stage design", id="r1_below_minus_one"),
        pytest.param((0, 3, 1, 3), r"n1 = 3 must be a whole number of subjects from 1 to 2", id="n1_equals_n"),
        pytest.param((0, 1, 0, 1), r"n = 1 must be a whole number of subjects from 2 to 1000", id="n_one"),
    ],
)
def test_two_stage_characteristics_rejects_a_rule_that_is_not_two_stage(
    rule: tuple[int, int, int, int], match: str
) -> None:
    with pytest.raises(DesignError, match=match):
        compute_two_stage_characteristics(*rule, 0.3)


@pytest.mark.parametrize(
    ("kwargs", "field", "match"),
    [
        pytest.param({"p0": 0.3, "p1": 0.3}, "p1", r"p1 = 0.3 must be larger than p0 = 0.3", id="p1_equals_p0"),
        pytest.param({"p0": 0.3, "p1": 0.2}, "p1", r"must be larger than p0", id="p1_below_p0"),
        pytest.param({"p0": 0, "p1": 0.2}, "p0", r"p0 = 0 is not a response rate", id="p0_zero"),
        pytest.param({"p0": 1.2, "p1": 1.4}, "p0", r"p0 = 1.2 is not a response rate", id="p0_above_one"),
        pytest.param({"p0": math.nan}, "p0", r"p0 = nan is not a response rate", id="p0_nan"),
        pytest.param({"p1": 1.0}, "p1", r"p1 = 1.0 is not a response rate", id="p1_one"),
        pytest.param({"alpha": 0.5}, "alpha", r"alpha = 0.5 must lie strictly between 0 and 0.5", id="alpha_half"),
        pytest.param({"alpha": 0}, "alpha", r"alpha = 0 must lie strictly between 0 and 0.5", id="alpha_zero"),
        pytest.param({"beta": 0.6}, "beta", r"beta = 0.6 must lie strictly between 0 and 0.5", id="beta_0.6"),
        pytest.param({"nmax": 100.0}, "nmax", r"nmax = 100.0 must be a whole number of subjects", id="nmax_float"),
        pytest.param({"nmax": 1001}, "nmax", r"nmax = 1001 must be a whole number .* from 2 to 1000", id="nmax_1001"),
        pytest.param({"nmax": 1}, "nmax", r"nmax = 1 must be a whole number", id="nmax_1"),
        pytest.param({"nmax": True}, "nmax", r"nmax = True must be a whole number", id="nmax_bool"),
    ],
)
def test_find_simon_designs_rejects_invalid_input(kwargs: dict[str, float], field: str, match: str) -> None:
    arguments = {"p0": 0.1, "p1": 0.3, "alpha": 0.05, "beta": 0.2, "nmax": 100, **kwargs}
    p0, p1 = arguments.pop("p0"), arguments.pop("p1")
    with pytest.raises(DesignError, match=match) as info:
        find_simon_designs(p0, p1, **arguments)  # type: ignore[arg-type]
    assert info.value.fields["field"] == field


def test_find_simon_designs_without_a_design_within_nmax_says_how_large_nmax_must_be() -> None:
    """p0 = .2, p1 = .3 needs far more than 50 subjects; the error names the smallest workable nmax,
    and that nmax indeed gives a minimax design of exactly that size (a consistency check)."""
    with pytest.raises(DesignError, match=r"nmax = 50 .*set nmax to at least \d+") as info:
        find_simon_designs(0.2, 0.3, alpha=0.05, beta=0.2, nmax=50)
    needed = info.value.needed_nmax
    assert info.value.code == "DESIGN-E010"
    assert isinstance(needed, int)
    assert needed > 50
    assert f"set nmax to at least {needed}" in info.value.message
    found = find_simon_designs(0.2, 0.3, alpha=0.05, beta=0.2, nmax=needed)
    assert found.minimax.n == needed


def test_find_simon_designs_says_when_no_design_up_to_1000_exists() -> None:
    """p0 = .50 against p1 = .51 at alpha .05, power .80 needs thousands of subjects (a single-stage
    normal approximation gives (1.645 + 0.842)^2 x .25 / .01^2 ~ 15,000)."""
    with pytest.raises(DesignError, match=r"no design up to 1000 subjects exists") as info:
        find_simon_designs(0.5, 0.51, alpha=0.05, beta=0.2, nmax=50)
    assert info.value.needed_nmax is None


def test_simon_design_to_dict_has_the_documented_fields() -> None:
    found = find_simon_designs(0.05, 0.25, alpha=0.05, beta=0.2)
    assert list(found.optimal.to_dict()) == SIMON_DESIGN_FIELDS
    assert found.minimax.rule == "0/12,2/16"
    whole = found.to_dict()
    assert {"optimal", "minimax", "admissible"} <= set(whole)
    assert (whole["alpha_requested"], whole["beta_requested"], whole["nmax"]) == (0.05, 0.2, 100)
    assert whole["optimal"] == found.optimal.to_dict()
    assert whole["minimax"] == found.minimax.to_dict()
    assert [a["label"] for a in whole["admissible"]] == ["Minimax", "Optimal"]
    assert whole["notes"] == []


def test_simon_designs_to_frame_and_str_list_the_admissible_designs() -> None:
    """Designs of p0 = .05, p1 = .25 from shared reference/simon/simon_designs.csv (clinfun ph2simon):
    minimax 0/12, 2/16 (EN 13.84, PET 0.540), optimal 0/9, 2/17 (EN 11.96, PET 0.630)."""
    found = find_simon_designs(0.05, 0.25, alpha=0.05, beta=0.2)
    frame = found.to_frame()
    assert list(frame.columns) == ["label", *SIMON_DESIGN_FIELDS, "q_low", "q_high"]
    assert frame["label"].tolist() == ["Minimax", "Optimal"]
    assert frame[list(RULE)].to_numpy().tolist() == [[0, 12, 2, 16], [0, 9, 2, 17]]
    text = str(found)
    assert text.startswith(
        "Simon two-stage designs: p0 = 0.05, p1 = 0.25\ntype I error below 0.05, type II error below 0.2, n at most 100"
    )
    assert re.search(r"Minimax\s+0/12\s+2/16\s+13\.84\s+0\.540", text)
    assert re.search(r"Optimal\s+0/9\s+2/17\s+11\.96\s+0\.630", text)


def test_simon_designs_note_an_optimal_design_close_to_nmax() -> None:
    """With nmax = 25 the optimal design 0/9, 2/17 (shared reference/simon/simon_designs.csv, clinfun ph2simon)
    is unchanged but its n = 17 lies within 10 of nmax, which clinfun's print method warns about."""
    found = find_simon_designs(0.05, 0.25, alpha=0.05, beta=0.2, nmax=25)
    assert (_rule(found.minimax), _rule(found.optimal)) == ((0, 12, 2, 16), (0, 9, 2, 17))
    assert len(found.notes) == 1
    assert "n = 17 is within 10 of nmax = 25" in found.notes[0]
    assert "within 10 of nmax" in " ".join(str(found).split())  # the note is wrapped at 80 columns


def test_single_admissible_design_is_labelled_minimax_and_optimal() -> None:
    """p0 = .05, p1 = .45, alpha = beta = .2 gives the one design 0/3, 0/4. By hand: PET0 = .95^3 = .857375,
    EN0 = 3 + .142625 x 1 = 3.142625; alpha = P(X1 >= 1 | .05) = 1 - .857375 = .142625 (< .2);
    power = 1 - .55^3 = 1 - .166375 = .833625 (> .8)."""
    found = find_simon_designs(0.05, 0.45, alpha=0.2, beta=0.2)
    assert len(found.admissible) == 1
    only = found.admissible[0]
    assert only.label == "Minimax and optimal"
    assert (only.q_low, only.q_high) == (0.0, 1.0)
    assert found.minimax == found.optimal == only.design
    assert _rule(only.design) == (0, 3, 0, 4)
    got = (only.design.pet0, only.design.en0, only.design.alpha_achieved, only.design.power_achieved)
    assert got == pytest.approx((0.857375, 3.142625, 0.142625, 0.833625), abs=1e-12)


# --- grid ------------------------------------------------------------------------------------


def _grid_scenarios() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "p0": [0.05, 0.10, 0.20],
            "p1": [0.25, 0.30, 0.30],
            "alpha": [0.05, 0.05, 0.05],
            "beta": [0.20, 0.20, 0.20],
            "nmax": [100, 100, 50],
        }
    )


def test_simon_grid_matches_clinfun_ph2simon(design_rows: list[Row]) -> None:
    """Expected designs of p0 = .05/p1 = .25 and p0 = .10/p1 = .30: shared reference/simon/simon_designs.csv
    (clinfun ``ph2simon(pu, pa, 0.05, 0.2, nmax = 100)``); p0 = .2/p1 = .3 has no design with n <= 50."""
    progress: list[int] = []
    grid = find_simon_designs_grid(_grid_scenarios(), on_progress=progress.append)
    assert progress == [1, 2, 3]
    assert grid["scenario"].tolist() == [1, 1, 2, 2, 3]
    assert grid["design"].tolist() == ["minimax", "optimal", "minimax", "optimal", "none"]
    reference = {(float(r["p0"]), float(r["p1"]), r["design"]): r for r in design_rows}
    mismatches = []
    for record in grid.iloc[:4].to_dict("records"):
        row = reference[(record["p0"], record["p1"], record["design"])]
        got = tuple(int(record[c]) for c in RULE)
        if got != _expected_rule(row) or int(record["n_admissible"]) != int(row["n_admissible"]):
            mismatches.append(f"{record}: expected {_expected_rule(row)}, {row['n_admissible']} admissible")
    assert not mismatches, "\n".join(mismatches)
    none = grid.iloc[4]
    assert none["nmax"] == 50
    assert re.search(r"set nmax to at least \d+", none["note"])
    assert grid.iloc[:4]["note"].isna().all()


def test_simon_grid_defaults_nmax_to_100() -> None:
    scenarios = _grid_scenarios().drop(columns="nmax").iloc[:1]
    grid = find_simon_designs_grid(scenarios)
    assert grid["nmax"].tolist() == [100, 100]
    assert grid["design"].tolist() == ["minimax", "optimal"]


@pytest.mark.parametrize("column", [pytest.param(c, id=f"without_{c}") for c in ("p0", "p1", "alpha", "beta")])
def test_simon_grid_names_a_missing_column(column: str) -> None:
    with pytest.raises(DesignError, match=rf"lacks the column\(s\) {column}") as info:
        find_simon_designs_grid(_grid_scenarios().drop(columns=column))
    assert info.value.fields["field"] == column


def test_simon_grid_names_the_row_with_an_empty_value() -> None:
    scenarios = _grid_scenarios()
    scenarios.loc[1, "p1"] = math.nan
    with pytest.raises(DesignError, match=r"Scenario row 2 has no value for p1"):
        find_simon_designs_grid(scenarios)


def test_simon_grid_keeps_the_requested_alpha() -> None:
    """The requested alpha stays in ``alpha``; the achieved one is ``alpha_achieved``."""
    grid = find_simon_designs_grid(_grid_scenarios())
    assert grid["alpha"].tolist() == [0.05] * 5
    assert (grid["alpha_achieved"].dropna() < 0.05).all()


# --- properties ------------------------------------------------------------------------------

rates = st.integers(min_value=5, max_value=60).map(lambda k: k / 100)
# Every p0 = .05-.60 with p1 = p0 + .20-.35, alpha .05/.10 and beta .10/.20 has a design with n <= 55
# (n <= 35 once p1 - p0 >= .25), so no example is wasted on a scenario without a design.
gaps = st.integers(min_value=20, max_value=35).map(lambda k: k / 100)
wide_gaps = st.integers(min_value=25, max_value=35).map(lambda k: k / 100)


def _designs_or_reject(p0: float, p1: float, alpha: float, beta: float, nmax: int) -> SimonSearch:
    try:
        return find_simon_designs(p0, p1, alpha=alpha, beta=beta, nmax=nmax)
    except DesignError as exc:
        if exc.code == "DESIGN-E010":  # no design within nmax: not this property's concern
            reject()
        raise


def _check_constraints(design: SimonDesign, p0: float, p1: float, alpha: float, beta: float) -> None:
    at0 = compute_two_stage_characteristics(design.r1, design.n1, design.r, design.n, p0)
    at1 = compute_two_stage_characteristics(design.r1, design.n1, design.r, design.n, p1)
    assert at0.reject < alpha
    assert 1.0 - at1.reject < beta
    assert design.alpha_achieved == pytest.approx(at0.reject, abs=1e-12)
    assert design.power_achieved == pytest.approx(at1.reject, abs=1e-12)
    assert design.pet0 == pytest.approx(at0.pet, abs=1e-12)
    assert design.en0 == pytest.approx(at0.en, abs=1e-9)


@pytest.mark.parametrize(
    ("p0", "p1", "alpha", "beta", "nmax"),
    [
        pytest.param(0.45, 0.80, 0.05, 0.2, 100, id="p45_p80_a05_default_nmax"),
        pytest.param(0.45, 0.72, 0.10, 0.2, 100, id="p45_p72_a10_default_nmax"),
        pytest.param(0.45, 0.72, 0.05, 0.2, 36, id="p45_p72_a05_nmax36"),
        pytest.param(0.47, 0.72, 0.10, 0.2, 35, id="p47_p72_a10_nmax35"),
        pytest.param(0.54, 0.79, 0.10, 0.2, 35, id="p54_p79_a10_nmax35"),
    ],
)
def test_find_simon_designs_does_not_crash_in_the_search(
    p0: float, p1: float, alpha: float, beta: float, nmax: int
) -> None:
    """Found by the property tests below: these scenarios once raised IndexError (the r window slid down
    for part of a block of pairs with the wrong stage-1 offsets). The designs must meet alpha and beta."""
    found = find_simon_designs(p0, p1, alpha=alpha, beta=beta, nmax=nmax)
    for design in (found.minimax, found.optimal):
        _check_constraints(design, p0, p1, alpha, beta)


@settings(max_examples=25, deadline=None)
@given(
    p0=rates, gap=gaps, alpha=st.sampled_from([0.05, 0.1]), beta=st.sampled_from([0.1, 0.2]), nmax=st.integers(55, 60)
)
def test_found_designs_meet_alpha_and_beta(p0: float, gap: float, alpha: float, beta: float, nmax: int) -> None:
    """Constraints, not values: both designs keep type I error below alpha and type II error below beta;
    the minimax design is no larger, the optimal one has no larger EN0; admissible designs run from the
    minimax to the optimal with n rising, EN0 falling and contiguous weight ranges from 1 down to 0."""
    p1 = p0 + gap
    found = _designs_or_reject(p0, p1, alpha, beta, nmax)
    for design in (found.minimax, found.optimal):
        _check_constraints(design, p0, p1, alpha, beta)
        assert design.n <= nmax
    assert found.minimax.n <= found.optimal.n
    assert found.optimal.en0 <= found.minimax.en0
    chain = found.admissible
    assert (chain[0].design, chain[-1].design) == (found.minimax, found.optimal)
    assert (chain[0].q_high, chain[-1].q_low) == (1.0, 0.0)
    for before, after in itertools.pairwise(chain):
        assert before.design.n < after.design.n
        assert before.design.en0 > after.design.en0
        assert before.q_low == after.q_high


def _smallest_en_by_n(p0: float, p1: float, alpha: float, beta: float, nmax: int) -> dict[int, float]:
    """Brute force, independent of oncotrial: for every n, the smallest EN0 of a design with r1 >= 0 that
    meets alpha and beta with a margin of 1e-12 (so that rounding cannot make it qualify by accident)."""
    m = np.arange(nmax + 1)[:, None]
    pmf = {p: binom.pmf(np.arange(nmax + 1)[None, :], m, p) for p in (p0, p1)}
    offsets = np.arange(-nmax - 1, nmax + 1)  # sf[p][n2, j] = P(Bin(n2, p) > j - nmax - 1)
    sf = {p: binom.sf(offsets[None, :], m, p) for p in (p0, p1)}
    best: dict[int, float] = {}
    for n in range(2, nmax + 1):
        for n1 in range(1, n):
            n2, x1, r = n - n1, np.arange(n1 + 1), np.arange(n)
            cols = r[None, :] - x1[:, None] + nmax + 1
            # reject[p][j, r] = sum over x1 >= j of P(X1 = x1) P(X2 > r - x1); rows j = r1 + 1 = 1..n1.
            reject = {p: np.cumsum((pmf[p][n1, : n1 + 1, None] * sf[p][n2][cols])[::-1], axis=0)[::-1][1:] for p in sf}
            r1 = np.arange(n1)[:, None]
            ok = (r[None, :] >= r1) & (r[None, :] <= r1 + n2)
            ok &= (reject[p0] < alpha - 1e-12) & (1.0 - reject[p1] < beta - 1e-12)
            r1_ok = np.nonzero(ok.any(axis=1))[0]
            if r1_ok.size:
                en = n1 + (1.0 - binom.cdf(r1_ok, n1, p0)) * n2
                best[n] = min(best.get(n, math.inf), float(en.min()))
    return best


@settings(max_examples=10, deadline=None)
@given(
    p0=rates,
    gap=wide_gaps,
    alpha=st.sampled_from([0.05, 0.1]),
    beta=st.sampled_from([0.1, 0.2]),
    nmax=st.integers(35, 40),
)
def test_no_design_beats_the_minimax_or_the_optimal(
    p0: float, gap: float, alpha: float, beta: float, nmax: int
) -> None:
    """Optimality against an exhaustive search written here (scipy binomials, every r1 >= 0, n1, r):
    no qualifying design is smaller than the minimax, none of its size has a smaller EN0, and none up to
    nmax has a smaller EN0 than the optimal."""
    p1 = p0 + gap
    found = _designs_or_reject(p0, p1, alpha, beta, nmax)
    best = _smallest_en_by_n(p0, p1, alpha, beta, nmax)
    assert all(n >= found.minimax.n for n in best)
    assert best.get(found.minimax.n, math.inf) >= found.minimax.en0 - 1e-9
    assert min(best.values(), default=math.inf) >= found.optimal.en0 - 1e-9


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
    assert optimal.alpha_achieved == pytest.approx(0.00725, abs=1e-15)
    assert all(a.design.alpha_achieved < 0.05 and a.design.power_achieved > 0.55 for a in found.admissible)
