"""What actually happened: records of doses given, held or delayed, and of delayed cycles.

Records come from a coordinator (a JSON or CSV file, the web app later); they are checked
against the protocol when the calendar is re-planned (:func:`build_dosing_calendar`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from oncotrial.errors import DataError, validation_messages
from oncotrial.protocol.base import ProtocolModel
from oncotrial.units import UnitParseError, parse_unit

__all__ = ["AdministrationRecord", "CycleStartRecord", "DosingRecords", "parse_dosing_records"]


class _Record(ProtocolModel):
    """Records are checked as protocols are: frozen, unknown fields refused, text stripped."""


class AdministrationRecord(_Record):
    """One planned administration and what happened to it.

    ``treatment`` is the protocol's treatment id (``il2``), ``cycle`` the cycle number as the
    calendar shows it, ``number`` the administration's number within that cycle (1, 2, ...).

    - ``given``: given, at ``datetime`` if it differs from the plan (the rest of the cycle
      keeps its spacing from this dose);
    - ``held``: not given, for ``reason``; it is not made up;
    - ``delayed``: moved to ``datetime`` for ``reason``; the rest of the cycle moves with it.

    A dose given (or delayed) at another amount than planned, a reduced dose, is recorded either as
    ``amount`` with its ``unit`` (``"amount": 21000000, "unit": "IU"``; any unit of the same kind as
    the planned dose, e.g. ``"amount": 21, "unit": "MIU"``) or as ``percent`` of the planned dose
    (``"percent": 50``). The calendar and the dose intensity use it. An amount above the planned dose
    is refused unless the record says ``"allow_above_planned": true``.
    """

    treatment: str
    cycle: int = Field(ge=1)
    number: int = Field(ge=1)
    status: Literal["given", "held", "delayed"]
    datetime: dt.datetime | None = None
    amount: float | None = Field(default=None, allow_inf_nan=False, le=1e12)
    unit: str | None = None
    percent: float | None = Field(default=None, allow_inf_nan=False)
    allow_above_planned: bool = False
    reason: str | None = None

    @field_validator("datetime")
    @classmethod
    def _local_time(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is not None:
            raise ValueError(
                f"{value.isoformat()} has a UTC offset; give the local time of the dose without one "
                f"(e.g. {value.replace(tzinfo=None).isoformat(timespec='minutes')}), as the calendar shows it"
            )
        return value

    @model_validator(mode="after")
    def _complete(self) -> AdministrationRecord:
        where = f"{self.treatment} cycle {self.cycle} dose {self.number}"
        if self.status in ("held", "delayed") and not self.reason:
            raise ValueError(f"{where}: a {self.status} dose needs a reason (e.g. 'grade 3 hypotension')")
        if self.status == "delayed" and self.datetime is None:
            raise ValueError(f"{where}: a delayed dose needs the new date and time ('datetime')")
        given = (self.amount, self.unit, self.percent)
        if self.status == "held" and (self.datetime is not None or any(v is not None for v in given)):
            raise ValueError(f"{where}: a held dose has no time or amount; remove them or mark it 'given'")
        self._check_amount(where)
        return self

    def _check_amount(self, where: str) -> None:
        """A reduced dose: an amount with its unit, or a percent of the plan; more than 0 either way."""
        if self.amount is not None and self.percent is not None:
            raise ValueError(f"{where}: give the dose given as 'amount' with 'unit' or as 'percent', not both")
        if (self.amount is None) != (self.unit is None):
            raise ValueError(
                f"{where}: an amount given needs its unit and a unit needs its amount "
                '(e.g. "amount": 21000000, "unit": "IU")'
            )
        value, name = (self.amount, "amount") if self.amount is not None else (self.percent, "percent")
        if value is not None and value <= 0:
            raise ValueError(
                f"{where}: the {name} given is {value:g}; it must be more than 0 (a dose not given is 'held')"
            )
        if self.unit is not None:
            try:
                parse_unit(self.unit)
            except UnitParseError as exc:
                raise ValueError(f"{where}: {exc.message}") from exc


class CycleStartRecord(_Record):
    """A cycle that starts on another day than planned (a delay for toxicity, say)."""

    cycle: int = Field(ge=2)
    start: date
    reason: str = Field(min_length=1)


class DosingRecords(_Record):
    """All records of one patient's treatment, as read from a file."""

    administrations: list[AdministrationRecord] = Field(default_factory=list)
    cycle_starts: list[CycleStartRecord] = Field(default_factory=list)


def parse_dosing_records(data: Any, *, source: str) -> DosingRecords:
    """Validate the records read from ``source`` (a file) as a whole: every problem is listed, nothing applied.

    Raises
    ------
    DataError
        ``DOSE-E050`` when the file is empty or not a mapping, ``DOSE-E051`` when records are invalid.
    """
    if not isinstance(data, Mapping):
        found = "empty" if data is None else f"a {type(data).__name__}, not a mapping"
        raise DataError(
            f"{source} is {found}: a records file holds 'administrations' and/or 'cycle_starts', e.g. "
            '{"administrations": [{"treatment": "il2", "cycle": 1, "number": 9, "status": "held", '
            '"reason": "grade 3 hypotension"}]}.',
            code="DOSE-E050",
            file=source,
        )
    try:
        return DosingRecords.model_validate(data)
    except ValidationError as exc:
        problems = "\n".join(
            f"  - {where or '(file)'}: {message}" for where, message in validation_messages(exc.errors())
        )
        raise DataError(
            f"{source}: the records are not valid; nothing was applied. Fix each and try again:\n{problems}",
            code="DOSE-E051",
            file=source,
        ) from exc
