"""Cox models from a table (``oncotrial.endpoints.cox``): several covariates, categorical levels, strata.

Reference: tests/reference/survival/cox_multi_coefficients.csv and cox_multi_tests.csv, R 4.2.2 with
survival 3.5-3 on data_lung.csv and data_veteran.csv as ``read.csv`` reads them; the R call of each fit
is in tests/reference/README.md. Lung's ``status`` is coded 1/2 and read as R's ``Surv`` reads it; rows
with NA are left out as ``na.omit`` does.
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
import pytest

from oncotrial.endpoints.cox import CoxCovariate, derive_cox_design, derive_cox_model
from oncotrial.errors import DataError, TrialWarning
from oncotrial.io.tables import MISSING_SPELLINGS, read_table
from tests.conftest import shared_path

C = CoxCovariate
FITS: dict[str, dict[str, Any]] = {
    "lung_age_sex_strata_inst": {
        "data": "lung", "covariates": [C("age"), C("sex", categorical=True)], "strata_col": "inst",
        "terms": {"age": "age", "sex=2": "factor(sex)2"},
    },
    "lung_age_ecog_breslow": {
        "data": "lung", "covariates": [C("age"), C("ph.ecog", categorical=True)], "ties": "breslow",
        "terms": {"age": "age", "ph.ecog=1": "factor(ph.ecog)1", "ph.ecog=2": "factor(ph.ecog)2",
                  "ph.ecog=3": "factor(ph.ecog)3"},
    },
    "lung_sex_karno_wtloss": {
        "data": "lung", "covariates": [C("sex"), C("ph.karno"), C("wt.loss")],
        "terms": {"sex": "sex", "ph.karno": "ph.karno", "wt.loss": "wt.loss"},
    },
    "veteran_trt_celltype_karno": {
        "data": "veteran", "covariates": [C("trt"), C("celltype", categorical=True, reference="squamous"), C("karno")],
        "terms": {"trt": "trt", **{f"celltype={level}": f'relevel(factor(celltype), ref = "squamous"){level}'
                                   for level in ("adeno", "large", "smallcell")}, "karno": "karno"},
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    """lung and veteran read as the command reads them (NA as missing)."""
    return {
        name: read_table(
            shared_path("reference", "survival", f"data_{name}.csv"),
            name=name,
            columns=columns,
            missing_values=MISSING_SPELLINGS,
        )
        for name, columns in (
            ("lung", ["time", "status", "age", "sex", "inst", "ph.ecog", "ph.karno", "wt.loss"]),
            ("veteran", ["time", "status", "trt", "celltype", "karno"]),
        )
    }


@pytest.fixture(scope="module")
def r_fits() -> tuple[pd.DataFrame, pd.DataFrame]:
    """R's coefficient table and global tests, one row per term / fit."""
    folder = ("reference", "survival")
    return (
        pd.read_csv(shared_path(*folder, "cox_multi_coefficients.csv")),
        pd.read_csv(shared_path(*folder, "cox_multi_tests.csv")).set_index("fit"),
    )


@pytest.mark.parametrize("fit_id", list(FITS))
def test_cox_model_matches_r_coxph(
    data: dict[str, pd.DataFrame], r_fits: tuple[pd.DataFrame, pd.DataFrame], fit_id: str
) -> None:
    """Every coefficient row and the likelihood-ratio, Wald and score tests equal R's (cox_multi_*.csv),
    with R's n and number of events after ``na.omit``."""
    spec = FITS[fit_id]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrialWarning)  # the 1/2 coding and the rows left out (tested apart)
        fit = derive_cox_model(
            data[spec["data"]], time_col="time", event_col="status", covariates=spec["covariates"],
            strata_col=spec.get("strata_col"), ties=spec.get("ties", "efron"),
        )  # fmt: skip
    coefficients, tests = r_fits
    r = coefficients[coefficients["fit"] == fit_id].set_index("term")
    ours = fit.to_frame().set_index("term")
    assert list(ours.index) == list(spec["terms"])
    for term, r_term in spec["terms"].items():
        for column, r_column in (("coef", "coef"), ("exp_coef", "exp_coef"), ("se_coef", "se_coef"), ("z", "z"),
                                 ("p", "p"), ("lower", "lower_95"), ("upper", "upper_95")):  # fmt: skip
            assert ours.loc[term, column] == pytest.approx(r.loc[r_term, r_column], rel=1e-6), (term, column)
    want = tests.loc[fit_id]
    assert (fit.n, fit.events) == (want["n"], want["nevent"])
    assert fit.loglik == pytest.approx(want["loglik"], rel=1e-9)
    for key, name in (("likelihood_ratio", "lr"), ("wald", "wald"), ("score", "score")):
        test = fit.global_tests()[key]
        assert test["chisq"] == pytest.approx(want[name], rel=1e-6), key
        assert test["df"] == want[f"{name}_df"]
        assert test["p"] == pytest.approx(want[f"{name}_p"], rel=1e-6), key


