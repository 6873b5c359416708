"""Reading and writing CDISC-shaped tables (``oncotrial.io.tables``).

Expected values are the literals written into the files by each test. The SAS transport (XPT v5)
file is written byte by byte from SAS's published record layout ("The record layout of a data set
in SAS transport (XPORT) format", SAS technical paper TS-140): 80-byte header records, one
140-byte namestr per variable, then the observations, numbers as IBM hexadecimal floats.
"""

from __future__ import annotations

import gzip
import re
import struct
from pathlib import Path

import pandas as pd
import pytest

from oncotrial.errors import DataError
from oncotrial.io.tables import MISSING_SPELLINGS, check_columns, read_table, write_table

RS_TEXT = "USUBJID,RSSTRESC,RSDTC,RSSEQ,REGION1\n01-701-1015,SD,2014-01-23,3,NA\n01-701-1015,NE,2014-02,6,\n"


def _header(text: str) -> bytes:
    return f"HEADER RECORD*******{text:<8}HEADER RECORD!!!!!!!".encode("ascii")


def _ibm_float(value: int) -> bytes:
    """A positive whole number as an 8-byte IBM hexadecimal float: 16**k * 0.(hex digits of value)."""
    digits = len(f"{value:x}")
    return bytes([64 + digits]) + (value << (56 - 4 * digits)).to_bytes(7, "big")


