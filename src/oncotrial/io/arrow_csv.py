"""Large CSV tables through pyarrow's multithreaded CSV engine, for commands that read or write millions of rows.

:func:`read_table_columns` reads only the columns a command uses; :func:`write_table_arrow`
writes what :func:`~oncotrial.io.tables.write_table` would write, byte for byte, when the table
holds only text, whole numbers and dates and no value needs quoting. Anything else, or any
failure, goes through :mod:`oncotrial.io.tables`, so the results and the error messages are theirs.
pandas' own CSV writer formats each cell in Python (about 30 s for 3.6 million rows x 22 columns);
pyarrow's takes about 3 s.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from oncotrial.io.tables import read_table, write_table

__all__ = ["read_table_columns", "write_table_arrow"]


def _is_csv(path: Path) -> bool:
    suffixes = [s.lower() for s in path.suffixes]
    return suffixes[-1:] == [".csv"] or suffixes[-2:] == [".csv", ".gz"]


def read_table_columns(path: Path, *, name: str, wanted: Callable[[str], bool]) -> pd.DataFrame:
    """The columns of a table for which ``wanted(column)`` holds, every value as text for CSV (as ``read_table``)."""
    if _is_csv(path):
        try:
            header = pd.read_csv(path, nrows=0, dtype=str)
            columns = [c for c in header.columns if wanted(str(c))]
            return pd.read_csv(path, dtype=str, keep_default_na=False, engine="pyarrow", usecols=columns)
        except Exception:  # any failure: the standard reader decides and reports it
            pass
    table = read_table(path, name=name)
    return table[[c for c in table.columns if wanted(str(c))]]


def write_table_arrow(table: pd.DataFrame, path: Path) -> None:
    """Write ``table`` as :func:`~oncotrial.io.tables.write_table` does, through pyarrow for plain CSV tables."""
    names = [str(c) for c in table.columns]
    plain_names = len(names) > 1 and not any(
        ch in name for name in names for ch in ',"\r\n'
    )  # one column: csv quotes ""
    if path.suffix.lower() != ".csv" or not plain_names or not all(_plain(table[c]) for c in table.columns):
        write_table(table, path)
        return
    import pyarrow as pa  # type: ignore[import-untyped]  # only the commands that write large tables import it
    import pyarrow.csv as pa_csv  # type: ignore[import-untyped]

    try:
        arrow = pa.Table.from_pandas(table, preserve_index=False)
        for i, field in enumerate(arrow.schema):
            if pa.types.is_timestamp(field.type):  # write_table writes dates as YYYY-MM-DD
                arrow = arrow.set_column(i, field.name, arrow.column(i).cast(pa.date32()))
        # quoting_style "none" refuses values that need quotes (a comma, a quote, a line end): pandas then writes
        # them; the header is written here, since pyarrow quotes every name
        options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
        with path.open("wb") as handle:
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
