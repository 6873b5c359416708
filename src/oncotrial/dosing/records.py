"""What actually happened: records of doses given, held or delayed, and of delayed cycles.

Records come from a coordinator (a JSON or CSV file, the web app later); they are checked
against the protocol when the calendar is re-planned (:func:`build_dosing_calendar`).
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from oncotrial.protocol.base import ProtocolModel

__all__ = ["AdministrationRecord", "CycleStartRecord", "DosingRecords"]


class _Record(ProtocolModel):
    """Records are checked as protocols are: frozen, unknown fields refused, text stripped."""


class AdministrationRecord(_Record):
    """One planned administration and what happened to it.

    ``treatment`` is the protocol's treatment id (``il2``), ``cycle`` the cycle number as the
    calendar shows it, ``number`` the administration's number within that cycle (1, 2, ...).

    - ``given``: given, at ``datetime`` if it differs from the plan (the rest of the cycle
      keeps its spacing from this dose), with ``amount`` if it differs from the planned dose;
    - ``held``: not given, for ``reason``; it is not made up;
    - ``delayed``: moved to ``datetime`` for ``reason``; the rest of the cycle moves with it.
    """

    treatment: str
    cycle: int = Field(ge=1)
    number: int = Field(ge=1)
    status: Literal["given", "held", "delayed"]
    datetime: dt.datetime | None = None
    amount: float | None = Field(default=None, ge=0)
    reason: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> AdministrationRecord:
        where = f"{self.treatment} cycle {self.cycle} dose {self.number}"
        if self.status in ("held", "delayed") and not self.reason:
            raise ValueError(f"{where}: a {self.status} dose needs a reason (e.g. 'grade 3 hypotension')")
        if self.status == "delayed" and self.datetime is None:
            raise ValueError(f"{where}: a delayed dose needs the new date and time ('datetime')")
        if self.status == "held" and (self.datetime is not None or self.amount is not None):
            raise ValueError(f"{where}: a held dose has no time or amount; remove them or mark it 'given'")
        return self


class CycleStartRecord(_Record):
    """A cycle that starts on another day than planned (a delay for toxicity, say)."""

    cycle: int = Field(ge=2)
    start: date
    reason: str = Field(min_length=1)


class DosingRecords(_Record):
    """All records of one patient's treatment, as read from a file."""

    administrations: list[AdministrationRecord] = Field(default_factory=list)
    cycle_starts: list[CycleStartRecord] = Field(default_factory=list)
