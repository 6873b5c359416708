"""Virtual trials on Dask: the same results on one and two workers as in this process, and clear errors for a
cluster that cannot be used."""

from __future__ import annotations

import socket

import pandas as pd
import pytest

from oncotrial.errors import DataError
from oncotrial.protocol import load_builtin_protocol
from oncotrial.simulate import load_builtin_scenario
from oncotrial.simulate.cluster import choose_chunk_size, dask_runner, open_client
from oncotrial.simulate.trials import simulate_trials

PROTOCOL = load_builtin_protocol("NCT01416831")
SCENARIO = load_builtin_scenario("NCT01416831")


def test_one_and_two_dask_workers_give_the_in_process_results() -> None:
    """Split-independence: 200 replicates in one chunk here, and in chunks of 25 on a LocalCluster of one
    worker process and then of two (the same cluster scaled up), are identical replicate for replicate."""
    here = simulate_trials(PROTOCOL, SCENARIO, 200, seed=8, chunk_size=200)
    with open_client(workers=1) as client:
        one = simulate_trials(PROTOCOL, SCENARIO, 200, seed=8, chunk_size=25, run_chunks=dask_runner(client))
        assert len(client.scheduler_info()["workers"]) == 1
        client.cluster.scale(2)
        client.wait_for_workers(2, timeout=60)
        two = simulate_trials(PROTOCOL, SCENARIO, 200, seed=8, chunk_size=25, run_chunks=dask_runner(client))
    assert one.estimates == here.estimates
    assert two.estimates == here.estimates
    pd.testing.assert_frame_equal(one.to_replicate_frame(), here.to_replicate_frame())
    pd.testing.assert_frame_equal(two.to_replicate_frame(), here.to_replicate_frame())


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_scheduler_is_a_clear_error() -> None:
    address = f"tcp://127.0.0.1:{_closed_port()}"
    with (
        pytest.raises(DataError, match="Cannot reach the Dask scheduler") as exc,
        open_client(scheduler=address, timeout_s=1),
    ):
        pass
    assert exc.value.fields["field"] == "scheduler"
    assert exc.value.code == "SIM-E060"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        pytest.param({}, "SIM-E062", id="neither"),
        pytest.param({"scheduler": "tcp://127.0.0.1:8786", "workers": 2}, "SIM-E062", id="both"),
        pytest.param({"workers": 0}, "SIM-E061", id="no_workers"),
        pytest.param({"workers": 1000}, "SIM-E061", id="too_many_workers"),
    ],
)
def test_cluster_settings_are_checked_before_anything_starts(arguments: dict[str, object], code: str) -> None:
    with pytest.raises(DataError) as exc, open_client(**arguments):  # type: ignore[arg-type]
        pass
    assert exc.value.code == code


@pytest.mark.parametrize(
    ("replicates", "workers", "size"),
    [(10_000, 2, 1250), (100, 2, 100), (1_000_000, 2, 2000), (10_000, 1, 2000)],
)
def test_chunk_size_is_about_four_chunks_per_worker_within_bounds(replicates: int, workers: int, size: int) -> None:
    """ceil(10000 / 8) = 1250; at least 100 and at most 2000 replicates per chunk."""
    assert choose_chunk_size(replicates, workers) == size
