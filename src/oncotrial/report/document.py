"""The report as documents: one self-contained HTML file and the same as PDF, with the figures as files.

:func:`build_report` runs every table of :data:`~oncotrial.report.tables.TABLES` and every figure of
:data:`~oncotrial.report.figures.FIGURES` on one :class:`~oncotrial.report.ReportData` (a figure or table
whose data are missing or refused is a :class:`~oncotrial.report.Note` in its place); :func:`render_html`
lays the result out with the package's Jinja2 template (CSS inline, figures embedded as base64 PNG: no
external file, no network); :func:`write_report` writes ``report.html``, ``report.pdf`` (WeasyPrint, from
the same HTML) and ``figures/<name>.png`` and ``.svg`` into a folder, each file whole or not at all.

Every number of a table is written with its full-precision value in ``data-value`` (and its column in
``data-column``), so a reader can check the HTML against the analysis objects.
"""

from __future__ import annotations

import base64
import io
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncotrial._writing import replace_atomically, write_text_atomically
from oncotrial.errors import DataError
from oncotrial.report.data import Note, ReportData, analysis_population
from oncotrial.report.figures import FIGURES, FigureSpec
from oncotrial.report.tables import TABLES, ReportTable, TableSpec

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["PANGO_PACKAGES", "Report", "ReportFiles", "build_report", "render_html", "write_report"]

PANGO_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0"
"""The Debian packages WeasyPrint needs (Pango) to write a PDF."""

PNG_DPI = 150


@dataclass(frozen=True)
class Report:
    """What the documents show: the title, the protocol in words, and each table and figure (or its note)."""

    title: str
    protocol: tuple[tuple[str, tuple[str, ...]], ...]
    design: str | None
    tables: tuple[tuple[TableSpec, ReportTable | Note], ...]
    figures: tuple[tuple[FigureSpec, Figure | Note], ...]


@dataclass(frozen=True)
class ReportFiles:
    """The files written: the HTML, the PDF (None when not asked for) and each figure's PNG and SVG."""

    html: Path
    pdf: Path | None
    figures: tuple[Path, ...]


def _draw(spec: FigureSpec, data: ReportData) -> Figure | Note:
    try:
        return spec.draw(data)
    except DataError as exc:  # the core refused the data: the report says so in the figure's place
        return Note(f"{spec.caption}: not drawn, the data were refused: {exc.message}")


def build_report(
    data: ReportData, *, tables: Sequence[TableSpec] = TABLES, figures: Sequence[FigureSpec] | None = None
) -> Report:
    """Every table and figure of the report for ``data`` (``figures`` defaults to ``FIGURES`` as it is now)."""
    from oncotrial.protocol import describe_design, describe_protocol

    data = analysis_population(data)  # the patients assigned an arm; the people screened are in data.screening
    protocol = data.protocol
    sections = tuple((title, tuple(lines)) for title, lines in describe_protocol(protocol)) if protocol else ()
    title = data.title or (f"{protocol.id}: {protocol.title}" if protocol else "Trial report")
    return Report(
        title=title,
        protocol=sections,
        design=describe_design(protocol.design) if protocol else None,
        tables=tuple((spec, spec.build(data)) for spec in tables),
        figures=tuple((spec, _draw(spec, data)) for spec in (FIGURES if figures is None else figures)),
    )


# --- HTML ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    column: str
    text: str
    value: str | None  # data-value: the number at full precision; None for text


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _cell(column: str, value: Any, spec: str | None) -> _Cell:
    if value is None or (_is_number(value) and not math.isfinite(float(value))):
        return _Cell(column, "–" if spec else "", "" if spec else None)
    if not _is_number(value):
        return _Cell(column, str(value), None)
    number = float(value)
    if spec is None:
        return _Cell(column, f"{number:g}", repr(number))
    if spec.endswith("d"):
        return _Cell(column, format(round(number), spec), repr(number))
    return _Cell(column, format(number, spec), repr(number))


def _rows(table: ReportTable) -> list[list[_Cell]]:
    columns = [str(c) for c in table.frame.columns]
    records = table.frame.astype(object).where(table.frame.notna(), None).itertuples(index=False, name=None)
    return [[_cell(c, v, table.formats.get(c)) for c, v in zip(columns, row, strict=True)] for row in records]


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=PNG_DPI, bbox_inches="tight")
    return buffer.getvalue()


