"""The one shape of a result: JSON-safe values for ``to_dict`` and text of at most 80 columns for ``__str__``.

Every result type of the core (a frozen dataclass) has ``to_frame()`` (a DataFrame, a copy), ``to_dict()``
(JSON-safe: no NaN or infinity, no numpy scalars, no timestamps) and ``__str__`` (what the CLI prints,
every line at most :data:`WIDTH` characters). The helpers here serve them all.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "WIDTH",
    "fit_lines",
    "format_frame",
    "format_number",
    "format_table",
    "frame_records",
    "readonly",
    "to_json_dict",
    "to_json_safe",
    "wrap",
]

WIDTH = 80
"""The widest line a result's ``__str__`` writes."""


def to_json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities as None, numpy scalars and arrays as Python values, dates and
    times as ISO 8601 text, tuples as lists and mapping keys as text (``json.dumps(allow_nan=False)`` works)."""
    if isinstance(value, Mapping):
        return {str(k): to_json_safe(v) for k, v in value.items()}
    if isinstance(value, np.ndarray | pd.Series):
        return _array_values(np.asarray(value))
    if isinstance(value, list | tuple):
        return [to_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.date().isoformat()  # a date (as an ADaM table holds it): YYYY-MM-DD
    if isinstance(value, datetime | date | time):  # pd.Timestamp is a datetime
        return value.isoformat()
    return str(value)


def to_json_dict(value: Mapping[Any, Any]) -> dict[str, Any]:
    """A mapping made JSON-safe (:func:`to_json_safe`), typed as the dict it is."""
    return {str(k): to_json_safe(v) for k, v in value.items()}


def _array_values(values: np.ndarray[Any, Any]) -> list[Any]:
    """An array as a list, vectorised for numbers (a step table has a value per distinct time)."""
    if values.dtype.kind in "iub":
        return list(values.tolist())
    if values.dtype.kind == "f":
        finite = np.isfinite(values)
        if finite.all():
            return list(values.tolist())
        out = values.astype(object)
        out[~finite] = None
        return list(out.tolist())
    return [to_json_safe(v) for v in values.tolist()]


def readonly(values: Any, dtype: Any = None) -> np.ndarray[Any, Any]:
    """A copy of ``values`` as a numpy array that cannot be written to (a result's table stays as computed)."""
    array = np.array(values, dtype=dtype, copy=True)
    array.flags.writeable = False
    return array


def fit_lines(text: str, width: int = WIDTH) -> str:
    """Each line of ``text`` wrapped to ``width`` characters (continuations indented by 4)."""
    lines: list[str] = []
    for line in text.splitlines() or [""]:
        if len(line) <= width:
            lines.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip()))
        lines.extend(
            textwrap.wrap(line, width, initial_indent="", subsequent_indent=indent + "    ", break_long_words=True)
            or [line[:width]]
        )
    return "\n".join(lines)


def format_number(value: Any, spec: str = ".4g") -> str:
    """A number as ``format(value, spec)``; NA where it is missing or not finite."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "NA"
    return format(value, spec)


def format_frame(frame: pd.DataFrame, *, formats: Mapping[str, str] | None = None) -> str:
    """A table as text of at most 80 columns (wide tables continue below, as pandas prints them); numbers
    as ``formats`` gives per column (a format spec, e.g. ``".1f"``), other decimals to 4 significant digits."""
    if frame.empty:
        return "(no rows)"
    shown = frame.copy()
    for column in shown.columns:
        spec = (formats or {}).get(str(column))
        if spec is None and not pd.api.types.is_float_dtype(shown[column]):
            continue
        shown[column] = [format_number(v, spec or ".4g") for v in shown[column].astype(object)]
    text = shown.to_string(index=False, line_width=WIDTH, max_colwidth=WIDTH // 3)
    return fit_lines(text)


def frame_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``table`` as JSON-safe dicts (:func:`to_json_safe` for each cell)."""
    columns = [str(c) for c in table.columns]
    return [
        {c: to_json_safe(v) for c, v in zip(columns, row, strict=True)}
        for row in table.astype(object).itertuples(index=False, name=None)
    ]


# Plain text written by hand rather than with rich or ``DataFrame.to_string``: the core imports no console
# library, and ``to_string`` neither wraps prose nor keeps a table within a width.


def wrap(text: str, *, indent: str = "") -> list[str]:
    """``text`` as lines of at most 80 columns, the first starting with ``indent``.

    Follow-on lines are indented 2 more than a blank ``indent``, or aligned under the text after a label
    such as ``"Note: "``.
    """
    hanging = indent + "  " if not indent.strip() else " " * len(indent)
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=hanging, break_on_hyphens=False)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A header line and one line per row; the first column left-aligned, the others right-aligned.

    Each column is as wide as its longest cell, with one space between columns.
    """
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        return " ".join([first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))]).rstrip()

    return [line(headers), *(line(row) for row in rows)]
