"""The report's figures (matplotlib): each is a function of :class:`~oncotrial.report.ReportData` that returns a
``matplotlib.figure.Figure``, or a :class:`~oncotrial.report.Note` when its data is missing.

``FIGURES`` lists them in the order the report shows them; the document builder reads only this list.
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


FIGURES: tuple[FigureSpec, ...] = ()
