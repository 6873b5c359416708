"""Stratified permuted blocks (issue 12): block balance, reproducibility, independent strata, bad input."""

from __future__ import annotations

from collections import Counter

import pytest

import oncotrial as ot
from oncotrial.errors import DataError

STRATA = ["site=01;ecog=0", "site=01;ecog=1", "site=02;ecog=0", "site=02;ecog=1"]


def _blocks(allocation, stratum):
    """The stratum's slots cut into its blocks."""
    slots, blocks, start = allocation.slots[stratum], [], 0
    for size in allocation.blocks[stratum]:
        blocks.append(slots[start : start + size])
        start += size
    return blocks


@pytest.mark.parametrize(
    ("ratio", "block_sizes", "per_unit"),
    [([1, 1], (2, 4), {"A": 1, "B": 1}), ([2, 1], (3, 6), {"A": 2, "B": 1})],
)
def test_every_block_holds_the_arms_exactly_in_the_ratio(ratio, block_sizes, per_unit):
    """By counting: a block of 4 at 1:1 holds 2 A and 2 B, a block of 6 at 2:1 holds 4 A and 2 B (size / sum
    of the ratio, times each arm's part)."""
    allocation = ot.build_allocation_list(
        ["A", "B"], ratio=ratio, block_sizes=block_sizes, n_per_stratum=60, strata=STRATA, seed=2026
    )
    unit = sum(ratio)
    for stratum in STRATA:
        blocks = _blocks(allocation, stratum)
        assert sum(len(b) for b in blocks) == len(allocation.slots[stratum])
        assert {len(b) for b in blocks} <= set(block_sizes)
        for block in blocks:
            assert Counter(block) == {arm: part * len(block) // unit for arm, part in per_unit.items()}


def test_the_block_sizes_vary_and_the_list_ends_at_a_whole_block():
    """Both sizes are drawn over 50 blocks (one size alone has chance 2 x 0.5**50); the list holds at least
    n_per_stratum slots and fewer than n_per_stratum + the largest block."""
    allocation = ot.build_allocation_list(
        ["A", "B"], ratio=[1, 1], block_sizes=(2, 4), n_per_stratum=150, strata=["all"], seed=1
    )
    assert set(allocation.blocks["all"]) == {2, 4}
    assert 150 <= len(allocation.slots["all"]) < 154


def test_each_stratum_is_balanced_at_every_block_end():
    """At 1:1 the running counts of A and B are equal after each block; at 2:1 A is twice B."""
    for ratio, sizes in (([1, 1], (2, 4)), ([2, 1], (3, 6))):
        allocation = ot.build_allocation_list(
            ["A", "B"], ratio=ratio, block_sizes=sizes, n_per_stratum=40, strata=STRATA, seed=9
        )
        for stratum in STRATA:
            seen: Counter[str] = Counter()
            for block in _blocks(allocation, stratum):
                seen.update(block)
                assert seen["A"] * ratio[1] == seen["B"] * ratio[0]


def test_the_same_seed_gives_the_same_list_and_another_seed_another():
    """200 slots in blocks of 2 or 4: two independent lists agree with chance well under 0.5**50."""
    args = {"ratio": [1, 1], "block_sizes": (2, 4), "n_per_stratum": 200, "strata": STRATA}
    first = ot.build_allocation_list(["A", "B"], seed=12345, **args)
    again = ot.build_allocation_list(["A", "B"], seed=12345, **args)
    other = ot.build_allocation_list(["A", "B"], seed=12346, **args)
    assert first.to_dict() == again.to_dict()
    for stratum in STRATA:
        assert first.slots[stratum] != other.slots[stratum]


def test_adding_or_reordering_strata_leaves_the_other_strata_unchanged():
    args = {"ratio": [1, 1], "block_sizes": (2, 4), "n_per_stratum": 50, "seed": 77}
    two = ot.build_allocation_list(["A", "B"], strata=STRATA[:2], **args)
    four = ot.build_allocation_list(["A", "B"], strata=list(reversed(STRATA)), **args)
    for stratum in STRATA[:2]:
        assert two.slots[stratum] == four.slots[stratum]
        assert two.blocks[stratum] == four.blocks[stratum]
    assert four.slots[STRATA[0]] != four.slots[STRATA[1]]


def test_next_assignment_reads_the_stratum_slot_by_slot():
    allocation = ot.build_allocation_list(
        ["A", "B"], ratio=[1, 1], block_sizes=(2, 4), n_per_stratum=10, strata=STRATA, seed=3
    )
    stratum = STRATA[2]
    assert [ot.next_assignment(allocation, stratum, i) for i in range(10)] == list(allocation.slots[stratum][:10])
    with pytest.raises(DataError, match="not in the allocation list") as unknown:
        ot.next_assignment(allocation, "site=03;ecog=0", 0)
    assert unknown.value.code == "RAND-E007"
    with pytest.raises(DataError, match="slots used") as used:
        ot.next_assignment(allocation, stratum, len(allocation.slots[stratum]))
    assert used.value.code == "RAND-E008"


def test_derive_strata_crosses_the_levels_in_the_factors_order():
    """Written out by hand: 2 sites x 2 ECOG levels."""
    assert ot.derive_strata({"site": ["01", "02"], "ecog": ["0", "1"]}) == [
        "site=01;ecog=0",
        "site=01;ecog=1",
        "site=02;ecog=0",
        "site=02;ecog=1",
    ]
    with pytest.raises(DataError, match="at least one level"):
        ot.derive_strata({"site": []})
    with pytest.raises(DataError, match="names a level twice"):
        ot.derive_strata({"site": ["01", "01"]})


GOOD = {"arms": ["A", "B"], "ratio": [1, 1], "block_sizes": (2, 4), "n_per_stratum": 10, "strata": ["all"], "seed": 1}


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"arms": ["A"], "ratio": [1]}, "RAND-E001", "arms"),
        ({"arms": ["A", "A"]}, "RAND-E001", "arms"),
        ({"ratio": [1, 1, 1]}, "RAND-E002", "ratio"),
        ({"ratio": [1, 0]}, "RAND-E002", "ratio"),
        ({"block_sizes": (3,)}, "RAND-E003", "block_sizes"),
        ({"ratio": [2, 1], "block_sizes": (2, 4)}, "RAND-E003", "block_sizes"),
        ({"block_sizes": ()}, "RAND-E003", "block_sizes"),
        ({"n_per_stratum": 0}, "RAND-E004", "n_per_stratum"),
        ({"n_per_stratum": 100_001}, "RAND-E004", "n_per_stratum"),
        ({"strata": ["x", "x"]}, "RAND-E005", "strata"),
        ({"strata": []}, "RAND-E005", "strata"),
        ({"seed": -1}, "RAND-E006", "seed"),
    ],
)
def test_bad_input_is_a_data_error_naming_the_field(change, code, field):
    args = {**GOOD, **change}
    arms = args.pop("arms")
    with pytest.raises(DataError) as error:
        ot.build_allocation_list(arms, **args)
    assert (error.value.code, error.value.field) == (code, field)


def test_the_arms_and_ratio_come_from_the_protocol():
    """NCT01416831 (built-in) is randomised 1:1 to arms A and B (its design block)."""
    protocol = ot.load_builtin_protocol("NCT01416831")
    allocation = ot.allocation_from_protocol(protocol, block_sizes=(2, 4), n_per_stratum=44, strata=["all"], seed=5)
    assert (allocation.arms, allocation.ratio) == (("A", "B"), (1, 1))
    counts = Counter(allocation.slots["all"])
    assert counts["A"] == counts["B"] >= 22  # whole 1:1 blocks, at least 44 slots


def test_a_protocol_that_is_not_randomised_is_an_error():
    """NCT00514085 (built-in) is a single-arm trial."""
    protocol = ot.load_builtin_protocol("NCT00514085")
    with pytest.raises(DataError, match="not randomised") as error:
        ot.allocation_from_protocol(protocol, block_sizes=(2,), n_per_stratum=4, strata=["all"], seed=1)
    assert (error.value.code, error.value.field) == ("RAND-E013", "design.kind")
