"""``oncotrial import sdtm``, ``export sdtm`` and ``export adam`` on the first five subjects of pharmaverse's
SDTM set (tests/reference/pharmaverse/sdtm): what they print and write, and what they refuse. The contents
of the domains and datasets are checked against pharmaverse in tests/store/cdisc/; here the counts are those of
the five subjects' rows in pharmaverse's files (DM 5, DS 17, AE 11), read directly."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.conftest import run_ok
from tests.cli.helpers import assert_clean_error, run_cli
from tests.store.cdisc.conftest import subset_sdtm

STUDY = "CDISCPILOT01"


@pytest.fixture
def imported(trial_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, dict[str, object]]:
    """The five subjects imported by the statistician: (database, the import's JSON report)."""
    folder = tmp_path / "sdtm"
    folder.mkdir()
    subset_sdtm(folder, 5)
    report = json.loads(run_ok(capsys, "import", "sdtm", str(folder), "--db", trial_db, "--as", "stat", "--json"))
    return trial_db, report


def test_import_reports_the_trial_it_created_and_the_records_loaded(imported: tuple[str, dict[str, object]]) -> None:
    _, report = imported
    assert (report["trial"], report["created_trial"], report["sites_created"]) == (STUDY, True, ["701"])
    records = report["records"]
    assert isinstance(records, dict)
    assert (records["DM"], records["DS"], records["AE"]) == (5, 17, 11)
    assert any(check.startswith("dosing:") for check in report["checks_not_made"])  # type: ignore[union-attr]
    assert "SUBJID" in report["not_kept"]["DM"]  # type: ignore[index]


def test_export_sdtm_then_adam_write_the_files(
    imported: tuple[str, dict[str, object]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = imported
    stat = ("--trial", STUDY, "--db", url, "--as", "stat")
    out = run_ok(capsys, "export", "sdtm", "--out", str(tmp_path / "sdtm-out"), *stat)
    assert "dm.csv, ds.csv, ex.csv, ae.csv, lb.csv, pc.csv, tu.csv, tr.csv, rs.csv" in out
    assert len(pd.read_csv(tmp_path / "sdtm-out" / "dm.csv")) == 5
    out = run_ok(capsys, "export", "adam", "--out", str(tmp_path / "adam"), "--format", "parquet", *stat)
    assert "adsl.parquet, adrs.parquet, adtte.parquet" in out
    assert sorted(pd.read_parquet(tmp_path / "adam" / "adsl.parquet")["USUBJID"]) == [
        "01-701-1015",
        "01-701-1023",
        "01-701-1028",
        "01-701-1033",
        "01-701-1034",
    ]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        pytest.param(["--format", "xlsx", "--as", "stat"], "--format 'xlsx' must be csv, parquet or xpt", id="format"),
        pytest.param(["--as", "inv1"], "may not export", id="site_role"),
    ],
)
def test_export_refuses_bad_input(
    imported: tuple[str, dict[str, object]],
    argv: list[str],
    says: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, _ = imported
    code, _, err = run_cli(capsys, "export", "sdtm", "--trial", STUDY, "--out", str(tmp_path / "x"), "--db", url, *argv)
    assert_clean_error(code, err)
    assert says in err
    assert not (tmp_path / "x").exists()


def test_import_of_a_missing_folder_or_by_a_site_role_writes_nothing(
    trial_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "import", "sdtm", str(tmp_path / "none"), "--db", trial_db, "--as", "stat")
    assert_clean_error(code, err)
    assert "does not exist (argument DIR)" in err
    code, _, err = run_cli(capsys, "import", "sdtm", str(tmp_path), "--db", trial_db, "--as", "coord1")
    assert_clean_error(code, err)
    assert "may not import" in err
