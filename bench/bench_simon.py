"""Benchmark: Simon two-stage designs for the 72-scenario grid of issue 3, at nmax = 200.

Grid: p0 in {.05, .10, .15, .20, .30, .40, .50, .60, .70}, p1 = p0 + .15 or + .20,
alpha in {.05, .10}, beta in {.10, .20}. Reference: clinfun 1.1.5's ph2simon takes 8.9 s for
this grid and 0.12 s for one scenario at nmax = 200 on a 2-core machine of this kind.

Run: ``python bench/bench_simon.py`` (prints the median of 5 runs, cold caches each run).
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

from oncotrial.design import find_simon_designs, find_simon_designs_grid
from oncotrial.design._binomial import get_binomial_tables, get_early_stop_table

CLINFUN_GRID_S = 8.9
CLINFUN_ONE_S = 0.12


def grid() -> pd.DataFrame:
    rows = [
        {"p0": p0, "p1": round(p0 + d, 2), "alpha": a, "beta": b, "nmax": 200}
        for p0, d, a, b in itertools.product(
            [0.05, 0.10, 0.15, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70], [0.15, 0.20], [0.05, 0.10], [0.10, 0.20]
        )
    ]
    return pd.DataFrame(rows)


def _cold() -> None:
    get_binomial_tables.cache_clear()
    get_early_stop_table.cache_clear()


def time_it(fn: object, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        _cold()
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "simon" / "simon_designs.csv"


def check_against_clinfun(result: pd.DataFrame) -> str:
    """The grid's designs for the scenarios in clinfun's reference file must be clinfun's."""
    if not REFERENCE.exists():
        return f"(reference {REFERENCE} not found: designs not compared)"
    ref = pd.read_csv(REFERENCE)
    keys = ["p0", "p1", "alpha", "beta", "design"]
    merged = ref.merge(result.round({"p0": 2, "p1": 2}), on=keys, suffixes=("_ref", ""))
    same = (merged[["r1", "n1", "r", "n"]].to_numpy() == merged[["r1_ref", "n1_ref", "r_ref", "n_ref"]].to_numpy()).all(
        axis=1
    )
    if not same.all():
        raise SystemExit(f"designs differ from clinfun:\n{merged[~same]}")
    return f"{len(merged)} designs of {len(merged) // 2} scenarios identical to clinfun's reference"


def main() -> int:
    scenarios = grid()
    print(check_against_clinfun(find_simon_designs_grid(scenarios)))
    t_grid = time_it(lambda: find_simon_designs_grid(scenarios))
    t_one = time_it(lambda: find_simon_designs(0.2, 0.4, alpha=0.05, beta=0.2, nmax=200))
    t_slow = time_it(lambda: find_simon_designs(0.5, 0.65, alpha=0.05, beta=0.1, nmax=200))
    print(
        f"72-scenario grid, nmax=200: {t_grid:.3f} s  (clinfun {CLINFUN_GRID_S} s, {CLINFUN_GRID_S / t_grid:.1f}x faster)"
    )
    print(
        f"one scenario (p0=.2, p1=.4, a=.05, b=.2), nmax=200: {t_one * 1000:.1f} ms  (clinfun {CLINFUN_ONE_S * 1000:.0f} ms)"
    )
    print(f"slowest scenario (p0=.5, p1=.65, a=.05, b=.1), nmax=200: {t_slow * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
