"""``oncotrial.store.services.safety``'s laboratory results and PK/biomarker samples on SQLite and PostgreSQL.

Rows are shaped on CDISCPILOT01's LB and PC (tests/reference/pharmaverse/sdtm/): pH has no unit, a urine
ketone result is text only, a PK sample below the limit of quantification (PCSTRESC '<BLQ') has no value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from oncotrial.errors import DataError
from oncotrial.store import Store, verify_chain
from oncotrial.store.models import LabResult, Sample
from oncotrial.store.services import actor_for, record_lab_results, record_samples
from tests.store.conftest import TRIAL, count_rows, enrol_eligible


def _lab(subject_id: str, **fields: Any) -> dict[str, Any]:
    row = {
        "subject_id": subject_id,
        "test_code": "ALB",
        "test_name": "Albumin",
        "category": "CHEMISTRY",
        "value": 38,
        "unit": "g/L",
        "normal_low": 33,
        "normal_high": 49,
        "collected_at": "2026-11-19T07:30",
        "visit": "SCREENING 1",
        "visit_number": 1,
        "baseline": "Y",
    }
    return {**row, **fields}


def _sample(subject_id: str, **fields: Any) -> dict[str, Any]:
    row = {
        "subject_id": subject_id,
        "kind": "pk",
        "analyte": "IL2",
        "analyte_name": "Interleukin-2",
        "specimen": "PLASMA",
        "collected_at": dt.datetime(2026, 11, 23, 8, 5),
        "value": 1.25,
        "unit": "ng/mL",
        "lloq": 0.01,
        "timepoint": "5 Min Post-dose",
        "timepoint_hours": 0.08,
        "visit": "CYCLE 1 DAY 1",
    }
    return {**row, **fields}


def _write(store: Store, function: Any, rows: list[dict[str, Any]]) -> list[int]:
    with store.write() as session:
        ids: list[int] = function(session, actor_for(session, "coord1"), TRIAL, rows)
        return ids


def test_lab_results_are_kept_with_units_ranges_and_baseline_flag(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store)
    rows = [
        _lab(subject_id),
        _lab(subject_id, test_code="PH", test_name="pH", category="URINALYSIS", value=6, unit=None, normal_low=5,
             normal_high=8, baseline=None),
        _lab(subject_id, test_code="KETONES", value=None, value_text="N", unit=None, normal_low=None,
             normal_high=None, collected_at="2026-11-19", baseline="N"),
    ]  # fmt: skip
    assert len(_write(trial_store, record_lab_results, rows)) == 3
    with trial_store.read() as session:
        kept = session.execute(
            select(LabResult.test_code, LabResult.value, LabResult.value_text, LabResult.unit, LabResult.normal_low,
                   LabResult.normal_high, LabResult.collected_at, LabResult.baseline).order_by(LabResult.id)
        ).all()  # fmt: skip
        assert verify_chain(session).ok
    assert [tuple(r) for r in kept] == [
        ("ALB", 38.0, None, "g/L", 33.0, 49.0, dt.datetime(2026, 11, 19, 7, 30), True),
        ("PH", 6.0, None, None, 5.0, 8.0, dt.datetime(2026, 11, 19, 7, 30), False),
        ("KETONES", None, "N", None, None, None, dt.datetime(2026, 11, 19, 0, 0), False),
    ]


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        pytest.param({"normal_low": 50}, "STORE-E121", "normal_low", id="low_above_high"),
        pytest.param({"value": None}, "STORE-E120", "value", id="no_value_no_text"),
        pytest.param({"value": "high"}, "STORE-E106", "value", id="value_not_a_number"),
        pytest.param({"value": float("inf")}, "STORE-E106", "value", id="value_infinite"),
        pytest.param({"collected_at": None}, "STORE-E102", "collected_at", id="no_date"),
        pytest.param({"collected_at": "2026-11-17T09:00"}, "STORE-E031", "collected_at", id="before_consent"),
        pytest.param({"collected_at": "19/11/2026"}, "STORE-E108", "collected_at", id="not_iso"),
        pytest.param({"baseline": "perhaps"}, "STORE-E107", "baseline", id="baseline_not_y_n"),
        pytest.param({"test_code": "X" * 17}, "STORE-E105", "test_code", id="code_too_long"),
    ],
)
def test_a_bad_lab_result_is_refused_naming_row_and_field(
    trial_store: Store, fields: dict[str, Any], code: str, field: str
) -> None:
    subject_id = enrol_eligible(trial_store)
    before = count_rows(trial_store, LabResult)
    with pytest.raises(DataError) as caught:
        _write(trial_store, record_lab_results, [_lab(subject_id), _lab(subject_id), _lab(subject_id, **fields)])
    assert (caught.value.code, caught.value.field, caught.value.rows, caught.value.subject_id) == (
        code,
        field,
        (3,),
        subject_id,
    )
    assert count_rows(trial_store, LabResult) == before


def test_samples_below_the_limit_of_quantification_need_no_value(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store)
    rows = [
        _sample(subject_id, value=None, unit=None, blq="Y", timepoint="Pre-dose", timepoint_hours=-0.5),
        _sample(subject_id),
        _sample(subject_id, kind="biomarker", analyte="CD8", analyte_name="CD8+ T cells", value=412, unit="cells/uL",
                lloq=None, timepoint=None, timepoint_hours=None),
    ]  # fmt: skip
    assert len(_write(trial_store, record_samples, rows)) == 3
    with trial_store.read() as session:
        kept = session.execute(
            select(Sample.kind, Sample.analyte, Sample.value, Sample.blq, Sample.timepoint_hours).order_by(Sample.id)
        ).all()
        assert verify_chain(session).ok
    assert [tuple(r) for r in kept] == [
        ("pk", "IL2", None, True, -0.5),
        ("pk", "IL2", 1.25, False, 0.08),
        ("biomarker", "CD8", 412.0, False, None),
    ]


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        pytest.param({"kind": "urine"}, "STORE-E104", "kind", id="kind_not_pk_or_biomarker"),
        pytest.param({"value": None}, "STORE-E130", "value", id="no_value_not_blq"),
        pytest.param({"unit": None}, "STORE-E131", "unit", id="value_without_unit"),
        pytest.param({"value": -0.2}, "STORE-E132", "value", id="negative_concentration"),
        pytest.param({"lloq": 0}, "STORE-E133", "lloq", id="lloq_zero"),
        pytest.param({"analyte": None}, "STORE-E102", "analyte", id="no_analyte"),
        pytest.param({"collected_at": "2026-11-10T08:00"}, "STORE-E031", "collected_at", id="before_consent"),
    ],
)
def test_a_bad_sample_is_refused_naming_row_and_field(
    trial_store: Store, fields: dict[str, Any], code: str, field: str
) -> None:
    subject_id = enrol_eligible(trial_store)
    before = count_rows(trial_store, Sample)
    with pytest.raises(DataError) as caught:
        _write(trial_store, record_samples, [_sample(subject_id), _sample(subject_id, **fields)])
    assert (caught.value.code, caught.value.field, caught.value.rows) == (code, field, (2,))
    assert count_rows(trial_store, Sample) == before
