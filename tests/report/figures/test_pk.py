"""PK concentration–time curves (``oncotrial.report.figures.pk``): the ADPC of ``conftest.py`` and the PC/EX
path through ``oncotrial.pk.derive_pk_profiles``."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure

from oncotrial.errors import DataError
from oncotrial.report import Note, ReportData
from oncotrial.report.figures.pk import draw


def _figure(data: ReportData) -> Figure:
    figure = draw(data)
    assert isinstance(figure, Figure)
    return figure


def test_a_linear_and_a_log_panel_with_one_line_per_patient(trial: ReportData):
    """3 patients; the log panel leaves out the 0 h BLQ samples (4 of 5 points each)."""
    linear, log = _figure(trial).axes
    assert linear.get_yscale() == "linear"
    assert log.get_yscale() == "log"
    for ax, points in ((linear, 5), (log, 4)):
        lines = ax.get_lines()
        assert [line.get_label() for line in lines] == ["P01", "P02", "P03"]
        assert [len(line.get_xdata()) for line in lines] == [points] * 3
        assert ax.get_xlabel() == "Hours after first dose"
        assert ax.get_ylabel() == "IL12 concentration (pg/mL)"
    assert list(log.get_lines()[0].get_ydata()) == [50, 80, 40, 10]


def test_pc_with_ex_gives_the_first_dose_profiles():
    """PC nominal times (PCTPTNUM) 0, 1, 2 h for one subject dosed on 2024-01-01; the 0 h sample '<BLQ' is 0."""
    pc = pd.DataFrame(
        {
            "USUBJID": ["S1"] * 3,
            "PCTESTCD": ["DRUG"] * 3,
            "PCSPEC": ["PLASMA"] * 3,
            "PCTPT": ["Pre-dose", "1h Post-dose", "2h Post-dose"],
            "PCTPTNUM": [0.0, 1.0, 2.0],
            "PCSTRESC": ["<BLQ", "12", "6"],
            "PCSTRESN": [None, 12.0, 6.0],
            "PCSTRESU": ["ug/L"] * 3,
            "PCDTC": ["2024-01-01T08:00", "2024-01-01T09:00", "2024-01-01T10:00"],
        }
    )
    ex = pd.DataFrame({"USUBJID": ["S1"], "EXDOSE": [100.0], "EXSTDTC": ["2024-01-01T08:00"]})
    linear, log = _figure(ReportData(adsl=pd.DataFrame({"USUBJID": ["S1"]}), adpc=pc, ex=ex)).axes
    assert list(linear.get_lines()[0].get_xdata()) == [0.0, 1.0, 2.0]
    assert list(linear.get_lines()[0].get_ydata()) == [0.0, 12.0, 6.0]
    assert list(log.get_lines()[0].get_ydata()) == [12.0, 6.0]
    assert linear.get_ylabel() == "DRUG concentration (ug/L)"


def test_pc_without_ex_is_refused_with_the_fix(trial: ReportData):
    pc = pd.DataFrame(columns=["USUBJID", "PCTESTCD", "PCSTRESN"], data=[["S1", "DRUG", 1.0]])
    with pytest.raises(DataError, match=r"need the exposure table \(EX\)") as caught:
        draw(ReportData(adsl=trial.adsl, adpc=pc))
    assert caught.value.code == "FIGURE-E002"


def test_a_table_that_is_neither_pc_nor_adpc_is_refused_naming_the_columns(trial: ReportData):
    with pytest.raises(DataError, match=r"The ADPC table lacks the column\(s\) AVAL"):
        draw(ReportData(adsl=trial.adsl, adpc=pd.DataFrame({"USUBJID": ["P01"], "PARAMCD": ["X"], "NFRLT": [1.0]})))


def test_without_concentrations_a_note_says_so(bare_trial: ReportData):
    assert draw(bare_trial) == Note("No PK concentrations (ADPC or PC): no concentration–time plot.")
