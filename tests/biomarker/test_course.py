"""Median time course of a biomarker across patients (``oncotrial.biomarker.course``); expected values by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.biomarker import derive_biomarker_time_course
from oncotrial.errors import DataError

SAMPLES = pd.DataFrame(
    [
        ("P1", 0, 10.0),
        ("P2", 0, 20.0),
        ("P3", 0, 60.0),
        ("P1", 7, 100.0),
        ("P2", 7, 40.0),
        ("P2", 7, 60.0),  # a repeat: P2 counts once at day 7, with (40 + 60) / 2 = 50
        ("P3", 7, None),  # no value: left out
        ("P1", 14, 30.0),
    ],
    columns=["USUBJID", "DAY", "VALUE"],
)


def test_medians_and_counts_per_time_match_hand_values():
    """Day 0: median of 10, 20, 60 = 20 (3 patients); day 7: median of 100 and 50 = 75 (2); day 14: 30 (1)."""
    course = derive_biomarker_time_course(SAMPLES, time_col="DAY", value_col="VALUE")
    assert course["time"].tolist() == [0.0, 7.0, 14.0]
    assert course["n"].tolist() == [3, 2, 1]
    assert course["median"].tolist() == [20.0, 75.0, 30.0]


def test_a_missing_column_is_named():
    with pytest.raises(DataError, match=r"lacks the column\(s\) VALUE") as caught:
        derive_biomarker_time_course(SAMPLES.drop(columns="VALUE"), time_col="DAY", value_col="VALUE")
    assert caught.value.code == "BIOM-E001"
