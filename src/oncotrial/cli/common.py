"""Helpers shared by the CLI commands: consoles, argument parsing, reading input and writing output.

Output files
------------
An option that names a file the command writes is declared with :func:`output_option`::

    out_path: Annotated[Path, output_option("--out", help="ADRS file to write (.csv or .parquet).")]

That is all a command does: :func:`guard_outputs` (applied by ``cli.main`` to every command) then
refuses, before the command runs, an output that is the same file as one of the command's inputs
(any other parameter naming an existing file: ``--grid``, ``--protocol``, ``FILE``...) or as another
output, comparing the files themselves (symlinks, ``./g.csv`` and ``g.csv``, hard links). The output
options are listed under "Output files" in the command's ``--help``. Write the files with
:func:`write_text` (text) or ``oncotrial.io.tables.write_table`` (tables): both write a temporary file
beside the target and rename it over the target, so a failure never leaves half a file.

Input documents
---------------
YAML and JSON documents are read by ``oncotrial._documents.read_document`` within bounds (size, nesting,
values, aliases); :func:`input_limits` gives a command those bounds, with the size taken from the
``ONCOTRIAL_MAX_INPUT_MB`` environment variable when it is set.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import sys
import typing
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.models import OptionInfo, ParameterInfo

from oncotrial.errors import DataError, TrialError
from oncotrial.io import DEFAULT_LIMITS, DocumentLimits, shorten_path, write_text_atomically

__all__ = [
    "OUTPUT_FILES",
    "err",
    "fit_column_widths",
    "guard_outputs",
    "input_limits",
    "naming_options",
    "out",
    "output_option",
    "parse_start",
    "print_table",
    "write_text",
]

OUTPUT_FILES = "Output files"
"""The ``--help`` panel of the options that name files a command writes (see :func:`output_option`)."""

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


def parse_start(
    value: str, *, option: str = "--start", time: str | None = "to set the time of the first dose"
) -> date | datetime:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``; anything else is a clear error, whose hint offers the time form
    with what it is for (``time``), or offers the date alone when ``time`` is None (an option that takes a day)."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text) if "T" in text or " " in text else date.fromisoformat(text)
    except ValueError:
        with_time = f", or YYYY-MM-DDTHH:MM {time} (e.g. 2026-11-23T16:00)" if time else ""
        raise DataError(
            f"{option} '{value}' is not a date: write it as YYYY-MM-DD (e.g. 2026-11-23){with_time}.",
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


MAX_INPUT_MB = "ONCOTRIAL_MAX_INPUT_MB"


def input_limits(limits: DocumentLimits = DEFAULT_LIMITS) -> DocumentLimits:
    """``limits``, with the largest file size from ``ONCOTRIAL_MAX_INPUT_MB`` (megabytes) when it is set."""
    setting = os.environ.get(MAX_INPUT_MB, "").strip()
    if not setting:
        return limits
    try:
        megabytes = float(setting)
    except ValueError:
        megabytes = math.nan
    if not 0 < megabytes <= 64 * 1024:
        raise DataError(
            f"{MAX_INPUT_MB}={setting!r} is not a size in megabytes from 0 to 65536 (e.g. 200); set it right or "
            "unset it to use the defaults.",
            code="CLI-E004",
            field=MAX_INPUT_MB,
        )
    return dataclasses.replace(limits, max_bytes=int(megabytes * 1024 * 1024))


def write_text(text: str, path: Path | None, *, option: str = "--out") -> None:
    """Write to ``path`` whole or not at all, or to standard output when none is given."""
    if path is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        write_text_atomically(path, text)
    except OSError as exc:
        raise DataError(
            f"Cannot write {shorten_path(path)}: {exc.strerror or exc}. Check that the folder exists, can be "
            "written to and has space; nothing was written.",
            code="CLI-E002",
            field=option,
        ) from exc
    err.print(f"Wrote {path}")


# --- output files: declared once, checked for every command -----------------------------------


def output_option(*declarations: str, help: str) -> Any:
    """A ``typer.Option`` for a file the command writes (see the module docstring)."""
    return typer.Option(*declarations, help=help, rich_help_panel=OUTPUT_FILES)


def _parameters(callback: Callable[..., Any]) -> dict[str, tuple[bool, str]]:
    """``{parameter: (is_output, option)}`` from a command's ``Annotated[..., typer.Option(...)]`` hints."""
    described = {}
    for name, hint in typing.get_type_hints(callback, include_extras=True).items():
        info = next((m for m in getattr(hint, "__metadata__", ()) if isinstance(m, ParameterInfo)), None)
        # typer reads typer.Option("--out") in Annotated as the declaration, kept in ``default``
        spelled = [getattr(info, "default", None), *(getattr(info, "param_decls", None) or ())]
        declared = [d for d in spelled if isinstance(d, str) and d.startswith("-")]
        option = (
            declared[0]
            if declared
            else (f"--{name.replace('_', '-')}" if isinstance(info, OptionInfo) else name.upper())
        )
        described[name] = (getattr(info, "rich_help_panel", None) == OUTPUT_FILES, option)
    return described


