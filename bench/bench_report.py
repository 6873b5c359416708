"""The trial report (issue 15): HTML and PDF of a 44-patient trial in two arms with crossover in under 10 s.

Builds the report of the test trial (``tests/report/conftest.py``: 44 patients, arms A and B, 6 crossed over)
with every table of ``TABLES`` and every figure of ``FIGURES`` as they are in this checkout, and times, after
one warm-up run (imports, font cache), 5 runs of: the report (tables and figures), the HTML file and figure
files, and the PDF. Prints each phase's median and the slowest total. Target: total under 10 s.

    python bench/bench_report.py [RUNS]

Wall time depends on what else the machine runs; CPU time (the process's own) is printed beside it.
"""

from __future__ import annotations

import itertools
import os
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
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _once(folder: Path) -> list[tuple[float, float]]:
    """Wall and CPU seconds of each phase (CPU time: what the phase costs on a machine nothing else loads)."""
    data = build_trial()
    marks = [_clock()]
    report = build_report(data)
    marks.append(_clock())
    html = render_html(report)
    (folder / "report.html").write_text(html, encoding="utf-8")
    marks.append(_clock())
    write_pdf(html, folder / "report.pdf")
    marks.append(_clock())
    return [(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(marks)]


def main() -> int:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        write_report(build_trial(), folder / "warm-up")
        runs = [_once(folder) for _ in range(RUNS)]
    walls = [sum(wall for wall, _ in run) for run in runs]
    cpus = [sum(cpu for _, cpu in run) for run in runs]
    print(f"figures in FIGURES: {len(FIGURES)}; runs: {RUNS}; load average: {os.getloadavg()[0]:.1f}")
    for index, phase in enumerate(("tables and figures", "HTML", "PDF")):
        wall = statistics.median(r[index][0] for r in runs)
        cpu = statistics.median(r[index][1] for r in runs)
        print(f"{phase:>20}: median {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(
        f"{'total':>20}: median {statistics.median(walls):.2f} s wall ({statistics.median(cpus):.2f} s CPU), "
        f"slowest {max(walls):.2f} s wall (target {TARGET_S:g} s)"
    )
    return 0 if max(walls) < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
