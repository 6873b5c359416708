"""Response rates, binomial intervals and exact tests (``oncotrial.endpoints.rates``).

Reference: shared/reference/binom/binom_intervals.csv (shared/reference/README.md, section binom/),
base R 4.2.2: ``binom.test`` (Clopper-Pearson, exact p-values), ``prop.test`` (Wilson with and
without continuity correction), Jeffreys and Agresti-Coull. Other expected values are worked out by
hand in the comments (z = 1.959963984540054 for 95 %).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from oncotrial.endpoints import (
    compare_response_rates,
    compute_binomial_interval,
    compute_exact_p_value,
    compute_two_sided_binomial_p,
    derive_response_rates,
)
from oncotrial.errors import DataError
from tests.conftest import shared_path

Z95 = 1.959963984540054  # qnorm(0.975)

# Every (x, n) row of binom_intervals.csv, in file order (test_reference_file_has_exactly_these_cases).
CASES = [
    pytest.param(2, 38, id="seed_2_of_38"),
    pytest.param(1, 17, id="1_of_17"),
    pytest.param(11, 40, id="11_of_40"),
    pytest.param(0, 1, id="0_of_1"),
    pytest.param(0, 10, id="0_of_10"),
    pytest.param(1, 10, id="1_of_10"),
    pytest.param(9, 10, id="9_of_10"),
    pytest.param(4, 29, id="4_of_29"),
    pytest.param(3, 30, id="3_of_30"),
    pytest.param(29, 30, id="29_of_30"),
    pytest.param(1, 100, id="1_of_100"),
    pytest.param(99, 100, id="99_of_100"),
    pytest.param(6, 20, id="6_of_20"),
    pytest.param(20, 60, id="20_of_60"),
    pytest.param(22, 83, id="22_of_83"),
    pytest.param(270, 270, id="270_of_270"),
    pytest.param(2, 3, id="2_of_3"),
    pytest.param(500, 1000, id="500_of_1000"),
]

# (column prefix in binom_intervals.csv, method, conf_level)
INTERVALS = [
    pytest.param("cp95", "clopper-pearson", 0.95, id="clopper_pearson_95"),
    pytest.param("cp90", "clopper-pearson", 0.90, id="clopper_pearson_90"),
    pytest.param("wilson95", "wilson", 0.95, id="wilson_95"),
    pytest.param("wilson_cc95", "wilson-cc", 0.95, id="wilson_cc_95"),
    pytest.param("jeffreys95", "jeffreys", 0.95, id="jeffreys_95"),
    pytest.param("agresti_coull95", "agresti-coull", 0.95, id="agresti_coull_95"),
]


@pytest.fixture(scope="module")
def binom_reference() -> dict[tuple[int, int], dict[str, float]]:
    """binom_intervals.csv keyed by (x, n)."""
    path = shared_path("reference", "binom", "binom_intervals.csv")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {(int(r["x"]), int(r["n"])): {k: float(v) for k, v in r.items()} for r in rows}


def test_reference_file_has_exactly_these_cases(binom_reference: dict[tuple[int, int], dict[str, float]]) -> None:
    """Every row of binom_intervals.csv is a test case (and the seed's 2 of 38 is among them)."""
    listed = [tuple(p.values) for p in CASES]
    assert sorted(binom_reference) == sorted(listed)
    assert binom_reference[(2, 38)]["phat"] == pytest.approx(2 / 38, rel=1e-12)  # 5.3 %


@pytest.mark.parametrize(("prefix", "method", "conf_level"), INTERVALS)
@pytest.mark.parametrize(("x", "n"), CASES)
def test_interval_matches_r(
    binom_reference: dict[tuple[int, int], dict[str, float]],
    x: int,
    n: int,
    prefix: str,
    method: str,
    conf_level: float,
) -> None:
    """binom_intervals.csv, R 4.2.2: ``binom.test(x, n, conf.level = .95 / .90)$conf.int``,
    ``prop.test(x, n, correct = FALSE / TRUE)$conf.int``, ``qbeta(c(.025, .975), x + .5, n - x + .5)``
    (0 at x = 0, 1 at x = n) and the Agresti-Coull interval clipped to [0, 1]."""
    ref = binom_reference[(x, n)]
    ci = compute_binomial_interval(x, n, method=method, conf_level=conf_level)  # type: ignore[arg-type]
    assert (ci.x, ci.n, ci.method, ci.conf_level) == (x, n, method, conf_level)
    assert ci.estimate == pytest.approx(ref["phat"], rel=1e-12)
    assert ci.lower == pytest.approx(ref[f"{prefix}_lower"], rel=1e-6, abs=0)
    assert ci.upper == pytest.approx(ref[f"{prefix}_upper"], rel=1e-6, abs=0)


@pytest.mark.parametrize(("x", "n"), CASES)
def test_one_sided_exact_p_matches_r_binom_test_greater(
    binom_reference: dict[tuple[int, int], dict[str, float]], x: int, n: int
) -> None:
    """binom_intervals.csv: ``binom.test(x, n, p0, alternative = "greater")$p.value`` for p0 = .05, .10,
    .20, .30. Where R's value underflowed to 0 (270/270 and 500/1000 at p0 = .05) compare absolutely."""
    ref = binom_reference[(x, n)]
    for p0 in (0.05, 0.10, 0.20, 0.30):
        expected = ref[f"p_greater_p{p0:.2f}"]
        tolerance = {"abs": 1e-300} if expected == 0 else {"rel": 1e-6, "abs": 0}
        assert compute_exact_p_value(x, n, p0) == pytest.approx(expected, **tolerance), p0


@pytest.mark.parametrize(("x", "n"), CASES)
def test_two_sided_p_matches_r_binom_test(
    binom_reference: dict[tuple[int, int], dict[str, float]], x: int, n: int
) -> None:
    """binom_intervals.csv: ``binom.test(x, n, p = 0.5)$p.value``."""
    expected = binom_reference[(x, n)]["binom_test_p_two_sided_p0.5"]
    assert compute_two_sided_binomial_p(x, n) == pytest.approx(expected, rel=1e-6, abs=0)


def test_exact_p_values_by_hand() -> None:
    """Binomial sums by hand.

    P(X >= 9 | n = 10, p = .1) = 10 * .1^9 * .9 + .1^10 = 9e-9 + 1e-10 = 9.1e-9.
    Two-sided at p = .5 for 9/10: P(X >= 9) + P(X <= 1) = 2 * (10 + 1) / 2^10 = 22 / 1024 = 0.021484375.
    x = 0: P(X >= 0) = 1.
    """
    assert compute_exact_p_value(9, 10, 0.10) == pytest.approx(9.1e-9, rel=1e-9)
    assert compute_two_sided_binomial_p(9, 10) == pytest.approx(22 / 1024, rel=1e-9)
    assert compute_exact_p_value(0, 10, 0.30) == pytest.approx(1.0, rel=1e-12)


def test_clopper_pearson_boundaries_by_hand() -> None:
    """Closed forms of the exact interval at the boundaries (Clopper & Pearson 1934).

    x = 0: upper = 1 - (alpha/2)^(1/n); 0/10 at 95 %: 1 - 0.025^(1/10) = 0.30849711.
    x = n: lower = (alpha/2)^(1/n); 5/5: 0.025^(1/5) = 0.47817625.
    x = 1: lower = 1 - (1 - alpha/2)^(1/n); 1/6: 1 - 0.975^(1/6) = 0.00421089.
    """
    zero = compute_binomial_interval(0, 10)
    assert (zero.lower, zero.upper) == (0.0, pytest.approx(1 - 0.025 ** (1 / 10), rel=1e-9))
    full = compute_binomial_interval(5, 5)
    assert (full.lower, full.upper) == (pytest.approx(0.025 ** (1 / 5), rel=1e-9), 1.0)
    assert compute_binomial_interval(1, 6).lower == pytest.approx(1 - 0.975 ** (1 / 6), rel=1e-9)


def test_response_rates_counted_by_hand() -> None:
    """CR, PR, PR, SD, PD, NE: ORR (CR + PR) 3/6, CR 1/6, DCR (CR + PR + SD) 4/6, SD 1/6, PD 1/6.

    Every subject is in the denominator, the NE one included (intention to treat).
    """
    table = derive_response_rates(pd.Series(["CR", "PR", "PR", "SD", "PD", "NE"])).to_frame()
    counts = {row["rate"]: (row["x"], row["n"]) for row in table.to_dict(orient="records")}
    assert counts == {"ORR": (3, 6), "CR rate": (1, 6), "DCR": (4, 6), "SD rate": (1, 6), "PD rate": (1, 6)}
    assert table.set_index("rate").loc["ORR", "estimate"] == pytest.approx(0.5)
    cr = table.set_index("rate").loc["CR rate"]
    # Clopper-Pearson 1/6: lower 1 - 0.975^(1/6) (test_clopper_pearson_boundaries_by_hand)
    assert cr["lower"] == pytest.approx(1 - 0.975 ** (1 / 6), rel=1e-9)


def test_response_rates_read_labels_in_any_case_and_non_cr_non_pd() -> None:
    """pr, cr, NON-CR/NON-PD, MISSING: ORR 2/4; DCR counts NON-CR/NON-PD: 3/4; MISSING is in the denominator."""
    table = derive_response_rates(pd.Series(["pr", "cr", "NON-CR/NON-PD", "MISSING"])).to_frame().set_index("rate")
    assert (table.loc["ORR", "x"], table.loc["ORR", "n"]) == (2, 4)
    assert (table.loc["DCR", "x"], table.loc["DCR", "n"]) == (3, 4)
    assert table.loc["PD rate", "x"] == 0


@pytest.mark.parametrize(
    ("arms", "fisher_p"),
    [
        # margins 3/3 responders: all 3 in arm 1 has probability 1/C(6,3) = 1/20; both tails: 2/20
        pytest.param((3, 3, 0, 3), 2 / 20, id="3of3_vs_0of3"),
        # margins 5/5, 4 responders: P(k in arm 1) = C(5,k) C(5,4-k) / C(10,4) = 5, 50, 100, 50, 5 (/210);
        # observed k = 4 (5/210), as extreme: k = 0: p = 10/210 = 1/21
        pytest.param((4, 5, 0, 5), 10 / 210, id="4of5_vs_0of5"),
        # margins 5/5, 3 responders: P(k) = 10, 50, 50, 10 (/120); observed k = 2 (50/120): every table
        # is at most as likely: p = 1
        pytest.param((2, 5, 1, 5), 1.0, id="2of5_vs_1of5"),
    ],
)
def test_rate_comparison_fisher_p_by_hand(arms: tuple[int, int, int, int], fisher_p: float) -> None:
    """Two-sided Fisher exact p (R: ``fisher.test(matrix(c(x1, n1 - x1, x2, n2 - x2), 2, byrow = TRUE))``),
    worked by hand from the hypergeometric probabilities; difference x1/n1 - x2/n2 inside Newcombe's interval."""
    x1, n1, x2, n2 = arms
    result = compare_response_rates(x1, n1, x2, n2)
    assert result.fisher_p == pytest.approx(fisher_p, rel=1e-9)
    assert result.difference == pytest.approx(x1 / n1 - x2 / n2, rel=1e-12)
    assert -1.0 <= result.lower <= result.difference <= result.upper <= 1.0
    assert (result.arm1.x, result.arm1.n, result.arm2.x, result.arm2.n) == (x1, n1, x2, n2)
    assert result.to_dict()["fisher_p"] == result.fisher_p


def test_newcombe_interval_by_hand() -> None:
    """Newcombe (1998) method 10 for 3/3 vs 0/3.

    Wilson limits: for x = n the lower limit is n / (n + z^2) = 3 / (3 + z^2); for x = 0 the upper limit
    is z^2 / (3 + z^2) = 0.5614970. Difference d = 1; lower = d - sqrt((1 - l1)^2 + (u2 - 0)^2)
    = 1 - sqrt(2) * z^2 / (3 + z^2) = 0.2059233; upper = d + sqrt((1 - 1)^2 + (0 - 0)^2) = 1.
    """
    z2 = Z95**2
    result = compare_response_rates(3, 3, 0, 3)
    assert result.lower == pytest.approx(1 - math.sqrt(2) * z2 / (3 + z2), rel=1e-9)
    assert result.upper == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda: compute_binomial_interval(11, 10), r"x = 11 must be a whole number from 0 to n = 10", id="x_above_n"
        ),
        pytest.param(lambda: compute_binomial_interval(-1, 10), r"x = -1 must be", id="x_negative"),
        pytest.param(lambda: compute_binomial_interval(0, 0), r"n = 0 must be a whole number of subjects", id="n_zero"),
        pytest.param(
            lambda: compute_binomial_interval(3, 10, method="wald"),
            r"'wald' is not one of clopper-pearson",
            id="bad_method",
        ),  # type: ignore[arg-type]
        pytest.param(
            lambda: compute_binomial_interval(3, 10, conf_level=1.0),
            r"conf_level = 1.0 must lie between 0 and 1",
            id="conf_level_1",
        ),
        pytest.param(
            lambda: compute_binomial_interval(3, 10, conf_level=0.0), r"conf_level = 0.0 must lie", id="conf_level_0"
        ),
        pytest.param(
            lambda: compute_exact_p_value(3, 10, 1.0), r"p0 = 1.0 must lie strictly between 0 and 1", id="p0_1"
        ),
        pytest.param(
            lambda: compute_two_sided_binomial_p(3, 10, 1.5),
            r"p0 = 1.5 must lie strictly between 0 and 1",
            id="two_sided_p0_1_5",
        ),
        pytest.param(lambda: compute_exact_p_value(12, 10, 0.2), r"x = 12 must be", id="exact_p_x_above_n"),
        pytest.param(
            lambda: compare_response_rates(4, 3, 0, 3),
            r"x = 4 must be a whole number from 0 to n = 3",
            id="compare_x_above_n",
        ),
        pytest.param(lambda: derive_response_rates(pd.Series([], dtype=str)), r"n = 0 must be", id="no_subjects"),
    ],
)
def test_bad_counts_raise_data_error(call: Callable[[], object], message: str) -> None:
    """Impossible counts, methods and levels are DataErrors that name the argument and the value."""
    with pytest.raises(DataError, match=message):
        call()


def test_numpy_integer_counts_are_whole_numbers() -> None:
    """np.int64(2) of np.int64(38) is the seed's 2 of 38: binom.test(2, 38) gives 0.00643872 to 0.17749059."""
    ci = compute_binomial_interval(np.int64(2), np.int64(38))  # type: ignore[arg-type]
    assert (ci.lower, ci.upper) == (pytest.approx(0.00643871671509192), pytest.approx(0.177490590347641))


def test_derive_response_rates_refuses_unknown_values() -> None:
    """The core refuses 'RESPONDER' (position 2) as well."""
    with pytest.raises(DataError, match=r"'RESPONDER' \(row 2\)") as info:
        derive_response_rates(pd.Series(["CR", "RESPONDER"], name="BOR"))
    assert info.value.code == "RATE-E006"
