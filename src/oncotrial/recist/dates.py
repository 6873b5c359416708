"""Assessment dates from ISO 8601 text, with admiral's imputation of partial dates.

``YYYY-MM-DD`` (optionally with a time) is read as is; ``YYYY-MM`` is imputed to the last day of
the month and flagged ``"D"`` (admiral's ``derive_vars_dt(highest_imputation = "D",
date_imputation = "last")``); a year alone, an empty value or text that is not a date gives no
date (``NaT``) and is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["ImputedDates", "compute_imputed_dates"]


@dataclass(frozen=True)
class ImputedDates:
    """Dates (``datetime64[s]`` normalised to midnight), imputation flags and the rows without a date."""

    dates: pd.Series
    flags: pd.Series  # "D" where the day was imputed, else ""
    unparsed: pd.Series  # True where no date could be made


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
