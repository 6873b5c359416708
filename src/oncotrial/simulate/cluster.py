"""Virtual trials on Dask: the chunks of replicates of :func:`oncotrial.simulate.simulate_trials` sent to a
``distributed`` cluster — an existing scheduler (``--scheduler ADDRESS``) or a local cluster of worker
processes (``--workers N``).

Each chunk draws from its replicates' own streams, so the results are the same for any number of workers
or chunks; the chunks' outcomes are gathered in replicate order. ``distributed`` is imported only here,
when a cluster is asked for.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from oncotrial.errors import DataError
from oncotrial.simulate._engine import ReplicateOutcomes, simulate_replicates
from oncotrial.simulate._plan import TrialPlan
from oncotrial.simulate.trials import Chunk, ChunkRunner

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["MAX_WORKERS", "choose_chunk_size", "dask_runner", "open_client"]

MAX_WORKERS = 256
CONNECT_TIMEOUT_S = 10  # seconds


def dask_runner(client: Client) -> ChunkRunner:
    """A chunk runner for :func:`~oncotrial.simulate.simulate_trials` that runs the chunks on ``client``'s
    cluster and yields their outcomes in order as each arrives."""

    def run(plan: TrialPlan, seed: int, chunks: Sequence[Chunk]) -> Iterable[ReplicateOutcomes]:
        [shared] = client.scatter([plan], broadcast=True, hash=False)  # type: ignore[no-untyped-call]
        futures = [client.submit(simulate_replicates, shared, seed, start, stop, pure=False) for start, stop in chunks]
        try:
            for future in futures:
                yield future.result()
        finally:
            client.cancel(futures)  # type: ignore[no-untyped-call]

    return run


def choose_chunk_size(replicates: int, workers: int) -> int:
    """About four chunks per worker, of 100 to 2,000 replicates (the results do not depend on it)."""
    return min(2000, max(100, math.ceil(replicates / (4 * max(workers, 1)))))


def _check_workers(workers: int) -> None:
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise DataError(
            f"workers = {workers!r} is not valid: give the number of local worker processes, 1 to {MAX_WORKERS}.",
            code="SIM-E061",
            field="workers",
        )


@contextmanager
def open_client(
    *, scheduler: str | None = None, workers: int | None = None, timeout_s: float | None = None
) -> Iterator[Client]:
    """A ``distributed.Client`` on the scheduler at ``scheduler``, or on a local cluster of ``workers``
    single-threaded worker processes on 127.0.0.1 (no dashboard), closed on exit; a scheduler that does not
    answer within ``timeout_s`` seconds (default :data:`CONNECT_TIMEOUT_S`) is an error.

    Raises
    ------
    DataError
        Both or neither given; ``workers`` out of range; the scheduler cannot be reached (SIM-E060).
    """
    if (scheduler is None) == (workers is None):
        raise DataError(
            "Give either a scheduler address or a number of local workers, not both (or neither).",
            code="SIM-E062",
            field="scheduler",
        )
    from distributed import Client, LocalCluster

    if workers is not None:
        _check_workers(workers)
        with (
            LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,  # type: ignore[no-untyped-call]
        ):
            yield client
        return
    try:
        client = Client(scheduler, timeout=timeout_s or CONNECT_TIMEOUT_S)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise DataError(
            f"Cannot reach the Dask scheduler at {scheduler!r} ({type(exc).__name__}): check the address "
            "(e.g. tcp://10.0.0.5:8786) and that the scheduler is running, or use --workers N for a local cluster.",
            code="SIM-E060",
            field="scheduler",
        ) from exc
    with client:
        yield client
