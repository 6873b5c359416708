"""Spider plot: each patient's % change from baseline of the sum of target diameters over time, one line per
patient starting at 0 % at the baseline scan, coloured by arm (or by any grouping given).

The changes are :func:`oncotrial.recist.derive_tumour_sizes`' ``PCHG_BASE`` (complete sums only: an assessment
with a target lesion not measured is left out of the line).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from oncotrial.recist import derive_tumour_sizes
from oncotrial.report.data import Note, ReportData
from oncotrial.report.figures._common import require_columns, subject_arms
from oncotrial.report.figures.waterfall import PD_LINE, PR_LINE
from oncotrial.report.style import GREY, arm_colours, new_figure, tidy_axes

__all__ = ["draw", "plot_spider"]

XLABEL = "Weeks since baseline scan"
YLABEL = "Change from baseline in sum of diameters (%)"


def plot_spider(
    sizes: pd.DataFrame,
    groups: Mapping[str, str],
    *,
    colours: Mapping[str, str] | None = None,
    legend_title: str = "Arm",
    xlabel: str = XLABEL,
    ylabel: str = YLABEL,
    title: str = "",
) -> Figure:
    """One line per ``USUBJID`` of ``PCHG_BASE`` against ``DAY`` / 7 (weeks), coloured by ``groups[USUBJID]``
    (patients without a group are drawn under "other") in ``colours[group]`` (default: the arm palette, in the
    groups' sorted order; pass ``RESPONSE_COLOURS`` with best responses as groups to colour by response); a
    patient with no change after baseline has no line; with dashed lines at −30 % and +20 %."""
    require_columns(sizes, ["USUBJID", "DAY", "PCHG_BASE"], name="tumour sizes")
    points = sizes.loc[sizes["PCHG_BASE"].notna()].sort_values(["USUBJID", "DAY"], kind="stable")
    points = points.loc[points.groupby("USUBJID")["DAY"].transform("size") > 1]  # a baseline alone is no line
    labels = {str(s): groups.get(str(s), "other") for s in points["USUBJID"].unique()}
    present = sorted(set(labels.values()))
    palette = arm_colours(present) if colours is None else {g: colours.get(g, GREY) for g in present}
    figure = new_figure(7.0, 4.2)
    ax = figure.add_subplot()
    for subject, line in points.groupby("USUBJID", sort=True):
        group = labels[str(subject)]
        ax.plot(
            line["DAY"].to_numpy(dtype=float) / 7.0,
            line["PCHG_BASE"].to_numpy(dtype=float),
            marker="o",
            markersize=3,
            linewidth=1.2,
            color=palette[group],
            label=str(subject),
        )
    for level in (PD_LINE, PR_LINE):
        ax.axhline(level, linestyle="--", color="black", linewidth=0.9)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    handles = [Line2D([], [], color=colour, linewidth=1.6, label=name) for name, colour in palette.items()]
    ax.legend(handles=handles, title=legend_title, frameon=False, fontsize=8, title_fontsize=8)
    tidy_axes(ax)
    return figure


def draw(data: ReportData) -> Figure | Note:
    """The spider plot of the trial's TR target lesions, coloured by ADSL arm."""
    if data.tr is None or data.tr.empty:
        return Note("No target-lesion measurements (TR): no spider plot.")
    sizes = derive_tumour_sizes(data.tr)
    if not (~sizes["BASELINE"] & sizes["PCHG_BASE"].notna()).any():
        return Note("No patient has a complete sum of target diameters after baseline (TR): no spider plot.")
    return plot_spider(
        sizes, {str(k): v for k, v in subject_arms(data.adsl).items()}, title="Change in tumour size over time"
    )
