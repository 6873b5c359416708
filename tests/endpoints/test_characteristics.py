"""Baseline characteristics by group (``summarise_characteristics``); expected values counted by hand from the
literal tables below."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from oncotrial.endpoints import summarise_characteristics
from oncotrial.errors import DataError

SUBJECTS = pd.DataFrame(
    {
        "ARM": ["A", "A", "A", "B", "B"],
        "AGE": [50, 61, 70, 44, None],
        "SEX": ["F", "M", "F", "M", None],
        "ECOG": ["1", "0", "10", "0", "0"],
    }
)


def _row(table: pd.DataFrame, group: str, variable: str, category: str = "") -> pd.Series:
    found = table[(table["group"] == group) & (table["variable"] == variable) & (table["category"] == category)]
    assert len(found) == 1
    return found.iloc[0]


def test_continuous_rows_give_median_and_range_counted_by_hand() -> None:
    """Arm A ages 50, 61, 70: median 61; arm B 44 and a missing age: n 1; all: 44, 50, 61, 70 -> median 55.5."""
    table = summarise_characteristics(SUBJECTS, group_col="ARM", continuous=["AGE"]).to_frame()
    a = _row(table, "A", "AGE")
    assert (a["N"], a["n"], a["median"], a["min"], a["max"]) == (3, 3, 61.0, 50.0, 70.0)
    b = _row(table, "B", "AGE")
    assert (b["N"], b["n"], b["median"]) == (2, 1, 44.0)
    total = _row(table, "Total", "AGE")
    assert (total["N"], total["n"], total["median"], total["min"], total["max"]) == (5, 4, 55.5, 44.0, 70.0)


def test_categorical_rows_count_every_subject_with_missing_as_a_category() -> None:
    """Arm B: one M and one missing sex of 2 subjects -> 50 % each; ECOG sorted as numbers (0, 1, 10)."""
    summary = summarise_characteristics(SUBJECTS, group_col="ARM", categorical=["SEX", "ECOG"])
    table = summary.to_frame()
    assert _row(table, "B", "SEX", "M")[["n", "percent"]].tolist() == [1, 50.0]
    assert _row(table, "B", "SEX", "Missing")[["n", "percent"]].tolist() == [1, 50.0]
    assert _row(table, "A", "SEX", "F")["n"] == 2
    ecog_a = table[(table["group"] == "A") & (table["variable"] == "ECOG")]["category"].tolist()
    assert ecog_a == ["0", "1", "10"]
    assert summary.groups == ("A", "B", "Total")


def test_result_has_the_one_shape() -> None:
    summary = summarise_characteristics(SUBJECTS, group_col="ARM", continuous=["AGE"], categorical=["SEX"])
    json.dumps(summary.to_dict(), allow_nan=False)
    assert all(len(line) <= 80 for line in str(summary).splitlines())
    assert np.isnan(_row(summary.to_frame(), "A", "SEX", "F")["median"])


def test_a_text_age_is_refused_naming_the_row() -> None:
    bad = SUBJECTS.assign(AGE=["50", "sixty", "70", "44", ""])
    with pytest.raises(DataError, match="row 2: 'sixty' is not a number") as info:
        summarise_characteristics(bad, continuous=["AGE"])
    assert info.value.code == "CHAR-E002"


def test_a_missing_column_and_an_empty_table_are_refused() -> None:
    with pytest.raises(DataError, match="lacks the column"):
        summarise_characteristics(SUBJECTS, continuous=["WEIGHT"])
    with pytest.raises(DataError, match="no subjects"):
        summarise_characteristics(SUBJECTS.iloc[:0], continuous=["AGE"])
