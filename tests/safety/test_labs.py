"""CTCAE v5 grades of SDTM LB records (``oncotrial.safety.labs``) against admiral 1.0.2.

``tests/reference/safety/ctcae_v5_grades_admiral.csv``: admiral 1.0.2 ``derive_var_atoxgr_dir()`` with
``atoxgr_criteria_ctcv5`` on pharmaversesdtm LB (``tests/reference/pharmaverse/sdtm/lb.csv.gz``), one
subject in three, inputs as admiral's ADLB template builds them (provenance: tests/reference/README.md).
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.errors import DataError, InconsistentDataError
from oncotrial.safety import derive_lab_grades, derive_worst_lab_grades
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def graded() -> pd.DataFrame:
    lb = pd.read_csv(shared_path("pharmaverse", "sdtm", "lb.csv.gz"))
    return derive_lab_grades(lb).to_frame()


def test_grades_equal_admiral_derive_var_atoxgr_dir_on_pharmaverse_lb(graded: pd.DataFrame) -> None:
    """Every one of the 10,753 reference rows: ATOXGRL and ATOXGRH equal admiral's (an empty grade where
    the direction does not apply), and so do the terms and the analysis values."""
    reference = pd.read_csv(shared_path("safety", "ctcae_v5_grades_admiral.csv"))
    merged = reference.merge(graded, on=["USUBJID", "LBSEQ"], how="left", suffixes=("_admiral", ""))
    assert len(merged) == 10753
    for grade in ("ATOXGRL", "ATOXGRH"):
        ours = merged[grade].astype("Float64")
        theirs = merged[f"{grade}_admiral"].astype("Float64")
        assert (ours.isna() == theirs.isna()).all(), grade
        assert (ours.dropna() == theirs.dropna()).all(), grade
    for term in ("ATOXDSCL", "ATOXDSCH"):
        assert (merged[term].fillna("") == merged[f"{term}_admiral"].fillna("")).all()
    for value in ("AVAL", "ANRLO", "ANRHI", "BASE"):
        pd.testing.assert_series_equal(merged[value], merged[f"{value}_admiral"], check_names=False, rtol=1e-12)


def test_only_graded_tests_are_kept(graded: pd.DataFrame) -> None:
    """pharmaversesdtm LB has 17 of the rule table's test codes (URATE, PHOS, ... have no CTCAE v5 term)."""
    assert sorted(graded["LBTESTCD"].unique()) == [
        "ALB", "ALP", "ALT", "AST", "BILI", "CA", "CHOL", "CK", "CREAT", "GGT", "GLUC", "HGB", "K", "LYM",
        "PLAT", "SODIUM", "WBC",
    ]  # fmt: skip


def _lb(**columns: list[object]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {
        "USUBJID": ["S1"] * n,
        "LBSEQ": list(range(1, n + 1)),
        "LBTESTCD": ["HGB"] * n,
        "LBSTRESU": ["g/L"] * n,
        "LBSTNRLO": [120.0] * n,
        "LBSTNRHI": [160.0] * n,
    }
    return pd.DataFrame({**base, **columns})


def test_haemoglobin_in_mmol_per_litre_is_graded_in_g_per_litre() -> None:
    """4.9 mmol/L x 16.1145 = 78.96 g/L < 80: grade 3; 6.2 mmol/L = 99.91 g/L: grade 2 (by hand)."""
    lb = _lb(LBSTRESN=[4.9, 6.2], LBSTRESU=["mmol/L", "mmol/L"], LBSTNRLO=[7.4, 7.4], LBSTNRHI=[9.9, 9.9])
    table = derive_lab_grades(lb).to_frame()
    assert table["ATOXGRL"].tolist() == [3, 2]
    assert table["AVALU"].tolist() == ["g/L", "g/L"]


def test_baseline_comes_from_the_lbblfl_record_of_the_same_test() -> None:
    """ALT ULN 34, baseline 50 (abnormal): the baseline itself and 74 are below 1.5 x 50 = 75, grade 0;
    75 is grade 1 (by hand)."""
    lb = _lb(
        LBTESTCD=["ALT", "ALT", "ALT"],
        LBSTRESU=["U/L"] * 3,
        LBSTRESN=[50, 74, 75],
        LBSTNRLO=[6, 6, 6],
        LBSTNRHI=[34, 34, 34],
        LBBLFL=["Y", "", ""],
    )
    table = derive_lab_grades(lb).to_frame()
    assert table["BASE"].tolist() == [50, 50, 50]
    assert table["ATOXGRH"].tolist() == [0, 0, 1]
    assert table["ATOXGRL"].isna().all()


def test_worst_grade_per_patient_test_and_period() -> None:
    """Hand-made: S1 HGB in cycle 1 grades 1 and 3 (worst 3), cycle 2 grade 0; S2 grade 2."""
    lb = _lb(LBSTRESN=[110, 75, 130, 90], EPOCH=["C1", "C1", "C2", "C1"])
    lb["USUBJID"] = ["S1", "S1", "S1", "S2"]
    worst = derive_worst_lab_grades(derive_lab_grades(lb).to_frame(), period_cols=["EPOCH"])
    assert worst[["USUBJID", "EPOCH", "ATOXGRL", "n"]].values.tolist() == [
        ["S1", "C1", 3, 2], ["S1", "C2", 0, 1], ["S2", "C1", 2, 1],
    ]  # fmt: skip
    assert worst["ATOXGRH"].tolist() == [0, 0, 0]


def test_unit_that_cannot_be_converted_is_refused() -> None:
    lb = _lb(LBSTRESN=[11.0], LBSTRESU=["mg/mL"])
    with pytest.raises(
        DataError, match=r"LB row 1 \(subject S1, HGB\): the unit 'mg/mL' cannot be converted to g/L"
    ) as caught:
        derive_lab_grades(lb)
    assert caught.value.code == "SAFETY-E003"


def test_result_that_is_not_a_number_is_refused() -> None:
    lb = _lb(LBSTRESN=["12", "high"])
    with pytest.raises(DataError, match=r"LB row 2 \(subject S1, HGB\): LBSTRESN 'high' is not a number"):
        derive_lab_grades(lb)


def test_two_baselines_of_one_test_are_refused() -> None:
    lb = _lb(LBSTRESN=[130, 131], LBBLFL=["Y", "Y"])
    with pytest.raises(InconsistentDataError, match=r"LB row 1 \(subject S1, HGB\): a second baseline"):
        derive_lab_grades(lb)


def test_error_names_the_row_of_the_lb_file_not_of_the_graded_records() -> None:
    """Row 2 (a URATE record, not graded) is skipped; the bad HGB result is row 3 of the file."""
    lb = _lb(LBSTRESN=["130", "300", "n/a"], LBTESTCD=["HGB", "URATE", "HGB"])
    with pytest.raises(DataError, match=r"LB row 3 \(subject S1, HGB\): LBSTRESN 'n/a'") as caught:
        derive_lab_grades(lb)
    assert caught.value.rows == (3,)


def test_missing_column_is_named() -> None:
    lb = _lb(LBSTRESN=[130]).drop(columns=["LBSTNRLO"])
    with pytest.raises(DataError, match="lacks the column\\(s\\) LBSTNRLO") as caught:
        derive_lab_grades(lb)
    assert caught.value.code == "SAFETY-E001"
