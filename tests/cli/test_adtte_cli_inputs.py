"""Input checks of ``oncotrial adtte``: a bad ADSL or option is a clean error and writes nothing.

Each case is worked by hand (tests/endpoints/adtte_data.py: subject S randomised 2024-01-01, one SD scan on
2024-02-12, alive on 2024-12-31).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cli.helpers import assert_clean_error, run_cli
from tests.endpoints.adtte_data import adrs_of_one, adsl_of_one


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """ADRS of subject S and paths for an ADSL and the ADTTE."""
    adrs = tmp_path / "adrs.csv"
    adrs_of_one().to_csv(adrs, index=False)
    return tmp_path / "adsl.csv", adrs, tmp_path / "adtte.csv"


def _run(capsys: pytest.CaptureFixture[str], files: tuple[Path, Path, Path], *options: str) -> tuple[int, str]:
    adsl, adrs, out = files
    code, _, err = run_cli(capsys, "adtte", "--adsl", str(adsl), "--adrs", str(adrs), "--out", str(out), *options)
    return code, err


@pytest.mark.parametrize(
    ("adsl", "message"),
    [
        pytest.param(adsl_of_one(DTHDT=["2023-12-01"]), "DTHDT 2023-12-01 is before the start date RANDDT", id="death"),
        pytest.param(adsl_of_one(RANDDT=["02/01/2014"]), "RANDDT '02/01/2014' is not a date", id="start_format"),
        pytest.param(adsl_of_one(DTHDT=["abc"]), "DTHDT 'abc' is not a date", id="death_text"),
        pytest.param(adsl_of_one().drop(columns="DTHDT"), "lacks the column(s) DTHDT", id="no_death_column"),
        pytest.param(adsl_of_one().drop(columns="LSTALVDT"), "lacks the column(s) LSTALVDT", id="no_alive_column"),
        pytest.param(pd.concat([adsl_of_one(), adsl_of_one()]), "more than one row for subject(s) S", id="duplicate"),
        pytest.param(adsl_of_one().iloc[0:0], "ADSL has no subjects", id="header_only"),
    ],
)
def test_cli_bad_adsl_is_a_clean_error(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path, Path], adsl: pd.DataFrame, message: str
) -> None:
    adsl.to_csv(files[0], index=False)
    code, err = _run(capsys, files)
    assert_clean_error(code, err)
    assert message in err
    assert not files[2].exists()


def test_cli_nact_column_must_exist(capsys: pytest.CaptureFixture[str], files: tuple[Path, Path, Path]) -> None:
    adsl_of_one().to_csv(files[0], index=False)
    code, err = _run(capsys, files, "--nact", "NACTDT")
    assert_clean_error(code, err)
    assert "The ADSL table lacks the column(s) NACTDT" in err


@pytest.mark.parametrize("value", ["-5", "0", "1e30", "1" + "0" * 27, "12.5"])
def test_cli_max_gap_days_out_of_range(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path, Path], value: str
) -> None:
    """Range of oncotrial.endpoints.tte.MAX_GAP_DAYS_LIMITS: 1 to 3650 days (10**27 used to end in exit 3)."""
    adsl_of_one().to_csv(files[0], index=False)
    code, err = _run(capsys, files, "--max-gap-days", value)
    assert_clean_error(code, err)
    assert f"Error: --max-gap-days '{value}' is not valid: give a whole number from 1 to 3650." in err
    assert not files[2].exists()


def test_cli_good_adsl_still_works(capsys: pytest.CaptureFixture[str], files: tuple[Path, Path, Path]) -> None:
    """One SD scan 2024-02-12 and alive 2024-12-31: PFS censored at the scan, OS censored, DSD as PFS."""
    adsl_of_one().to_csv(files[0], index=False)
    code, err = _run(capsys, files)
    assert code == 0, err
    assert "DSD 1 (0 events), OS 1 (0 events), PFS 1 (0 events), TTP 1 (0 events)" in err
