"""``oncotrial.eligibility.parse``: registry free text into criteria, permissions and review items.

Expected criteria are read by hand from the registry lines quoted in each test (NCT00514085 and
NCT01416831 in tests/reference/ctgov/)."""

from __future__ import annotations

from typing import Any

import pytest

from oncotrial.eligibility.parse import parse_criteria_text

STEROIDS = """Inclusion Criteria:
- No concurrent systemic corticosteroids (e.g., prednisone or dexamethasone)
    - Concurrent topical steroids are allowed
- Patient requires chronic steroids.
"""

PULMONARY = (
    "DLCO, FEV1 or FEV1/FVC less than 70% of predicted due to clinically significant underlying pulmonary disease. "
    "For any pulmonary function test values less than predicted values, the PI will review, and document the "
    "patient's suitability for high dose IL-2 therapy."
)


def _fields(criterion: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in criterion.items() if k not in ("id", "text", "note")}


def test_a_permission_is_kept_with_the_criterion_above_it_not_as_a_criterion() -> None:
    """NCT00514085: "Concurrent topical steroids are allowed" under "No concurrent systemic corticosteroids"."""
    lines = parse_criteria_text(STEROIDS)
    assert [(line.text[:28], line.rule, line.permission) for line in lines] == [
        ("No concurrent systemic corti", True, False),
        ("Concurrent topical steroids ", False, True),
        ("Patient requires chronic ste", True, False),
    ]
    owner = lines[0].criterion
    assert lines[1].criterion is owner
    assert owner["permissions"] == ["Concurrent topical steroids are allowed"]
    assert _fields(owner) == {
        "type": "inclusion",
        "kind": "condition",
        "condition": "concurrent_systemic_corticosteroids",
        "present": False,
        "permissions": ["Concurrent topical steroids are allowed"],
    }
    assert all(line.criterion["kind"] != "review" for line in lines)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Prior radiotherapy is not allowed", id="not-allowed"),
        pytest.param("No concurrent steroids are allowed", id="no-allowed"),
    ],
)
def test_a_prohibition_is_not_a_permission(text: str) -> None:
    (line,) = parse_criteria_text(f"Exclusion Criteria:\n- {text}\n")
    assert not line.permission


def test_a_permission_before_any_criterion_is_kept_with_the_first() -> None:
    lines = parse_criteria_text(
        "Inclusion Criteria:\n- Topical steroids are permitted\n- ECOG performance status 0-2\n"
    )
    assert [line.permission for line in lines] == [True, False]
    assert lines[1].criterion["permissions"] == ["Topical steroids are permitted"]


def test_the_pulmonary_threshold_keeps_its_cause_and_the_pi_review() -> None:
    """NCT01416831: "< 70 % of predicted due to clinically significant underlying pulmonary disease ... the PI
    will review": the threshold, the cause (a condition) and the reviewer."""
    (line,) = parse_criteria_text(f"Exclusion Criteria:\n- {PULMONARY}\n")
    assert line.rule
    assert _fields(line.criterion) == {
        "type": "exclusion",
        "kind": "lab",
        "analytes": ["dlco_pct_predicted", "fev1_pct_predicted", "fev1_fvc_pct_predicted"],
        "combine": "any",
        "comparator": "<",
        "value": 70.0,
        "unit": "%",
        "due_to": "clinically_significant_pulmonary_disease",
        "reviewed_by": "principal_investigator",
    }
    (warning,) = line.warnings
    assert warning.startswith("a value beyond the threshold awaits the principal investigator's recorded review")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Exclusion Criteria:\n- FEV1 less than 60% of predicted due to smoking", id="unknown-cause"),
        pytest.param("Inclusion Criteria:\n- " + PULMONARY, id="cause-on-an-inclusion"),
    ],
)
def test_a_cause_the_schema_cannot_hold_keeps_the_line_for_review(text: str) -> None:
    (line,) = parse_criteria_text(text)
    assert (line.rule, line.criterion["kind"]) == (False, "review")
