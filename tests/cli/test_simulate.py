"""``oncotrial simulate``: operating characteristics printed and written, the same for the same seed, and bad
input refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.helpers import assert_clean_error, run_cli
from tests.cli.test_startup import HEAVY, _modules_after


def test_simulate_prints_and_writes_the_operating_characteristics(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run_cli(
        capsys, "simulate", "--protocol", "NCT01416831", "--replicates", "150", "--seed", "4", "--out", str(tmp_path)
    )
    assert code == 0
    assert "150 virtual trials of NCT01416831 (scenario NCT01416831-expected, seed 4)" in out
    for measure in ("P(correct selection)", "power of PFS comparison", "ORR bias", "MC SE"):
        assert measure in out
    written = json.loads((tmp_path / "operating_characteristics.json").read_text())
    assert written["replicates"] == 150
    assert written["seed"] == 4
    table = pd.read_csv(tmp_path / "operating_characteristics.csv")
    assert list(table.columns) == ["measure", "arm", "estimate", "se", "exact", "difference"]
    assert [e["estimate"] for e in written["estimates"]] == pytest.approx(list(table["estimate"]))
    replicates = pd.read_csv(tmp_path / "replicates.csv")
    assert len(replicates) == 150
    assert set(replicates["enrolled"]) == {44}


def test_the_same_seed_prints_the_same_results(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("simulate", "--protocol", "NCT01416831", "--replicates", "60", "--seed", "12")
    first, second = run_cli(capsys, *argv)[1], run_cli(capsys, *argv)[1]
    assert first == second
    assert run_cli(capsys, *argv[:-1], "13")[1] != first


def test_a_simon_protocol_without_stage_sizes_takes_p0_p1_alpha_beta(capsys: pytest.CaptureFixture[str]) -> None:
    """p0 = .05, p1 = .25, alpha = .05, beta = .20: clinfun's optimal design 0/9, 2/17
    (tests/reference/simon/simon_admissible.csv)."""
    code, out, _ = run_cli(
        capsys, "simulate", "--protocol", "CALGB-500001", "--replicates", "100", "--p0", "0.05", "--p1", "0.25"
    )
    assert code == 0
    assert "design Simon two-stage 0/9, 2/17" in out
    assert "P(declare promising)" in out


def _scenario_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


BAD_PROBABILITY = """\
id: bad
protocol: NCT01416831
arms:
  A: {response_probability: 1.5, pfs_hazard: 0.2, os_hazard: 0.05}
  B: {response_probability: 0.3, pfs_hazard: -0.2, os_hazard: 0.05}
"""
UNKNOWN_ARM = """\
id: bad
protocol: NCT01416831
arms:
  A: {response_probability: 0.2, pfs_hazard: 0.2, os_hazard: 0.05}
  B: {response_probability: 0.3, pfs_hazard: 0.2, os_hazard: 0.05}
  C: {response_probability: 0.3, pfs_hazard: 0.2, os_hazard: 0.05}
"""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--protocol", "NOPE", "--replicates", "5"], "no built-in protocol 'NOPE'", id="unknown_protocol"),
        pytest.param(["--protocol", "NCT01416831", "--replicates", "0"], "replicates = 0", id="no_replicates"),
        pytest.param(["--protocol", "NCT01416831", "--replicates", "-3"], "replicates = -3", id="negative"),
        pytest.param(["--protocol", "CALGB-500001", "--replicates", "5"], "give p0 and p1", id="simon_without_p0"),
        pytest.param(
            ["--protocol", "NCT01416831", "--replicates", "5", "--workers", "2", "--scheduler", "tcp://x:1"],
            "not both",
            id="workers_and_scheduler",
        ),
        pytest.param(
            ["--protocol", "NCT01416831", "--replicates", "5", "--scenario", "BAD_PROBABILITY"],
            "arms.A.response_probability",
            id="probability_above_one",
        ),
        pytest.param(
            ["--protocol", "NCT01416831", "--replicates", "5", "--scenario", "BAD_PROBABILITY"],
            "arms.B.pfs_hazard",
            id="negative_hazard",
        ),
        pytest.param(
            ["--protocol", "NCT01416831", "--replicates", "5", "--scenario", "UNKNOWN_ARM"],
            "arms.C",
            id="arm_the_protocol_lacks",
        ),
        pytest.param(
            ["--protocol", "HD-IL2-LTO", "--replicates", "5", "--scenario", "missing.yaml"],
            "missing.yaml",
            id="scenario_file_missing",
        ),
    ],
)
def test_bad_input_is_one_clear_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], message: str
) -> None:
    texts = {"BAD_PROBABILITY": BAD_PROBABILITY, "UNKNOWN_ARM": UNKNOWN_ARM}
    argv = [_scenario_file(tmp_path, texts[a]) if a in texts else a for a in argv]
    code, out, err = run_cli(capsys, "simulate", *argv)
    assert_clean_error(code, err)
    assert message in err
    assert "virtual trials of" not in out


def test_an_unreachable_scheduler_is_one_clear_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    monkeypatch.setattr("oncotrial.simulate.cluster.CONNECT_TIMEOUT_S", 1)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, _, err = run_cli(
        capsys, "simulate", "--protocol", "NCT01416831", "--replicates", "5", "--scheduler", f"tcp://127.0.0.1:{port}"
    )
    assert_clean_error(code, err)
    assert "Cannot reach the Dask scheduler" in err


def test_simulate_help_imports_no_heavy_module() -> None:
    loaded = _modules_after(["simulate", "--help"])
    assert not [name for name in HEAVY if name in loaded]
