"""Column helpers for bulk loads (the SDTM import writes millions of values): a function applied once per
distinct value of a column, not once per row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

__all__ = ["map_distinct", "present"]

T = TypeVar("T")

# kinds whose equal values print the same: not float (-0.0 == 0.0, NaN != NaN), and never two kinds together
# (1 == 1.0 == True)
_PLAIN = frozenset({str, int, bool, dt.date, dt.datetime})


def map_distinct(values: Sequence[Any], function: Callable[[Any], T], missing: T) -> list[T]:
    """``[missing if v is None else function(v) for v in values]``, calling ``function`` once per distinct value
    when the values are all of one plain kind (text, whole numbers, booleans, dates, date-times without a time
    zone); values of any other kind, or of mixed kinds, are taken one by one."""
    kinds = set(map(type, values)) - {type(None)}
    plain = len(kinds) == 1 and kinds <= _PLAIN
    if not plain or (kinds == {dt.datetime} and any(v is not None and v.tzinfo is not None for v in values)):
        return [missing if v is None else function(v) for v in values]
    objects = np.empty(len(values), dtype=object)
    objects[:] = values
    codes, uniques = pd.factorize(objects)  # None gets -1
    mapped = np.empty(len(uniques) + 1, dtype=object)
    for i, value in enumerate(uniques):
        mapped[i] = function(value)
    mapped[-1] = missing
    return mapped[codes].tolist()  # type: ignore[no-any-return]


def present(values: pd.Series | Sequence[Any]) -> list[Any]:
    """The values, with None for each missing one (None, or the NaN or NaT pandas put in its place)."""
    objects = np.empty(len(values), dtype=object)
    objects[:] = list(values) if not isinstance(values, pd.Series) else values.to_numpy(dtype=object)
    objects[pd.isna(objects)] = None
    return objects.tolist()
