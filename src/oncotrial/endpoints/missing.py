"""Rows with a missing value in a column the analysis uses are left out, as R's ``na.omit`` does.

A value is missing when it is null (None, NaN, NA) or, in a text column, when it reads ``NA``
(R's ``write.csv``), ``.`` (SAS) or is empty (``MISSING_SPELLINGS``, surrounding spaces ignored).
The rows left out are counted per column and reported in one ``TrialWarning``, as R prints
"(n observations deleted due to missingness)".
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncotrial._numbers import MISSING_SPELLINGS
from oncotrial.errors import TrialWarning

__all__ = ["compute_missing", "compute_row_numbers", "filter_complete_cases"]


def compute_missing(values: pd.Series) -> NDArray[np.bool_]:
    """True where a value is missing (null, or text that reads NA, ``.`` or nothing)."""
    # each distinct value is looked at once: a per-row string test costs about 0.2 s at 1M rows
    codes, uniques = pd.factorize(values)
    spelled = np.array([str(u).strip() in MISSING_SPELLINGS for u in uniques] + [True], dtype=bool)
    return spelled[np.where(codes < 0, len(uniques), codes)]


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
    missing = {c: compute_missing(data[c]) for c in used}
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
