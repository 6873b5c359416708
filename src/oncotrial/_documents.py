"""Reading YAML and JSON documents (protocols, records, registry records, patients) within bounds.

Every document a user gives is read through :func:`read_document`, so that hostile or broken input
ends in a :class:`~oncotrial.errors.DataError` naming the file and the problem, never in a crash, a
hang or memory exhaustion:

- **size**: at most :attr:`DocumentLimits.max_bytes` bytes are read (50 MB by default); reading stops
  there, so ``/dev/zero`` or a runaway file is refused instead of read forever;
- **nesting**: at most :attr:`DocumentLimits.max_depth` levels of lists and mappings (100 by
  default). libyaml's composer recurses in C and crashes the interpreter on deep nesting, and
  Python's ``json`` raises ``RecursionError``, so the depth is checked before either recurses;
- **values**: a YAML document holds at most :attr:`DocumentLimits.max_nodes` values (1 million; each
  takes about 360 bytes while the document is composed, so 50 MB of ``- a`` lines would take 4.5 GB); its aliases (``*name``) may add at most :attr:`DocumentLimits.max_alias_nodes` values once
  expanded (a "billion laughs" document adds billions);
- **impossible values**: a YAML date that does not exist (2026-02-30, year 0, hour 99), an integer of thousands
  of digits, and JSON's ``NaN``/``Infinity`` (not JSON numbers) are refused with their place.

YAML is parsed by libyaml's C parser when PyYAML has it (``yaml._yaml.CParser``), with PyYAML's
Python composer on top of it: that composer is the one place that sees nesting and aliases before they
are built (``yaml.CSafeLoader`` composes in C, without bounds). The speed is that of
``yaml.CSafeLoader`` (``bench/bench_documents.py``). Written here because neither
PyYAML nor ``json`` offers these bounds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any, Literal

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, Event, NodeEvent
from yaml.nodes import Node, ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from oncotrial.errors import DataError

__all__ = [
    "DEFAULT_LIMITS",
    "PATIENTS_FILE_LIMITS",
    "DocumentLimits",
    "parse_document",
    "read_document",
    "shorten_path",
]


@dataclass(frozen=True)
class DocumentLimits:
    """The bounds a document must stay within (see the module docstring)."""

    max_bytes: int = 50 * 1024 * 1024
    max_depth: int = 100
    max_alias_nodes: int = 1_000_000
    max_nodes: int = 1_000_000


DEFAULT_LIMITS = DocumentLimits()
PATIENTS_FILE_LIMITS = DocumentLimits(max_bytes=512 * 1024 * 1024, max_nodes=10_000_000)
"""A patients file is a data set: 100,000 records of 1.6 kB are 160 MB and 6 million values of YAML.

