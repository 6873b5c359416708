"""The trial report (issue 15): HTML and PDF of a 44-patient trial in two arms with crossover in under 10 s.

Builds the report of the test trial (``tests/report/conftest.py``: 44 patients, arms A and B, 6 crossed over)
with every table of ``TABLES`` and every figure of ``FIGURES`` as they are in this checkout, and times, after
one warm-up run (imports, font cache), 5 runs of: the report (tables and figures), the HTML file and figure
files, and the PDF. Prints each phase's median and the slowest total. Target: total under 10 s.

    python bench/bench_report.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from oncotrial.report.document import build_report, render_html, write_pdf, write_report
from oncotrial.report.figures import FIGURES

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository, for the tests' trial
from tests.report.conftest import build_trial

TARGET_S = 10.0
RUNS = 5


def _once(folder: Path) -> tuple[float, float, float]:
    data = build_trial()
    start = time.perf_counter()
    report = build_report(data)
    built = time.perf_counter()
    html = render_html(report)
    (folder / "report.html").write_text(html, encoding="utf-8")
    written = time.perf_counter()
    write_pdf(html, folder / "report.pdf")
    done = time.perf_counter()
    return built - start, written - built, done - written


def main() -> int:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        write_report(build_trial(), folder / "warm-up")
        runs = [_once(folder) for _ in range(RUNS)]
    totals = [sum(run) for run in runs]
    print(f"figures in FIGURES: {len(FIGURES)}; runs: {RUNS}")
    for index, phase in enumerate(("tables and figures", "HTML", "PDF")):
        print(f"{phase:>20}: median {statistics.median(r[index] for r in runs):.2f} s")
    print(
        f"{'total':>20}: median {statistics.median(totals):.2f} s, slowest {max(totals):.2f} s (target {TARGET_S:g} s)"
    )
    return 0 if max(totals) < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
