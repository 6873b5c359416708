"""Biomarker time course: one thin line per patient and the median across patients (bold), e.g. serum IFN-γ.

Samples are SDTM LB rows of one ``LBTESTCD`` (``LBSTRESN`` in ``LBSTRESU``); time is the days from the patient's
first dose (ADSL ``TRTSDT``) to ``LBDTC``. The median at each day and the number of patients behind it are
:func:`oncotrial.biomarker.derive_biomarker_time_course`'s.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from oncotrial.biomarker import derive_biomarker_time_course
from oncotrial.report.data import Note, ReportData
from oncotrial.report.figures._common import read_dates, require_columns, subject_dates
from oncotrial.report.style import OKABE_ITO, new_figure, tidy_axes

__all__ = ["BIOMARKER_TEST", "derive_biomarker_samples", "draw", "plot_biomarker"]

BIOMARKER_TEST = "IFNG"  # the seeds' immune biomarker: serum IFN-γ after IL-12
XLABEL = "Days since first dose"


def plot_biomarker(
    samples: pd.DataFrame, *, name: str, unit: str = "", xlabel: str = XLABEL, log_scale: bool = False
) -> Figure:
    """Per-patient lines of ``value`` against ``time`` (one per ``USUBJID``, grey) and the median (black)."""
    require_columns(samples, ["USUBJID", "time", "value"], name="biomarker samples")
    course = derive_biomarker_time_course(samples)
    figure = new_figure(7.0, 4.2)
    ax = figure.add_subplot()
    for subject, line in samples.sort_values("time", kind="stable").groupby("USUBJID", sort=True):
        ax.plot(line["time"], line["value"], color=OKABE_ITO["sky blue"], linewidth=0.9, alpha=0.8,
                marker="o", markersize=2.5, label=str(subject))  # fmt: skip
    ax.plot(course["time"], course["median"], color=OKABE_ITO["black"], linewidth=2.2, marker="s", markersize=4,
            label="median")  # fmt: skip
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"{name} ({unit})" if unit else name)
    ax.set_title(f"{name}: each patient and the median", loc="left", fontsize=11)
    each = Line2D([], [], color=OKABE_ITO["sky blue"], linewidth=0.9, marker="o", markersize=2.5, label="each patient")
    ax.legend(handles=[each, ax.get_lines()[-1]], frameon=False, fontsize=8)
    tidy_axes(ax)
    return figure


def derive_biomarker_samples(lb: pd.DataFrame, adsl: pd.DataFrame, test: str) -> pd.DataFrame:
    """The LB rows of ``test`` as ``USUBJID``, ``time`` (days from ADSL ``TRTSDT``), ``value``, ``unit``."""
    require_columns(lb, ["USUBJID", "LBTESTCD", "LBSTRESN", "LBDTC"], name="LB")
    rows = lb.loc[lb["LBTESTCD"].astype(str) == test]
    start = rows["USUBJID"].map(subject_dates(adsl, "TRTSDT"))
    unit = rows["LBSTRESU"].astype("string").fillna("") if "LBSTRESU" in rows.columns else ""
    samples = pd.DataFrame(
        {
            "USUBJID": rows["USUBJID"].to_numpy(),
            "time": (read_dates(rows["LBDTC"]) - start).dt.days.to_numpy(),
            "value": pd.to_numeric(rows["LBSTRESN"], errors="coerce").to_numpy(),
            "unit": unit if isinstance(unit, str) else unit.to_numpy(),
        }
    )
    return samples.dropna(subset=["time", "value"]).reset_index(drop=True)


def draw(data: ReportData) -> Figure | Note:
    """Serum IFN-γ (LB ``IFNG``) by patient and its median."""
    if data.lb is None or data.lb.empty:
        return Note(f"No laboratory data (LB): no biomarker ({BIOMARKER_TEST}) plot.")
    samples = derive_biomarker_samples(data.lb, data.adsl, BIOMARKER_TEST)
    if samples.empty:
        return Note(f"LB has no dated {BIOMARKER_TEST} results of treated patients: no biomarker plot.")
    names = data.lb.loc[data.lb["LBTESTCD"].astype(str) == BIOMARKER_TEST]
    name = str(names["LBTEST"].iloc[0]) if "LBTEST" in names.columns else BIOMARKER_TEST
    return plot_biomarker(samples, name=name, unit=str(samples["unit"].iloc[0]))
