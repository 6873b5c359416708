"""Assessment dates from ISO 8601 text (``oncotrial.recist.dates.compute_imputed_dates``).

Expected dates are worked out by hand from the rule in the module docstring (admiral's
``derive_vars_dt(highest_imputation = "D", date_imputation = "last")``): a full date is kept (a
time is dropped), ``YYYY-MM`` becomes the last day of that month with the flag ``"D"``, anything
else gives no date. Leap years: 2024 and 2000 are leap years (divisible by 4, and 2000 by 400);
2023 and 1900 are not (1900 is a century not divisible by 400).
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.recist import compute_imputed_dates


@pytest.mark.parametrize(
    ("text", "date", "flag"),
    [
        pytest.param("2024-01-15", "2024-01-15", "", id="full_date"),
        pytest.param("2024-01-15T10:30", "2024-01-15", "", id="date_with_minutes"),
        pytest.param("2024-01-15T10:30:45", "2024-01-15", "", id="date_with_seconds"),
        pytest.param("2024-02", "2024-02-29", "D", id="february_leap_year"),
        pytest.param("2023-02", "2023-02-28", "D", id="february_common_year"),
        pytest.param("2000-02", "2000-02-29", "D", id="february_2000_leap"),
        pytest.param("1900-02", "1900-02-28", "D", id="february_1900_not_leap"),
        pytest.param("2024-04", "2024-04-30", "D", id="thirty_day_month"),
        pytest.param("2024-12", "2024-12-31", "D", id="december"),
        pytest.param(" 2024-03 ", "2024-03-31", "D", id="blanks_stripped"),
    ],
)
def test_dates_read_or_imputed(text: str, date: str, flag: str) -> None:
    result = compute_imputed_dates(pd.Series([text]))
    assert result.dates.iloc[0] == pd.Timestamp(date)
    assert result.flags.iloc[0] == flag
    assert not result.unparsed.iloc[0]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("2024", id="year_only"),
        pytest.param("", id="empty"),
        pytest.param("2024-02-30", id="february_30th"),
        pytest.param("2023-02-29", id="february_29th_common_year"),
        pytest.param("2024-13", id="month_13"),
        pytest.param("2024-00", id="month_00"),
        pytest.param("2024-1-5", id="not_zero_padded"),
        pytest.param("UNKNOWN", id="text"),
        pytest.param("15/01/2024", id="day_first"),
    ],
)
def test_dates_without_a_usable_date_are_unparsed(text: str) -> None:
    result = compute_imputed_dates(pd.Series([text]))
    assert pd.isna(result.dates.iloc[0])
    assert result.flags.iloc[0] == ""
    assert result.unparsed.iloc[0]


def test_missing_values_are_unparsed() -> None:
    result = compute_imputed_dates(pd.Series([None, pd.NA, "2024-05"], dtype="object"))
    assert result.unparsed.tolist() == [True, True, False]
    assert result.flags.tolist() == ["", "", "D"]
    assert result.dates.iloc[2] == pd.Timestamp("2024-05-31")


def test_mixed_vector_keeps_order_and_index() -> None:
    text = pd.Series(["2024-01-15", "2024-02", "2024", "2024-06-30T23:59"], index=[10, 20, 30, 40])
    result = compute_imputed_dates(text)
    for part in (result.dates, result.flags, result.unparsed):
        assert part.index.tolist() == [10, 20, 30, 40]
    expected = [pd.Timestamp("2024-01-15"), pd.Timestamp("2024-02-29"), None, pd.Timestamp("2024-06-30")]
    assert [None if pd.isna(d) else d for d in result.dates] == expected
    assert result.flags.tolist() == ["", "D", "", ""]
    assert result.unparsed.tolist() == [False, False, True, False]


def test_dates_are_midnight_datetimes() -> None:
    """Documented dtype: ``datetime64[s]`` normalised to midnight (a time of day is dropped)."""
    result = compute_imputed_dates(pd.Series(["2024-01-15T10:30", "2024-02"]))
    assert str(result.dates.dtype) == "datetime64[s]"
    assert (result.dates == result.dates.dt.normalize()).all()


def test_input_is_not_modified() -> None:
    text = pd.Series([" 2024-02 ", "2024"])
    compute_imputed_dates(text)
    assert text.tolist() == [" 2024-02 ", "2024"]


def test_empty_series() -> None:
    result = compute_imputed_dates(pd.Series([], dtype="string"))
    assert len(result.dates) == len(result.flags) == len(result.unparsed) == 0


def test_trailing_text_after_a_date_is_not_a_date() -> None:
    """'2024-01-15abc' is not ISO 8601: it must be reported, not read as 2024-01-15."""
    result = compute_imputed_dates(pd.Series(["2024-01-15abc", "2024-01-15T10:30:00"]))
    assert result.unparsed.tolist() == [True, False]
