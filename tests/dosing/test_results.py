"""Every dosing result has one shape: frozen, ``to_frame()`` a DataFrame, ``to_dict()`` JSON-safe,
``str()`` non-empty and at most 80 columns.

The calendar is that of tests/dosing/test_summary.py (NCT01416831 arm A, 70 kg, Monday 2026-11-23):
IL-2 600,000 IU/kg = 42,000,000 IU every 8 hours, 14 doses per cycle, two cycles (28 doses); doses 2
and 3 held, cycle 2 a week late (2026-12-21).
"""

from __future__ import annotations

from typing import Any

import pytest

from oncotrial.dosing import (
    DosingCalendar,
    Patient,
    compute_dose,
    compute_dose_summary,
)
from oncotrial.protocol import load_builtin_protocol
from tests.dosing.test_summary import held_and_delayed_calendars
from tests.result_shape import assert_result_shape


def _calendars() -> tuple[DosingCalendar, DosingCalendar]:
    return held_and_delayed_calendars("P1")


def _instances() -> dict[str, Any]:
    planned, actual = _calendars()
    summaries = compute_dose_summary(planned, actual)
    il2 = load_builtin_protocol("NCT01416831").arms[0].treatments[0]
    return {
        "DosingCalendar": actual,
        "Administration": actual.administrations[1],
        "CyclePlan": actual.cycles[1],
        "DoseSummary": summaries.summaries[0],
        "DoseSummaries": summaries,
        "DoseAmount": compute_dose(il2.dose, Patient(weight_kg=70)),
    }


NAMES = ["DosingCalendar", "Administration", "CyclePlan", "DoseSummary", "DoseSummaries", "DoseAmount"]


@pytest.mark.parametrize("name", NAMES)
def test_every_result_has_the_one_shape(name: str) -> None:
    """Frozen dataclass; to_frame() a non-empty DataFrame; to_dict() passes json.dumps(allow_nan=False);
    str() non-empty with every line at most 80 characters."""
    result = _instances()[name]
    assert_result_shape(result)


def test_calendar_to_dict_holds_the_cycles_and_administrations_as_text() -> None:
    """28 administrations; cycle 2 moved from 2026-12-14 (day 1 + 21) to 2026-12-21 for toxicity; the
    second dose held for hypotension."""
    _, actual = _calendars()
    document = actual.to_dict()
    assert len(document["administrations"]) == 28  # type: ignore[arg-type]
    cycle2 = document["cycles"][1]  # type: ignore[index]
    assert (cycle2["planned_start"], cycle2["start"], cycle2["reason"]) == ("2026-12-14", "2026-12-21", "toxicity")
    second = document["administrations"][1]  # type: ignore[index]
    assert (second["status"], second["reason"]) == ("held", "hypotension")
    assert document["subject_id"] == "P1"


def test_dose_summaries_text_is_one_line_per_treatment_and_the_summary_iterates() -> None:
    """One treatment (IL-2): 28 planned, 1 given, 2 held, 25 to give; RDI 962/1232 = 78 %."""
    planned, actual = _calendars()
    summaries = compute_dose_summary(planned, actual)
    (summary,) = summaries
    assert (summary.planned_doses, summary.given_doses, summary.held_doses) == (28, 1, 2)
    assert "relative dose intensity 78%" in " ".join(str(summaries).split())
    assert summaries.to_frame()["remaining_doses"].tolist() == [25]
