"""Trial report: figures, tables and documents (HTML, PDF) from a trial's analysis data.

No statistics are computed here: numbers come from ``oncotrial.endpoints``, ``oncotrial.recist``,
``oncotrial.design``, ``oncotrial.pk`` and ``oncotrial.safety``; this package lays them out.
The input of every figure and table is one :class:`ReportData`.
"""

from oncotrial.report.data import Note, ReportData

__all__ = ["Note", "ReportData"]
