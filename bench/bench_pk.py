"""Benchmark: NCA of 100,000 profiles (issue 14), lin up/log down with automatic λz.

Data (made here, seeded): the 12 theophylline profiles of ``tests/reference/pk/theoph.csv`` replicated to
N profiles (default 100,000; 1,100,000 samples), each concentration multiplied by exp(ε), ε ~ N(0, 0.1²)
(seeded jitter; times kept), subjects ``<replicate>-<Subject>``. Times ``derive_nca`` on the table in this
process (input already in memory, column checks and sorting included), median of ``RUNS`` runs (default 3).
Before timing, the 6 subjects of ``nca_theoph_lin_up_log_down.csv`` (PKNCA 0.12.1) are checked on the
unjittered data.

Run: ``PYTHONPATH=src python bench/bench_pk.py [N_PROFILES] [RUNS]``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from oncotrial.pk import derive_nca

SEED = 20261130
REFERENCE = Path(__file__).resolve().parents[1] / "tests" / "reference" / "pk"


def make_profiles(n: int, rng: np.random.Generator) -> pd.DataFrame:
    theoph = pd.read_csv(REFERENCE / "theoph.csv")
    subjects = theoph["Subject"].nunique()
    copies = -(-n // subjects)
    table = pd.concat([theoph] * copies, ignore_index=True)
    replicate = np.repeat(np.arange(copies), len(theoph))
    table["Subject"] = pd.Series(replicate).astype(str) + "-" + table["Subject"].astype(str)
    table["conc"] = table["conc"] * np.exp(rng.normal(0, 0.1, len(table)))
    keep = replicate * subjects + (theoph["Subject"].to_numpy()[np.arange(len(table)) % len(theoph)] - 1) < n
    return table.loc[keep].reset_index(drop=True)


def check_reference() -> None:
    reference = pd.read_csv(REFERENCE / "nca_theoph_lin_up_log_down.csv").set_index("Subject")
    got = derive_nca(pd.read_csv(REFERENCE / "theoph.csv")).to_frame().set_index("subject").loc[reference.index]
    for column in reference.columns:
        np.testing.assert_allclose(got[column].to_numpy(float), reference[column].to_numpy(float), rtol=1e-6)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    check_reference()
    data = make_profiles(n, np.random.default_rng(SEED))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = derive_nca(data, auc_method="lin up/log down")
        times.append(time.perf_counter() - start)
    table = result.to_frame()
    print(f"profiles: {len(table):,}, samples: {len(data):,}, without lambda.z: {int(table['lambda.z'].isna().sum())}")
    print(
        f"derive_nca: median {statistics.median(times):.2f} s over {runs} runs ({', '.join(f'{t:.2f}' for t in times)})"
    )
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
