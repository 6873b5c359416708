"""Benchmark: virtual trials per second (issue 16), in this process and on a Dask LocalCluster of 1 and 2 workers.

Trials: NCT01416831 with its shipped scenario (44 patients randomised 1:1, screening failures, dropout, deaths,
crossover; RECIST time points and best response, selection, PFS log-rank: the full pipeline) and a Simon design
(CALGB-500001's scenario with the optimal design for p0 = .05, p1 = .20, alpha = .05, beta = .20: 0/10, 3/29).
Target: 10,000 replicates of NCT01416831 in under 60 s on 2 cores. The time on Dask includes sending the chunks
and gathering the results, not starting the cluster (reported apart); each run checks its estimates equal the
in-process ones (split-independence).

Run: ``PYTHONPATH=src taskset -c 0,1 python bench/bench_simulate.py [REPLICATES] [RUNS]`` (defaults 10000, 3;
prints the median of RUNS runs).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from oncotrial.protocol import load_builtin_protocol
from oncotrial.simulate import load_builtin_scenario
from oncotrial.simulate.cluster import choose_chunk_size, dask_runner, open_client
from oncotrial.simulate.trials import OperatingCharacteristics, TrialOptions, simulate_trials

SIMON = TrialOptions(p0=0.05, p1=0.20, alpha=0.05, beta=0.20)
TRIALS = {"NCT01416831": TrialOptions(), "CALGB-500001": SIMON}


def _median_time(fn: Callable[[], OperatingCharacteristics], runs: int) -> tuple[float, OperatingCharacteristics]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    assert result is not None
    return statistics.median(times), result


def main() -> None:
    replicates = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    cases = {pid: (load_builtin_protocol(pid), load_builtin_scenario(pid), options) for pid, options in TRIALS.items()}
    seconds: dict[tuple[str, str], float] = {}
    reference: dict[str, OperatingCharacteristics] = {}
    for pid, (protocol, scenario, options) in cases.items():
        seconds[(pid, "in process")], reference[pid] = _median_time(
            lambda p=protocol, s=scenario, o=options: simulate_trials(p, s, replicates, seed=1, options=o), runs
        )
    for workers in (1, 2):
        start = time.perf_counter()
        with open_client(workers=workers) as client:
            print(f"LocalCluster of {workers} worker(s) started in {time.perf_counter() - start:.1f} s")
            size = choose_chunk_size(replicates, workers)
            for pid, (protocol, scenario, options) in cases.items():
                run = dask_runner(client)
                took, result = _median_time(
                    lambda p=protocol, s=scenario, o=options, r=run, c=size: simulate_trials(  # type: ignore[misc]
                        p, s, replicates, seed=1, options=o, chunk_size=c, run_chunks=r
                    ),
                    runs,
                )
                assert result.estimates == reference[pid].estimates, f"{pid}: results differ on {workers} workers"
                seconds[(pid, f"{workers} worker{'s' if workers > 1 else ''}")] = took
    print(f"\n{replicates} replicates, median of {runs} runs (identical results everywhere)")
    print(f"{'trial':14} {'where':11} {'seconds':>8} {'trials/s':>9}")
    for (pid, where), took in seconds.items():
        print(f"{pid:14} {where:11} {took:8.2f} {replicates / took:9.0f}")
    for pid in cases:
        ratio = seconds[(pid, "1 worker")] / seconds[(pid, "2 workers")]
        print(f"{pid}: 2 workers / 1 worker speed-up {ratio:.2f}")


if __name__ == "__main__":
    main()
