"""Reading and writing CDISC-shaped tables (SDTM TU/TR/RS, ADSL; ADRS; ADTTE) as CSV, Parquet or SAS XPT.

One reader, :func:`read_table`, for every command. A CSV file (optionally ``.gz``) is read by pyarrow's
multithreaded CSV reader (a 1,000,000-row file in a fraction of a second), in one of two ways:

* ``text=True`` (the default for the whole table): every column as text (CDISC character variables,
  ISO 8601 dates; "NA" stays the text NA, an empty cell is ""), for the derivations that convert the
  columns they use themselves;
* ``text=False`` (the default when ``columns`` are named): types inferred (whole numbers as nullable
  ``Int64``) and the ``missing_values`` spellings read as missing: R's ``write.csv`` writes ``NA``,
  SAS ``.``, and an empty cell is missing in both (``MISSING_SPELLINGS``).

``columns`` names the columns to read (a list: each one required) or chooses them (a predicate on the
name); ``keep_rows = (column, values)`` keeps only the rows whose ``column`` is one of ``values``, and a
CSV is filtered before it becomes a DataFrame (an ADRS of a million subjects has ten million rows).
Parquet and XPT store their own types. Problems reading a file are a ``DataError`` that names the
file and, for text that is not UTF-8, the row holding the first bad byte.

:func:`write_table` writes CSV or Parquet; :func:`write_table_arrow` writes the same CSV bytes through
pyarrow's CSV writer for the large tables (pandas formats each cell in Python: about 30 s for 3.6 million
rows x 22 columns, pyarrow about 3 s).
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from oncotrial._frames import check_columns
from oncotrial._numbers import MISSING_SPELLINGS
from oncotrial._writing import replace_atomically
from oncotrial.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]

__all__ = ["MISSING_SPELLINGS", "ColumnChoice", "check_columns", "read_table", "write_table", "write_table_arrow"]

# the columns to read: a list of names (each one required, in this order) or a predicate on a column name
ColumnChoice = Sequence[str] | Callable[[str], bool]


def read_table(
    path: Path,
    *,
    name: str,
    columns: ColumnChoice | None = None,
    optional: Collection[str] = (),
    text: bool | None = None,
    keep_rows: tuple[str, Collection[str]] | None = None,
    missing_values: Sequence[str] = (),
) -> pd.DataFrame:
    """Read a table from ``.csv`` (optionally ``.gz``), ``.parquet`` or ``.xpt``; ``name`` is used in errors.

    ``columns``: ``None`` reads every column; a list reads those (a missing one is an error naming the
    file's columns), then the ``optional`` ones the file has; a predicate reads the columns it accepts,
    in the file's order. ``text``: CSV values all as text (``True``; the default without ``columns``) or
    with the types pyarrow infers (``False``; the default with ``columns``). CSV text in
    ``missing_values`` is missing. ``keep_rows = (column, values)`` keeps the rows whose ``column`` (which
    the file must have) holds one of ``values``. The index is 0, 1, ...
    """
    kind = _kind(path, name)
    as_text = columns is None if text is None else text
    try:
        if kind == "csv":
            return _read_csv(path, name, _Selection(columns, optional, keep_rows), as_text, missing_values)
        table = _read_stored(path, kind)
    except DataError:
        raise
    except FileNotFoundError:
        raise DataError(f"The {name} file {path} does not exist.", code="IO-E001", field=name) from None
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, name) from exc
    except (EOFError, OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError, ArrowIOError an OSError
        raise _unreadable(path, name, exc) from exc
    table = table[_Selection(columns, optional, keep_rows).names([str(c) for c in table.columns], name)]
    if keep_rows is not None:
        table = table.loc[table[keep_rows[0]].isin(list(keep_rows[1]))].reset_index(drop=True)
    return table


def _kind(path: Path, name: str) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] in ([".parquet"], [".xpt"]):
        return suffixes[-1][1:]
    if ".csv" in suffixes:
        return "csv"
    raise DataError(
        f"The {name} file {path} is not CSV (.csv, .csv.gz), Parquet (.parquet) or SAS transport (.xpt).",
        code="IO-E003",
        field=name,
    )


class _Selection:
    """Which columns of a file to read: ``read_table``'s ``columns``, ``optional`` and row-filter column."""

    def __init__(
        self, columns: ColumnChoice | None, optional: Collection[str], keep_rows: tuple[str, Collection[str]] | None
    ) -> None:
        self.columns, self.optional, self.keep_rows = columns, optional, keep_rows
        self.filter_column = None if keep_rows is None else keep_rows[0]

    def names(self, header: Sequence[str], name: str) -> list[str]:
        """The columns to read, in order; a DataError naming every required one the file lacks."""
        by_filter = [self.filter_column] if self.filter_column is not None else []
        if self.columns is None:
            _check_names(header, by_filter, name=name)
            return list(header)
        if callable(self.columns):
            chosen = [c for c in header if self.columns(c) or c in self.optional]
            _check_names(header, by_filter, name=name)
            return [*chosen, *(c for c in by_filter if c not in chosen)]
        _check_names(header, [*self.columns, *by_filter], name=name)
        extra = [c for c in header if (c in self.optional or c in by_filter) and c not in self.columns]
        return [*self.columns, *dict.fromkeys(extra)]


def _read_stored(path: Path, kind: str) -> pd.DataFrame:
    """Parquet or XPT, whole, with the types the file stores."""
    if kind == "parquet":
        return pd.read_parquet(path)
    table = pd.read_sas(path, format="xport", encoding="utf-8")
    return table if isinstance(table, pd.DataFrame) else table.read()


def _read_csv(path: Path, name: str, selection: _Selection, text: bool, missing_values: Sequence[str]) -> pd.DataFrame:
    """pyarrow's CSV reader: only the selected columns, rows filtered before they become a DataFrame."""
    import pyarrow as pa  # imported here: commands that read no table start faster
    import pyarrow.csv as pv  # type: ignore[import-untyped]

    header = pv.open_csv(path).schema.names  # reads the first block only
    if len(set(header)) < len(header):
        twice = sorted({c for c in header if header.count(c) > 1})
        raise DataError(
            f"The {name} file {path} has the column(s) {', '.join(twice)} more than once: give each column one name.",
            code="IO-E008",
            field=twice[0],
        )
    wanted = selection.names(header, name)
    as_text = wanted if text else [selection.filter_column] if selection.filter_column else []
    options = pv.ConvertOptions(
        include_columns=wanted,
        column_types=dict.fromkeys(as_text, pa.string()),
        null_values=list(missing_values),
        strings_can_be_null=bool(missing_values),
        quoted_strings_can_be_null=bool(missing_values),
    )
    parse = pv.ParseOptions(newlines_in_values=_may_have_quotes(path))
    table = pv.read_csv(path, parse_options=parse, convert_options=options)
    if any(pa.types.is_binary(field.type) for field in table.schema):  # pyarrow keeps text that is not UTF-8 as bytes
        raise _not_utf8(path, name)
    return _to_frame(_keep_rows(table, selection), text)


def _may_have_quotes(path: Path) -> bool:
    """Whether a CSV file may hold a quoted value, which may span lines; a compressed file is assumed to.

    pyarrow splits a file into blocks at line ends and parses them in parallel; a value spanning lines
    (``newlines_in_values``) makes it find the line ends serially, quote by quote: an 812 MB ADRS takes
    twice as long. A file without a double quote cannot hold such a value; finding that out takes 0.2 s
    of CPU for that file (bytes.__contains__ is memchr).
    """
    if path.suffix.lower() == ".gz":  # finding out would cost a second decompression
        return True
    with path.open("rb") as handle:
        while block := handle.read(1 << 24):
            if b'"' in block:
                return True
    return False


def _keep_rows(table: pa.Table, selection: _Selection) -> pa.Table:
    """The rows whose filter column holds one of the values kept (read as text)."""
    import pyarrow as pa
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    if selection.keep_rows is None:
        return table
    column, values = selection.keep_rows
    return table.filter(pc.is_in(table[column], value_set=pa.array(list(values), type=pa.string())))


def _to_frame(table: pa.Table, text: bool) -> pd.DataFrame:
    import pyarrow as pa

    # text: the dtype pandas' read_csv(dtype=str) gives (Arrow-backed strings, NaN for missing)
    mapping = {pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)} if text else {pa.int64(): pd.Int64Dtype()}
    frame: pd.DataFrame = table.to_pandas(types_mapper=mapping.get)
    return frame


