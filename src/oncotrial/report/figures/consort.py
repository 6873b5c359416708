"""CONSORT flow diagram: screened, not eligible (each reason counted), randomised, then per arm allocated,
treated, crossed over, assessed for response and analysed. Boxes and arrows drawn with matplotlib.

The counts (:func:`derive_consort_flow`):

=====================  ========================================================================================
screened               the rows of ``screening`` (one per person screened)
not eligible           ``ELIGIBLE`` false; by ``REASON`` (empty: "reason not recorded")
randomised             ADSL ``RANDFL`` = Y; without it ``ITTFL`` = Y; without both, a ``RANDDT``; else every row
treated                ``SAFFL`` = Y; without it, a ``TRTSDT``
crossed over           a second treatment (``TRT02A``) or its start (``TR02SDT``)
assessed for response  an ADRS ``OVR`` record with a response (``AVALC`` not empty)
analysed               ``EFFFL`` = Y; without it ``ITTFL`` = Y; without both, every randomised patient (ITT)
=====================  ========================================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from oncotrial._frames import read_flags
from oncotrial.report.data import Note, ReportData
from oncotrial.report.figures._common import is_yes, require_columns, subject_arms
from oncotrial.report.style import new_figure

__all__ = ["ArmFlow", "ConsortFlow", "derive_consort_flow", "draw", "plot_consort"]

BOX_GID = "consort-box"
NO_REASON = "reason not recorded"


@dataclass(frozen=True)
class ArmFlow:
    """The patients of one arm at each step."""

    arm: str
    randomised: int
    treated: int
    crossed_over: int
    assessed: int
    analysed: int


@dataclass(frozen=True)
class ConsortFlow:
    """The counts of the diagram; ``screened`` is None when no screening log is known. ``not_eligible`` counts
    the people by reason (a person who failed two criteria counts under both), ``ineligible`` the people."""

    arms: tuple[ArmFlow, ...]
    screened: int | None = None
    not_eligible: Mapping[str, int] = field(default_factory=dict)
    ineligible: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "not_eligible", MappingProxyType(dict(self.not_eligible)))

    @property
    def randomised(self) -> int:
        """Patients randomised, all arms."""
        return sum(a.randomised for a in self.arms)


def _flag_or(adsl: pd.DataFrame, flags: tuple[str, ...], date: str | None) -> np.ndarray:
    """The first of ``flags`` ADSL has (Y), else a non-empty ``date``, else every row."""
    for flag in flags:
        if flag in adsl.columns:
            return is_yes(adsl[flag])
    if date is not None and date in adsl.columns:
        return np.asarray(adsl[date].astype("string").str.strip().fillna("") != "", dtype=bool)
    return np.ones(len(adsl), dtype=bool)


def _crossed_over(adsl: pd.DataFrame) -> np.ndarray:
    crossed = np.zeros(len(adsl), dtype=bool)
    for column in ("TRT02A", "TR02SDT"):
        if column in adsl.columns:
            crossed |= np.asarray(adsl[column].astype("string").str.strip().fillna("") != "", dtype=bool)
    return crossed


def _assessed(adsl: pd.DataFrame, adrs: pd.DataFrame | None) -> np.ndarray:
    if adrs is None:
        return np.zeros(len(adsl), dtype=bool)
    require_columns(adrs, ["USUBJID", "PARAMCD", "AVALC"], name="ADRS")
    ovr = adrs.loc[(adrs["PARAMCD"].astype(str) == "OVR") & (adrs["AVALC"].astype("string").str.strip() != "")]
    return np.asarray(adsl["USUBJID"].isin(ovr["USUBJID"]), dtype=bool)


def _not_eligible(screening: pd.DataFrame) -> tuple[int, int, dict[str, int]]:
    require_columns(screening, ["SUBJID", "ELIGIBLE", "REASON"], name="screening")
    eligible = read_flags(screening["ELIGIBLE"], column="ELIGIBLE", name="screening", code="FIGURE-E001")
    reasons = screening.loc[~eligible, "REASON"].astype("string").str.strip().fillna("").replace("", NO_REASON)
    # a reason that names its criteria ("[ecog] ECOG 2; [platelets] ...", as the store's screening log writes it)
    # is counted by criterion: the values that follow differ from person to person
    named = reasons.str.findall(r"^\[([^\]]+)\]|; \[([^\]]+)\]").map(
        lambda found: sorted({first or later for first, later in found})
    )
    keys = [ids if ids else [reason] for ids, reason in zip(named, reasons, strict=True)]
    counts = pd.Series([key for ids in keys for key in ids], dtype="string").value_counts(sort=False)
    ordered = sorted(counts.items(), key=lambda item: (-int(item[1]), str(item[0])))
    return len(screening), len(reasons), {str(reason): int(n) for reason, n in ordered}


def derive_consort_flow(data: ReportData) -> ConsortFlow:
    """The counts of the CONSORT diagram from ADSL, ADRS and the screening log (see the module docstring)."""
    adsl = data.adsl.drop_duplicates("USUBJID").reset_index(drop=True)
    arms = adsl["USUBJID"].map(subject_arms(adsl)).to_numpy()
    randomised = _flag_or(adsl, ("RANDFL", "ITTFL"), "RANDDT")
    steps = {
        "treated": _flag_or(adsl, ("SAFFL",), "TRTSDT"),
        "crossed_over": _crossed_over(adsl),
        "assessed": _assessed(adsl, data.adrs),
        "analysed": _flag_or(adsl, ("EFFFL", "ITTFL"), None),
    }
    flows = []
    for arm in sorted(set(arms[randomised])):
        rows = randomised & (arms == arm)
        counts = {name: int((rows & mask).sum()) for name, mask in steps.items()}
        flows.append(ArmFlow(str(arm), int(rows.sum()), **counts))
    if data.screening is None:
        return ConsortFlow(tuple(flows))
    screened, ineligible, reasons = _not_eligible(data.screening)
    return ConsortFlow(tuple(flows), screened, reasons, ineligible)


def _box(ax: Axes, x: float, y: float, text: str, *, ha: str = "center") -> None:
    ax.text(x, y, text, ha=ha, va="center", fontsize=8.5, gid=BOX_GID,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": "black", "linewidth": 0.8})  # fmt: skip


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], *, from_box: bool = True) -> None:
    """An arrow between two boxes' centres (``from_box`` False: from a connector line's point)."""
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 0.8,
                                                       "shrinkA": 18 if from_box else 0, "shrinkB": 18})  # fmt: skip


def _arm_column(ax: Axes, flow: ArmFlow, x: float, top: float) -> None:
    texts = (
        f"Randomised to {flow.arm}\nn = {flow.randomised}",
        f"Treated\nn = {flow.treated}",
        f"Crossed over\nn = {flow.crossed_over}",
        f"Assessed for response\nn = {flow.assessed}",
        f"Analysed\nn = {flow.analysed}",
    )
    ys = np.linspace(top, 0.06, len(texts))
    for i, text in enumerate(texts):
        _box(ax, x, float(ys[i]), text)
        if i:
            _arrow(ax, (x, float(ys[i - 1])), (x, float(ys[i])))


def plot_consort(flow: ConsortFlow, *, title: str = "") -> Figure:
    """The CONSORT diagram of ``flow`` (boxes: ``Axes.texts`` with gid ``consort-box``)."""
    figure = new_figure(3.2 * max(len(flow.arms), 2), 7.0)
    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    centre, arm_top = 0.5, 0.62
    if flow.screened is not None:
        _box(ax, centre, 0.95, f"Screened\nn = {flow.screened}")
        reasons = "".join(f"\n{reason}: {n}" for reason, n in flow.not_eligible.items())
        # beside the flow, growing to the right, so that a long list of reasons does not cover the boxes
        _box(ax, 0.62, 0.86, f"Not eligible\nn = {flow.ineligible}{reasons}", ha="left")
        _arrow(ax, (centre, 0.95), (centre, 0.78))
        ax.annotate("", xy=(0.61, 0.86), xytext=(centre, 0.86), arrowprops={"arrowstyle": "-|>", "linewidth": 0.8})
    _box(ax, centre, 0.78, f"Randomised\nn = {flow.randomised}")
    xs = [(i + 0.5) / len(flow.arms) for i in range(len(flow.arms))]
    split = (0.78 + arm_top) / 2  # the randomised box splits into the arms along one horizontal line
    ax.plot([centre, centre, *xs[:1]], [0.745, split, split], color="black", linewidth=0.8)
    ax.plot([xs[0], xs[-1]], [split, split], color="black", linewidth=0.8)
    for x, arm in zip(xs, flow.arms, strict=True):
        _arrow(ax, (x, split), (x, arm_top), from_box=False)
        _arm_column(ax, arm, x, arm_top)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    return figure


def draw(data: ReportData) -> Figure | Note:
    """The trial's CONSORT diagram."""
    flow = derive_consort_flow(data)
    if not flow.arms:
        return Note("No randomised patient (ADSL): no CONSORT diagram.")
    return plot_consort(flow, title="Flow of participants (CONSORT)")