def _files(callback: Callable[..., Any], values: dict[str, Any]) -> Iterator[tuple[bool, str, Path]]:
    """``(is_output, option, path)`` for every file-like value a command is called with."""
    for name, (is_output, option) in _parameters(callback).items():
        value = values.get(name)
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, Path) or (isinstance(item, str) and item and not is_output):
                yield is_output, option, Path(item)


def _same_file(output: Path, other: Path, *, other_is_output: bool) -> bool:
    """Whether writing ``output`` would write ``other`` (an input only counts when it exists)."""
    try:
        if output.exists() and other.exists():
            return os.path.samefile(output, other)
        return other_is_output and os.path.realpath(output) == os.path.realpath(other)
    except (OSError, ValueError):  # a name too long or holding a NUL cannot be a file written here
        return False


def check_outputs(files: list[tuple[bool, str, Path]]) -> None:
    """Refuse an output ``(True, option, path)`` that is one of the inputs or another output."""
    earlier = [file for file in files if not file[0]]  # every input, then the outputs already checked
    for is_output, option, path in files:
        if not is_output:
            continue
        for other_is_output, other, other_path in earlier:
            if _same_file(path, other_path, other_is_output=other_is_output):
                kind = "another output" if other_is_output else "an input"
                raise DataError(
                    f"{option} {shorten_path(path)} is the same file as {other} {shorten_path(other_path)}, {kind} "
                    f"of this command: writing it would destroy it. Give {option} another file name.",
                    code="CLI-E003",
                    field=option,
                )
        earlier.append((is_output, option, path))


def guard_outputs(app: typer.Typer) -> typer.Typer:
    """Make every command of ``app`` (and of its sub-apps) call :func:`check_outputs` before it runs."""
    for command in app.registered_commands:
        if command.callback is not None and not hasattr(command.callback, "_outputs_guarded"):
            command.callback = _guarded(command.callback)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            guard_outputs(group.typer_instance)
    return app


def _guarded(callback: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(callback)  # typer reads the parameters of the wrapped command
    def run(**values: Any) -> Any:
        check_outputs(list(_files(callback, values)))
        return callback(**values)

    run._outputs_guarded = True  # type: ignore[attr-defined]
    return run


@contextmanager
def naming_options(options: Mapping[str, str]) -> Iterator[None]:
    """A core error about a parameter (its ``field``, or each of its ``parameters``) that an option sets
    gains the option's name: ``... (option --param)``. The core names its parameters, never the CLI's flags."""
    try:
        yield
    except TrialError as exc:  # a DataError, and the store's errors (an unknown trial, another site's patient)
        names = exc.parameters or (exc.field,)
        named = [options[str(name)] for name in names if str(name) in options]
        if not named:
            raise
        kind = "option" if named[0].startswith("-") else "argument"
        which = f"{kind} {named[0]}" if len(named) == 1 else f"options {', '.join(named)}"
        exc.message = f"{exc.message} ({which})"  # the same error, every field kept, its message naming the option
        exc.args = (exc.message,)
        raise
