"""The one exception tree (``oncotrial.errors``): typed fields, the drawn tree, the problems of a document."""

from __future__ import annotations

import re

import pytest

import oncotrial.errors as errors
from oncotrial.errors import (
    DataError,
    DesignError,
    InconsistentDataError,
    MissingDataError,
    Problem,
    ProtocolError,
    RuleTableError,
    ScheduleError,
    StoreError,
    TrialError,
    TrialWarning,
)
from oncotrial.units import UnitParseError

ERRORS = [
    DataError,
    DesignError,
    InconsistentDataError,
    MissingDataError,
    ProtocolError,
    RuleTableError,
    ScheduleError,
    StoreError,
    UnitParseError,
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: e.__name__)
def test_every_error_is_a_trial_error_drawn_in_the_module_docstring(error: type[TrialError]) -> None:
    assert issubclass(error, TrialError)
    assert re.search(rf"─ {error.__name__}\b", errors.__doc__ or "")


def test_a_caller_catches_value_errors_of_bad_input_as_value_errors() -> None:
    for error in (DataError, DesignError, ProtocolError, ScheduleError, RuleTableError, UnitParseError):
        assert issubclass(error, ValueError)
    assert not issubclass(StoreError, ValueError)  # a failing database is not a bad value
    assert issubclass(TrialWarning, UserWarning)


def test_fields_are_typed_keywords_and_fields_lists_those_set() -> None:
    exc = DataError("Column 'AVAL' has negative times.", code="SURV-E001", field="AVAL", rows=[3, 7], subject_id="S-1")
    assert (exc.code, exc.field, exc.rows, exc.subject_id, exc.visit) == ("SURV-E001", "AVAL", (3, 7), "S-1", None)
    assert exc.fields == {"field": "AVAL", "rows": (3, 7), "subject_id": "S-1"}
    assert str(exc) == "Column 'AVAL' has negative times."


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(TypeError):
        DataError("x", code="X", row=3)  # type: ignore[call-arg]  # 'rows', one spelling


def test_a_protocol_error_lists_every_problem_under_its_message() -> None:
    problems = [
        Problem("arms.0.id", "Field required", "PROTOCOL-E001"),
        Problem("design", "unknown kind", "PROTOCOL-E002"),
    ]
    exc = ProtocolError("my.yaml is not a valid protocol:", problems=problems, file="my.yaml")
    assert exc.message == (
        "my.yaml is not a valid protocol:\n"
        "  - arms.0.id: Field required [PROTOCOL-E001]\n"
        "  - design: unknown kind [PROTOCOL-E002]"
    )
    assert (exc.code, exc.file, exc.problems) == ("PROTOCOL-E000", "my.yaml", tuple(problems))


def test_design_and_schedule_errors_carry_their_own_fields() -> None:
    design = DesignError("No design up to nmax = 20.", code="DESIGN-E001", field="nmax", needed_nmax=116)
    assert (design.needed_nmax, design.fields) == (116, {"field": "nmax"})
    schedule = ScheduleError("Cycle 2 is too late.", code="DOSE-E010", cycle=2, arm="A", next_valid="2026-12-14")
    assert (schedule.cycle, schedule.arm, schedule.next_valid) == (2, "A", "2026-12-14")
