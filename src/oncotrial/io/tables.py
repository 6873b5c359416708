"""Reading and writing CDISC-shaped tables (SDTM TU/TR/RS, ADSL; ADRS) as CSV, Parquet or SAS XPT.

Two ways of reading a CSV file:

* the whole table, every column as text (CDISC character variables, ISO 8601 dates; "NA" stays the
  text NA), for the derivations that convert the columns they use themselves;
* only the ``columns`` an analysis uses, read by pyarrow with types inferred (a 1,000,000-row file in
  a fraction of a second) and the ``missing_values`` spellings read as missing: R's ``write.csv``
  writes ``NA``, SAS ``.``, and an empty cell is missing in both (``MISSING_SPELLINGS``).

Parquet and XPT store their own types. Problems reading a file are a ``DataError`` that names the
file and, for text that is not UTF-8, the row holding the first bad byte.
"""

from __future__ import annotations

import gzip
from collections.abc import Collection, Sequence
from pathlib import Path

import pandas as pd

from oncotrial._frames import check_columns
from oncotrial._numbers import MISSING_SPELLINGS
from oncotrial._writing import replace_atomically
from oncotrial.errors import DataError

__all__ = ["MISSING_SPELLINGS", "check_columns", "read_table", "write_table"]


def read_table(
    path: Path,
    *,
    name: str,
    columns: Sequence[str] | None = None,
    optional: Collection[str] = (),
    missing_values: Sequence[str] = (),
) -> pd.DataFrame:
    """Read a table from ``.csv`` (optionally ``.gz``), ``.parquet`` or ``.xpt``; ``name`` is used in errors.

    With ``columns``, only those columns and the ``optional`` ones the file has are read (a missing
    required column is an error naming the file's columns), CSV text in ``missing_values`` is missing
    and CSV columns get the types pyarrow infers (whole numbers as nullable ``Int64``).
    """
    suffixes = [s.lower() for s in path.suffixes]
    kind = "parquet" if suffixes[-1:] == [".parquet"] else "xpt" if suffixes[-1:] == [".xpt"] else None
    if kind is None and ".csv" in suffixes:
        kind = "csv"
    if kind is None:
        raise DataError(
            f"The {name} file {path} is not CSV (.csv, .csv.gz), Parquet (.parquet) or SAS transport (.xpt).",
            code="IO-E003",
            field=name,
        )
    try:
        if kind == "csv" and columns is not None:
            return _read_csv_columns(path, name, columns, optional, missing_values)
        table = _read_whole(path, kind)
    except DataError:
        raise
    except FileNotFoundError:
        raise DataError(f"The {name} file {path} does not exist.", code="IO-E001", field=name) from None
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, name) from exc
    except (EOFError, OSError, ValueError) as exc:
        raise _unreadable(path, name, exc) from exc
    if columns is None:
        return table
    check_columns(table, columns, name=name)
    return table[[*columns, *(c for c in table.columns if c in optional and c not in columns)]]


def _read_whole(path: Path, kind: str) -> pd.DataFrame:
    if kind == "parquet":
        return pd.read_parquet(path)
    if kind == "xpt":
        table = pd.read_sas(path, format="xport", encoding="utf-8")
        return table if isinstance(table, pd.DataFrame) else table.read()
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _read_csv_columns(
    path: Path, name: str, columns: Sequence[str], optional: Collection[str], missing_values: Sequence[str]
) -> pd.DataFrame:
    import pyarrow as pa  # type: ignore[import-untyped]  # imported here: only the analysis commands read so
    import pyarrow.csv as pv  # type: ignore[import-untyped]

    header = pv.open_csv(path).schema.names  # reads the first block only
    check_columns(pd.DataFrame(columns=header), columns, name=name)
    wanted = [*columns, *(c for c in header if c in optional and c not in columns)]
    options = pv.ConvertOptions(
        include_columns=wanted,
        null_values=list(missing_values),
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    table = pv.read_csv(path, parse_options=pv.ParseOptions(newlines_in_values=True), convert_options=options)
    if any(pa.types.is_binary(field.type) for field in table.schema):  # pyarrow keeps text that is not UTF-8 as bytes
        raise _not_utf8(path, name)
    frame: pd.DataFrame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
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
                    row=number,
                )
    return DataError(f"The {name} file {path} is not UTF-8 text: save the file as UTF-8.", code="IO-E007", field=name)


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
