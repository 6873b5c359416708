"""Benchmark: the whole ``oncotrial km`` command on a 1,000,000-row CSV against R's whole script.

The data are made here (seeded; never committed), as ``shared/reference/survival/synthetic_1m_params.json``
describes R's 1M-subject set: group ~ Bernoulli(0.5), event time ~ Exp(0.10 * 0.70^group), censoring
time ~ Uniform(0, 30), time = min of the two rounded to 4 decimals (about 800,000 distinct times over
the three curves), event = 1 when the event came first.

Both run as subprocesses, each three times (median wall time; peak RSS as the child's ``ru_maxrss``):

* ``oncotrial km --data F --time time --event event --group group`` (Kaplan-Meier overall and by group,
  log-rank, the Cox HR of group, reverse-KM follow-up), and the same with ``--json`` and with
  ``--table F.parquet``;
* ``Rscript``: ``read.csv`` + ``survfit(Surv(time, event) ~ group)`` + ``survdiff`` + ``coxph`` (what the
  issue timed at 8.1 s, 0.55 GB), when ``Rscript`` with the survival package is installed (Debian
  ``r-base-core``, ``r-cran-survival``).

Run: ``python bench/bench_km_command.py [N_ROWS]`` (with the oncotrial under test on PYTHONPATH or installed).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240601
R_SCRIPT = """
suppressMessages(library(survival))
d <- read.csv("{path}")
fit <- survfit(Surv(time, event) ~ group, data = d)
print(fit)
print(survdiff(Surv(time, event) ~ group, data = d))
print(coxph(Surv(time, event) ~ group, data = d))
"""


def make_data(path: Path, n: int) -> None:
    rng = np.random.default_rng(SEED)
    group = rng.binomial(1, 0.5, n)
    event_time = rng.exponential(1 / (0.10 * 0.70**group))
    censor_time = rng.uniform(0, 30, n)
    frame = pd.DataFrame(
        {"time": np.round(np.minimum(event_time, censor_time), 4), "event": (event_time <= censor_time).astype(int)}
    )
    frame["group"] = group
    frame.to_csv(path, index=False)


def wall_time(argv: list[str]) -> float:
    """Seconds of one run of ``argv`` (its output discarded; a failure stops the benchmark)."""
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} failed: {done.stderr.strip()[-400:]}")
    return seconds


# ru_maxrss of RUSAGE_CHILDREN is the largest of all children so far: each command's peak memory and CPU time
# are read in a wrapper process of its own, whose only child is that command
_USAGE = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True, check=True); "
    "u = resource.getrusage(resource.RUSAGE_CHILDREN); print(u.ru_maxrss / 1024**2, u.ru_utime + u.ru_stime)"
)


def measure(argv: list[str], runs: int = 3) -> tuple[float, float, float]:
    """Median wall seconds over ``runs``; CPU seconds (user + system) and peak resident memory (GB) of one
    more run. CPU time depends less than wall time on other work running on the machine."""
    seconds = statistics.median(wall_time(argv) for _ in range(runs))
    usage = subprocess.run([sys.executable, "-c", _USAGE, *argv], capture_output=True, text=True, check=True)
    peak, cpu = (float(v) for v in usage.stdout.split())
    return seconds, cpu, peak


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "km.csv"
        make_data(data, n)
        print(f"{n:,} rows, {data.stat().st_size / 1e6:.0f} MB CSV")
        km = [sys.executable, "-m", "oncotrial", "km", "--data", str(data), "--time", "time", "--event", "event"]
        km += ["--group", "group"]
        rows = {
            "oncotrial km (tables)": measure(km),
            "oncotrial km --json": measure([*km, "--json", "--out", str(Path(folder) / "km.json")]),
            "oncotrial km --table .parquet": measure([*km, "--table", str(Path(folder) / "steps.parquet")]),
        }
        json_size = (Path(folder) / "km.json").stat().st_size / 1e6
        if shutil.which("Rscript"):
            script = Path(folder) / "km.R"
            script.write_text(R_SCRIPT.format(path=data))
            rows["R: read.csv + survfit + survdiff + coxph"] = measure(["Rscript", str(script)])
    print(f"{'command':<44}{'wall (median of 3)':>20}{'CPU':>9}{'peak RSS':>11}")
    for name, (seconds, cpu, peak) in rows.items():
        print(f"{name:<44}{seconds:>19.2f}s{cpu:>8.2f}s{peak:>9.2f}GB")
    r = rows.get("R: read.csv + survfit + survdiff + coxph")
    if r:
        ours = rows["oncotrial km (tables)"]
        print(f"R / oncotrial km: {r[0] / ours[0]:.2f}x wall time, {r[1] / ours[1]:.2f}x CPU time")
    print(f"--json output: {json_size:.0f} MB; CPUs: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
