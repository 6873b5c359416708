"""Trial-specific response rules of the seeds (``oncotrial.recist.trial_rules``).

NCT01416831 (SBRT + high-dose IL-2): irradiated lesions are left out of the primary response and
assessed separately; a CR needs a negative PET; the primary time point is the end of cycle 2
(week 14). Expected values are worked out by hand in each test.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from oncotrial.errors import DataError
from oncotrial.recist import (
    derive_irradiated_flags,
    derive_pet_confirmed_response,
    derive_timepoint_responses,
    select_lesions,
    select_primary_timepoint,
)


def _assessments() -> pd.DataFrame:
    """Subject S: T1 (30 mm, irradiated) and T2 (20 mm) at baseline; week 6: T1 0, T2 22; week 14: T1 0, T2 0."""
    rows = []
    for visit, date, baseline, t1, t2 in [
        ("BL", "2024-01-01", True, 30.0, 20.0),
        ("WEEK 6", "2024-02-12", False, 0.0, 22.0),
        ("WEEK 14", "2024-04-08", False, 0.0, 0.0),
    ]:
        for lesion, size, irradiated in (("T1", t1, True), ("T2", t2, False)):
            rows.append(
                {
                    "USUBJID": "S",
                    "VISIT": visit,
                    "ADT": pd.Timestamp(date),
                    "BASELINE": baseline,
                    "LESIONID": lesion,
                    "CATEGORY": "TARGET",
                    "NODAL": False,
                    "DIAMETER": size,
                    "STATE": None,
                    "IRRADIATED": irradiated,
                }
            )
    return pd.DataFrame(rows)


def test_irradiated_lesions_are_left_out_of_the_primary_response() -> None:
    """With both lesions, week 6 is 22/50 = -56 % (PR). Without the irradiated T1, T2 alone is 22 vs 20:
    +10 % (SD); at week 14 T2 is gone: CR. The irradiated T1 alone: 0 at week 6, CR."""
    both = derive_timepoint_responses(_assessments()).set_index("VISIT")
    assert both.loc["WEEK 6", "OVERALL"] == "PR"
    primary = derive_timepoint_responses(select_lesions(_assessments(), irradiated=False)).set_index("VISIT")
    assert primary.loc["WEEK 6", "SOD_BASELINE"] == 20.0
    assert primary.loc["WEEK 6", "OVERALL"] == "SD"
    assert primary.loc["WEEK 14", "OVERALL"] == "CR"
    irradiated = derive_timepoint_responses(select_lesions(_assessments(), irradiated=True)).set_index("VISIT")
    assert irradiated.loc["WEEK 6", "OVERALL"] == "CR"


def test_selecting_lesions_needs_the_irradiated_flag() -> None:
    with pytest.raises(DataError, match="IRRADIATED"):
        select_lesions(_assessments().drop(columns="IRRADIATED"), irradiated=False)


def test_irradiated_flags_from_a_list_of_lesions() -> None:
    """T1 of S listed: flagged at its three visits; T2 not listed: never flagged."""
    flagged = derive_irradiated_flags(
        _assessments().drop(columns="IRRADIATED"), pd.DataFrame({"USUBJID": ["S"], "LESIONID": ["T1"]})
    )
    assert flagged.groupby("LESIONID")["IRRADIATED"].agg(list).to_dict() == {
        "T1": [True, True, True],
        "T2": [False, False, False],
    }


def test_irradiated_lesion_that_is_not_assessed_is_named() -> None:
    """S has T1 and T2: T7 of S and T1 of an unknown subject X are refused, both named."""
    listed = pd.DataFrame({"USUBJID": ["S", "S", "X"], "LESIONID": ["T1", "T7", "T1"]})
    message = (
        "2 irradiated lesion(s) are not among the lesions of TU/TR: subject S lesion T7, subject X lesion T1. "
        "Check the subject and lesion ids"
    )
    with pytest.raises(DataError, match=re.escape(message)) as info:
        derive_irradiated_flags(_assessments(), listed)
    assert info.value.code == "RECIST-E034"


def test_irradiated_list_needs_subject_and_lesion() -> None:
    with pytest.raises(DataError, match=r"lacks the column\(s\) LESIONID"):
        derive_irradiated_flags(_assessments(), pd.DataFrame({"USUBJID": ["S"], "TULNKID": ["T1"]}))


def test_cr_needs_a_negative_pet() -> None:
    """Primary response (T2 only): week 14 is CR. With a positive PET it becomes PR; with a negative
    one it stays CR; without a PET result at that visit it is PR (CR not confirmed)."""
    timepoints = derive_timepoint_responses(select_lesions(_assessments(), irradiated=False))
    for pet, expected in (("POSITIVE", "PR"), ("negative", "CR")):
        result = derive_pet_confirmed_response(
            timepoints, pd.DataFrame({"USUBJID": ["S"], "VISIT": ["WEEK 14"], "PET": [pet]})
        ).set_index("VISIT")
        assert result.loc["WEEK 14", "OVERALL"] == expected
        assert result.loc["WEEK 6", "OVERALL"] == "SD"  # not a CR: untouched
    no_pet = derive_pet_confirmed_response(timepoints, pd.DataFrame({"USUBJID": [], "VISIT": [], "PET": []}))
    assert no_pet.set_index("VISIT").loc["WEEK 14", "CR_RULE"] == "PR: CR without a negative PET"


def test_primary_time_point_by_visit_and_by_day() -> None:
    """Week 14 is day 98 from the baseline scan (2024-01-01 + 98 days = 2024-04-08). By visit name or by
    day 98 (window 14 days) the primary response is CR; by day 70 (week 10) the nearest within 14 days
    is none (week 6 is day 42, week 14 day 98): NE."""
    timepoints = derive_timepoint_responses(select_lesions(_assessments(), irradiated=False))
    by_visit = select_primary_timepoint(timepoints, visit="WEEK 14")
    assert by_visit["PRIMARY"].tolist() == ["CR"]
    by_day = select_primary_timepoint(timepoints, day=98)
    assert by_day["VISIT"].tolist() == ["WEEK 14"]
    assert select_primary_timepoint(timepoints, day=70)["PRIMARY"].tolist() == ["NE"]
    with pytest.raises(DataError, match="either the primary visit or the primary day"):
        select_primary_timepoint(timepoints, visit="WEEK 14", day=98)
