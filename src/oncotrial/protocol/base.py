"""Shared building blocks of the protocol models: the strict base model and small types."""

from __future__ import annotations

import re
from datetime import time
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

__all__ = [
    "Identifier",
    "NotBool",
    "ProtocolModel",
    "Route",
    "TimeOfDay",
    "Weekday",
    "expand_day_list",
]


class ProtocolModel(BaseModel):
    """Base of every protocol model: frozen, an unknown field is an error (a typo is caught), numbers finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False)


def _not_bool(value: Any) -> Any:
    # pydantic reads true as 1 where a number is expected; in a protocol that is a slip, not a number
    if isinstance(value, bool):
        raise ValueError(f"{str(value).lower()} is a yes/no value, not a number; write the number")
    return value


NotBool = BeforeValidator(_not_bool)
"""Put in ``Annotated[int, NotBool, ...]`` (or float) so that ``true`` is not read as 1."""


_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def _check_identifier(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(
            f"'{value}' is not a valid id: use letters, digits, '-', '_' or '.', starting with a letter or digit"
        )
    return value


Identifier = Annotated[str, Field(max_length=100), AfterValidator(_check_identifier)]


class Weekday(StrEnum):
    """Days of the week, named as protocols write them."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        """Python's weekday number (Monday = 0)."""
        return list(Weekday).index(self)

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Route(StrEnum):
    """Routes of administration (CDISC ROUTE terms in parentheses where they differ)."""

    IV = "IV"
    IV_BOLUS = "IV bolus"
    IV_PUSH = "IV push"
    SC = "SC"
    IM = "IM"
    PO = "PO"
    EBRT = "external beam radiotherapy"


def _parse_time(value: Any) -> Any:
    # YAML reads 08:00 as a string (or as sexagesimal minutes 480 in YAML 1.1); accept both.
    if isinstance(value, int) and not isinstance(value, bool):
        return time(value // 60, value % 60)
    return value


TimeOfDay = Annotated[time, BeforeValidator(_parse_time)]


def expand_day_list(value: Any) -> Any:
    """Accept ``[1, 2, 3]``, ``"2-6"`` or ``[1, "15-19"]`` and return the sorted list of days."""
    items = value if isinstance(value, list) else [value]
    days: list[Any] = []
    for item in items:
        match = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", item) if isinstance(item, str) else None
        if match:
            first, last = int(match[1]), int(match[2])
            if last < first:
                raise ValueError(f"the range '{item}' runs backwards; write it as '{last}-{first}'")
            days.extend(range(first, last + 1))
        else:
            days.append(item)
    return days


PositiveInt = Annotated[int, NotBool, Field(gt=0)]
