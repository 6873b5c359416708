"""Rows with a missing value are left out as R's ``na.omit`` does (``oncotrial.endpoints.missing``).

Expected rows and counts are read off the small tables written in each test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncotrial._frames import is_missing
from oncotrial.endpoints.missing import compute_row_numbers, filter_complete_cases
from oncotrial.errors import TrialWarning


def test_na_dot_empty_and_null_are_missing() -> None:
    """R's write.csv writes NA, SAS writes '.', a blank cell is empty; None and NaN are null. 'N/A' and '0' are
    values (R's read.csv keeps them)."""
    values = pd.Series(["NA", ".", "", "  ", None, np.nan, "N/A", "0", "A"], dtype=object)
    assert is_missing(values).tolist() == [True, True, True, True, True, True, False, False, False]


def test_numbers_with_nulls() -> None:
    """A nullable whole-number column (as pyarrow reads 1, NA, 3): the middle value is missing."""
    assert is_missing(pd.Series([1, None, 3], dtype="Int64")).tolist() == [False, True, False]


def test_filter_leaves_out_incomplete_rows_and_says_which_column() -> None:
    """Row 2 lacks the arm (NA), row 4 the time ('.') and the arm (empty): 2 rows left out, 'time' 1, 'arm' 2."""
    data = pd.DataFrame(
        {"time": ["5", "6", "7", ".", "9"], "arm": ["A", "NA", "B", "", "B"], "note": ["", "", "", "", ""]}
    )
    with pytest.warns(
        TrialWarning, match=r"^2 row\(s\) left out .*na.omit does: 'time' 1, 'arm' 2 \(row\(s\) 2, 4\)\.$"
    ):
        kept = filter_complete_cases(data, ["time", "arm", None])
    assert kept["time"].tolist() == ["5", "7", "9"]


def test_filter_without_missing_values_returns_the_table_silently() -> None:
    """Nothing to leave out: the same table back, and no warning (pytest turns none into an error here)."""
    data = pd.DataFrame({"time": [1, 2], "arm": ["A", "B"]})
    assert filter_complete_cases(data, ["time", "arm"]) is data


def test_row_numbers_follow_the_index_of_a_filtered_table() -> None:
    """A table read from a file and filtered keeps its index: position 0 of rows 3, 4 is file row 4."""
    kept = pd.Series(["x", "y", "z", "w"]).iloc[[2, 3]]
    assert compute_row_numbers(kept, np.array([0, 1])) == [3, 4]
    assert compute_row_numbers([1, 2, 3], np.array([2])) == [3]
