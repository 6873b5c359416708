"""Waterfall plot: each patient's best % change from baseline of the sum of target diameters, one bar per patient,
sorted from the largest growth to the largest shrinkage and coloured by best overall response.

The changes are :func:`oncotrial.recist.derive_best_tumour_change` of :func:`oncotrial.recist.derive_tumour_sizes`;
the dashed lines mark RECIST 1.1's thresholds: −30 % (partial response) and +20 % (progression).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from oncotrial.recist import derive_best_tumour_change, derive_tumour_sizes
from oncotrial.report.data import Note, ReportData
from oncotrial.report.figures._common import require_columns, response_labels
from oncotrial.report.style import RESPONSE_COLOURS, RESPONSE_ORDER, new_figure, tidy_axes
from oncotrial.report.tables import response_parameter

__all__ = ["PD_LINE", "PR_LINE", "draw", "plot_waterfall"]

PR_LINE = -30.0
PD_LINE = 20.0
YLABEL = "Best change from baseline in sum of diameters (%)"


def _category(value: object) -> str:
    text = str(value).strip().upper()
    return text if text in RESPONSE_COLOURS else "MISSING"


def plot_waterfall(best: pd.DataFrame, *, ylabel: str = YLABEL, title: str = "") -> Figure:
    """Bars of ``BEST_PCHG`` per ``USUBJID``, sorted (largest growth first), coloured by ``BOR`` (CR, PR, SD,
    NON-CR/NON-PD, PD, NE; anything else grey as "MISSING"), with dashed lines at −30 % and +20 %."""
    require_columns(best, ["USUBJID", "BEST_PCHG", "BOR"], name="best tumour change")
    bars = best.sort_values(["BEST_PCHG", "USUBJID"], ascending=[False, True], kind="stable")
    categories = [_category(v) for v in bars["BOR"]]
    figure = new_figure(7.0, 4.2)
    ax = figure.add_subplot()
    positions = range(len(bars))
    ax.bar(
        positions,
        bars["BEST_PCHG"].to_numpy(dtype=float),
        color=[RESPONSE_COLOURS[c] for c in categories],
        edgecolor="black",
        linewidth=0.4,
        width=0.8,
    )
    for level, text in ((PD_LINE, "+20 %"), (PR_LINE, "−30 %")):
        ax.axhline(level, linestyle="--", color="black", linewidth=0.9)
        ax.annotate(text, (1.0, level), xycoords=("axes fraction", "data"), xytext=(2, 0),
                    textcoords="offset points", va="center", fontsize=8)  # fmt: skip
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(list(positions), labels=bars["USUBJID"].astype(str).tolist(), rotation=90, fontsize=7)
    ax.set_xlim(-0.6, len(bars) - 0.4)
    low = min(-100.0, float(bars["BEST_PCHG"].min()) - 5) if len(bars) else -100.0
    high = max(PD_LINE + 20.0, float(bars["BEST_PCHG"].max()) + 10) if len(bars) else 40.0
    ax.set_ylim(low, high)
    ax.set_xlabel("Patients")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    present = [c for c in RESPONSE_ORDER if c in categories]
    handles = [Patch(facecolor=RESPONSE_COLOURS[c], edgecolor="black", linewidth=0.4, label=c) for c in present]
    ax.legend(handles=handles, title="Best overall response", frameon=False, fontsize=8, title_fontsize=8)
    tidy_axes(ax)
    return figure


def draw(data: ReportData) -> Figure | Note:
    """The waterfall of the trial's TR target lesions, coloured by the best overall response the response table
    counts (ADRS ``CBOR`` or ``BOR``: :func:`~oncotrial.report.tables.response_parameter`), so a bar's colour and
    the table's count of its patient agree."""
    if data.tr is None or data.tr.empty:
        return Note("No target-lesion measurements (TR): no waterfall plot.")
    best = derive_best_tumour_change(derive_tumour_sizes(data.tr))
    if best.empty:
        return Note("No patient has a complete sum of target diameters after baseline (TR): no waterfall plot.")
    param = response_parameter(data.adrs, data.protocol) if data.adrs is not None else None
    best["BOR"] = best["USUBJID"].map(response_labels(data.adrs, param or "BOR")).fillna("MISSING")
    return plot_waterfall(best, title="Best change in tumour size")
