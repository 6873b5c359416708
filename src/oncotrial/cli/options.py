"""Whole-number options read as text, so that any value typed gets a clear error with the valid range.

typer's own integer options refuse ``1e30`` as a usage error and pass numbers too large for the
day arithmetic on to the core; these options are read as text and checked here instead.
"""

from __future__ import annotations

import math
from typing import Annotated

import typer

from oncotrial.errors import DataError

__all__ = ["AdslVarsOption", "parse_column_list", "parse_whole_number"]

#: ``--adsl-vars``: ADSL columns carried into an ADaM dataset besides the default ones (oncotrial._adsl).
AdslVarsOption = Annotated[
    str | None,
    typer.Option(
        "--adsl-vars",
        metavar="COL,COL",
        help="More ADSL columns to carry into every record (ARM, TRT01P, AGE, SEX, RACE, STRAT* ... are carried "
        "when present).",
    ),
]


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


def parse_column_list(text: str | None, *, option: str) -> list[str]:
    """Column names given as ``COL,COL`` (spaces around names ignored); an empty name is an error."""
    if text is None:
        return []
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise DataError(
            f"{option} '{text}' has an empty column name: give names separated by commas (e.g. {option} BMIBL,ECOGBL).",
            code="CLI-E041",
            field=option,
        )
    return names
