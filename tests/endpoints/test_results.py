"""Every endpoints result has one shape: frozen, ``to_frame()`` a DataFrame (a copy), ``to_dict()`` JSON-safe,
``str()`` non-empty and at most 80 columns; and the ADaM rules are the core's.

The realistic instances are fitted on ``survival::lung`` (shared/reference/survival/data_lung.csv, R 4.2.2,
survival 3.5-3; event ``status == 2``, groups ``sex``). The numbers checked are R's, from
shared/reference/survival (median 310 (285, 363) overall; log-rank chi-square 10.3267 on 1 df; Cox HR
0.5880 for sex 2) or worked out by hand in the docstring.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest

from oncotrial.endpoints import (
    CoxCovariate,
    KaplanMeierResult,
    compare_response_rates,
    compute_binomial_interval,
    compute_kaplan_meier,
    derive_cox_model,
    derive_response_rates,
    derive_response_summary,
    derive_survival_summary,
)
from oncotrial.errors import DataError, TrialWarning
from tests.conftest import shared_path
from tests.result_shape import assert_result_shape

ADTTE = "USUBJID,PARAMCD,AVAL,CNSR,ARM\nS1,OS,10,0,A\nS2,OS,20,1,B\nS1,PFS,5,0,A\nS2,PFS,8,0,B\n"
ADRS = (
    "USUBJID,PARAMCD,AVALC,ARM\n"
    "S1,BOR,CR,A\nS2,BOR,PR,A\nS3,BOR,PD,A\nS4,BOR,SD,B\nS5,BOR,PD,B\nS6,BOR,PR,B\n"
    "S1,OVR,CR,A\nS1,OVR,PR,A\n"
)


@pytest.fixture(scope="module")
def lung() -> pd.DataFrame:
    data = pd.read_csv(shared_path("reference", "survival", "data_lung.csv"))
    data["dead"] = (data["status"] == 2).astype(int)
    return data


def _instances(lung: pd.DataFrame) -> dict[str, Any]:
    summary = derive_survival_summary(
        lung, time_col="time", event_col="dead", group_col="sex", landmarks=(365.0,), tau=1000.0
    )
    assert summary.logrank is not None
    assert summary.cox is not None
    with pytest.warns(TrialWarning, match=r"1 row\(s\) left out .* 'inst' 1"):  # lung has one inst NA
        cox = derive_cox_model(
            lung,
            time_col="time",
            event_col="dead",
            covariates=[CoxCovariate("age"), CoxCovariate("sex", categorical=True)],
            strata_col="inst",
        )
    adrs = pd.read_csv(io.StringIO(ADRS))
    responses = derive_response_summary(adrs, param="BOR", group_col="ARM", method="wilson")
    return {
        "KaplanMeierResult": summary.overall,
        "QuantileEstimate": summary.overall.median,
        "RestrictedMean": summary.overall.restricted_mean(1000.0),
        "SurvivalSummary": summary,
        "LogRankResult": summary.logrank,
        "CoxResult (one covariate)": summary.cox,
        "CoxResult (derive_cox_model)": cox,
        "BinomialInterval": compute_binomial_interval(3, 6),
        "RateComparison": compare_response_rates(4, 5, 1, 5),
        "ResponseRates": derive_response_rates(pd.Series(["CR", "PR", "SD", "PD", "NE", "MISSING"])),
        "ResponseSummary": responses,
    }


NAMES = [
    "KaplanMeierResult",
    "QuantileEstimate",
    "RestrictedMean",
    "SurvivalSummary",
    "LogRankResult",
    "CoxResult (one covariate)",
    "CoxResult (derive_cox_model)",
    "BinomialInterval",
    "RateComparison",
    "ResponseRates",
    "ResponseSummary",
]


@pytest.mark.parametrize("name", NAMES)
def test_every_result_has_the_one_shape(lung: pd.DataFrame, name: str) -> None:
    """Frozen dataclass; to_frame() a non-empty DataFrame; to_dict() passes json.dumps(allow_nan=False);
    str() non-empty with every line at most 80 characters."""
    result = _instances(lung)[name]
    assert_result_shape(result)


def test_kaplan_meier_table_cannot_be_changed_through_the_result(lung: pd.DataFrame) -> None:
    """R: median 310 (285, 363) for lung overall. Changing the frame of to_frame() (a copy) or the
    step arrays (read-only) leaves the curve as fitted."""
    km = compute_kaplan_meier(lung["time"], lung["dead"])
    frame = km.to_frame()
    frame["surv"] = 0.0
    table = km.table
    table["surv"] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        km.steps["surv"][0] = 0.0
    with pytest.raises(TypeError):
        km.steps["surv"] = km.steps["lower"]  # type: ignore[index]
    assert (km.median.estimate, km.median.lower, km.median.upper) == (310.0, 285.0, 363.0)


def test_kaplan_meier_to_dict_writes_undefined_limits_as_none() -> None:
    """Times 1, 2 with both events: S = 1/2 then 0; at S = 0 the log interval is undefined (None)."""
    km = compute_kaplan_meier([1, 2], [1, 1])
    table = km.to_dict()["table"]
    assert table["surv"] == [0.5, 0.0]
    assert (table["lower"][1], table["upper"][1], table["std_err"][1]) == (None, None, None)
    assert isinstance(km, KaplanMeierResult)


def test_restricted_mean_is_a_result_by_hand() -> None:
    """Times 1, 2, 3, all events: S = 2/3, 1/3, 0; area to 3 = 1 + 2/3 + 1/3 = 2."""
    rmean = compute_kaplan_meier([1, 2, 3], [1, 1, 1]).restricted_mean()
    assert (rmean.estimate, rmean.tau) == (pytest.approx(2.0), 3.0)
    assert rmean.to_dict()["tau"] == 3.0


def test_survival_summary_reads_an_adtte_by_param() -> None:
    """param PFS: AVAL 5 and 8, CNSR 0 (events) -> n 2, events 2, S = 1/2 exactly from 5 to 8, median
    (5 + 8) / 2 = 6.5 (quantile.survfit's midpoint); AVAL/CNSR are the defaults."""
    adtte = pd.read_csv(io.StringIO(ADTTE))
    summary = derive_survival_summary(adtte, param="PFS")
    assert (summary.overall.n, summary.overall.events, summary.overall.median.estimate) == (2, 2, 6.5)


def test_survival_summary_refuses_several_parameters_naming_the_parameter() -> None:
    """OS and PFS in one table: pooling them is wrong; the message names param (no CLI flag)."""
    adtte = pd.read_csv(io.StringIO(ADTTE))
    with pytest.raises(DataError, match=r"PARAMCD OS, PFS\): choose one with param") as info:
        derive_survival_summary(adtte)
    assert (info.value.code, info.value.fields["field"]) == ("SURV-E038", "param")
    assert "--" not in info.value.message
    with pytest.raises(DataError, match="No rows with PARAMCD TTP"):
        derive_survival_summary(adtte, param="TTP")


def test_cox_model_reads_an_adtte_by_param() -> None:
    """param OS: S1 event at 10 (arm A), S2 censored at 20 (arm B): 2 subjects, 1 event."""
    adtte = pd.read_csv(io.StringIO(ADTTE))
    with pytest.warns():  # one event: the fit does not converge
        fit = derive_cox_model(adtte, param="OS", covariates=[CoxCovariate("ARM", categorical=True)])
    assert (fit.n, fit.events, fit.covariates) == (2, 1, ("ARM=B",))


def test_response_summary_reads_an_adrs_by_param() -> None:
    """BOR rows only (the two OVR rows are another parameter): arm A CR, PR, PD -> ORR 2/3;
    arm B SD, PD, PR -> ORR 1/3; AVALC is the response when only param is given."""
    adrs = pd.read_csv(io.StringIO(ADRS))
    summary = derive_response_summary(adrs, param="BOR", group_col="ARM")
    assert [(arm, r.orr.x, r.orr.n) for arm, r in summary.arms.items()] == [("A", 2, 3), ("B", 1, 3)]
    assert summary.comparison is not None
    assert (summary.comparison.arm1.x, summary.comparison.arm2.x) == (2, 1)
    assert summary.to_dict()["orr_comparison"]["arms"] == ["A", "B"]


def test_response_summary_refuses_a_long_adrs_without_param() -> None:
    """BOR and OVR in one table: several parameters (RATE-E008); with PARAMCD OVR S1 has two rows (RATE-E007)."""
    adrs = pd.read_csv(io.StringIO(ADRS))
    with pytest.raises(DataError, match="choose one with param") as info:
        derive_response_summary(adrs, response_col="AVALC")
    assert info.value.code == "RATE-E008"
    with pytest.raises(DataError, match=r"USUBJID S1 has 2 rows \(7, 8\)") as info:
        derive_response_summary(adrs, param="OVR")
    assert info.value.code == "RATE-E007"
    with pytest.raises(DataError, match=r"response_col.*param") as info:
        derive_response_summary(adrs)
    assert info.value.fields["parameters"] == ("response_col", "param")


def test_orr_is_found_by_name_not_by_position() -> None:
    """Rates defined with DCR first: CR, PR, SD, PD -> DCR 3/4, ORR 2/4; .orr is the ORR row."""
    rates = derive_response_rates(
        pd.Series(["CR", "PR", "SD", "PD"]), rates={"DCR": ("CR", "PR", "SD"), "ORR": ("CR", "PR")}
    )
    assert (rates.orr.x, rates.orr.n) == (2, 4)
    assert list(rates.to_frame()["rate"]) == ["DCR", "ORR"]
    with pytest.raises(DataError, match="No rate named 'CR rate'"):
        rates["CR rate"]


def test_two_arm_summary_compares_orr_when_it_is_not_the_first_rate() -> None:
    """The comparison takes each arm's ORR by name: arm A 2/3 vs arm B 1/3 (as by hand above)."""
    adrs = pd.read_csv(io.StringIO(ADRS))
    comparison = derive_response_summary(adrs, param="BOR", group_col="ARM").comparison
    assert comparison is not None
    assert comparison.difference == pytest.approx(1 / 3)
