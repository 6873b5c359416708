"""Log-rank tests and Cox regression (``oncotrial.endpoints.compare``).

Reference: shared/reference/survival/summary.json (shared/reference/README.md, section survival/),
R 4.2.2 with survival 3.5-3 on ``survival::lung`` (event ``status == 2``; group ``sex``, covariate
``age``) and ``survival::veteran`` (event ``status == 1``; group ``trt``, covariate ``karno``).
Stratified log-rank cases are worked out by hand in the comments.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from oncotrial.endpoints import compute_cox_regression, compute_logrank_test
from oncotrial.errors import DataError, TrialWarning
from tests.conftest import shared_path

# dataset -> (status column, status value of an event, group column)
DATASETS = {"lung": ("status", 2, "sex"), "veteran": ("status", 1, "trt")}


@pytest.fixture(scope="module")
def reference() -> dict[str, dict[str, Any]]:
    """For each dataset: the R data with an ``event`` column (0/1) and summary.json's entry."""
    base = ("reference", "survival")
    summary = json.loads(shared_path(*base, "summary.json").read_text(encoding="utf-8"))
    out = {}
    for ds, (status, event_value, _) in DATASETS.items():
        data = pd.read_csv(shared_path(*base, f"data_{ds}.csv"))
        data["event"] = (data[status] == event_value).astype(int)
        out[ds] = {"data": data, "summary": summary[ds]}
    return out


@pytest.mark.parametrize(
    ("ds", "rho"),
    [
        pytest.param("lung", 0, id="lung-logrank"),
        pytest.param("lung", 1, id="lung-peto"),
        pytest.param("veteran", 0, id="veteran-logrank"),
        pytest.param("veteran", 1, id="veteran-peto"),
    ],
)
def test_logrank_matches_r_survdiff(reference: dict[str, dict[str, Any]], ds: str, rho: int) -> None:
    """summary.json ``survdiff_rho0`` / ``survdiff_rho1``: ``survdiff(Surv(time, event) ~ grp, rho = rho)``:
    chisq, p, observed and expected per group (grp=1, grp=2), n, df = 1."""
    data = reference[ds]["data"]
    expected = reference[ds]["summary"][f"survdiff_rho{rho}"]
    result = compute_logrank_test(data["time"], data["event"], data[DATASETS[ds][2]], rho=rho)
    assert result.chisq == pytest.approx(expected["chisq"], rel=1e-6)
    assert result.p == pytest.approx(expected["p"], rel=1e-6)
    assert result.df == expected["df"] == 1
    assert list(result.n) == expected["n"]
    assert list(result.observed) == pytest.approx(expected["obs"], rel=1e-6)
    assert list(result.expected) == pytest.approx(expected["exp"], rel=1e-6)
    assert result.groups == ("1", "2")


COX_FITS = [
    pytest.param(ds, covariate, ties, id=f"{ds}-{covariate}-{ties}")
    for ds, covariates in (("lung", ("sex", "age")), ("veteran", ("trt", "karno")))
    for covariate in covariates
    for ties in ("efron", "breslow")
]


@pytest.mark.parametrize(("ds", "covariate", "ties"), COX_FITS)
def test_cox_matches_r_coxph(reference: dict[str, dict[str, Any]], ds: str, covariate: str, ties: str) -> None:
    """summary.json ``coxph_<covariate>_<ties>``: ``coxph(Surv(time, event) ~ x, ties = ties)``: coef, se,
    HR and its 95 % Wald limits, z, Wald p, likelihood-ratio and score tests, log-likelihoods, iterations.
    (A covariate coded 1/2, as sex and trt, has the coefficient of the indicator of level 2.)"""
    data = reference[ds]["data"]
    r = reference[ds]["summary"][f"coxph_{covariate}_{ties}"]
    fit = compute_cox_regression(data["time"], data["event"], data[[covariate]], ties=ties)  # type: ignore[arg-type]
    ours = {
        "coef": fit.coef[0],
        "se": fit.se[0],
        "hr": fit.hr[0],
        "hr_lower95": fit.lower[0],
        "hr_upper95": fit.upper[0],
        "z": fit.z[0],
        "wald_p": fit.p[0],
        "lr_chisq": fit.lr_chisq,
        "lr_p": fit.lr_p,
        "score_chisq": fit.score_chisq,
        "score_p": fit.score_p,
        "loglik": fit.loglik,
        "loglik_null": fit.loglik_null,
    }
    assert ours == {key: pytest.approx(r[key], rel=1e-6) for key in ours}
    assert fit.iterations == r["iter"]
    assert (fit.n, fit.events, fit.covariates) == (r["n"], r["nevent"], (covariate,))
    # R prints the Wald chi-square rounded to 2 decimals (summary.json wald_chisq)
    assert fit.wald_chisq == pytest.approx(r["wald_chisq"], abs=0.005)


