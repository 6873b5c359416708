"""The built-in protocols of the seed trials, one YAML file each, and a light index of them.

Listing the library reads only the few fields a list shows, without building the pydantic models (which
takes most of a second with pint): ``oncotrial protocol list`` is instant. Every built-in protocol is
validated whole by the test suite, and again whenever one is loaded (:func:`oncotrial.protocol.load_builtin_protocol`).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable

from oncotrial._documents import parse_document

__all__ = ["ProtocolSummary", "builtin_protocol_files", "list_builtin_protocols", "summarise_builtin_protocols"]


@dataclass(frozen=True)
class ProtocolSummary:
    """What a list of protocols shows of one."""

    id: str
    short_title: str
    phase: str
    arms: tuple[str, ...]
    design: str

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "short_title": self.short_title,
            "phase": self.phase,
            "arms": list(self.arms),
            "design": self.design,
        }


def builtin_protocol_files() -> dict[str, Traversable]:
    """The built-in protocols' files by id."""
    folder = resources.files(__name__)
    return {entry.name.removesuffix(".yaml"): entry for entry in folder.iterdir() if entry.name.endswith(".yaml")}


def list_builtin_protocols() -> list[str]:
    """The ids of the protocols shipped with oncotrial, sorted."""
    return sorted(builtin_protocol_files())


def summarise_builtin_protocols() -> list[ProtocolSummary]:
    """The id, short title, phase, arms and design kind of each built-in protocol, sorted by id."""
    summaries = []
    for _, entry in sorted(builtin_protocol_files().items()):
        data = parse_document(entry.read_text(encoding="utf-8"), syntax="yaml")
        summaries.append(
            ProtocolSummary(
                id=str(data["id"]),
                short_title=str(data.get("short_title") or data["title"]),
                phase=str(data["phase"]),
                arms=tuple(str(arm["id"]) for arm in data["arms"]),
                design=str(data["design"]["kind"]),
            )
        )
    return summaries
