"""The report's figures (matplotlib): each is a function of :class:`~oncotrial.report.ReportData` that returns a
``matplotlib.figure.Figure``, or a :class:`~oncotrial.report.Note` when its data is missing.

``FIGURES`` lists them in the order the report shows them; the document builder reads only this list. Each kind
has its module with a keyword-level function for direct use (``plot_kaplan_meier(fits, times=...)``,
``plot_waterfall(best)``, ``plot_swimmer(...)``, ``plot_spider(sizes, groups)``, ``plot_biomarker(samples, ...)``,
``plot_pk_profiles(profiles, ...)``, ``plot_consort(flow)``) that its ``draw`` wraps. Missing data gives a
:class:`~oncotrial.report.Note`; a table without a column a figure needs gives a ``DataError`` naming both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from oncotrial.report.data import Note, ReportData

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FIGURES", "FigureSpec"]


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the report: a short name (file stem, anchor), its caption, and the function drawing it."""

    name: str
    caption: str
    draw: Callable[[ReportData], Figure | Note]


# imported here, after FigureSpec: the figure modules import this package's helpers
from oncotrial.report.figures import biomarker, consort, kaplan_meier, pk, spider, swimmer, waterfall  # noqa: E402

FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("consort", "Flow of participants through the trial (CONSORT).", consort.draw),
    FigureSpec(
        "km_pfs",
        "Progression-free survival by arm (Kaplan–Meier, 95 % log intervals), with the numbers at risk.",
        kaplan_meier.draw_pfs,
    ),
    FigureSpec(
        "km_os",
        "Overall survival by arm (Kaplan–Meier, 95 % log intervals), with the numbers at risk.",
        kaplan_meier.draw_os,
    ),
    FigureSpec(
        "waterfall",
        "Best change from baseline in the sum of target-lesion diameters per patient, by best overall response; "
        "dashed lines at −30 % (partial response) and +20 % (progression), RECIST 1.1.",
        waterfall.draw,
    ),
    FigureSpec(
        "spider",
        "Change from baseline in the sum of target-lesion diameters over time, one line per patient, by arm.",
        spider.draw,
    ),
    FigureSpec(
        "swimmer",
        "Each patient's time on study from the first dose: doses, doses held, responses, progression, crossover; "
        "an arrow marks a patient still on study.",
        swimmer.draw,
    ),
    FigureSpec("biomarker", "Serum IFN-γ by patient and its median, by days since the first dose.", biomarker.draw),
    FigureSpec("pk", "Concentration–time curves per patient, linear and log scale.", pk.draw),
)
