"""``oncotrial.eligibility.screening``: batches of records, bad records reported, the screening log.

The eligible records and the calendar (screening 2026-11-21, start 2026-11-23) are those of
tests/eligibility/test_evaluate.py; every count below is worked out by hand from the changes made.
"""

from __future__ import annotations

import json
import math
import random
from typing import Any

import pytest

from oncotrial.eligibility import PatientRecord, RecordProblem, evaluate_eligibility, screen_patients
from oncotrial.errors import DataError
from oncotrial.protocol.models import Protocol
from tests.eligibility.test_evaluate import AS_OF, changed, il21_patient, lab, sbrt_il2_patient, without


def named(record: dict[str, Any], subject_id: str) -> dict[str, Any]:
    return changed(record, ("subject_id",), subject_id)


# --- one bad record does not stop the batch ---------------------------------------------------


def test_bad_middle_record_is_reported_and_the_others_screened(sbrt_il2: Protocol) -> None:
    bad = changed(sbrt_il2_patient(), ("labs", "wbc"), {"analyte": "wbc", "value": 4.2, "date": "2026-11-16"})
    records = [
        named(sbrt_il2_patient(), "P1"),  # eligible
        named(bad, "P2"),  # the WBC result has no unit
        named(changed(sbrt_il2_patient(), ("ecog", "value"), 2), "P3"),  # ECOG 2 > 1: ineligible
    ]
    log = screen_patients(sbrt_il2, records, as_of=AS_OF)
    assert [(r.subject_id, r.status) for r in log.results] == [("P1", "eligible"), ("P3", "ineligible")]
    (error,) = log.problems
    assert (error.index, error.subject_id) == (2, "P2")
    assert error.message == "Patient P2: labs.0.unit: Field required"
    assert log.summary() == {
        "records": 3,
        "screened": 2,
        "eligible": 1,
        "ineligible": 1,
        "incomplete": 0,
        "not screened": 1,
    }


@pytest.mark.parametrize(
    ("record", "subject_id", "fragments"),
    [
        pytest.param(
            {"subject_id": "U1", "labs": [{"analyte": "wbc", "value": 4.2, "date": "2026-11-16"}]},
            "U1",
            ("Patient U1", "labs.0.unit", "Field required"),
            id="lab-without-unit",
        ),
        pytest.param(
            {"subject_id": "U2", "labs": [lab("hemoglobin", 12.5, "g/dL"), lab("wbc", 3, "furlongs")]},
            "U2",
            ("Patient U2", "labs.1", "'furlongs' is not a unit for wbc"),
            id="furlongs-for-wbc",
        ),
        pytest.param(
            {"subject_id": "U3", "labs": [lab("platelets", 150, "xyz")]},
            "U3",
            ("Patient U3", "labs.0", "'xyz' is not a laboratory unit"),
            id="unit-xyz",
        ),
        pytest.param(
            {"subject_id": "U4", "labs": [lab("ldh", 200, "U/L")]},
            "U4",
            ("Patient U4", "labs.0.analyte", "unknown analyte 'ldh'"),
            id="unknown-analyte",
        ),
        pytest.param(
            {"subject_id": "U5", "conditions": {"gout": True}},
            "U5",
            ("Patient U5", "conditions", "unknown condition(s) 'gout'; 30 names are accepted"),
            id="unknown-condition",
        ),
        pytest.param(
            {"subject_id": "U6", "events": {"chemo": "2026-01-01"}},
            "U6",
            ("Patient U6", "events", "unknown event(s) 'chemo'; use one of prior_radiotherapy"),
            id="unknown-event",
        ),
        pytest.param(
            {"subject_id": "U7", "ecog": {"value": 6, "date": "2026-11-16"}},
            "U7",
            ("Patient U7", "ecog.value", "less than or equal to 5"),
            id="ecog-6",
        ),
        pytest.param(
            {"subject_id": "U8", "weight_kg": 70},
            "U8",
            ("Patient U8", "weight_kg", "Extra inputs are not permitted"),
            id="unknown-field",
        ),
        pytest.param(
            {"subject_id": "U9", "birth_date": "02/04/1961"},
            "U9",
            ("Patient U9", "birth_date"),
            id="date-not-iso",
        ),
        pytest.param("U10", None, ("A patient record", "valid dictionary"), id="not-a-mapping"),
        pytest.param({"sex": "female"}, None, ("A patient record", "subject_id", "Field required"), id="no-subject-id"),
    ],
)
def test_malformed_record_is_a_record_error(
    il21: Protocol, record: Any, subject_id: str | None, fragments: tuple[str, ...]
) -> None:
    log = screen_patients(il21, [record], as_of=AS_OF)
    assert log.results == ()
    (error,) = log.problems
    assert (error.index, error.subject_id) == (1, subject_id)
    for fragment in fragments:
        assert fragment in error.message
    assert log.summary() == {
        "records": 1,
        "screened": 0,
        "eligible": 0,
        "ineligible": 0,
        "incomplete": 0,
        "not screened": 1,
    }


