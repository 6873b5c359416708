"""Swimmer plot: one lane per treated patient, from the start of treatment to the last contact, with the doses,
the doses held, the responses, progression, death, crossover and an arrow for a patient still on study.

What is read (all times in months of 30.4375 days from ADSL ``TRTSDT``; patients never treated have no lane):

=============  ======================================================================================
lane end       the latest of ADSL ``LSTALVDT``, ``TRTEDT``, ``EOSDT``, ``DTHDT``, ``TR02SDT``
doses          EX ``EXSTDTC`` with ``EXDOSE`` > 0 (a tick each)
held doses     EX rows with ``EXDOSE`` = 0 (a dose recorded as not given; the store's EX leaves held doses out)
responses      ADRS ``PARAMCD`` OVR with ``AVALC`` CR or PR, at ``ADT``
progression    the first ADRS OVR ``PD``
death          ADSL ``DTHDT``
crossover      ADSL ``TR02SDT`` (the start of the second treatment, ``TRT02A``, ADaM's period 2): the lane
               continues in the colour of that treatment's arm
ongoing        no death, and ADSL ``EOSSTT`` is ``ONGOING`` or empty (without ``EOSSTT``: no ``EOSDT``)
=============  ======================================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from oncotrial.report.data import Note, ReportData
from oncotrial.report.figures._common import read_dates, require_columns, subject_arms, subject_dates
from oncotrial.report.style import DAYS_PER_MONTH, GREY, OKABE_ITO, RESPONSE_COLOURS, arm_colours, new_figure, tidy_axes

__all__ = ["MARKERS", "SwimmerData", "derive_swimmer_data", "draw", "plot_swimmer"]

# event kind -> (legend text, marker, face colour, size)
MARKERS = {
    "dose": ("Dose given", "|", "#333333", 7.0),
    "held": ("Dose held", "x", OKABE_ITO["black"], 6.0),
    "CR": ("Complete response", "*", RESPONSE_COLOURS["CR"], 11.0),
    "PR": ("Partial response", "^", RESPONSE_COLOURS["PR"], 7.0),
    "PD": ("Progression", "D", RESPONSE_COLOURS["PD"], 6.0),
    "death": ("Death", "X", OKABE_ITO["black"], 8.0),
}
_END_DATES = ("LSTALVDT", "TRTEDT", "EOSDT", "DTHDT", "TR02SDT")
MAX_HEIGHT = 24.0  # inches
XLABEL = "Months since start of treatment (days / 30.4375)"


@dataclass(frozen=True)
class SwimmerData:
    """The lanes (``USUBJID``, ``ARM``, ``END``, ``ONGOING``, ``CROSSOVER``, ``CROSSOVER_ARM``; months) and the
    events on them (``USUBJID``, ``TIME`` in months, ``KIND`` one of :data:`MARKERS`)."""

    lanes: pd.DataFrame
    events: pd.DataFrame


def _months(dates: pd.Series, start: pd.Series) -> pd.Series:
    return (dates - start).dt.days / DAYS_PER_MONTH


def _ongoing(adsl: pd.DataFrame, dead: pd.Series) -> pd.Series:
    first = adsl.drop_duplicates("USUBJID").set_index("USUBJID")
    if "EOSSTT" in first.columns:
        status = first["EOSSTT"].astype("string").str.strip().str.upper().fillna("")
        on_study = status.isin(["ONGOING", ""])
    else:
        on_study = subject_dates(adsl, "EOSDT").isna()
    return on_study & ~dead


def _lanes(adsl: pd.DataFrame) -> pd.DataFrame:
    start = subject_dates(adsl, "TRTSDT")
    ends = pd.concat([subject_dates(adsl, c) for c in _END_DATES], axis=1).max(axis=1)
    death = subject_dates(adsl, "DTHDT")
    first = adsl.drop_duplicates("USUBJID").set_index("USUBJID")
    second = first["TRT02A"].astype("string").fillna("") if "TRT02A" in first.columns else ""
    lanes = pd.DataFrame(
        {
            "ARM": subject_arms(adsl),
            "END": _months(ends.fillna(start), start),
            "ONGOING": _ongoing(adsl, death.notna()),
            "CROSSOVER": _months(subject_dates(adsl, "TR02SDT"), start),
            "CROSSOVER_ARM": second,
        }
    ).loc[start.notna().to_numpy()]
    return lanes.rename_axis("USUBJID").reset_index()


def _dose_events(ex: pd.DataFrame | None, start: pd.Series) -> pd.DataFrame:
    if ex is None:
        return pd.DataFrame(columns=["USUBJID", "TIME", "KIND"])
    require_columns(ex, ["USUBJID", "EXSTDTC", "EXDOSE"], name="EX")
    time = _months(read_dates(ex["EXSTDTC"]), ex["USUBJID"].map(start))
    kind = np.where(pd.to_numeric(ex["EXDOSE"], errors="coerce").fillna(-1).to_numpy() == 0, "held", "dose")
    return pd.DataFrame({"USUBJID": ex["USUBJID"].to_numpy(), "TIME": time.to_numpy(), "KIND": kind})


def _response_events(adrs: pd.DataFrame | None, start: pd.Series) -> pd.DataFrame:
    if adrs is None:
        return pd.DataFrame(columns=["USUBJID", "TIME", "KIND"])
    require_columns(adrs, ["USUBJID", "PARAMCD", "AVALC", "ADT"], name="ADRS")
    ovr = adrs.loc[adrs["PARAMCD"].astype(str) == "OVR"]
    kind = ovr["AVALC"].astype("string").str.strip().str.upper()
    time = _months(read_dates(ovr["ADT"]), ovr["USUBJID"].map(start))
    events = pd.DataFrame({"USUBJID": ovr["USUBJID"].to_numpy(), "TIME": time.to_numpy(), "KIND": kind.to_numpy()})
    events = events.loc[events["KIND"].isin(["CR", "PR", "PD"])].sort_values(["USUBJID", "TIME"], kind="stable")
    progression = events["KIND"] == "PD"
    return pd.concat([events.loc[~progression], events.loc[progression].drop_duplicates("USUBJID")])


def derive_swimmer_data(data: ReportData) -> SwimmerData:
    """The lanes and events of the swimmer plot from ADSL, EX and ADRS (see the module docstring)."""
    require_columns(data.adsl, ["USUBJID", "TRTSDT"], name="ADSL", hint="The swimmer plot starts each lane there.")
    start = subject_dates(data.adsl, "TRTSDT")
    lanes = _lanes(data.adsl)
    death = subject_dates(data.adsl, "DTHDT").dropna()
    deaths = pd.DataFrame({"USUBJID": death.index, "TIME": _months(death, start.reindex(death.index)), "KIND": "death"})
    events = pd.concat(
        [_dose_events(data.ex, start), _response_events(data.adrs, start), deaths.reset_index(drop=True)],
        ignore_index=True,
    )
    events = events.loc[events["USUBJID"].isin(lanes["USUBJID"]) & events["TIME"].notna()]
    return SwimmerData(lanes, events.reset_index(drop=True))


def _lane_bars(ax: Axes, lanes: pd.DataFrame, colours: dict[str, str]) -> None:
    y = np.arange(len(lanes))
    ax.barh(y, lanes["END"], color=[colours[a] for a in lanes["ARM"]], alpha=0.55, height=0.6, label="lanes")
    crossed = lanes["CROSSOVER"].notna().to_numpy()
    if crossed.any():
        after = lanes.loc[crossed]
        ax.barh(y[crossed], after["END"] - after["CROSSOVER"], left=after["CROSSOVER"], height=0.6, hatch="///",
                color=[colours.get(a, GREY) for a in after["CROSSOVER_ARM"]], alpha=0.55, label="crossover")  # fmt: skip
    span = float(lanes["END"].max()) if len(lanes) else 1.0
    for position, end in zip(y[lanes["ONGOING"].to_numpy(dtype=bool)], lanes.loc[lanes["ONGOING"], "END"], strict=True):
        arrow = ax.annotate("", xy=(end + 0.06 * span, position), xytext=(end, position), annotation_clip=False,
                            arrowprops={"arrowstyle": "->", "color": "black", "linewidth": 1.2})  # fmt: skip
        arrow.set_gid("ongoing")


def plot_swimmer(swimmer: SwimmerData, *, xlabel: str = XLABEL, title: str = "") -> Figure:
    """One lane per patient (grouped by arm, longest first within an arm) with the events as markers."""
    lanes = swimmer.lanes.sort_values(["ARM", "END"], ascending=[False, True], kind="stable").reset_index(drop=True)
    colours = arm_colours(sorted(set(lanes["ARM"]) | set(lanes["CROSSOVER_ARM"]) - {""}))
    # 0.28 inch a lane, up to a 24-inch page (a large trial's lanes get thinner, its labels smaller)
    figure = new_figure(7.5, min(1.6 + 0.28 * max(len(lanes), 1), MAX_HEIGHT))
    ax = figure.add_subplot()
    _lane_bars(ax, lanes, colours)
    row = {subject: i for i, subject in enumerate(lanes["USUBJID"])}
    handles: list[Line2D | Patch] = [Patch(color=c, alpha=0.55, label=a) for a, c in colours.items()]
    for kind, (text, marker, colour, size) in MARKERS.items():
        points = swimmer.events.loc[swimmer.events["KIND"] == kind]
        if points.empty:
            continue
        ax.plot(points["TIME"], points["USUBJID"].map(row), linestyle="none", marker=marker, markersize=size,
                color=colour, markeredgecolor="black" if marker not in "|x" else colour, markeredgewidth=0.6,
                label=kind)  # fmt: skip
        handles.append(Line2D([], [], linestyle="none", marker=marker, color=colour, markersize=size, label=text))
    if lanes["CROSSOVER"].notna().any():
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="///", label="After crossover"))
    handles.append(Line2D([], [], marker=r"$\rightarrow$", linestyle="none", color="black", markersize=10,
                          label="On study"))  # fmt: skip
    label_size = 7.0 if len(lanes) <= 80 else max(2.0, 7.0 * 80 / len(lanes))
    ax.set_yticks(range(len(lanes)), labels=lanes["USUBJID"].astype(str).tolist(), fontsize=label_size)
    ax.set_ylim(-0.7, len(lanes) - 0.3)
    ax.set_xlim(0, 1.1 * float(lanes["END"].max()) if len(lanes) else 1.0)  # room for the arrows
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Patient")
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    ax.legend(handles=handles, frameon=False, fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    tidy_axes(ax)
    return figure


def draw(data: ReportData) -> Figure | Note:
    """The swimmer plot of the treated patients."""
    if "TRTSDT" not in data.adsl.columns or subject_dates(data.adsl, "TRTSDT").isna().all():
        return Note("No treatment start dates (ADSL TRTSDT): no swimmer plot.")
    return plot_swimmer(derive_swimmer_data(data), title="Treatment and response by patient")
