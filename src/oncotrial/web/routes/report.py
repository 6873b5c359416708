"""The trial's report in the app: a page that lists what the report holds (each table and figure, or the note
saying why it is missing) and offers the self-contained HTML and the PDF, built from the trial database as
``oncotrial report --db`` builds them; and the JSON twin of its tables. Building needs the ``export``
permission (the statistician's): ``report_data_from_store`` checks it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from oncotrial.report import Note
from oncotrial.web.routes._common import StoreDep, plain, render
from oncotrial.web.security import Auth, CurrentAuth

if TYPE_CHECKING:
    from oncotrial.report.document import Report

__all__ = ["api", "pages"]

pages = APIRouter(tags=["pages: report"])
api = APIRouter(tags=["report"])

REPORT = "/trials/{trial}/report"


def _report(store: StoreDep, auth: Auth, trial: str) -> Report:
    # imported here, not with the app: the report brings matplotlib (about 1 s), which no other page needs
    from oncotrial.report.document import build_report
    from oncotrial.report.sources import report_data_from_store

    with store.read() as session:
        data = report_data_from_store(session, auth.actor, trial)
    return build_report(data)


@pages.get(REPORT, response_class=HTMLResponse, summary="The trial's report: its contents and the documents")
def report_page(request: Request, auth: CurrentAuth, store: StoreDep, trial: str) -> HTMLResponse:
    report = _report(store, auth, trial)
    items = [
        {"kind": kind, "caption": spec.caption, "note": result.text if isinstance(result, Note) else None}
        for kind, entries in (("Table", report.tables), ("Figure", report.figures))
        for spec, result in entries
    ]
    context = {"actor": auth.actor, "trial": trial, "title": report.title, "items": items}
    return render(request, "report.html", context)


@pages.get(REPORT + "/report.html", response_class=HTMLResponse, summary="The report as one HTML document")
def report_html(auth: CurrentAuth, store: StoreDep, trial: str) -> HTMLResponse:
    from oncotrial.report.document import render_html

    html = render_html(_report(store, auth, trial))
    return HTMLResponse(html, headers={"Content-Disposition": f'inline; filename="{trial}-report.html"'})


@pages.get(REPORT + "/report.pdf", summary="The report as PDF")
def report_pdf(auth: CurrentAuth, store: StoreDep, trial: str) -> Response:
    from oncotrial.report.document import render_html, write_pdf

    html = render_html(_report(store, auth, trial))
    with tempfile.TemporaryDirectory(prefix="oncotrial-report-") as folder:
        path = Path(folder) / "report.pdf"
        write_pdf(html, path)  # a machine without Pango: a DataError naming the packages (400)
        content = path.read_bytes()
    headers = {"Content-Disposition": f'attachment; filename="{trial}-report.pdf"'}
    return Response(content, media_type="application/pdf", headers=headers)


@api.get(REPORT, summary="The report's tables (numbers at full precision, with their method) and figure notes")
def report_tables(auth: CurrentAuth, store: StoreDep, trial: str) -> dict[str, Any]:
    report = _report(store, auth, trial)
    tables = [
        {"name": spec.name, "caption": spec.caption, "note": result.text}
        if isinstance(result, Note)
        else {
            "name": spec.name,
            "caption": spec.caption,
            "method": result.method,
            "footnotes": list(result.footnotes),
            "columns": [str(c) for c in result.frame.columns],
            "rows": plain(result.frame.astype(object).where(result.frame.notna(), None).values.tolist()),
        }
        for spec, result in report.tables
    ]
    figures = [
        {"name": spec.name, "caption": spec.caption, "note": result.text if isinstance(result, Note) else None}
        for spec, result in report.figures
    ]
    return {"title": report.title, "tables": tables, "figures": figures}
