"""Kaplan-Meier curves, medians, restricted means and follow-up (``oncotrial.endpoints.km``).

Reference: shared/reference/survival/ (shared/reference/README.md, section survival/), R 4.2.2 with
survival 3.5-3, on ``survival::lung`` (event ``status == 2``, groups ``sex``) and ``survival::veteran``
(event ``status == 1``, groups ``trt``); a stratum is written ``grp=<level>``, ``all`` is the whole sample.
Small cases are worked out by hand in the comments (z = 1.959963984540054 for 95 %).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from oncotrial.endpoints import compute_kaplan_meier, compute_median_followup
from oncotrial.endpoints.km import KaplanMeierResult
from oncotrial.errors import DataError, TrialWarning
from tests.conftest import shared_path

Z95 = 1.959963984540054  # qnorm(0.975)
# dataset -> (status column, status value of an event, group column)
DATASETS = {"lung": ("status", 2, "sex"), "veteran": ("status", 1, "trt")}
# our table column -> R's summary(survfit(...), censored = TRUE) column in km_<ds>.csv
COLUMNS = {
    "time": "time",
    "n_risk": "n.risk",
    "n_event": "n.event",
    "n_censor": "n.censor",
    "surv": "surv",
    "std_err": "std.err_surv",
    "std_err_cumhaz": "std.err_cumhaz",
    "lower": "lower",
    "upper": "upper",
}
CURVES = [
    pytest.param(ds, conf_type, stratum, id=f"{ds}-{conf_type}-{stratum}")
    for ds in DATASETS
    for conf_type in ("log", "log-log", "plain")
    for stratum in ("all", "grp=1", "grp=2")
]
STRATA = [pytest.param(ds, stratum, id=f"{ds}-{stratum}") for ds in DATASETS for stratum in ("all", "grp=1", "grp=2")]


@pytest.fixture(scope="module")
def reference() -> dict[str, dict[str, Any]]:
    """For each dataset: the R data, km_<ds>.csv, median_<ds>.csv and summary.json's entry."""
    base = ("reference", "survival")
    summary = json.loads(shared_path(*base, "summary.json").read_text(encoding="utf-8"))
    return {
        ds: {
            "data": pd.read_csv(shared_path(*base, f"data_{ds}.csv")),
            "km": pd.read_csv(shared_path(*base, f"km_{ds}.csv")),
            "median": pd.read_csv(shared_path(*base, f"median_{ds}.csv")),
            "summary": summary[ds],
        }
        for ds in DATASETS
    }


def _fit(ref: dict[str, Any], ds: str, stratum: str, conf_type: str = "log") -> KaplanMeierResult:
    status, event_value, group = DATASETS[ds]
    data = ref["data"]
    if stratum != "all":
        data = data[data[group] == int(stratum.removeprefix("grp="))]
    return compute_kaplan_meier(data["time"], (data[status] == event_value).astype(int), conf_type=conf_type)  # type: ignore[arg-type]


