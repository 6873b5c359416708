"""Every randomisation result has one shape: frozen, ``to_frame()`` a DataFrame, ``to_dict()`` JSON-safe,
``str()`` non-empty and at most 80 columns; the allocation list's text never shows the list."""

from __future__ import annotations

import pytest

import oncotrial as ot
from tests.result_shape import assert_result_shape


def test_allocation_list_shape_and_frame():
    allocation = ot.build_allocation_list(
        ["A", "B"], ratio=[2, 1], block_sizes=(3, 6), n_per_stratum=9, strata=["site=01", "site=02"], seed=4
    )
    assert_result_shape(allocation)
    frame = allocation.to_frame()
    assert list(frame.columns) == ["stratum", "sequence", "block", "block_size", "arm"]
    assert len(frame) == sum(len(s) for s in allocation.slots.values())
    first = frame[frame["stratum"] == "site=01"]
    assert first["sequence"].tolist() == list(range(1, len(first) + 1))
    assert first["arm"].tolist() == list(allocation.slots["site=01"])
    text = str(allocation)
    assert "concealed" in text
    assert "".join(allocation.slots["site=01"]) not in text.replace(" ", "")


def test_the_allocation_list_cannot_be_changed_in_place():
    allocation = ot.build_allocation_list(
        ["A", "B"], ratio=[1, 1], block_sizes=(2,), n_per_stratum=2, strata=["all"], seed=0
    )
    with pytest.raises(TypeError):
        allocation.slots["all"] = ("A", "A")  # type: ignore[index]
    with pytest.raises(TypeError):
        allocation.blocks["all"] = (2,)  # type: ignore[index]


def test_minimisation_result_shape():
    result = ot.assign_by_minimisation({}, {"ecog": "0"}, arms=["A", "B"], seed=0)
    assert_result_shape(result)
    assert result.to_frame()["chosen"].sum() == 1
