"""The one-call survival summary (``oncotrial.endpoints.survival.derive_survival_summary``).

Reference: shared/reference/survival/ (shared/reference/README.md, section survival/), R 4.2.2 with
survival 3.5-3 on ``survival::lung``: event ``status == 2`` (here a 0/1 column ``dead``), groups ``sex``
(1, 2). Files: median_lung.csv, km_lung.csv, summary.json.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from oncotrial.endpoints import derive_survival_summary
from oncotrial.errors import DataError, TrialWarning
from tests.conftest import shared_path

LANDMARKS = (180.0, 365.0, 730.0)


@pytest.fixture(scope="module")
def lung() -> pd.DataFrame:
    """survival::lung with ``dead`` = status == 2."""
    data = pd.read_csv(shared_path("reference", "survival", "data_lung.csv"))
    data["dead"] = (data["status"] == 2).astype(int)
    return data


@pytest.fixture(scope="module")
def r_summary() -> dict[str, Any]:
    """summary.json's lung entry."""
    return dict(json.loads(shared_path("reference", "survival", "summary.json").read_text(encoding="utf-8"))["lung"])


@pytest.fixture(scope="module")
def km_lung() -> pd.DataFrame:
    """km_lung.csv."""
    return pd.read_csv(shared_path("reference", "survival", "km_lung.csv"))


@pytest.fixture(scope="module")
def median_lung() -> pd.DataFrame:
    """median_lung.csv."""
    return pd.read_csv(shared_path("reference", "survival", "median_lung.csv"))


@pytest.fixture(scope="module")
def summary_log(lung: pd.DataFrame) -> dict[str, Any]:
    """The summary's JSON shape for lung by sex, log intervals, landmarks at 180, 365 and 730 days."""
    result = derive_survival_summary(
        lung, time_col="time", event_col="dead", group_col="sex", conf_type="log", landmarks=LANDMARKS
    )
    return result.to_dict()