def _median_row(ref: dict[str, Any], stratum: str, conf_type: str) -> pd.Series:
    table = ref["median"]
    rows = table[(table["strata"] == stratum) & (table["conf.type"] == conf_type)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize(("ds", "conf_type", "stratum"), CURVES)
def test_km_table_matches_r_survfit(
    reference: dict[str, dict[str, Any]], ds: str, conf_type: str, stratum: str
) -> None:
    """km_<ds>.csv: ``summary(survfit(Surv(time, event) ~ 1 | ~ grp, conf.type = ...), censored = TRUE)``.

    Every row (every distinct time): time, n.risk, n.event, n.censor exactly; surv, Greenwood
    std.err of S, survfit's std.err (of -log S, Inf where S = 0), lower and upper to 1e-6 relative,
    NA (where S = 0, or S = 1 for log-log) as NaN.
    """
    km = reference[ds]["km"]
    expected = km[(km["strata"] == stratum) & (km["conf.type"] == conf_type)].reset_index(drop=True)
    table = _fit(reference[ds], ds, stratum, conf_type).table
    assert len(table) == len(expected)
    for ours, theirs in COLUMNS.items():
        actual, wanted = table[ours].to_numpy(dtype=float), expected[theirs].to_numpy(dtype=float)
        if ours in ("time", "n_risk", "n_event", "n_censor"):
            np.testing.assert_array_equal(actual, wanted, err_msg=ours)
        else:  # NaN must sit where R has NA and inf where R has Inf
            np.testing.assert_allclose(actual, wanted, rtol=1e-6, atol=0, equal_nan=True, err_msg=ours)


@pytest.mark.parametrize(("ds", "conf_type", "stratum"), CURVES)
def test_median_and_limits_match_r_print_survfit(
    reference: dict[str, dict[str, Any]], ds: str, conf_type: str, stratum: str
) -> None:
    """median_<ds>.csv: ``summary(survfit(...), conf.type = ...)$table`` columns median, 0.95LCL, 0.95UCL;
    n and events."""
    row = _median_row(reference[ds], stratum, conf_type)
    fit = _fit(reference[ds], ds, stratum, conf_type)
    assert (fit.n, fit.events) == (row["n"], row["events"])
    median = fit.median
    assert (median.estimate, median.lower, median.upper) == (
        pytest.approx(float(row["median"]), rel=1e-6),
        pytest.approx(float(row["lcl"]), rel=1e-6),
        pytest.approx(float(row["ucl"]), rel=1e-6),
    )


@pytest.mark.parametrize(("ds", "stratum"), STRATA)
def test_restricted_mean_matches_r_with_common_tau(reference: dict[str, dict[str, Any]], ds: str, stratum: str) -> None:
    """median_<ds>.csv columns rmean, se_rmean: ``summary(fit)$table`` with R's default ``rmean = "common"``.

    A single curve is integrated up to its last time; the per-group curves of ``survfit(... ~ grp)``
    all up to the largest time of the whole dataset (lung 1022, veteran 999).
    """
    row = _median_row(reference[ds], stratum, "log")
    fit = _fit(reference[ds], ds, stratum)
    tau = None if stratum == "all" else float(reference[ds]["data"]["time"].max())
    rmean, se = fit.restricted_mean(tau).estimate, fit.restricted_mean(tau).std_err
    assert rmean == pytest.approx(float(row["rmean"]), rel=1e-6)
    assert se == pytest.approx(float(row["se_rmean"]), rel=1e-6)


def test_restricted_mean_of_a_group_needs_the_common_tau(reference: dict[str, dict[str, Any]]) -> None:
    """median_lung.csv, grp=2 (sex 2), log: rmean 460.6473. Its last time is 965, a censoring (S > 0 there),
    before lung's last time 1022: R's value needs ``tau`` = 1022, the largest time of all groups; the
    curve's own last time (the default) stops the area at 965 and gives less.

    (veteran's trt 1 also ends early, at 553, but with a death: S = 0 after it, so tau changes nothing.)
    """
    row = _median_row(reference["lung"], "grp=2", "log")
    fit = _fit(reference["lung"], "lung", "grp=2")
    assert float(fit.table["time"].iloc[-1]) == 965.0
    assert fit.table["surv"].iloc[-1] > 0
    assert fit.restricted_mean().estimate < float(row["rmean"]) - 1
    rmean, se = fit.restricted_mean(1022.0).estimate, fit.restricted_mean(1022.0).std_err
    assert rmean == pytest.approx(float(row["rmean"]), rel=1e-6)
    assert se == pytest.approx(float(row["se_rmean"]), rel=1e-6)


@pytest.mark.parametrize(
    ("ds", "conf_type", "key"),
    [
        pytest.param("lung", "log", "reverse_km_followup_log", id="lung-log"),
        pytest.param("lung", "log-log", "reverse_km_followup_log-log", id="lung-log-log"),
        pytest.param("veteran", "log", "reverse_km_followup_log", id="veteran-log"),
        pytest.param("veteran", "log-log", "reverse_km_followup_log-log", id="veteran-log-log"),
    ],
)
def test_median_followup_matches_r_reverse_km(
    reference: dict[str, dict[str, Any]], ds: str, conf_type: str, key: str
) -> None:
    """summary.json ``reverse_km_followup_*``: ``survfit(Surv(time, 1 - event) ~ 1, conf.type = ...)`` median
    and limits (lung 588 (511, 1010) log, (511, 821) log-log; veteran: 9 censorings, never reached: NA)."""
    status, event_value, _ = DATASETS[ds]
    data = reference[ds]["data"]
    follow = compute_median_followup(data["time"], (data[status] == event_value).astype(int), conf_type=conf_type)  # type: ignore[arg-type]
    expected = reference[ds]["summary"][key]
    assert follow.to_dict() == {"estimate": expected["median"], "lower": expected["lcl"], "upper": expected["ucl"]}


# --- hand-worked curves -----------------------------------------------------------------------


def test_four_deaths_by_hand() -> None:
    """Times 1, 2, 3, 4, all deaths. S = 3/4, 2/4, 1/4, 0.

    Greenwood: sum d/(n(n-d)) = 1/12, 1/12 + 1/6 = 1/4, 1/4 + 1/2 = 3/4, then 1/(1*0) = Inf;
    std.err (of -log S) = sqrt of those; std.err of S = S * that: at t = 2, 0.5 * 0.5 = 0.25.
    Log interval at t = 2: 0.5 * exp(-z * 0.5) = 0.1876589; upper min(1, 0.5 * exp(z * 0.5)) = 1.
    At t = 4, S = 0: std.err of S and the limits are NA, std.err of -log S is Inf.
    """
    table = compute_kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1]).table
    assert table["n_risk"].tolist() == [4, 3, 2, 1]
    assert table["surv"].tolist() == pytest.approx([0.75, 0.5, 0.25, 0.0])
    assert table["std_err_cumhaz"].iloc[:3].tolist() == pytest.approx([math.sqrt(1 / 12), 0.5, math.sqrt(0.75)])
    assert math.isinf(table["std_err_cumhaz"].iloc[3])
    assert table["std_err"].iloc[1] == pytest.approx(0.25)
    assert table["lower"].iloc[1] == pytest.approx(0.5 * math.exp(-Z95 * 0.5), rel=1e-9)
    assert table["upper"].iloc[1] == 1.0
    assert table[["std_err", "lower", "upper"]].iloc[3].isna().all()


