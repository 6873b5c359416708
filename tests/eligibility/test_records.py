"""``oncotrial.eligibility.records``: the patient record shape and its validation."""

from __future__ import annotations

import math
import textwrap
from datetime import date, datetime
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from oncotrial.eligibility import PatientRecord, records
from oncotrial.eligibility.records import LabResult, Lesion
from oncotrial.units import clean_lab_unit


def _documented_example() -> dict[str, Any]:
    """The YAML example of the module docstring, as a user would copy it."""
    doc = records.__doc__ or ""
    block = doc.split("Example (YAML)::", 1)[1].split("Every field is optional", 1)[0]
    data = yaml.safe_load(textwrap.dedent(block))
    assert isinstance(data, dict)
    return data


def test_documented_example_is_a_valid_record() -> None:
    record = PatientRecord.model_validate(_documented_example())
    assert record.subject_id == "SCR-001"
    assert record.birth_date == date(1961, 4, 2)
    assert record.planned_start == datetime(2026, 11, 23, 8, 0)
    assert record.ecog is not None
    assert (record.ecog.value, record.ecog.date) == (1, date(2026, 11, 16))
    assert [(lab.analyte, lab.value, lab.unit, lab.uln) for lab in record.labs] == [
        ("wbc", 4.2, "10^9/L", None),
        ("ast", 41.0, "U/L", 40.0),
        ("creatinine", 88.0, "umol/L", 110.0),
    ]
    assert record.lesions is not None
    assert [(les.site, les.nodal) for les in record.lesions] == [("lung", False), ("lymph_node", True)]
    assert record.events == {"prior_radiotherapy": date(2026, 9, 1), "major_surgery": None}
    assert record.prior_therapies is not None
    assert record.prior_therapies[0].end_date == date(2025, 12, 1)
    assert record.pregnancy_test is not None
    assert record.pregnancy_test.datetime == datetime(2026, 11, 21, 9, 0)
    assert record.reviews == {"contraception": True}


def test_only_the_subject_id_is_required() -> None:
    record = PatientRecord.model_validate({"subject_id": "MIN-1"})
    assert record.labs == []
    assert record.conditions == {}
    assert record.events == {}
    assert record.reviews == {}
    # None, not an empty list: "not recorded" differs from "none".
    assert record.lesions is None
    assert record.prior_therapies is None
    assert (record.sex, record.ecog, record.pregnancy_test, record.consent_date) == (None, None, None, None)


def test_empty_lists_mean_none_recorded() -> None:
    record = PatientRecord.model_validate({"subject_id": "MIN-2", "lesions": [], "prior_therapies": []})
    assert record.lesions == []
    assert record.prior_therapies == []


