"""The Kaplan–Meier figure (``oncotrial.report.figures.kaplan_meier``), looked at as a reader would.

The numbers at risk of the small trial are counted by hand in ``conftest.py``; those of ``survival::lung`` by sex
are R's (``tests/reference/survival/km_lung.csv``, survival 3.5-3 ``summary(survfit(Surv(time, status == 2) ~
sex, data = lung), censored = TRUE)``): at a tick t, the ``n.risk`` of the first row with time >= t, which is what
``summary(fit, times = t)$n.risk`` prints.
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from oncotrial.endpoints import compute_kaplan_meier
from oncotrial.errors import DataError
from oncotrial.report import Note, ReportData
from oncotrial.report.figures.kaplan_meier import (
    MONTHS_LABEL,
    RISK_TABLE_LABEL,
    derive_arm_fits,
    draw_os,
    draw_pfs,
    plot_kaplan_meier,
)
from tests.conftest import shared_path
from tests.report.figures.conftest import ADSL, ADTTE, ARM_A, ARM_B

TICKS = [0.0, 3.0, 6.0, 9.0, 12.0]


def _axes(figure: Figure) -> tuple[Axes, Axes]:
    curves, table = figure.axes
    assert table.get_label() == RISK_TABLE_LABEL
    return curves, table


def _risk_rows(table: Axes) -> dict[float, list[tuple[float, int]]]:
    """The risk table's numbers by row (y), each with its x position."""
    rows: dict[float, list[tuple[float, int]]] = {}
    for text in table.texts:
        x, y = text.get_position()
        rows.setdefault(float(y), []).append((float(x), int(text.get_text())))
    return {y: sorted(cells) for y, cells in rows.items()}


def test_risk_table_numbers_are_the_hand_counts_under_each_tick():
    """PFS at 0, 3, 6, 9, 12 months: arm A 5, 4, 3, 2, 1 and arm B 5, 3, 1, 0, 0 (conftest.py); arm A is the top
    row; each number sits at its tick's x."""
    fits = derive_arm_fits(ADTTE, ADSL, "PFS")
    curves, table = _axes(plot_kaplan_meier(fits, times=TICKS))
    assert list(curves.get_xticks()) == TICKS
    rows = _risk_rows(table)
    assert [x for x, _ in rows[1.0]] == TICKS
    assert [n for _, n in rows[1.0]] == [5, 4, 3, 2, 1]
    assert [n for _, n in rows[0.0]] == [5, 3, 1, 0, 0]
    assert [label.get_text() for label in table.get_yticklabels()] == [ARM_B, ARM_A]


def test_risk_table_numbers_equal_the_kaplan_meier_objects():
    """OS: the table shows what each fit's number_at_risk gives at the ticks in days (months x 30.4375), and the
    hand counts of conftest.py: arm A 5, 5, 4, 4, 3; arm B 5, 5, 4, 3, 2."""
    fits = derive_arm_fits(ADTTE, ADSL, "OS")
    rows = _risk_rows(_axes(plot_kaplan_meier(fits, times=TICKS))[1])
    days = np.array(TICKS) * 30.4375
    assert [n for _, n in rows[1.0]] == fits[ARM_A].number_at_risk(days).tolist() == [5, 5, 4, 4, 3]
    assert [n for _, n in rows[0.0]] == fits[ARM_B].number_at_risk(days).tolist() == [5, 5, 4, 3, 2]


def test_risk_table_of_lung_by_sex_matches_r():
    """survival::lung by sex at 0, 6, 12, 18, 24, 30 months: R's n.risk 138, 86, 35, 17, 7, 2 (sex 1) and
    90, 70, 30, 15, 6, 1 (sex 2), read from km_lung.csv as the module docstring says."""
    lung = pd.read_csv(shared_path("reference", "survival", "data_lung.csv"))
    fits = {
        f"sex {sex}": compute_kaplan_meier(group["time"], group["status"] == 2) for sex, group in lung.groupby("sex")
    }
    rows = _risk_rows(_axes(plot_kaplan_meier(fits, times=[0, 6, 12, 18, 24, 30]))[1])
    assert [n for _, n in rows[1.0]] == [138, 86, 35, 17, 7, 2]
    assert [n for _, n in rows[0.0]] == [90, 70, 30, 15, 6, 1]


