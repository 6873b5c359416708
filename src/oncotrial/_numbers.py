"""What counts as a number in the input checks (Python or numpy values, as read from tables, never a bool),
and how a missing value is written in a table."""

from __future__ import annotations

import math
import numbers

__all__ = ["MISSING_SPELLINGS", "is_number", "is_whole"]

# A missing value as R's write.csv (NA), SAS (.) and an empty cell write it.
MISSING_SPELLINGS = ("", "NA", ".")


def is_whole(value: object) -> bool:
    """An integer (Python or numpy, as read from a table), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    """A finite real number (Python or numpy), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
