"""The swimmer plot (``oncotrial.report.figures.swimmer``), looked at as a reader would.

Lane ends counted by hand in days from ADSL TRTSDT to the latest of LSTALVDT, TRTEDT, EOSDT and DTHDT
(``conftest.py``), then divided by 30.4375: P07 102, P06 118, P09 288, P08 323 (arm B); P02 159, P05 192,
P03 277 (death), P04 319, P01 333 (arm A). P10 was never treated: no lane.
"""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Annotation

from oncotrial.errors import DataError
from oncotrial.report import Note, ReportData
from oncotrial.report.figures.swimmer import derive_swimmer_data, draw
from tests.report.figures.conftest import ADSL

ORDER = ["P07", "P06", "P09", "P08", "P02", "P05", "P03", "P04", "P01"]  # bottom to top: arm B, then A; shortest first
ENDS = [102, 118, 288, 323, 159, 192, 277, 319, 333]


def _axes(trial: ReportData) -> Axes:
    figure = draw(trial)
    assert isinstance(figure, Figure)
    return figure.axes[0]


def _markers(ax: Axes, kind: str) -> list[tuple[float, str]]:
    """The (time, patient) of each marker of ``kind``."""
    names = [t.get_text() for t in ax.get_yticklabels()]
    line = next((line for line in ax.get_lines() if line.get_label() == kind), None)
    if line is None:
        return []
    return sorted(zip(line.get_xdata(), (names[int(y)] for y in line.get_ydata()), strict=True))


def test_one_lane_per_treated_patient_from_first_dose_to_last_contact(trial: ReportData):
    ax = _axes(trial)
    lanes = ax.containers[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ORDER
    assert [bar.get_width() for bar in lanes] == pytest.approx([d / 30.4375 for d in ENDS])
    assert ax.get_xlabel() == "Months since start of treatment (days / 30.4375)"
    assert ax.get_xlim() == pytest.approx((0.0, 1.1 * 333 / 30.4375))


def test_lanes_are_coloured_by_arm(trial: ReportData):
    """Arm B's four lanes vermillion (#D55E00), arm A's five blue (#0072B2)."""
    colours = [to_hex(bar.get_facecolor(), keep_alpha=False) for bar in _axes(trial).containers[0]]
    assert colours == ["#d55e00"] * 4 + ["#0072b2"] * 5


def test_doses_held_doses_responses_progression_and_deaths_are_marked(trial: ReportData):
    """EX: 13 doses given, 3 held (P02 once, P04 twice); ADRS OVR: CR P01; PR P01, P04 twice, P08; the first PD of
    P02, P06 and P07 (P06's second PD is not marked); deaths P03 and P07."""
    ax = _axes(trial)
    assert len(_markers(ax, "dose")) == 13
    assert [p for _, p in _markers(ax, "held")] == ["P02", "P04", "P04"]
    assert [p for _, p in _markers(ax, "CR")] == ["P01"]
    assert sorted(p for _, p in _markers(ax, "PR")) == ["P01", "P04", "P04", "P08"]
    assert sorted(p for _, p in _markers(ax, "PD")) == ["P02", "P06", "P07"]
    deaths = _markers(ax, "death")
    assert [p for _, p in deaths] == ["P07", "P03"]
    assert [t for t, _ in deaths] == pytest.approx([102 / 30.4375, 277 / 30.4375])


def test_first_progression_of_p06_is_on_its_first_pd_scan(trial: ReportData):
    """P06: TRTSDT 2024-01-04, first PD 2024-04-20: 107 days."""
    pd_marks = dict((p, t) for t, p in _markers(_axes(trial), "PD"))
    assert pd_marks["P06"] == pytest.approx(107 / 30.4375)


def test_crossover_continues_the_lane_in_the_other_arms_colour(trial: ReportData):
    """P08 crossed to arm A on 2024-05-01, 109 days after its first dose (2024-01-13), to its lane's end (323)."""
    ax = _axes(trial)
    (after,) = ax.containers[1]
    assert after.get_x() == pytest.approx(109 / 30.4375)
    assert after.get_width() == pytest.approx((323 - 109) / 30.4375)
    assert after.get_y() + after.get_height() / 2 == ORDER.index("P08")
    assert to_hex(after.get_facecolor(), keep_alpha=False) == "#0072b2"
    assert after.get_hatch() == "///"


def test_an_arrow_marks_each_patient_still_on_study(trial: ReportData):
    """EOSSTT ONGOING: P01, P04, P08, P09; each arrow starts at the lane's end."""
    ax = _axes(trial)
    arrows = [a for a in ax.texts if isinstance(a, Annotation) and a.get_gid() == "ongoing"]
    starts = sorted((ORDER[round(a.xyann[1])], a.xyann[0]) for a in arrows)
    assert [p for p, _ in starts] == ["P01", "P04", "P08", "P09"]
    assert [x for _, x in starts] == pytest.approx([333 / 30.4375, 319 / 30.4375, 323 / 30.4375, 288 / 30.4375])


def test_the_lanes_and_events_are_given_as_tables(trial: ReportData):
    swimmer = derive_swimmer_data(trial)
    assert sorted(swimmer.lanes["USUBJID"]) == sorted(ORDER)
    assert swimmer.lanes.set_index("USUBJID")["ONGOING"].sum() == 4


def test_without_treatment_dates_a_note_says_so():
    data = ReportData(adsl=ADSL.drop(columns="TRTSDT"))
    assert draw(data) == Note("No treatment start dates (ADSL TRTSDT): no swimmer plot.")


def test_ex_without_a_dose_column_is_refused_naming_it(trial: ReportData):
    data = ReportData(adsl=trial.adsl, ex=trial.ex.drop(columns="EXDOSE") if trial.ex is not None else None)
    with pytest.raises(DataError, match=r"The EX table lacks the column\(s\) EXDOSE"):
        draw(data)


def test_a_crossover_after_the_last_recorded_contact_ends_the_lane_there():
    """X1: first dose 2024-01-01, last dose and last alive 2024-03-01 (60 days), crossover 2024-04-10 (100 days):
    the patient was seen at the crossover, so the lane runs to day 100 and the crossover part has width 0."""
    adsl = pd.DataFrame(
        [("X1", "B", "2024-01-01", "2024-03-01", "2024-03-01", "A", "2024-04-10")],
        columns=["USUBJID", "ARM", "TRTSDT", "TRTEDT", "LSTALVDT", "TRT02A", "TR02SDT"],
    )
    lanes = derive_swimmer_data(ReportData(adsl=adsl)).lanes
    assert lanes["END"].tolist() == pytest.approx([100 / 30.4375])
    assert lanes["CROSSOVER"].tolist() == pytest.approx([100 / 30.4375])


def test_a_large_trial_keeps_to_a_24_inch_page():
    """200 treated patients would need 1.6 + 0.28 x 200 = 57.6 inches: the figure stops at 24."""
    adsl = pd.DataFrame(
        {
            "USUBJID": [f"X{i:03d}" for i in range(200)],
            "ARM": "A",
            "TRTSDT": "2024-01-01",
            "LSTALVDT": "2024-06-01",
        }
    )
    figure = draw(ReportData(adsl=adsl))
    assert isinstance(figure, Figure)
    assert figure.get_size_inches()[1] == 24.0
    assert len(figure.axes[0].containers[0]) == 200
