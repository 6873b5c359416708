"""iRECIST time-point responses and best response (``oncotrial.recist.irecist``).

Expected values worked out by hand from Seymour L et al., iRECIST: guidelines for response criteria
for use in trials testing immunotherapeutics, Lancet Oncol 2017;18:e143-e152 (iUPD confirmed as
iCPD at the next assessment 4-8 weeks later when progression increases: target sum +5 mm, new
non-target progression, more new lesions or new-lesion sum +5 mm; a later iSD/iPR/iCR resets).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncotrial.recist import (
    derive_irecist_best_response,
    derive_irecist_responses,
    derive_timepoint_responses,
)

Row = tuple[str, str, str, bool, str, str, float, str | None]


def _table(rows: list[Row]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "USUBJID": s,
                "VISIT": v,
                "ADT": pd.Timestamp(d),
                "BASELINE": b,
                "LESIONID": les,
                "CATEGORY": cat,
                "NODAL": False,
                "DIAMETER": dia,
                "STATE": state,
            }
            for s, v, d, b, les, cat, dia, state in rows
        ]
    )


def _one_target(subject: str, visits: list[tuple[str, str, float]]) -> list[Row]:
    """One target lesion; the first visit is the baseline."""
    return [(subject, v, d, i == 0, "T1", "TARGET", size, None) for i, (v, d, size) in enumerate(visits)]


def _iresponses(rows: list[Row], **options: int | None) -> pd.DataFrame:
    assessments = _table(rows)
    return derive_irecist_responses(assessments, derive_timepoint_responses(assessments), **options)  # type: ignore[arg-type]


def _by_visit(result: pd.DataFrame, subject: str) -> dict[str, str]:
    rows = result.loc[result["USUBJID"] == subject]
    return dict(zip(rows["VISIT"], rows["IRESP"].astype(str), strict=True))


PSEUDO = _one_target(
    "A",
    [
        ("BL", "2024-01-01", 50),
        # 62: +24 % and +12 mm over the nadir 50 -> RECIST PD -> iUPD
        ("W6", "2024-02-12", 62),
        # 45: -10 % from baseline, not PD over the nadir 50 -> RECIST SD: resets to iSD
        ("W12", "2024-03-25", 45),
        # 60: +33 % and +15 mm over the nadir 45 -> PD again -> a new iUPD
        ("W18", "2024-05-06", 60),
        # 35 days later, 70 >= 60 + 5 -> confirmed: iCPD
        ("W23", "2024-06-10", 70),
    ],
)


def test_pseudoprogression_resets_then_a_new_iupd_is_confirmed() -> None:
    assert _by_visit(_iresponses(PSEUDO), "A") == {"W6": "iUPD", "W12": "iSD", "W18": "iUPD", "W23": "iCPD"}


@pytest.mark.parametrize(
    ("second", "days", "expected"),
    [
        # 28 days after the iUPD, 67 >= 62 + 5: confirmed.
        pytest.param(67, "2024-03-11", "iCPD", id="plus_5mm_at_4_weeks"),
        # 66 < 62 + 5: progression without further increase stays iUPD.
        pytest.param(66, "2024-03-11", "iUPD", id="plus_4mm_stays_iupd"),
        # 27 days after: too early to confirm, stays iUPD.
        pytest.param(70, "2024-03-10", "iUPD", id="too_early"),
        # 57 days after (17 + 31 + 9, 2024 is a leap year): beyond 8 weeks, stays iUPD.
        pytest.param(70, "2024-04-09", "iUPD", id="too_late"),
    ],
)
def test_confirmation_needs_5mm_more_within_4_to_8_weeks(second: float, days: str, expected: str) -> None:
    rows = _one_target("B", [("BL", "2024-01-01", 50), ("W6", "2024-02-12", 62), ("NEXT", days, second)])
    assert _by_visit(_iresponses(rows), "B") == {"W6": "iUPD", "NEXT": expected}


def test_no_upper_window_lets_a_late_assessment_confirm() -> None:
    rows = _one_target("B", [("BL", "2024-01-01", 50), ("W6", "2024-02-12", 62), ("NEXT", "2024-04-09", 70)])
    assert _by_visit(_iresponses(rows, confirm_max_days=None), "B")["NEXT"] == "iCPD"


def test_more_new_lesions_confirm_progression() -> None:
    """iUPD from one new lesion at week 6; a second new lesion at week 12 (42 days later) confirms it,
    although the target sum (50) has not changed. New lesions are counted separately."""
    rows = _one_target("C", [("BL", "2024-01-01", 50), ("W6", "2024-02-12", 50), ("W12", "2024-03-25", 50)])
    rows += [
        ("C", "W6", "2024-02-12", False, "N1", "NEW", 12, "UNEQUIVOCAL"),
        ("C", "W12", "2024-03-25", False, "N1", "NEW", 12, "UNEQUIVOCAL"),
        ("C", "W12", "2024-03-25", False, "N2", "NEW", 10, "UNEQUIVOCAL"),
    ]
    result = _iresponses(rows)
    assert _by_visit(result, "C") == {"W6": "iUPD", "W12": "iCPD"}
    assert result["NEW_COUNT"].tolist() == [1, 2]
    assert result["NEW_SUM"].tolist() == [12.0, 22.0]


def test_growing_new_lesion_confirms_progression() -> None:
    """The same single new lesion grows from 12 to 17 mm (+5 mm): iCPD."""
    rows = _one_target("D", [("BL", "2024-01-01", 50), ("W6", "2024-02-12", 50), ("W12", "2024-03-25", 50)])
    rows += [
        ("D", "W6", "2024-02-12", False, "N1", "NEW", 12, "UNEQUIVOCAL"),
        ("D", "W12", "2024-03-25", False, "N1", "NEW", 17, "UNEQUIVOCAL"),
    ]
    assert _by_visit(_iresponses(rows), "D") == {"W6": "iUPD", "W12": "iCPD"}


def test_ne_after_iupd_stays_iupd_and_icpd_is_final() -> None:
    """W12 not measured (NE) keeps the iUPD; W16 (63 days after W6) is outside the window, so the
    progression to 75 does not confirm; nothing resets it either. A later iCPD is never undone."""
    rows = _one_target(
        "E",
        [
            ("BL", "2024-01-01", 50),
            ("W6", "2024-02-12", 62),
            ("W12", "2024-03-25", np.nan),
            ("W16", "2024-04-15", 75),
        ],
    )
    assert _by_visit(_iresponses(rows), "E") == {"W6": "iUPD", "W12": "iUPD", "W16": "iUPD"}
    confirmed = _one_target(
        "F",
        [("BL", "2024-01-01", 50), ("W6", "2024-02-12", 62), ("W10", "2024-03-11", 70), ("W16", "2024-04-22", 40)],
    )
    # 40 is a PR by RECIST, but after iCPD the response stays iCPD.
    assert _by_visit(_iresponses(confirmed), "F") == {"W6": "iUPD", "W10": "iCPD", "W16": "iCPD"}


def test_best_irecist_response() -> None:
    """A: iSD at W12 (84 days) is the best. F: the iUPD at W6 was confirmed, so the best response is
    iCPD dated at the iUPD (2024-02-12). G: SD only at day 21 (< 42) then nothing better: iNE."""
    early_sd = _one_target("G", [("BL", "2024-01-01", 50), ("W3", "2024-01-22", 48)])
    confirmed = _one_target("F", [("BL", "2024-01-01", 50), ("W6", "2024-02-12", 62), ("W10", "2024-03-11", 70)])
    best = derive_irecist_best_response(_iresponses(PSEUDO + confirmed + early_sd)).set_index("USUBJID")
    assert best.loc["A", "IBOR"] == "iSD"
    assert best.loc["A", "IBOR_DATE"] == pd.Timestamp("2024-03-25")
    assert best.loc["F", "IBOR"] == "iCPD"
    assert best.loc["F", "IBOR_DATE"] == pd.Timestamp("2024-02-12")
    assert pd.isna(best.loc["G", "IBOR"])
