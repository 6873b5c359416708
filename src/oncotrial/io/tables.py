"""Reading and writing CDISC-shaped tables (SDTM TU/TR/RS, ADSL; ADRS) as CSV, Parquet or SAS XPT.

Every column is read as text (CDISC character variables, ISO 8601 dates) except where a format
stores numbers (Parquet, XPT); the core converts the columns it uses and says which record is
wrong when one cannot be converted.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from oncotrial._writing import replace_atomically
from oncotrial.errors import DataError

__all__ = ["check_columns", "read_table", "write_table"]


def read_table(path: Path, *, name: str) -> pd.DataFrame:
    """Read a table from ``.csv`` (optionally ``.gz``), ``.parquet`` or ``.xpt``; ``name`` is used in errors."""
    suffixes = [s.lower() for s in path.suffixes]
    try:
        if suffixes[-1:] == [".parquet"]:
            return pd.read_parquet(path)
        if suffixes[-1:] == [".xpt"]:
            table = pd.read_sas(path, format="xport", encoding="utf-8")
            return table if isinstance(table, pd.DataFrame) else table.read()
        if ".csv" in suffixes:
            return pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise DataError(f"The {name} file {path} does not exist.", code="IO-E001", field=name) from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"The {name} file {path} cannot be read: {exc}", code="IO-E002", field=name) from exc
    raise DataError(
        f"The {name} file {path} is not CSV (.csv, .csv.gz), Parquet (.parquet) or SAS transport (.xpt).",
        code="IO-E003",
        field=name,
    )


def check_columns(table: pd.DataFrame, required: Iterable[str], *, name: str) -> None:
    """Raise a DataError naming the table and every required column it lacks."""
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise DataError(
            f"The {name} table lacks the column(s) {', '.join(missing)}; it has {', '.join(map(str, table.columns))}.",
            code="IO-E004",
            field=missing[0],
        )


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
