"""``oncotrial recist --from-overall`` (``oncotrial.cli.recist``), run in-process through ``main(argv)``.

Reference: shared/reference/pharmaverse/admiralonco/adrs_from_rs_onco_recist.csv, the ADRS of the
admiralonco 1.0.0 ADRS template on pharmaversesdtm ``rs_onco_recist`` and pharmaverseadam ``adsl``
(shared/reference/README.md, section pharmaverse/). Hand-built files use RANDDT 2024-01-01:
2024-01-22 is day 21, 2024-02-12 day 42, 2024-02-18 day 48, 2024-03-04 day 63.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.helpers import assert_clean_error, run_cli
from tests.conftest import shared_path

SUBJECT_PARAMS = ("BOR", "CBOR", "RSP", "CRSP", "CB", "CCB", "PD")
RS_HEADER = "STUDYID,USUBJID,VISIT,RSTESTCD,RSEVAL,RSSTRESC,RSDTC,RSSEQ"
# A second subject, with a PD, in every hand-built RS (data without any PD:
# test_no_pd_in_any_subject_exits_cleanly).
COMPANION = "ST,Z-PD,WEEK 3,OVRLRESP,INVESTIGATOR,PD,2024-01-22,1"


def _read_output(path: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    """The written ADRS as text, keyed by (USUBJID, PARAMCD, RSSEQ for OVR records else "")."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows: dict[tuple[str, str, str], dict[str, str]] = {}
    for row in table.to_dict("records"):
        key = (row["USUBJID"], row["PARAMCD"], row["RSSEQ"] if row["PARAMCD"] == "OVR" else "")
        assert key not in rows, f"duplicate output row {key}"
        rows[key] = {str(k): str(v) for k, v in row.items()}
    return rows


def _files(
    tmp_path: Path, *rs_lines: str, adsl: str = "STUDYID,USUBJID,RANDDT\nST,S1,2024-01-01\nST,Z-PD,2024-01-01\n"
) -> list[str]:
    rs = tmp_path / "rs.csv"
    rs.write_text("\n".join([RS_HEADER, COMPANION, *rs_lines]) + "\n")
    adsl_path = tmp_path / "adsl.csv"
    adsl_path.write_text(adsl)
    return ["recist", "--rs", str(rs), "--adsl", str(adsl_path), "--from-overall"]


# --- the admiralonco reference ----------------------------------------------------------------


@pytest.fixture(scope="module")
def reference_args() -> list[str]:
    base = ("reference", "pharmaverse")
    rs = shared_path(*base, "sdtm", "rs_onco_recist.csv")
    adsl = shared_path(*base, "adam", "adsl.csv")
    return ["recist", "--rs", str(rs), "--adsl", str(adsl), "--from-overall"]


def test_from_overall_reproduces_admiralonco(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, reference_args: list[str]
) -> None:
    """shared/reference/pharmaverse/admiralonco/adrs_from_rs_onco_recist.csv.

    R: admiralonco 1.0.0 ADRS template (``derive_extreme_event()`` with admiralonco's pre-defined
    ``bor_*``, ``cbor_*``, ``rsp_y``, ``crsp_y_*``, ``cb_y``, ``no_data_*`` events) on
    ``pharmaversesdtm::rs_onco_recist`` and ``pharmaverseadam::adsl``. Every subject and
    parameter: AVALC, AVAL, ADT; the OVR records' ANL01FL and ANL02FL.
    """
    out = tmp_path / "adrs.csv"
    code, _, err = run_cli(capsys, *reference_args, "--out", str(out))
    assert code == 0, err
    assert "Traceback" not in err
    found = _read_output(out)
    expected = _read_reference()
    mismatches: list[str] = []
    for key, ref in expected.items():
        row = found.get(key)
        if row is None:
            mismatches.append(f"{key}: missing from the output")
            continue
        columns = ["AVALC", "AVAL", "ADT"] + (["ANL01FL", "ANL02FL"] if key[1] == "OVR" else [])
        mismatches += [f"{key} {c}: expected {ref[c]!r}, got {row[c]!r}" for c in columns if row[c] != ref[c]]
    mismatches += [f"{key}: not in the reference" for key in sorted(set(found) - set(expected))]
    assert mismatches == []
    # BOR counted by hand from adrs_subject_summary_rs_onco_recist.csv: CR for 01-701-1015, -1115,
    # -1133; PD -1028; NON-CR/NON-PD -1034; NE -1097; PR -1118; SD -1130; the other 298 of the 306
    # ADSL subjects have no RS records: MISSING.
    assert "306 subjects; best overall response: CR 3, MISSING 298, NE 1, NON-CR/NON-PD 1, PD 1, PR 1, SD 1" in err
    assert "Warning: 1 partial date(s)" in err
    assert "01-701-1015 WEEK 6 (2014-02)" in err
    assert str(out) in err


