"""Benchmark: the floor under the SDTM import's time on SQLite — writing the rows alone.

The import (``bench_store_import.py``) writes every record and its audit entry. This script takes the database
that import made (``DIR/bench.db``) and writes the same rows again into a fresh database (the schema of
``oncotrial db init``, the same settings: WAL, ``synchronous=FULL``, foreign keys on), table by table in
dependency order, through ``sqlite3``'s ``executemany`` in chunks of 100,000 rows read beforehand, in one
transaction. Only the ``executemany`` calls and the commit are timed: no checks, no JSON, no hashing, no
Python per row. What the import spends above this figure is its own work; no import that writes these rows
with ``sqlite3`` in one thread can be faster.

Run: ``python bench/bench_store_floor.py [DIR]`` after ``bench_store_import.py`` (DIR defaults to
/tmp/oncotrial-bench-store).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path

CHUNK = 100_000


def main(argv: list[str]) -> None:
    from oncotrial.store import open_store
    from oncotrial.store.migrate import init_schema
    from oncotrial.store.models import Base

    directory = Path(argv[0]) if argv else Path("/tmp/oncotrial-bench-store")
    source_path, target_path = directory / "bench.db", directory / "floor.db"
    for path in directory.glob("floor.db*"):
        path.unlink()
    store = open_store(f"sqlite:///{target_path}", check_schema=False)
    init_schema(store)
    store.dispose()
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(target_path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
        target.execute(f"PRAGMA {pragma}")
    print(f"load average {os.getloadavg()[0]:.1f}")
    target.execute("BEGIN IMMEDIATE")
    target.execute("DELETE FROM audit_head")  # what init_schema wrote, if anything
    spent, total = 0.0, 0
    for table in Base.metadata.sorted_tables:
        name = table.name
        if name == "alembic_version":
            continue
        columns = ", ".join(f'"{c.name}"' for c in table.columns)
        sql = f'INSERT INTO "{name}" ({columns}) VALUES ({", ".join("?" * len(table.columns))})'
        cursor = source.execute(f'SELECT {columns} FROM "{name}"')
        rows, seconds = 0, 0.0
        while chunk := cursor.fetchmany(CHUNK):
            start = time.perf_counter()
            target.executemany(sql, chunk)
            seconds += time.perf_counter() - start
            rows += len(chunk)
        spent, total = spent + seconds, total + rows
        if rows >= 10_000:
            print(f"{name:20s} {rows:>10,d} rows {seconds:6.1f} s")
    start = time.perf_counter()
    target.execute("COMMIT")
    commit = time.perf_counter() - start
    size = sum(p.stat().st_size for p in directory.glob("floor.db*")) / 1e9
    print(
        f"all tables {total:>10,d} rows: executemany {spent:.1f} s + commit {commit:.1f} s = {spent + commit:.1f} s; {size:.2f} GB"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