def test_prior_therapy_ending_after_the_screening_date_is_a_record_error(il21: Protocol) -> None:
    future = named(changed(il21_patient(), ("prior_therapies", 0, "end_date"), "2026-12-01"), "F1")
    log = screen_patients(il21, [future, il21_patient()], as_of=AS_OF)
    assert [r.subject_id for r in log.results] == ["IL21-001"]
    (error,) = log.problems
    assert (error.index, error.subject_id) == (1, "F1")
    assert error.message == (
        "Patient F1: prior_therapies[immunotherapy].end_date is 2026-12-01, after the screening date and the "
        "planned start (2026-11-23). Correct the date (an ongoing therapy has no end_date)."
    )


def test_event_after_the_screening_date_is_a_record_error(il21: Protocol) -> None:
    future = changed(il21_patient(), ("events", "prior_radiotherapy"), "2027-01-01")
    log = screen_patients(il21, [future], as_of=AS_OF)
    (error,) = log.problems
    assert error.code == "ELIG-E010"
    assert error.message.startswith("Patient IL21-001: events.prior_radiotherapy is 2027-01-01, after the screening")


def test_records_may_be_patient_record_objects(il21: Protocol) -> None:
    record = PatientRecord.model_validate(il21_patient())
    log = screen_patients(il21, [record, named(il21_patient(reviewed=False), "IL21-002")], as_of=AS_OF)
    assert [(r.subject_id, r.status) for r in log.results] == [("IL21-001", "eligible"), ("IL21-002", "incomplete")]
    assert log.problems == ()


def test_the_data_age_window_reaches_every_record(sbrt_il2: Protocol) -> None:
    # ECOG of 2026-10-25: 29 days before the start, stale at 28 days, usable at 60.
    old_ecog = changed(sbrt_il2_patient(), ("ecog", "date"), "2026-10-25")
    assert screen_patients(sbrt_il2, [old_ecog], as_of=AS_OF).results[0].status == "incomplete"
    assert screen_patients(sbrt_il2, [old_ecog], as_of=AS_OF, max_data_age_days=60).results[0].status == "eligible"


# --- the screening log ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def il21_batch_log(il21: Protocol) -> Any:
    """Four IL-21 patients.

    * B1: eligible, reviewed.
    * B2: ECOG 3 (not met), no reviews (3 x needs review) -> ineligible.
    * B3: granulocytes 1200 /mm^3 (< 1500: not met), no platelet count (unknown) -> ineligible.
    * B4: every lab of 2026-10-01 (53 days before the start, stale: granulocytes, platelets, bilirubin,
      creatinine and AST/ALT unknown), no reviews (3 x needs review) -> incomplete.
    """
    stale_labs = [{**result, "date": "2026-10-01"} for result in il21_patient()["labs"]]
    records = [
        named(il21_patient(), "B1"),
        named(changed(il21_patient(reviewed=False), ("ecog", "value"), 3), "B2"),
        named(changed(without(il21_patient(), ("labs", "platelets")), ("labs", "granulocytes", "value"), 1200), "B3"),
        named(changed(il21_patient(reviewed=False), ("labs",), stale_labs), "B4"),
    ]
    return screen_patients(il21, records, as_of=AS_OF)


def test_batch_statuses_and_summary(il21_batch_log: Any) -> None:
    assert [(r.subject_id, r.status) for r in il21_batch_log.results] == [
        ("B1", "eligible"),
        ("B2", "ineligible"),
        ("B3", "ineligible"),
        ("B4", "incomplete"),
    ]
    assert il21_batch_log.summary() == {
        "records": 4,
        "screened": 4,
        "eligible": 1,
        "ineligible": 2,
        "incomplete": 1,
        "not screened": 0,
    }


def test_reasons_count_each_criterion_by_status(il21_batch_log: Any) -> None:
    table = il21_batch_log.reasons()
    assert list(table.columns) == ["criterion", "type", "not met", "unknown", "needs review"]
    rows = {row["criterion"]: row for row in table.to_dict(orient="records")}
    counts = {c: (r["type"], r["not met"], r["unknown"], r["needs review"]) for c, r in rows.items()}
    assert counts == {
        "ecog": ("inclusion", 1, 0, 0),  # B2
        "granulocytes": ("inclusion", 1, 1, 0),  # B3 not met, B4 stale
        "platelets": ("inclusion", 0, 2, 0),  # B3 missing, B4 stale
        "bilirubin": ("inclusion", 0, 1, 0),  # B4
        "creatinine": ("inclusion", 0, 1, 0),  # B4
        "ast-alt": ("inclusion", 0, 1, 0),  # B4
        "contraception": ("inclusion", 0, 0, 2),  # B2, B4
        "intercurrent-illness": ("inclusion", 0, 0, 2),
    }
    # Most failures first: granulocytes (1 not met, 1 unknown) before ECOG (1 not met, 0 unknown).
    assert list(table["criterion"][:3]) == ["granulocytes", "ecog", "platelets"]


