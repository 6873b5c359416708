"""Trial report: figures, tables and documents (HTML, PDF) from a trial's analysis data.

No statistics are computed here: numbers come from ``oncotrial.endpoints``, ``oncotrial.recist``,
``oncotrial.design``, ``oncotrial.pk`` and ``oncotrial.safety``; this package lays them out.
The input of every figure and table is one :class:`ReportData`: :func:`read_report_data` reads it from files,
:func:`report_data_from_store` from the trial database; :func:`write_report` writes the HTML, the PDF and the
figures; :func:`derive_ctgov_results` gives the ClinicalTrials.gov results record. The names are imported on
first use (PEP 562), so a command's start-up does not pay for matplotlib or WeasyPrint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oncotrial._lazy import lazy_attributes

if TYPE_CHECKING:
    from oncotrial.report.ctgov import derive_ctgov_results
    from oncotrial.report.data import Note, ReportData
    from oncotrial.report.document import Report, ReportFiles, build_report, render_html, write_report
    from oncotrial.report.sources import read_report_data, report_data_from_store

_WHERE = {
    "Note": "oncotrial.report.data",
    "Report": "oncotrial.report.document",
    "ReportData": "oncotrial.report.data",
    "ReportFiles": "oncotrial.report.document",
    "build_report": "oncotrial.report.document",
    "derive_ctgov_results": "oncotrial.report.ctgov",
    "read_report_data": "oncotrial.report.sources",
    "render_html": "oncotrial.report.document",
    "report_data_from_store": "oncotrial.report.sources",
    "write_report": "oncotrial.report.document",
}

__all__ = [
    "Note",
    "Report",
    "ReportData",
    "ReportFiles",
    "build_report",
    "derive_ctgov_results",
    "read_report_data",
    "render_html",
    "report_data_from_store",
    "write_report",
]

__getattr__, __dir__ = lazy_attributes(globals(), _WHERE)
