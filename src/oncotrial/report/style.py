"""The report's look: the Okabe–Ito palette (colour-blind safe), colours by response and by arm, and a figure
factory that never touches pyplot's global state.

Okabe M, Ito K. Color Universal Design (CUD): how to make figures and presentations that are friendly to
colorblind people. 2008 (https://jfly.uni-koeln.de/color/). Each figure is a ``matplotlib.figure.Figure`` with
its own Agg canvas: figures drawn at the same time in the web app's threads share nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = [
    "ARM_COLOURS",
    "DAYS_PER_MONTH",
    "GREY",
    "OKABE_ITO",
    "RESPONSE_COLOURS",
    "RESPONSE_ORDER",
    "arm_colours",
    "new_figure",
    "tidy_axes",
]

OKABE_ITO = MappingProxyType(
    {
        "black": "#000000",
        "orange": "#E69F00",
        "sky blue": "#56B4E9",
        "bluish green": "#009E73",
        "yellow": "#F0E442",
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "reddish purple": "#CC79A7",
    }
)
GREY = "#999999"

# Best overall response, best first (RECIST 1.1 categories; NON-CR/NON-PD for patients without target disease).
RESPONSE_ORDER = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING")
RESPONSE_COLOURS = MappingProxyType(
    {
        "CR": OKABE_ITO["blue"],
        "PR": OKABE_ITO["sky blue"],
        "SD": OKABE_ITO["bluish green"],
        "NON-CR/NON-PD": OKABE_ITO["yellow"],
        "PD": OKABE_ITO["vermillion"],
        "NE": GREY,
        "MISSING": "#DDDDDD",
    }
)
ARM_COLOURS = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish green"],
    OKABE_ITO["reddish purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky blue"],
)
DAYS_PER_MONTH = 30.4375  # 365.25 / 12, the month of survival plots (survminer, SAS PROC LIFETEST)


def arm_colours(arms: Iterable[str]) -> dict[str, str]:
    """One palette colour per arm, in the order given (the palette repeats after six arms)."""
    return {arm: ARM_COLOURS[i % len(ARM_COLOURS)] for i, arm in enumerate(dict.fromkeys(arms))}


def new_figure(width: float, height: float) -> Figure:
    """A figure of ``width`` x ``height`` inches with its own Agg canvas (PNG and SVG through ``savefig``)."""
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def tidy_axes(ax: Axes) -> None:
    """Publication style: no top and right frame, ticks outwards, labels at 10 pt."""
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(direction="out", labelsize=9)
    ax.xaxis.label.set_fontsize(10)
    ax.yaxis.label.set_fontsize(10)
