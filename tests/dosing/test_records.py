"""Records of what happened (``oncotrial.dosing.records``), validated whole before a calendar is re-planned."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from oncotrial.dosing.records import parse_dosing_records
from oncotrial.errors import DataError


def test_records_are_read() -> None:
    data = {
        "administrations": [
            {"treatment": "il2", "cycle": 1, "number": 9, "status": "held", "reason": "grade 3 hypotension"},
            {
                "treatment": "il2",
                "cycle": 1,
                "number": 2,
                "status": "given",
                "datetime": "2026-11-23T17:30",
                "amount": 21000000,
                "unit": "IU",
            },
        ],
        "cycle_starts": [{"cycle": 2, "start": "2026-12-21", "reason": "toxicity not resolved"}],
    }
    records = parse_dosing_records(data, source="r.json")
    assert [a.number for a in records.administrations] == [9, 2]
    assert records.administrations[1].datetime == dt.datetime(2026, 11, 23, 17, 30)
    assert (records.administrations[1].amount, records.administrations[1].unit) == (21000000, "IU")
    assert records.cycle_starts[0].start == dt.date(2026, 12, 21)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(None, "r.yaml is empty: a records file holds 'administrations' and/or 'cycle_starts'", id="empty"),
        pytest.param([], "r.yaml is a list, not a mapping", id="list"),
        pytest.param("held", "r.yaml is a str, not a mapping", id="text"),
    ],
)
def test_a_file_that_holds_no_records_mapping(data: Any, message: str) -> None:
    with pytest.raises(DataError, match=message) as caught:
        parse_dosing_records(data, source="r.yaml")
    assert caught.value.code == "DOSE-E050"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        pytest.param(
            "datetime",
            dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "2026-11-23T16:00:00+02:00 has a UTC offset; give the local time of the dose without one",
            id="offset",
        ),
        pytest.param("amount", math.nan, "administrations.0.amount: Input should be a finite number", id="nan"),
        pytest.param("amount", math.inf, "administrations.0.amount: Input should be a finite number", id="inf"),
        pytest.param("amount", 1e300, "administrations.0.amount: Input should be less than or equal to", id="1e300"),
        pytest.param("amount", -1.0, "the amount given is -1; it must be more than 0", id="neg"),
    ],
)
def test_an_administration_that_cannot_be_applied(field: str, value: Any, message: str) -> None:
    """Before: an offset raised TypeError in the calendar; NaN was reported as negative."""
    record = {"treatment": "il2", "cycle": 1, "number": 2, "status": "given", "unit": "IU", field: value}
    with pytest.raises(DataError, match=r"r\.yaml: the records are not valid; nothing was applied") as caught:
        parse_dosing_records({"administrations": [record]}, source="r.yaml")
    assert message in caught.value.message
    assert caught.value.code == "DOSE-E051"
