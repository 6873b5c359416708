"""Helpers shared by the CLI commands: consoles, argument parsing, writing output."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

from rich.console import Console

from oncotrial.errors import DataError

__all__ = ["err", "out", "parse_start", "read_text_file", "write_text"]

# A pipe or a file gets wide lines rather than columns folded at 80 characters. No markup: the text printed
# holds the user's data (reasons, protocol titles), whose brackets rich would read as tags.
out = Console(highlight=False, markup=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


def parse_start(value: str, *, option: str = "--start") -> date | datetime:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``; anything else is a clear error."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text) if "T" in text or " " in text else date.fromisoformat(text)
    except ValueError:
        raise DataError(
            f"{option} '{value}' is not a date: write it as YYYY-MM-DD (e.g. 2026-11-23), or "
            "YYYY-MM-DDTHH:MM to set the time of the first dose (e.g. 2026-11-23T16:00).",
            code="CLI-E001",
            field=option,
        ) from None
    if isinstance(parsed, datetime) and parsed.tzinfo is not None:
        raise DataError(
            f"{option} '{value}' has a time zone; give the local time without one (e.g. 2026-11-23T08:00).",
            code="CLI-E001",
            field=option,
        )
    if not 1900 <= parsed.year <= 2200:
        raise DataError(
            f"{option} '{value}' is outside the years 1900-2200; check the year.", code="CLI-E001", field=option
        )
    return parsed


def read_text_file(path: Path, *, what: str, option: str, code: str) -> str:
    """The text of an input file (UTF-8, with or without a byte-order mark); a clear error otherwise."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DataError(
            f"Cannot read the {what} {path}: {exc.strerror or exc}. Check the path.", code=code, field=option
        ) from exc
    except UnicodeDecodeError as exc:
        raise DataError(
            f"The {what} {path} is not UTF-8 text (byte {exc.start}): save it as UTF-8 and try again.",
            code=code,
            field=option,
        ) from exc


def write_text(text: str, path: Path | None) -> None:
    """Write to ``path``, or to standard output when none is given."""
    if path is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DataError(
            f"Cannot write {path}: {exc.strerror or exc}. Check that the folder exists and can be written to.",
            code="CLI-E002",
            field="--out",
        ) from exc
    err.print(f"Wrote {path}")
