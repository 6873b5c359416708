"""Benchmark: importing 10,000 patients into the trial database, then exporting ADRS and ADTTE from it.

Data (made here, written once to ``DIR`` and reused): the pharmaverse SDTM set of tests/reference/pharmaverse
(DM, DS, EX, AE, LB, PC, TU, TR, RS: 306 subjects) replicated ``COPIES`` times (default 33: 10,098 patients),
copy ``k`` with the subject ids ``Rkk-<USUBJID>``, as Parquet files named as the import reads them.

Each step runs in a child process, so that its peak memory is its own (the child's maximum resident set size,
``resource.getrusage(RUSAGE_SELF)``; its CPU time from ``RUSAGE_CHILDREN`` in the parent), and the child also
reports tracemalloc's peak of Python allocations when ``--tracemalloc`` is given (it slows the step down, so it is
off by default):

1. ``import``: a fresh database (``oncotrial db init``'s schema, an admin and a statistician), then
   ``import_sdtm`` of the whole folder in one transaction;
2. ``adam``: ``export_adam`` (ADSL from the store's SDTM, ADRS, ADTTE) to CSV.

On SQLite (a file in ``DIR``) always; on PostgreSQL when ``ONCOTRIAL_BENCH_PG`` (or ``ONCOTRIAL_TEST_PG``) names a
server where the user may create databases (a database ``oncotrial_bench`` is made and dropped).

Run: ``python bench/bench_store_import.py [DIR] [COPIES] [--postgresql-only] [--tracemalloc]`` (DIR defaults to
/tmp/oncotrial-bench-store).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

REFERENCE = Path(__file__).resolve().parents[1] / "tests" / "reference" / "pharmaverse" / "sdtm"
FILES = {
    "dm": "dm.csv",
    "ds": "ds.csv",
    "ex": "ex.csv",
    "ae": "ae.csv",
    "lb": "lb.csv.gz",
    "pc": "pc.csv",
    "tu_onco": "tu_onco.csv",
    "tr_onco": "tr_onco.csv.gz",
    "rs_onco": "rs_onco.csv",
}
TRIAL = "CDISCPILOT01"


def make_data(directory: Path, copies: int) -> Path:
    """The replicated SDTM folder (reused when it is there)."""
    folder = directory / f"sdtm-x{copies}"
    if (folder / "dm.parquet").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for stem, name in FILES.items():
        frame = pd.read_csv(REFERENCE / name, dtype=str, keep_default_na=False, na_values=[""])
        parts = [frame.assign(USUBJID=f"R{k:02d}-" + frame["USUBJID"]) for k in range(copies)]
        pd.concat(parts, ignore_index=True).to_parquet(folder / f"{stem}.parquet", index=False)
    return folder


def _setup(url: str) -> None:
    from oncotrial.store import open_store, services
    from oncotrial.store.migrate import init_schema

    store = open_store(url, check_schema=False)
    init_schema(store)
    with store.write() as session:
        services.bootstrap_admin(session, "admin", full_name="Admin")
    with store.write() as session:
        admin = services.actor_for(session, "admin")
        services.add_user(session, admin, "stat", role="statistician", full_name="Statistician")
    store.dispose()


def run_step(step: str, url: str, folder: Path, trace: bool) -> dict[str, float]:
    """One step, in this process: its wall time and tracemalloc's peak (MB, when asked)."""
    import tracemalloc

    from oncotrial.store import open_store, services
    from oncotrial.store.cdisc import import_sdtm
    from oncotrial.store.cdisc.adam import export_adam

    if step == "import":
        _setup(url)
    store = open_store(url)
    with store.read() as session:
        actor = services.actor_for(session, "stat")
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    if step == "import":
        report = import_sdtm(store, actor, folder)
        rows = sum(report.records.values())
    else:
        with store.read() as session:
            files = export_adam(session, actor, TRIAL, folder.parent / "adam")
        rows = sum(len(pd.read_csv(path, usecols=[0])) for path in files.values())
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 1e6 if trace else float("nan")
    store.dispose()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    return {"seconds": seconds, "rows": rows, "tracemalloc_mb": peak, "max_rss_mb": max_rss}


def _child(step: str, url: str, folder: Path, trace: bool) -> dict[str, float]:
    command = [sys.executable, __file__, "--step", step, url, str(folder), *(["--tracemalloc"] if trace else [])]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{done.stderr}")
    output = done.stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    result["cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return result


def _postgres_url() -> str | None:
    admin = os.environ.get("ONCOTRIAL_BENCH_PG") or os.environ.get("ONCOTRIAL_TEST_PG")
    if not admin:
        return None
    from sqlalchemy import create_engine, text

    engine = create_engine(admin.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "oncotrial_bench" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "oncotrial_bench"'))
    url = engine.url.set(database="oncotrial_bench").render_as_string(hide_password=False)
    engine.dispose()
    return url


def main(argv: list[str]) -> None:
    if argv[:1] == ["--step"]:
        result = run_step(argv[1], argv[2], Path(argv[3]), "--tracemalloc" in argv)
        print(json.dumps(result))
        return
    trace = "--tracemalloc" in argv
    args = [a for a in argv if not a.startswith("--")]
    directory = Path(args[0]) if args else Path("/tmp/oncotrial-bench-store")
    copies = int(args[1]) if len(args) > 1 else 33
    folder = make_data(directory, copies)
    patients = len(pd.read_parquet(folder / "dm.parquet", columns=["USUBJID"]))
    print(f"{patients} patients, {copies} copies of pharmaverse's SDTM, load average {os.getloadavg()[0]:.1f}")
    backends = {} if "--postgresql-only" in argv else {"sqlite": f"sqlite:///{directory / 'bench.db'}"}
    pg = _postgres_url()
    if pg is not None:
        backends["postgresql"] = pg
    for backend, url in backends.items():
        if backend == "sqlite":
            (directory / "bench.db").unlink(missing_ok=True)
        for step in ("import", "adam"):
            r = _child(step, url, folder, trace)
            print(
                f"{backend:10s} {step:6s} {r['seconds']:8.1f} s wall {r['cpu']:8.1f} s CPU (whole child) "
                f"{int(r['rows']):>9,d} rows  max RSS {r['max_rss_mb']:7.0f} MB  tracemalloc {r['tracemalloc_mb']:7.0f} MB"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
