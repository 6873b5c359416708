"""``oncotrial.protocol.eligibility``: durations as the protocol states them.

Day counts worked by hand on the calendar (in the comments)."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from oncotrial.protocol.eligibility import Duration, LabCriterion


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


def test_a_cause_or_a_reviewer_qualifies_only_an_exclusion_threshold() -> None:
    criterion = {
        "id": "fev1",
        "type": "inclusion",
        "text": "FEV1 at least 70% of predicted",
        "kind": "lab",
        "analytes": ["fev1_pct_predicted"],
        "comparator": ">=",
        "value": 70,
        "unit": "%",
        "reviewed_by": "investigator",
    }
    with pytest.raises(ValidationError, match="qualify an exclusion threshold"):
        LabCriterion.model_validate(criterion)
    with pytest.raises(ValidationError, match="unknown condition 'asthma'"):
        LabCriterion.model_validate({**criterion, "type": "exclusion", "due_to": "asthma"})
