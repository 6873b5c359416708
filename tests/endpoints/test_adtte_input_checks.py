"""Input checks of the ADTTE derivation (``oncotrial.endpoints.tte``) and of ``oncotrial adtte``.

Defects found in review: dates before the start date gave negative AVAL, unreadable dates were
dropped, missing columns, duplicate or absent subjects and bad options passed silently. Each case is
worked by hand; times count the start day as day 1 (AVAL = ADT - STARTDT + 1, as admiral).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from oncotrial.endpoints import derive_adtte
from oncotrial.errors import DataError, InconsistentDataError, MissingDataError, TrialWarning
from tests.cli.helpers import assert_clean_error, run_cli


def _adsl(**columns: list[str]) -> pd.DataFrame:
    """Subject S randomised 2024-01-01, no death, alive on 2024-12-31; ``columns`` replace or add columns."""
    base: dict[str, list[str]] = {"USUBJID": ["S"], "RANDDT": ["2024-01-01"], "DTHDT": [""], "LSTALVDT": ["2024-12-31"]}
    return pd.DataFrame({**base, **columns})


def _adrs(rows: list[tuple[str, str, str]] | None = None) -> pd.DataFrame:
    """Records (PARAMCD, AVALC, ADT) of subject S; by default one SD assessment on 2024-02-12."""
    rows = rows if rows is not None else [("OVR", "SD", "2024-02-12"), ("BOR", "SD", "2024-02-12")]
    return pd.DataFrame(
        [{"USUBJID": "S", "PARAMCD": p, "AVALC": v, "ADT": d, "ANL01FL": "Y"} for p, v, d in rows],
        columns=["USUBJID", "PARAMCD", "AVALC", "ADT", "ANL01FL"],
    )


def _os(adtte: pd.DataFrame) -> tuple[date, int, int]:
    row = adtte.loc[adtte["PARAMCD"] == "OS"].iloc[0]
    return row["ADT"].date(), int(row["AVAL"]), int(row["CNSR"])


# 1. dates before the start date


def test_death_before_randomisation_is_an_error() -> None:
    """Death 2023-12-01, randomised 2024-01-01: AVAL would be -31 + 1 = -30; refused, naming both dates."""
    with pytest.raises(InconsistentDataError, match="Subject S: DTHDT 2023-12-01 is before the start date RANDDT") as e:
        derive_adtte(_adsl(DTHDT=["2023-12-01"]), _adrs())
    assert (e.value.code, e.value.fields) == ("SURV-E041", {"subject_id": "S", "field": "DTHDT"})
    assert "2024-01-01" in str(e.value)


def test_progression_before_randomisation_is_an_error() -> None:
    adrs = _adrs([("OVR", "PD", "2023-12-20"), ("PD", "Y", "2023-12-20")])
    with pytest.raises(InconsistentDataError, match="Subject S: the ADRS overall response date ADT 2023-12-20"):
        derive_adtte(_adsl(), adrs)


def test_death_before_the_first_response_is_an_error_for_dor() -> None:
    """Randomised 2024-01-01, died 2024-02-01, response recorded 2024-02-12: DOR would be -11 + 1 = -10."""
    adrs = _adrs([("OVR", "PR", "2024-02-12"), ("RSP", "Y", "2024-02-12")])
    with pytest.raises(InconsistentDataError, match=r"DTHDT 2024-02-01 is before the start date STARTDT \(DOR\)"):
        derive_adtte(_adsl(DTHDT=["2024-02-01"]), adrs)


def test_last_alive_before_randomisation_is_censored_at_randomisation_with_a_warning() -> None:
    """LSTALVDT 2023-12-01 < RANDDT 2024-01-01: OS censored at the start date, AVAL 1 (as admiral)."""
    with pytest.warns(TrialWarning, match="Subject S: LSTALVDT 2023-12-01 is before RANDDT 2024-01-01"):
        adtte = derive_adtte(_adsl(LSTALVDT=["2023-12-01"]), _adrs([]))
    assert _os(adtte) == (date(2024, 1, 1), 1, 1)


# 2. unreadable and partial dates


@pytest.mark.parametrize(
    ("column", "value"),
    [
        pytest.param("RANDDT", "02/01/2014", id="start_date_in_day_month_year"),
        pytest.param("DTHDT", "abc", id="death_date_text"),
        pytest.param("LSTALVDT", "2024-02-30", id="last_alive_no_such_day"),
    ],
)
def test_unreadable_date_is_an_error(column: str, value: str) -> None:
    with pytest.raises(DataError, match=f"Subject S: ADSL {column} '{value}' is not a date.*YYYY-MM-DD") as e:
        derive_adtte(_adsl(**{column: [value]}), _adrs())
    assert e.value.fields == {"subject_id": "S", "field": column}


def test_empty_death_date_means_alive() -> None:
    """DTHDT empty: OS censored at LSTALVDT 2024-12-31, day 366 of the leap year 2024."""
    assert _os(derive_adtte(_adsl(DTHDT=[""]), _adrs())) == (date(2024, 12, 31), 366, 1)


def test_partial_start_date_is_refused() -> None:
    with pytest.raises(DataError, match="Subject S: ADSL RANDDT '2024-01' is a partial date"):
        derive_adtte(_adsl(RANDDT=["2024-01"]), _adrs())


def test_partial_death_date_is_imputed_with_a_warning() -> None:
    """DTHDT 2024-03 -> 2024-03-31 (last day, as admiral): 31 + 29 + 31 = day 91 from 2024-01-01."""
    with pytest.warns(TrialWarning, match="Subject S: DTHDT '2024-03' is a partial date and is imputed to 2024-03-31"):
        adtte = derive_adtte(_adsl(DTHDT=["2024-03"]), _adrs())
    assert _os(adtte) == (date(2024, 3, 31), 91, 0)


# 3. missing columns


def test_adsl_without_survival_columns_warns() -> None:
    adsl = _adsl().drop(columns=["DTHDT", "LSTALVDT"])
    with pytest.warns(TrialWarning, match="ADSL has no DTHDT or LSTALVDT column"):
        adtte = derive_adtte(adsl, _adrs())
    assert _os(adtte) == (date(2024, 1, 1), 1, 1)


def test_missing_columns_are_listed_together() -> None:
    with pytest.raises(DataError, match=r"The ADSL table lacks the column\(s\) RANDDT, NACTDT; the ADRS table lacks"):
        derive_adtte(_adsl().drop(columns="RANDDT"), _adrs().drop(columns="AVALC"), nact_col="NACTDT")


# 4. options


@pytest.mark.parametrize(
    "days",
    [
        pytest.param(0, id="zero"),
        pytest.param(-5, id="negative"),
        pytest.param(3651, id="over_ten_years"),
        pytest.param(10**27, id="overflows"),
    ],
)
def test_max_gap_days_outside_its_range_is_an_error(days: int) -> None:
    """MAX_GAP_DAYS_LIMITS: 1 to 3650 days (ten years)."""
    with pytest.raises(
        DataError, match=f"max_gap_days = {days} is not valid: give a whole number of days from 1 to 3650"
    ):
        derive_adtte(_adsl(), _adrs(), max_gap_days=days)


# 5. and 6. subjects


def test_duplicate_subject_is_an_error() -> None:
    adsl = pd.concat([_adsl(), _adsl()], ignore_index=True)
    with pytest.raises(InconsistentDataError, match=r"more than one row for subject\(s\) S:") as e:
        derive_adtte(adsl, _adrs())
    assert e.value.fields == {"subject_id": "S", "field": "USUBJID"}


def test_adsl_without_rows_is_an_error() -> None:
    with pytest.raises(DataError, match="ADSL has no subjects"):
        derive_adtte(_adsl().iloc[0:0], _adrs())


def test_adsl_without_any_start_date_is_an_error() -> None:
    with pytest.raises(MissingDataError, match=r"None of the 1 ADSL subject\(s\) has a RANDDT"):
        derive_adtte(_adsl(RANDDT=[""]), _adrs())


# the command line


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """ADRS of subject S and paths for an ADSL and the ADTTE."""
    adrs = tmp_path / "adrs.csv"
    _adrs().to_csv(adrs, index=False)
    return tmp_path / "adsl.csv", adrs, tmp_path / "adtte.csv"


def _run(capsys: pytest.CaptureFixture[str], files: tuple[Path, Path, Path], *options: str) -> tuple[int, str]:
    adsl, adrs, out = files
    code, _, err = run_cli(capsys, "adtte", "--adsl", str(adsl), "--adrs", str(adrs), "--out", str(out), *options)
    return code, err


@pytest.mark.parametrize(
    ("adsl", "message"),
    [
        pytest.param(_adsl(DTHDT=["2023-12-01"]), "DTHDT 2023-12-01 is before the start date RANDDT", id="death"),
        pytest.param(_adsl(RANDDT=["02/01/2014"]), "RANDDT '02/01/2014' is not a date", id="start_format"),
        pytest.param(_adsl(DTHDT=["abc"]), "DTHDT 'abc' is not a date", id="death_text"),
        pytest.param(_adsl().drop(columns="DTHDT"), "lacks the column(s) DTHDT", id="no_death_column"),
        pytest.param(_adsl().drop(columns="LSTALVDT"), "lacks the column(s) LSTALVDT", id="no_alive_column"),
        pytest.param(pd.concat([_adsl(), _adsl()]), "more than one row for subject(s) S", id="duplicate"),
        pytest.param(_adsl().iloc[0:0], "ADSL has no subjects", id="header_only"),
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
    _adsl().to_csv(files[0], index=False)
    code, err = _run(capsys, files, "--nact", "NACTDT")
    assert_clean_error(code, err)
    assert "The ADSL table lacks the column(s) NACTDT" in err


@pytest.mark.parametrize("value", ["-5", "0", "1e30", "1" + "0" * 27, "12.5"])
def test_cli_max_gap_days_out_of_range(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path, Path], value: str
) -> None:
    """Range of oncotrial.endpoints.tte.MAX_GAP_DAYS_LIMITS: 1 to 3650 days (10**27 used to end in exit 3)."""
    _adsl().to_csv(files[0], index=False)
    code, err = _run(capsys, files, "--max-gap-days", value)
    assert_clean_error(code, err)
    assert f"Error: --max-gap-days '{value}' is not valid: give a whole number from 1 to 3650." in err
    assert not files[2].exists()


def test_cli_good_adsl_still_works(capsys: pytest.CaptureFixture[str], files: tuple[Path, Path, Path]) -> None:
    """One SD scan 2024-02-12 and alive 2024-12-31: PFS censored at the scan, OS censored, DSD as PFS."""
    _adsl().to_csv(files[0], index=False)
    code, err = _run(capsys, files)
    assert code == 0, err
    assert "DSD 1 (0 events), OS 1 (0 events), PFS 1 (0 events), TTP 1 (0 events)" in err


def test_numeric_subject_ids_in_adsl_match_text_ids_in_adrs() -> None:
    """USUBJID 7 stored as a number (e.g. a Parquet ADSL) and "7" as text in the ADRS are one subject: the SD
    scan of 2024-02-12 censors PFS there, 2024-02-12 - 2024-01-01 + 1 = 43 days (it was not found before)."""
    adsl = _adsl(USUBJID=[7])
    adrs = _adrs().assign(USUBJID="7")
    pfs = derive_adtte(adsl, adrs).set_index("PARAMCD").loc["PFS"]
    assert (str(pfs["USUBJID"]), pfs["ADT"].date(), int(pfs["AVAL"]), int(pfs["CNSR"])) == (
        "7",
        date(2024, 2, 12),
        43,
        1,
    )
