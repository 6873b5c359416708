"""Reading the pages' forms: the typed text into values, and the problems found, field by field, so that a page
shows each error at its field and keeps what was typed.

The screening form's inputs are named by the path of the record's field, joined by dots (``labs.3.value``,
``conditions.active_infection``), as :func:`oncotrial.eligibility.template.build_record_template` gives them.
:func:`read_screening_form` rebuilds the nested record, and checks it against the record's own schema
(:class:`oncotrial.eligibility.records.PatientRecord`) only to place each problem at its input: the service
(``record_screening``) checks it again and evaluates it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from oncotrial.errors import TrialError

__all__ = ["FormErrors", "parse_moment", "read_screening_form", "typed_text"]


def typed_text(form: Mapping[str, Any], names: Collection[str]) -> dict[str, str]:
    """What was typed into each of the inputs ``names``, stripped (an input left out reads as empty)."""
    return {name: str(form.get(name) or "").strip() for name in names}


NOT_RECORD = frozenset({"csrf_token", "screened_at"})
# the inputs of a list entry that the form fills in beforehand (a lab's analyte and unit): an entry with nothing
# else typed is left out of the record
PRESET_KEYS = frozenset({"analyte", "unit", "nodal"})


@dataclass
class FormErrors:
    """Problems by input name (``""``: the form as a whole), and the text typed, to show again."""

    by_field: dict[str, str] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, message)

    def refused(self, exc: TrialError, inputs: Collection[str]) -> FormErrors:
        """Add the store's refusal at the input its field names, or above the form when that field is not one of
        the form's ``inputs``; returns these errors."""
        name = str(exc.fields.get("field") or "")
        self.add(name if name in inputs else "", str(exc))
        return self

    def first(self) -> str | None:
        return next(iter(self.by_field.values()), None)

    def __bool__(self) -> bool:
        return bool(self.by_field)


NONE = "none"  # the choice of a list field (lesions) that says the list is empty, not unknown


def _value(text: str) -> Any:
    """A typed text as the record holds it: true/false, a number, else the text (dates stay ISO text)."""
    lowered = text.strip().lower()
    if lowered == NONE:
        return []
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        number = float(lowered)
    except ValueError:
        return text.strip()
    if not math.isfinite(number):
        return text.strip()
    return int(number) if number.is_integer() and "." not in lowered else number


def _path(name: str) -> tuple[str | int, ...]:
    return tuple(int(part) if part.isdigit() else part for part in name.split("."))


def _put(record: dict[str, Any], path: tuple[str | int, ...], value: Any) -> bool:
    """Set ``value`` at ``path``; False when a field above it was given a value of its own (a list said empty)."""
    node: Any = record
    for part in path[:-1]:
        node = node.setdefault(part, {})  # a list is kept as {index: entry} until the end
        if not isinstance(node, dict):
            return False
    if isinstance(node.get(path[-1]), dict) and not isinstance(value, dict):
        return False
    node[path[-1]] = value
    return True


def _lists(node: Any, where: tuple[str | int, ...], moved: dict[tuple[str | int, ...], tuple[str | int, ...]]) -> Any:
    """{index: entry} mappings as lists, leaving out entries with only preset values; ``moved`` maps a kept
    entry's new path to the path its inputs are named by."""
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(key, int) for key in node):
        kept: list[Any] = []
        for index in sorted(node):
            entry = node[index]
            if isinstance(entry, dict) and not set(entry) - PRESET_KEYS:
                continue
            moved[(*where, len(kept))] = (*where, index)
            kept.append(_lists(entry, (*where, index), moved))
        return kept
    return {key: _lists(value, (*where, key), moved) for key, value in node.items()}


def _input_name(loc: tuple[Any, ...], moved: dict[tuple[str | int, ...], tuple[str | int, ...]]) -> str:
    for size in range(len(loc), 0, -1):
        original = moved.get(tuple(loc[:size]))
        if original is not None:
            loc = (*original, *loc[size:])
            break
    return ".".join(str(part) for part in loc)


def read_screening_form(subject_id: str, typed: dict[str, str]) -> tuple[dict[str, Any], FormErrors]:
    """The record the screening form's inputs give (empty inputs left out), and the problems by input."""
    from oncotrial.eligibility.records import PatientRecord

    nested: dict[str, Any] = {}
    errors = FormErrors(typed=dict(typed))
    # the fields of a list's entries after the list itself, so that "none" meets the entries typed below it
    for name, text in sorted(typed.items(), key=lambda item: item[0].count(".")):
        if name in NOT_RECORD or not text.strip():
            continue
        if not _put(nested, _path(name), _value(text)):
            container = name.split(".", 1)[0]
            errors.add(container, f"{container} is marked none, yet {name} is filled in: choose one")
    moved: dict[tuple[str | int, ...], tuple[str | int, ...]] = {}
    record: dict[str, Any] = _lists(nested, (), moved)
    try:
        PatientRecord.model_validate({"subject_id": subject_id, **record})
    except ValidationError as exc:
        for problem in exc.errors():
            loc = tuple(part for part in problem["loc"] if not isinstance(part, str) or "[" not in part)
            errors.add(_input_name(loc, moved), str(problem["msg"]).removeprefix("Value error, "))
    return record, errors


def parse_moment(text: str, *, field: str, errors: FormErrors, date_only: bool = False) -> dt.datetime | None:
    """A date (``YYYY-MM-DD``) or, unless ``date_only``, a date and time (``YYYY-MM-DDTHH:MM``); a problem
    is added to ``errors`` (and None returned) when it cannot be read."""
    try:
        if date_only:
            day = dt.date.fromisoformat(text.strip())
            return dt.datetime(day.year, day.month, day.day)
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        shape = "YYYY-MM-DD" if date_only else "YYYY-MM-DDTHH:MM (e.g. 2026-11-21T09:00)"
        errors.add(field, f"{text.strip() or 'nothing'} is not a date{'' if date_only else ' and time'}: give {shape}")
        return None
