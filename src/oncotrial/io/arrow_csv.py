"""Large CSV tables through pyarrow's multithreaded CSV engine, for commands that read or write millions of rows.

:func:`read_table_columns` reads only the columns a command uses; :func:`write_table_arrow`
writes what :func:`~oncotrial.io.tables.write_table` would write, byte for byte, when the table
holds only text, whole numbers and dates and no value needs quoting. Anything else, or any
failure, goes through :mod:`oncotrial.io.tables`, so the results and the error messages are theirs.
pandas' own CSV writer formats each cell in Python (about 30 s for 3.6 million rows x 22 columns);
pyarrow's takes about 3 s.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pa_compute  # type: ignore[import-untyped]
import pyarrow.csv as pa_csv  # type: ignore[import-untyped]

from oncotrial._writing import replace_atomically
from oncotrial.io.tables import read_table, write_table

__all__ = ["read_table_columns", "write_table_arrow"]


def _is_csv(path: Path) -> bool:
    suffixes = [s.lower() for s in path.suffixes]
    return suffixes[-1:] == [".csv"] or suffixes[-2:] == [".csv", ".gz"]


def read_table_columns(
    path: Path,
    *,
    name: str,
    wanted: Callable[[str], bool],
    keep_rows: tuple[str, Collection[str]] | None = None,
) -> pd.DataFrame:
    """The columns of a table for which ``wanted(column)`` holds, every value as text for CSV (as ``read_table``).

    ``keep_rows = (column, values)`` keeps only the rows whose ``column`` is one of ``values`` (a CSV is
    filtered before it becomes a DataFrame: the rows left out never take memory). The index is 0, 1, ...
    """
    if _is_csv(path):
        try:
            return _read_csv_arrow(path, wanted, keep_rows)
        except Exception:  # any failure: the standard reader decides and reports it
            pass
    table = read_table(path, name=name)
    table = table[[c for c in table.columns if wanted(str(c))]]
    if keep_rows is not None and keep_rows[0] in table.columns:
        table = table.loc[table[keep_rows[0]].isin(list(keep_rows[1]))].reset_index(drop=True)
    return table


def _read_csv_arrow(
    path: Path, wanted: Callable[[str], bool], keep_rows: tuple[str, Collection[str]] | None
) -> pd.DataFrame:
    """pyarrow's CSV reader, every column as text and empty values kept as "" (``keep_default_na=False``)."""
    header = pd.read_csv(path, nrows=0, dtype=str)
    columns = [str(c) for c in header.columns if wanted(str(c))]
    options = pa_csv.ConvertOptions(
        include_columns=columns,
        column_types=dict.fromkeys(columns, pa.string()),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    arrow = pa_csv.read_csv(path, convert_options=options)
    if keep_rows is not None and keep_rows[0] in columns:
        column, values = keep_rows
        arrow = arrow.filter(pa_compute.is_in(arrow[column], value_set=pa.array(list(values), type=pa.string())))
    # the text dtype read_csv(dtype=str) gives: Arrow-backed strings
    frame: pd.DataFrame = arrow.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    return frame


def write_table_arrow(table: pd.DataFrame, path: Path) -> None:
    """Write ``table`` as :func:`~oncotrial.io.tables.write_table` does, through pyarrow for plain CSV tables."""
    names = [str(c) for c in table.columns]
    plain_names = len(names) > 1 and not any(
        ch in name for name in names for ch in ',"\r\n'
    )  # one column: csv quotes ""
    if path.suffix.lower() != ".csv" or not plain_names or not all(_plain(table[c]) for c in table.columns):
        write_table(table, path)
        return
    try:
        arrow = pa.Table.from_pandas(table, preserve_index=False)
        for i, field in enumerate(arrow.schema):
            if pa.types.is_timestamp(field.type):  # write_table writes dates as YYYY-MM-DD
                arrow = arrow.set_column(i, field.name, arrow.column(i).cast(pa.date32()))
        # quoting_style "none" refuses values that need quotes (a comma, a quote, a line end): pandas then writes
        # them; the header is written here, since pyarrow quotes every name
        options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
        with replace_atomically(path) as temporary, temporary.open("wb") as handle:  # whole or not at all
            handle.write((",".join(names) + "\n").encode())
            pa_csv.write_csv(arrow, handle, write_options=options)
    except Exception:  # any failure: the standard writer writes the file or reports why not
        write_table(table, path)


def _plain(column: pd.Series) -> bool:
    """Text, whole numbers or dates at midnight: the values both writers render the same way."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.api.types.is_string_dtype(dtype.categories) or pd.api.types.is_object_dtype(dtype.categories)
    if pd.api.types.is_datetime64_dtype(dtype):
        return bool((column.dropna().dt.normalize() == column.dropna()).all())
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return True
    return pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype)
