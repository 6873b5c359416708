"""The waterfall plot (``oncotrial.report.figures.waterfall``), looked at as a reader would.

Best changes counted by hand in ``conftest.py``; colours are the Okabe–Ito ones of ``report.style``: CR blue
#0072B2, PR sky blue #56B4E9, SD bluish green #009E73, PD vermillion #D55E00.
"""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from oncotrial.errors import DataError
from oncotrial.report import Note, ReportData
from oncotrial.report.figures.waterfall import YLABEL, draw, plot_waterfall
from tests.report.figures.conftest import TR

CR, PR, SD, PD = "#0072b2", "#56b4e9", "#009e73", "#d55e00"


def _figure(trial: ReportData) -> Figure:
    figure = draw(trial)
    assert isinstance(figure, Figure)
    return figure


def test_one_bar_per_measured_patient_sorted_from_growth_to_shrinkage(trial: ReportData):
    """8 bars (P05 has only a baseline scan, P10 none): P07 +31.43 (11/35), P06 +25, P02 +10, P09 0, P03 -10,
    P08 -33.33 (-15/45), P04 -40, P01 -60."""
    ax = _figure(trial).axes[0]
    bars = ax.patches
    assert len(bars) == 8
    assert [t.get_text() for t in ax.get_xticklabels()] == ["P07", "P06", "P02", "P09", "P03", "P08", "P04", "P01"]
    assert [b.get_height() for b in bars] == pytest.approx([1100 / 35, 25, 10, 0, -10, -100 / 3, -40, -60])


def test_bars_are_coloured_by_best_overall_response(trial: ReportData):
    """BOR (conftest ADRS): P07 PD; P06, P02, P09, P03 SD; P08, P04 PR; P01 CR."""
    bars = _figure(trial).axes[0].patches
    assert [to_hex(b.get_facecolor()) for b in bars] == [PD, SD, SD, SD, SD, PR, PR, CR]


def test_dashed_lines_at_minus_30_and_plus_20_and_the_axes(trial: ReportData):
    ax = _figure(trial).axes[0]
    dashed = sorted(line.get_ydata()[0] for line in ax.get_lines() if line.get_linestyle() == "--")
    assert dashed == [-30.0, 20.0]
    assert ax.get_ylabel() == YLABEL == "Best change from baseline in sum of diameters (%)"
    assert ax.get_xlabel() == "Patients"
    assert ax.get_ylim()[0] == -100.0
    assert ax.get_ylim()[1] == pytest.approx(1100 / 35 + 10)
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "Best overall response"
    assert [t.get_text() for t in legend.get_texts()] == ["CR", "PR", "SD", "PD"]


def test_a_response_not_known_is_grey_and_named_missing():
    best = pd.DataFrame({"USUBJID": ["X1", "X2"], "BEST_PCHG": [-50.0, 5.0], "BOR": ["PR", None]})
    ax = plot_waterfall(best).axes[0]
    assert [to_hex(b.get_facecolor()) for b in ax.patches] == ["#dddddd", PR]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["PR", "MISSING"]


def test_without_tr_a_note_says_so(bare_trial: ReportData):
    assert draw(bare_trial) == Note("No target-lesion measurements (TR): no waterfall plot.")


def test_only_baseline_scans_give_a_note(trial: ReportData):
    data = ReportData(adsl=trial.adsl, tr=TR.loc[TR["VISIT"] == "BASELINE"])
    assert draw(data) == Note(
        "No patient has a complete sum of target diameters after baseline (TR): no waterfall plot."
    )


def test_tr_without_a_column_is_refused_naming_it(trial: ReportData):
    data = ReportData(adsl=trial.adsl, tr=TR.drop(columns="TRLNKID"))
    with pytest.raises(DataError, match=r"The TR table lacks the column\(s\) TRLNKID"):
        draw(data)


def test_tr_with_only_non_target_lesions_gives_a_note(trial: ReportData):
    states = pd.DataFrame(
        [("P01", "NON-TARGET", "NT01", "TUMSTATE", "PRESENT", "", "BASELINE", "2024-01-02")], columns=TR.columns
    )
    assert draw(ReportData(adsl=trial.adsl, tr=states)) == Note(
        "No patient has a complete sum of target diameters after baseline (TR): no waterfall plot."
    )


def test_bars_take_the_confirmed_response_when_the_response_table_counts_it(trial: ReportData):
    """P08's PR (conftest ADRS BOR) is not confirmed: with a CBOR of SD added for every patient, the single-arm
    CALGB-500001 counts CBOR (RECIST 1.1 section 4.6), so P08's bar is SD like the table's count; the randomised
    NCT01416831 counts BOR, so it stays PR. Order as in the first test: P07 P06 P02 P09 P03 P08 P04 P01."""
    import dataclasses

    from oncotrial.protocol import load_builtin_protocol

    assert trial.adrs is not None
    bor = trial.adrs[trial.adrs["PARAMCD"] == "BOR"]
    cbor = bor.assign(PARAMCD="CBOR", AVALC=bor["AVALC"].where(bor["USUBJID"] != "P08", "SD"))
    adrs = pd.concat([trial.adrs, cbor], ignore_index=True)
    for protocol, p08 in (("CALGB-500001", SD), ("NCT01416831", PR)):
        data = dataclasses.replace(trial, adrs=adrs, protocol=load_builtin_protocol(protocol))
        colours = [to_hex(b.get_facecolor()) for b in _figure(data).axes[0].patches]
        assert colours == [PD, SD, SD, SD, SD, p08, PR, CR], protocol
