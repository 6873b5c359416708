"""The report's documents (``oncotrial.report.document``) for the 44-patient trial of ``conftest``: one
self-contained HTML holding every table and figure, whose numbers read back equal the analysis objects' (and the
hand counts); the PDF from the same HTML; figures as PNG and SVG; clear errors for a folder that cannot be
written and a machine without Pango."""

from __future__ import annotations

import builtins
import dataclasses
import os
import re
from pathlib import Path
from typing import Any

import pytest
from matplotlib.figure import Figure

from oncotrial.endpoints import derive_response_summary, derive_survival_summary
from oncotrial.errors import DataError
from oncotrial.report import Note, ReportData
from oncotrial.report.document import PANGO_PACKAGES, build_report, render_html, write_report
from oncotrial.report.figures import FigureSpec
from oncotrial.report.tables import TABLES
from tests.report.conftest import ARM_NAMES, DEATHS, RESPONDERS, read_html_tables
from tests.store.conftest import missing_server


def _bars(data: ReportData) -> Figure:
    """Patients per arm as bars (a figure drawn with the object API, as the report's figures are)."""
    figure = Figure(figsize=(4, 3))
    axes = figure.add_subplot()
    counts = data.adsl["ARM"].value_counts().sort_index()
    axes.bar(counts.index, counts.to_numpy())
    return figure


def _refused(data: ReportData) -> Figure:
    raise DataError("No lesion measurements (TR) for patient 001.", code="TEST-E001")


FIGURES = (
    FigureSpec("patients", "Patients per arm", _bars),
    FigureSpec("waterfall", "Waterfall plot", lambda data: Note("No lesion measurements (TR): no waterfall plot.")),
    FigureSpec("refused", "Refused figure", _refused),
)


@pytest.fixture(scope="module")
def html(trial: ReportData) -> str:
    return render_html(build_report(trial, figures=FIGURES))


def test_every_table_and_figure_is_in_the_html(html: str) -> None:
    tables = read_html_tables(html)
    assert list(tables) == [spec.name for spec in TABLES]
    for name in ("patients", "waterfall", "refused"):
        assert f'data-figure="{name}"' in html
    assert "No lesion measurements (TR): no waterfall plot." in html
    assert "Refused figure: not drawn, the data were refused: No lesion measurements (TR) for patient 001." in html
    assert html.count("<img ") == 1


def test_the_html_is_self_contained(html: str) -> None:
    """No external file or network: every image is inline (data: URI), no link, script or stylesheet file."""
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(s.startswith(("data:image/png;base64,", "#")) for s in sources)
    assert "<link" not in html
    assert "<script" not in html
    assert "http://" not in html
    assert "https://" not in html


def test_protocol_summary_and_design_are_in_the_html(html: str) -> None:
    assert "Randomised 1:1 between arms A and B, with crossover; 44 enrolled" in html
    assert "Arm B: SBRT + IL-2" in html
    assert "Inclusion criteria" in html


def test_response_numbers_read_back_equal_the_objects_and_the_hand_count(trial: ReportData, html: str) -> None:
    rows = read_html_tables(html)["response"]
    assert trial.adrs is not None
    summary = derive_response_summary(trial.adrs, param="CBOR", group_col="ARM")
    for arm, name in ARM_NAMES.items():
        orr = next(r for r in rows if r["Arm"][0] == name and r["Response"][0] == "ORR (CR + PR)")
        assert orr["n"][1] == RESPONDERS[arm]  # counted by hand from PATIENTS
        expected = summary.arms[name].orr
        assert (orr["Estimate"][1], orr["Lower"][1], orr["Upper"][1]) == (
            expected.estimate,
            expected.lower,
            expected.upper,
        )
        assert orr["Estimate"][0] == f"{expected.estimate:.1%}"


def test_survival_numbers_read_back_equal_the_kaplan_meier_objects(trial: ReportData, html: str) -> None:
    rows = read_html_tables(html)["time-to-event"]
    assert trial.adtte is not None
    summary = derive_survival_summary(trial.adtte, param="OS", group_col="ARM", landmarks=(365.25 / 2, 365.25))
    for arm, name in ARM_NAMES.items():
        km = summary.groups[name]
        median = next(
            r
            for r in rows
            if r["Parameter"][0] == "OS" and r["Group"][0] == name and r["Statistic"][0] == "Median (days)"
        )
        assert median["Events"][1] == DEATHS[arm] == km.events
        assert median["Estimate"][1] == km.median.estimate
        assert median["Lower"][1] == km.median.lower
        assert median["Upper"][1] == km.median.upper or (median["Upper"][1] is None and km.median.upper is None)
    assert summary.cox is not None
    hazard = next(r for r in rows if r["Parameter"][0] == "OS" and r["Statistic"][0] == "Hazard ratio (Cox)")
    assert hazard["Estimate"][1] == summary.cox.hr[0]


def test_write_report_writes_html_pdf_and_figures(trial: ReportData, tmp_path: Path) -> None:
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:
        missing_server(f"WeasyPrint cannot load Pango ({exc}); install {PANGO_PACKAGES}")
    files = write_report(trial, tmp_path / "out", figures=FIGURES)
    assert files.html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert files.pdf is not None
    assert files.pdf.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in files.figures) == ["patients.png", "patients.svg"]
    assert files.figures[0].read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in files.figures[1].read_bytes()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["figures", "report.html", "report.pdf"]


def test_without_pango_the_html_is_written_and_the_error_names_the_packages(
    trial: ReportData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_pango(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    with pytest.raises(DataError, match=re.escape(PANGO_PACKAGES)) as info:
        write_report(trial, tmp_path, figures=())
    assert info.value.code == "REPORT-E002"
    assert (tmp_path / "report.html").exists()
    assert not (tmp_path / "report.pdf").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_an_unwritable_folder_gives_a_clear_error_and_writes_nothing(trial: ReportData, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(DataError, match=r"Cannot write the report to .*locked") as info:
            write_report(trial, folder, pdf=False, figures=FIGURES)
        assert info.value.code == "REPORT-E001"
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_a_folder_path_that_is_a_file_gives_a_clear_error(trial: ReportData, tmp_path: Path) -> None:
    """--out naming an existing file: the folder cannot be made; the error names the path (any user, root too)."""
    target = tmp_path / "report"
    target.write_text("not a folder")
    with pytest.raises(DataError, match=r"Cannot write the report to .*report") as info:
        write_report(trial, target, pdf=False, figures=())
    assert info.value.file is not None
    assert "report" in info.value.file


def test_a_report_of_adsl_alone_has_notes_in_place_of_every_table(trial: ReportData) -> None:
    bare = dataclasses.replace(ReportData(adsl=trial.adsl[["USUBJID", "ARM"]]), title="Bare")
    html = render_html(build_report(bare, figures=()))
    assert read_html_tables(html) == {}
    assert html.count('class="note"') == len(TABLES) + 2  # every table, the protocol and the figures
