"""``print_table`` (``oncotrial.cli.common``): a table is never cut, whatever the console's width.

Rendered on a rich ``Console(width=..., file=io.StringIO())``. The calendar is NCT01416831 arm B for patient 21,
70 kg, from Monday 2026-11-23 (shared/seeds/003_67a03df4dd7948a4.txt): SBRT 20 Gy on Wed 2026-11-18 and Fri
2026-11-20, then 28 IL-2 doses of 600,000 IU/kg x 70 kg = 42,000,000 IU, cycle 2 from Mon 2026-12-14.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from rich.console import Console

from oncotrial.cli.common import fit_column_widths, print_table
from oncotrial.cli.schedule import print_calendar
from oncotrial.dosing import Patient, build_dosing_calendar
from oncotrial.protocol import load_builtin_protocol

IL2_DAYS = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"]
CYCLE2_DAYS = ["2026-12-14", "2026-12-15", "2026-12-16", "2026-12-17", "2026-12-18"]


def _render(width: int, draw) -> str:
    console = Console(width=width, file=io.StringIO())
    draw(console)
    text = console.file.getvalue()
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= width
    return text


@pytest.fixture(scope="module")
def calendar():
    protocol = load_builtin_protocol("NCT01416831")
    patient = Patient(weight_kg=70, patient_number=21, subject_id="SUBJ-0021")
    return build_dosing_calendar(protocol, "B", patient, date(2026, 11, 23))


@pytest.mark.parametrize("width", [80, 60, 40, 200])
def test_calendar_dates_and_doses_are_whole_at_any_width(calendar, width: int) -> None:
    text = _render(width, lambda console: print_calendar(calendar, calendar, console=console))
    dates = re.findall(r"\b\d{4}-\d{2}-\d{2}\b", text)
    # every administration's date appears whole: 2 SBRT fractions, then IL-2 every 8 h on each day from Monday to Friday
    assert dates[:2] == ["2026-11-18", "2026-11-20"]
    assert sorted(set(dates[2:])) == IL2_DAYS + CYCLE2_DAYS
    assert len(dates) == 30
    assert text.count("42,000,000") == 28
    assert text.count("20 Gy") == 2
    assert "NCT01416831 arm B, subject SUBJ-0021" in text


def test_at_80_columns_the_calendar_is_a_table(calendar) -> None:
    text = _render(80, lambda console: print_calendar(calendar, calendar, console=console))
    header = next(line for line in text.splitlines() if line.startswith("date"))
    assert re.split(r"\s*│\s*", header.strip()) == [
        "date", "time", "cycle", "day", "#", "agent", "dose", "route", "status",
    ]  # fmt: skip


def test_too_narrow_for_a_table_gives_one_block_per_record(calendar) -> None:
    """At 40 columns the longest words of the nine columns cannot sit side by side."""
    text = _render(40, lambda console: print_calendar(calendar, calendar, console=console))
    assert "date:   Wed 2026-11-18" in text
    assert "dose:   42,000,000 IU" in text
    assert "route:  external beam radiotherapy" in text


def test_other_commands_tables_print_through_it() -> None:
    """Any rows of text: a cell longer than the width is wrapped between words, never cut."""
    reason = "ast-alt: ast 135 U/L = 3.38 x limit 40; alt 61 U/L = 1.52 x limit 40 (exclusion: AST/ALT > 3 x ULN)"
    rows = [["DEMO-002", "ineligible", reason]]
    text = _render(
        50, lambda console: print_table("Screening", ("patient", "status", "reasons"), rows, console=console)
    )
    assert " ".join(re.sub(r"[│─┼]", " ", text).split()).endswith(
        "DEMO-002 ineligible ast-alt: ast 135 U/L = 3.38 x limit 40; alt 61 U/L = 1.52 x limit 40 (exclusion: "
        "AST/ALT > 3 x ULN)"
    )


@pytest.mark.parametrize(
    ("minimums", "wanted", "available", "expected"),
    [
        pytest.param([4, 3], [10, 5], 20, [10, 5], id="all_fit"),
        pytest.param([4, 3], [10, 5], 10, [5, 5], id="smallest_want_first"),
        pytest.param([4, 3], [10, 5], 7, [4, 3], id="only_minimums"),
        pytest.param([4, 3], [10, 5], 6, None, id="too_narrow"),
    ],
)
def test_fit_column_widths(minimums, wanted, available, expected) -> None:
    """Worked by hand: at 10 cells, the minimums take 7; the column wanting 2 more gets them, the other 1 more."""
    assert fit_column_widths(minimums, wanted, available) == expected


def test_brackets_in_a_cell_are_printed_as_written() -> None:
    rows = [["DEMO-002", "held (grade 3 [/b] hypotension [G3])"]]
    text = _render(80, lambda console: print_table("Doses", ("patient", "status"), rows, console=console))
    assert "held (grade 3 [/b] hypotension [G3])" in text
