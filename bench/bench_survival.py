"""Benchmark: Kaplan-Meier, log-rank and Cox on 1,000,000 subjects, against R survival in the same run.

Data: ``shared/reference/survival/synthetic_1m.csv.gz`` (time, event, group; made as described in
``synthetic_1m_params.json``). Each step is timed as the median of 3 runs; peak memory is the
process's maximum resident set size. Where ``Rscript`` with the survival package is installed
(Debian ``r-base-core`` and ``r-cran-survival``), the same steps run in R on the same file and the
ratio is printed. The numbers are checked against R's (``synthetic_1m.json``) before timing.

Run: ``python bench/bench_survival.py``.
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from oncotrial.endpoints import (
    compute_cox_regression,
    compute_kaplan_meier,
    compute_logrank_test,
    compute_median_followup,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference" / "survival"
R_SCRIPT = r"""
suppressMessages(library(survival))
d <- read.csv(gzfile("%s"))
t3 <- function(expr) { f <- function() system.time(eval(expr))[["elapsed"]]; median(c(f(), f(), f())) }
cat(sprintf("survfit %%.3f\n", t3(quote(survfit(Surv(time, event) ~ 1, data = d)))))
cat(sprintf("survfit_group %%.3f\n", t3(quote(survfit(Surv(time, event) ~ group, data = d)))))
cat(sprintf("survdiff %%.3f\n", t3(quote(survdiff(Surv(time, event) ~ group, data = d)))))
cat(sprintf("coxph_efron %%.3f\n", t3(quote(coxph(Surv(time, event) ~ group, data = d, ties = "efron")))))
cat(sprintf("coxph_breslow %%.3f\n", t3(quote(coxph(Surv(time, event) ~ group, data = d, ties = "breslow")))))
"""


def median_time(fn: Callable[[], Any], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def r_times(path: Path) -> dict[str, float]:
    if shutil.which("Rscript") is None:
        return {}
    done = subprocess.run(["Rscript", "-e", R_SCRIPT % path], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"(R failed: {done.stderr.strip()[:200]})")
        return {}
    return {k: float(v) for k, v in (line.split() for line in done.stdout.strip().splitlines())}


def check(d: pd.DataFrame, reference: dict[str, Any]) -> None:
    med = compute_kaplan_meier(d["time"], d["event"]).median
    assert (med.estimate, med.lower, med.upper) == tuple(reference["km_median_overall"].values()), med
    lr = compute_logrank_test(d["time"], d["event"], d["group"])
    assert abs(lr.chisq - reference["logrank_chisq"]) < 1e-6 * reference["logrank_chisq"], lr.chisq
    for ties in ("efron", "breslow"):
        cox = compute_cox_regression(d["time"], d["event"], d[["group"]], ties=ties)  # type: ignore[arg-type]
        want = reference[f"cox_{ties}"]
        assert abs(cox.coef[0] - want["coef"]) < 1e-6 * abs(want["coef"]), (ties, cox.coef)
        assert abs(cox.se[0] - want["se"]) < 1e-6 * want["se"], (ties, cox.se)
    follow = compute_median_followup(d["time"], d["event"])
    assert (follow.estimate, follow.lower, follow.upper) == tuple(reference["reverse_km_median_followup"].values())


def main() -> int:
    path = SHARED / "synthetic_1m.csv.gz"
    if not path.exists():
        print(f"{path} not found")
        return 1
    d = pd.read_csv(path)
    check(d, json.loads((SHARED / "synthetic_1m.json").read_text()))
    print(f"{len(d):,} subjects: medians, log-rank, Cox (both ties) and follow-up equal R's (synthetic_1m.json)")
    ours = {
        "survfit": median_time(lambda: compute_kaplan_meier(d["time"], d["event"])),
        "survfit_group": median_time(
            lambda: [compute_kaplan_meier(g["time"], g["event"]) for _, g in d.groupby("group")]
        ),
        "survdiff": median_time(lambda: compute_logrank_test(d["time"], d["event"], d["group"])),
        "coxph_efron": median_time(lambda: compute_cox_regression(d["time"], d["event"], d[["group"]], ties="efron")),
        "coxph_breslow": median_time(
            lambda: compute_cox_regression(d["time"], d["event"], d[["group"]], ties="breslow")
        ),
    }
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    theirs = r_times(path)
    print(f"{'step':<16}{'oncotrial':>12}{'R survival':>12}{'ratio':>8}")
    for step, seconds in ours.items():
        r = theirs.get(step)
        ratio = f"{r / seconds:.1f}x" if r else "-"
        print(f"{step:<16}{seconds:>11.3f}s{(f'{r:.3f}s' if r else 'n/a'):>12}{ratio:>8}")
    print(f"peak memory (max RSS, data included): {peak:.2f} GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
