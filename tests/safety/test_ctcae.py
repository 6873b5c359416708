"""CTCAE v5 lab grading of plain values (``oncotrial.safety.ctcae``): every threshold of the rule table on
both sides, and a hand-picked table of cases whose grades are read from the CTCAE v5.0 criteria (NCI, 27
November 2017) as admiral 1.0.2's ``atoxgr_criteria_ctcv5`` interprets them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from oncotrial.safety import compute_lab_grades, load_ctcae_lab_rules

NA = None
RULES = load_ctcae_lab_rules()


def _grade(
    term: str, value: float, *, lln: float = math.nan, uln: float = math.nan, base: float = math.nan
) -> int | None:
    grade = compute_lab_grades(
        RULES.term_index(pd.Series([term])),
        np.array([value]),
        np.array([lln]),
        np.array([uln]),
        np.array([base]),
    )
    return None if grade[0] < 0 else int(grade[0])


# (term, value, LLN, ULN, baseline) -> grade, each worked out by hand from the CTCAE v5 criterion text.
CASES = [
    pytest.param("Anemia", 79.9, 120, 160, NA, 3, id="anemia_below_80_gL_is_3"),
    pytest.param("Anemia", 80, 120, 160, NA, 2, id="anemia_80_gL_is_2"),
    pytest.param("Anemia", 99.9, 120, 160, NA, 2, id="anemia_below_100_is_2"),
    pytest.param("Anemia", 100, 120, 160, NA, 1, id="anemia_100_below_lln_is_1"),
    pytest.param("Anemia", 120, 120, 160, NA, 0, id="anemia_at_lln_is_0"),
    pytest.param("Anemia", 110, NA, 160, NA, NA, id="anemia_no_lln_not_graded"),
    pytest.param("Anemia", 70, NA, 160, NA, 3, id="anemia_below_80_needs_no_lln"),
    pytest.param("Hemoglobin increased", 200.1, 120, 160, NA, 3, id="hgb_more_than_40_gL_above_uln_is_3"),
    pytest.param("Hemoglobin increased", 200, 120, 160, NA, 2, id="hgb_40_gL_above_uln_is_2"),
    pytest.param("Hemoglobin increased", 180, 120, 160, NA, 1, id="hgb_20_gL_above_uln_is_1"),
    pytest.param("Hemoglobin increased", 160, 120, 160, NA, 0, id="hgb_at_uln_is_0"),
    pytest.param("Neutrophil count decreased", 0.49, 2, 7, NA, 4, id="anc_below_0_5_is_4"),
    pytest.param("Neutrophil count decreased", 0.5, 2, 7, NA, 3, id="anc_0_5_is_3"),
    pytest.param("Neutrophil count decreased", 1.0, 2, 7, NA, 2, id="anc_1_0_is_2"),
    pytest.param("Neutrophil count decreased", 1.5, 2, 7, NA, 1, id="anc_1_5_below_lln_is_1"),
    pytest.param("Platelet count decreased", 24.9, 150, 400, NA, 4, id="plt_below_25_is_4"),
    pytest.param("Platelet count decreased", 74, 150, 400, NA, 2, id="plt_74_is_2"),
    pytest.param("Lymphocyte count increased", 4.01, 1, 4, NA, 2, id="lym_above_4_is_2"),
    pytest.param("Lymphocyte count increased", 4.0, 1, 4, NA, 0, id="lym_4_is_0_no_grade_1"),
    pytest.param("Leukocytosis", 100.1, 4, 11, NA, 3, id="wbc_above_100_is_3"),
    pytest.param("Leukocytosis", 50, 4, 11, NA, 0, id="wbc_50_is_0_no_grade_1_or_2"),
    pytest.param("Alanine aminotransferase increased", 34.1, NA, 34, 20, 1, id="alt_above_uln_is_1"),
    pytest.param("Alanine aminotransferase increased", 102, NA, 34, 20, 1, id="alt_3x_uln_is_1"),
    pytest.param("Alanine aminotransferase increased", 102.1, NA, 34, 20, 2, id="alt_above_3x_uln_is_2"),
    pytest.param("Alanine aminotransferase increased", 680.1, NA, 34, 20, 4, id="alt_above_20x_uln_is_4"),
    pytest.param("Alanine aminotransferase increased", 74.9, NA, 34, 50, 0, id="alt_abnormal_base_below_1_5x_is_0"),
    pytest.param("Alanine aminotransferase increased", 75, NA, 34, 50, 1, id="alt_abnormal_base_1_5x_is_1"),
    pytest.param("Alanine aminotransferase increased", 150.1, NA, 34, 50, 2, id="alt_abnormal_base_above_3x_is_2"),
    pytest.param("Alanine aminotransferase increased", 50, NA, NA, 20, NA, id="alt_no_uln_not_graded"),
    pytest.param("Alanine aminotransferase increased", 40, NA, 34, NA, 1, id="alt_unknown_base_uses_uln"),
    pytest.param("Alkaline phosphatase increased", 399.9, NA, 115, 200, 0, id="alp_abnormal_base_below_2x_is_0"),
    pytest.param("Alkaline phosphatase increased", 400, NA, 115, 200, 1, id="alp_abnormal_base_2x_is_1"),
    pytest.param("Alkaline phosphatase increased", 287.6, NA, 115, 50, 2, id="alp_above_2_5x_uln_is_2"),
    pytest.param("Blood bilirubin increased", 30.1, NA, 21, 30, 1, id="bili_abnormal_base_above_base_is_1"),
    pytest.param("Blood bilirubin increased", 30, NA, 21, 30, 0, id="bili_abnormal_base_equal_base_is_0"),
    pytest.param("Blood bilirubin increased", 31.6, NA, 21, 10, 2, id="bili_above_1_5x_uln_is_2"),
    pytest.param("Creatinine increased", 100, NA, 110, 60, 2, id="creat_above_1_5x_base_below_uln_is_2"),
    pytest.param("Creatinine increased", 181, NA, 110, 60, 3, id="creat_above_3x_base_is_3"),
    pytest.param("Creatinine increased", 661, NA, 110, 60, 4, id="creat_above_6x_uln_is_4"),
    pytest.param("Creatinine increased", 111, NA, 110, 100, 1, id="creat_above_uln_is_1"),
    pytest.param("Creatinine increased", 181, NA, NA, 60, 3, id="creat_no_uln_graded_by_base"),
    pytest.param("Creatinine increased", 80, NA, NA, 60, NA, id="creat_no_uln_below_1_5x_base_not_graded"),
    pytest.param("CPK increased", 1950, NA, 195, NA, 3, id="cpk_10x_uln_is_3"),
    pytest.param("Hyperkalemia", 7.01, 3.5, 5.1, NA, 4, id="k_above_7_is_4"),
    pytest.param("Hyperkalemia", 5.5, 3.5, 5.1, NA, 1, id="k_5_5_is_1"),
    pytest.param("Hypokalemia", 3.4, 3.5, 5.1, NA, 2, id="k_below_lln_is_2_symptomatic"),
    pytest.param("Hypokalemia", 2.99, 3.5, 5.1, NA, 3, id="k_below_3_is_3"),
    pytest.param("Hyponatremia", 129, 135, 145, NA, 3, id="na_129_is_3_symptomatic"),
    pytest.param("Hyponatremia", 129.5, 135, 145, NA, 1, id="na_129_5_is_1"),
    pytest.param("Hyponatremia", 119.9, 135, 145, NA, 4, id="na_below_120_is_4"),
    pytest.param("Hypernatremia", 150.1, 135, 145, NA, 2, id="na_above_150_is_2"),
    pytest.param("Hypoalbuminemia", 29.9, 35, 50, NA, 2, id="alb_below_30_is_2"),
    pytest.param("Hypoalbuminemia", 19.9, 35, 50, NA, 3, id="alb_below_20_is_3"),
    pytest.param("Hypoglycemia", 2.19, 3.9, 5.6, NA, 3, id="glucose_below_2_2_is_3"),
    pytest.param("Hypoglycemia", 3.0, 3.9, 5.6, NA, 1, id="glucose_3_0_is_1"),
    pytest.param("Hypocalcemia", 1.74, 2.1, 2.6, NA, 3, id="ca_below_1_75_is_3"),
    pytest.param("Hypercalcemia", 2.91, 2.1, 2.6, NA, 2, id="ca_above_2_9_is_2"),
    pytest.param("Cholesterol high", 7.76, 3, 5.2, NA, 2, id="chol_above_7_75_is_2"),
]


@pytest.mark.parametrize(("term", "value", "lln", "uln", "base", "expected"), CASES)
def test_grade_matches_ctcae_v5_criterion(
    term: str, value: float, lln: float | None, uln: float | None, base: float | None, expected: int | None
) -> None:
    """Expected grades worked out by hand from the criterion text quoted in the rule table."""
    as_float = {k: math.nan if v is None else float(v) for k, v in {"lln": lln, "uln": uln, "base": base}.items()}
    assert _grade(term, value, **as_float) == expected


def test_missing_value_has_no_grade_and_unknown_term_none() -> None:
    """admiral: ``is.na(AVAL) ~ NA_character_`` for every term; a test without a term is not graded."""
    assert _grade("Anemia", math.nan, lln=120, uln=160) is None
    assert _grade("No such term", 1.0, lln=0, uln=2) is None


def _context(rules: pd.DataFrame, row: pd.Series) -> dict[str, float]:
    """Limits under which the rule ``row`` is the first of its term that can hold near its threshold.

    Absolute thresholds of the term are kept away from the normal limits (the LLN above every absolute
    low threshold, the ULN below every absolute high one), and the baseline is normal, abnormal
    (above the ULN) or, for the creatinine baseline rows, far below a very high ULN.
    """
    same = rules[(rules["term"] == row["term"]) & (rules["reference"] == "none")]
    absolute = same["plus"].astype(float)
    if row["reference"] == "BASE":
        return (
            {"uln": 100.0, "lln": 10.0, "base": 200.0}
            if row["baseline"] == "abnormal"
            else {"uln": 1e6, "lln": 1.0, "base": 10.0}
        )
    if row["direction"] == "L":
        lln = 2 * absolute.max() if len(absolute) else 100.0
        return {"lln": lln, "uln": 4 * lln, "base": math.nan}
    uln = absolute.min() / 2 if len(absolute) else 100.0
    return {"lln": uln / 2, "uln": uln, "base": uln / 2 if row["baseline"] == "normal" else math.nan}


def _threshold_rows() -> list[object]:
    rules = RULES.grades
    graded = rules[rules["comparator"] != "missing"]
    return [pytest.param(rules, row, id=str(row["rule_id"])) for _, row in graded.iterrows()]


@pytest.mark.parametrize(("rules", "row"), _threshold_rows())
def test_every_threshold_on_both_sides(rules: pd.DataFrame, row: pd.Series) -> None:
    """For each threshold row of the packaged table: a value on the side where its condition holds gets
    the row's grade, a value just on the other side a lower grade (never missing). The expected grade is
    the row's own ``grade`` column, i.e. the CTCAE text written in the table, not a result of the code."""
    context = _context(rules, row)
    reference = {"none": 0.0, "ULN": context["uln"], "LLN": context["lln"], "BASE": context["base"]}[row["reference"]]
    threshold = float(row["multiple"]) * reference + float(row["plus"])
    step = 1e-6 * max(1.0, abs(threshold))
    inside, outside = {
        "<": (threshold - step, threshold),
        "<=": (threshold, threshold + step),
        ">": (threshold + step, threshold),
        ">=": (threshold, threshold - step),
    }[row["comparator"]]
    assert _grade(row["term"], inside, **context) == int(row["grade"])
    lower = _grade(row["term"], outside, **context)
    assert lower is not None
    assert lower < int(row["grade"])


def test_rule_table_covers_the_terms_of_issue_14() -> None:
    """Issue 14, item 3: the terms the grading must cover (hyperglycaemia: see PROVENANCE.md)."""
    required = {
        "Anemia", "Neutrophil count decreased", "Platelet count decreased", "Lymphocyte count decreased",
        "White blood cell decreased", "Alanine aminotransferase increased", "Aspartate aminotransferase increased",
        "Alkaline phosphatase increased", "Blood bilirubin increased", "Creatinine increased", "Hypokalemia",
        "Hyperkalemia", "Hyponatremia", "Hypernatremia", "Hypoalbuminemia", "Hypoglycemia",
    }  # fmt: skip
    assert required <= set(RULES.term_names)
    assert RULES.grades["criterion"].str.len().min() > 0
