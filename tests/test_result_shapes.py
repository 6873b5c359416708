"""Every result type of the core (not the file formats of ``oncotrial.io``) has the one shape (issue 11): a frozen dataclass with ``to_frame()``,
``to_dict()`` and its own ``__str__``. Each package's ``test_results.py`` checks an instance of each
(``to_frame()`` a DataFrame, ``to_dict()`` JSON-safe, ``str()`` within 80 columns); this test finds every
public result type, so a new one cannot miss the shape."""

from __future__ import annotations

import dataclasses

import pytest

import oncotrial as ot

# Public dataclasses of the core that are inputs, rule tables or one row of a result, not results.
INPUTS = {
    "BetaPrior",  # a prior given to a design search
    "CoxCovariate",  # a covariate named for a Cox model
    "Patient",  # the patient a dosing calendar is built for
    "ResponseRules",  # RECIST options (confirmation days, ...)
    "TimeToEventSource",  # an event or censoring source of an ADTTE derivation
    "TemplateField",  # one field of a blank screening record
    "ParsedLine",  # one line of registry text read by the parser
    "ProtocolSummary",  # one row of the built-in protocol list
    "BaselineRules",  # the RECIST baseline rule table
    "OverallResponseTable",  # the RECIST overall-response rule table
    "BaselineBreach",  # one row of a BaselineEvaluation (the result)
    "BlqRules",  # the BLQ options of an NCA
    "BlqRulesByTmax",  # the BLQ options of an NCA, placed by tmax
    "CtcaeLabRules",  # the CTCAE v5 lab rule tables
}


def _result_types() -> list[type]:
    found = []
    for name in ot.__all__:
        value = getattr(ot, name)
        edge = value.__module__.startswith(("oncotrial.io", "oncotrial._")) if isinstance(value, type) else True
        if isinstance(value, type) and dataclasses.is_dataclass(value) and name not in INPUTS and not edge:
            found.append(value)
    return found


def test_the_core_has_result_types_to_check() -> None:
    names = {t.__name__ for t in _result_types()}
    assert {"SimonSearch", "KaplanMeierResult", "ScreeningLog", "DosingCalendar", "BaselineEvaluation"} <= names


@pytest.mark.parametrize("result_type", _result_types(), ids=lambda t: t.__name__)
def test_result_type_is_frozen_with_frame_dict_and_text(result_type: type) -> None:
    assert result_type.__dataclass_params__.frozen  # type: ignore[attr-defined]
    for method in ("to_frame", "to_dict"):
        assert callable(getattr(result_type, method, None)), f"{result_type.__name__} has no {method}()"
    assert result_type.__str__ is not object.__str__, f"{result_type.__name__} has no __str__ of its own"
    assert "__str__" in {name for klass in result_type.__mro__[:-1] for name in vars(klass)}
