"""Checks of design inputs, shared by every design function (``check_*`` raise DesignError)."""

from __future__ import annotations

from oncotrial._numbers import is_number, is_whole
from oncotrial.errors import DesignError

__all__ = [
    "check_error_rate",
    "check_rate",
    "check_rates",
    "check_sample_size",
    "check_two_stage_rule",
    "is_number",
    "is_whole",
]


def check_rate(value: float, name: str) -> None:
    """Raise unless ``value`` is a response rate strictly between 0 and 1."""
    if not is_number(value) or not 0.0 < value < 1.0:
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
    if not is_number(value) or not 0.0 < value < 0.5:
        raise DesignError(
            f"{name} = {value!r} must lie strictly between 0 and 0.5 "
            f"(alpha is usually 0.05 or 0.10, beta 0.10 or 0.20, i.e. power 90 % or 80 %).",
            code="DESIGN-E003",
            field=name,
        )


def check_sample_size(value: int, name: str, *, minimum: int = 1, maximum: int = 1000, what: str = "subjects") -> None:
    """Raise unless ``value`` is a whole number (of ``what``) in ``[minimum, maximum]``."""
    if not is_whole(value) or not minimum <= value <= maximum:
        of = f" of {what}" if what else ""
        raise DesignError(
            f"{name} = {value} must be a whole number{of} from {minimum} to {maximum}.",
            code="DESIGN-E004",
            field=name,
        )


def check_two_stage_rule(r1: int, n1: int, r: int, n: int) -> None:
    """Raise unless ``r1/n1, r/n`` is a two-stage rule: ``-1 <= r1 < n1 < n`` and ``r1 <= r < n``."""
    check_sample_size(n, "n", minimum=2)
    check_sample_size(n1, "n1", maximum=n - 1)
    if not (is_whole(r1) and is_whole(r) and -1 <= r1 < n1 and r1 <= r < n):
        raise DesignError(
            f"The rule r1/n1 = {r1}/{n1}, r/n = {r}/{n} is not a two-stage design: "
            f"it needs -1 <= r1 < n1 < n and r1 <= r < n.",
            code="DESIGN-E005",
            field="design",
        )
