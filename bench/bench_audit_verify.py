"""Benchmark: what the web app's audit trail check costs (``verify_audit_trail``, the page ``/audit/verify``).

Builds the database of ``bench_store_entry.py`` (CDISCPILOT01's 306 patients, then pharmaverse's 59,580 LB rows
through ``record_lab_results``: about 60,000 audit entries and records), then times ``verify_audit_trail`` as the
monitor would run it (the walk of the SHA-256 chain, then every audited table against its records' last
entries). Reports the median of RUNS checks on the same database.

Run: ``PYTHONPATH=src python bench/bench_audit_verify.py [RUNS] [--pg URL]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench_store_entry import _fresh, _lab_rows  # the same database as the entry benchmark

from oncotrial.store import verify_chain
from oncotrial.store.services import actor_for, record_lab_results, verify_audit_trail

TRIAL = "CDISCPILOT01"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="?", type=int, default=3)
    parser.add_argument("--pg", help="a PostgreSQL URL of a database this script may empty")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = _fresh(args.pg, Path(folder), 0)
        with store.write() as session:
            record_lab_results(session, actor_for(session, "stat"), TRIAL, _lab_rows())
        with store.read() as session:
            first = verify_chain(session)
        assert first.ok, first
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            with store.read() as session:
                report = verify_audit_trail(session, actor_for(session, "stat"))
            times.append(time.perf_counter() - start)
        store.dispose()
    backend = "PostgreSQL" if args.pg else "SQLite"
    print(
        f"{backend}: verify_audit_trail of {report.entries:,} entries and {report.records:,} records: "
        f"{statistics.median(times):.2f} s median of {args.runs} (runs: {', '.join(f'{t:.2f}' for t in times)})"
    )


if __name__ == "__main__":
    main()
