"""Reading YAML and JSON documents (protocols, records, registry records, patients) within bounds.

Every document a user gives is read through :func:`read_document`, so that hostile or broken input
ends in a :class:`~oncotrial.errors.DataError` naming the file and the problem, never in a crash, a
hang or memory exhaustion:

- **size**: at most :attr:`DocumentLimits.max_bytes` bytes are read (50 MB by default); reading stops
  there, so ``/dev/zero`` or a runaway file is refused instead of read forever;
- **nesting**: at most :attr:`DocumentLimits.max_depth` levels of lists and mappings (100 by
  default). libyaml's composer recurses in C and crashes the interpreter on deep nesting, and
  Python's ``json`` raises ``RecursionError``, so the depth is checked before either recurses;
- **values**: a YAML document holds at most :attr:`DocumentLimits.max_nodes` values (1 million; one
  that PyYAML's composer reads, see below, at most :attr:`DocumentLimits.max_composed_nodes`); its
  aliases (``*name``) may add at most :attr:`DocumentLimits.max_alias_nodes` values once expanded (a
  "billion laughs" document adds billions). An alias is counted at the size of the node it names
  although it is built as the same Python object, since the commands walk the data;
- **impossible values**: a YAML date that does not exist (2026-02-30, year 0, hour 99), an integer of thousands
  of digits, and JSON's ``NaN``/``Infinity`` (not JSON numbers) are refused with their place.

YAML is parsed by libyaml's C parser when PyYAML has it (``yaml._yaml.CParser``; it is iterative, so
deep nesting does not crash it). Plain data (lists, mappings, untagged scalars, anchors and aliases:
all that oncotrial's documents need) is built straight from the parser's events by :class:`_EventBuilder`,
counting depth, values and aliases event by event: about 6 times as fast as ``yaml.CSafeLoader``,
in a twentieth of its memory on the benchmark's file (``bench/bench_documents.py``). A document with anything more (an
explicit tag, a merge key ``<<``, a complex key, several documents) is read by PyYAML's Python composer,
bounded the same way (:class:`_BoundedComposer`), and its safe constructor: it builds a node per value
(several hundred bytes each) before the data, and ``yaml.CSafeLoader``'s composer recurses in C without
bounds. Written here because neither PyYAML nor ``json`` offers these bounds.
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
    max_composed_nodes: int = 1_000_000
    """The values of a document PyYAML's composer reads (one beyond plain data): about 500 bytes each."""


DEFAULT_LIMITS = DocumentLimits()
PATIENTS_FILE_LIMITS = DocumentLimits(max_bytes=512 * 1024 * 1024, max_nodes=20_000_000, max_composed_nodes=10_000_000)
"""A patients file is a data set: 100,000 records of 1.4 kB are 144 MB and 14.8 million values of YAML.

Twenty million values are about 135,000 such records; read as plain data they take little more than
the data itself (about 1.5 GB). A patients file that PyYAML's composer reads (one with a tag) may hold
10 million, which take about 5 GB while composed.
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


class _Bounds:
    """Counts a YAML document's nesting depth, values and the values its aliases add, as it is read.

    Used by both YAML paths (the event builder and the bounded composer), node by node in document order.
    """

    def __init__(self, limits: DocumentLimits, max_nodes: int) -> None:
        self.limits = limits
        self.max_nodes = max_nodes
        self.depth = 0  # lists and mappings around (and including) the node being read
        self.reach = 0  # the deepest level reached inside the node being read
        self.alias_nodes = 0  # values the aliases add when expanded
        self.nodes = 0  # values of the document with every alias expanded
        self.anchored: dict[str, tuple[int, int]] = {}  # anchor -> (expanded values, levels spanned)

    def deeper_than_allowed(self, level: int, line: int) -> None:
        if level > self.limits.max_depth:
            raise _LimitError(
                f"it is nested more than {self.limits.max_depth} levels deep (line {line}); no oncotrial "
                "document needs that many"
            )

    def too_many_values(self, line: int) -> None:
        raise _LimitError(f"it holds more than {self.max_nodes:,} values (line {line}); split it into smaller files")

    def alias(self, anchor: str, line: int) -> None:
        """An alias adds the values and the levels of the node it names (a scalar, when not yet closed)."""
        size, span = self.anchored.get(anchor, (1, 0))
        self.alias_nodes += size
        self.nodes += size
        if self.alias_nodes > self.limits.max_alias_nodes:
            raise _LimitError(
                f"its aliases (*{anchor} and others) expand it by more than {self.limits.max_alias_nodes:,} "
                f"values (line {line}); write the repeated parts out instead of aliasing them"
            )
        self.deeper_than_allowed(self.depth + span, line)
        self.reach = max(self.reach, self.depth + span)

    def open(self, collection: bool, line: int) -> tuple[int, int, int]:
        """A node starts (a list or mapping when ``collection``); what :meth:`close` needs back."""
        saved = self.depth, self.nodes, self.reach
        self.nodes += 1
        if self.nodes > self.max_nodes:
            self.too_many_values(line)
        self.depth += collection
        self.deeper_than_allowed(self.depth, line)
        self.reach = self.depth
        return saved

    def close(self, saved: tuple[int, int, int], anchor: str | None) -> None:
        """The node opened with ``saved`` ends; an anchored node's values and levels are kept for its aliases."""
        outer, nodes_before, reach_before = saved
        if anchor is not None:
            self.anchored[anchor] = (self.nodes - nodes_before, self.reach - outer)
        self.depth, self.reach = outer, max(reach_before, self.reach)


