"""A reduced dose recorded as given: an amount with its unit, or a percent of the planned dose.

NCT01416831 arm A, 70 kg, from Monday 2026-11-23: the planned IL-2 dose is 600,000 IU/kg x 70 kg =
42,000,000 IU (shared/seeds/003_67a03df4dd7948a4.txt). Each bad record is refused with its treatment, cycle
and dose number in the message.
"""

from datetime import date

import pytest
from pydantic import ValidationError

from oncotrial.dosing import AdministrationRecord, Patient, build_dosing_calendar
from oncotrial.errors import ScheduleError
from oncotrial.protocol import load_builtin_protocol

MONDAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def protocol():
    return load_builtin_protocol("NCT01416831")


def _first_dose(protocol, **record):
    given = AdministrationRecord(treatment="il2", cycle=1, number=1, status="given", **record)
    calendar = build_dosing_calendar(protocol, "A", Patient(weight_kg=70), MONDAY, administrations=[given])
    return calendar.administrations[0]


@pytest.mark.parametrize(
    ("record", "dose"),
    [
        pytest.param({"amount": 21_000_000, "unit": "IU"}, 21_000_000, id="amount_in_IU"),
        pytest.param({"amount": 21, "unit": "MIU"}, 21_000_000, id="amount_in_MIU"),
        pytest.param({"percent": 50}, 21_000_000, id="percent_50"),
        pytest.param({"percent": 100}, 42_000_000, id="percent_100"),
    ],
)
def test_reduced_dose_is_shown_in_the_planned_unit(protocol, record, dose):
    """21 MIU = 21,000,000 IU; 50 % of 42,000,000 IU = 21,000,000 IU."""
    first = _first_dose(protocol, **record)
    assert (first.status, first.dose, first.unit) == ("given", dose, "IU")


def test_a_dose_above_the_plan_is_refused(protocol):
    with pytest.raises(ScheduleError, match=r"il2 cycle 1 dose 1: 50,000,000 IU given is more than the planned dose of "
                       r"42,000,000 IU.*allow_above_planned") as caught:  # fmt: skip
        _first_dose(protocol, amount=50_000_000, unit="IU")
    assert caught.value.code == "DOSE-E047"


def test_a_percent_above_100_is_refused(protocol):
    with pytest.raises(ScheduleError, match=r"il2 cycle 1 dose 1: 50,400,000 IU given is more than the planned"):
        _first_dose(protocol, percent=120)


def test_a_dose_above_the_plan_is_accepted_when_the_record_allows_it(protocol):
    assert _first_dose(protocol, amount=50_000_000, unit="IU", allow_above_planned=True).dose == 50_000_000


def test_an_amount_in_a_unit_of_another_kind_is_refused(protocol):
    with pytest.raises(ScheduleError, match=r"il2 cycle 1 dose 1: the amount is in 'mg', which cannot express the "
                       r"planned dose of 42,000,000 IU") as caught:  # fmt: skip
        _first_dose(protocol, amount=5, unit="mg")
    assert caught.value.code == "DOSE-E046"


@pytest.mark.parametrize(
    ("record", "message"),
    [
        pytest.param({"amount": -5, "unit": "IU"}, r"the amount given is -5; it must be more than 0", id="negative"),
        pytest.param({"amount": 0, "unit": "IU"}, r"the amount given is 0; it must be more than 0", id="zero"),
        pytest.param({"percent": -10}, r"the percent given is -10; it must be more than 0", id="negative_percent"),
        pytest.param({"amount": 21_000_000}, r"an amount given needs its unit", id="amount_without_unit"),
        pytest.param({"unit": "IU"}, r"an amount given needs its unit", id="unit_without_amount"),
        pytest.param({"amount": 21, "unit": "MIU", "percent": 50}, r"not both", id="amount_and_percent"),
        pytest.param({"amount": 21, "unit": "bananas"}, r"'bananas' is not a unit", id="unknown_unit"),
    ],
)
def test_bad_amounts_are_refused_naming_the_record(record, message):
    with pytest.raises(ValidationError, match=message) as caught:
        AdministrationRecord(treatment="il2", cycle=1, number=3, status="given", **record)
    assert "il2 cycle 1 dose 3" in str(caught.value)


def test_an_amount_that_is_not_a_finite_number_is_refused():
    with pytest.raises(ValidationError, match=r"amount\n.*finite number"):
        AdministrationRecord(treatment="il2", cycle=1, number=3, status="given", amount=float("nan"), unit="IU")


def test_a_held_dose_has_no_amount():
    with pytest.raises(ValidationError, match=r"il2 cycle 1 dose 3: a held dose has no time or amount"):
        AdministrationRecord(treatment="il2", cycle=1, number=3, status="held", reason="fever", percent=50)
