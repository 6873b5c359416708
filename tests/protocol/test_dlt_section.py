"""The optional ``dlt`` section of a protocol (``oncotrial.protocol.models.DoseLimitingToxicity``)."""

from __future__ import annotations

from typing import Any

import pytest

from oncotrial.errors import ProtocolError
from oncotrial.protocol import load_builtin_protocol, parse_protocol, protocol_to_dict


def _with_dlt(dlt: dict[str, Any]) -> dict[str, Any]:
    document = protocol_to_dict(load_builtin_protocol("HD-IL2-LTO"))
    return {**document, "dlt": dlt}


def test_a_dlt_section_is_read_with_its_exceptions() -> None:
    protocol = parse_protocol(
        _with_dlt(
            {
                "min_grade": 3,
                "window_days": 28,
                "exceptions": [{"term": "Fever", "max_grade": 3, "text": "grade 3 fever is expected with IL-2"}],
            }
        )
    )
    assert protocol.dlt is not None
    assert (protocol.dlt.min_grade, protocol.dlt.window_days, protocol.dlt.terms) == (3, 28, [])
    assert protocol.dlt.exceptions[0].max_grade == 3


def test_the_seed_protocols_define_no_dlt() -> None:
    """None of the seed documents (/work/shared/seeds) defines a DLT (grade, window, terms), so none is encoded."""
    for name in ("HD-IL2-LTO", "NCT01416831", "NCT00514085", "CALGB-500001"):
        assert load_builtin_protocol(name).dlt is None


@pytest.mark.parametrize(
    ("dlt", "where"),
    [
        pytest.param({"min_grade": 6, "window_days": 28}, "dlt.min_grade", id="grade_above_5"),
        pytest.param({"window_days": 0}, "dlt.window_days", id="window_of_zero_days"),
        pytest.param({"window_days": 28, "exceptions": [{"term": "Fever"}]}, "dlt.exceptions[0].max_grade",
                     id="exception_without_grade"),
        pytest.param({"window_days": 28, "grade": 3}, "dlt.grade", id="unknown_field"),
    ],
)  # fmt: skip
def test_a_bad_dlt_section_is_reported_with_its_place(dlt: dict[str, Any], where: str) -> None:
    with pytest.raises(ProtocolError, match="dlt") as info:
        parse_protocol(_with_dlt(dlt))
    assert any(p.location == where for p in info.value.problems), info.value.problems


def test_the_dlt_section_is_described_in_words() -> None:
    from oncotrial.protocol import describe_protocol

    protocol = parse_protocol(
        _with_dlt(
            {"window_days": 28, "terms": ["Hypotension", "Oliguria"], "exceptions": [{"term": "Fever", "max_grade": 3}]}
        )
    )
    sections = dict(describe_protocol(protocol))
    assert sections["Dose-limiting toxicity"] == [
        "Grade >= 3 within 28 days of the first dose, Hypotension and Oliguria",
        "Not a DLT: Fever up to grade 3",
    ]