class _BoundedComposer(Composer):
    """PyYAML's composer, counting nesting depth and the nodes that aliases add."""

    bounds: _Bounds
    peek_event: Callable[[], Event]  # from the parser it is mixed with

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            self.bounds.alias(str(event.anchor), _line(event))
            return super().compose_node(parent, index)
        saved = self.bounds.open(isinstance(event, CollectionStartEvent), _line(event))
        node = super().compose_node(parent, index)
        self.bounds.close(saved, str(event.anchor) if isinstance(event, NodeEvent) and event.anchor else None)
        return node


_KINDS = {"timestamp": "a date or time", "int": "a whole number", "float": "a number"}


def _unreadable(node: Node, exc: Exception) -> ConstructorError:
    """The error for a value Python cannot hold (a 30th of February), naming its place."""
    value = f"'{node.value[:40]}'" if isinstance(node, ScalarNode) else "this value"
    kind = node.tag.rsplit(":", 1)[-1]
    reason = "it has too many digits" if "digits" in str(exc) else str(exc)
    problem = f"{value} cannot be read as {_KINDS.get(kind, 'a ' + kind)} ({reason})"
    return ConstructorError(None, None, problem, node.start_mark)


class _CheckedConstructor(SafeConstructor):
    """PyYAML's safe constructor; a value Python cannot hold (a 30th of February) names its place."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            raise _unreadable(node, exc) from exc


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

    def __init__(self, stream: str, limits: DocumentLimits, max_nodes: int) -> None:
        _ParserBase.__init__(self, stream)  # type: ignore[misc]
        _BoundedComposer.__init__(self)
        _CheckedConstructor.__init__(self)
        Resolver.__init__(self)
        self.bounds = _Bounds(limits, max_nodes)

    # libyaml's CParser composes in C, without bounds: PyYAML's composer (bounded above) is used instead
    check_node = Composer.check_node
    get_node = Composer.get_node
    get_single_node = Composer.get_single_node


class _Beyond(Exception):
    """The document uses more than plain data: the bounded composer reads it."""


_STR = "tag:yaml.org,2002:str"
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{kind}" for kind in ("null", "bool", "int", "float", "timestamp"))
_NO_KEY: Any = object()


class _EventBuilder:
    """Plain data built straight from the parser's events, within bounds: no node graph.

    PyYAML's composer builds a node object per value and its constructor then builds the data from
    the nodes, in Python: for a patients file of 100,000 records that is most of the time. This builds
    each list and mapping as its events arrive (open containers on a stack, each mapping with its
    pending key) and resolves and constructs each distinct scalar text once, with PyYAML's own safe
    resolver and constructors, so the result is the one ``yaml.load(text, Loader=yaml.CSafeLoader)``
    gives (checked in the tests). Anything beyond plain data (an explicit tag, a merge key ``<<``, a
    complex key, a repeated anchor, an undefined alias, several documents) raises :class:`_Beyond`,
    for the bounded composer to read the document whole (errors included, as PyYAML words them).

    An alias is the same Python object as its anchored node (as with PyYAML's constructor); the
    values it adds once expanded are counted all the same (:meth:`_Bounds.alias`), since the
    commands walk the data.
    """

    def __init__(self, loader: _BoundedLoader) -> None:
        self.loader = loader
        self.bounds = loader.bounds
        self.resolve: Callable[[type[ScalarNode], str, tuple[bool, bool]], str] = loader.resolve
        self.scalars: dict[tuple[str, Any], Any] = {}  # (text, implicit) -> value (immutable values only)
        self.anchors: dict[str, Any] = {}
        self.stack: list[list[Any]] = []  # [container, pending key or _NO_KEY, what _Bounds.close needs, anchor]
        self.root: Any = None
        self.documents = 0
        self.handlers: dict[type[Event], Callable[[Any], None]] = {
            yaml.ScalarEvent: self.on_scalar,
            yaml.AliasEvent: self.on_alias,
            yaml.MappingStartEvent: self.on_start,
            yaml.SequenceStartEvent: self.on_start,
            yaml.MappingEndEvent: self.on_end,
            yaml.SequenceEndEvent: self.on_end,
            yaml.DocumentStartEvent: self.on_document,
        }

    def build(self) -> Any:
        """The document's data.

        Raises
        ------
        _Beyond
            When the document is more than plain data.
        yaml.YAMLError
            When it is not YAML (the parser's error), passes a bound or holds an impossible value.
        """
        bounds, handlers, scalars, place = self.bounds, self.handlers, self.scalars, self.place
        get_event: Callable[[], Event] = self.loader.get_event
        max_nodes = bounds.max_nodes
        while True:
            event = get_event()
            if type(event) is yaml.ScalarEvent and event.tag is None and event.anchor is None:
                # the common case, inline: a plain or quoted scalar, one value more
                bounds.nodes += 1
                if bounds.nodes > max_nodes:
                    bounds.too_many_values(_line(event))
                value = scalars.get((event.value, event.implicit), _NO_KEY)
                place(value if value is not _NO_KEY else self.new_scalar(event))
            elif type(event) is yaml.StreamEndEvent:
                return self.root
            else:
                handler = handlers.get(type(event))
                if handler is not None:  # stream start and document end need nothing
                    handler(event)

    def new_scalar(self, event: yaml.ScalarEvent) -> Any:
        """A scalar not seen before, resolved and constructed as PyYAML's safe loader does."""
        tag = self.resolve(ScalarNode, event.value, event.implicit)
        if tag == _STR:
            value: Any = event.value
        elif tag in _PLAIN_TAGS:
            node = ScalarNode(tag, event.value, event.start_mark)  # type: ignore[arg-type]  # libyaml's Mark
            try:
                value = self.loader.yaml_constructors[tag](self.loader, node)
            except (ValueError, OverflowError) as exc:
                raise _unreadable(node, exc) from exc
        else:  # the merge key "<<" or the value key "="
            raise _Beyond
        self.scalars[(event.value, event.implicit)] = value
        return value

    def anchor(self, event: NodeEvent, value: Any) -> str | None:
        """Keep an anchored value for its aliases; a repeated anchor is PyYAML's error."""
        if event.anchor is None:
            return None
        if event.anchor in self.anchors:
            raise _Beyond
        self.anchors[event.anchor] = value
        return str(event.anchor)

    def on_scalar(self, event: yaml.ScalarEvent) -> None:
        """A scalar with an anchor or a tag."""
        if event.tag not in (None, "!"):
            raise _Beyond
        saved = self.bounds.open(False, _line(event))
        value = self.new_scalar(event)
        self.bounds.close(saved, self.anchor(event, value))
        self.place(value)

    def on_alias(self, event: yaml.AliasEvent) -> None:
        if event.anchor not in self.anchors:
            raise _Beyond  # PyYAML reports the undefined alias
        self.bounds.alias(str(event.anchor), _line(event))
        self.place(self.anchors[event.anchor])

    def on_start(self, event: yaml.CollectionStartEvent) -> None:
        if event.tag not in (None, "!") and not event.implicit:
            raise _Beyond
        saved = self.bounds.open(True, _line(event))
        container: Any = {} if type(event) is yaml.MappingStartEvent else []
        anchor = self.anchor(event, container)
        self.place(container)
        self.stack.append([container, _NO_KEY, saved, anchor])

    def on_end(self, event: yaml.CollectionEndEvent) -> None:
        _, _, saved, anchor = self.stack.pop()
        self.bounds.close(saved, anchor)

    def on_document(self, event: yaml.DocumentStartEvent) -> None:
        self.documents += 1
        if self.documents > 1:
            raise _Beyond  # PyYAML says "expected a single document"

    def place(self, value: Any) -> None:
        """Put ``value`` where the document is: in the open list, as the open mapping's key or value, or as the root."""
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        container = top[0]
        if type(container) is list:
            container.append(value)
        elif top[1] is _NO_KEY:
            if type(value) is list or type(value) is dict:
                raise _Beyond  # a complex key: PyYAML refuses it with its own message
            top[1] = value
        else:
            container[top[1]] = value
            top[1] = _NO_KEY


def _load_yaml(text: str, limits: DocumentLimits) -> Any:
    """Plain data by the event builder; anything more by the bounded composer, from the start."""
    loader = _BoundedLoader(text, limits, limits.max_nodes)
    try:
        return _EventBuilder(loader).build()
    except _Beyond:
        pass
    finally:
        loader.dispose()
    loader = _BoundedLoader(text, limits, min(limits.max_nodes, limits.max_composed_nodes))
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
