"""The list the document builder reads (``oncotrial.report.figures.FIGURES``): every figure of the small trial
draws and is written as PNG and SVG; with ADSL alone each figure without its data gives a note, never an error."""

from __future__ import annotations

import io

import pytest
from matplotlib.figure import Figure

from oncotrial.report import Note, ReportData
from oncotrial.report.figures import FIGURES


def test_the_figures_in_the_reports_order():
    assert [spec.name for spec in FIGURES] == [
        "consort",
        "km_pfs",
        "km_os",
        "waterfall",
        "spider",
        "swimmer",
        "biomarker",
        "pk",
    ]
    assert all(spec.caption.endswith(".") for spec in FIGURES)


@pytest.mark.parametrize("spec", FIGURES, ids=[spec.name for spec in FIGURES])
def test_each_figure_is_written_as_png_and_svg(spec, trial: ReportData):
    figure = spec.draw(trial)
    assert isinstance(figure, Figure)
    png, svg = io.BytesIO(), io.BytesIO()
    figure.savefig(png, format="png")
    figure.savefig(svg, format="svg")
    assert png.getvalue().startswith(b"\x89PNG")
    assert len(png.getvalue()) > 5000
    assert b"<svg" in svg.getvalue()
    assert len(svg.getvalue()) > 5000


@pytest.mark.parametrize("spec", FIGURES, ids=[spec.name for spec in FIGURES])
def test_adsl_alone_gives_notes_for_the_figures_that_need_more(spec, bare_trial: ReportData):
    drawn = spec.draw(bare_trial)
    if spec.name in ("consort", "swimmer"):  # drawn from ADSL alone
        assert isinstance(drawn, Figure)
    else:
        assert isinstance(drawn, Note)
        assert drawn.text.startswith("No ")
