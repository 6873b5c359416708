"""Every eligibility result has one shape: frozen, ``to_frame()`` a DataFrame, ``to_dict()`` JSON-safe,
``str()`` non-empty and at most 80 columns.

The records are those of tests/eligibility/test_evaluate.py (NCT01416831, screening 2026-11-21): the
eligible patient, the same with ECOG 2 (ineligible: ECOG must be 0 or 1) and one whose WBC result has
no unit (not screened, ELIG-E001); the counts below follow from those three changes.
"""

from __future__ import annotations

from typing import Any

import pytest

from oncotrial.eligibility import RecordProblem, ScreeningLog, screen_patients
from oncotrial.protocol.models import Protocol
from tests.eligibility.test_evaluate import AS_OF, changed, sbrt_il2_patient
from tests.result_shape import assert_result_shape


def _log(protocol: Protocol) -> ScreeningLog:
    no_unit = changed(sbrt_il2_patient(), ("labs", "wbc"), {"analyte": "wbc", "value": 4.2, "date": "2026-11-16"})
    records = [
        changed(sbrt_il2_patient(), ("subject_id",), "P1"),
        changed(changed(sbrt_il2_patient(), ("ecog", "value"), 2), ("subject_id",), "P2"),
        changed(no_unit, ("subject_id",), "P3"),
    ]
    return screen_patients(protocol, records, as_of=AS_OF)


def _instances(protocol: Protocol) -> dict[str, Any]:
    log = _log(protocol)
    return {
        "ScreeningLog": log,
        "EligibilityResult": log.results[1],
        "CriterionResult": next(c for c in log.results[1].criteria if c.status == "not met"),
        "RecordProblem": log.problems[0],
    }


@pytest.mark.parametrize("name", ["ScreeningLog", "EligibilityResult", "CriterionResult", "RecordProblem"])
def test_every_result_has_the_one_shape(sbrt_il2: Protocol, name: str) -> None:
    """Frozen dataclass; to_frame() a non-empty DataFrame; to_dict() passes json.dumps(allow_nan=False);
    str() non-empty with every line at most 80 characters."""
    result = _instances(sbrt_il2)[name]
    assert_result_shape(result)


def test_screening_log_text_counts_and_names_each_record(sbrt_il2: Protocol) -> None:
    """P1 eligible, P2 ineligible (ECOG 2), P3 not screened: 3 records, 2 screened."""
    text = str(_log(sbrt_il2))
    lines = text.splitlines()
    assert " ".join(text.split()).startswith(
        "records: 3, screened: 2, eligible: 1, ineligible: 1, incomplete: 0, not screened: 1"
    )
    assert "P1: eligible" in lines
    assert any(line.startswith("P2: ineligible (") for line in lines)
    assert any(line.startswith("Not screened (record 3): Patient P3:") for line in lines)


def test_eligibility_result_frame_has_a_row_per_criterion(sbrt_il2: Protocol) -> None:
    """P2's frame: one row per criterion of the protocol, the ECOG one not met."""
    result = _log(sbrt_il2).results[1]
    frame = result.to_frame()
    assert len(frame) == len(result.criteria)
    assert set(frame["subject_id"]) == {"P2"}
    assert "not met" in set(frame["status"])


def test_a_record_problem_is_a_record_not_an_exception(sbrt_il2: Protocol) -> None:
    """The unscreened record P3 is described by a RecordProblem (a dataclass, not an Exception)."""
    problem = _log(sbrt_il2).problems[0]
    assert isinstance(problem, RecordProblem)
    assert not isinstance(problem, BaseException)
    assert (problem.index, problem.subject_id, problem.code) == (3, "P3", "ELIG-E001")