def test_axes_curves_bands_and_censor_marks():
    """Two curves (legend: n and events of each arm: PFS A 3 events, B 3), y from 0 to 1.02, x in months to
    the last tick; censor marks: arm A at 120 and 400 days, arm B at 95 and 250 days (two each)."""
    fits = derive_arm_fits(ADTTE, ADSL, "PFS")
    curves, _ = _axes(plot_kaplan_meier(fits, times=TICKS))
    assert curves.get_xlabel() == MONTHS_LABEL == "Months (days / 30.4375)"
    assert curves.get_ylabel() == "Survival probability"
    assert curves.get_ylim() == pytest.approx((0.0, 1.02))
    assert curves.get_xlim() == pytest.approx((0.0, 12.0))
    legend = [t.get_text() for t in curves.get_legend().get_texts()]
    assert legend == [f"{ARM_A} (n = 5, events = 3)", f"{ARM_B} (n = 5, events = 3)"]
    marks = [line for line in curves.get_lines() if line.get_marker() == "|"]
    assert [list(np.round(m.get_xdata(), 4)) for m in marks] == [
        [round(120 / 30.4375, 4), round(400 / 30.4375, 4)],
        [round(95 / 30.4375, 4), round(250 / 30.4375, 4)],
    ]
    assert len(curves.collections) == 2  # one confidence band per arm


def test_the_curve_steps_down_at_each_event_to_the_fits_survival():
    """Arm B's PFS by hand: 4/5 = 0.8 after 30 days, 0.6 after 90; 95 is censored, so
    2 are at risk at 180: 0.6 x 1/2 = 0.3 after 180, flat to 250 (censored)."""
    fits = derive_arm_fits(ADTTE, ADSL, "PFS")
    curves, _ = _axes(plot_kaplan_meier(fits, times=TICKS, show_ci=False, show_censors=False))
    step = curves.get_lines()[1]
    assert list(np.asarray(step.get_ydata())) == pytest.approx([1.0, 0.8, 0.6, 0.6, 0.3, 0.3])


def test_draw_gives_pfs_and_os_from_adtte(trial: ReportData):
    for draw, label in ((draw_pfs, "Progression-free survival probability"), (draw_os, "Overall survival probability")):
        figure = draw(trial)
        assert isinstance(figure, Figure)
        assert figure.axes[0].get_ylabel() == label


def test_without_adtte_a_note_says_so(bare_trial: ReportData):
    assert draw_pfs(bare_trial) == Note(
        "No time-to-event data (ADTTE): no Kaplan–Meier plot of Progression-free survival."
    )


def test_adtte_without_the_parameter_gives_a_note(trial: ReportData):
    data = ReportData(adsl=trial.adsl, adtte=ADTTE.loc[ADTTE["PARAMCD"] == "PFS"])
    assert draw_os(data) == Note("ADTTE has no OS records: no Kaplan–Meier plot of Overall survival.")


def test_adtte_without_cnsr_is_refused_naming_the_table_and_column():
    data = ReportData(adsl=ADSL, adtte=ADTTE.drop(columns="CNSR"))
    with pytest.raises(DataError, match=r"The ADTTE table lacks the column\(s\) CNSR") as caught:
        draw_pfs(data)
    assert caught.value.code == "FIGURE-E001"


def test_the_figure_writes_png_and_svg(trial: ReportData):
    figure = draw_pfs(trial)
    assert isinstance(figure, Figure)
    for fmt, start in (("png", b"\x89PNG"), ("svg", b"<?xml")):
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt)
        assert buffer.getvalue().startswith(start)
        assert len(buffer.getvalue()) > 1000


def test_median_lines_drop_from_half_to_each_arms_median():
    """PFS medians by hand (conftest.py): arm A 0.8 after 60 days, 0.8 x 2/3 = 0.533 after 200, 0.267 after 300:
    300 days; arm B 0.3 after 180: 180 days. Each dotted line runs from (0, 0.5) to the median and down to 0."""
    fits = derive_arm_fits(ADTTE, ADSL, "PFS")
    curves, _ = _axes(plot_kaplan_meier(fits, times=TICKS, show_median=True))
    dotted = [line for line in curves.get_lines() if line.get_linestyle() == ":"]
    assert [x for line in dotted for x in line.get_xdata()] == pytest.approx(
        [0, 300 / 30.4375, 300 / 30.4375, 0, 180 / 30.4375, 180 / 30.4375]
    )
    assert [list(line.get_ydata()) for line in dotted] == [[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]]


def test_figures_drawn_in_threads_at_once_are_each_whole():
    """The web app draws in threads: eight figures at once each get their own two axes and risk table."""
    fits = derive_arm_fits(ADTTE, ADSL, "PFS")
    with ThreadPoolExecutor(max_workers=4) as pool:
        figures = list(pool.map(lambda _: plot_kaplan_meier(fits, times=TICKS), range(8)))
    for figure in figures:
        rows = _risk_rows(_axes(figure)[1])
        assert [n for _, n in rows[1.0]] == [5, 4, 3, 2, 1]