def _read_reference() -> dict[tuple[str, str, str], dict[str, str]]:
    path = shared_path("reference", "pharmaverse", "admiralonco", "adrs_from_rs_onco_recist.csv")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {(r["USUBJID"], r["PARAMCD"], r["RSSEQ"] if r["PARAMCD"] == "OVR" else ""): r for r in rows}


def test_from_overall_writes_parquet(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, reference_args: list[str]
) -> None:
    """Same run to Parquet: 306 subjects x 7 parameters + 22 OVR records (counted in the reference file);
    01-701-1118 (adrs_subject_summary_rs_onco_recist.csv): BOR PR and CRSP Y on 2014-04-23."""
    out = tmp_path / "adrs.parquet"
    code, _, err = run_cli(capsys, *reference_args, "--out", str(out))
    assert code == 0, err
    table = pd.read_parquet(out)
    assert len(table) == 306 * 7 + 22
    rows = table.loc[table["USUBJID"] == "01-701-1118"].set_index("PARAMCD")
    assert (rows.at["BOR", "AVALC"], rows.at["BOR", "ADT"]) == ("PR", "2014-04-23")
    assert (rows.at["CRSP", "AVALC"], rows.at["CRSP", "ADT"]) == ("Y", "2014-04-23")


# --- hand-built files -------------------------------------------------------------------------


def test_hand_builtrun_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """SD day 21, PR day 42, PD day 63: BOR PR day 42, CBOR SD day 42 (PR unconfirmed), PD Y day 63."""
    args = _files(
        tmp_path,
        "ST,S1,WEEK 3,OVRLRESP,INVESTIGATOR,SD,2024-01-22,1",
        "ST,S1,WEEK 6,OVRLRESP,INVESTIGATOR,PR,2024-02-12,2",
        "ST,S1,WEEK 9,OVRLRESP,INVESTIGATOR,PD,2024-03-04,3",
    )
    out = tmp_path / "adrs.csv"
    code, _, err = run_cli(capsys, *args, "--out", str(out))
    assert code == 0, err
    assert "Warning" not in err
    assert "2 subjects; best overall response: PD 1, PR 1" in err
    rows = _read_output(out)
    assert {p: (rows["S1", p, ""]["AVALC"], rows["S1", p, ""]["ADT"]) for p in SUBJECT_PARAMS} == {
        "BOR": ("PR", "2024-02-12"),
        "CBOR": ("SD", "2024-02-12"),
        "RSP": ("Y", "2024-02-12"),
        "CRSP": ("N", ""),
        "CB": ("Y", "2024-02-12"),
        "CCB": ("Y", "2024-02-12"),
        "PD": ("Y", "2024-03-04"),
    }
    assert [rows["S1", "OVR", s]["AVAL"] for s in ("1", "2", "3")] == ["3", "2", "5"]


