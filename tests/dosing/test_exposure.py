"""Exposure per patient and treatment from EX (``derive_exposure``); expected values worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.dosing import derive_exposure
from oncotrial.errors import DataError

EX = pd.DataFrame(
    {
        "USUBJID": ["P1", "P1", "P1", "P1", "P2"],
        "EXTRT": ["IL-2", "IL-2", "IL-2", "SBRT", "IL-2"],
        "EXDOSE": [600000, 600000, 0, 20, 300000],
        "EXDOSU": ["IU/kg", "IU/kg", "IU/kg", "Gy", "IU/kg"],
        "EXSTDTC": ["2024-01-01T08:00", "2024-01-14T08:00", "2024-01-15", "2024-01-01", "2024-02-01"],
    }
)


def test_doses_cumulative_dose_duration_and_intensity_worked_by_hand() -> None:
    """P1 IL-2: 2 doses given (the 0 dose is not), 1,200,000 IU/kg over Jan 1-14 = 14 days -> 600,000 per week;
    P1 SBRT one dose, 1 day -> 140 Gy per week; P2 one dose of 300,000 over 1 day -> 2,100,000 per week."""
    table = derive_exposure(EX)
    assert table[["USUBJID", "EXTRT"]].values.tolist() == [["P1", "IL-2"], ["P1", "SBRT"], ["P2", "IL-2"]]
    p1 = table.iloc[0]
    assert (p1["doses"], p1["cumulative_dose"], p1["duration_days"]) == (2, 1200000.0, 14)
    assert p1["dose_intensity"] == pytest.approx(600000.0)
    assert (p1["first_dose"], p1["last_dose"], p1["unit"]) == ("2024-01-01", "2024-01-14", "IU/kg")
    assert table.iloc[1]["dose_intensity"] == pytest.approx(140.0)
    assert table.iloc[2]["dose_intensity"] == pytest.approx(2100000.0)


def test_a_negative_dose_and_an_unreadable_date_are_refused_naming_the_patient() -> None:
    with pytest.raises(DataError, match="row 5 \\(subject P2\\): EXDOSE") as info:
        derive_exposure(EX.assign(EXDOSE=[1, 1, 1, 1, -5]))
    assert info.value.code == "DOSE-E061"
    with pytest.raises(DataError, match="EXSTDTC 'soon'"):
        derive_exposure(EX.assign(EXSTDTC=["2024-01-01", "soon", "2024-01-01", "2024-01-01", "2024-01-01"]))
    with pytest.raises(DataError, match="lacks the column"):
        derive_exposure(EX.drop(columns="EXTRT"))
