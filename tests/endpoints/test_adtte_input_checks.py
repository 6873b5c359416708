"""Input checks of the ADTTE derivation (``oncotrial.endpoints.tte``; the command's own are in
tests/cli/test_adtte_cli_inputs.py).

Defects found in review: dates before the start date gave negative AVAL, unreadable dates were
dropped, missing columns, duplicate or absent subjects and bad options passed silently. Each case is
worked by hand; times count the start day as day 1 (AVAL = ADT - STARTDT + 1, as admiral).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from oncotrial.endpoints import derive_adtte
from oncotrial.errors import DataError, InconsistentDataError, MissingDataError, TrialWarning
from tests.endpoints.adtte_data import adrs_of_one, adsl_of_one


def _os(adtte: pd.DataFrame) -> tuple[date, int, int]:
    row = adtte.loc[adtte["PARAMCD"] == "OS"].iloc[0]
    return row["ADT"].date(), int(row["AVAL"]), int(row["CNSR"])


# 1. dates before the start date


def test_death_before_randomisation_is_an_error() -> None:
    """Death 2023-12-01, randomised 2024-01-01: AVAL would be -31 + 1 = -30; refused, naming both dates."""
    with pytest.raises(InconsistentDataError, match="Subject S: DTHDT 2023-12-01 is before the start date RANDDT") as e:
        derive_adtte(adsl_of_one(DTHDT=["2023-12-01"]), adrs_of_one())
    assert (e.value.code, e.value.fields) == ("SURV-E041", {"subject_id": "S", "field": "DTHDT"})
    assert "2024-01-01" in str(e.value)


def test_progression_before_randomisation_is_an_error() -> None:
    adrs = adrs_of_one([("OVR", "PD", "2023-12-20"), ("PD", "Y", "2023-12-20")])
    with pytest.raises(InconsistentDataError, match="Subject S: the ADRS overall response date ADT 2023-12-20"):
        derive_adtte(adsl_of_one(), adrs)


def test_death_before_the_first_response_is_an_error_for_dor() -> None:
    """Randomised 2024-01-01, died 2024-02-01, response recorded 2024-02-12: DOR would be -11 + 1 = -10."""
    adrs = adrs_of_one([("OVR", "PR", "2024-02-12"), ("RSP", "Y", "2024-02-12")])
    with pytest.raises(InconsistentDataError, match=r"DTHDT 2024-02-01 is before the start date STARTDT \(DOR\)"):
        derive_adtte(adsl_of_one(DTHDT=["2024-02-01"]), adrs)


def test_last_alive_before_randomisation_is_censored_at_randomisation_with_a_warning() -> None:
    """LSTALVDT 2023-12-01 < RANDDT 2024-01-01: OS censored at the start date, AVAL 1 (as admiral)."""
    with pytest.warns(TrialWarning, match="Subject S: LSTALVDT 2023-12-01 is before RANDDT 2024-01-01"):
        adtte = derive_adtte(adsl_of_one(LSTALVDT=["2023-12-01"]), adrs_of_one([]))
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
        derive_adtte(adsl_of_one(**{column: [value]}), adrs_of_one())
    assert e.value.fields == {"subject_id": "S", "field": column}


def test_empty_death_date_means_alive() -> None:
    """DTHDT empty: OS censored at LSTALVDT 2024-12-31, day 366 of the leap year 2024."""
    assert _os(derive_adtte(adsl_of_one(DTHDT=[""]), adrs_of_one())) == (date(2024, 12, 31), 366, 1)


def test_partial_start_date_is_refused() -> None:
    with pytest.raises(DataError, match="Subject S: ADSL RANDDT '2024-01' is a partial date"):
        derive_adtte(adsl_of_one(RANDDT=["2024-01"]), adrs_of_one())


def test_partial_death_date_is_imputed_with_a_warning() -> None:
    """DTHDT 2024-03 -> 2024-03-31 (last day, as admiral): 31 + 29 + 31 = day 91 from 2024-01-01."""
    with pytest.warns(TrialWarning, match="Subject S: DTHDT '2024-03' is a partial date and is imputed to 2024-03-31"):
        adtte = derive_adtte(adsl_of_one(DTHDT=["2024-03"]), adrs_of_one())
    assert _os(adtte) == (date(2024, 3, 31), 91, 0)


# 3. missing columns


def test_adsl_without_survival_columns_warns() -> None:
    adsl = adsl_of_one().drop(columns=["DTHDT", "LSTALVDT"])
    with pytest.warns(TrialWarning, match="ADSL has no DTHDT or LSTALVDT column"):
        adtte = derive_adtte(adsl, adrs_of_one())
    assert _os(adtte) == (date(2024, 1, 1), 1, 1)


def test_missing_columns_are_listed_together() -> None:
    with pytest.raises(DataError, match=r"The ADSL table lacks the column\(s\) RANDDT, NACTDT; the ADRS table lacks"):
        derive_adtte(adsl_of_one().drop(columns="RANDDT"), adrs_of_one().drop(columns="AVALC"), nact_col="NACTDT")


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
        derive_adtte(adsl_of_one(), adrs_of_one(), max_gap_days=days)


# 5. and 6. subjects


def test_duplicate_subject_is_an_error() -> None:
    adsl = pd.concat([adsl_of_one(), adsl_of_one()], ignore_index=True)
    with pytest.raises(InconsistentDataError, match=r"more than one row for subject\(s\) S:") as e:
        derive_adtte(adsl, adrs_of_one())
    assert e.value.fields == {"subject_id": "S", "field": "USUBJID"}


def test_adsl_without_rows_is_an_error() -> None:
    with pytest.raises(DataError, match="ADSL has no subjects"):
        derive_adtte(adsl_of_one().iloc[0:0], adrs_of_one())


def test_adsl_without_any_start_date_is_an_error() -> None:
    with pytest.raises(MissingDataError, match=r"None of the 1 ADSL subject\(s\) has a RANDDT"):
        derive_adtte(adsl_of_one(RANDDT=[""]), adrs_of_one())


def test_numeric_subject_ids_in_adsl_match_text_ids_in_adrs() -> None:
    """USUBJID 7 stored as a number (e.g. a Parquet ADSL) and "7" as text in the ADRS are one subject: the SD
    scan of 2024-02-12 censors PFS there, 2024-02-12 - 2024-01-01 + 1 = 43 days (it was not found before)."""
    adsl = adsl_of_one(USUBJID=[7])
    adrs = adrs_of_one().assign(USUBJID="7")
    pfs = derive_adtte(adsl, adrs).set_index("PARAMCD").loc["PFS"]
    assert (str(pfs["USUBJID"]), pfs["ADT"].date(), int(pfs["AVAL"]), int(pfs["CNSR"])) == (
        "7",
        date(2024, 2, 12),
        43,
        1,
    )
