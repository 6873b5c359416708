"""Wall time of ``oncotrial demo`` (issue 16, item 4): the README's main job, end to end (database, 60 people
screened, 44 randomised through the store's services, the analyses and the report).

Runs the console script as a user does, in a new process each time, on the first two cores
(``taskset -c 0,1`` where taskset exists), into a fresh temporary folder, ``RUNS`` times; prints each wall and
CPU time and the median, and the load average before each run (the machine may be shared). Target: under
2 minutes on 2 cores.

    python bench/bench_demo.py [RUNS]
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 120.0


def _command(folder: Path) -> list[str]:
    exe = shutil.which("oncotrial", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "oncotrial"]
    pinned = ["taskset", "-c", "0,1"] if shutil.which("taskset") else []
    return [*pinned, *command, "demo", "--out", str(folder)]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    walls = []
    for run in range(1, runs + 1):
        with tempfile.TemporaryDirectory() as tmp:
            load = os.getloadavg()[0]
            cpu, start = _cpu_seconds(), time.perf_counter()
            subprocess.run(_command(Path(tmp) / "demo"), check=True, capture_output=True)
            wall, used = time.perf_counter() - start, _cpu_seconds() - cpu
        walls.append(wall)
        print(f"run {run}: {wall:.1f} s wall, {used:.1f} s CPU (load average {load:.1f})")
    median = statistics.median(walls)
    print(f"median {median:.1f} s wall (target under {TARGET_S:.0f} s)")
    return 0 if median < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
