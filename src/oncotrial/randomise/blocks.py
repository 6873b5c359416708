"""Stratified permuted blocks: an allocation list per stratum, from a seed held by the trial.

Each stratum has its own list of whole blocks, long enough for ``n_per_stratum`` patients. Each block's
size is drawn at random from ``block_sizes`` (multiples of the ratio's sum) and holds every arm exactly in
the ratio (a block of 6 at 2:1 holds 4 of the first arm and 2 of the second), in a random order. A
stratum's random stream comes from the seed and the stratum's label (``SeedSequence(seed, spawn_key=...)``
keyed by a SHA-256 of the label), so the same seed gives the same list, and adding, removing or reordering
strata leaves every other stratum's list as it was.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from oncotrial._results import fit_lines, format_table, to_json_dict
from oncotrial.errors import DataError
from oncotrial.protocol.models import Protocol, RandomisedDesign
from oncotrial.randomise._checks import check_arms_and_ratio, check_seed

__all__ = [
    "AllocationList",
    "allocation_from_protocol",
    "build_allocation_list",
    "derive_strata",
    "next_assignment",
]


@dataclass(frozen=True)
class AllocationList:
    """The concealed list: per stratum, the arm of each slot and the size of each block, in order.

    ``str()`` gives a summary per stratum (slots, blocks, arms), never the list itself: the list is
    concealed from site staff.
    """

    arms: tuple[str, ...]
    ratio: tuple[int, ...]
    block_sizes: tuple[int, ...]
    n_per_stratum: int
    seed: int
    strata: tuple[str, ...]
    slots: Mapping[str, tuple[str, ...]]  # stratum -> the arm of each slot, in order
    blocks: Mapping[str, tuple[int, ...]]  # stratum -> the size of each block, in order

    def to_frame(self) -> pd.DataFrame:
        """One row per slot: stratum, sequence (1-based within the stratum), block (1-based), block_size, arm."""
        rows = []
        for stratum in self.strata:
            block_of_slot = [(b, size) for b, size in enumerate(self.blocks[stratum], 1) for _ in range(size)]
            for seq, (arm, (block, size)) in enumerate(zip(self.slots[stratum], block_of_slot, strict=True), 1):
                rows.append((stratum, seq, block, size, arm))
        return pd.DataFrame(rows, columns=["stratum", "sequence", "block", "block_size", "arm"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (the list included: for the store, not for site staff)."""
        return to_json_dict(
            {
                "arms": self.arms,
                "ratio": self.ratio,
                "block_sizes": self.block_sizes,
                "n_per_stratum": self.n_per_stratum,
                "seed": self.seed,
                "strata": self.strata,
                "slots": {s: list(self.slots[s]) for s in self.strata},
                "blocks": {s: list(self.blocks[s]) for s in self.strata},
            }
        )

    def __str__(self) -> str:
        ratio = ":".join(str(r) for r in self.ratio)
        sizes = ", ".join(str(s) for s in self.block_sizes)
        head = (
            f"Allocation list: arms {', '.join(self.arms)} at {ratio}; block sizes {sizes}; "
            f"{len(self.strata)} strata, {self.n_per_stratum} patients each (list concealed)"
        )
        rows = [
            [s, str(len(self.slots[s])), str(len(self.blocks[s])), *(str(self.slots[s].count(a)) for a in self.arms)]
            for s in self.strata
        ]
        table = format_table(["stratum", "slots", "blocks", *self.arms], rows)
        return fit_lines("\n".join([head, *table]))


# a list far beyond any phase II trial (drawn block by block in Python: 10^5 slots take well under a second)
MAX_PER_STRATUM = 100_000


def derive_strata(factors: Mapping[str, Sequence[str]]) -> list[str]:
    """Every combination of the factors' levels as a label ``"site=01;ecog=0"``, in the factors' order."""
    if not factors or any(len(levels) == 0 for levels in factors.values()):
        raise DataError(
            "stratification factors: give at least one factor, each with at least one level "
            "(e.g. {'site': ['01', '02']})",
            code="RAND-E005",
            field="strata",
        )
    for name, levels in factors.items():
        if len(set(levels)) != len(levels):
            raise DataError(
                f"stratification factor {name!r} names a level twice: give each level once",
                code="RAND-E005",
                field="strata",
            )
    names = list(factors)
    return [
        ";".join(f"{n}={v}" for n, v in zip(names, combo, strict=True))
        for combo in itertools.product(*factors.values())
    ]