@pytest.mark.filterwarnings("ignore:Column 'status' is coded 1/2")
def test_rows_with_missing_values_are_left_out_and_counted(data: dict[str, pd.DataFrame]) -> None:
    """lung, sex + ph.karno + wt.loss: R deletes 14 rows (cox_multi_tests.csv n_deleted 14: ph.karno NA once,
    wt.loss NA 14 times, once in the same row) and fits 214."""
    with pytest.warns(TrialWarning, match=r"14 row\(s\) left out .*'ph.karno' 1, 'wt.loss' 14"):
        fit = derive_cox_model(
            data["lung"], time_col="time", event_col="status", covariates=[C("sex"), C("ph.karno"), C("wt.loss")]
        )
    assert fit.n == 214


def test_categorical_levels_sort_as_numbers_and_the_first_is_the_reference() -> None:
    """Levels 2, 10, 1 sort as 1, 2, 10 (R's factor of numbers); 1 is the reference, so the columns are
    dose=2 and dose=10, each 1 where the subject has that level."""
    frame = pd.DataFrame({"dose": [2, 10, 1, 10]})
    design = derive_cox_design(frame, [C("dose", categorical=True)])
    assert design.to_dict("list") == {"dose=2": [1.0, 0.0, 0.0, 0.0], "dose=10": [0.0, 1.0, 0.0, 1.0]}


def test_unknown_reference_level_names_the_levels() -> None:
    """celltype holds adeno and large only: a reference 'squamous' is refused, listing the two."""
    frame = pd.DataFrame({"celltype": ["adeno", "large", "adeno"]})
    with pytest.raises(DataError, match=r"reference level 'squamous' of 'celltype' .*\(adeno, large\)") as info:
        derive_cox_design(frame, [C("celltype", categorical=True, reference="squamous")])
    assert info.value.code == "SURV-E025"


def test_text_in_a_continuous_covariate_names_the_rows() -> None:
    """Rows 2 and 3 hold 'high' and 'low': the message names them and suggests declaring it categorical."""
    frame = pd.DataFrame({"time": [1, 2, 3, 4], "dead": [1, 0, 1, 1], "grade": ["1", "high", "low", "2"]})
    with pytest.raises(DataError, match=r"'grade' must be a number; row\(s\) 2, 3 hold high, low.*categorical"):
        derive_cox_model(frame, time_col="time", event_col="dead", covariates=[C("grade")])


def test_censor_column_gives_the_events() -> None:
    """CNSR 0 = event: the same fit as the event column 1 - CNSR (the data of lung_age_sex_strata_inst are
    checked against R above; here both spellings must agree exactly)."""
    frame = pd.DataFrame({"time": [5, 8, 3, 9, 4, 7], "dead": [1, 0, 1, 1, 0, 1], "x": [1, 0, 0, 1, 1, 0]})
    by_event = derive_cox_model(frame, time_col="time", event_col="dead", covariates=[C("x")])
    by_censor = derive_cox_model(
        frame.assign(CNSR=1 - frame["dead"]), time_col="time", censor_col="CNSR", covariates=[C("x")]
    )
    assert by_censor.coef == by_event.coef


def test_no_covariate_and_absent_column_are_errors() -> None:
    """No covariate at all, or a column the data lack: clear errors before any fit."""
    frame = pd.DataFrame({"time": [1, 2], "dead": [1, 0]})
    with pytest.raises(DataError, match="at least one covariate"):
        derive_cox_model(frame, time_col="time", event_col="dead", covariates=[])
    with pytest.raises(DataError, match=r"no column\(s\) age"):
        derive_cox_model(frame, time_col="time", event_col="dead", covariates=[C("age")])
