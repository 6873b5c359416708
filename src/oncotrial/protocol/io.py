"""Read and validate protocol documents (YAML), reporting every problem of a file at once.

Validation has two passes over the document and reports their problems together:

1. the pydantic models (types, ranges, units, unknown fields), and
2. checks across parts of the document (ids unique, references resolve, schedules fit
   in their cycles), run on the raw document so that they still report when pass 1 fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from oncotrial._documents import DEFAULT_LIMITS, DocumentLimits, parse_document, read_document, shorten_path
from oncotrial._writing import write_text_atomically
from oncotrial.errors import DataError, Problem, ProtocolError, validation_messages
from oncotrial.protocol.base import expand_day_list
from oncotrial.protocol.library import builtin_protocol_files
from oncotrial.protocol.models import Protocol

__all__ = [
    "load_builtin_protocol",
    "load_protocol",
    "load_protocol_reference",
    "parse_protocol",
    "protocol_to_dict",
    "save_protocol",
]


def load_protocol(path: str | Path, *, limits: DocumentLimits = DEFAULT_LIMITS) -> Protocol:
    """Read a protocol YAML (or JSON) file and validate it.

    The file is read within ``limits`` (size, nesting, aliases: see :mod:`oncotrial._documents`).

    Raises
    ------
    ProtocolError
        When the file cannot be read or parsed (with the reader's code, ``DOC-E001`` or ``DOC-E002``),
        or the document is invalid; the error lists every problem with its place in the file.
    """
    path = Path(path)
    try:
        data = read_document(path, what="protocol file", field="protocol", limits=limits)
    except DataError as exc:
        raise ProtocolError(exc.message, code=exc.code, file=str(path)) from exc
    return parse_protocol(data, source=shorten_path(path))


def parse_protocol(data: Any, *, source: str = "<protocol>") -> Protocol:
    """Validate a protocol document already read into Python objects."""
    if data is None:
        raise ProtocolError(
            f"{source} is empty: a protocol is a mapping of fields (id, title, arms, ...). Check that it is the "
            "right file and that it was saved whole.",
            code="PROTOCOL-E102",
            file=source,
        )
    if not isinstance(data, Mapping):
        raise ProtocolError(
            f"{source}: a protocol must be a mapping of fields (id, title, arms, ...), found {_kind(data)}.",
            code="PROTOCOL-E102",
            file=source,
        )
    problems: list[Problem] = []
    protocol: Protocol | None = None
    try:
        protocol = Protocol.model_validate(data)
    except ValidationError as exc:
        problems.extend(_problems_from_pydantic(exc, data))
    problems.extend(_cross_reference_problems(data))
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise ProtocolError(
            f"{source}: the protocol is not valid ({count}); fix each and validate again:",
            problems=problems,
            file=source,
        )
    assert protocol is not None
    return protocol


def _kind(data: Any) -> str:
    """What a document that is not a mapping is, in words ("a list", "a text")."""
    kinds: dict[type, str] = {list: "a list", str: "a text"}
    return kinds.get(type(data), f"a single value ({type(data).__name__})")


def protocol_to_dict(protocol: Protocol) -> dict[str, Any]:
    """The validated protocol as plain JSON-compatible data (defaults filled in)."""
    data: dict[str, Any] = json.loads(protocol.model_dump_json(exclude_none=True))
    return data


def save_protocol(protocol: Protocol, path: str | Path) -> None:
    """Write a protocol as YAML that :func:`load_protocol` reads back to an equal protocol (whole or not at all)."""
    text = yaml.safe_dump(protocol_to_dict(protocol), sort_keys=False, allow_unicode=True)
    write_text_atomically(Path(path), text)


# --- pass 1: pydantic errors, with places named by id --------------------------------------


def _problems_from_pydantic(exc: ValidationError, data: Mapping[str, Any]) -> Iterator[Problem]:
    for error in exc.errors(include_url=False):
        location = _location(error["loc"], data)
        kind = error["type"]
        if kind == "extra_forbidden":
            yield Problem(
                location,
                f"'{error['loc'][-1]}' is not a field here; check its spelling or remove it",
                "PROTOCOL-E001",
            )
        elif kind == "missing":
            yield Problem(location, "this field is required", "PROTOCOL-E002")
        else:
            ((_, message),) = validation_messages([error])
            found = error.get("input")
            if not isinstance(found, Mapping | list) and kind != "value_error":
                message = f"{message} (found {found!r})"
            yield Problem(location, message, "PROTOCOL-E003")


def _location(loc: tuple[Any, ...], data: Any) -> str:
    """``('arms', 0, 'treatments', 1, 'dose')`` → ``arms[A].treatments[il2].dose``."""
    parts: list[str] = []
    node: Any = data
    arrived = True  # pydantic names a union's tag right after the field that holds the union
    for key in loc:
        if arrived and isinstance(node, Mapping) and node.get("kind") == key:
            arrived = False  # the discriminator tag ("days", "weeks", ...): not a place in the file
            continue
        arrived = True
        if isinstance(key, int) and isinstance(node, list):
            item = node[key] if key < len(node) else None
            label = item.get("id") if isinstance(item, Mapping) else None
            parts.append(f"[{label}]" if isinstance(label, str) else f"[{key}]")
            node = item
        elif isinstance(node, Mapping) and key in node:
            parts.append(f".{key}")
            node = node[key]
        else:
            parts.append(f".{key}")
            node = None
    return "".join(parts).lstrip(".") or "(document)"


# --- pass 2: checks across parts of the document -------------------------------------------


def _items(node: Any, key: str) -> list[Mapping[str, Any]]:
    value = node.get(key) if isinstance(node, Mapping) else None
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _ids(items: list[Mapping[str, Any]]) -> list[str]:
    return [i["id"] for i in items if isinstance(i.get("id"), str)]


def _label(item: Mapping[str, Any], index: int) -> str:
    return str(item["id"]) if isinstance(item.get("id"), str) else str(index)


def _duplicates(ids: list[str], where: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            yield Problem(f"{where}[{value}]", f"the id '{value}' is used twice; ids must be unique", "PROTOCOL-E010")
        seen.add(value)


def _cross_reference_problems(data: Mapping[str, Any]) -> Iterator[Problem]:
    agents = _ids(_items(data, "agents"))
    arms = _items(data, "arms")
    arm_ids = _ids(arms)
    for key in ("agents", "arms", "eligibility", "endpoints"):
        yield from _duplicates(_ids(_items(data, key)), key)
    for index, arm in enumerate(arms):
        yield from _arm_problems(arm, f"arms[{_label(arm, index)}]", agents, arm_ids)
    design = data.get("design")
    if isinstance(design, Mapping) and isinstance(design.get("arms"), list):
        for arm_id in design["arms"]:
            if isinstance(arm_id, str) and arm_id not in arm_ids:
                yield Problem("design.arms", f"arm '{arm_id}' is not one of the arms {arm_ids}", "PROTOCOL-E011")


def _arm_problems(arm: Mapping[str, Any], where: str, agents: list[str], arm_ids: list[str]) -> Iterator[Problem]:
    treatments = _items(arm, "treatments")
    treatment_ids = _ids(treatments)
    yield from _duplicates(treatment_ids, f"{where}.treatments")
    span = _cycle_span(arm)
    for index, treatment in enumerate(treatments):
        place = f"{where}.treatments[{_label(treatment, index)}]"
        agent = treatment.get("agent")
        if isinstance(agent, str) and agent not in agents:
            yield Problem(f"{place}.agent", f"agent '{agent}' is not defined under 'agents' {agents}", "PROTOCOL-E011")
        if span is not None:
            yield from _schedule_fit_problems(treatment, place, span)
    for index, limit in enumerate(_items(arm, "dose_limits")):
        ref = limit.get("treatment")
        if isinstance(ref, str) and ref not in treatment_ids:
            yield Problem(
                f"{where}.dose_limits[{index}].treatment",
                f"treatment '{ref}' is not one of this arm's treatments {treatment_ids}",
                "PROTOCOL-E011",
            )
    for index, rule in enumerate(_items(arm, "crossover")):
        for key in ("to_arm", "analysed_in_arm"):
            ref = rule.get(key)
            if isinstance(ref, str) and ref not in arm_ids:
                yield Problem(
                    f"{where}.crossover[{_label(rule, index)}].{key}",
                    f"arm '{ref}' is not one of the arms {arm_ids}",
                    "PROTOCOL-E011",
                )


def _cycle_span(arm: Mapping[str, Any]) -> tuple[int, str] | None:
    """The number of days a cycle spans and how the protocol says so, when it is stated."""
    length = arm.get("cycle_length_days")
    if isinstance(length, int) and length > 0:
        return length, f"the cycle is {length} days long"
    rule = arm.get("next_cycle")
    offset = rule.get("offset_days") if isinstance(rule, Mapping) else None
    if isinstance(offset, int) and offset > 0:
        return offset, f"the next cycle starts {offset} days after day 1"
    return None


def _schedule_days(schedule: Mapping[str, Any]) -> list[int]:
    """The cycle days a days/weeks schedule names, or [] when they cannot be read (pass 1 says why)."""
    kind = schedule.get("kind")
    days = _day_list(schedule.get("days")) if kind == "days" else []
    if kind == "weeks":
        weeks, week_days = _day_list(schedule.get("weeks")), _day_list(schedule.get("days_of_week"))
        days = [(w - 1) * 7 + d for w in weeks for d in week_days]
    return days


def _day_list(value: Any) -> list[int]:
    try:
        items = expand_day_list(value) if value is not None else []
    except ValueError:
        return []
    # Pass 1 reads "20" as day 20, so this check must too.
    return [int(d) for d in items if (isinstance(d, int) and not isinstance(d, bool)) or str(d).strip().isdigit()]


def _schedule_fit_problems(treatment: Mapping[str, Any], place: str, span: tuple[int, str]) -> Iterator[Problem]:
    days, reason = span
    schedules: list[tuple[str, Mapping[str, Any]]] = []
    if isinstance(treatment.get("schedule"), Mapping):
        schedules.append((f"{place}.schedule", treatment["schedule"]))
    for index, rule in enumerate(_items(treatment, "schedule_by_patient_number")):
        if isinstance(rule.get("schedule"), Mapping):
            schedules.append((f"{place}.schedule_by_patient_number[{index}].schedule", rule["schedule"]))
    for where, schedule in schedules:
        late = [d for d in _schedule_days(schedule) if d > days]
        if late:
            yield Problem(
                where,
                f"day {max(late)} is outside the cycle: {reason}. Shorten the schedule or lengthen the cycle",
                "PROTOCOL-E012",
            )
        every, count = schedule.get("every_hours"), schedule.get("max_doses")
        if schedule.get("kind") == "interval" and isinstance(every, int | float) and isinstance(count, int):
            hours = every * (count - 1)
            if every > 0 and hours >= days * 24:
                yield Problem(
                    where,
                    f"{count} doses every {every:g} h take {hours / 24:.1f} days, longer than the cycle: {reason}",
                    "PROTOCOL-E012",
                )


# --- the built-in library ------------------------------------------------------------------


def load_builtin_protocol(protocol_id: str) -> Protocol:
    """A built-in protocol by id (case-insensitive), validated.

    Raises
    ------
    ProtocolError
        When no built-in protocol has that id; the message lists the ids there are.
    """
    files = builtin_protocol_files()
    match = {key.lower(): key for key in files}.get(protocol_id.strip().lower())
    if match is None:
        raise ProtocolError(
            f"There is no built-in protocol '{shorten_path(protocol_id, 60)}'. Built-in protocols: "
            f"{', '.join(sorted(files))}. To use your own, pass the path of its YAML file.",
            code="PROTOCOL-E103",
        )
    entry = files[match]
    data = parse_document(entry.read_text(encoding="utf-8"), syntax="yaml")  # libyaml: faster start-up
    return parse_protocol(data, source=f"built-in protocol {match}")


def load_protocol_reference(reference: str, *, limits: DocumentLimits = DEFAULT_LIMITS) -> Protocol:
    """A protocol given as a built-in id or as a path to a YAML file (read within ``limits``)."""
    path = Path(reference)
    if path.suffix.lower() in {".yaml", ".yml", ".json"} or _is_file(path):
        return load_protocol(path, limits=limits)
    return load_builtin_protocol(reference)


def _is_file(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):  # a name too long for the system (or holding a NUL) names no file
        return False
