"""Benchmark: ``oncotrial screen`` on a hospital extract of N patient records (default 100,000).

Generates N varied records for NCT01416831 with a seed (eligible patients, and patients with labs
in other units, missing or stale data, failing values, awaiting the PI's review, a few malformed
records), writes them as JSON and as YAML, and runs the whole command in a subprocess for each:
``oncotrial screen --protocol NCT01416831 --patients FILE --as-of 2026-11-21 --out results.csv``.
Reports the wall time and the peak memory (maximum resident set size of the command) and checks
the command screened every record. Target (issue 12): 100,000 records in under 60 s on 2 cores.

Run: ``python bench/bench_screen.py [N] [--format json|yaml|both]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

SEED = 20261121
LAB_DAY = "2026-11-16"

# (analyte, unit choices with a value range in that unit)
_LABS: list[tuple[str, list[tuple[str, float, float]]]] = [
    ("wbc", [("10^9/L", 2.0, 9.0), ("/mm3", 2000, 9000), ("x10E9/L", 2.0, 9.0)]),
    ("hemoglobin", [("g/dL", 8.0, 16.0), ("g/L", 80, 160), ("mmol/L", 5.0, 10.0)]),
    ("ast", [("U/L", 10, 140)]),
    ("alt", [("U/L", 7, 140)]),
    ("bilirubin_total", [("mg/dL", 0.2, 2.5), ("umol/L", 3, 40)]),
    ("creatinine", [("mg/dL", 0.5, 2.2), ("umol/L", 45, 190)]),
    ("dlco_pct_predicted", [("%", 55, 110)]),
    ("fev1_pct_predicted", [("%", 55, 110)]),
    ("fev1_fvc_pct_predicted", [("%", 60, 95)]),
]
_CONDITIONS = (
    "melanoma_histologically_confirmed sbrt_amenable_site brain_metastases_not_radiosurgery_candidate "
    "prior_radiation_to_sbrt_site active_infection pregnant_or_lactating cardiac_ischemia chronic_steroids"
).split()
_SITES = ("lung", "liver", "mediastinum", "chest_wall", "brain", "lymph_node", "skin", "Bone except long bones")


def _lab(rng: random.Random, analyte: str, units: list[tuple[str, float, float]]) -> dict[str, Any]:
    unit, low, high = rng.choice(units)
    result: dict[str, Any] = {"analyte": analyte, "value": round(rng.uniform(low, high), 1), "unit": unit}
    if analyte in ("ast", "alt"):
        result.update(lln=10, uln=40)
    day = rng.choice([LAB_DAY] * 9 + ["2026-09-01"])  # one in ten stale
    if rng.random() > 0.02:
        result["date"] = day
    return result


def generate_record(rng: random.Random, index: int) -> dict[str, Any]:
    """One varied patient record in the documented shape (see ``oncotrial.eligibility.records``)."""
    record: dict[str, Any] = {
        "subject_id": f"P{index:06d}",
        "sex": rng.choice(["female", "male", "F", "M"]),
        "birth_date": f"{rng.randint(1935, 2010)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "planned_start": rng.choice(["2026-11-23T08:00", "2026-11-23", "2026-11-24T08:00"]),
        "ecog": {"value": rng.choice([0, 0, 1, 1, 2]), "date": LAB_DAY},
        "labs": [_lab(rng, analyte, units) for analyte, units in _LABS if rng.random() > 0.03],
        "lesions": [
            {
                "site": rng.choice(_SITES),
                "method": rng.choice(["ct", "spiral_ct", "mri"]),
                "size_mm": rng.randint(5, 80),
            }
            for _ in range(rng.randint(0, 4))
        ],
        "conditions": {c: rng.random() < (0.9 if i < 2 else 0.05) for i, c in enumerate(_CONDITIONS)},
        "childbearing_potential": rng.random() < 0.3,
        "pregnancy_test": {"result": "negative", "datetime": "2026-11-21T09:00"},
        "consent_date": rng.choice(["2026-11-18", "2026-11-19", "2026-11-22"]),
    }
    if rng.random() < 0.3:
        record["reviews"] = {"pulmonary-function": rng.random() < 0.8}
    if rng.random() < 0.1:
        record["conditions"]["clinically_significant_pulmonary_disease"] = rng.random() < 0.5
    if rng.random() < 0.1:
        del record["conditions"][rng.choice(_CONDITIONS)]
    if rng.random() < 0.005:  # a malformed record now and then: screened as a record error
        record["ecog"] = {"value": 9}
    return record


def generate_records(n: int, seed: int = SEED) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [generate_record(rng, i) for i in range(1, n + 1)]


def run_screen(patients: Path, out: Path) -> tuple[float, float, float]:
    """Wall time (s), CPU time (s, user + system) and peak memory (GB, max RSS) of the whole command."""
    command = [sys.executable, "-m", "oncotrial", "screen", "--protocol", "NCT01416831", "--patients", str(patients)]
    command += ["--as-of", "2026-11-21", "--out", str(out)]
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, text=True)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own resource usage
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        if process.returncode not in (0, 1):  # 1: some records could not be screened (a few are malformed)
            raise SystemExit(f"oncotrial screen failed ({process.returncode}):\n{stderr.read()[-2000:]}")
        print(stdout.read().strip().splitlines()[-1])
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024 / 1024


def write_patients(n: int, fmt: str, path: Path) -> None:
    """Generate the N records and write them as JSON or YAML (block style, as ``yaml.dump`` writes)."""
    records = generate_records(n)
    text = json.dumps(records) if fmt == "json" else yaml.dump(records, Dumper=yaml.CSafeDumper, sort_keys=False)
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--format", choices=["json", "yaml", "both"], default="both")
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)  # the child that writes the records
    args = parser.parse_args()
    if args.write is not None:
        write_patients(args.n, args.format, args.write)
        return
    formats = ["json", "yaml"] if args.format == "both" else [args.format]
    with tempfile.TemporaryDirectory() as folder:
        for fmt in formats:
            path = Path(folder) / f"patients.{fmt}"
            # written by a child process, so that this one stays small: a forked child's peak memory
            # (the command's, below) would otherwise count this process's records until it execs
            command = [sys.executable, __file__, str(args.n), "--format", fmt, "--write", str(path)]
            subprocess.run(command, check=True)
            size = path.stat().st_size / 1e6
            elapsed, cpu, peak = run_screen(path, Path(folder) / "results.csv")
            rows = len(pd.read_csv(Path(folder) / "results.csv", usecols=["subject_id"]))
            print(
                f"{fmt}: {args.n:,} records ({size:.0f} MB): {elapsed:.1f} s wall, {cpu:.1f} s CPU, "
                f"peak memory {peak:.2f} GB, {rows:,} result rows; load average {os.getloadavg()[0]:.1f}"
            )


if __name__ == "__main__":
    main()
