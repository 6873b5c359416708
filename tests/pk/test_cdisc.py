"""NCA profiles from an SDTM PC + EX pair, checked on a hand-made pair (the rules of the PKNCA reference's
preparation, tests/reference/README.md)."""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.errors import DataError
from oncotrial.pk import derive_pk_profiles

PC = pd.DataFrame(
    {
        "USUBJID": ["S1"] * 5 + ["P1"] * 2,
        "PCTESTCD": "XAN",
        "PCSPEC": ["PLASMA", "PLASMA", "PLASMA", "URINE", "PLASMA", "PLASMA", "PLASMA"],
        "PCTPT": ["Pre-dose", "1h Post-dose", "2h Post-dose", "0-6h Post-dose", "4h Post-dose", "Pre-dose", "1h"],
        "PCTPTNUM": [-0.5, 1, 2, 3, 4, -0.5, 1],
        "PCSTRESC": ["<BLQ", "2", "1.5", "20", "<BLQ", "<BLQ", "<BLQ"],
        "PCSTRESN": [0, 2, 1.5, 20, None, 0, None],
        "PCDTC": ["2014-01-01T23:30", "2014-01-02T01:06", "2014-01-02T02:00", "2014-01-02T06:00",
                  "2014-01-02T04:00", "2014-01-01T23:30", "2014-01-02T01:00"],
    }
)  # fmt: skip
EX = pd.DataFrame(
    {"USUBJID": ["S1", "S1", "P1"], "EXDOSE": [81, 54, 0], "EXSTDTC": ["2014-01-16", "2014-01-02", "2014-01-02"]}
)


def test_nominal_profile_keeps_plasma_time_points_with_blq_as_zero_and_the_first_dose() -> None:
    """S1: the urine interval is left out, pre-dose (−0.5 h) at 0, <BLQ as 0, dose 54 (EX record of 2014-01-02,
    the earliest); P1 (all BLQ, placebo) is left out."""
    table = derive_pk_profiles(PC, EX, time="nominal")
    assert table["USUBJID"].unique().tolist() == ["S1"]
    assert table["time"].tolist() == [0, 1, 2, 4]
    assert table["conc"].tolist() == [0, 2, 1.5, 0]
    assert table["dose"].unique().tolist() == [54]


def test_actual_times_are_hours_from_the_first_dose() -> None:
    """Dose on 2014-01-02 (midnight): samples at 01:06 and 02:00 are 1.1 h and 2 h; pre-dose 23:30 the day before at 0."""
    table = derive_pk_profiles(PC, EX, time="actual")
    assert table["time"].tolist() == pytest.approx([0, 1.1, 2, 4])


def test_a_subject_without_a_dose_record_is_refused() -> None:
    with pytest.raises(DataError, match="Subject S1 has PLASMA concentrations but no EX record") as caught:
        derive_pk_profiles(PC, EX[EX["USUBJID"] != "S1"])
    assert (caught.value.code, caught.value.subject_id) == ("PK-E011", "S1")


def test_pc_without_its_columns_is_refused() -> None:
    with pytest.raises(DataError, match="PC table lacks the column") as caught:
        derive_pk_profiles(PC.drop(columns="PCTPTNUM"), EX)
    assert caught.value.code == "PK-E001"
