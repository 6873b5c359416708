"""Benchmark: drawing every figure of the report (``oncotrial.report.figures.FIGURES``) for a trial of 44 patients.

Data (made here, seeded): 50 screened, 44 randomised in two arms of 22, two crossovers from arm B; per patient
ADSL dates, PFS and OS (ADTTE), four target-lesion scans (TR, two lesions), OVR and BOR (ADRS), a dose every three
weeks to the last dose (EX, one in ten held), IFN-γ on days 0, 7 and 14 (LB), and a 6-sample PK profile (ADPC) for 12 patients.
For each figure: the time of ``draw`` alone, and of ``draw`` plus writing the PNG (100 dpi) and the SVG, as wall
time and as this process's CPU time (the wall time of a shared, loaded machine overstates the work); median of
``RUNS`` runs (default 5), after one warm-up run (matplotlib's font cache and imports).

Run: ``python bench/bench_report_figures.py [RUNS]``.
"""

from __future__ import annotations

import io
import statistics
import sys
import time

import numpy as np
import pandas as pd

from oncotrial.report import ReportData
from oncotrial.report.figures import FIGURES

SEED = 20261130
N = 44
ARMS = ("A: IL-12 + SBRT", "B: SBRT")


def _iso(day: np.ndarray | int) -> np.ndarray:
    return np.datetime_as_string(np.datetime64("2024-01-01", "D") + np.asarray(day, dtype="timedelta64[D]"))