def render_html(report: Report, images: Mapping[str, bytes] | None = None) -> str:
    """The report as one HTML document (Jinja2 template ``templates/report.html``, CSS inline).

    ``images`` gives the PNG of each figure by name; a figure missing from it is rendered here.
    """
    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(loader=PackageLoader("oncotrial.report", "templates"), autoescape=select_autoescape())
    images = dict(images or {})
    tables = [
        {"spec": spec, "note": result.text if isinstance(result, Note) else None,
         "columns": [] if isinstance(result, Note) else [str(c) for c in result.frame.columns],
         "rows": [] if isinstance(result, Note) else _rows(result), "table": None if isinstance(result, Note) else result}
        for spec, result in report.tables
    ]  # fmt: skip
    figures = []
    for spec, result in report.figures:
        if isinstance(result, Note):
            figures.append({"spec": spec, "note": result.text, "src": None})
            continue
        png = images.get(spec.name) or _png(result)
        figures.append({"spec": spec, "note": None, "src": "data:image/png;base64," + base64.b64encode(png).decode()})
    template = environment.get_template("report.html")
    return template.render(report=report, tables=tables, figures=figures)


# --- files ---------------------------------------------------------------------------------------------------


def _unwritable(path: Path, exc: OSError) -> DataError:
    return DataError(
        f"Cannot write the report to {path}: {exc.strerror or exc}. Choose a folder you may write to (--out).",
        code="REPORT-E001",
        field="out",
        file=str(path),
    )


def _write_bytes(path: Path, content: bytes) -> None:
    with replace_atomically(path) as temporary:
        temporary.write_bytes(content)


def _write_figures(report: Report, folder: Path) -> tuple[dict[str, bytes], list[Path]]:
    images: dict[str, bytes] = {}
    written: list[Path] = []
    drawn = [(spec, result) for spec, result in report.figures if not isinstance(result, Note)]
    if drawn:
        folder.mkdir(parents=True, exist_ok=True)
    for spec, figure in drawn:
        images[spec.name] = _png(figure)
        svg = io.BytesIO()
        figure.savefig(svg, format="svg", bbox_inches="tight")
        for suffix, content in ((".png", images[spec.name]), (".svg", svg.getvalue())):
            _write_bytes(folder / f"{spec.name}{suffix}", content)
            written.append(folder / f"{spec.name}{suffix}")
    return images, written


def write_pdf(html: str, path: Path) -> None:
    """``html`` as a PDF at ``path`` (WeasyPrint, imported here: it loads Pango).

    Raises
    ------
    DataError
        WeasyPrint cannot load Pango (REPORT-E002: the message names the Debian packages) or the file cannot be
        written (REPORT-E001).
    """
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except OSError as exc:  # cffi could not load Pango's shared libraries
        raise DataError(
            f"The PDF cannot be made: WeasyPrint needs the Pango libraries ({exc}). Install them (Debian: apt-get "
            f"install {PANGO_PACKAGES}) or leave the PDF out (--no-pdf); the HTML report is written.",
            code="REPORT-E002",
            field="pdf",
            file=str(path),
        ) from exc
    document = HTML(string=html).render()
    try:
        with replace_atomically(path) as temporary:
            document.write_pdf(temporary)
    except OSError as exc:
        raise _unwritable(path, exc) from exc


def write_report(
    data: ReportData, out: Path, *, pdf: bool = True, figures: Sequence[FigureSpec] | None = None
) -> ReportFiles:
    """Write ``report.html``, ``report.pdf`` (unless ``pdf`` is False) and ``figures/<name>.png|.svg`` into ``out``.

    The HTML is written before the PDF, so a machine without Pango still gets it (and a clear error).

    Raises
    ------
    DataError
        ``out`` cannot be created or written (REPORT-E001, naming the path), or WeasyPrint cannot load Pango
        (REPORT-E002).
    """
    out = Path(out)
    report = build_report(data, figures=figures)
    html_path = out / "report.html"
    try:
        out.mkdir(parents=True, exist_ok=True)
        images, written = _write_figures(report, out / "figures")
        html = render_html(report, images)
        write_text_atomically(html_path, html)
    except OSError as exc:
        raise _unwritable(Path(exc.filename) if exc.filename else out, exc) from exc
    pdf_path = out / "report.pdf" if pdf else None
    if pdf_path is not None:
        write_pdf(html, pdf_path)
    return ReportFiles(html_path, pdf_path, tuple(written))