def test_stratifying_by_a_constant_gives_the_unstratified_logrank(reference: dict[str, dict[str, Any]]) -> None:
    """One stratum holding everyone is the plain log-rank test: summary.json ``survdiff_rho0`` for lung,
    ``survdiff(Surv(time, event) ~ sex)`` (equal to ``survdiff(... ~ sex + strata(one))``)."""
    data = reference["lung"]["data"]
    expected = reference["lung"]["summary"]["survdiff_rho0"]
    result = compute_logrank_test(data["time"], data["event"], data["sex"], strata=np.full(len(data), "A"))
    assert result.chisq == pytest.approx(expected["chisq"], rel=1e-6)
    assert list(result.expected) == pytest.approx(expected["exp"], rel=1e-6)


# Two strata, all subjects die. Stratum s1: a at t=1, b at t=2. Stratum s2: a at t=1, b at t=2, b at t=3.
TIMES = [1, 2, 1, 2, 3]
GROUPS = ["a", "b", "a", "b", "b"]
STRATA_COLUMN = ["s1", "s1", "s2", "s2", "s2"]


def test_stratified_logrank_sums_o_minus_e_and_variances_by_hand() -> None:
    """Hand computation (R: ``survdiff(Surv(time, event) ~ group + strata(stratum))``).

    s1: t=1: n=2, a at risk 1, d=1: E_a = 1/2, V = d (n_a/n)(1 - n_a/n)(n - d)/(n - 1) = 1/4; t=2: no a at risk.
        O_a - E_a = 1 - 1/2 = 1/2, V = 1/4 (alone: chi-square (1/2)^2 / (1/4) = 1).
    s2: t=1: n=3, a at risk 1, d=1: E_a = 1/3, V = (1/3)(2/3)(2/2) = 2/9; t=2, 3: no a at risk.
        O_a - E_a = 1 - 1/3 = 2/3, V = 2/9 (alone: (4/9) / (2/9) = 2).
    Stratified: (1/2 + 2/3)^2 / (1/4 + 2/9) = (49/36) / (17/36) = 49/17 = 2.882353, not the sum of the
    per-stratum chi-squares (3). E_a = 5/6, E_b = 5 - 5/6 = 25/6; O = (2, 3). p = P(chi2_1 > 49/17)
    = erfc(sqrt(49/34)).
    """
    result = compute_logrank_test(TIMES, [1] * 5, GROUPS, strata=STRATA_COLUMN)
    assert result.chisq == pytest.approx(49 / 17, rel=1e-9)
    assert result.p == pytest.approx(math.erfc(math.sqrt(49 / 34)), rel=1e-9)
    assert list(result.observed) == pytest.approx([2, 3])
    assert list(result.expected) == pytest.approx([5 / 6, 25 / 6], rel=1e-9)
    assert (result.groups, result.n, result.df) == (("a", "b"), (2, 3), 1)


def test_unstratified_logrank_of_the_same_data_by_hand() -> None:
    """The same five deaths pooled. t=1: n=5, a at risk 2, d=2 (both a): E_a = 2 * 2/5 = 0.8,
    V = 2 (2/5)(3/5)(3/4) = 0.36; t=2, 3: no a at risk. O_a - E_a = 1.2; chi-square 1.44 / 0.36 = 4."""
    result = compute_logrank_test(TIMES, [1] * 5, GROUPS)
    assert result.chisq == pytest.approx(4.0, rel=1e-9)
    assert list(result.expected) == pytest.approx([0.8, 4.2], rel=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"group": ["a", "a", "a"]}, r"Column 'group' has a single level \(a\)", id="single_level"),
        pytest.param({"group": ["a", "", "b"]}, r"Column 'group' is empty at row\(s\) 2", id="empty_group"),
        pytest.param({"strata": ["x", "", "x"]}, r"strata column is empty at row\(s\) 2", id="empty_stratum"),
        pytest.param({"strata": ["x", None, "x"]}, r"strata column is empty at row\(s\) 2", id="missing_stratum"),
        pytest.param({"event": [0, 2, 1]}, r"Column 'event' must be 0/1 .*row\(s\) 2 hold 2", id="event_coded_0_1_2"),
    ],
)
def test_logrank_bad_input_raises_data_error(kwargs: dict[str, Any], message: str) -> None:
    """Errors name the column and the rows."""
    arguments: dict[str, Any] = {"time": [1, 2, 3], "event": [1, 1, 1], "group": ["a", "b", "a"]} | kwargs
    with pytest.raises(DataError, match=message):
        compute_logrank_test(**arguments)


