"""The biomarker time course (``oncotrial.report.figures.biomarker``); medians by hand in ``conftest.py``."""

from __future__ import annotations

import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from oncotrial.errors import DataError
from oncotrial.report import Note, ReportData
from oncotrial.report.figures.biomarker import draw
from tests.report.figures.conftest import LB


def _axes(trial: ReportData) -> Axes:
    figure = draw(trial)
    assert isinstance(figure, Figure)
    return figure.axes[0]


def test_one_line_per_patient_and_the_median(trial: ReportData):
    """IFN-γ of P01-P05 (HGB left out); median 4, 50, 12 pg/mL at days 0, 7, 14."""
    lines = {line.get_label(): line for line in _axes(trial).get_lines()}
    assert sorted(lines) == ["P01", "P02", "P03", "P04", "P05", "median"]
    assert list(lines["median"].get_xdata()) == [0.0, 7.0, 14.0]
    assert list(lines["median"].get_ydata()) == [4.0, 50.0, 12.0]
    assert list(lines["P04"].get_ydata()) == [5.0, 80.0]


def test_days_count_from_the_first_dose(trial: ReportData):
    """P03's samples are on TRTSDT 2024-01-12 and 7 and 14 days later."""
    p03 = next(line for line in _axes(trial).get_lines() if line.get_label() == "P03")
    assert list(p03.get_xdata()) == [0, 7, 14]


def test_axes_name_the_test_and_its_unit(trial: ReportData):
    ax = _axes(trial)
    assert ax.get_ylabel() == "Interferon Gamma (pg/mL)"
    assert ax.get_xlabel() == "Days since first dose"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["each patient", "median"]


def test_without_lb_or_without_ifng_a_note_says_so(trial: ReportData, bare_trial: ReportData):
    assert draw(bare_trial) == Note("No laboratory data (LB): no biomarker (IFNG) plot.")
    data = ReportData(adsl=trial.adsl, lb=LB.loc[LB["LBTESTCD"] == "HGB"])
    assert draw(data) == Note("LB has no dated IFNG results of treated patients: no biomarker plot.")


def test_lb_without_dates_is_refused_naming_the_column(trial: ReportData):
    with pytest.raises(DataError, match=r"The LB table lacks the column\(s\) LBDTC"):
        draw(ReportData(adsl=trial.adsl, lb=LB.drop(columns="LBDTC")))
