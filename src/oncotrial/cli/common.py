"""Helpers shared by the CLI commands: consoles, argument parsing, writing output."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

from rich.console import Console

from oncotrial.errors import DataError

__all__ = ["err", "out", "parse_start", "write_text"]

# A pipe or a file gets wide lines rather than columns folded at 80 characters.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def parse_start(value: str, *, option: str = "--start") -> date | datetime:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``; anything else is a clear error."""
    text = value.strip()
    try:
        if "T" in text or " " in text:
            return datetime.fromisoformat(text)
        return date.fromisoformat(text)
    except ValueError:
        raise DataError(
            f"{option} '{value}' is not a date: write it as YYYY-MM-DD (e.g. 2026-11-23), or "
            "YYYY-MM-DDTHH:MM to set the time of the first dose (e.g. 2026-11-23T16:00).",
            code="CLI-E001",
            field=option,
        ) from None


def write_text(text: str, path: Path | None) -> None:
    """Write to ``path``, or to standard output when none is given."""
    if path is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    path.write_text(text, encoding="utf-8")
    err.print(f"Wrote {path}")