def test_logrank_single_level_names_the_group_column() -> None:
    """``group_name`` is the column the message names."""
    with pytest.raises(DataError, match=r"Column 'arm' has a single level \(A\)"):
        compute_logrank_test([1, 2], [1, 1], ["A", "A"], group_name="arm")


def test_cox_all_censored_raises_data_error() -> None:
    """No event: R's coxph has nothing to fit; a DataError saying so."""
    with pytest.raises(DataError, match=r"Every subject is censored"):
        compute_cox_regression([1, 2, 3], [0, 0, 0], pd.DataFrame({"x": [0, 1, 0]}))


def test_cox_bad_ties_and_covariates_raise_data_error() -> None:
    """ties other than efron/breslow, and missing covariate values (row named), are DataErrors."""
    with pytest.raises(DataError, match=r"ties = 'exact' must be efron or breslow"):
        compute_cox_regression([1, 2, 3], [1, 0, 1], pd.DataFrame({"x": [0, 1, 0]}), ties="exact")  # type: ignore[arg-type]
    with pytest.raises(DataError, match=r"missing or not numbers at row\(s\) 2"):
        compute_cox_regression([1, 2, 3], [1, 0, 1], pd.DataFrame({"x": [0, None, 0]}))


def test_logrank_leaves_out_a_group_with_no_expected_events() -> None:
    """A: events at 1, 2, 3; B: censored 4, events 5, 6; C: censored at 0.5 twice (E = 0, left out as in
    survdiff). A vs B: t=1 n=6 E_A=3/6 V=.25; t=2 n=5 E_A=.4 V=.24; t=3 n=4 E_A=.25 V=.1875; t=5,6 E_A=0 V=0.
    O_A - E_A = 3 - 1.15 = 1.85, V = .6775: chi-square 3.4225/.6775 on 1 df (R prints 5.1 on 1 df)."""
    result = compute_logrank_test([1, 2, 3, 4, 5, 6, 0.5, 0.5], [1, 1, 1, 0, 1, 1, 0, 0], list("AAABBBCC"))
    assert result.df == 1
    assert result.chisq == pytest.approx(3.4225 / 0.6775, rel=1e-12)


def test_logrank_strata_must_have_one_value_per_subject() -> None:
    """Four subjects, two strata values."""
    with pytest.raises(DataError, match="one value per subject"):
        compute_logrank_test([1, 2, 3, 4], [1, 1, 0, 1], ["a", "a", "b", "b"], strata=[1, 2])


def test_cox_with_no_events_in_one_group_warns() -> None:
    """Group 1 (times 5-8) has no events: the coefficient runs to -infinity, as R's coxph warns."""
    with pytest.warns(TrialWarning, match="did not converge"):
        compute_cox_regression(list(range(1, 9)), [1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1])


def test_cox_with_a_constant_covariate_is_an_error() -> None:
    """x = 5 for everyone: the information matrix is 0, no fit exists (R: coefficient NA)."""
    with pytest.raises(DataError, match="singular"):
        compute_cox_regression([1, 2, 3, 4], [1, 0, 1, 1], [5, 5, 5, 5])


def test_stratified_cox_matches_r_coxph_strata(reference: dict[str, dict[str, Any]]) -> None:
    """``coxph(Surv(time, status) ~ age + factor(sex) + strata(inst), lung)`` (cox_multi_coefficients.csv,
    fit lung_age_sex_strata_inst; R leaves out the one row without inst): age 0.0192048983408915 (se
    0.00987322480987376), sex 2 -0.492351518651615 (se 0.181563429310186); cox_multi_tests.csv: likelihood
    ratio 12.6540796593524, score 12.3215302940949, n 227, events 164."""
    lung = reference["lung"]["data"].dropna(subset=["inst"])
    covariates = pd.DataFrame({"age": lung["age"], "sex2": (lung["sex"] == 2).astype(float)})
    fit = compute_cox_regression(lung["time"], lung["event"], covariates, strata=lung["inst"])
    assert fit.coef == (pytest.approx(0.0192048983408915, rel=1e-6), pytest.approx(-0.492351518651615, rel=1e-6))
    assert fit.se == (pytest.approx(0.00987322480987376, rel=1e-6), pytest.approx(0.181563429310186, rel=1e-6))
    assert (fit.lr_chisq, fit.score_chisq) == (
        pytest.approx(12.6540796593524, rel=1e-6),
        pytest.approx(12.3215302940949, rel=1e-6),
    )
    assert (fit.n, fit.events) == (227, 164)


def test_cox_strata_of_another_length_is_an_error() -> None:
    """Four subjects, two strata values."""
    with pytest.raises(DataError, match="one value per subject: got 2 for 4 subjects"):
        compute_cox_regression([1, 2, 3, 4], [1, 0, 1, 1], [0, 1, 0, 1], strata=["a", "b"])
