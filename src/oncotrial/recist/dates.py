"""Assessment dates from ISO 8601 text, with admiral's imputation of partial dates.

``YYYY-MM-DD`` (optionally with a time) is read as is; ``YYYY-MM`` is imputed to the last day of
the month and flagged ``"D"`` (admiral's ``derive_vars_dt(highest_imputation = "D",
date_imputation = "last")``); a year alone, an empty value or text that is not a date gives no
date (``NaT``) and is reported.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from oncotrial._results import frame_records
from oncotrial.errors import DataError, TrialWarning

__all__ = ["ImputedDates", "compute_imputed_dates", "first_flagged", "read_dates"]


@dataclass(frozen=True)
class ImputedDates:
    """Dates (``datetime64[s]`` normalised to midnight), imputation flags and the rows without a date."""

    dates: pd.Series
    flags: pd.Series  # "D" where the day was imputed, else ""
    unparsed: pd.Series  # True where no date could be made

    def to_frame(self) -> pd.DataFrame:
        """One row per input value: ADT, ADTF (the imputation flag) and UNPARSED (a copy)."""
        return pd.DataFrame({"ADT": self.dates, "ADTF": self.flags, "UNPARSED": self.unparsed}).copy()

    def to_dict(self) -> dict[str, Any]:
        return {"dates": frame_records(self.to_frame())}

    def __str__(self) -> str:
        imputed, unparsed = int((self.flags == "D").sum()), int(self.unparsed.sum())
        return f"{len(self.dates)} dates: {imputed} imputed to the month's last day, {unparsed} without a date"


def compute_imputed_dates(text: pd.Series) -> ImputedDates:
    """Turn ISO 8601 date text into dates, imputing a missing day to the month's last day."""
    values = text.astype("string").str.strip()
    full = values.str.fullmatch(r"\d{4}-\d{2}-\d{2}(T[0-9:.]*([+-][0-9:]+|Z)?)?", na=False)
    month = values.str.fullmatch(r"\d{4}-\d{2}", na=False)
    dates = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    dates[full] = pd.to_datetime(values[full].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    firsts = pd.to_datetime(values[month] + "-01", format="%Y-%m-%d", errors="coerce")
    dates[month] = firsts + pd.offsets.MonthEnd(0)
    flags = pd.Series(np.where(month & dates.notna(), "D", ""), index=text.index)
    return ImputedDates(dates, flags, dates.isna())


def first_flagged(mask: pd.Series | np.ndarray) -> tuple[int, str]:
    """Position of the first True of ``mask`` and, when there are more, a note saying how many."""
    flags = np.asarray(mask, dtype=bool)
    extra = int(flags.sum()) - 1
    return int(flags.argmax()), (f" ({extra} more such value(s) in the table)" if extra > 0 else "")


def _refuse_first(frame: pd.DataFrame, bad: pd.Series, column: str, text: pd.Series, problem: str, code: str) -> None:
    """Raise on the first flagged value of ``column``: "Subject S: <table column 'value'> <problem>"."""
    if not bad.any():
        return
    row, more = first_flagged(bad)
    subject = str(frame["USUBJID"].iloc[row])
    raise DataError(
        f"Subject {subject}: {column} '{text.iloc[row]}' {problem.format(more=more)}",
        code=code,
        subject_id=subject,
        field=column.split()[-1],
    )


def _check_parsed(frame: pd.DataFrame, column: str, text: pd.Series, bad: pd.Series, *, table: str) -> None:
    """Raise on the first non-empty value of ``column`` that is not a date."""
    problem = (
        "is not a date{more}. Write dates as YYYY-MM-DD (e.g. 2014-01-02; YYYY-MM-DDThh:mm is accepted too), "
        "or leave the value empty when there is none."
    )
    _refuse_first(frame, bad, f"{table} {column}", text, problem, "DATE-E001")


def _warn_imputed(frame: pd.DataFrame, column: str, text: pd.Series, flags: pd.Series, dates: pd.Series) -> None:
    """Warn, naming the first subject, that partial dates (``YYYY-MM``) were imputed to the month's last day."""
    partial = flags == "D"
    if not partial.any():
        return
    row, more = first_flagged(partial)
    warnings.warn(
        TrialWarning(
            f"Subject {frame['USUBJID'].iloc[row]}: {column} '{text.iloc[row]}' is a partial date and is "
            f"imputed to {dates.iloc[row]:%Y-%m-%d}, the last day of the month (as admiral){more}. "
            "Enter the full date if it is known."
        ),
        stacklevel=5,
    )


def _check_full(frame: pd.DataFrame, column: str, text: pd.Series, flags: pd.Series, *, table: str) -> None:
    """Raise on the first partial date (``YYYY-MM``) of a column that must hold full dates."""
    problem = (
        f"is a partial date{{more}}. Times to event are counted from {column}, so it must be a full date: "
        "enter it as YYYY-MM-DD (e.g. 2014-01-02)."
    )
    _refuse_first(frame, flags == "D", f"{table} {column}", text, problem, "DATE-E002")


def read_dates(frame: pd.DataFrame, column: str, *, table: str, require_full_date: bool = False) -> pd.Series:
    """Dates of a subject-level ``column`` of ``frame`` (needs ``USUBJID``), checked.

    Text must be ISO 8601 (``YYYY-MM-DD``): a non-empty value that is not a date is an error naming the
    subject and column; a partial ``YYYY-MM`` is refused when ``require_full_date``, else imputed to the
    month's last day with a warning (admiral's imputation). Datetimes lose their clock time.
    """
    values = frame[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        normalised: pd.Series = values.dt.normalize().astype("datetime64[s]")  # days, not clock times (admiral)
        return normalised
    text = values.astype("string").fillna("").str.strip()
    imputed = compute_imputed_dates(text)
    _check_parsed(frame, column, text, imputed.unparsed & (text != ""), table=table)
    if require_full_date:
        _check_full(frame, column, text, imputed.flags, table=table)
    _warn_imputed(frame, column, text, imputed.flags, imputed.dates)
    return imputed.dates
