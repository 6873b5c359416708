"""``oncotrial adtte`` and ``oncotrial km --param/--censor``: RS -> ADRS -> ADTTE -> Kaplan-Meier.

Expected counts from pharmaverseadam's ``adtte_onco`` (shared/reference/pharmaverse/adam): of 254
randomised subjects, PFS has 6 events (3 progressions, 3 deaths), OS 3 deaths, duration of response
4 responders with 1 progression; one subject with best response SD progresses (DSD); TTP counts the
3 progressions only.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cli.helpers import assert_clean_error, run_cli
from tests.conftest import shared_path


@pytest.fixture
def adtte(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> tuple[Path, str]:
    base = shared_path("reference", "pharmaverse")
    adrs, adtte = tmp_path / "adrs.csv", tmp_path / "adtte.csv"
    code, _, err = run_cli(
        capsys, "recist", "--from-overall", "--rs", str(base / "sdtm" / "rs_onco_recist.csv"),
        "--adsl", str(base / "adam" / "adsl.csv"), "--out", str(adrs),
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run_cli(
        capsys, "adtte", "--adsl", str(base / "adam" / "adsl.csv"), "--adrs", str(adrs), "--out", str(adtte)
    )
    assert code == 0, err
    return adtte, err


def test_adtte_counts_match_pharmaverse(adtte: tuple[Path, str]) -> None:
    _, err = adtte
    assert "DOR 4 (1 events), DSD 1 (1 events), OS 254 (3 events), PFS 254 (6 events), TTP 254 (3 events)" in err
    assert "52 subject(s) have no RANDDT" in err


def test_km_on_adtte_with_censor_and_param(capsys: pytest.CaptureFixture[str], adtte: tuple[Path, str]) -> None:
    path, _ = adtte
    code, out, err = run_cli(
        capsys, "km", "--data", str(path), "--param", "PFS", "--time", "AVAL", "--censor", "CNSR", "--json"
    )
    assert code == 0, err
    assert '"n": 254' in out
    assert '"events": 6' in out


def test_km_needs_event_or_censor(capsys: pytest.CaptureFixture[str], adtte: tuple[Path, str]) -> None:
    path, _ = adtte
    code, _, err = run_cli(capsys, "km", "--data", str(path), "--time", "AVAL")
    assert_clean_error(code, err)
    assert "either --event" in err
    code, _, err = run_cli(capsys, "km", "--data", str(path), "--param", "XYZ", "--time", "AVAL", "--censor", "CNSR")
    assert_clean_error(code, err)
    assert "No rows with PARAMCD XYZ" in err


def test_adtte_bad_adrs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    adsl = tmp_path / "adsl.csv"
    pd.DataFrame({"USUBJID": ["S"], "RANDDT": ["2024-01-01"]}).to_csv(adsl, index=False)
    adrs = tmp_path / "adrs.csv"
    pd.DataFrame({"USUBJID": ["S"]}).to_csv(adrs, index=False)
    code, _, err = run_cli(capsys, "adtte", "--adsl", str(adsl), "--adrs", str(adrs), "--out", str(tmp_path / "o.csv"))
    assert_clean_error(code, err)
    assert "lacks the column(s) PARAMCD" in err
