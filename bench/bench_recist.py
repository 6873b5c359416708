"""Benchmark: RECIST 1.1 time-point and best responses at scale, and ``--from-overall`` against admiralonco.

1. Lesion engine: N synthetic subjects (default 1,000,000) x 8 assessments (baseline + 7) x 5 lesions
   (3 target, one nodal; 2 non-target), some new lesions; time-point responses
   (:func:`derive_timepoint_responses`) then BOR/CBOR and the other ADRS parameters
   (:func:`derive_adrs_from_timepoints`). Reports time and peak memory (max RSS).
2. From overall responses: ``rs_onco`` + ``adsl`` (subjects with RS records) replicated 50 times with
   USUBJID suffixes -R1 ... -R50 (10,250 subjects, 290,400 RS rows) through
   :func:`derive_adrs_from_overall`; admiralonco takes 26.6 s for this (2.8 s for 205 subjects once).
   The result for each replicate is checked to equal the result for the original subjects.

Run: ``python bench/bench_recist.py [N_SUBJECTS]``.
"""

from __future__ import annotations

import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from oncotrial.recist import derive_adrs_from_overall, derive_adrs_from_timepoints, derive_timepoint_responses

ADMIRALONCO_REPLICATED_S = 26.6
SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference" / "pharmaverse"


def synthetic_assessments(n_subjects: int, seed: int = 1) -> pd.DataFrame:
    """Long lesion table: subjects x 8 visits x 5 lesions, sums drifting randomly from baseline.

    Built from integer codes (categoricals) to keep the input itself small (about 1 GB at 1M subjects).
    """
    rng = np.random.default_rng(seed)
    visits, lesions = 8, 5
    rows = n_subjects * visits * lesions
    subject = np.repeat(np.arange(n_subjects, dtype=np.int32), visits * lesions)
    visit = np.tile(np.repeat(np.arange(visits, dtype=np.int8), lesions), n_subjects)
    lesion = np.tile(np.arange(lesions, dtype=np.int8), n_subjects * visits)
    start = np.datetime64("2024-01-01", "s") + rng.integers(0, 365, n_subjects) * np.timedelta64(86400, "s")
    adt = np.repeat(start, visits * lesions) + visit.astype(np.int64) * np.timedelta64(42 * 86400, "s")
    is_target = lesion < 3
    base = rng.uniform(10, 60, (n_subjects, 1, lesions)).astype(np.float32)
    base[:, :, 2] = rng.uniform(15, 40, (n_subjects, 1))
    factor = rng.normal(0, 0.05, (n_subjects, visits, lesions)).astype(np.float32) + 1
    trend = rng.normal(0, 0.12, (n_subjects, 1, 1)).astype(np.float32)
    factor += trend * np.arange(visits, dtype=np.float32)[None, :, None]
    diameter = np.round(np.clip(base * factor, 0, None), 1).reshape(-1).astype(np.float64)
    del factor
    diameter[~is_target] = np.nan
    diameter[rng.random(rows, dtype=np.float32) < 0.005] = np.nan  # not evaluated now and then
    u = rng.random(rows, dtype=np.float32)
    state_code = np.where(u < 0.02, 2, np.where(u < 0.22, 0, 1)).astype(np.int8)  # UNEQUIVOCAL, ABSENT, PRESENT
    del u
    state_code[is_target] = -1
    state_code[(visit == 0) & ~is_target] = 1
    return pd.DataFrame(
        {
            "USUBJID": subject,
            "VISIT": visit,
            "ADT": adt,
            "BASELINE": visit == 0,
            "LESIONID": lesion,
            "CATEGORY": pd.Categorical.from_codes(np.where(is_target, 0, 1).astype(np.int8), ["TARGET", "NON-TARGET"]),
            "NODAL": lesion == 2,
            "DIAMETER": diameter,
            "STATE": pd.Categorical.from_codes(state_code, ["ABSENT", "PRESENT", "UNEQUIVOCAL"]),
        }
    )


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def bench_lesions(n_subjects: int) -> None:
    t0 = time.perf_counter()
    data = synthetic_assessments(n_subjects)
    t1 = time.perf_counter()
    rss_input = peak_rss_gb()
    timepoints = derive_timepoint_responses(data)
    t2 = time.perf_counter()
    rss_timepoints = peak_rss_gb()
    rows = len(data)
    del data
    adrs = derive_adrs_from_timepoints(timepoints)
    t3 = time.perf_counter()
    bor = adrs.loc[adrs["PARAMCD"] == "BOR", "AVALC"].value_counts().to_dict()
    print(f"lesion engine: {n_subjects:,} subjects, {rows:,} lesion rows, {len(timepoints):,} time points")
    print(f"  synthetic data {t1 - t0:.1f} s; time-point responses {t2 - t1:.1f} s; ADRS parameters {t3 - t2:.1f} s")
    print(f"  total derivation {t3 - t1:.1f} s; peak memory (max RSS) {peak_rss_gb():.2f} GB; BOR {bor}")
    print(f"  peak after building the input {rss_input:.2f} GB, after the time points {rss_timepoints:.2f} GB")


def bench_from_overall() -> None:
    rs_path, adsl_path = SHARED / "sdtm" / "rs_onco.csv", SHARED / "adam" / "adsl.csv"
    if not rs_path.exists():
        print(f"(skipped --from-overall: {rs_path} not found)")
        return
    rs0 = pd.read_csv(rs_path, dtype=str, keep_default_na=False)
    adsl0 = pd.read_csv(adsl_path, dtype=str, keep_default_na=False)
    adsl0 = adsl0[adsl0["USUBJID"].isin(rs0["USUBJID"])]
    reps = range(1, 51)
    rs = pd.concat([rs0.assign(USUBJID=rs0["USUBJID"] + f"-R{k}") for k in reps], ignore_index=True)
    adsl = pd.concat([adsl0.assign(USUBJID=adsl0["USUBJID"] + f"-R{k}") for k in reps], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        once = derive_adrs_from_overall(rs0, adsl0)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            result = derive_adrs_from_overall(rs, adsl)
            times.append(time.perf_counter() - start)
    best = float(np.median(times))
    check = result.assign(USUBJID=result["USUBJID"].str.replace(r"-R\d+$", "", regex=True))
    cols = ["USUBJID", "PARAMCD", "AVALC", "ADT", "RSSEQ"]
    expected = pd.concat([once[cols]] * 50).sort_values(cols).reset_index(drop=True)
    same = check[cols].sort_values(cols).reset_index(drop=True).equals(expected)
    print(f"--from-overall: {adsl['USUBJID'].nunique():,} subjects, {len(rs):,} RS rows: median of 5 {best:.3f} s")
    print(
        f"  admiralonco {ADMIRALONCO_REPLICATED_S} s: {ADMIRALONCO_REPLICATED_S / best:.0f}x faster; replicates equal the original: {same}"
    )


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    bench_from_overall()
    bench_lesions(n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
