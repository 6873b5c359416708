"""Units of measure for doses, body size and laboratory values (pint).

One registry for the whole package, extended with the activity units that biologics are
dosed in (international units, IU; a million IU, MIU). pint knows neither; we define
them as a dimension of their own so that IU never converts to a mass by accident.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pint

from oncotrial.errors import TrialError

__all__ = ["UNITS", "UnitParseError", "clean_lab_unit", "format_unit", "parse_lab_unit", "parse_unit"]

UNITS: pint.UnitRegistry[float] = pint.UnitRegistry()
UNITS.define("international_unit = [biological_activity] = IU")
UNITS.define("million_international_unit = 1e6 * international_unit = MIU")


class UnitParseError(TrialError, ValueError):
    """A unit string is not a unit pint knows."""


@lru_cache(maxsize=256)
def parse_unit(text: str) -> pint.Unit:
    """Return the pint unit for ``text`` (``"IU"``, ``"ug"``, ``"µg"``, ``"Gy"``, ``"mg/dL"``).

    Raises
    ------
    UnitParseError
        When ``text`` is empty or not a known unit.
    """
    cleaned = text.strip().replace("μ", "u").replace("µ", "u")
    if not cleaned:
        raise UnitParseError("The unit is empty; write a unit such as 'mg', 'ug', 'IU' or 'Gy'.")
    try:
        return UNITS.parse_units(cleaned)
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, SyntaxError) as exc:
        raise UnitParseError(
            f"'{text}' is not a unit oncotrial knows; write it as e.g. 'mg', 'ug', 'ng', 'IU', 'MIU' or 'Gy'.",
            code="UNIT-E001",
        ) from exc


_LAB_SPELLINGS = (
    (re.compile(r"^[x×]\s*(?=10)", re.IGNORECASE), ""),  # x10^9/L, ×10^9/L: the count's scale, no factor
    (re.compile(r"\b10\s*(?:[eE]|\*|\*\*)\s*(\d+)"), r"10^\1"),  # 10E9/L (lab systems), 10*9/L (UCUM)
    (re.compile(r"\b(mm|cm|um|m)([23])\b"), r"\1^\2"),  # /mm3 (registry text) is /mm^3
    (re.compile(r"\bcells\s*/", re.IGNORECASE), "/"),  # cells/uL is /uL
)


def clean_lab_unit(text: str) -> str:
    """A site's spelling of a lab unit in the form :func:`parse_lab_unit` reads.

    ``x10^9/L``, ``×10^9/L``, ``10E9/L`` and ``10*9/L`` are all ``10^9/L``; ``/mm3`` is ``/mm^3``;
    ``cells/uL`` is ``/uL``. Written by hand: pint reads none of these laboratory spellings.
    """
    cleaned = text.strip()
    for pattern, replacement in _LAB_SPELLINGS:
        cleaned = pattern.sub(replacement, cleaned)
    return cleaned


def parse_lab_unit(text: str) -> pint.Quantity[float]:
    """A laboratory unit as a scaled unit: ``10^9/L`` is 1e9 per litre, ``/mm^3`` is 1 per mm³.

    Sites write counts with ``^`` for powers and a bare leading ``/``; pint reads neither, so
    they are rewritten first. The scale (10⁹) is kept, so converting 3.0 × 10⁹/L to /mm³ is right.

    Raises
    ------
    UnitParseError
        When ``text`` is empty or not a unit.
    """
    cleaned = clean_lab_unit(text).replace("^", "**").replace("μ", "u").replace("µ", "u")
    if cleaned.startswith("/"):
        cleaned = "1" + cleaned
    if not cleaned:
        raise UnitParseError("The unit is empty; write a unit such as 'g/dL', '10^9/L' or '/mm^3'.", code="UNIT-E001")
    try:
        quantity: pint.Quantity[float] = UNITS.Quantity(UNITS.parse_expression(cleaned))
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, SyntaxError) as exc:
        raise UnitParseError(
            f"'{text}' is not a laboratory unit oncotrial knows; write it as e.g. 'g/dL', 'mg/dL', "
            "'umol/L', '10^9/L' or '/mm^3'.",
            code="UNIT-E001",
        ) from exc
    return quantity


_SYMBOLS = {
    "international_unit": "IU",
    "million_international_unit": "MIU",
    "microgram": "µg",
    "milligram": "mg",
    "nanogram": "ng",
    "gram": "g",
    "gray": "Gy",
    "milliliter": "mL",
    "kilogram": "kg",
}


def format_unit(unit: pint.Unit) -> str:
    """The unit as a clinician writes it (``IU``, ``µg``, ``mg``, ``Gy``)."""
    name = str(unit)
    return _SYMBOLS.get(name, f"{unit:~}")
