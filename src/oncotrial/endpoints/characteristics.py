"""Descriptive summaries of subject-level variables by group: the baseline-characteristics table of a trial.

Per group (each arm, then all subjects as ``Total``) and variable:

* a continuous variable (AGE, a dose count): ``n`` (non-missing), ``median``, ``min``, ``max``;
* a categorical variable (SEX, ECOG): one row per category with ``n`` and ``percent`` of the group's subjects
  (every subject is in the denominator; a missing value is its own category, ``Missing``).

The median is numpy's (the mean of the two middle values for an even count), as R's ``median``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from oncotrial._frames import check_columns
from oncotrial._results import format_frame, frame_records, to_json_dict
from oncotrial.errors import DataError

__all__ = ["CharacteristicsSummary", "summarise_characteristics"]

TOTAL = "Total"
MISSING = "Missing"
_COLUMNS = ["group", "variable", "category", "N", "n", "percent", "median", "min", "max"]


@dataclass(frozen=True)
class CharacteristicsSummary:
    """``table``: one row per group, variable and category (``category`` empty for a continuous variable) with
    ``N`` (subjects in the group), ``n``, ``percent`` (categorical), ``median``, ``min``, ``max`` (continuous)."""

    table: pd.DataFrame
    groups: tuple[str, ...]
    variables: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", self.table.copy())

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """``{"groups": [...], "variables": [...], "rows": [...]}`` (JSON-safe)."""
        return to_json_dict(
            {"groups": list(self.groups), "variables": list(self.variables), "rows": frame_records(self.table)}
        )

    def __str__(self) -> str:
        formats = {"percent": ".1f", "median": ".4g", "min": ".4g", "max": ".4g"}
        return "Characteristics by group\n" + format_frame(self.table, formats=formats)


def _continuous(values: pd.Series, column: str) -> dict[str, Any]:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna() & (values.astype("string").str.strip() != "")
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise DataError(
            f"Column '{column}' row {row + 1}: '{values.iloc[row]}' is not a number, so its median cannot be "
            f"computed. Correct the value or leave it empty (missing).",
            code="CHAR-E002",
            field=column,
            rows=(row + 1,),
        )
    present = numbers.dropna().to_numpy(dtype=float)
    if not len(present):
        return {"category": "", "n": 0, "median": np.nan, "min": np.nan, "max": np.nan}
    return {
        "category": "",
        "n": len(present),
        "median": float(np.median(present)),
        "min": float(present.min()),
        "max": float(present.max()),
    }


def _categorical(values: pd.Series) -> list[dict[str, Any]]:
    text = values.astype("string").str.strip()
    text = text.where(text.notna() & (text != ""), MISSING)
    counts = text.value_counts(sort=False)
    order = sorted((c for c in counts.index if c != MISSING), key=_category_key)
    order += [MISSING] if MISSING in counts.index else []
    total = len(values)
    return [{"category": c, "n": int(counts[c]), "percent": 100.0 * int(counts[c]) / total} for c in order]


def _category_key(value: str) -> tuple[int, float, str]:
    """Numbers in numeric order (ECOG 0, 1, 2; "10" after "9"), then text in alphabetical order."""
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


def summarise_characteristics(
    data: pd.DataFrame,
    *,
    group_col: str | None = None,
    continuous: Sequence[str] = (),
    categorical: Sequence[str] = (),
    total: bool = True,
) -> CharacteristicsSummary:
    """Summaries of ``continuous`` and ``categorical`` columns of a one-row-per-subject table, per ``group_col``.

    Groups are in sorted order, then ``Total`` (all subjects) when ``total`` or when there is no group column.

    Raises
    ------
    DataError
        A column is missing (CHAR-E001), a continuous value is not a number (CHAR-E002), or the table has no
        rows (CHAR-E003).
    """
    check_columns(data, [*([group_col] if group_col else []), *continuous, *categorical], name="data", code="CHAR-E001")
    if data.empty:
        raise DataError("The table has no subjects: there is nothing to summarise.", code="CHAR-E003", field="data")
    parts: list[tuple[str, pd.DataFrame]] = []
    if group_col is not None:
        labels = data[group_col].astype("string").fillna(MISSING)
        parts = [(str(k), data.loc[(labels == k).to_numpy()]) for k in sorted(labels.unique())]
    if total or group_col is None:
        parts.append((TOTAL, data))
    rows: list[dict[str, Any]] = []
    for group, part in parts:
        for column in continuous:
            rows.append({"group": group, "variable": column, "N": len(part), **_continuous(part[column], column)})
        for column in categorical:
            rows += [{"group": group, "variable": column, "N": len(part), **r} for r in _categorical(part[column])]
    table = pd.DataFrame(rows).reindex(columns=_COLUMNS)
    table[["N", "n"]] = table[["N", "n"]].astype(int)
    return CharacteristicsSummary(table, tuple(g for g, _ in parts), (*continuous, *categorical))
