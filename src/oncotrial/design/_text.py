"""Plain-text rendering shared by the design results' ``__str__``: lines within 80 columns.

Written by hand rather than with rich or ``DataFrame.to_string``: the core imports no console
library, and ``to_string`` neither wraps prose nor keeps a table within a width.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

WIDTH = 80


def wrap(text: str, *, indent: str = "") -> list[str]:
    """``text`` as lines of at most 80 columns, the first starting with ``indent``.

    Follow-on lines are indented 2 more than a blank ``indent``, or aligned under the text after a label
    such as ``"Note: "``.
    """
    hanging = indent + "  " if not indent.strip() else " " * len(indent)
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=hanging, break_on_hyphens=False)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A header line and one line per row; the first column left-aligned, the others right-aligned.

    Each column is as wide as its longest cell, with one space between columns.
    """
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        return " ".join([first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))]).rstrip()

    return [line(headers), *(line(row) for row in rows)]
