"""The one exception tree of oncotrial.

Every error a user can meet is a :class:`TrialError`; callers catch that one class.
The CLI turns it into a message and exit code 1, the web app into an HTTP status.

::

    TrialError                      base: catch-all for callers
    ├─ ProtocolError                protocol document invalid or inconsistent
    ├─ DesignError                  no design meets the requested alpha/power, bad p0/p1
    ├─ DataError                    patient data cannot support the calculation
    │  ├─ MissingDataError
    │  └─ InconsistentDataError
    ├─ ScheduleError                a dosing calendar request breaks a protocol limit
    ├─ RuleTableError               a rule table is malformed or the wrong version
    ├─ UnitParseError               a unit pint cannot read (``oncotrial.units``)
    └─ StoreError                   persistence failures (wrapping SQLAlchemy, ``from exc``)
       ├─ AccessError               the user's role or site does not allow it (also PermissionError)
       ├─ NotFoundError             no such trial, site, user or patient (also LookupError)
       └─ ConflictError             the record changed since it was read (a newer version)
    TrialWarning(UserWarning)       statistical caveats

Each error carries a message in clinical words (what, where, how to fix it), a stable
``code`` and typed keyword fields: ``field`` (the parameter, column or document path at fault; or
``parameters``, several),
``subject_id``, ``visit``, ``lesion``, ``rule_id``, ``rows`` (the 1-based rows of a table at fault),
``file``, and for schedules ``cycle`` and ``arm``. ``fields`` gives those that are set, as a dict.
``ProtocolError`` also carries the list of every problem found in one document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AccessError",
    "ConflictError",
    "DataError",
    "DesignError",
    "InconsistentDataError",
    "MissingDataError",
    "NotFoundError",
    "Problem",
    "ProtocolError",
    "RuleTableError",
    "ScheduleError",
    "StoreError",
    "TrialError",
    "TrialWarning",
    "validation_messages",
]


class TrialError(Exception):
    """Base of every oncotrial error.

    Parameters
    ----------
    message
        What is wrong, where, and how to fix it, in the words of the trial.
    code
        A stable code such as ``"DOSE-E002"``, for documentation and tests.
    field, parameters, subject_id, visit, lesion, rule_id, rows, file, cycle, arm
        Structured context, each optional (see the module docstring).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        parameters: Sequence[str] = (),
        subject_id: str | None = None,
        visit: str | None = None,
        lesion: str | None = None,
        rule_id: str | None = None,
        rows: Sequence[int] = (),
        file: str | None = None,
        cycle: int | None = None,
        arm: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.parameters = tuple(parameters)
        self.subject_id = subject_id
        self.visit = visit
        self.lesion = lesion
        self.rule_id = rule_id
        self.rows = tuple(int(r) for r in rows)
        self.file = file
        self.cycle = cycle
        self.arm = arm

    @property
    def fields(self) -> dict[str, Any]:
        """The structured fields that are set (``{"field": "p0", "rows": (3,)}``)."""
        names = ("field", "parameters", "subject_id", "visit", "lesion", "rule_id", "rows", "file", "cycle", "arm")
        return {name: getattr(self, name) for name in names if getattr(self, name) not in (None, ())}

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Problem:
    """One problem found in a document: where (``location``) and what (``message``)."""

    location: str
    message: str
    code: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message} [{self.code}]"


class ProtocolError(TrialError, ValueError):
    """A protocol document is invalid or inconsistent; ``problems`` lists every issue."""

    def __init__(
        self,
        message: str,
        *,
        problems: Sequence[Problem] = (),
        code: str | None = "PROTOCOL-E000",
        file: str | None = None,
    ) -> None:
        self.problems = tuple(problems)
        if self.problems:
            lines = "\n".join(f"  - {p}" for p in self.problems)
            message = f"{message}\n{lines}"
        super().__init__(message, code=code, file=file)


class DesignError(TrialError, ValueError):
    """No design meets the request, or its parameters are out of range.

    ``needed_nmax`` is the smallest ``nmax`` with a design, when the search found none below it.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        rows: Sequence[int] = (),
        needed_nmax: int | None = None,
    ) -> None:
        super().__init__(message, code=code, field=field, rows=rows)
        self.needed_nmax = needed_nmax


class DataError(TrialError, ValueError):
    """Patient or trial data cannot support the calculation."""


class MissingDataError(DataError):
    """A value the calculation needs is missing."""


class InconsistentDataError(DataError):
    """Values contradict each other or the protocol."""


class ScheduleError(TrialError, ValueError):
    """A dosing calendar request or record breaks a limit of the protocol.

    ``next_valid`` is the first date or time the protocol allows, when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        parameters: Sequence[str] = (),
        cycle: int | None = None,
        arm: str | None = None,
        next_valid: object = None,
    ) -> None:
        super().__init__(message, code=code, field=field, parameters=parameters, cycle=cycle, arm=arm)
        self.next_valid = next_valid


class RuleTableError(TrialError, ValueError):
    """A packaged rule table is malformed or of the wrong version."""


class StoreError(TrialError):
    """Persistence failed (wraps the database error with ``raise ... from exc``)."""


class AccessError(StoreError, PermissionError):
    """The acting user's role or site does not allow the operation."""


class NotFoundError(StoreError, LookupError):
    """No trial, site, user, patient or record with the name given."""


class ConflictError(StoreError):
    """Another user changed the record since it was read: the second writer is refused, never overwrites."""


class TrialWarning(UserWarning):
    """A statistical or clinical caveat that does not stop the calculation."""


# Hints added to pydantic's messages by error type (prefix), so a user knows the form to write.
_HINTS = {
    "date": " (write dates as YYYY-MM-DD)",
    "datetime": " (write times as YYYY-MM-DDTHH:MM)",
    "finite_number": " (give a measured number)",
}


def validation_messages(errors: Sequence[Any]) -> list[tuple[str, str]]:
    """``(place, message)`` for each of pydantic's ``ValidationError.errors()``.

    The place is the dotted path (``labs.0.unit``; empty for the whole document); the message loses
    pydantic's "Value error, " prefix and gains a hint on how to write dates and numbers.
    """
    described = []
    for error in errors:
        hint = next((h for prefix, h in _HINTS.items() if str(error["type"]).startswith(prefix)), "")
        message = str(error["msg"]).removeprefix("Value error, ") + hint
        described.append((".".join(str(part) for part in error["loc"]), message))
    return described
