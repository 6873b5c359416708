"""Rows with a missing value in a column the analysis uses are left out, as R's ``na.omit`` does.

A value is missing when it is null (None, NaN, NA) or, in a text column, when it reads ``NA``
(R's ``write.csv``), ``.`` (SAS) or is empty (:func:`oncotrial._frames.is_missing`).
The rows left out are counted per column and reported in one ``TrialWarning``, as R prints
"(n observations deleted due to missingness)".
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncotrial._frames import is_missing
from oncotrial.errors import TrialWarning

__all__ = ["compute_row_numbers", "filter_complete_cases"]


def compute_row_numbers(values: object, positions: NDArray[np.intp]) -> list[int]:
    """Row numbers (from 1 after the header) of the rows at ``positions``: for a table read from a file
    and then filtered, its integer index + 1 (the file's row); otherwise the position + 1."""
    if isinstance(values, pd.Series | pd.DataFrame) and pd.api.types.is_integer_dtype(values.index):
        return [int(i) + 1 for i in values.index[positions]]
    return [int(i) + 1 for i in positions]


def filter_complete_cases(data: pd.DataFrame, columns: Sequence[str | None]) -> pd.DataFrame:
    """The rows of ``data`` with a value in every one of ``columns`` (None entries are skipped).

    Warns with the number of rows left out, per column, and the first rows (the integer index + 1, as a
    table read from a file is numbered; else the position + 1).
    """
    used = [c for c in dict.fromkeys(columns) if c is not None]
    missing = {c: is_missing(data[c]) for c in used}
    if not any(m.any() for m in missing.values()):
        return data
    dropped = np.logical_or.reduce(list(missing.values()))
    positions = np.nonzero(dropped)[0]
    per_column = ", ".join(f"'{c}' {int(m.sum())}" for c, m in missing.items() if m.any())
    listed = ", ".join(map(str, compute_row_numbers(data, positions[:10]))) + (" ..." if positions.size > 10 else "")
    warnings.warn(
        TrialWarning(
            f"{positions.size} row(s) left out for a missing value (NA, '.' or empty), as R's na.omit does: "
            f"{per_column} (row(s) {listed})."
        ),
        stacklevel=2,
    )
    kept: pd.DataFrame = data.loc[~dropped]
    return kept