def _write_xpt(path: Path, columns: list[tuple[str, int]], rows: list[list[str | int]]) -> None:
    """An XPT v5 file with one member; ``columns`` are (name, length), length 8 for numbers (given as ints)."""
    stamp = b"01JAN24:00:00:00"

    def record(data: bytes) -> bytes:
        return data.ljust(80 * max(1, -(-len(data) // 80)), b" ")

    out = record(_header("LIBRARY") + b"0" * 30 + b"  ")
    out += record(b"SAS     SAS     SASLIB  9.4     X64_10PR" + b" " * 24 + stamp)
    out += record(stamp)
    out += record(_header("MEMBER") + b"0" * 17 + b"16" + b"0" * 8 + b"140  ")
    out += record(_header("DSCRPTR") + b"0" * 30 + b"  ")
    out += record(b"SAS     RS      SASDATA 9.4     X64_10PR" + b" " * 24 + stamp)
    out += record(stamp + b" " * 64)
    out += record(_header("NAMESTR") + f"000000{len(columns):04d}".encode() + b"0" * 20 + b"  ")
    namestrs, position = b"", 0
    numeric = [isinstance(rows[0][i], int) for i in range(len(columns))]
    for number, ((name, length), is_number) in enumerate(zip(columns, numeric, strict=True), start=1):
        namestrs += struct.pack(
            ">hhhh8s40s8shhh2s8shhl52s",
            1 if is_number else 2, 0, length, number, name.encode().ljust(8), b" " * 40, b" " * 8, 0, 0, 0, b"  ",
            b" " * 8, 0, 0, position, b"\0" * 52,
        )  # fmt: skip
        position += length
    out += record(namestrs)
    out += record(_header("OBS") + b"0" * 30 + b"  ")
    data = b""
    for row in rows:
        for value, (_, length) in zip(row, columns, strict=True):
            data += _ibm_float(value) if isinstance(value, int) else value.encode().ljust(length, b" ")
    out += record(data)
    path.write_bytes(out)


# --- read_table -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [pytest.param("rs.csv", id="csv"), pytest.param("RS.CSV", id="upper_case_suffix")])
def test_read_csv_keeps_everything_as_text(tmp_path: Path, name: str) -> None:
    """Every column is text; "NA" stays the text NA (a CDISC value), an empty cell is ""."""
    path = tmp_path / name
    path.write_text(RS_TEXT)
    table = read_table(path, name="RS")
    assert table.to_dict("list") == {
        "USUBJID": ["01-701-1015", "01-701-1015"],
        "RSSTRESC": ["SD", "NE"],
        "RSDTC": ["2014-01-23", "2014-02"],
        "RSSEQ": ["3", "6"],
        "REGION1": ["NA", ""],
    }


def test_read_gzipped_csv(tmp_path: Path) -> None:
    path = tmp_path / "rs.csv.gz"
    path.write_bytes(gzip.compress(RS_TEXT.encode()))
    table = read_table(path, name="RS")
    assert table["RSDTC"].tolist() == ["2014-01-23", "2014-02"]
    assert table["RSSEQ"].tolist() == ["3", "6"]


def test_read_parquet_keeps_stored_types(tmp_path: Path) -> None:
    path = tmp_path / "rs.parquet"
    pd.DataFrame({"USUBJID": ["S1", "S2"], "RSSEQ": [3, 6]}).to_parquet(path, index=False)
    table = read_table(path, name="RS")
    assert table["USUBJID"].tolist() == ["S1", "S2"]
    assert table["RSSEQ"].tolist() == [3, 6]


def test_read_xpt(tmp_path: Path) -> None:
    """Character variables decoded as UTF-8 text, numbers as floats (XPT stores only doubles)."""
    path = tmp_path / "rs.xpt"
    _write_xpt(
        path,
        [("USUBJID", 11), ("RSSTRESC", 8), ("RSDTC", 10), ("RSSEQ", 8)],
        [["01-701-1015", "SD", "2014-01-23", 3], ["01-701-1015", "NE", "2014-02", 16]],
    )
    table = read_table(path, name="RS")
    assert table.columns.tolist() == ["USUBJID", "RSSTRESC", "RSDTC", "RSSEQ"]
    assert table["USUBJID"].tolist() == ["01-701-1015", "01-701-1015"]
    assert table["RSSTRESC"].tolist() == ["SD", "NE"]
    assert table["RSDTC"].tolist() == ["2014-01-23", "2014-02"]
    assert table["RSSEQ"].tolist() == [3.0, 16.0]


def test_missing_file_named(tmp_path: Path) -> None:
    path = tmp_path / "absent.csv"
    with pytest.raises(DataError, match=r"The RS file .*absent\.csv does not exist\.") as info:
        read_table(path, name="RS")
    assert info.value.code == "IO-E001"


@pytest.mark.parametrize(
    "name", [pytest.param("rs.txt", id="txt"), pytest.param("rs.xlsx", id="xlsx"), pytest.param("rs", id="none")]
)
def test_unsupported_format(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(RS_TEXT)
    with pytest.raises(DataError, match=r"The RS file .* is not CSV \(\.csv, \.csv\.gz\), Parquet") as info:
        read_table(path, name="RS")
    assert info.value.code == "IO-E003"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("rs.parquet", b"not a parquet file", id="corrupt_parquet"),
        pytest.param("rs.xpt", b"not a transport file".ljust(80), id="corrupt_xpt"),
        pytest.param("rs.csv.gz", b"not gzip", id="corrupt_gzip"),
        pytest.param("rs.csv", b"", id="empty_csv"),
    ],
)
def test_unreadable_file(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError, match=rf"The ADSL file .*{re.escape(name)} cannot be read") as info:
        read_table(path, name="ADSL")
    assert info.value.code == "IO-E002"


def test_directory_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "folder.csv"
    path.mkdir()
    with pytest.raises(DataError, match=r"The RS file .*folder\.csv cannot be read"):
        read_table(path, name="RS")


# --- read_table with columns (analysis data) ---------------------------------------------------

LUNG_LIKE = 'inst,time,status,ph.ecog,site\n3,306,2,1,A\nNA,455,2,.,B\n3,1010,1,,NA\n5,210,2,2,"C"\n'


def test_read_columns_reads_na_dot_and_empty_as_missing(tmp_path: Path) -> None:
    """NA (R's write.csv), '.' (SAS) and an empty cell are missing; numbers are numbers (whole ones as Int64)."""
    path = tmp_path / "lung.csv"
    path.write_text(LUNG_LIKE)
    table = read_table(path, name="data", columns=["time", "ph.ecog", "inst", "site"], missing_values=MISSING_SPELLINGS)
    assert table.columns.tolist() == ["time", "ph.ecog", "inst", "site"]
    assert table["time"].tolist() == [306, 455, 1010, 210]
    assert table["ph.ecog"].isna().tolist() == [False, True, True, False]
    assert table["inst"].isna().tolist() == [False, True, False, False]
    assert table["site"].isna().tolist() == [False, False, True, False]
    assert str(table["ph.ecog"].dtype) == "Int64"


def test_read_columns_adds_optional_columns_the_file_has(tmp_path: Path) -> None:
    """status is in the file and added; PARAMCD is not, and is no error."""
    path = tmp_path / "lung.csv"
    path.write_text(LUNG_LIKE)
    table = read_table(path, name="data", columns=["time"], optional=("status", "PARAMCD"))
    assert table.columns.tolist() == ["time", "status"]


def test_read_columns_of_an_excel_utf8_file_with_a_byte_order_mark(tmp_path: Path) -> None:
    """Excel's 'CSV UTF-8' starts with a byte-order mark: the first column is still found by its name."""
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbftime,site\n10,Gen\xc3\xa8ve\n")
    table = read_table(path, name="data", columns=["time", "site"])
    assert table.to_dict("list") == {"time": [10], "site": ["Genève"]}


@pytest.mark.parametrize("name", ["lung.csv", "lung.parquet"])
def test_read_columns_lacking_a_column_lists_the_files_columns(tmp_path: Path, name: str) -> None:
    """age is not in the file: the message lists every column the file has, not only those asked for."""
    path = tmp_path / name
    if name.endswith(".csv"):
        path.write_text(LUNG_LIKE)
    else:
        pd.DataFrame({"inst": [3], "time": [306], "status": [2], "ph.ecog": [1], "site": ["A"]}).to_parquet(path)
    with pytest.raises(
        DataError, match=r"lacks the column\(s\) age; it has inst, time, status, ph.ecog, site\."
    ) as info:
        read_table(path, name="data", columns=["time", "age"])
    assert info.value.code == "IO-E004"


def test_read_columns_chosen_by_a_predicate_as_text(tmp_path: Path) -> None:
    """The columns the predicate accepts, in the file's order; a quoted comma, "NA" and "" stay text."""
    path = tmp_path / "adrs.csv"
    path.write_text('ADT,USUBJID,AVALC,OTHER\n2024-01-02,S1,"PR, confirmed",1\n,S2,NA,2\n')
    table = read_table(path, name="ADRS", columns={"USUBJID", "AVALC", "ADT"}.__contains__, text=True)
    assert table.to_dict("list") == {
        "ADT": ["2024-01-02", ""],
        "USUBJID": ["S1", "S2"],
        "AVALC": ["PR, confirmed", "NA"],
    }


@pytest.mark.parametrize("name", ["adrs.csv", "adrs.parquet"])
def test_read_keeps_only_the_rows_asked_for(tmp_path: Path, name: str) -> None:
    """keep_rows=("PARAMCD", {"OVR", "PD"}): the BOR row is left out; the index is 0, 1; CSV stays text."""
    path = tmp_path / name
    rows = {"USUBJID": ["S1", "S1", "S1"], "PARAMCD": ["OVR", "BOR", "PD"], "AVALC": ["SD", "SD", "N"]}
    if name.endswith(".csv"):
        path.write_text("USUBJID,PARAMCD,AVALC\nS1,OVR,SD\nS1,BOR,SD\nS1,PD,N\n")
    else:
        pd.DataFrame(rows).to_parquet(path, index=False)
    table = read_table(path, name="ADRS", keep_rows=("PARAMCD", {"OVR", "PD"}))
    assert table.to_dict("list") == {"USUBJID": ["S1", "S1"], "PARAMCD": ["OVR", "PD"], "AVALC": ["SD", "N"]}
    assert table.index.tolist() == [0, 1]


def test_read_keeps_rows_by_a_column_it_does_not_return(tmp_path: Path) -> None:
    """The filter column is read even when the columns asked for leave it out; types inferred (AVAL Int64)."""
    path = tmp_path / "adtte.csv"
    path.write_text("PARAMCD,AVAL,CNSR\nOS,182,0\nPFS,7,NA\nOS,30,1\n")
    table = read_table(
        path, name="ADTTE", columns=["AVAL", "CNSR"], keep_rows=("PARAMCD", ["OS"]), missing_values=MISSING_SPELLINGS
    )
    assert table.to_dict("list") == {"AVAL": [182, 30], "CNSR": [0, 1], "PARAMCD": ["OS", "OS"]}
    assert str(table["AVAL"].dtype) == "Int64"


@pytest.mark.parametrize("columns", [None, ["USUBJID"]], ids=["whole_table", "columns"])
def test_read_without_the_filter_column_names_it(tmp_path: Path, columns: list[str] | None) -> None:
    path = tmp_path / "adrs.csv"
    path.write_text("USUBJID,AVALC\nS1,SD\n")
    with pytest.raises(
        DataError, match=r"The ADRS table lacks the column\(s\) PARAMCD; it has USUBJID, AVALC\."
    ) as info:
        read_table(path, name="ADRS", columns=columns, keep_rows=("PARAMCD", ["OVR"]))
    assert info.value.code == "IO-E004"


@pytest.mark.parametrize("text", [True, False])
def test_read_quoted_line_break(tmp_path: Path, text: bool) -> None:
    """A quoted value may span lines (pandas and R write them so): one value, in both modes."""
    path = tmp_path / "adrs.csv"
    path.write_text('USUBJID,PARAMCD,NOTE\nS1,OVR,"two\nlines"\nS1,BOR,x\n')
    table = read_table(path, name="ADRS", columns=["NOTE"], text=text, keep_rows=("PARAMCD", ["OVR"]))
    assert table["NOTE"].tolist() == ["two\nlines"]


@pytest.mark.parametrize(
    ("text", "message", "code"),
    [
        pytest.param(
            "USUBJID,RSSTRESC,RSDTC\nS1,SD,2014-01-23\nS2,NE\n",
            r"rs\.csv cannot be read: .*Expected 3 columns, got 2: S2,NE",
            "IO-E002",
            id="row_with_too_few_values",
        ),
        pytest.param(
            "USUBJID,RSSTRESC,USUBJID\nS1,SD,S1\n",
            r"rs\.csv has the column\(s\) USUBJID more than once: give each column one name",
            "IO-E008",
            id="column_named_twice",
        ),
    ],
)
def test_read_malformed_csv_is_an_error(tmp_path: Path, text: str, message: str, code: str) -> None:
    """A short row is named by its text (never padded with guesses); a repeated name is named."""
    path = tmp_path / "rs.csv"
    path.write_text(text)
    with pytest.raises(DataError, match=message) as info:
        read_table(path, name="RS")
    assert info.value.code == code


@pytest.mark.parametrize("columns", [None, ["USUBJID"]], ids=["whole_table", "columns"])
def test_truncated_gzip_says_the_file_is_cut_short(tmp_path: Path, columns: list[str] | None) -> None:
    """An interrupted copy: the gzip stream ends early (pandas raised EOFError, which the command line
    printed as a bare 'Aborted.')."""
    text = RS_TEXT + "".join(f"01-701-{i},SD,2014-01-23,{i},\n" for i in range(20000))
    whole = gzip.compress(text.encode())
    path = tmp_path / "rs.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataError, match=r"rs\.csv\.gz is cut short .*copy or export the file again") as info:
        read_table(path, name="RS", columns=columns)
    assert info.value.code == "IO-E006"


@pytest.mark.parametrize("columns", [None, ["USUBJID", "RSSTRESC"]], ids=["whole_table", "columns"])
@pytest.mark.parametrize("name", ["rs.csv", "rs.csv.gz"])
def test_latin1_text_names_the_row_and_asks_for_utf8(tmp_path: Path, columns: list[str] | None, name: str) -> None:
    """Row 2 holds 'Nécrose' in Latin-1 (é = byte 0xe9): the row and the fix, not Python's codec error."""
    data = "USUBJID,RSSTRESC\nS1,SD\nS2,Nécrose\n".encode("latin-1")
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    message = r"not UTF-8 text: row 2 holds the byte 0xe9 \('é' in Latin-1\)\. Save the file as UTF-8"
    with pytest.raises(DataError, match=message) as info:
        read_table(path, name="RS", columns=columns)
    assert info.value.code == "IO-E007"


# --- write_table ------------------------------------------------------------------------------


def _adrs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": ["S1", "S1"],
            "PARAMCD": ["BOR", "CRSP"],
            "AVALC": ["PR", "N"],
            "AVAL": pd.array([2, 0], dtype="Int64"),
            "ADT": pd.Series([pd.Timestamp("2024-02-29"), pd.NaT], dtype="datetime64[s]"),
            "RSSEQ": pd.array([6, None], dtype="Int64"),
        }
    )


