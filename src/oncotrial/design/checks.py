"""Checks of design inputs, shared by every design function (``check_*`` raise DesignError)."""

from __future__ import annotations

import math

from oncotrial.errors import DesignError

__all__ = ["check_error_rate", "check_rate", "check_rates", "check_sample_size"]


def check_rate(value: float, name: str) -> None:
    """Raise unless ``value`` is a response rate strictly between 0 and 1."""
    if not isinstance(value, int | float) or not math.isfinite(value) or not 0.0 < value < 1.0:
        raise DesignError(
            f"{name} = {value!r} is not a response rate: give a probability strictly between 0 and 1 "
            f"(for example 0.16 for a 16 % historical response rate).",
            code="DESIGN-E001",
            field=name,
        )


def check_rates(p0: float, p1: float) -> None:
    """Raise unless ``0 < p0 < p1 < 1`` (the uninteresting rate below the promising one)."""
    check_rate(p0, "p0")
    check_rate(p1, "p1")
    if p1 <= p0:
        raise DesignError(
            f"p1 = {p1} must be larger than p0 = {p0}: p0 is the response rate not worth pursuing "
            f"and p1 the rate that makes the treatment promising.",
            code="DESIGN-E002",
            field="p1",
        )


def check_error_rate(value: float, name: str) -> None:
    """Raise unless an error rate (alpha or beta) lies strictly between 0 and 0.5."""
    if not isinstance(value, int | float) or not math.isfinite(value) or not 0.0 < value < 0.5:
        raise DesignError(
            f"{name} = {value!r} must lie strictly between 0 and 0.5 "
            f"(alpha is usually 0.05 or 0.10, beta 0.10 or 0.20, i.e. power 90 % or 80 %).",
            code="DESIGN-E003",
            field=name,
        )


def check_sample_size(value: int, name: str, *, minimum: int = 1, maximum: int = 1000) -> None:
    """Raise unless ``value`` is a whole number of subjects in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise DesignError(
            f"{name} = {value!r} must be a whole number of subjects from {minimum} to {maximum}.",
            code="DESIGN-E004",
            field=name,
        )