Ten million values (about 160,000 such records) take about 3.6 GB while they are composed.
"""


class _LimitError(yaml.YAMLError):
    """A bound of :class:`DocumentLimits` was passed while composing (carries the message)."""


def shorten_path(path: Path | str, width: int = 200) -> str:
    """The path as shown in a message: a path thousands of characters long is cut in its middle."""
    text = str(path)
    if len(text) <= width:
        return text
    return f"{text[: width // 2]}…{text[-width // 2 :]} ({len(text)} characters)"


# --- YAML ----------------------------------------------------------------------------------------


def _line(event: Event) -> int:
    """The line (from 1) where an event starts; 0 when the parser did not say."""
    return event.start_mark.line + 1 if event.start_mark is not None else 0


class _BoundedComposer(Composer):
    """PyYAML's composer, counting nesting depth and the nodes that aliases add."""

    limits: DocumentLimits
    peek_event: Callable[[], Event]  # from the parser it is mixed with

    def _start_bounds(self, limits: DocumentLimits) -> None:
        self.limits = limits
        self._depth = 0  # lists and mappings around (and including) the node being composed
        self._reach = 0  # the deepest level reached inside the node being composed
        self._alias_nodes = 0  # nodes the aliases add when expanded
        self._nodes = 0  # nodes of the document with every alias expanded
        self._anchored: dict[str, tuple[int, int]] = {}  # anchor -> (expanded nodes, levels spanned)

    def _deeper_than_allowed(self, level: int, line: int) -> None:
        if level > self.limits.max_depth:
            raise _LimitError(
                f"it is nested more than {self.limits.max_depth} levels deep (line {line}); no oncotrial "
                "document needs that many"
            )

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            size, span = self._anchored.get(str(event.anchor), (1, 0))
            self._alias_nodes += size
            self._nodes += size
            if self._alias_nodes > self.limits.max_alias_nodes:
                raise _LimitError(
                    f"its aliases (*{event.anchor} and others) expand it by more than "
                    f"{self.limits.max_alias_nodes:,} values (line {_line(event)}); write the "
                    "repeated parts out instead of aliasing them"
                )
            self._deeper_than_allowed(self._depth + span, _line(event))
            self._reach = max(self._reach, self._depth + span)
            return super().compose_node(parent, index)
        outer, nodes_before, reach_before = self._depth, self._nodes, self._reach
        self._nodes += 1
        if self._nodes > self.limits.max_nodes:
            raise _LimitError(
                f"it holds more than {self.limits.max_nodes:,} values (line {_line(event)}); split it into smaller files"
            )
        self._depth += isinstance(event, CollectionStartEvent)
        self._deeper_than_allowed(self._depth, _line(event))
        self._reach = self._depth
        node = super().compose_node(parent, index)
        if isinstance(event, NodeEvent) and event.anchor is not None:
            self._anchored[str(event.anchor)] = (self._nodes - nodes_before, self._reach - outer)
        self._depth, self._reach = outer, max(reach_before, self._reach)
        return node


_KINDS = {"timestamp": "a date or time", "int": "a whole number", "float": "a number"}


class _CheckedConstructor(SafeConstructor):
    """PyYAML's safe constructor; a value Python cannot hold (a 30th of February) names its place."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            value = f"'{node.value[:40]}'" if isinstance(node, ScalarNode) else "this value"
            kind = node.tag.rsplit(":", 1)[-1]
            reason = "it has too many digits" if "digits" in str(exc) else str(exc)
            problem = f"{value} cannot be read as {_KINDS.get(kind, 'a ' + kind)} ({reason})"
            raise ConstructorError(None, None, problem, node.start_mark) from exc


class _PythonParser(Reader, Scanner, Parser):
    """PyYAML's own parser, for a PyYAML built without libyaml."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


def _fastest_parser() -> type:
    """libyaml's parser when PyYAML was built with it, PyYAML's own otherwise."""
    try:
        from yaml._yaml import CParser
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        return _PythonParser
    return CParser


_ParserBase: type = _fastest_parser()


class _BoundedLoader(_ParserBase, _BoundedComposer, _CheckedConstructor, Resolver):  # type: ignore[misc]
    """A parser (libyaml's when there) with the bounded composer and the checked constructor."""

    def __init__(self, stream: str, limits: DocumentLimits) -> None:
        _ParserBase.__init__(self, stream)  # type: ignore[misc]
        _BoundedComposer.__init__(self)
        _CheckedConstructor.__init__(self)
        Resolver.__init__(self)
        self._start_bounds(limits)

    # libyaml's CParser composes in C, without bounds: PyYAML's composer (bounded above) is used instead
    check_node = Composer.check_node
    get_node = Composer.get_node
    get_single_node = Composer.get_single_node


def _load_yaml(text: str, limits: DocumentLimits) -> Any:
    loader = _BoundedLoader(text, limits)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _yaml_problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, _LimitError):
        return str(exc)
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return f"it is not valid YAML{where}: {problem}"