def test_write_csv_dates_as_iso_and_empty_for_missing(tmp_path: Path) -> None:
    path = tmp_path / "adrs.csv"
    write_table(_adrs(), path)
    assert path.read_text().splitlines() == [
        "USUBJID,PARAMCD,AVALC,AVAL,ADT,RSSEQ",
        "S1,BOR,PR,2,2024-02-29,6",
        "S1,CRSP,N,0,,",
    ]


def test_write_then_read_csv(tmp_path: Path) -> None:
    path = tmp_path / "adrs.csv"
    write_table(_adrs(), path)
    assert read_table(path, name="ADRS").to_dict("list") == {
        "USUBJID": ["S1", "S1"],
        "PARAMCD": ["BOR", "CRSP"],
        "AVALC": ["PR", "N"],
        "AVAL": ["2", "0"],
        "ADT": ["2024-02-29", ""],
        "RSSEQ": ["6", ""],
    }


def test_write_then_read_parquet(tmp_path: Path) -> None:
    """Parquet keeps the numbers; dates are written as YYYY-MM-DD text, as in CSV."""
    path = tmp_path / "adrs.parquet"
    write_table(_adrs(), path)
    table = read_table(path, name="ADRS")
    assert table["AVALC"].tolist() == ["PR", "N"]
    assert table["AVAL"].tolist() == [2, 0]
    assert table["ADT"].tolist()[0] == "2024-02-29"
    assert pd.isna(table["ADT"].tolist()[1])
    assert table["RSSEQ"].tolist()[0] == 6
    assert pd.isna(table["RSSEQ"].tolist()[1])


def test_write_does_not_modify_the_table(tmp_path: Path) -> None:
    table = _adrs()
    write_table(table, tmp_path / "adrs.csv")
    pd.testing.assert_frame_equal(table, _adrs())


def test_write_to_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "adrs.csv"
    with pytest.raises(DataError, match=r"Cannot write .*adrs\.csv") as info:
        write_table(_adrs(), path)
    assert info.value.code == "IO-E005"


# --- check_columns ----------------------------------------------------------------------------


def test_check_columns_passes() -> None:
    check_columns(pd.DataFrame(columns=["USUBJID", "RANDDT", "TRTSDT"]), ["USUBJID", "RANDDT"], name="ADSL")


def test_check_columns_names_every_missing_column_and_the_table() -> None:
    table = pd.DataFrame(columns=["USUBJID", "RSDTC"])
    message = r"The RS table lacks the column\(s\) RSTESTCD, RSSEQ; it has USUBJID, RSDTC\."
    with pytest.raises(DataError, match=message) as info:
        check_columns(table, ["USUBJID", "RSTESTCD", "RSDTC", "RSSEQ"], name="RS")
    assert info.value.code == "IO-E004"
    assert info.value.fields == {"field": "RSTESTCD"}
