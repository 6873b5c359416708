"""The one checker for input tables (``oncotrial._frames``): columns, yes/no flags, missing values, duplicates.

Expected values are written by hand from the rules in the module docstring.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from oncotrial._frames import check_columns, find_exact_duplicates, is_missing, read_flags
from oncotrial._results import frame_records
from oncotrial.errors import DataError, DesignError


def test_check_columns_passes_when_every_column_is_there() -> None:
    check_columns(pd.DataFrame(columns=["USUBJID", "ADT"]), ["USUBJID"], name="ADSL", code="X-E001")


def test_check_columns_names_table_file_and_every_missing_column() -> None:
    table = pd.DataFrame(columns=["USUBJID", "RSDTC"])
    with pytest.raises(DataError) as info:
        check_columns(table, ["USUBJID", "RSTESTCD", "RSSEQ"], name="RS", code="RECIST-E020", file="rs.csv")
    assert str(info.value) == "The RS table (rs.csv) lacks the column(s) RSTESTCD, RSSEQ; it has USUBJID, RSDTC."
    assert info.value.code == "RECIST-E020"
    assert info.value.fields == {"field": "RSTESTCD"}


def test_check_columns_raises_the_callers_error_class_with_its_hint() -> None:
    with pytest.raises(DesignError, match=r"lacks the column\(s\) beta; it has p0\. It needs beta\.$"):
        check_columns(
            pd.DataFrame(columns=["p0"]), ["beta"], name="scenario", code="D", hint="It needs beta.", error=DesignError
        )


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param(["Y", "N", "y", "n"], [True, False, True, False], id="y_n_any_case"),
        pytest.param(["TRUE", "false", "True", "FALSE"], [True, False, True, False], id="true_false"),
        pytest.param(["1", "0", 1, 0], [True, False, True, False], id="one_zero"),
        pytest.param(["NA", ".", "", None], [False, False, False, False], id="missing_is_no"),
        pytest.param([1.0, 0.0, np.nan, 1.0], [True, False, False, True], id="floats"),
        pytest.param([True, False, True, False], [True, False, True, False], id="booleans"),
    ],
)
def test_read_flags_accepts_the_usual_spellings(values: list[object], expected: list[bool]) -> None:
    flags = read_flags(pd.Series(values), column="FL", name="t", code="C")
    assert flags.tolist() == expected


def test_read_flags_reads_n_as_false() -> None:
    """The bug the checker exists for: numpy reads the string "N" as True."""
    assert read_flags(pd.Series(["N"]), column="NODAL", name="t", code="C").tolist() == [False]


@pytest.mark.parametrize("bad", ["yes", "maybe", "2", "-1"])
def test_read_flags_refuses_anything_else_naming_row_and_value(bad: str) -> None:
    with pytest.raises(DataError) as info:
        read_flags(pd.Series(["Y", "N", bad]), column="NODAL", name="lesion assessments", code="RECIST-E005")
    assert str(info.value).startswith(f"The lesion assessments table, row 3: NODAL '{bad}' is not a yes/no flag.")
    assert info.value.code == "RECIST-E005"
    assert info.value.fields == {"field": "NODAL", "rows": (3,)}


def test_is_missing_reads_r_and_sas_spellings() -> None:
    values = pd.Series(["NA", ".", "", " ", None, np.nan, "0", "N", "x"])
    assert is_missing(values).tolist() == [True, True, True, True, True, True, False, False, False]


def test_find_exact_duplicates_flags_later_copies_only() -> None:
    table = pd.DataFrame({"a": [1, 1, 1, 2], "b": ["x", "x", "y", "x"]})
    assert find_exact_duplicates(table).tolist() == [False, True, False, False]


def test_frame_records_are_json_safe() -> None:
    """NaN, infinity and NaT become None; numpy scalars Python values; dates ISO text."""
    table = pd.DataFrame(
        {
            "n": np.array([1, 2], dtype=np.int64),
            "x": [np.nan, np.inf],
            "d": [pd.Timestamp("2024-01-02"), pd.NaT],
            "s": ["a", None],
        }
    )
    records = frame_records(table)
    assert records == [{"n": 1, "x": None, "d": "2024-01-02", "s": "a"}, {"n": 2, "x": None, "d": None, "s": None}]
    assert type(records[0]["n"]) is int
    json.dumps(records, allow_nan=False)