def _check_list_inputs(
    ratio: tuple[int, ...], block_sizes: Sequence[int], n_per_stratum: int, strata: Sequence[str], seed: int
) -> None:
    unit = sum(ratio)
    if not block_sizes or any(isinstance(b, bool) or not isinstance(b, int) or b < 1 or b % unit for b in block_sizes):
        raise DataError(
            f"block sizes {list(block_sizes)}: each must be a positive multiple of the ratio's sum {unit} "
            f"(e.g. ({unit}, {2 * unit}))",
            code="RAND-E003",
            field="block_sizes",
        )
    if (
        isinstance(n_per_stratum, bool)
        or not isinstance(n_per_stratum, int)
        or not 1 <= n_per_stratum <= MAX_PER_STRATUM
    ):
        raise DataError(
            f"n_per_stratum {n_per_stratum!r}: give the number of patients per stratum, a whole number from 1 to "
            f"{MAX_PER_STRATUM:,} (a phase II list is drawn slot by slot, so a larger one would take hours)",
            code="RAND-E004",
            field="n_per_stratum",
        )
    labels = list(strata)
    if not labels or any(not isinstance(s, str) or not s for s in labels) or len(set(labels)) != len(labels):
        raise DataError(
            f"strata {labels!r}: give at least one stratum label, each non-empty text and each once "
            "(one stratum 'all' when the trial is not stratified)",
            code="RAND-E005",
            field="strata",
        )
    check_seed(seed)


def _stratum_generator(seed: int, stratum: str) -> np.random.Generator:
    """The stratum's own stream: the trial's seed, keyed by a SHA-256 of the label (stable across runs)."""
    digest = hashlib.sha256(stratum.encode("utf-8")).digest()
    key = tuple(int.from_bytes(digest[i : i + 4], "big") for i in range(0, len(digest), 4))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def _stratum_list(
    rng: np.random.Generator, arms: tuple[str, ...], ratio: tuple[int, ...], sizes: tuple[int, ...], n: int
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    unit = sum(ratio)
    slots: list[str] = []
    blocks: list[int] = []
    while len(slots) < n:
        size = int(sizes[rng.integers(len(sizes))])
        block = [arm for arm, part in zip(arms, ratio, strict=True) for _ in range(part * size // unit)]
        slots.extend(block[i] for i in rng.permutation(size))
        blocks.append(size)
    return tuple(slots), tuple(blocks)


def build_allocation_list(
    arms: Sequence[str],
    *,
    ratio: Sequence[int],
    block_sizes: Sequence[int],
    n_per_stratum: int,
    strata: Sequence[str],
    seed: int,
) -> AllocationList:
    """Stratified permuted blocks of random size: a list per stratum, reproducible from ``seed``.

    Parameters
    ----------
    arms, ratio
        Arm ids and the allocation ratio, one whole number per arm (``["A", "B"]``, ``[2, 1]``).
    block_sizes
        The sizes a block may take, each a multiple of ``sum(ratio)``; each block's is drawn at random.
    n_per_stratum
        Patients each stratum's list must hold (it ends at a whole block, so may hold a few more).
    strata
        Stratum labels (:func:`derive_strata` builds them from factor levels).
    seed
        The trial's seed: the same arguments and seed give the same list.

    Raises
    ------
    DataError
        ``RAND-E001``..``RAND-E006`` for bad arms, ratio, block sizes, count, strata or seed.
    """
    arms_t, ratio_t = check_arms_and_ratio(arms, ratio)
    _check_list_inputs(ratio_t, block_sizes, n_per_stratum, strata, seed)
    sizes = tuple(sorted(set(block_sizes)))
    slots: dict[str, tuple[str, ...]] = {}
    blocks: dict[str, tuple[int, ...]] = {}
    for stratum in strata:
        rng = _stratum_generator(seed, stratum)
        slots[stratum], blocks[stratum] = _stratum_list(rng, arms_t, ratio_t, sizes, n_per_stratum)
    # read-only views: the list stays as drawn
    return AllocationList(
        arms_t, ratio_t, sizes, n_per_stratum, seed, tuple(strata), MappingProxyType(slots), MappingProxyType(blocks)
    )


def next_assignment(allocation: AllocationList, stratum: str, used: int) -> str:
    """The arm for the next patient of ``stratum`` when ``used`` of its slots are taken."""
    if stratum not in allocation.slots:
        raise DataError(
            f"stratum {stratum!r} is not in the allocation list (its strata: {', '.join(allocation.strata)})",
            code="RAND-E007",
            field="stratum",
        )
    slots = allocation.slots[stratum]
    if isinstance(used, bool) or not isinstance(used, int) or not 0 <= used < len(slots):
        raise DataError(
            f"stratum {stratum!r}: {used!r} slots used, but its list has {len(slots)}; give a count from 0 to "
            f"{len(slots) - 1}, or extend the list (a larger n_per_stratum with the same seed)",
            code="RAND-E008",
            field="used",
        )
    return slots[used]


def allocation_from_protocol(
    protocol: Protocol, *, block_sizes: Sequence[int], n_per_stratum: int, strata: Sequence[str], seed: int
) -> AllocationList:
    """:func:`build_allocation_list` with the arms and ratio of the protocol's randomised design."""
    design = protocol.design
    if not isinstance(design, RandomisedDesign):
        raise DataError(
            f"protocol {protocol.id}: its design is {design.kind!r}, not randomised, so it has no arms "
            "and ratio to allocate; use a protocol whose design.kind is 'randomised'",
            code="RAND-E013",
            field="design.kind",
        )
    return build_allocation_list(
        design.arms,
        ratio=design.ratio,
        block_sizes=block_sizes,
        n_per_stratum=n_per_stratum,
        strata=strata,
        seed=seed,
    )