def test_log_to_dict_is_json_ready(il21_batch_log: Any) -> None:
    document = json.loads(json.dumps(il21_batch_log.to_dict()))
    assert set(document) == {"summary", "reasons", "patients", "problems"}
    assert document["summary"]["ineligible"] == 2
    assert len(document["reasons"]) == 8
    assert [p["subject_id"] for p in document["patients"]] == ["B1", "B2", "B3", "B4"]
    b3 = document["patients"][2]
    assert b3["status"] == "ineligible"
    assert b3["reasons"] == [
        "granulocytes: granulocytes 1200 /mm^3 = 1200 /mm^3 (inclusion: Absolute granulocytes count ≥ 1,500/mm^3)"
    ]
    platelets = next(c for c in b3["criteria"] if c["criterion_id"] == "platelets")
    assert (platelets["status"], platelets["missing"]) == ("unknown", ["platelets"])
    assert document["problems"] == []


def test_empty_batch(il21: Protocol) -> None:
    log = screen_patients(il21, [], as_of=AS_OF)
    assert log.summary() == {
        "records": 0,
        "screened": 0,
        "eligible": 0,
        "ineligible": 0,
        "incomplete": 0,
        "not screened": 0,
    }
    assert log.reasons().empty
    assert list(log.reasons().columns) == ["criterion", "type", "not met", "unknown", "needs review"]


def test_record_error_to_dict() -> None:
    error = RecordProblem(2, "P2", "Patient P2: labs.0.unit: Field required", "ELIG-E001")
    assert error.to_dict() == {
        "index": 2,
        "subject_id": "P2",
        "message": "Patient P2: labs.0.unit: Field required",
        "code": "ELIG-E001",
    }


# --- evaluate_eligibility itself raises on a prior therapy ending after the screening date ------


def test_prior_therapy_ending_after_the_screening_date_is_a_data_error(il21: Protocol) -> None:
    # AS_OF is 2026-11-21 and the planned start 2026-11-23: data may be dated up to the start, not after it
    record = changed(il21_patient(), ("prior_therapies", 0, "end_date"), "2026-11-24")
    with pytest.raises(
        DataError, match=r"IL21-001: prior_therapies\[immunotherapy\]\.end_date is 2026-11-24, after the"
    ) as info:
        evaluate_eligibility(il21, PatientRecord.model_validate(record), as_of=AS_OF)
    assert info.value.code == "ELIG-E010"
    assert info.value.fields["subject_id"] == "IL21-001"
    assert info.value.fields["field"] == "prior_therapies[immunotherapy].end_date"


def test_prior_therapy_ending_on_the_screening_date_is_accepted(il21: Protocol) -> None:
    record = changed(il21_patient(), ("prior_therapies", 0, "end_date"), "2026-11-21")
    assert evaluate_eligibility(il21, PatientRecord.model_validate(record), as_of=AS_OF).status == "eligible"


# --- record errors and batch rules -------------------------------------------------------------


def test_a_nan_lab_value_is_a_record_error_not_a_pass(sbrt_il2: Protocol) -> None:
    record = changed(sbrt_il2_patient(), ("labs", "wbc"), lab("wbc", math.nan, "10^9/L"))
    log = screen_patients(sbrt_il2, [record], as_of=AS_OF)
    assert log.results == ()
    (error,) = log.problems
    assert error.message.startswith("Patient SBRT-001: labs.0.value: Input should be a finite number")


def test_a_birth_date_after_the_screening_date_is_a_record_error(sbrt_il2: Protocol) -> None:
    record = changed(sbrt_il2_patient(), ("birth_date",), "2030-01-01")
    (error,) = screen_patients(sbrt_il2, [record], as_of=AS_OF).problems
    assert error.code == "ELIG-E010"
    assert "birth_date is 2030-01-01" in error.message


def test_date_errors_say_how_to_write_a_date(sbrt_il2: Protocol) -> None:
    record = changed(sbrt_il2_patient(), ("birth_date",), "16/11/1960")
    (error,) = screen_patients(sbrt_il2, [record], as_of=AS_OF).problems
    assert error.message.startswith("Patient SBRT-001: birth_date: ")
    assert error.message.endswith("(write dates as YYYY-MM-DD)")


