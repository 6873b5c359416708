"""The one checker for input tables (pandas DataFrames) of the core.

* :func:`check_columns`: the required columns are there; the error names the table (and its
  file when known) and every column missing.
* :func:`read_flags`: a yes/no column as booleans: ``Y``/``N``, ``true``/``false``, ``1``/``0``
  (any case) and real booleans; a missing value (``NA``, ``.``, empty: :data:`MISSING_SPELLINGS`,
  as R and SAS write them) is "no". Anything else is refused with its row and value named. (NumPy's
  ``astype(bool)`` reads every non-empty string, ``"N"`` included, as True: never use it on flags.)
* :func:`find_exact_duplicates`: rows repeated with every column equal.

Dates are read by :func:`oncotrial.recist.dates.read_dates` (ISO 8601 with admiral's imputation).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncotrial._numbers import MISSING_SPELLINGS
from oncotrial.errors import DataError, TrialError

__all__ = [
    "FLAG_FALSE",
    "FLAG_TRUE",
    "check_columns",
    "find_exact_duplicates",
    "is_missing",
    "read_flags",
]

FLAG_TRUE = frozenset({"y", "true", "1", "1.0"})
FLAG_FALSE = frozenset({"n", "false", "0", "0.0"})
_MISSING = frozenset(s.lower() for s in MISSING_SPELLINGS) | {"nan", "<na>", "nat", "none"}


def _where(name: str, file: Path | str | None) -> str:
    return f"The {name} table" + (f" ({file})" if file is not None else "")


def check_columns(
    table: pd.DataFrame,
    required: Iterable[str],
    *,
    name: str,
    code: str = "IO-E004",
    file: Path | str | None = None,
    hint: str = "",
    error: type[TrialError] = DataError,
) -> None:
    """Raise ``error`` naming the table (and ``file``), every required column it lacks and those it has.

    ``hint`` (a sentence) says what the table needs; ``code`` is the caller's stable error code.
    """
    missing = [c for c in required if c not in table.columns]
    if missing:
        message = (
            f"{_where(name, file)} lacks the column(s) {', '.join(missing)}; "
            f"it has {', '.join(map(str, table.columns)) or 'none'}." + (f" {hint}" if hint else "")
        )
        raise error(message, code=code, field=missing[0])


def is_missing(values: pd.Series) -> NDArray[np.bool_]:
    """Where a value is missing: null (None, NaN, NA), or text that reads as R and SAS write missing
    (``NA``, ``.``, empty; :data:`MISSING_SPELLINGS`, surrounding spaces ignored)."""
    # each distinct value is looked at once: a per-row string test costs about 0.2 s at 1M rows
    codes, uniques = pd.factorize(values)
    spelled = np.array([str(u).strip() in MISSING_SPELLINGS for u in uniques] + [True], dtype=bool)
    return spelled[np.where(codes < 0, len(uniques), codes)]


def read_flags(
    values: pd.Series, *, column: str, name: str, code: str, file: Path | str | None = None
) -> NDArray[np.bool_]:
    """A yes/no column as booleans, each distinct value read once (fast on long columns).

    Accepts booleans, ``Y``/``N``, ``true``/``false``, ``1``/``0`` (any case, numbers too); a
    missing value is False. Anything else raises :class:`DataError` naming the table, ``column``, the
    first row holding it (1-based, as in the file) and the value.
    """
    if pd.api.types.is_bool_dtype(values) and not values.hasnans:
        return np.asarray(values.to_numpy(dtype=bool), dtype=bool)
    codes, uniques = pd.factorize(values, sort=False)
    labels = [str(u).strip().lower() for u in uniques]
    known = FLAG_TRUE | FLAG_FALSE | _MISSING
    for position, label in enumerate(labels):
        if label not in known:
            row = int(np.argmax(codes == position)) + 1
            raise DataError(
                f"{_where(name, file)}, row {row}: {column} '{uniques[position]}' is not a yes/no flag. "
                "Write Y or N (true/false and 1/0 are accepted too), or leave it empty for no.",
                code=code,
                field=column,
                rows=(row,),
            )
    lookup = np.array([label in FLAG_TRUE for label in labels] + [False], dtype=bool)
    return lookup[np.where(codes < 0, len(uniques), codes)]


def find_exact_duplicates(table: pd.DataFrame) -> NDArray[np.bool_]:
    """Rows that repeat an earlier row with every column equal (the first copy is not flagged)."""
    return np.asarray(table.duplicated(keep="first").to_numpy(), dtype=bool)