def test_records_are_frozen() -> None:
    record = PatientRecord.model_validate({"subject_id": "F-1"})
    with pytest.raises(ValidationError, match="frozen"):
        record.subject_id = "F-2"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        pytest.param({"subject_id": ""}, r"subject_id\n.*at least 1 character", id="empty-subject-id"),
        pytest.param(
            {"sex": "other"},
            r"sex\n.*unknown sex 'other'; use one of female, male \(or F, M; any case\)",
            id="sex-other",
        ),
        pytest.param({"age_years": -1}, r"age_years\n.*greater than or equal to 0", id="negative-age"),
        pytest.param({"ecog": {"value": 6}}, r"ecog\.value\n.*less than or equal to 5", id="ecog-6"),
        pytest.param({"ecog": {"value": -1}}, r"ecog\.value\n.*greater than or equal to 0", id="ecog-minus-1"),
        pytest.param({"life_expectancy_weeks": -2}, r"life_expectancy_weeks", id="negative-life-expectancy"),
        pytest.param(
            {"conditions": {"gout": True}},
            r"unknown condition\(s\) 'gout'; 30 names are accepted",
            id="unknown-condition",
        ),
        pytest.param(
            {"events": {"chemo": "2026-01-01"}},
            r"unknown event\(s\) 'chemo'; use one of prior_radiotherapy, major_surgery",
            id="unknown-event",
        ),
        pytest.param({"events": {"major_surgery": "last spring"}}, r"events\.major_surgery", id="event-not-a-date"),
        pytest.param(
            {"lesions": [{"site": "lung", "method": "pet", "size_mm": 12}]}, r"lesions\.0\.method", id="lesion-method"
        ),
        pytest.param(
            {"lesions": [{"site": "lung", "method": "ct", "size_mm": -1}]}, r"lesions\.0\.size_mm", id="lesion-size"
        ),
        pytest.param({"prior_therapies": [{"therapy": "surgery"}]}, r"prior_therapies\.0\.therapy", id="therapy"),
        pytest.param(
            {"prior_therapies": [{"therapy": "chemotherapy", "setting": "neoadjuvant"}]},
            r"prior_therapies\.0\.setting",
            id="setting",
        ),
        pytest.param(
            {"pregnancy_test": {"result": "equivocal", "datetime": "2026-11-21T09:00"}},
            r"pregnancy_test\.result",
            id="pregnancy-result",
        ),
        pytest.param({"pregnancy_test": {"result": "negative"}}, r"pregnancy_test\.datetime\n.*required", id="no-time"),
        pytest.param({"reviews": {"contraception": "maybe"}}, r"reviews\.contraception", id="review-not-a-boolean"),
        pytest.param({"weight_kg": 70}, r"weight_kg\n.*Extra inputs are not permitted", id="unknown-field"),
    ],
)
def test_malformed_record_fields(changes: dict[str, Any], match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        PatientRecord.model_validate({"subject_id": "BAD-1", **changes})


def test_a_record_must_be_a_mapping() -> None:
    with pytest.raises(ValidationError, match="valid dictionary or instance of PatientRecord"):
        PatientRecord.model_validate(["subject_id", "X"])


# --- laboratory results: analyte and unit -----------------------------------------------------


def _lab(**fields: Any) -> LabResult:
    return LabResult.model_validate({"analyte": "wbc", "value": 4.2, "unit": "10^9/L", **fields})


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        pytest.param({"unit": None}, r"unit\n.*valid string", id="unit-none"),
        pytest.param({"unit": ""}, r"unit\n.*at least 1 character", id="unit-empty"),
        pytest.param(
            {"unit": "furlongs"}, r"unit: 'furlongs' is not a unit for wbc \(a count per volume", id="furlongs"
        ),
        pytest.param({"unit": "xyz"}, r"unit: 'xyz' is not a laboratory unit oncotrial knows", id="xyz"),
        pytest.param({"unit": "g/dL"}, r"'g/dL' is not a unit for wbc", id="concentration-for-a-count"),
        pytest.param(
            {"analyte": "hemoglobin", "unit": "10^9/L"},
            r"'10\^9/L' is not a unit for hemoglobin \(a concentration",
            id="count-for-hemoglobin",
        ),
        pytest.param(
            {"analyte": "ast", "unit": "mg/dL"}, r"not a unit for ast \(an? enzyme activity", id="mass-for-ast"
        ),
        pytest.param({"analyte": "dlco_pct_predicted", "unit": "mL"}, r"not a unit for dlco_pct_predicted", id="mL"),
        pytest.param({"analyte": "ldh", "unit": "U/L"}, r"unknown analyte 'ldh'", id="unknown-analyte"),
        pytest.param({"value": "high"}, r"value\n.*valid number", id="value-not-a-number"),
        pytest.param({"date": "yesterday"}, r"date\n.*valid date", id="date-not-a-date"),
    ],
)
def test_malformed_lab_results(fields: dict[str, Any], match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        _lab(**fields)


def test_missing_unit_is_named_by_its_position_in_the_record() -> None:
    with pytest.raises(ValidationError, match=r"labs\.1\.unit\n\s+Field required"):
        PatientRecord.model_validate(
            {
                "subject_id": "BAD-2",
                "labs": [
                    {"analyte": "hemoglobin", "value": 12.5, "unit": "g/dL"},
                    {"analyte": "wbc", "value": 4.2},
                ],
            }
        )


@pytest.mark.parametrize(
    ("analyte", "unit"),
    [
        pytest.param("wbc", "10^9/L", id="wbc-10^9/L"),
        pytest.param("wbc", "x10^9/L", id="wbc-x10^9/L"),
        pytest.param("wbc", "×10^9/L", id="wbc-times-sign"),
        pytest.param("wbc", "cells/uL", id="wbc-cells/uL"),
        pytest.param("wbc", "/mm^3", id="wbc-per-mm3"),
        pytest.param("platelets", "10^3/uL", id="platelets-10^3/uL"),
        pytest.param("granulocytes", "/uL", id="granulocytes-per-uL"),
        pytest.param("hemoglobin", "g/dL", id="hemoglobin-g/dL"),
        pytest.param("hemoglobin", "g/L", id="hemoglobin-g/L"),
        pytest.param("creatinine", "umol/L", id="creatinine-umol/L"),
        pytest.param("creatinine", "µmol/L", id="creatinine-micro-sign"),
        pytest.param("bilirubin_total", "mg/dL", id="bilirubin-mg/dL"),
        pytest.param("ast", "U/L", id="ast-U/L"),
        pytest.param("alt", "IU/L", id="alt-IU/L"),
        pytest.param("fev1_pct_predicted", "%", id="fev1-percent"),
    ],
)
def test_site_unit_spellings_are_accepted(analyte: str, unit: str) -> None:
    assert _lab(analyte=analyte, unit=unit).unit == unit  # kept as written; converted when evaluated


@pytest.mark.parametrize(
    ("written", "cleaned"),
    [
        pytest.param("x10^9/L", "10^9/L", id="x10"),
        pytest.param("X10^9/L", "10^9/L", id="X10"),
        pytest.param("×10^9/L", "10^9/L", id="times-sign"),
        pytest.param(" x10^9/L ", "10^9/L", id="spaces"),
        pytest.param("cells/uL", "/uL", id="cells-per-uL"),
        pytest.param("10^9/L", "10^9/L", id="already-clean"),
        pytest.param("g/dL", "g/dL", id="concentration-untouched"),
        pytest.param("10E9/L", "10^9/L", id="E-notation"),
        pytest.param("x10e9/L", "10^9/L", id="x-and-e-notation"),
        pytest.param("10*9/L", "10^9/L", id="ucum"),
        pytest.param("/mm3", "/mm^3", id="mm3"),
        pytest.param("cells/mm3", "/mm^3", id="cells-per-mm3"),
        pytest.param("10^3/uL", "10^3/uL", id="per-microlitre"),
    ],
)
def test_clean_lab_unit(written: str, cleaned: str) -> None:
    assert clean_lab_unit(written) == cleaned


# --- impossible values, units and sites ----------------------------------------------------------


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


def test_a_substance_unit_for_an_analyte_without_a_molar_mass_is_refused() -> None:
    # mmol/L suits creatinine, bilirubin and hemoglobin (molar masses known), not a blood count
    with pytest.raises(ValidationError, match="not a unit for wbc"):
        LabResult.model_validate({"analyte": "wbc", "value": 4, "unit": "mmol/L"})


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


def test_a_birth_date_over_120_years_ago_is_refused() -> None:
    with pytest.raises(ValidationError, match="over 120 years old; check the year"):
        PatientRecord.model_validate({"subject_id": "OLD", "birth_date": "1800-01-01"})


# --- spellings people type ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "analyte"),
    [
        pytest.param("WBC", "wbc", id="WBC"),
        pytest.param("wbc", "wbc", id="wbc"),
        pytest.param("Hgb", "hemoglobin", id="Hgb"),
        pytest.param("HGB", "hemoglobin", id="HGB"),
        pytest.param("Haemoglobin", "hemoglobin", id="Haemoglobin"),
        pytest.param("PLT", "platelets", id="PLT"),
        pytest.param("Total Bilirubin", "bilirubin_total", id="total-bilirubin"),
        pytest.param("FEV1/FVC", "fev1_fvc_pct_predicted", id="fev1-fvc"),
    ],
)
def test_analyte_spellings_are_read_in_any_case(typed: str, analyte: str) -> None:
    unit = "%" if analyte.endswith("predicted") else "g/dL" if analyte in ("hemoglobin", "bilirubin_total") else "/mm3"
    assert LabResult.model_validate({"analyte": typed, "value": 1, "unit": unit}).analyte == analyte