def test_a_numeric_subject_id_zero_is_named(sbrt_il2: Protocol) -> None:
    record = changed(changed(sbrt_il2_patient(), ("subject_id",), 0), ("sex",), "X")
    (error,) = screen_patients(sbrt_il2, [record], as_of=AS_OF).problems
    assert error.subject_id == "0"
    assert error.message.startswith("Patient 0: sex:")


def test_a_repeated_subject_id_is_not_screened_twice(sbrt_il2: Protocol) -> None:
    log = screen_patients(sbrt_il2, [sbrt_il2_patient(), sbrt_il2_patient()], as_of=AS_OF)
    assert [r.subject_id for r in log.results] == ["SBRT-001"]
    (error,) = log.problems
    assert (error.index, error.code) == (2, "ELIG-E012")
    assert error.message.startswith("Patient SBRT-001: the subject_id is also that of record 1")
    assert log.summary()["not screened"] == 1


def test_a_protocol_without_criteria_cannot_screen(sbrt_il2: Protocol) -> None:
    empty = sbrt_il2.model_copy(update={"eligibility": []})
    with pytest.raises(DataError, match="has no eligibility criteria") as caught:
        screen_patients(empty, [sbrt_il2_patient()], as_of=AS_OF)
    assert caught.value.code == "ELIG-E011"


def test_a_record_error_has_one_short_line_per_problem(sbrt_il2: Protocol) -> None:
    """Three problems (an unknown analyte, an impossible ECOG, a date written day-first): three lines under the
    patient's name, each short, not one line joined by semicolons."""
    record = {
        "subject_id": "MANY",
        "labs": [lab("ldh", 200, "U/L")],
        "ecog": {"value": 7},
        "birth_date": "16/11/1960",
    }
    (error,) = screen_patients(sbrt_il2, [record], as_of=AS_OF).problems
    lines = error.message.splitlines()
    assert lines[0] == "Patient MANY: 3 problems"
    assert [line.split(":")[0].strip() for line in lines[1:]] == ["birth_date", "ecog.value", "labs.0.analyte"]
    assert len(error.details) == 3
    assert max(len(line) for line in lines) < 250  # the analyte line lists the 12 accepted names


# --- a batch is screened as each record alone -------------------------------------------------------

_UNITS = {"wbc": [(1.0, "10^9/L"), (1000.0, "/mm3"), (1.0, "x10E9/L")], "hemoglobin": [(1.0, "g/dL"), (10.0, "g/L")]}


def _varied_records(n: int, seed: int) -> list[dict[str, Any]]:
    """Variations of the two eligible seed patients: values moved, units changed, fields dropped, reviews
    recorded, a few malformed records and repeated ids."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        record = sbrt_il2_patient() if i % 2 else il21_patient(reviewed=rng.random() < 0.5)
        record["subject_id"] = f"V{i:04d}" if rng.random() > 0.02 else "V0001"
        for result in record["labs"]:
            result["value"] = round(result["value"] * rng.uniform(0.5, 1.6), 2)
            if result["analyte"] in _UNITS:
                factor, result["unit"] = rng.choice(_UNITS[result["analyte"]])
                result["value"] = round(result["value"] * factor, 2)
            if rng.random() < 0.05:
                result["date"] = "2026-09-01"  # stale
        for field in ("ecog", "lesions", "birth_date", "consent_date"):
            if rng.random() < 0.1:
                record.pop(field, None)
        if rng.random() < 0.3:
            record["reviews"] = {"pulmonary-function": rng.random() < 0.5, "contraception": True}
        record["sex"] = rng.choice(["female", "F", "male", "M"])
        if rng.random() < 0.03:
            record["ecog"] = {"value": 7}
        records.append(record)
    return records


def test_a_batch_gives_the_results_of_screening_each_record_alone(protocols: dict[str, Protocol]) -> None:
    """300 varied records per protocol: the batch's results and errors equal those of one record at a time
    (the first of a repeated id screened, the later ones refused as in the batch)."""
    for protocol in protocols.values():
        records = _varied_records(300, seed=12)
        log = screen_patients(protocol, records, as_of=AS_OF)
        one_by_one = [screen_patients(protocol, [record], as_of=AS_OF) for record in records]
        seen: set[str] = set()
        expected_results, expected_errors = [], []
        for index, (record, alone) in enumerate(zip(records, one_by_one, strict=True), start=1):
            if record["subject_id"] in seen:
                expected_errors.append((index, "ELIG-E012"))
                continue
            seen.add(record["subject_id"])
            expected_results += list(alone.results)
            expected_errors += [(index, error.code) for error in alone.problems]
        assert list(log.results) == expected_results
        assert [(error.index, error.code) for error in log.problems] == expected_errors
        assert len(log.results) > 200
        assert {r.status for r in log.results} == {"eligible", "ineligible", "incomplete"}
