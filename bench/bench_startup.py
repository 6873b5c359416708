"""Start-up time of the ``oncotrial`` command (issue 10, item 7).

Runs each command as a user does (the console script, a new process each time), 7 times after one warm-up
run, and prints the median and the slowest wall time. Target: ``oncotrial --help`` and
``oncotrial protocol list`` under 0.3 s on 2 cores.

    python bench/bench_startup.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = [
    ["--help"],
    ["--version"],
    ["protocol", "list"],
    ["patient", "--help"],  # a trial-database command's help: no SQLAlchemy (it is imported when a command runs)
    ["km", "--help"],
    ["design", "simon", "--p0", "0.16", "--p1", "0.36"],
]
TARGET_S = 0.3
RUNS = 7


def _executable() -> str:
    found = shutil.which("oncotrial", path=str(Path(sys.executable).parent))
    if found is None:
        raise SystemExit("the oncotrial console script is not installed beside this Python")
    return found


def main() -> int:
    exe = _executable()
    failed = False
    for args in COMMANDS:
        subprocess.run([exe, *args], capture_output=True, check=True)  # warm the file cache
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            subprocess.run([exe, *args], capture_output=True, check=True)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        targeted = args in (["--help"], ["protocol", "list"])
        verdict = ("ok" if median < TARGET_S else "OVER TARGET") if targeted else ""
        failed |= verdict == "OVER TARGET"
        print(f"oncotrial {' '.join(args):<40} median {median:.3f} s  max {max(times):.3f} s  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