def _adsl(rng: np.random.Generator) -> pd.DataFrame:
    start = rng.integers(0, 120, N)
    follow = rng.integers(60, 600, N)
    dead = rng.random(N) < 0.3
    crossed = np.zeros(N, dtype=bool)
    crossed[np.nonzero((np.arange(N) >= N // 2) & (follow > 300))[0][:2]] = True  # two of arm B, followed long
    return pd.DataFrame(
        {
            "USUBJID": [f"P{i + 1:02d}" for i in range(N)],
            "ARM": np.where(np.arange(N) < N // 2, ARMS[0], ARMS[1]),
            "RANDDT": _iso(start),
            "TRTSDT": _iso(start + 2),
            "TRTEDT": _iso(start + follow // 2),
            "LSTALVDT": _iso(start + follow),
            "DTHDT": np.where(dead, _iso(start + follow + 10), ""),
            "EOSSTT": np.where(dead, "DISCONTINUED", "ONGOING"),
            "TRT02A": np.where(crossed, ARMS[0], ""),
            "TR02SDT": np.where(crossed, _iso(start + 90), ""),
            "SAFFL": "Y",
            "ITTFL": "Y",
        }
    )


def _tr_adrs(adsl: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    tr, adrs = [], []
    for subject, start in zip(adsl["USUBJID"], pd.to_datetime(adsl["TRTSDT"]), strict=True):
        sizes = rng.uniform(15, 40, 2)
        trend = rng.uniform(-0.25, 0.2)
        for k in range(4):
            day = str((start + pd.Timedelta(days=42 * k)).date())
            for lesion, size in zip(("T01", "T02"), sizes * (1 + trend * k), strict=True):
                tr.append((subject, "TARGET", lesion, "DIAMETER", f"{size:.1f}", "mm", f"V{k}", day))
            if k:
                response = "PR" if trend * k <= -0.3 else ("PD" if trend * k >= 0.2 else "SD")
                adrs.append((subject, "OVR", response, day))
        adrs.append((subject, "BOR", "PR" if trend * 3 <= -0.3 else ("PD" if trend > 0.1 else "SD"), ""))
    tr_frame = pd.DataFrame(tr, columns=["USUBJID", "TRGRPID", "TRLNKID", "TRTESTCD", "TRSTRESC", "TRSTRESU",
                                         "VISIT", "TRDTC"])  # fmt: skip
    return tr_frame, pd.DataFrame(adrs, columns=["USUBJID", "PARAMCD", "AVALC", "ADT"])


def make_trial() -> ReportData:
    """The seeded 44-patient trial described in the module docstring."""
    rng = np.random.default_rng(SEED)
    adsl = _adsl(rng)
    tr, adrs = _tr_adrs(adsl, rng)
    adtte = pd.DataFrame(
        [(s, p, float(rng.integers(20, 700)), int(rng.random() < 0.4)) for p in ("PFS", "OS") for s in adsl["USUBJID"]],
        columns=["USUBJID", "PARAMCD", "AVAL", "CNSR"],
    )
    start = dict(zip(adsl["USUBJID"], pd.to_datetime(adsl["TRTSDT"]), strict=True))
    end = dict(zip(adsl["USUBJID"], pd.to_datetime(adsl["TRTEDT"]), strict=True))
    ex = pd.DataFrame(
        [(s, "IL-12", 0.0 if rng.random() < 0.1 else 300.0, str((start[s] + pd.Timedelta(days=21 * k)).date()))
         for s in adsl["USUBJID"] for k in range(12) if start[s] + pd.Timedelta(days=21 * k) <= end[s]],
        columns=["USUBJID", "EXTRT", "EXDOSE", "EXSTDTC"],
    )  # fmt: skip
    lb = pd.DataFrame(
        [(s, "IFNG", "Interferon Gamma", float(rng.lognormal(2 + (d == 7), 0.5)), "pg/mL",
          str((start[s] + pd.Timedelta(days=d)).date())) for s in adsl["USUBJID"] for d in (0, 7, 14)],
        columns=["USUBJID", "LBTESTCD", "LBTEST", "LBSTRESN", "LBSTRESU", "LBDTC"],
    )  # fmt: skip
    adpc = pd.DataFrame(
        [(s, "IL12", "pg/mL", h, 0.0 if h == 0 else 80 * np.exp(-0.1 * h) * (1 - np.exp(-1.5 * h)))
         for s in adsl["USUBJID"][:12] for h in (0.0, 1.0, 2.0, 4.0, 12.0, 24.0)],
        columns=["USUBJID", "PARAMCD", "AVALU", "NFRLT", "AVAL"],
    )  # fmt: skip
    screening = pd.DataFrame(
        [(f"S{i:02d}", i <= N, "" if i <= N else "ECOG performance status 2") for i in range(1, 51)],
        columns=["SUBJID", "ELIGIBLE", "REASON"],
    )
    return ReportData(adsl, adrs, adtte, None, adpc, tr, ex, lb, screening)


def _time(data: ReportData, *, write: bool) -> dict[str, tuple[float, float]]:
    """Per figure: (wall seconds, CPU seconds of this process)."""
    times = {}
    for spec in FIGURES:
        wall, cpu = time.perf_counter(), time.process_time()
        figure = spec.draw(data)
        if write:
            for fmt in ("png", "svg"):
                figure.savefig(io.BytesIO(), format=fmt)  # type: ignore[union-attr]
        times[spec.name] = (time.perf_counter() - wall, time.process_time() - cpu)
    return times


def main(runs: int) -> None:
    data = make_trial()
    _time(data, write=True)  # warm-up
    for write in (False, True):
        samples = [_time(data, write=write) for _ in range(runs)]
        print(f"{'draw + PNG + SVG' if write else 'draw'} (median of {runs} runs, s): wall, CPU")
        for name in [spec.name for spec in FIGURES]:
            wall = statistics.median(s[name][0] for s in samples)
            cpu = statistics.median(s[name][1] for s in samples)
            print(f"  {name:10s} {wall:.3f}  {cpu:.3f}")
        total_wall = statistics.median(sum(w for w, _ in s.values()) for s in samples)
        total_cpu = statistics.median(sum(c for _, c in s.values()) for s in samples)
        print(f"  {'all':10s} {total_wall:.3f}  {total_cpu:.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