def _unreadable(path: Path, name: str, exc: BaseException) -> DataError:
    text = str(exc)
    if isinstance(exc, EOFError) or "runcated" in text:
        return DataError(
            f"The {name} file {path} is cut short (the compressed data end early): copy or export the file again.",
            code="IO-E006",
            field=name,
        )
    if "UTF8" in text or "UTF-8" in text:
        return _not_utf8(path, name)
    return DataError(f"The {name} file {path} cannot be read: {text}", code="IO-E002", field=name)


def _not_utf8(path: Path, name: str) -> DataError:
    """Name the first line that is not UTF-8 (rows counted from 1 after the header)."""
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rb") as handle:
        for number, line in enumerate(handle):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                where = "the header" if number == 0 else f"row {number}"
                byte = line[exc.start]
                return DataError(
                    f"The {name} file {path} is not UTF-8 text: {where} holds the byte 0x{byte:02x} "
                    f"({bytes([byte]).decode('latin-1')!r} in Latin-1). Save the file as UTF-8 (e.g. Excel's "
                    "'CSV UTF-8') and try again.",
                    code="IO-E007",
                    field=name,
                    rows=(number,),
                )
    return DataError(f"The {name} file {path} is not UTF-8 text: save the file as UTF-8.", code="IO-E007", field=name)


