"""``oncotrial recist --tu --tr`` (``oncotrial.cli.recist``, lesion path), run in-process through ``main(argv)``.

Reference: the shared pharmaverse RECIST set (shared/reference/pharmaverse/sdtm/tu_onco_recist.csv,
tr_onco_recist.csv, adam/adsl.csv; shared/reference/README.md, section pharmaverse/). Hand-built
TU/TR files use a baseline scan on 2024-01-01.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cli.helpers import assert_clean_error, run_cli
from tests.conftest import shared_path

TU_HEADER = "STUDYID,USUBJID,VISIT,TULNKID,TUSTRESC,TULOC,TUMETHOD,TUEVAL"
TR_HEADER = "STUDYID,USUBJID,VISIT,TRLNKID,TRTESTCD,TRSTRESC,TRSTRESU,TRDTC,TREVAL"


def _files(tmp_path: Path, tu_lines: list[str], tr_lines: list[str]) -> list[str]:
    tu = tmp_path / "tu.csv"
    tu.write_text("\n".join([TU_HEADER, *tu_lines]) + "\n")
    tr = tmp_path / "tr.csv"
    tr.write_text("\n".join([TR_HEADER, *tr_lines]) + "\n")
    return ["recist", "--tu", str(tu), "--tr", str(tr)]


# --- the pharmaverse RECIST set ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference_args() -> list[str]:
    base = ("reference", "pharmaverse")
    tu = shared_path(*base, "sdtm", "tu_onco_recist.csv")
    tr = shared_path(*base, "sdtm", "tr_onco_recist.csv")
    adsl = shared_path(*base, "adam", "adsl.csv")
    return ["recist", "--tu", str(tu), "--tr", str(tr), "--adsl", str(adsl)]


def test_lesion_path_on_the_pharmaverse_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, reference_args: list[str]
) -> None:
    """BOR counted by hand from shared/reference/pharmaverse/admiralonco/adrs_subject_summary_rs_onco_recist.csv
    (which the lesion path reproduces): CR 01-701-1015, -1115, -1133; PD -1028; NON-CR/NON-PD -1034; NE -1097;
    PR -1118; SD -1130; the other 298 of the 306 ADSL subjects have no lesion data: MISSING.
    Time points: 8 baselines + the 22 investigator OVRLRESP follow-ups of rs_onco_recist.csv (3 + 3 + 2 + 1 +
    3 + 4 + 3 + 3) = 30; ADRS rows: 306 x 7 parameters + 22 OVR. 2 TR dates are partial (01-701-1015 WEEK 6:
    T01, T04)."""
    out, tp, summary = tmp_path / "adrs.csv", tmp_path / "tp.csv", tmp_path / "summary.csv"
    code, _, err = run_cli(
        capsys, *reference_args, "--out", str(out), "--timepoints", str(tp), "--summary", str(summary)
    )
    assert code == 0, err
    assert "Traceback" not in err
    assert "306 subjects; best overall response: CR 3, MISSING 298, NE 1, NON-CR/NON-PD 1, PD 1, PR 1, SD 1" in err
    assert "Warning: 2 partial scan date(s)" in err
    assert "Baseline:" not in err
    assert len(pd.read_csv(out, dtype=str, keep_default_na=False)) == 306 * 7 + 22
    timepoints = pd.read_csv(tp, dtype=str, keep_default_na=False)
    assert len(timepoints) == 30
    row = timepoints.loc[(timepoints["USUBJID"] == "01-701-1130") & (timepoints["VISIT"] == "WEEK 9")].iloc[0]
    # 01-701-1130 WEEK 9 (2014-04-19): investigator's OVRLRESP PD in rs_onco_recist.csv.
    assert (row["ADT"], row["OVERALL"]) == ("2014-04-19", "PD")
    subjects = pd.read_csv(summary, dtype=str, keep_default_na=False).set_index("USUBJID")
    assert len(subjects) == 306
    # 01-701-1118: LDIAM 27 + 51 = 78 at baseline, nadir 14 + 19 = 33 at WEEK 12 (tr_onco_recist.csv).
    assert subjects.loc["01-701-1118", ["BOR", "CBOR", "RESPONSE_DATE", "SOD_BASELINE", "NADIR"]].tolist() == [
        "PR",
        "PR",
        "2014-04-23",
        "78.0",
        "33.0",
    ]


# --- hand-built files ---------------------------------------------------------------------------------


def test_without_adsl_counts_from_the_baseline_scan(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """T1 30 mm -> 30 mm on 2024-02-12, 42 days after the baseline scan -> SD (>= 42 days)."""
    args = _files(
        tmp_path,
        ["ST,S1,SCREENING,T1,TARGET,LIVER,CT SCAN,INVESTIGATOR"],
        [
            "ST,S1,SCREENING,T1,LDIAM,30,mm,2024-01-01,INVESTIGATOR",
            "ST,S1,WEEK 6,T1,LDIAM,3,cm,2024-02-12,INVESTIGATOR",
        ],
    )
    out = tmp_path / "adrs.csv"
    code, _, err = run_cli(capsys, *args, "--out", str(out))
    assert code == 0, err
    assert "1 subjects; best overall response: SD 1" in err
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    bor = table.loc[table["PARAMCD"] == "BOR"].iloc[0]
    assert (bor["AVALC"], bor["ADT"], bor["RANDDT"]) == ("SD", "2024-02-12", "2024-01-01")


def _baseline_lines(err: str) -> list[str]:
    """The "Baseline:" messages of stderr, each wrapped at 80 columns and joined back into one line."""
    lines: list[str] = []
    for line in err.splitlines():
        if line.startswith("Baseline:"):
            lines.append(line)
        elif line.startswith("  ") and lines:
            lines[-1] += " " + line.strip()
    return lines


def test_baseline_breaches_are_printed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A 9 mm non-nodal target by CT (RECIST 1.1 section 3.1.1: >= 10 mm) -> RECIST-B01; the run goes on."""
    args = _files(
        tmp_path,
        ["ST,S1,SCREENING,T1,TARGET,LIVER,CT SCAN,INVESTIGATOR", "ST,S1,SCREENING,T2,TARGET,LUNG,CT SCAN,INVESTIGATOR"],
        [
            "ST,S1,SCREENING,T1,LDIAM,9,mm,2024-01-01,INVESTIGATOR",
            "ST,S1,SCREENING,T2,LDIAM,30,mm,2024-01-01,INVESTIGATOR",
            "ST,S1,WEEK 6,T1,LDIAM,9,mm,2024-02-12,INVESTIGATOR",
            "ST,S1,WEEK 6,T2,LDIAM,30,mm,2024-02-12,INVESTIGATOR",
        ],
    )
    out = tmp_path / "adrs.csv"
    code, _, err = run_cli(capsys, *args, "--out", str(out))
    assert code == 0, err
    lines = _baseline_lines(err)
    assert lines == [
        "Baseline: subject S1, lesion T1: non-nodal target lesion below 10 mm (CT/MRI/calipers): not measurable "
        "(9.0 mm) [RECIST-B01]"
    ]
    assert out.exists()


