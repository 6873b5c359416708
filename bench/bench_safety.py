"""Benchmark: CTCAE v5 grading of 1,000,000 lab rows (issue 14), target under 5 s on 2 cores.

Data (made here, seeded): the 30,828 records of the graded tests of pharmaversesdtm LB
(``tests/reference/pharmaverse/sdtm/lb.csv.gz``) replicated to N rows (default 1,000,000), subjects
``<replicate>-<USUBJID>`` (so each replicate keeps its own baseline), each result multiplied by exp(ε),
ε ~ N(0, 0.2²) (seeded). Times :func:`oncotrial.safety.derive_lab_grades` on the table in memory (column
checks, unit lookup, baseline join, both directions, the result table), median of ``RUNS`` runs (default 3).
Before timing, the grades of the unreplicated LB are checked against admiral's
(``tests/reference/safety/ctcae_v5_grades_admiral.csv``).

Run: ``PYTHONPATH=src python bench/bench_safety.py [N_ROWS] [RUNS]``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from oncotrial.safety import derive_lab_grades, load_ctcae_lab_rules

SEED = 20261130
REFERENCE = Path(__file__).resolve().parents[1] / "tests" / "reference"


def read_lb() -> pd.DataFrame:
    lb = pd.read_csv(REFERENCE / "pharmaverse" / "sdtm" / "lb.csv.gz")
    return lb.loc[lb["LBTESTCD"].isin(load_ctcae_lab_rules().terms["lbtestcd"])].reset_index(drop=True)


def check_reference(lb: pd.DataFrame) -> None:
    reference = pd.read_csv(REFERENCE / "safety" / "ctcae_v5_grades_admiral.csv")
    got = derive_lab_grades(lb).to_frame()
    merged = reference.merge(got, on=["USUBJID", "LBSEQ"], suffixes=("_admiral", ""))
    for grade in ("ATOXGRL", "ATOXGRH"):
        assert merged[grade].astype("Float64").fillna(-1).eq(merged[f"{grade}_admiral"].fillna(-1)).all(), grade


def make_rows(lb: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    copies = -(-n // len(lb))
    table = pd.concat([lb] * copies, ignore_index=True).iloc[:n].reset_index(drop=True)
    replicate = np.arange(len(table)) // len(lb)
    table["USUBJID"] = pd.Series(replicate).astype(str) + "-" + table["USUBJID"]
    table["LBSTRESN"] = table["LBSTRESN"] * np.exp(rng.normal(0, 0.2, len(table)))
    return table


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    lb = read_lb()
    check_reference(lb)
    data = make_rows(lb, n, np.random.default_rng(SEED))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = derive_lab_grades(data)
        times.append(time.perf_counter() - start)
    table = result.to_frame()
    graded = int(table["ATOXGRL"].gt(0).sum() + table["ATOXGRH"].gt(0).sum())
    print(f"rows: {len(table):,}, grades above 0: {graded:,}")
    print(f"derive_lab_grades: median {statistics.median(times):.2f} s ({', '.join(f'{t:.2f}' for t in times)})")
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