def _check_names(header: Sequence[str], required: Iterable[str], *, name: str) -> None:
    """The file's header holds every required column (the one column check, on the header alone)."""
    check_columns(pd.DataFrame(columns=list(header)), required, name=name)


def write_table(table: pd.DataFrame, path: Path) -> None:
    """Write ``.parquet`` or CSV (any other suffix); dates as ``YYYY-MM-DD``; whole or not at all."""
    out = table.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    try:
        with replace_atomically(path) as temporary:  # a failure leaves no half-written table
            if path.suffix.lower() == ".parquet":
                out.to_parquet(temporary, index=False)
            else:
                out.to_csv(temporary, index=False)
    except OSError as exc:
        raise DataError(f"Cannot write {path}: {exc}", code="IO-E005", field="out") from exc


def write_table_arrow(table: pd.DataFrame, path: Path) -> None:
    """Write ``table`` as :func:`write_table` does, byte for byte, through pyarrow's CSV writer when it can.

    pyarrow writes the table when it is CSV with more than one column and holds only text, whole numbers
    and dates at midnight, and no value or name needs quoting (``csv`` quotes a lone column's empty
    values, pyarrow does not); anything else is written by :func:`write_table`.
    """
    import pyarrow as pa
    import pyarrow.csv as pv

    names = [str(c) for c in table.columns]
    plain_names = len(names) > 1 and not any(ch in name for name in names for ch in ',"\r\n')
    if path.suffix.lower() != ".csv" or not plain_names or not all(_plain(table[c]) for c in table.columns):
        write_table(table, path)
        return
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    for i, field in enumerate(arrow.schema):
        if pa.types.is_timestamp(field.type):  # write_table writes dates as YYYY-MM-DD
            arrow = arrow.set_column(i, field.name, arrow.column(i).cast(pa.date32()))
    # quoting_style "none" refuses values that need quotes (a comma, a quote, a line end); the header is
    # written here, since pyarrow quotes every name
    options = pv.WriteOptions(include_header=False, quoting_style="none")
    try:
        with replace_atomically(path) as temporary, temporary.open("wb") as handle:  # whole or not at all
            handle.write((",".join(names) + "\n").encode())
            pv.write_csv(arrow, handle, write_options=options)
    except pa.ArrowInvalid:  # a value needing quotes (nothing was left behind): pandas quotes it
        write_table(table, path)
    except OSError as exc:
        raise DataError(f"Cannot write {path}: {exc}", code="IO-E005", field="out") from exc


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