def test_more_than_20_breaches_are_summarised(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """8 targets of 5 mm in 8 organs: 8 x B01 + 3 x B04 (the 6th to 8th target) = 11 breaches per subject;
    two subjects -> 22: 20 printed, then '2 more breaches'."""
    organs = ["LIVER", "LUNG", "BONE", "SPLEEN", "KIDNEY", "SKIN", "BRAIN", "COLON"]
    tu_lines, tr_lines = [], []
    for subject in ("S1", "S2"):
        for i, organ in enumerate(organs, 1):
            tu_lines.append(f"ST,{subject},SCREENING,T{i},TARGET,{organ},CT SCAN,INVESTIGATOR")
            tr_lines.append(f"ST,{subject},SCREENING,T{i},LDIAM,5,mm,2024-01-01,INVESTIGATOR")
            tr_lines.append(f"ST,{subject},WEEK 6,T{i},LDIAM,5,mm,2024-02-12,INVESTIGATOR")
    code, _, err = run_cli(capsys, *_files(tmp_path, tu_lines, tr_lines), "--out", str(tmp_path / "adrs.csv"))
    assert code == 0, err
    lines = _baseline_lines(err)
    assert len(lines) == 21
    assert lines[-1] == "Baseline: 2 more breaches of the RECIST 1.1 selection rules."


def test_baseline_only_data(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """One subject with a baseline scan and nothing after it: no overall response to analyse -> BOR
    MISSING (admiralonco's no_data_missing event), exit 0."""
    args = _files(
        tmp_path,
        ["ST,S1,SCREENING,T1,TARGET,LIVER,CT SCAN,INVESTIGATOR"],
        ["ST,S1,SCREENING,T1,LDIAM,30,mm,2024-01-01,INVESTIGATOR"],
    )
    code, _, err = run_cli(capsys, *args, "--out", str(tmp_path / "adrs.csv"))
    assert code == 0, err
    assert "1 subjects; best overall response: MISSING 1" in err


# --- bad input: exit 1, a message, no traceback ------------------------------------------------------


def test_neither_lesions_nor_from_overall(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "adrs.csv"
    code, _, err = run_cli(capsys, "recist", "--out", str(out))
    assert_clean_error(code, err)
    assert "--tu" in err
    assert "--from-overall" in err
    assert not out.exists()


def test_tu_without_tr(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = _files(tmp_path, ["ST,S1,SCREENING,T1,TARGET,LIVER,CT SCAN,INVESTIGATOR"], [])
    code, _, err = run_cli(capsys, *args[:3], "--out", str(tmp_path / "adrs.csv"))
    assert_clean_error(code, err)
    assert "--tr" in err


def test_bad_unit_names_subject_visit_and_lesion(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = _files(
        tmp_path,
        ["ST,S1,SCREENING,T1,TARGET,LIVER,CT SCAN,INVESTIGATOR"],
        [
            "ST,S1,SCREENING,T1,LDIAM,30,mm,2024-01-01,INVESTIGATOR",
            "ST,S1,WEEK 6,T1,LDIAM,25,kg,2024-02-12,INVESTIGATOR",
        ],
    )
    out = tmp_path / "adrs.csv"
    code, _, err = run_cli(capsys, *args, "--out", str(out))
    assert_clean_error(code, err)
    assert "Subject S1, visit WEEK 6, lesion T1" in err
    assert "'kg'" in err
    assert not out.exists()


def test_lesion_measured_only_after_baseline(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """T2 is a baseline target in TU but has no baseline measurement in TR (only WEEK 6): the baseline
    check reports it (RECIST-B06) and it stays out of the sums, so WEEK 6 is T1 alone, 30 vs 30: SD."""
    args = _files(
        tmp_path,
        ["ST,S1,SCREENING,T1,TARGET,LIVER,CT SCAN,INVESTIGATOR", "ST,S1,SCREENING,T2,TARGET,LUNG,CT SCAN,INVESTIGATOR"],
        [
            "ST,S1,SCREENING,T1,LDIAM,30,mm,2024-01-01,INVESTIGATOR",
            "ST,S1,WEEK 6,T1,LDIAM,30,mm,2024-02-12,INVESTIGATOR",
            "ST,S1,WEEK 6,T2,LDIAM,30,mm,2024-02-12,INVESTIGATOR",
        ],
    )
    timepoints = tmp_path / "tp.csv"
    code, _, err = run_cli(capsys, *args, "--out", str(tmp_path / "adrs.csv"), "--timepoints", str(timepoints))
    assert code == 0, err
    assert "Baseline: subject S1, lesion T2: target lesion without a baseline measurement [RECIST-B06]" in (
        _baseline_lines(err)
    )
    written = pd.read_csv(timepoints, dtype=str, keep_default_na=False).set_index("VISIT")
    assert written.loc["WEEK 6", "SOD"] == "30.0"
    assert written.loc["WEEK 6", "TARGET"] == "SD"


def test_nonexistent_tu_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = _files(tmp_path, [], [])
    absent = tmp_path / "absent.csv"
    args[2] = str(absent)
    code, _, err = run_cli(capsys, *args, "--out", str(tmp_path / "adrs.csv"))
    assert_clean_error(code, err)
    assert str(absent) in err
    assert "does not exist" in err


def test_irradiated_lesion_not_in_tu_tr_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--irradiated lists T9 of S1, which TU/TR do not have (S1 has T1 only): refused, naming S1 and T9
    (it used to end in "There are no lesion assessments to evaluate")."""
    args = _files(
        tmp_path,
        ["ST,S1,SCREENING,T1,TARGET,LIVER,CT SCAN,INVESTIGATOR"],
        [
            "ST,S1,SCREENING,T1,LDIAM,30,mm,2024-01-01,INVESTIGATOR",
            "ST,S1,WEEK 6,T1,LDIAM,30,mm,2024-02-12,INVESTIGATOR",
        ],
    )
    listed = tmp_path / "irradiated.csv"
    listed.write_text("USUBJID,LESIONID\nS1,T9\n")
    out, own = tmp_path / "adrs.csv", tmp_path / "irradiated_tp.csv"
    code, _, err = run_cli(capsys, *args, "--irradiated", str(listed), "--irradiated-out", str(own), "--out", str(out))
    assert_clean_error(code, err)
    assert "Error: 1 irradiated lesion(s) are not among the lesions of TU/TR: subject S1 lesion T9." in err
    assert not out.exists()
    assert not own.exists()


def test_tr_without_treval_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The pharmaverse TR without its TREVAL column: the investigator's and the independent assessor's
    LDIAM of 01-701-1015 T01 at SCREENING are read together; the message names the missing column (it used
    to say only that LDIAM is recorded more than once)."""
    base = ("reference", "pharmaverse", "sdtm")
    tr = pd.read_csv(shared_path(*base, "tr_onco_recist.csv"), dtype=str, keep_default_na=False)
    tr_path = tmp_path / "tr.csv"
    tr.drop(columns="TREVAL").to_csv(tr_path, index=False)
    out = tmp_path / "adrs.csv"
    tu = shared_path(*base, "tu_onco_recist.csv")
    code, _, err = run_cli(capsys, "recist", "--tu", str(tu), "--tr", str(tr_path), "--out", str(out))
    assert_clean_error(code, err)
    assert "Subject 01-701-1015, visit SCREENING, lesion T01: LDIAM is recorded more than once" in err
    assert "the TR table has no TREVAL column to tell the evaluators' results apart. Add TREVAL" in err
    assert not out.exists()