def _median(table: pd.DataFrame, stratum: str, conf_type: str) -> pd.Series:
    rows = table[(table["strata"] == stratum) & (table["conf.type"] == conf_type)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_summary_has_the_documented_keys(summary_log: dict[str, Any]) -> None:
    """``{"all", "groups", "logrank", "cox", "follow_up", ...}``; groups in level order 1, 2 with n and events
    as R's ``summary(survfit(Surv(time, dead) ~ sex))$table`` (median_lung.csv: 138/112, 90/53)."""
    assert {"all", "groups", "logrank", "cox", "follow_up"} <= set(summary_log)
    assert [(g["group"], g["n"], g["events"]) for g in summary_log["groups"]] == [("1", 138, 112), ("2", 90, 53)]
    assert (summary_log["all"]["n"], summary_log["all"]["events"]) == (228, 165)


@pytest.mark.parametrize(
    ("conf_type", "expected"),
    [
        pytest.param("log", (310, 285, 363), id="log"),
        pytest.param("log-log", (310, 284, 361), id="log-log"),
        pytest.param("plain", (310, 284, 361), id="plain"),
    ],
)
def test_overall_median_matches_r(lung: pd.DataFrame, conf_type: str, expected: tuple[int, int, int]) -> None:
    """median_lung.csv, stratum all: ``survfit(Surv(time, dead) ~ 1, conf.type = ...)`` median and 95 % limits."""
    result = derive_survival_summary(lung, time_col="time", event_col="dead", group_col="sex", conf_type=conf_type)  # type: ignore[arg-type]
    median = result.to_dict()["all"]["median"]
    assert (median["estimate"], median["lower"], median["upper"]) == expected


def test_group_medians_and_restricted_means_match_r_common_tau(
    summary_log: dict[str, Any], median_lung: pd.DataFrame
) -> None:
    """median_lung.csv, grp=1 and grp=2, log: median and limits; rmean and se(rmean) as R's
    ``summary(survfit(Surv(time, dead) ~ sex))$table`` with ``rmean = "common"``: tau = 1022 (lung's last time)."""
    for group in summary_log["groups"]:
        row = _median(median_lung, f"grp={group['group']}", "log")
        assert group["median"] == {"estimate": row["median"], "lower": row["lcl"], "upper": row["ucl"]}
        assert group["rmean"]["tau"] == 1022.0
        assert group["rmean"]["estimate"] == pytest.approx(row["rmean"], rel=1e-6)
        assert group["rmean"]["std_err"] == pytest.approx(row["se_rmean"], rel=1e-6)
    row = _median(median_lung, "all", "log")
    assert summary_log["all"]["rmean"]["estimate"] == pytest.approx(row["rmean"], rel=1e-6)


@pytest.mark.parametrize("ties", [pytest.param("efron", id="efron"), pytest.param("breslow", id="breslow")])
def test_cox_on_the_group_matches_r_coxph(lung: pd.DataFrame, r_summary: dict[str, Any], ties: str) -> None:
    """summary.json ``coxph_sex_<ties>``: ``coxph(Surv(time, dead) ~ sex, ties = ties)``; the summary codes the
    group as the indicator of sex == 2 (1 the reference), which has the same coefficient as sex coded 1/2."""
    result = derive_survival_summary(lung, time_col="time", event_col="dead", group_col="sex", ties=ties)
    cox = result.to_dict()["cox"]
    r = r_summary[f"coxph_sex_{ties}"]
    assert cox["covariates"] == ["sex=2"]
    assert (cox["coef"], cox["hr"], cox["lower"], cox["upper"], cox["p"]) == (
        pytest.approx(r["coef"], rel=1e-6),
        pytest.approx(r["hr"], rel=1e-6),
        pytest.approx(r["hr_lower95"], rel=1e-6),
        pytest.approx(r["hr_upper95"], rel=1e-6),
        pytest.approx(r["wald_p"], rel=1e-6),
    )


@pytest.mark.parametrize("rho", [pytest.param(0, id="logrank"), pytest.param(1, id="peto")])
def test_logrank_matches_r_survdiff(lung: pd.DataFrame, r_summary: dict[str, Any], rho: int) -> None:
    """summary.json ``survdiff_rho<rho>``: ``survdiff(Surv(time, dead) ~ sex, rho = rho)``."""
    result = derive_survival_summary(lung, time_col="time", event_col="dead", group_col="sex", rho=rho)
    logrank = result.to_dict()["logrank"]
    expected = r_summary[f"survdiff_rho{rho}"]
    assert logrank["chisq"] == pytest.approx(expected["chisq"], rel=1e-6)
    assert logrank["p"] == pytest.approx(expected["p"], rel=1e-6)
    assert logrank["df"] == 1


def test_follow_up_matches_r_reverse_km(summary_log: dict[str, Any], r_summary: dict[str, Any]) -> None:
    """summary.json ``reverse_km_followup_log``: ``survfit(Surv(time, 1 - dead) ~ 1)``: 588 (511, 1010)."""
    expected = r_summary["reverse_km_followup_log"]
    assert summary_log["follow_up"] == {
        "median": expected["median"],
        "lower": expected["lcl"],
        "upper": expected["ucl"],
    }


def test_landmarks_match_r_km_rows(summary_log: dict[str, Any], km_lung: pd.DataFrame) -> None:
    """km_lung.csv, conf.type log: the survival at a landmark is the row at the last time <= the landmark
    (``summary(fit, times = c(180, 365, 730))``): surv, std.err_surv, lower, upper; the number at risk is
    n.risk of the first row at or after the landmark (subjects with time >= landmark)."""
    curves = {"all": summary_log["all"]} | {f"grp={g['group']}": g for g in summary_log["groups"]}
    for stratum, curve in curves.items():
        rows = km_lung[(km_lung["strata"] == stratum) & (km_lung["conf.type"] == "log")]
        assert [point["time"] for point in curve["landmarks"]] == list(LANDMARKS)
        for point in curve["landmarks"]:
            before = rows[rows["time"] <= point["time"]].iloc[-1]
            after = rows[rows["time"] >= point["time"]].iloc[0]
            assert (point["surv"], point["std_err"], point["lower"], point["upper"]) == (
                pytest.approx(before["surv"], rel=1e-6),
                pytest.approx(before["std.err_surv"], rel=1e-6),
                pytest.approx(before["lower"], rel=1e-6),
                pytest.approx(before["upper"], rel=1e-6),
            ), (stratum, point["time"])
            assert point["n_risk"] == after["n.risk"], (stratum, point["time"])


def test_summary_without_group_has_no_comparison(lung: pd.DataFrame) -> None:
    """No group column: the overall curve and follow-up only (median 310 (285, 363), median_lung.csv)."""
    out = derive_survival_summary(lung, time_col="time", event_col="dead").to_dict()
    assert (out["groups"], out["logrank"], out["cox"]) == ([], None, None)
    assert out["all"]["median"] == {"estimate": 310.0, "lower": 285.0, "upper": 363.0}


@pytest.mark.parametrize(
    ("columns", "missing"),
    [
        pytest.param({"time_col": "days", "event_col": "dead"}, "days", id="time"),
        pytest.param({"time_col": "time", "event_col": "death"}, "death", id="event"),
        pytest.param({"time_col": "time", "event_col": "dead", "group_col": "arm"}, "arm", id="group"),
        pytest.param({"time_col": "time", "event_col": "dead", "group_col": "sex", "strata_col": "site"}, "site", id="strata"),
    ],
)  # fmt: skip
def test_missing_column_raises_data_error_naming_it(lung: pd.DataFrame, columns: dict[str, str], missing: str) -> None:
    """A column that is not in the data: a DataError naming it."""
    with pytest.raises(DataError, match=rf"The data table lacks the column\(s\) {missing};"):
        derive_survival_summary(lung, **columns)  # type: ignore[arg-type]


def test_no_events_gives_flat_curves_and_no_comparison() -> None:
    """An interim look before the first event: R's survfit gives S = 1 and median NA for each arm, and
    survdiff has nothing to test ("Chisq = 0 on -1 degrees of freedom"): no log-rank, no Cox, a warning."""
    data = pd.DataFrame({"time": [1, 2, 3, 4], "dead": [0, 0, 0, 0], "arm": ["A", "B", "A", "B"]})
    with pytest.warns(TrialWarning, match=r"No events in 'dead': survival stays at 1"):
        out = derive_survival_summary(data, time_col="time", event_col="dead", group_col="arm").to_dict()
    assert [(g["group"], g["events"], g["median"]["estimate"]) for g in out["groups"]] == [
        ("A", 0, None),
        ("B", 0, None),
    ]
    assert out["all"]["table"]["surv"] == [1.0, 1.0, 1.0, 1.0]
    assert (out["logrank"], out["cox"]) == (None, None)


def test_group_written_na_is_left_out_as_r_na_omit(lung: pd.DataFrame) -> None:
    """lung's ph.ecog is NA in one row (written "NA" as R's write.csv writes it): R's
    ``survdiff(Surv(time, status) ~ ph.ecog, lung)`` leaves it out and gives chi-square 21.962131682476 on
    3 df with n = 227 (R 4.2.2, survival 3.5-3); an "NA" group of its own would give 4 df."""
    data = lung.assign(**{"ph.ecog": lung["ph.ecog"].map(lambda v: "NA" if pd.isna(v) else str(int(v)))})
    with pytest.warns(TrialWarning, match=r"1 row\(s\) left out .*'ph.ecog' 1 \(row\(s\) 14\)"):
        result = derive_survival_summary(data, time_col="time", event_col="dead", group_col="ph.ecog")
    assert result.logrank is not None
    assert (result.logrank.chisq, result.logrank.df) == (pytest.approx(21.962131682476, rel=1e-9), 3)
    assert result.logrank.groups == ("0", "1", "2", "3")
    assert result.overall.n == 227


def test_censor_column_names_itself_in_messages() -> None:
    """Events from an ADTTE CNSR column: a value other than 0/1 is reported under CNSR (row 2), never
    under an internal column name."""
    data = pd.DataFrame({"AVAL": [5, 6, 7], "CNSR": [0, 2, 1]})
    with pytest.raises(DataError, match=r"Column 'CNSR' must be 0/1 \(1 = censored\); row\(s\) 2 are not"):
        derive_survival_summary(data, time_col="AVAL", censor_col="CNSR")


def test_bad_event_value_names_the_column_and_row() -> None:
    """dead = 2 on the third row: the message names the column 'dead' and row 3."""
    data = pd.DataFrame({"time": [1, 2, 3, 4], "dead": [1, 0, 2, 1], "arm": ["A", "B", "A", "B"]})
    with pytest.raises(DataError, match=r"Column 'dead' must be 0/1 .*row\(s\) 3 hold 2"):
        derive_survival_summary(data, time_col="time", event_col="dead", group_col="arm")


def test_unsupported_ties_raise_data_error(lung: pd.DataFrame) -> None:
    """ties = "exact" is not implemented by compute_cox_regression (DataError there); the summary must not
    report an Efron fit under that name (R's coxph_sex_exact coef is -0.5317138, Efron's -0.5310235)."""
    with pytest.raises(DataError, match="exact"):
        derive_survival_summary(lung, time_col="time", event_col="dead", group_col="sex", ties="exact")


def test_to_frame_one_row_per_curve(lung: pd.DataFrame) -> None:
    """to_frame(): all, 1, 2 with R's medians (median_lung.csv, log): 310, 270, 426."""
    frame = derive_survival_summary(lung, time_col="time", event_col="dead", group_col="sex").to_frame()
    assert frame["group"].tolist() == ["all", "1", "2"]
    assert frame["median"].tolist() == [310.0, 270.0, 426.0]
    assert np.isfinite(frame["se_rmean"]).all()


def test_derive_survival_summary_refuses_a_zero_horizon() -> None:
    """The core checks its own arguments too."""
    data = pd.DataFrame({"time": [1.0, 2.0], "dead": [1, 0]})
    with pytest.raises(DataError, match=r"^tau = 0 must be a positive time") as info:
        derive_survival_summary(data, time_col="time", event_col="dead", tau=0.0)
    assert info.value.code == "SURV-E033"
