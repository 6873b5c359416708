"""Group summaries and paired tests of biomarker kinetics (``oncotrial.biomarker.summary``) on the hand-made
IFN-γ set of tests/biomarker/test_kinetics.py (fold changes 4, 4, 2, 8), every number worked out by hand."""

from __future__ import annotations

import pytest

from oncotrial.biomarker import derive_biomarker_kinetics, summarise_biomarker_kinetics
from oncotrial.errors import DataError
from tests.biomarker.test_kinetics import _samples


def test_group_summary_by_hand() -> None:
    """Fold changes 4, 4, 2, 8: mean 4.5, median 4, geometric mean (4·4·2·8)^(1/4) = 4. Logs are 2a, 2a, a,
    3a (a = ln 2): sd = a·√(2/3) = 0.565945, se = 0.282972, t(0.975, 3) = 3.182446 (t table), half-width
    0.900556, CI 4·e^(∓0.900556) = 1.625374 to 9.843888. Baselines 10, 20, 5, 50: mean 21.25, median 15,
    geometric mean 50000^(1/4) = 14.953488."""
    summary = summarise_biomarker_kinetics(derive_biomarker_kinetics(_samples(), cycle_col="CYCLE", threshold=20))
    rows = summary.to_frame().set_index("parameter")
    fold = rows.loc["fold_change"]
    assert (fold["CYCLE"], fold["n"], fold["mean"], fold["median"]) == (1, 4, 4.5, 4)
    assert fold["geo_mean"] == pytest.approx(4.0, rel=1e-12)
    assert (fold["geo_lower"], fold["geo_upper"]) == pytest.approx((1.625374, 9.843888), rel=1e-6)
    base = rows.loc["baseline"]
    assert (base["mean"], base["median"]) == (21.25, 15)
    assert base["geo_mean"] == pytest.approx(14.953488, rel=1e-6)


def test_paired_baseline_versus_maximum_by_hand() -> None:
    """Differences max − baseline 30, 60, 5, 350 are all positive: signed-rank W− = 0, exact two-sided
    p = 2/2^4 = 0.125. Paired t on logs: mean log fold change 2a = 1.386294, se 0.282972, t = 4/√(2/3) =
    4.898979 with 3 df, two-sided p = 0.016277 (t table: P(T3 > 4.899) = 0.0081383); geometric mean fold
    change 4."""
    paired = summarise_biomarker_kinetics(derive_biomarker_kinetics(_samples(), cycle_col="CYCLE")).paired
    row = paired.iloc[0]
    assert (row["n_pairs"], row["wilcoxon_statistic"], row["wilcoxon_p"]) == (4, 0, 0.125)
    assert (row["t_statistic"], row["t_df"]) == (pytest.approx(4.898979, rel=1e-6), 3)
    assert row["t_p"] == pytest.approx(0.016277, abs=1e-6)
    assert row["geo_mean_fold_change"] == pytest.approx(4.0)


def test_a_confidence_level_outside_0_1_is_refused() -> None:
    kinetics = derive_biomarker_kinetics(_samples(), cycle_col="CYCLE")
    with pytest.raises(DataError, match="conf_level is 95"):
        summarise_biomarker_kinetics(kinetics, conf_level=95)