# --- JSON ----------------------------------------------------------------------------------------

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string, escapes included (unrolled: fast)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_CHANGE = {"[": 1, "{": 1, "]": -1, "}": -1}


def _json_depth_problem(text: str, limits: DocumentLimits) -> str | None:
    """Whether the JSON text nests deeper than allowed, found before ``json`` recurses into it.

    The brackets outside strings, in order, then their running sum (in C: ``re``, ``map``, ``accumulate``).
    """
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if max(accumulate(map(_DEPTH_CHANGE.__getitem__, brackets)), default=0) > limits.max_depth:
        return f"it is nested more than {limits.max_depth} levels deep; no oncotrial document needs that many"
    return None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number; write a number or null")


def _parse_int(digits: str) -> int:
    if len(digits) > 100:
        raise ValueError(f"a number of {len(digits)} digits is not a value of any trial")
    return int(digits)


def _load_json(text: str, limits: DocumentLimits) -> Any:
    problem = _json_depth_problem(text, limits)
    if problem is not None:
        raise _LimitError(problem)
    return json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int)


# --- the one entry point -----------------------------------------------------------------------


def parse_document(text: str, *, syntax: Literal["yaml", "json"], limits: DocumentLimits = DEFAULT_LIMITS) -> Any:
    """The document in ``text``, within ``limits``.

    Raises
    ------
    ValueError
        With a message that starts "it ..." (it is not valid YAML at line 3, ...), for the caller to
        prefix with the file's name.
    """
    try:
        return _load_yaml(text, limits) if syntax == "yaml" else _load_json(text, limits)
    except yaml.YAMLError as exc:
        raise ValueError(_yaml_problem(exc)) from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"it is not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    except ValueError as exc:  # NaN or Infinity, or an integer of more digits than Python converts
        raise ValueError(f"it holds a value that cannot be read: {exc}") from exc


def _check_size(data: bytes, limits: DocumentLimits) -> None:
    if len(data) > limits.max_bytes:
        mb = limits.max_bytes / 1024 / 1024
        size = f"{mb:g} MB" if mb >= 1 else f"{limits.max_bytes:,} bytes"
        raise ValueError(f"it is larger than {size}, the most oncotrial reads; check that it is the right file")


def read_document(
    path: Path,
    *,
    what: str,
    field: str,
    limits: DocumentLimits = DEFAULT_LIMITS,
    syntax: Literal["yaml", "json"] | None = None,
) -> Any:
    """Read the YAML or JSON document at ``path`` (UTF-8, with or without a byte-order mark).

    ``syntax`` defaults to JSON for a ``.json`` file and YAML otherwise; ``what`` ("protocol file")
    and ``field`` (the command-line option) name the file in errors. An empty document is ``None``.

    Raises
    ------
    DataError
        ``DOC-E001`` when the file cannot be read, ``DOC-E002`` when it is too large, not UTF-8 text,
        not valid YAML/JSON, too deeply nested, or holds a value that cannot be read; the message names
        the file, the place and how to fix it.
    """
    shown = shorten_path(path)
    try:
        with path.open("rb") as stream:
            data = stream.read(limits.max_bytes + 1)  # one byte more tells a file that is too large
    except OSError as exc:
        raise DataError(
            f"Cannot read the {what} {shown}: {exc.strerror or exc}. Check the path.",
            code="DOC-E001",
            field=field,
            file=str(path),
        ) from exc
    try:
        _check_size(data, limits)
        text = data.decode("utf-8-sig")
        syntax = syntax or ("json" if path.suffix.lower() == ".json" else "yaml")
        return parse_document(text, syntax=syntax, limits=limits)
    except UnicodeDecodeError as exc:
        problem = f"it is not UTF-8 text (byte {exc.start}); save it as UTF-8"
    except ValueError as exc:
        problem = str(exc)
    raise DataError(f"The {what} {shown} cannot be used: {problem}.", code="DOC-E002", field=field, file=str(path))
