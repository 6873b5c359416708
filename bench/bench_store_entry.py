"""Benchmark: batch entry into the trial database, ``record_lab_results`` on pharmaverse's LB (59,580 rows).

Builds a fresh database (SQLite in a temporary folder, or the PostgreSQL database given with ``--pg URL``):
trial CDISCPILOT01 without a protocol (imported data), its sites and its 306 DM patients, enrolled by a
statistician. Then it maps ``tests/reference/pharmaverse/sdtm/lb.csv.gz`` to lab-result rows (LBTESTCD,
LBTEST, LBCAT, LBSTRESN or LBSTRESC, LBSTRESU, LBSTNRLO/HI, LBDTC, VISIT, VISITNUM, LBBLFL) and times one
``record_lab_results`` call in one transaction (every row checked, then one audited bulk insert), the
commit included. Reports the median of RUNS runs (a fresh database each), the split between the checks and
the write, and whether ``verify_chain`` passes afterwards. Target (issue 12's import: 4.5 million rows in
60 s): 60,000 lab rows in a few seconds on SQLite.

Run: ``python bench/bench_store_entry.py [RUNS] [--pg URL]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import text

from oncotrial.store import Store, open_store, verify_chain
from oncotrial.store.migrate import init_schema
from oncotrial.store.services import (
    _batch,
    actor_for,
    record_lab_results,
)

SDTM = Path(__file__).resolve().parents[1] / "tests" / "reference" / "pharmaverse" / "sdtm"
sys.path.insert(0, str(SDTM.parents[3]))  # the repository, for the tests' setup of the same trial

from tests.store.test_pharmaverse_rows import load_pharmaverse_patients  # noqa: E402

TRIAL = "CDISCPILOT01"


def _lab_rows() -> list[dict[str, Any]]:
    lb = pd.read_csv(SDTM / "lb.csv.gz", dtype={"LBSTRESC": str, "LBSTRESU": str})
    lb = lb.astype(object).where(lb.notna(), None)
    return [
        {
            "subject_id": r.USUBJID,
            "test_code": r.LBTESTCD,
            "test_name": r.LBTEST,
            "category": r.LBCAT,
            "value": r.LBSTRESN,
            "value_text": r.LBSTRESC if r.LBSTRESN is None else None,
            "unit": r.LBSTRESU,
            "normal_low": r.LBSTNRLO,
            "normal_high": r.LBSTNRHI,
            "collected_at": r.LBDTC,
            "visit": r.VISIT,
            "visit_number": r.VISITNUM,
            "baseline": r.LBBLFL == "Y",
        }
        for r in lb.itertuples(index=False)
    ]


def _fresh(pg_url: str | None, folder: Path, run: int) -> Store:
    if pg_url is None:
        store = open_store(f"sqlite:///{folder / f'bench{run}.db'}", check_schema=False)
    else:
        store = open_store(pg_url, check_schema=False)
        with store.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    init_schema(store)
    load_pharmaverse_patients(store)
    return store


def _one_run(store: Store, rows: list[dict[str, Any]]) -> tuple[float, float]:
    """(seconds for the whole call with its commit, seconds in ``insert_audited_columns``)."""
    written: list[float] = []
    original = _batch.insert_audited_columns

    def timed(*args: Any, **kwargs: Any) -> list[int]:
        start = time.perf_counter()
        ids = original(*args, **kwargs)
        written.append(time.perf_counter() - start)
        return ids

    _batch.insert_audited_columns = timed  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        with store.write() as session:
            ids = record_lab_results(session, actor_for(session, "stat"), TRIAL, rows)
        total = time.perf_counter() - start
    finally:
        _batch.insert_audited_columns = original  # type: ignore[assignment]
    assert len(ids) == len(rows)
    return total, written[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="?", type=int, default=3)
    parser.add_argument("--pg", help="a PostgreSQL URL of a database this script may empty")
    args = parser.parse_args()
    rows = _lab_rows()
    totals, writes = [], []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            store = _fresh(args.pg, Path(folder), run)
            total, write = _one_run(store, rows)
            totals.append(total)
            writes.append(write)
            if run == args.runs - 1:
                with store.read() as session:
                    print(verify_chain(session))
            store.dispose()
    backend = "PostgreSQL" if args.pg else "SQLite"
    total, write = statistics.median(totals), statistics.median(writes)
    print(
        f"{backend}: record_lab_results of {len(rows):,} rows: {total:.2f} s median of {args.runs} "
        f"(insert_audited {write:.2f} s; checks and commit {total - write:.2f} s); runs: "
        + ", ".join(f"{t:.2f}" for t in totals)
    )


if __name__ == "__main__":
    main()
