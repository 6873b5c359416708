"""Kaplan–Meier curves by arm with confidence bands, censor marks and a numbers-at-risk table under the time axis.

The curves, bands and numbers at risk are the :class:`~oncotrial.endpoints.KaplanMeierResult`'s own (its step
table and :meth:`~oncotrial.endpoints.KaplanMeierResult.number_at_risk`, which gives what R's
``summary(fit, times = ...)$n.risk`` gives: the subjects whose time is at or after the tick). ADTTE's ``AVAL``
is in days; the axis is in months of 30.4375 days (365.25 / 12), written on the axis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from oncotrial.endpoints import KaplanMeierResult, check_time_to_event_columns, compute_kaplan_meier
from oncotrial.report.data import Note, ReportData
from oncotrial.report.figures._common import require_columns, with_arm
from oncotrial.report.style import DAYS_PER_MONTH, arm_colours, new_figure, tidy_axes

__all__ = ["derive_arm_fits", "draw_os", "draw_pfs", "plot_kaplan_meier"]

MONTHS_LABEL = "Months (days / 30.4375)"
RISK_TABLE_LABEL = "risk table"  # the label of the numbers-at-risk axes (``Axes.get_label``)


def _ticks(fits: Mapping[str, KaplanMeierResult], scale: float) -> np.ndarray:
    end = max(float(np.max(km.steps["time"])) for km in fits.values()) / scale
    ticks = np.asarray(MaxNLocator(nbins=8, steps=[1, 2, 3, 6, 10], integer=True).tick_values(0.0, max(end, 1.0)))
    return np.asarray(ticks[(ticks >= 0) & (ticks <= max(end, float(ticks[1])))], dtype=float)


def _curve(ax: Axes, km: KaplanMeierResult, scale: float, colour: str, label: str, *, show_ci: bool) -> None:
    time = np.concatenate([[0.0], np.asarray(km.steps["time"], dtype=float) / scale])
    surv = np.concatenate([[1.0], np.asarray(km.steps["surv"], dtype=float)])
    ax.step(time, surv, where="post", color=colour, linewidth=1.6, label=label)
    if show_ci:
        lower = np.concatenate([[1.0], np.asarray(km.steps["lower"], dtype=float)])
        upper = np.concatenate([[1.0], np.asarray(km.steps["upper"], dtype=float)])
        defined = np.isfinite(lower) & np.isfinite(upper)
        ax.fill_between(time, lower, upper, where=defined, step="post", color=colour, alpha=0.15, linewidth=0)


def _censor_marks(ax: Axes, km: KaplanMeierResult, scale: float, colour: str) -> None:
    censored = np.asarray(km.steps["n_censor"]) > 0
    times = np.asarray(km.steps["time"], dtype=float)[censored] / scale
    ax.plot(times, np.asarray(km.steps["surv"], dtype=float)[censored], "|", color=colour, markersize=8, mew=1.4)


def _median_lines(ax: Axes, km: KaplanMeierResult, scale: float, colour: str) -> None:
    median = km.median.estimate
    if median is not None:
        ax.plot([0, median / scale, median / scale], [0.5, 0.5, 0.0], linestyle=":", color=colour, linewidth=1)


def _risk_table(ax: Axes, fits: Mapping[str, KaplanMeierResult], ticks: np.ndarray, scale: float) -> None:
    colours = arm_colours(fits)
    ax.set_label(RISK_TABLE_LABEL)
    ax.set_title("Number at risk", loc="left", fontsize=9)
    for row, (name, km) in enumerate(fits.items()):
        y = len(fits) - 1 - row
        for tick, n in zip(ticks, km.number_at_risk(ticks * scale), strict=True):
            ax.text(tick, y, str(int(n)), ha="center", va="center", fontsize=9, color=colours[name])
    ax.set_ylim(-0.6, len(fits) - 0.4)
    ax.set_yticks(range(len(fits)), labels=list(fits)[::-1], fontsize=9)
    for label, name in zip(ax.get_yticklabels(), list(fits)[::-1], strict=True):
        label.set_color(colours[name])
    ax.tick_params(axis="x", labelbottom=False, length=0)
    ax.tick_params(axis="y", length=0, pad=12)
    ax.spines[["top", "right", "bottom", "left"]].set_visible(False)


def plot_kaplan_meier(
    fits: Mapping[str, KaplanMeierResult],
    *,
    times: Sequence[float] | None = None,
    time_scale: float = DAYS_PER_MONTH,
    xlabel: str = MONTHS_LABEL,
    ylabel: str = "Survival probability",
    title: str = "",
    show_ci: bool = True,
    show_censors: bool = True,
    show_median: bool = False,
) -> Figure:
    """Kaplan–Meier curves (one per entry of ``fits``, in its order) with the numbers at risk under the axis.

    ``times`` are the ticks in plotted units (the fits' times divided by ``time_scale``; months of days by
    default); the numbers at risk are given at those ticks, so each number sits under its tick.
    """
    colours = arm_colours(fits)
    ticks = np.asarray(times, dtype=float) if times is not None else _ticks(fits, time_scale)
    figure = new_figure(7.0, 4.6 + 0.25 * len(fits))
    grid = figure.add_gridspec(2, 1, height_ratios=[4.0, 0.5 + 0.3 * len(fits)])
    ax = figure.add_subplot(grid[0])
    for name, km in fits.items():
        _curve(ax, km, time_scale, colours[name], f"{name} (n = {km.n}, events = {km.events})", show_ci=show_ci)
        if show_censors:
            _censor_marks(ax, km, time_scale, colours[name])
        if show_median:
            _median_lines(ax, km, time_scale, colours[name])
    ax.set_xlim(0, float(ticks[-1]))
    ax.set_ylim(0, 1.02)
    ax.set_xticks(ticks)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    ax.legend(frameon=False, fontsize=9, loc="lower left")  # under the curves, which start at the top left
    tidy_axes(ax)
    table = figure.add_subplot(grid[1], sharex=ax)
    _risk_table(table, fits, ticks, time_scale)
    return figure


def derive_arm_fits(adtte: pd.DataFrame, adsl: pd.DataFrame, param: str) -> dict[str, KaplanMeierResult]:
    """One Kaplan–Meier fit per arm (ADTTE ``AVAL``/``CNSR`` of ``param``; the arm from ADTTE or ADSL)."""
    require_columns(adtte, ["USUBJID", "PARAMCD", "AVAL", "CNSR"], name="ADTTE")
    rows = with_arm(adtte.loc[adtte["PARAMCD"].astype(str) == param], adsl)
    fits = {}
    for arm, group in rows.groupby("ARM", sort=True):
        time, event = check_time_to_event_columns(group, time_col="AVAL", censor_col="CNSR")
        fits[str(arm)] = compute_kaplan_meier(time, event)
    return fits


def _draw(data: ReportData, param: str, name: str) -> Figure | Note:
    if data.adtte is None or data.adtte.empty:
        return Note(f"No time-to-event data (ADTTE): no Kaplan–Meier plot of {name}.")
    fits = derive_arm_fits(data.adtte, data.adsl, param)
    if not fits:
        return Note(f"ADTTE has no {param} records: no Kaplan–Meier plot of {name}.")
    return plot_kaplan_meier(fits, ylabel=f"{name} probability", title=f"{name} by arm")


def draw_pfs(data: ReportData) -> Figure | Note:
    """Progression-free survival by arm (ADTTE ``PARAMCD`` PFS)."""
    return _draw(data, "PFS", "Progression-free survival")


def draw_os(data: ReportData) -> Figure | Note:
    """Overall survival by arm (ADTTE ``PARAMCD`` OS)."""
    return _draw(data, "OS", "Overall survival")
