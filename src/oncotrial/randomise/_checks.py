"""Checks shared by the block list and minimisation: the arms and their allocation ratio."""

from __future__ import annotations

from collections.abc import Sequence

from oncotrial.errors import DataError


def check_arms_and_ratio(arms: Sequence[str], ratio: Sequence[int]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """``arms`` (at least two distinct, non-empty ids) and ``ratio`` (a positive integer per arm), as tuples."""
    arms_t = tuple(arms)
    if len(arms_t) < 2 or any(not isinstance(a, str) or not a.strip() for a in arms_t):
        raise DataError(
            f"arms {list(arms_t)!r}: give at least two arm ids, each a non-empty text (e.g. ['A', 'B'])",
            code="RAND-E001",
            field="arms",
        )
    duplicates = sorted({a for a in arms_t if arms_t.count(a) > 1})
    if duplicates:
        raise DataError(f"arms name {duplicates} more than once: give each arm once", code="RAND-E001", field="arms")
    ratio_t = tuple(ratio)
    if len(ratio_t) != len(arms_t):
        raise DataError(
            f"ratio {list(ratio_t)} has {len(ratio_t)} parts for {len(arms_t)} arms: give one part per arm, "
            "in the order of the arms (e.g. [1, 1] or [2, 1])",
            code="RAND-E002",
            field="ratio",
        )
    if any(isinstance(r, bool) or not isinstance(r, int) or r < 1 for r in ratio_t):
        raise DataError(
            f"ratio {list(ratio_t)}: each part must be a whole number of at least 1 (e.g. [2, 1])",
            code="RAND-E002",
            field="ratio",
        )
    return arms_t, ratio_t


def check_seed(seed: int) -> None:
    """A seed is a whole number of 0 or more (what ``numpy.random.SeedSequence`` takes)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise DataError(f"seed {seed!r}: give a whole number of 0 or more", code="RAND-E006", field="seed")
