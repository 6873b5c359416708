"""Read a large YAML document of plain data (a hospital's extract of patient records) quickly.

PyYAML's C loader (``yaml.CSafeLoader``) parses with libyaml but then builds a graph of node
objects in Python and constructs the data from it; for an extract of 100,000 records that takes
about ten times as long as libyaml's own parsing. :func:`load_yaml_data` builds the data straight
from libyaml's event stream (one pass, no node graph), resolving and constructing each plain
scalar with PyYAML's own safe resolver and constructors, once per distinct scalar text.

Written by hand because no library at hand does this: the result is the one ``yaml.load(text,
Loader=yaml.CSafeLoader)`` gives (checked in the tests on records, anchors and every scalar type),
and a document using anything beyond plain data — an explicit tag, a merge key (``<<``), a
complex key, several documents — is handed to PyYAML's loader whole, so it reads exactly as before
(errors included).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import yaml
from yaml.nodes import ScalarNode

__all__ = ["NotPlainSequence", "iter_yaml_sequence", "load_yaml_data"]

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_PLAIN_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}


class _Beyond(Exception):
    """The document uses more than plain data: PyYAML's loader reads it."""


class NotPlainSequence(Exception):
    """The document is not one sequence of plain data (read it whole with :func:`load_yaml_data`)."""


def load_yaml_data(text: str) -> Any:
    """``yaml.load(text, Loader=CSafeLoader)``, faster for large documents of plain data.

    Raises
    ------
    yaml.YAMLError
        When the text is not YAML (PyYAML's own error, with its line and column).
    """
    try:
        return _Builder(_LOADER(text)).build()
    except (_Beyond, yaml.YAMLError):
        return yaml.load(text, Loader=_LOADER)


def iter_yaml_sequence(text: str, *, size: int = 1000) -> Iterator[list[Any]]:
    """The items of a document that is one top-level sequence, ``size`` at a time, each batch as soon as built.

    Together the batches are ``load_yaml_data(text)``: a caller can start on the first records while
    the rest are read.

    Raises
    ------
    NotPlainSequence
        When the document is not a sequence of plain data, or not YAML: possibly after some batches
        were given, so a caller that used them starts again with :func:`load_yaml_data`.
    """
    builder = _Builder(_LOADER(text))
    try:
        yield from builder.batches(size)
    except (_Beyond, yaml.YAMLError) as exc:
        raise NotPlainSequence from exc
    if type(builder.root) is not list:
        raise NotPlainSequence


class _Builder:
    """Data from the event stream: containers on a stack, each mapping with its pending key."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.resolve: Callable[[type[ScalarNode], str, tuple[bool, bool]], str] = loader.resolve
        self.get_event: Callable[[], yaml.Event] = loader.get_event
        self.scalars: dict[tuple[str, Any], Any] = {}  # (text, implicit) -> value (immutable values only)
        self.anchors: dict[str, Any] = {}
        self.stack: list[list[Any]] = []  # [container, pending key or _NO_KEY]
        self.root: Any = None
        self.documents = 0
        self.batch_size: int | None = None  # give the root sequence's items this many at a time
        self.batch_ready = False
        self.handlers: dict[type[yaml.Event], Callable[[Any], bool]] = {
            yaml.ScalarEvent: self.on_scalar,
            yaml.AliasEvent: self.on_alias,
            yaml.MappingStartEvent: self.on_start,
            yaml.SequenceStartEvent: self.on_start,
            yaml.MappingEndEvent: self.on_end,
            yaml.SequenceEndEvent: self.on_end,
            yaml.DocumentStartEvent: self.on_document,
            yaml.StreamEndEvent: lambda event: True,
        }

    def build(self) -> Any:
        for _ in self.batches(None):
            pass
        return self.root

    def batches(self, size: int | None) -> Iterator[list[Any]]:
        """Build the document; with a ``size``, give the root sequence's items (taken out of it) in batches."""
        self.batch_size = size
        handlers, scalars, get_event, place = self.handlers, self.scalars, self.get_event, self.place
        while True:
            event = get_event()
            if type(event) is yaml.ScalarEvent and event.tag is None and event.anchor is None:
                # the common case, inline: a plain or quoted scalar already seen
                value = scalars.get((event.value, event.implicit), _NO_KEY)
                place(value if value is not _NO_KEY else self.new_scalar(event))
                continue
            handler = handlers.get(type(event))
            if handler is not None and handler(event):  # stream start and document end need nothing
                break
            if self.batch_ready:
                self.batch_ready = False
                yield self.take()
        if size is not None and type(self.root) is list and self.root:
            yield self.take()

    def take(self) -> list[Any]:
        """The root sequence's items built so far, taken out of it."""
        items = list(self.root)
        self.root.clear()
        return items

    def new_scalar(self, event: yaml.ScalarEvent) -> Any:
        """A scalar not seen before, resolved and constructed as PyYAML's safe loader does."""
        tag = self.resolve(ScalarNode, event.value, event.implicit)
        if tag == _STR:
            value: Any = event.value
        elif tag in _PLAIN_TAGS:
            value = self.loader.yaml_constructors[tag](self.loader, ScalarNode(tag, event.value))
        else:  # the merge key "<<" or the value key "="
            raise _Beyond
        self.scalars[(event.value, event.implicit)] = value
        return value

    def on_scalar(self, event: yaml.ScalarEvent) -> bool:
        """A scalar with an anchor or a tag."""
        if event.tag not in (None, "!"):
            raise _Beyond
        value = self.new_scalar(event)
        if event.anchor:
            self.anchors[event.anchor] = value
        self.place(value)
        return False

    def on_alias(self, event: yaml.AliasEvent) -> bool:
        if event.anchor not in self.anchors:
            raise _Beyond  # PyYAML reports the undefined alias
        self.place(self.anchors[event.anchor])
        return False

    def on_start(self, event: yaml.CollectionStartEvent) -> bool:
        if event.tag not in (None, "!") and not event.implicit:
            raise _Beyond
        container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
        if event.anchor:
            self.anchors[event.anchor] = container
        self.place(container)
        self.stack.append([container, _NO_KEY])
        return False

    def on_end(self, event: yaml.CollectionEndEvent) -> bool:
        self.stack.pop()
        if self.batch_size is not None and len(self.stack) == 1 and self.stack[0][0] is self.root:
            self.batch_ready = type(self.root) is list and len(self.root) >= self.batch_size
        return False

    def on_document(self, event: yaml.DocumentStartEvent) -> bool:
        self.documents += 1
        if self.documents > 1:
            raise _Beyond  # PyYAML's loader says "expected a single document"
        return False

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
            if isinstance(value, list | dict):
                raise _Beyond  # a complex key: PyYAML refuses it with its own message
            top[1] = value
        else:
            container[top[1]] = value
            top[1] = _NO_KEY


_NO_KEY = object()
