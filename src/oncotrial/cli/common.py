"""Helpers shared by the CLI commands: consoles, argument parsing, writing output."""

from __future__ import annotations

import sys
from collections.abc import Collection, Sequence
from datetime import date, datetime
from pathlib import Path

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from oncotrial.errors import DataError

__all__ = ["err", "fit_column_widths", "out", "parse_start", "print_table", "read_text_file", "write_text"]

# A pipe or a file gets wide lines rather than columns folded at 80 characters. No markup: the text printed
# holds the user's data (reasons, protocol titles), whose brackets rich would read as tags.
out = Console(highlight=False, markup=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


def fit_column_widths(minimums: Sequence[int], wanted: Sequence[int], available: int) -> list[int] | None:
    """Column widths that fit ``available`` cells, each at least its minimum; ``None`` when none fit.

    A column gets what it ``wanted`` (its longest cell) when all fit; otherwise each gets its minimum (its
    longest word) and the room left goes to the columns that want least more first, so short cells such as
    "Wed 2026-11-23" stay on one line and long text wraps. Written by hand: rich shrinks the widest columns
    below their longest word, then cuts that word with an ellipsis.
    """
    if sum(minimums) > available:
        return None
    widths = list(minimums)
    spare = available - sum(minimums)
    for i in sorted(range(len(widths)), key=lambda i: wanted[i] - minimums[i]):
        extra = min(max(wanted[i] - minimums[i], 0), spare)
        widths[i] += extra
        spare -= extra
    return widths


def _widths(cells: Sequence[str]) -> tuple[int, int]:
    """(the longest word, the longest line) of a column's cells, in terminal cells."""
    words = [cell_len(word) for cell in cells for word in cell.split()]
    return max(words, default=1), max((cell_len(line) for cell in cells for line in cell.splitlines()), default=1)


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: Collection[str] = (),
    console: Console | None = None,
) -> None:
    """Print ``rows`` under ``columns`` without ever cutting a cell, whatever the console's width.

    Cells wrap between words and no column is narrower than its longest word, so a date (2026-11-23) or a
    dose (42,000,000 IU) is never split or ended with "…". When even the longest words cannot sit side by
    side, each row is printed as a block of "column: value" lines instead. ``right`` names the columns
    aligned to the right (numbers). Any command's table can go through here.
    """
    console = console or out
    measured = [_widths([name, *(row[i] for row in rows)]) for i, name in enumerate(columns)]
    for padding in (1, 0):  # a space either side of the rule between columns if there is room; no outer border
        gaps = (2 * padding + 1) * (len(columns) - 1)
        widths = fit_column_widths([m for m, _ in measured], [w for _, w in measured], console.width - gaps)
        if widths is not None:
            break
    else:
        _print_blocks(title, columns, rows, console)
        return
    table = Table(
        title=Text(title), box=box.MINIMAL, show_edge=False, padding=(0, padding), pad_edge=False, title_justify="left"
    )
    for name, width in zip(columns, widths, strict=True):
        table.add_column(name, width=width, overflow="fold", justify="right" if name in right else "left")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))  # Text: a user's brackets are never read as markup
    console.print(table)


def _print_blocks(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], console: Console) -> None:
    """One block of "column: value" lines per row, values wrapped to the console's width."""
    console.print(Text(title))
    for row in rows:
        block = Table.grid(padding=(0, 1))
        block.add_column(no_wrap=True)
        block.add_column(overflow="fold")
        for name, value in zip(columns, row, strict=True):
            block.add_row(Text(f"{name}:"), Text(value))
        console.print()
        console.print(block)


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