def test_median_on_a_flat_at_one_half_is_the_midpoint() -> None:
    """Times 1, 2, 3, 4, all deaths: S is exactly 0.5 from t = 2 until it drops at t = 3, so R's rule
    (``quantile.survfit``: the midpoint of the flat) gives (2 + 3) / 2 = 2.5.

    Lower limit: the lower curve at t = 1 is 0.75 * exp(-z * sqrt(1/12)) = 0.4259 <= 0.5, so 1. Upper
    limit: the upper curve is 1 until S = 0 (NA there): it never reaches 0.5, so NA.
    """
    median = compute_kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1]).median
    assert median.to_dict() == {"estimate": 2.5, "lower": 1.0, "upper": None}


def test_median_on_a_flat_with_a_censoring_inside() -> None:
    """Times 1, 2, 3+, 4 (3 censored): S = .75, .5, .5, 0; the flat at 0.5 runs from 2 to the drop at 4:
    median (2 + 4) / 2 = 3."""
    assert compute_kaplan_meier([1, 2, 3, 4], [1, 1, 0, 1]).median.estimate == 3.0


def test_median_on_a_flat_at_one_half_to_the_end_matches_quantile_survfit() -> None:
    """Times 1, 2, 3+, 4+: S = .75, .5, .5, .5, flat at 0.5 from t = 2 to the end.

    survival 3.5 ``quantile.survfit`` (findq): "A flat at the end of the curve is a special case":
    (x at the start of the flat + the last time) / 2 = (2 + 4) / 2 = 3. R: ``quantile(survfit(Surv(c(1, 2,
    3, 4), c(1, 1, 0, 0)) ~ 1), 0.5)``.
    """
    assert compute_kaplan_meier([1, 2, 3, 4], [1, 1, 0, 0]).median.estimate == 3.0


def test_landmarks_and_numbers_at_risk_by_hand() -> None:
    """Times 1, 2, 3, 4, all deaths. S(0) = 1 (before the first death), S(2.5) = S(2) = 0.5, S(10) = 0.
    At risk (time >= t): at 0 all 4; at 2 three (2, 3, 4); at 4.5 none."""
    fit = compute_kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
    at = fit.survival_at([0, 2.5, 10])
    assert at["surv"].tolist() == [1.0, 0.5, 0.0]
    assert at["std_err"].iloc[1] == pytest.approx(0.25)
    assert at["n_risk"].tolist() == [4, 2, 0]  # at 2.5: subjects with times 3 and 4
    assert fit.number_at_risk([0, 2, 4.5]).tolist() == [4, 3, 0]


def test_landmark_before_the_first_time_matches_r_summary_survfit() -> None:
    """R: ``summary(survfit(Surv(1:4, rep(1, 4)) ~ 1), times = 0)``: survival 1, std.err 0, limits 1 and 1."""
    at = compute_kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1]).survival_at([0])
    assert at[["surv", "std_err", "lower", "upper"]].iloc[0].tolist() == [1.0, 0.0, 1.0, 1.0]


def test_restricted_mean_by_hand() -> None:
    """Times 1, 2, 3, 4, all deaths: area 1 + .75 + .5 + .25 = 2.5. Areas beyond each death: 1.5, .75, .25, 0;
    d/(n(n-d)): 1/12, 1/6, 1/2, (0 where n = d); variance 2.25/12 + .5625/6 + .0625/2 = 0.3125.
    Up to tau = 2.5: 1 + .75 + .5 * .5 = 2."""
    fit = compute_kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
    rmean, se = fit.restricted_mean().estimate, fit.restricted_mean().std_err
    assert rmean == pytest.approx(2.5)
    assert se == pytest.approx(math.sqrt(0.3125))
    assert fit.restricted_mean(2.5).estimate == pytest.approx(2.0)


