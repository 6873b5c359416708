"""Whole-number options read as text, so that any value typed gets a clear error with the valid range.

typer's own integer options refuse ``1e30`` as a usage error and pass numbers too large for the
day arithmetic on to the core; these options are read as text and checked here instead.
"""

from __future__ import annotations

import math

from oncotrial.errors import DataError

__all__ = ["parse_whole_number"]


def parse_whole_number(text: str, *, option: str, limits: tuple[int, int]) -> int:
    """The whole number ``text`` (``28``, ``1e3``) within ``limits`` (inclusive); a DataError otherwise."""
    low, high = limits
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value.is_integer() and low <= value <= high):
        raise DataError(
            f"{option} '{text}' is not valid: give a whole number from {low} to {high}.",
            code="CLI-E040",
            field=option,
        )
    return int(value)