def test_warnings_printed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = _files(
        tmp_path,
        "ST,S1,WEEK 3,OVRLRESP,INVESTIGATOR,CHECK,2024-01-22,1",
        "ST,S1,WEEK 6,OVRLRESP,INVESTIGATOR,SD,2024-02,2",
        "ST,S1,WEEK 9,OVRLRESP,INVESTIGATOR,SD,2024,3",
    )
    code, _, err = run_cli(capsys, *args, "--out", str(tmp_path / "adrs.csv"))
    assert code == 0, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("Warning: ")]
    assert len(lines) == 3
    assert any("not RECIST 1.1 categories" in line and "S1 WEEK 3 (2024-01-22)" in line for line in lines)
    assert any("partial date" in line and "S1 WEEK 6 (2024-02)" in line for line in lines)
    assert any("no usable date" in line and "S1 WEEK 9 (2024)" in line for line in lines)


def test_rule_options(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--confirmation-days 27 --sd-min-days 43 --max-ne 2, worked out by hand:

    S1: PR day 21, PR day 48 (27 days apart): confirmed -> CRSP Y day 21 (N with the default 28).
    S2: SD day 42: one day short of 43 -> BOR NE day 42 (SD with the default 42).
    S3: PR day 21, NE day 35, NE day 42, PR day 56: two NE allowed -> CRSP Y day 21 (N with max 1 NE).
    """
    args = _files(
        tmp_path,
        "ST,S1,WEEK 3,OVRLRESP,INVESTIGATOR,PR,2024-01-22,1",
        "ST,S1,WEEK 7,OVRLRESP,INVESTIGATOR,PR,2024-02-18,2",
        "ST,S2,WEEK 6,OVRLRESP,INVESTIGATOR,SD,2024-02-12,1",
        "ST,S3,WEEK 3,OVRLRESP,INVESTIGATOR,PR,2024-01-22,1",
        "ST,S3,WEEK 5,OVRLRESP,INVESTIGATOR,NE,2024-02-05,2",
        "ST,S3,WEEK 6,OVRLRESP,INVESTIGATOR,NE,2024-02-12,3",
        "ST,S3,WEEK 8,OVRLRESP,INVESTIGATOR,PR,2024-02-26,4",
        adsl="USUBJID,RANDDT\nS1,2024-01-01\nS2,2024-01-01\nS3,2024-01-01\nZ-PD,2024-01-01\n",
    )
    out = tmp_path / "adrs.csv"
    options = ["--confirmation-days", "27", "--sd-min-days", "43", "--max-ne", "2"]
    code, _, err = run_cli(capsys, *args, *options, "--out", str(out))
    assert code == 0, err
    rows = _read_output(out)
    assert (rows["S1", "CRSP", ""]["AVALC"], rows["S1", "CRSP", ""]["ADT"]) == ("Y", "2024-01-22")
    assert (rows["S2", "BOR", ""]["AVALC"], rows["S2", "BOR", ""]["ADT"]) == ("NE", "2024-02-12")
    assert (rows["S3", "CRSP", ""]["AVALC"], rows["S3", "CRSP", ""]["ADT"]) == ("Y", "2024-01-22")


def test_end_date_and_evaluator_options(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Investigator: SD day 42, PD day 63; NACTDT 2024-03-04 leaves the PD out -> BOR SD, PD N.
    The independent assessor's PR (day 42) is used only with --evaluator."""
    adsl = "STUDYID,USUBJID,RANDDT,NACTDT\nST,S1,2024-01-01,2024-03-04\nST,Z-PD,2024-01-01,\n"
    args = _files(
        tmp_path,
        "ST,S1,WEEK 6,OVRLRESP,INVESTIGATOR,SD,2024-02-12,1",
        "ST,S1,WEEK 9,OVRLRESP,INVESTIGATOR,PD,2024-03-04,2",
        "ST,S1,WEEK 6,OVRLRESP,INDEPENDENT ASSESSOR,PR,2024-02-12,3",
        "ST,Z-PD,WEEK 3,OVRLRESP,INDEPENDENT ASSESSOR,PD,2024-01-22,2",
        adsl=adsl,
    )
    out = tmp_path / "adrs.csv"
    code, _, err = run_cli(capsys, *args, "--end-date", "NACTDT", "--out", str(out))
    assert code == 0, err
    rows = _read_output(out)
    assert (rows["S1", "BOR", ""]["AVALC"], rows["S1", "PD", ""]["AVALC"]) == ("SD", "N")
    assert rows["S1", "OVR", "2"]["ANL01FL"] == ""
    code, _, err = run_cli(capsys, *args, "--evaluator", "INDEPENDENT ASSESSOR", "--out", str(out))
    assert code == 0, err
    assert _read_output(out)["S1", "BOR", ""]["AVALC"] == "PR"


def test_reference_date_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """SD on 2024-02-12 is 41 days after TRTSDT 2024-01-02 -> NE."""
    adsl = "STUDYID,USUBJID,RANDDT,TRTSDT\nST,S1,2024-01-01,2024-01-02\nST,Z-PD,2024-01-01,2024-01-01\n"
    args = _files(tmp_path, "ST,S1,WEEK 6,OVRLRESP,INVESTIGATOR,SD,2024-02-12,1", adsl=adsl)
    out = tmp_path / "adrs.csv"
    code, _, err = run_cli(capsys, *args, "--reference-date", "TRTSDT", "--out", str(out))
    assert code == 0, err
    row = _read_output(out)["S1", "BOR", ""]
    assert (row["AVALC"], row["ADT"]) == ("NE", "2024-02-12")


def test_parquet_input_with_numeric_rsseq(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rs = pd.DataFrame(
        {
            "USUBJID": ["Z-PD", "S1"],
            "VISIT": ["WEEK 3", "WEEK 6"],
            "RSTESTCD": ["OVRLRESP", "OVRLRESP"],
            "RSEVAL": ["INVESTIGATOR", "INVESTIGATOR"],
            "RSSTRESC": ["PD", "SD"],
            "RSDTC": ["2024-01-22", "2024-02-12"],
            "RSSEQ": [1, 7],
        }
    )
    rs.to_parquet(tmp_path / "rs.parquet", index=False)
    pd.DataFrame({"USUBJID": ["S1", "Z-PD"], "RANDDT": ["2024-01-01", "2024-01-01"]}).to_parquet(
        tmp_path / "adsl.parquet", index=False
    )
    out = tmp_path / "adrs.csv"
    args = ["recist", "--rs", str(tmp_path / "rs.parquet"), "--adsl", str(tmp_path / "adsl.parquet")]
    code, _, err = run_cli(capsys, *args, "--from-overall", "--out", str(out))
    assert code == 0, err
    rows = _read_output(out)
    assert (rows["S1", "BOR", ""]["AVALC"], rows["S1", "BOR", ""]["RSSEQ"]) == ("SD", "7")


# --- bad input: exit 1, a message, no traceback -----------------------------------------------


def test_without_from_overall(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = [a for a in _files(tmp_path) if a != "--from-overall"]
    code, _, err = run_cli(capsys, *args, "--out", str(tmp_path / "adrs.csv"))
    assert_clean_error(code, err)
    assert "--from-overall" in err
    assert not (tmp_path / "adrs.csv").exists()


def test_missing_adsl_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = _files(tmp_path)
    code, _, err = run_cli(capsys, "recist", "--rs", args[2], "--from-overall", "--out", str(tmp_path / "adrs.csv"))
    assert_clean_error(code, err)
    assert "--adsl" in err


@pytest.mark.parametrize("which", [pytest.param("--rs", id="rs"), pytest.param("--adsl", id="adsl")])
def test_nonexistent_file_named(capsys: pytest.CaptureFixture[str], tmp_path: Path, which: str) -> None:
    args = _files(tmp_path)
    absent = tmp_path / "absent.csv"
    args[args.index(which) + 1] = str(absent)
    code, _, err = run_cli(capsys, *args, "--out", str(tmp_path / "adrs.csv"))
    assert_clean_error(code, err)
    assert str(absent) in err
    assert "does not exist" in err


def test_missing_rs_column(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rs = tmp_path / "rs.csv"
    rs.write_text("USUBJID,RSTESTCD,RSEVAL,RSSTRESC,RSDTC\nS1,OVRLRESP,INVESTIGATOR,SD,2024-02-12\n")
    adsl = tmp_path / "adsl.csv"
    adsl.write_text("USUBJID,RANDDT\nS1,2024-01-01\n")
    args = ["recist", "--rs", str(rs), "--adsl", str(adsl), "--from-overall", "--out", str(tmp_path / "o.csv")]
    code, _, err = run_cli(capsys, *args)
    assert_clean_error(code, err)
    assert "RSSEQ" in err


def test_missing_reference_date_column(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = _files(tmp_path, "ST,S1,WEEK 6,OVRLRESP,INVESTIGATOR,SD,2024-02-12,1")
    code, _, err = run_cli(capsys, *args, "--reference-date", "TRTSDT", "--out", str(tmp_path / "adrs.csv"))
    assert_clean_error(code, err)
    assert "TRTSDT" in err


def test_bad_rsseq(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = _files(tmp_path, "ST,S1,WEEK 6,OVRLRESP,INVESTIGATOR,SD,2024-02-12,x")
    code, _, err = run_cli(capsys, *args, "--out", str(tmp_path / "adrs.csv"))
    assert_clean_error(code, err)
    assert "RSSEQ" in err
    assert "S1 WEEK 6" in err


def test_output_folder_missing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = _files(tmp_path, "ST,S1,WEEK 6,OVRLRESP,INVESTIGATOR,SD,2024-02-12,1")
    out = tmp_path / "no" / "such" / "adrs.csv"
    code, _, err = run_cli(capsys, *args, "--out", str(out))
    assert_clean_error(code, err)
    assert str(out) in err


def test_missing_out_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, *_files(tmp_path))
    assert_clean_error(code, err, expected_code=2)
    assert "--out" in err


def test_no_pd_in_any_subject_exits_cleanly(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Regression: with no PD in any subject a TypeError escaped main() as a traceback."""
    rs = tmp_path / "rs.csv"
    rs.write_text(RS_HEADER + "\nST,S1,WEEK 6,OVRLRESP,INVESTIGATOR,SD,2024-02-12,1\n")
    adsl = tmp_path / "adsl.csv"
    adsl.write_text("USUBJID,RANDDT\nS1,2024-01-01\n")
    out = tmp_path / "adrs.csv"
    args = ["recist", "--rs", str(rs), "--adsl", str(adsl), "--from-overall", "--out", str(out)]
    code, _, err = run_cli(capsys, *args)
    assert code == 0, err
    assert _read_output(out)["S1", "BOR", ""]["AVALC"] == "SD"


@pytest.mark.parametrize(
    ("option", "value", "valid"),
    [
        pytest.param("--confirmation-days", "1e30", "from 1 to 3650", id="confirmation_days_1e30"),
        pytest.param("--confirmation-days", "1" + "0" * 27, "from 1 to 3650", id="confirmation_days_overflows"),
        pytest.param("--confirmation-days", "0", "from 1 to 3650", id="confirmation_days_zero"),
        pytest.param("--sd-min-days", "-1", "from 0 to 3650", id="sd_min_days_negative"),
        pytest.param("--sd-min-days", "99999999999999999999", "from 0 to 3650", id="sd_min_days_overflows"),
        pytest.param("--max-ne", "2.5", "from 0 to 100", id="max_ne_fraction"),
        pytest.param("--max-ne", "many", "from 0 to 100", id="max_ne_not_a_number"),
    ],
)
def test_rule_option_out_of_range(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, option: str, value: str, valid: str
) -> None:
    """Ranges of oncotrial.recist.RULE_LIMITS; 1e30 and 10**27 used to end in exit 3 (integer overflow)."""
    out = tmp_path / "adrs.csv"
    code, _, err = run_cli(capsys, *_files(tmp_path, "ST,S1,WEEK 6,OVRLRESP,INVESTIGATOR,SD,2024-02-12,1"),
                           option, value, "--out", str(out))  # fmt: skip
    assert_clean_error(code, err)
    assert f"Error: {option} '{value}' is not valid: give a whole number {valid}." in err
    assert not out.exists()
