"""PK concentration–time curves, one line per patient, on a linear and a logarithmic axis side by side.

From SDTM PC with EX (the first-dose profiles of :func:`oncotrial.pk.derive_pk_profiles`, nominal times) or from
an ADPC (``PARAMCD``, ``AVAL``, the nominal ``NFRLT`` or else the actual ``AFRLT`` hours from the first dose).
The log panel shows the concentrations above 0 only (a BLQ sample, 0, has no logarithm).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from oncotrial.errors import DataError
from oncotrial.pk import derive_pk_profiles
from oncotrial.report.data import Note, ReportData
from oncotrial.report.figures._common import require_columns
from oncotrial.report.style import arm_colours, new_figure, tidy_axes

__all__ = ["derive_concentrations", "draw", "plot_pk_profiles"]

XLABEL = "Hours after first dose"


def plot_pk_profiles(profiles: pd.DataFrame, *, analyte: str, unit: str = "", xlabel: str = XLABEL) -> Figure:
    """Concentration (``conc``) against ``time`` per ``USUBJID``: linear panel left, log panel right."""
    require_columns(profiles, ["USUBJID", "time", "conc"], name="PK concentrations")
    colours = arm_colours(sorted(map(str, profiles["USUBJID"].unique())))
    figure = new_figure(9.0, 4.0)
    linear, log = figure.subplots(1, 2)
    ylabel = f"{analyte} concentration ({unit})" if unit else f"{analyte} concentration"
    for subject, line in profiles.sort_values("time", kind="stable").groupby("USUBJID", sort=True):
        colour = colours[str(subject)]
        linear.plot(line["time"], line["conc"], marker="o", markersize=3, linewidth=1, color=colour, label=str(subject))
        positive = line.loc[line["conc"] > 0]
        log.plot(positive["time"], positive["conc"], marker="o", markersize=3, linewidth=1, color=colour,
                 label=str(subject))  # fmt: skip
    log.set_yscale("log")
    plain = FuncFormatter(lambda value, _: f"{value:g}")
    log.yaxis.set_major_formatter(plain)
    log.yaxis.set_minor_formatter(plain)
    for ax, scale in ((linear, "linear scale"), (log, "log scale")):
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(scale, loc="left", fontsize=10)
        ax.set_xlim(left=0)
        tidy_axes(ax)
    linear.set_ylim(bottom=0)
    linear.legend(title="Patient", frameon=False, fontsize=7, title_fontsize=7)
    return figure


def derive_concentrations(adpc: pd.DataFrame, ex: pd.DataFrame | None) -> pd.DataFrame:
    """``USUBJID``, ``analyte``, ``time`` (h), ``conc`` from PC (with EX) or ADPC; a DataError naming the
    columns when the table is neither."""
    if "PCTESTCD" in adpc.columns:
        if ex is None:
            raise DataError(
                "PK concentrations (PC) need the exposure table (EX) for the time of the first dose; give EX.",
                code="FIGURE-E002",
                field="EX",
            )
        profiles = derive_pk_profiles(adpc, ex, time="nominal")
        return profiles.rename(columns={"PCTESTCD": "analyte"})[["USUBJID", "analyte", "time", "conc"]]
    time_col = "NFRLT" if "NFRLT" in adpc.columns else "AFRLT"
    require_columns(adpc, ["USUBJID", "PARAMCD", "AVAL", time_col], name="ADPC",
                    hint="Give SDTM PC (with EX) or ADPC with PARAMCD, AVAL and NFRLT or AFRLT.")  # fmt: skip
    concentrations = pd.DataFrame(
        {
            "USUBJID": adpc["USUBJID"].to_numpy(),
            "analyte": adpc["PARAMCD"].astype(str).to_numpy(),
            "time": pd.to_numeric(adpc[time_col], errors="coerce").to_numpy(),
            "conc": pd.to_numeric(adpc["AVAL"], errors="coerce").to_numpy(),
        }
    )
    return concentrations.dropna(subset=["time", "conc"]).reset_index(drop=True)


def _unit(adpc: pd.DataFrame, analyte: str) -> str:
    for key, unit in (("PCTESTCD", "PCSTRESU"), ("PARAMCD", "AVALU")):
        if key in adpc.columns and unit in adpc.columns:
            units = adpc.loc[adpc[key].astype(str) == analyte, unit].dropna()
            return str(units.iloc[0]) if len(units) else ""
    return ""


def draw(data: ReportData) -> Figure | Note:
    """The first analyte's (alphabetically) concentration–time curves."""
    if data.adpc is None or data.adpc.empty:
        return Note("No PK concentrations (ADPC or PC): no concentration–time plot.")
    concentrations = derive_concentrations(data.adpc, data.ex)
    if concentrations.empty:
        return Note("No PK concentration with a time after dose (ADPC or PC): no concentration–time plot.")
    analyte = sorted(concentrations["analyte"].unique())[0]
    profiles = concentrations.loc[concentrations["analyte"] == analyte]
    return plot_pk_profiles(profiles, analyte=analyte, unit=_unit(data.adpc, analyte))
