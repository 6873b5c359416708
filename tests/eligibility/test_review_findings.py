"""Regression tests for the review of the eligibility code: bad values, units, sites, time zones,
calendar windows, batch problems. Calendar as in test_evaluate: screening 2026-11-21, start
2026-11-23 08:00 (NCT01416831) or 09:00 (NCT00514085); expected values are worked by hand."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from oncotrial.eligibility import PatientRecord, evaluate_eligibility, screen_patients
from oncotrial.eligibility.records import LabResult, Lesion
from oncotrial.errors import DataError
from oncotrial.protocol.eligibility import Duration
from oncotrial.protocol.models import Protocol
from tests.eligibility.test_evaluate import (
    AS_OF,
    changed,
    criterion,
    il21_patient,
    lab,
    sbrt_il2_patient,
    screen,
    without,
)

# --- lab values -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        pytest.param({"value": math.nan}, "value", id="nan"),
        pytest.param({"value": math.inf}, "value", id="inf"),
        pytest.param({"value": -3.0}, "value", id="negative"),
        pytest.param({"value": 50, "uln": 0.0}, "uln", id="uln-zero"),
        pytest.param({"value": 50, "uln": math.nan}, "uln", id="uln-nan"),
        pytest.param({"value": 50, "lln": -1.0}, "lln", id="lln-negative"),
    ],
)
def test_impossible_lab_values_are_refused(fields: dict[str, float], where: str) -> None:
    with pytest.raises(ValidationError) as caught:
        LabResult.model_validate({"analyte": "ast", "unit": "U/L", **fields})
    assert caught.value.errors()[0]["loc"] == (where,)


def test_a_nan_lab_value_is_a_record_error_not_a_pass(sbrt_il2: Protocol) -> None:
    record = changed(sbrt_il2_patient(), ("labs", "wbc"), lab("wbc", math.nan, "10^9/L"))
    log = screen_patients(sbrt_il2, [record], as_of=AS_OF)
    assert log.results == ()
    (error,) = log.errors
    assert error.message.startswith("Patient SBRT-001: labs.0.value: Input should be a finite number")


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        # NCT01416831 excludes WBC < 3.0 x 10^9/L; each spelling below means 10^9/L (or 10^6/L for 10E6).
        pytest.param(2.5, "10E9/L", "not met", id="2.5-10E9/L"),  # 2.5 x 10^9/L < 3.0
        pytest.param(3.0, "10E9/L", "met", id="3.0-10E9/L"),
        pytest.param(2.5, "x10e9/L", "not met", id="2.5-x10e9/L"),
        pytest.param(5.1, "10*9/L", "met", id="5.1-ucum"),  # UCUM 10*9/L = 10^9/L
        pytest.param(2.9, "10*9/L", "not met", id="2.9-ucum"),
        pytest.param(2999, "/mm3", "not met", id="2999-per-mm3"),  # 2.999 x 10^9/L
        pytest.param(3000, "cells/mm3", "met", id="3000-cells-per-mm3"),
    ],
)
def test_count_unit_spellings(sbrt_il2: Protocol, value: float, unit: str, expected: str) -> None:
    record = changed(sbrt_il2_patient(), ("labs", "wbc"), lab("wbc", value, unit))
    assert criterion(screen(sbrt_il2, record), "wbc").status == expected


def test_a_substance_unit_for_an_analyte_without_a_molar_mass_is_refused() -> None:
    # mmol/L suits creatinine, bilirubin and hemoglobin (molar masses known), not a blood count
    with pytest.raises(ValidationError, match="not a unit for wbc"):
        LabResult.model_validate({"analyte": "wbc", "value": 4, "unit": "mmol/L"})


# --- lesion sites -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "site"),
    [
        pytest.param("Lung", "lung", id="capital"),
        pytest.param(" LIVER ", "liver", id="upper-spaces"),
        pytest.param("chest wall", "chest_wall", id="space"),
        pytest.param("Chest-Wall", "chest_wall", id="hyphen"),
        pytest.param("lymph_node", "lymph_node", id="already"),
    ],
)
def test_lesion_sites_are_normalised(written: str, site: str) -> None:
    assert Lesion(site=written, method="ct", size_mm=12).site == site


def test_an_unknown_lesion_site_is_refused_with_the_vocabulary() -> None:
    with pytest.raises(ValidationError, match="unknown lesion site 'lungs'; use one of lung, mediastinum"):
        Lesion(site="lungs", method="ct", size_mm=12)


def test_a_capitalised_site_counts_towards_the_sbrt_cap(sbrt_il2: Protocol) -> None:
    # 90 mm in the lung (an SBRT site) breaks "none greater than 7 cm" however the site is written
    lesions = [
        {"site": "Lung", "method": "spiral_ct", "size_mm": 90},
        {"site": "liver", "method": "spiral_ct", "size_mm": 30},
    ]
    result = screen(sbrt_il2, changed(sbrt_il2_patient(), ("lesions",), lesions))
    sbrt = criterion(result, "sbrt-lesions")
    assert sbrt.status == "not met"
    assert sbrt.reason.startswith("2 lesion(s) at lung, mediastinum, chest_wall, bone_except_long_bones, liver")
    assert sbrt.reason.endswith("largest 90 mm")


# --- record fields ----------------------------------------------------------------------------


def test_a_bare_ecog_is_an_undated_ecog(sbrt_il2: Protocol) -> None:
    record = changed(sbrt_il2_patient(), ("ecog",), 1)
    assert PatientRecord.model_validate(record).ecog is not None
    assert criterion(screen(sbrt_il2, record), "ecog").status == "unknown"  # undated: recency unknown


def test_a_birth_date_over_120_years_ago_is_refused() -> None:
    with pytest.raises(ValidationError, match="over 120 years old; check the year"):
        PatientRecord.model_validate({"subject_id": "OLD", "birth_date": "1800-01-01"})


def test_a_birth_date_after_the_screening_date_is_a_record_error(sbrt_il2: Protocol) -> None:
    record = changed(sbrt_il2_patient(), ("birth_date",), "2030-01-01")
    (error,) = screen_patients(sbrt_il2, [record], as_of=AS_OF).errors
    assert error.code == "ELIG-E010"
    assert "birth_date is 2030-01-01" in error.message


def test_date_errors_say_how_to_write_a_date(sbrt_il2: Protocol) -> None:
    record = changed(sbrt_il2_patient(), ("birth_date",), "16/11/1960")
    (error,) = screen_patients(sbrt_il2, [record], as_of=AS_OF).errors
    assert error.message.startswith("Patient SBRT-001: birth_date: ")
    assert error.message.endswith("(write dates as YYYY-MM-DD)")


def test_a_numeric_subject_id_zero_is_named(sbrt_il2: Protocol) -> None:
    record = changed(changed(sbrt_il2_patient(), ("subject_id",), 0), ("sex",), "F")
    (error,) = screen_patients(sbrt_il2, [record], as_of=AS_OF).errors
    assert error.subject_id == "0"
    assert error.message.startswith("Patient 0: sex:")


# --- time zones -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "test", "expected"),
    [
        # 08:00Z start; test 2026-11-20 09:00+01:00 = 08:00Z: exactly 72 h before
        pytest.param("2026-11-23T08:00Z", "2026-11-20T09:00+01:00", "met", id="72h-across-zones"),
        # test 2026-11-20 08:00+01:00 = 07:00Z: 73 h
        pytest.param("2026-11-23T08:00Z", "2026-11-20T08:00+01:00", "unknown", id="73h-across-zones"),
        # naive start 08:00, test 09:00+01:00 = 08:00 UTC (taken as the same clock): 72 h
        pytest.param("2026-11-23T08:00", "2026-11-20T09:00+01:00", "met", id="naive-start"),
    ],
)
def test_times_with_an_offset_are_compared_in_utc(sbrt_il2: Protocol, start: str, test: str, expected: str) -> None:
    record = changed(changed(sbrt_il2_patient(), ("planned_start",), start), ("pregnancy_test", "datetime"), test)
    assert criterion(screen(sbrt_il2, record), "pregnancy-test").status == expected


def test_a_test_on_the_start_day_counts_when_the_start_has_no_time(sbrt_il2: Protocol) -> None:
    record = changed(sbrt_il2_patient(), ("planned_start",), "2026-11-23")
    record = changed(record, ("pregnancy_test", "datetime"), "2026-11-23T07:00")
    result = screen(sbrt_il2, record)
    assert criterion(result, "pregnancy-test").status == "met"
    assert criterion(result, "pregnancy-test").reason == "negative, 0 hours before the start"


def test_a_test_after_a_timed_start_is_still_too_late(sbrt_il2: Protocol) -> None:
    record = changed(sbrt_il2_patient(), ("pregnancy_test", "datetime"), "2026-11-23T09:00")  # start 08:00
    assert criterion(screen(sbrt_il2, record), "pregnancy-test").status == "unknown"


def test_without_a_window_a_pregnancy_test_must_be_within_the_data_window(il21: Protocol) -> None:
    # NCT00514085 gives no window: the 28-day data window applies. 2026-10-26 09:00 is 28 days before the
    # 2026-11-23 09:00 start (met); 2026-10-25 09:00 is 29 days (too old: unknown).
    record = changed(il21_patient(), ("pregnancy_test",), {"result": "negative", "datetime": "2026-10-26T09:00"})
    assert criterion(screen(il21, record), "pregnancy-test").status == "met"
    old = changed(record, ("pregnancy_test", "datetime"), "2026-10-25T09:00")
    test = criterion(screen(il21, old), "pregnancy-test")
    assert test.status == "unknown"
    assert test.missing == ("a pregnancy test within 28 days (the data window)",)


# --- calendar windows -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "end", "days"),
    [
        pytest.param(3, "months", date(2026, 4, 15), 90.0, id="3-months-jan-to-apr"),  # 16 + 28 + 31 + 15
        pytest.param(3, "months", date(2026, 11, 23), 92.0, id="3-months-aug-to-nov"),  # 8 + 30 + 31 + 23
        pytest.param(1, "months", date(2026, 3, 31), 31.0, id="month-end-clamped"),  # 2026-02-28 ... 03-31
        pytest.param(5, "years", date(2026, 11, 23), 1826.0, id="5-years"),  # 2021-11-23: one 29 Feb (2024)
        pytest.param(1.5, "months", date(2026, 11, 23), 45.65625, id="fraction-of-a-month"),  # 1.5 x 30.4375
        pytest.param(4, "weeks", date(2026, 11, 23), 28.0, id="weeks"),
    ],
)
def test_duration_days_before(value: float, unit: str, end: date, days: float) -> None:
    assert Duration(value=value, unit=unit).days_before(end) == days


@pytest.mark.parametrize(
    ("adjuvant", "start", "expected"),
    [
        # "At least 3 months since prior adjuvant immunotherapy": 2026-01-15 to 2026-04-15 is 3 months (90 days)
        pytest.param("2026-01-15", "2026-04-15", "met", id="exactly-3-calendar-months"),
        pytest.param("2026-01-16", "2026-04-15", "not met", id="a-day-short"),
    ],
)
def test_months_are_calendar_months(il21: Protocol, adjuvant: str, start: str, expected: str) -> None:
    # a record with only the start and the event: the other criteria are unknown, this one is decided
    record = {"subject_id": "M", "planned_start": start, "events": {"adjuvant_immunotherapy": adjuvant}}
    result = evaluate_eligibility(il21, PatientRecord.model_validate(record), as_of=date.fromisoformat(start))
    check = criterion(result, "adjuvant-immunotherapy-3m")
    assert check.status == expected
    assert check.reason.endswith("needs at least 3 months (90 days)")


# --- batch and protocol -----------------------------------------------------------------------


def test_a_repeated_subject_id_is_not_screened_twice(sbrt_il2: Protocol) -> None:
    log = screen_patients(sbrt_il2, [sbrt_il2_patient(), sbrt_il2_patient()], as_of=AS_OF)
    assert [r.subject_id for r in log.results] == ["SBRT-001"]
    (error,) = log.errors
    assert (error.index, error.code) == (2, "ELIG-E012")
    assert error.message.startswith("Patient SBRT-001: the subject_id is also that of record 1")
    assert log.summary()["not screened"] == 1


def test_a_consent_signed_after_the_screening_date_does_not_meet_the_criterion(sbrt_il2: Protocol) -> None:
    # signed 2026-11-22: after the screening (2026-11-21) but before the start (2026-11-23)
    result = screen(sbrt_il2, changed(sbrt_il2_patient(), ("consent_date",), "2026-11-22"))
    consent = criterion(result, "consent")
    assert consent.status == "not met"
    assert consent.reason == ("signed 2026-11-22, after the screening date 2026-11-21: consent must precede screening")


def test_a_protocol_without_criteria_cannot_screen(sbrt_il2: Protocol) -> None:
    empty = sbrt_il2.model_copy(update={"eligibility": []})
    with pytest.raises(DataError, match="has no eligibility criteria") as caught:
        screen_patients(empty, [sbrt_il2_patient()], as_of=AS_OF)
    assert caught.value.code == "ELIG-E011"


def test_a_screening_time_with_an_offset_is_compared_in_utc(sbrt_il2: Protocol) -> None:
    # without a planned start, windows count from the screening time: 2026-11-21 01:00+01:00 = 00:00 UTC,
    # and the test 2026-11-18 01:00 is then 71 h before (within 72 h)
    record = changed(
        without(sbrt_il2_patient(), ("planned_start",)), ("pregnancy_test", "datetime"), "2026-11-18T01:00"
    )
    as_of = datetime(2026, 11, 21, 1, 0, tzinfo=timezone(timedelta(hours=1)))
    result = evaluate_eligibility(sbrt_il2, PatientRecord.model_validate(record), as_of=as_of)
    assert criterion(result, "pregnancy-test").reason == "negative, 71 hours before the start"
