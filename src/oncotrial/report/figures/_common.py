"""What the figures share: reading ADSL's arm and dates, and checking a table's columns (``FIGURE-E001``)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from oncotrial._frames import check_columns
from oncotrial.errors import DataError

ARM_COLUMNS = ("ARM", "TRT01P")


def require_columns(table: pd.DataFrame, columns: Iterable[str], *, name: str, hint: str = "") -> None:
    """A DataError naming the table and every column it lacks (code ``FIGURE-E001``)."""
    check_columns(table, columns, name=name, code="FIGURE-E001", hint=hint)


def arm_column(table: pd.DataFrame, *, name: str) -> str:
    """The table's arm column: ``ARM``, else ``TRT01P``; a DataError when it has neither."""
    for column in ARM_COLUMNS:
        if column in table.columns:
            return column
    raise DataError(
        f"The {name} table has no arm column (ARM or TRT01P); it has {', '.join(map(str, table.columns))}. "
        "Add the randomised arm of each patient.",
        code="FIGURE-E001",
        field="ARM",
    )


def subject_arms(adsl: pd.DataFrame) -> pd.Series:
    """Each subject's randomised arm (text), indexed by ``USUBJID``."""
    require_columns(adsl, ["USUBJID"], name="ADSL")
    column = arm_column(adsl, name="ADSL")
    arms = adsl.drop_duplicates("USUBJID").set_index("USUBJID")[column]
    return arms.astype("string").fillna("").astype(str)


def with_arm(table: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """``table`` with an ``ARM`` column: its own arm column when it has one, else the subject's arm from ADSL."""
    for column in ARM_COLUMNS:
        if column in table.columns:
            return table.assign(ARM=table[column].astype("string").fillna("").astype(str))
    return table.assign(ARM=table["USUBJID"].map(subject_arms(adsl)).fillna("").astype(str))


def read_dates(values: pd.Series) -> pd.Series:
    """ISO 8601 dates (the first 10 characters; a time part is ignored) as datetimes; anything else NaT."""
    text = values.astype("string").str.slice(0, 10)
    return pd.to_datetime(text.where(text.str.len() == 10), format="%Y-%m-%d", errors="coerce")


def subject_dates(adsl: pd.DataFrame, column: str) -> pd.Series:
    """An ADSL date column as datetimes indexed by ``USUBJID`` (all NaT when ADSL lacks it)."""
    first = adsl.drop_duplicates("USUBJID").set_index("USUBJID")
    if column not in first.columns:
        return pd.Series(pd.NaT, index=first.index, dtype="datetime64[ns]")
    return read_dates(first[column])


def is_yes(values: pd.Series) -> np.ndarray:
    """A Y/N flag column as booleans (``Y`` in any case; anything else no)."""
    return np.asarray(values.astype("string").str.strip().str.upper().fillna("") == "Y", dtype=bool)


def response_labels(adrs: pd.DataFrame | None, param: str) -> pd.Series:
    """Each subject's ``AVALC`` of the ADRS parameter ``param`` (e.g. BOR), upper case, indexed by ``USUBJID``."""
    if adrs is None:
        return pd.Series(dtype=str)
    require_columns(adrs, ["USUBJID", "PARAMCD", "AVALC"], name="ADRS")
    rows = adrs.loc[adrs["PARAMCD"].astype(str) == param].drop_duplicates("USUBJID")
    return rows.set_index("USUBJID")["AVALC"].astype("string").str.strip().str.upper().fillna("").astype(str)
