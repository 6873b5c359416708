"""Large CSV tables through pyarrow (``oncotrial.io.arrow_csv``): the same bytes and values as ``oncotrial.io.tables``.

The oracle is :mod:`oncotrial.io.tables` itself (pandas' reader and writer): the fast paths must give
exactly what it gives, and fall back to it wherever they could differ.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncotrial.errors import DataError
from oncotrial.io.arrow_csv import read_table_columns, write_table_arrow
from oncotrial.io.tables import read_table, write_table


def _table() -> pd.DataFrame:
    """Text (plain, categorical with a missing value, Arrow-backed), whole numbers (also nullable), dates with NaT."""
    return pd.DataFrame(
        {
            "USUBJID": pd.Categorical(["S1", "S2", None], categories=["S1", "S2"]),
            "PARAMCD": pd.array(["OS", "PFS", ""], dtype="string[pyarrow]"),
            "AVAL": np.array([182, 7, 1], dtype=np.int64),
            "CNSR": pd.array([1, None, 0], dtype="Int64"),
            "ADT": pd.to_datetime(["2014-07-02", None, "2024-02-29"]).astype("datetime64[s]"),
            "NOTE": pd.array(["Alive at last contact", "", "x y"], dtype="string[pyarrow]"),
        }
    )


def _both(table: pd.DataFrame, tmp_path: Path) -> tuple[bytes, bytes]:
    fast, standard = tmp_path / "fast.csv", tmp_path / "standard.csv"
    write_table_arrow(table, fast)
    write_table(table, standard)
    return fast.read_bytes(), standard.read_bytes()


def test_plain_table_written_byte_for_byte_as_write_table(tmp_path: Path) -> None:
    fast, standard = _both(_table(), tmp_path)
    assert fast == standard
    assert fast.splitlines()[1] == b"S1,OS,182,1,2014-07-02,Alive at last contact"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"NOTE": pd.array(["a, b", "", 'say "x"'], dtype="string[pyarrow]")}, id="values_needing_quotes"),
        pytest.param({"AVAL": [1.5, 2.0, np.nan]}, id="floats"),
        pytest.param({"FLAG": [True, False, True]}, id="booleans"),
        pytest.param({"ADT": pd.to_datetime(["2014-07-02 10:30", None, "2024-02-29 00:00"])}, id="clock_times"),
        pytest.param({"MIXED": [1, "a", None]}, id="object_values"),
    ],
)
def test_anything_else_written_as_write_table(tmp_path: Path, change: dict[str, object]) -> None:
    fast, standard = _both(_table().assign(**change), tmp_path)
    assert fast == standard


def test_single_column_and_parquet_go_through_write_table(tmp_path: Path) -> None:
    single = pd.DataFrame({"A": pd.array(["", "x"], dtype="string[pyarrow]")})
    assert _both(single, tmp_path)[0] == _both(single, tmp_path)[1]
    write_table_arrow(_table(), tmp_path / "t.parquet")
    assert pd.read_parquet(tmp_path / "t.parquet")["AVAL"].tolist() == [182, 7, 1]


def test_write_error_is_write_tables(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="Cannot write"):
        write_table_arrow(_table(), tmp_path / "absent" / "t.csv")


def test_read_only_wanted_columns_as_text(tmp_path: Path) -> None:
    """Quoted commas, empty values and 'NA' stay text, as read_table reads them."""
    path = tmp_path / "t.csv"
    path.write_text('USUBJID,AVALC,ADT,OTHER\nS1,"PR, confirmed",2024-01-02,1\nS2,NA,,2\n')
    got = read_table_columns(path, name="ADRS", wanted={"USUBJID", "AVALC", "ADT"}.__contains__)
    expected = read_table(path, name="ADRS")[["USUBJID", "AVALC", "ADT"]]
    assert got.columns.tolist() == ["USUBJID", "AVALC", "ADT"]
    assert got.astype(object).values.tolist() == expected.astype(object).values.tolist()
    assert got.values.tolist() == [["S1", "PR, confirmed", "2024-01-02"], ["S2", "NA", ""]]


def test_read_keeps_the_rows_asked_for_with_read_tables_types(tmp_path: Path) -> None:
    """keep_rows=("PARAMCD", {"OVR", "PD"}): the BOR row is left out; the columns have read_table's text dtype."""
    path = tmp_path / "adrs.csv"
    path.write_text("USUBJID,PARAMCD,AVALC\nS1,OVR,SD\nS1,BOR,SD\nS1,PD,N\n")
    got = read_table_columns(path, name="ADRS", wanted=lambda c: True, keep_rows=("PARAMCD", {"OVR", "PD"}))
    assert got.values.tolist() == [["S1", "OVR", "SD"], ["S1", "PD", "N"]]
    assert got.index.tolist() == [0, 1]
    assert got.dtypes.tolist() == read_table(path, name="ADRS").dtypes.tolist()


def test_read_falls_back_to_read_table_and_still_keeps_the_rows(tmp_path: Path) -> None:
    """A quoted line break stops pyarrow's parser (newlines_in_values is off): pandas reads it, rows kept alike."""
    path = tmp_path / "adrs.csv"
    path.write_text('USUBJID,PARAMCD,NOTE\nS1,OVR,"two\nlines"\nS1,BOR,x\n')
    got = read_table_columns(path, name="ADRS", wanted=lambda c: True, keep_rows=("PARAMCD", ["OVR"]))
    assert got.values.tolist() == [["S1", "OVR", "two\nlines"]]


def test_read_errors_are_read_tables(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        read_table_columns(tmp_path / "absent.csv", name="ADSL", wanted=lambda c: True)
