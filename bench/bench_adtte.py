"""Benchmark: ``oncotrial adtte`` on 1,000,000 subjects, timed as a whole command in a subprocess.

Data (made here, seeded, written once to ``DIR`` and reused): an ADSL of N subjects (default
1,000,000; STUDYID, USUBJID, ARM/ARMCD, ACTARM, TRT01P/TRT01A, AGE, SEX, RACE, STRAT1R, RANDDT,
DTHDT for about 30 %, LSTALVDT) and an ADRS shaped as ``oncotrial recist`` writes it (every column;
OVR records every 6 weeks up to the first PD or the last contact, 0 to 6 per subject, then the
BOR, CBOR, RSP, CRSP, CB, CCB and PD rows of each subject), both as CSV. The command is
``python -m oncotrial adtte --adsl ADSL --adrs ADRS --out ADTTE.csv``; its wall time and its peak
memory (maximum resident set size of the child, from ``resource.getrusage(RUSAGE_CHILDREN)``) are
reported, median of ``RUNS`` runs (default 3).

Run: ``python bench/bench_adtte.py [DIR] [N_SUBJECTS] [RUNS]`` (DIR defaults to /tmp/oncotrial-bench-adtte).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261130
_BOR = {"CR": 1, "PR": 2, "SD": 3, "NON-CR/NON-PD": 4, "PD": 5, "NE": 6, "MISSING": 7}


def _dates(days: np.ndarray) -> np.ndarray:
    """ISO dates (text) from days since 1970-01-01; empty where ``days`` is negative."""
    text = np.datetime_as_string(np.maximum(days, 0).astype("datetime64[D]"))
    return np.where(days < 0, "", text)


def make_adsl(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """ADSL; also RANDDT and the last contact (death or last known alive) as days since the epoch."""
    rand = np.datetime64("2020-01-01", "D").astype(np.int64) + rng.integers(0, 730, n)
    last = rand + rng.integers(20, 1500, n)
    died = rng.random(n) < 0.3
    arm = rng.integers(0, 2, n)
    adsl = pd.DataFrame(
        {
            "STUDYID": "BENCH01",
            "USUBJID": np.char.add("BENCH01-", np.char.zfill(np.arange(1, n + 1).astype(str), 7)),
            "ARM": np.where(arm == 1, "Drug A", "Placebo"),
            "ARMCD": np.where(arm == 1, "A", "PBO"),
            "ACTARM": np.where(arm == 1, "Drug A", "Placebo"),
            "TRT01P": np.where(arm == 1, "Drug A", "Placebo"),
            "TRT01A": np.where(arm == 1, "Drug A", "Placebo"),
            "AGE": rng.integers(18, 90, n),
            "SEX": np.where(rng.random(n) < 0.5, "F", "M"),
            "RACE": np.where(rng.random(n) < 0.8, "WHITE", "ASIAN"),
            "STRAT1R": np.where(rng.random(n) < 0.5, "ECOG 0", "ECOG 1"),
            "RANDDT": _dates(rand),
            "DTHDT": _dates(np.where(died, last, -1)),
            "LSTALVDT": _dates(last),
        }
    )
    return adsl, rand, last


def make_adrs(adsl: pd.DataFrame, rand: np.ndarray, last: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """OVR records every 42 days up to the last contact (at most 6), a PD ending each sequence, then parameters."""
    n = len(adsl)
    k = np.minimum((last - rand - 3) // 42, rng.integers(0, 7, n))  # every assessment before the last contact
    subject = np.repeat(np.arange(n), k)
    visit = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k) + 1
    day = rand[subject] + 42 * visit + rng.integers(-3, 4, subject.size)
    response = rng.choice(np.array(["CR", "PR", "SD", "PD", "NE"]), subject.size, p=[0.05, 0.15, 0.5, 0.2, 0.1])
    # records after a subject's first PD are dropped (the ADRS keeps them, but it keeps this benchmark simple)
    is_pd = response == "PD"
    pd_seen = pd.Series(is_pd).groupby(subject).cumsum().to_numpy() - is_pd
    keep = pd_seen == 0
    subject, visit, day, response = subject[keep], visit[keep], day[keep], response[keep]
    usubjid = adsl["USUBJID"].to_numpy()
    randdt = adsl["RANDDT"].to_numpy()
    ovr = pd.DataFrame(
        {
            "STUDYID": "BENCH01",
            "USUBJID": usubjid[subject],
            "PARAMCD": "OVR",
            "PARAM": "Overall Response",
            "AVALC": response,
            "AVAL": pd.Series(response).map(_BOR).to_numpy(),
            "ADT": _dates(day),
            "ADTF": "",
            "AVISIT": np.char.add("WEEK ", (visit * 6).astype(str)),
            "RSSEQ": visit,
            "ANL01FL": "Y",
            "ANL02FL": "Y",
            "RANDDT": randdt[subject],
        }
    )
    first = pd.DataFrame({"s": subject, "day": day, "r": response}).groupby(["s", "r"])["day"].min().unstack()
    first = first.reindex(range(n))

    def param(paramcd: str, param_name: str, avalc: np.ndarray, days: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "STUDYID": "BENCH01",
                "USUBJID": usubjid,
                "PARAMCD": paramcd,
                "PARAM": param_name,
                "AVALC": avalc,
                "AVAL": pd.Series(avalc).map({**_BOR, "Y": 1, "N": 0}).to_numpy(),
                "ADT": _dates(np.where(np.isnan(days), -1, days).astype(np.int64)),
                "ADTF": "",
                "AVISIT": "",
                "RSSEQ": "",
                "ANL01FL": "Y",
                "ANL02FL": np.where(np.isnan(days), "", "Y"),
                "RANDDT": randdt,
            }
        )

    def col(name: str) -> np.ndarray:
        return first[name].to_numpy(dtype=float) if name in first else np.full(n, np.nan)

    cr, pr, sd, pdd, ne = col("CR"), col("PR"), col("SD"), col("PD"), col("NE")
    resp = np.fmin(cr, pr)
    bor = np.select(
        [~np.isnan(cr), ~np.isnan(pr), ~np.isnan(sd), ~np.isnan(pdd), ~np.isnan(ne)],
        ["CR", "PR", "SD", "PD", "NE"],
        "MISSING",
    )
    bor_day = np.select(
        [bor == "CR", bor == "PR", bor == "SD", bor == "PD", bor == "NE"], [cr, pr, sd, pdd, ne], np.nan
    )
    yes = np.where(np.isnan(resp), "N", "Y")
    parts = [
        ovr,
        param("BOR", "Best Overall Response (confirmation not required)", bor, bor_day),
        param("CBOR", "Best Confirmed Overall Response", bor, bor_day),
        param("RSP", "Response (confirmation not required)", yes, resp),
        param("CRSP", "Confirmed Response", yes, resp),
        param("CB", "Clinical Benefit (confirmation for response not required)", yes, resp),
        param("CCB", "Confirmed Clinical Benefit", yes, resp),
        param("PD", "Disease Progression", np.where(np.isnan(pdd), "N", "Y"), pdd),
    ]
    return pd.concat(parts, ignore_index=True).sort_values(["USUBJID", "PARAMCD"], kind="stable")


def make_data(folder: Path, n: int) -> tuple[Path, Path]:
    adsl_path, adrs_path = folder / f"adsl_{n}.csv", folder / f"adrs_{n}.csv"
    if adsl_path.exists() and adrs_path.exists():
        return adsl_path, adrs_path
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    adsl, rand, last = make_adsl(n, rng)
    adrs = make_adrs(adsl, rand, last, rng)
    adsl.to_csv(adsl_path, index=False)
    adrs.to_csv(adrs_path, index=False)
    return adsl_path, adrs_path


def run_once(adsl: Path, adrs: Path, out: Path) -> tuple[float, float]:
    """Wall time (s) and peak memory (GB) of one ``oncotrial adtte`` run in a child process."""
    script = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "code = subprocess.run(sys.argv[1:]).returncode; dt = time.perf_counter() - t; "
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss; print(dt, rss, code)"
    )
    command = [sys.executable, "-m", "oncotrial", "adtte", "--adsl", str(adsl), "--adrs", str(adrs), "--out", str(out)]
    # a fresh parent per run, so that RUSAGE_CHILDREN holds this run's command alone
    result = subprocess.run(
        [sys.executable, "-c", script, *command], capture_output=True, text=True, check=True, env=os.environ.copy()
    )
    wall, rss_kb, code = result.stdout.split()
    if code != "0":
        raise SystemExit(f"oncotrial adtte failed (exit {code})")
    return float(wall), int(rss_kb) / 1024**2


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/oncotrial-bench-adtte")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    started = time.perf_counter()
    adsl, adrs = make_data(folder, n)
    rows = sum(1 for _ in adrs.open()) - 1
    print(f"data: {n:,} subjects, {rows:,} ADRS rows ({adrs.stat().st_size / 1e6:.0f} MB), ready in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    results = [run_once(adsl, adrs, folder / f"adtte_{n}.csv") for _ in range(runs)]
    walls, peaks = [r[0] for r in results], [r[1] for r in results]
    print(f"oncotrial adtte: {statistics.median(walls):.1f} s (runs {', '.join(f'{w:.1f}' for w in walls)}), "
          f"peak memory {statistics.median(peaks):.2f} GB (runs {', '.join(f'{p:.2f}' for p in peaks)})")  # fmt: skip


if __name__ == "__main__":
    main()
