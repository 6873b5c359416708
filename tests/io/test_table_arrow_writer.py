"""Large CSV tables written through pyarrow (``write_table_arrow``): the same bytes as ``write_table``.

The oracle is ``write_table`` (pandas' CSV writer) and the literal line written out below: the fast
writer must give exactly what pandas gives, and leave to it every table where they could differ.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncotrial.errors import DataError
from oncotrial.io.tables import write_table, write_table_arrow


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