@pytest.mark.parametrize(
    "event",
    [
        pytest.param([1, 0, 1], id="zero_one"),
        pytest.param([True, False, True], id="booleans"),
        pytest.param(["event", "censored", "Event"], id="labels"),
        pytest.param([1.0, 0.0, 1.0], id="floats"),
    ],
)
def test_event_codings_give_the_same_curve(event: list[Any]) -> None:
    """Times 1, 2+, 3: S = 2/3 at 1, unchanged at the censoring at 2, 0 at 3."""
    table = compute_kaplan_meier([1, 2, 3], event).table
    assert table["n_event"].tolist() == [1, 0, 1]
    assert table["n_censor"].tolist() == [0, 1, 0]
    assert table["surv"].tolist() == pytest.approx([2 / 3, 2 / 3, 0.0])


@pytest.mark.parametrize(
    ("time", "event", "message"),
    [
        pytest.param([1, -2, 3], [1, 1, 1], r"Column 'time' has missing, non-numeric or negative times at row\(s\) 2;", id="negative_time"),
        pytest.param([1, 2, None], [1, 1, 1], r"Column 'time' .* at row\(s\) 3;", id="missing_time"),
        pytest.param([1, 2, "x"], [1, 1, 1], r"Column 'time' .* at row\(s\) 3;", id="text_time"),
        pytest.param([1, 2, 3, 4], [2, 1, 2, 0], r"Column 'event' must be 0/1 .*row\(s\) 1, 3 hold 2", id="event_coded_2"),
        pytest.param([1, 2], [1, "dead"], r"Column 'event' .*row\(s\) 2 hold dead", id="unknown_label"),
        pytest.param([], [], r"no subjects", id="empty"),
    ],
)  # fmt: skip
def test_bad_survival_data_raise_data_error(time: list[Any], event: list[Any], message: str) -> None:
    """Errors name the column and the (1-based) rows."""
    with pytest.raises(DataError, match=message):
        compute_kaplan_meier(time, event)


def test_bad_conf_type_and_level_raise_data_error() -> None:
    """conf_type must be log, log-log or plain; conf_level strictly between 0 and 1."""
    with pytest.raises(DataError, match=r"conf_type 'logit' is not log, log-log or plain"):
        compute_kaplan_meier([1, 2], [1, 1], conf_type="logit")  # type: ignore[arg-type]
    with pytest.raises(DataError, match=r"conf_level = 1.0 must lie between 0 and 1"):
        compute_kaplan_meier([1, 2], [1, 1], conf_level=1.0)


def test_time_and_event_lengths_must_match() -> None:
    """Three times, two events."""
    with pytest.raises(DataError, match="one value per subject"):
        compute_kaplan_meier([1, 2, 3], [1, 0])


def test_no_events_gives_survival_one_and_no_median_as_r() -> None:
    """R: ``summary(survfit(Surv(c(1, 2, 3), c(0, 0, 0)) ~ 1), censored = TRUE)`` prints survival 1,
    std.err 0 and limits 1 at times 1, 2, 3, n.risk 3, 2, 1, and ``print`` a median of NA (an interim look
    before the first event)."""
    km = compute_kaplan_meier([1, 2, 3], [0, 0, 0])
    assert km.table["surv"].tolist() == [1.0, 1.0, 1.0]
    assert km.table["std_err"].tolist() == [0.0, 0.0, 0.0]
    assert km.table["lower"].tolist() == [1.0, 1.0, 1.0]
    assert km.table["upper"].tolist() == [1.0, 1.0, 1.0]
    assert km.table["n_risk"].tolist() == [3, 2, 1]
    assert (km.events, km.median.estimate, km.median.lower, km.median.upper) == (0, None, None, None)


def test_event_coded_1_2_is_read_as_r_surv(reference: dict[str, dict[str, Any]]) -> None:
    """lung's own status column (1 = censored, 2 = dead), as ``Surv(time, status)`` reads it: the median is
    R's 310 (285, 363) (median_lung.csv, log, all), with 165 events; a warning says how it was read."""
    lung = reference["lung"]["data"]
    with pytest.warns(
        TrialWarning, match=r"'event' is coded 1/2: read as R's Surv reads it, 1 = censored and 2 = event"
    ):
        km = compute_kaplan_meier(lung["time"], lung["status"])
    assert (km.events, km.median.estimate, km.median.lower, km.median.upper) == (165, 310, 285, 363)


def test_columnar_dict_has_one_list_per_column_and_none_where_undefined() -> None:
    """Deaths at 1, 2 of two subjects: S = 1/2, 0; at S = 0 the limits are undefined (R: NA)."""
    out = compute_kaplan_meier([1, 2], [1, 1]).to_dict()
    assert out["table"]["time"] == [1.0, 2.0]
    assert out["table"]["surv"] == [0.5, 0.0]
    assert out["table"]["lower"][1] is None
    assert out["table"]["n_risk"] == [2, 1]
