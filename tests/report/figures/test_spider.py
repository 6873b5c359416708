"""The spider plot (``oncotrial.report.figures.spider``), looked at as a reader would (sums in ``conftest.py``)."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from oncotrial.report import Note, ReportData
from oncotrial.report.figures.spider import draw, plot_spider
from oncotrial.report.style import RESPONSE_COLOURS
from tests.report.figures.conftest import ARM_A, ARM_B, TR


def _axes(trial: ReportData) -> Axes:
    figure = draw(trial)
    assert isinstance(figure, Figure)
    return figure.axes[0]


def test_one_line_per_patient_with_a_change_after_baseline(trial: ReportData):
    """8 lines: P05 (baseline only) and P10 (no scan) have none."""
    ax = _axes(trial)
    patients = [line.get_label() for line in ax.get_lines() if line.get_label().startswith("P")]
    assert patients == ["P01", "P02", "P03", "P04", "P06", "P07", "P08", "P09"]


def test_a_line_starts_at_zero_and_follows_the_change_in_weeks(trial: ReportData):
    """P01: 50 -> 30 -> 20 mm is 0, -40, -60 %, at 0, 59 and 120 days from the 2024-01-02 scan (weeks = days / 7)."""
    p01 = next(line for line in _axes(trial).get_lines() if line.get_label() == "P01")
    assert list(p01.get_ydata()) == pytest.approx([0.0, -40.0, -60.0])
    assert list(p01.get_xdata()) == pytest.approx([0.0, 59 / 7, 120 / 7])


def test_lines_are_coloured_by_arm_with_a_legend(trial: ReportData):
    """Arm A (blue #0072B2): P01-P04; arm B (vermillion #D55E00): P06-P09."""
    ax = _axes(trial)
    colours = {line.get_label(): to_hex(line.get_color()) for line in ax.get_lines() if line.get_label()[0] == "P"}
    assert {p for p, c in colours.items() if c == "#0072b2"} == {"P01", "P02", "P03", "P04"}
    assert {p for p, c in colours.items() if c == "#d55e00"} == {"P06", "P07", "P08", "P09"}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [ARM_A, ARM_B]


def test_axes_and_threshold_lines(trial: ReportData):
    ax = _axes(trial)
    assert ax.get_xlabel() == "Weeks since baseline scan"
    assert ax.get_ylabel() == "Change from baseline in sum of diameters (%)"
    assert ax.get_xlim()[0] == 0.0
    dashed = sorted(line.get_ydata()[0] for line in ax.get_lines() if line.get_linestyle() == "--")
    assert dashed == [-30.0, 20.0]


def test_without_tr_a_note_says_so(bare_trial: ReportData):
    assert draw(bare_trial) == Note("No target-lesion measurements (TR): no spider plot.")


def test_lines_can_be_coloured_by_best_response():
    """Colouring by BOR with the response palette: the PR line sky blue (#56B4E9), the PD line vermillion."""
    sizes = pd.DataFrame(
        {"USUBJID": ["X1", "X1", "X2", "X2"], "DAY": [0, 42, 0, 42], "PCHG_BASE": [0.0, -40.0, 0.0, 30.0]}
    )
    ax = plot_spider(sizes, {"X1": "PR", "X2": "PD"}, colours=RESPONSE_COLOURS, legend_title="Best response").axes[0]
    colours = {line.get_label(): to_hex(line.get_color()) for line in ax.get_lines() if line.get_label()[0] == "X"}
    assert colours == {"X1": "#56b4e9", "X2": "#d55e00"}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["PD", "PR"]


def test_tr_with_only_non_target_lesions_gives_a_note(trial: ReportData):
    states = pd.DataFrame(
        [("P01", "NON-TARGET", "NT01", "TUMSTATE", "PRESENT", "", "BASELINE", "2024-01-02")], columns=TR.columns
    )
    assert draw(ReportData(adsl=trial.adsl, tr=states)) == Note(
        "No patient has a complete sum of target diameters after baseline (TR): no spider plot."
    )