@pytest.mark.parametrize(
    ("typed", "sex"),
    [
        pytest.param("M", "male", id="M"),
        pytest.param("m", "male", id="m"),
        pytest.param("male", "male", id="male"),
        pytest.param("Male", "male", id="Male"),
        pytest.param("F", "female", id="F"),
        pytest.param("FEMALE", "female", id="FEMALE"),
    ],
)
def test_sex_spellings_are_read_in_any_case(typed: str, sex: str) -> None:
    assert PatientRecord.model_validate({"subject_id": "S", "sex": typed}).sex == sex


def test_an_unknown_analyte_error_lists_the_accepted_names() -> None:
    with pytest.raises(ValidationError, match="unknown analyte 'ldh'; use one of wbc, anc, granulocytes, platelets"):
        LabResult.model_validate({"analyte": "ldh", "value": 200, "unit": "U/L"})


def test_controlled_values_and_names_are_read_in_any_case() -> None:
    record = PatientRecord.model_validate(
        {
            "subject_id": "S",
            "lesions": [
                {"site": "Lung", "method": "CT", "size_mm": 12},
                {"site": "liver", "method": "X-ray", "size_mm": 30},
            ],
            "prior_therapies": [{"therapy": "Immunotherapy", "setting": "Adjuvant"}],
            "pregnancy_test": {"result": "Negative", "datetime": "2026-11-21T09:00"},
            "conditions": {"Brain Metastases": False},
            "events": {"Major Surgery": None},
        }
    )
    assert record.lesions is not None
    assert [les.method for les in record.lesions] == ["ct", "xray"]
    assert record.prior_therapies is not None
    assert (record.prior_therapies[0].therapy, record.prior_therapies[0].setting) == ("immunotherapy", "adjuvant")
    assert record.pregnancy_test is not None
    assert record.pregnancy_test.result == "negative"
    assert record.conditions == {"brain_metastases": False}
    assert record.events == {"major_surgery": None}
