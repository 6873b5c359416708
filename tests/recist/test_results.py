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

from oncotrial.recist import BaselineEvaluation, evaluate_baseline_lesions


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
