"""The result types of ``oncotrial.recist`` have the one shape of the core (issue 11): frozen, ``to_frame()``
a DataFrame that cannot change the result, ``to_dict()`` JSON-safe, ``str()`` non-empty within 80 columns.

The instance is a realistic baseline: a 9 mm liver target by CT (RECIST 1.1 section 3.1.1: below 10 mm,
RECIST-B01), a 12 mm node (below 15 mm, RECIST-B03) and a target never measured (RECIST-B06).
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from oncotrial.recist import (
    BaselineEvaluation,
    LesionResponseAnalysis,
    NewLesions,
    NonTargetResponse,
    OverallResponse,
    TargetResponse,
    compute_imputed_dates,
    derive_lesion_response_analysis,
    evaluate_baseline_lesions,
    load_overall_response_table,
)
from tests.result_shape import assert_result_shape


def _baseline() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": "01-701-1015",
            "VISIT": "SCREENING",
            "ADT": pd.Timestamp("2024-01-02"),
            "BASELINE": "Y",
            "LESIONID": ["T01", "T02", "T03", "T04"],
            "CATEGORY": "TARGET",
            "NODAL": ["N", "Y", "N", "N"],
            "DIAMETER": [9.0, 12.0, np.nan, 31.0],
            "STATE": None,
            "METHOD": "CT SCAN",
            "LOCATION": ["LIVER", "MEDIASTINAL LYMPH NODE", "LUNG", "LUNG"],
        }
    )


@pytest.fixture
def evaluation() -> BaselineEvaluation:
    return evaluate_baseline_lesions(_baseline())


def test_baseline_evaluation_is_frozen(evaluation: BaselineEvaluation) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        evaluation.rules_version = "1.0"  # type: ignore[misc]
    assert_result_shape(evaluation)


def test_baseline_evaluation_frame_lists_each_breach(evaluation: BaselineEvaluation) -> None:
    frame = evaluation.to_frame()
    assert list(frame.columns) == ["USUBJID", "LESIONID", "RULE", "MESSAGE"]
    assert sorted(zip(frame["LESIONID"], frame["RULE"], strict=True)) == [
        ("T01", "RECIST-B01"),
        ("T02", "RECIST-B03"),
        ("T03", "RECIST-B06"),
    ]


def test_baseline_evaluation_frame_is_a_copy(evaluation: BaselineEvaluation) -> None:
    frame = evaluation.to_frame()
    frame.loc[0, "RULE"] = "changed"
    assert "changed" not in evaluation.to_frame()["RULE"].tolist()


def test_baseline_evaluation_dict_is_json_safe(evaluation: BaselineEvaluation) -> None:
    data = evaluation.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["rules_version"] == "1.1"
    assert len(data["breaches"]) == 3


@pytest.mark.parametrize("valid", [pytest.param(False, id="breaches"), pytest.param(True, id="valid")])
def test_baseline_evaluation_text_fits_80_columns(valid: bool) -> None:
    table = _baseline().iloc[[3]] if valid else _baseline()
    text = str(evaluate_baseline_lesions(table))
    assert text
    assert all(len(line) <= 80 for line in text.splitlines())
    if valid:
        assert text == "Baseline: every target lesion meets the RECIST 1.1 selection rules."


# --- LesionResponseAnalysis ------------------------------------------------------------------------

_TU = pd.DataFrame(
    [["S1", "T1", "TARGET", "LIVER", "BL"], ["S2", "T1", "TARGET", "LIVER", "BL"]],
    columns=["USUBJID", "TULNKID", "TUSTRESC", "TULOC", "VISIT"],
)
_TR = pd.DataFrame(
    [
        ["S1", "T1", "LDIAM", "40", "mm", "BL", "2024-01-01"],
        ["S1", "T1", "LDIAM", "20", "mm", "W6", "2024-02-12"],
        ["S1", "T1", "LDIAM", "18", "mm", "W12", "2024-03-25"],
        ["S2", "T1", "LDIAM", "30", "mm", "BL", "2024-01-01"],
        ["S2", "T1", "LDIAM", "40", "mm", "W6", "2024-02-12"],
    ],
    columns=["USUBJID", "TRLNKID", "TRTESTCD", "TRSTRESC", "TRSTRESU", "VISIT", "TRDTC"],
)


@pytest.fixture
def analysis() -> LesionResponseAnalysis:
    return derive_lesion_response_analysis(_TU, _TR, evaluator=None)


def test_lesion_analysis_counts_best_responses(analysis: LesionResponseAnalysis) -> None:
    """S1: 40 -> 20 mm (-50 %, RECIST 1.1 PR at -30 %) -> BOR PR; S2: 30 -> 40 mm (+33 %, +10 mm: PD)."""
    assert analysis.best_response_counts() == {"PR": 1, "PD": 1}
    assert str(analysis) == "2 subjects; best overall response: PR 1, PD 1"
    assert analysis.baseline.is_valid


def test_lesion_analysis_is_frozen_and_its_tables_are_copies(analysis: LesionResponseAnalysis) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        analysis.baseline = evaluate_baseline_lesions(_baseline())  # type: ignore[misc]
    frame = analysis.to_frame()
    frame["AVALC"] = "changed"
    assert "changed" not in analysis.to_frame()["AVALC"].astype(str).tolist()
    assert isinstance(analysis.timepoints(), pd.DataFrame)


def test_lesion_analysis_dict_is_json_safe(analysis: LesionResponseAnalysis) -> None:
    data = analysis.to_dict()
    json.dumps(data, allow_nan=False)
    assert data == {"subjects": 2, "best_overall_response": {"PR": 1, "PD": 1}, "baseline_breaches": []}
    assert all(0 < len(line) <= 80 for line in str(analysis).splitlines())
    assert_result_shape(analysis)


# --- OverallResponseCodes ---------------------------------------------------------------------------


def test_overall_response_codes_have_the_result_shape() -> None:
    """Eisenhauer et al. 2009, Table 1: CR/CR/No -> CR (R01) and PR/NON-CR/NON-PD/No -> PR."""
    table = load_overall_response_table()
    result = table.evaluate(
        np.array([TargetResponse.CR, TargetResponse.PR]),
        np.array([NonTargetResponse.CR, NonTargetResponse.NON_CR_NON_PD]),
        np.array([NewLesions.NO, NewLesions.NO]),
    )
    assert result.to_dict()["overall"] == ["CR", "PR"]
    assert result.to_dict()["rule_id"][0] == "R01"
    json.dumps(result.to_dict(), allow_nan=False)
    assert str(result) == "2 time points: CR 1, PR 1"
    with pytest.raises(ValueError, match="read-only"):
        result.overall[0] = OverallResponse.PD
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.rule_ids = ()  # type: ignore[misc]
    assert_result_shape(result)


# --- ImputedDates ------------------------------------------------------------------------------------


def test_imputed_dates_have_the_result_shape() -> None:
    """admiral's derive_vars_dt(highest_imputation = "D", date_imputation = "last"): 2024-02 -> 2024-02-29 (leap
    year), flag D; "2024" alone gives no date."""
    result = compute_imputed_dates(pd.Series(["2024-01-15", "2024-02", "2024"]))
    assert result.to_dict() == {
        "dates": [
            {"ADT": "2024-01-15", "ADTF": "", "UNPARSED": False},
            {"ADT": "2024-02-29", "ADTF": "D", "UNPARSED": False},
            {"ADT": None, "ADTF": "", "UNPARSED": True},
        ]
    }
    json.dumps(result.to_dict(), allow_nan=False)
    assert str(result) == "3 dates: 1 imputed to the month's last day, 1 without a date"
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.flags = pd.Series(dtype=str)  # type: ignore[misc]
    assert_result_shape(result)
