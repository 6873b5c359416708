"""``bench/bench_web_load.py`` runs end to end for a few users and seconds on SQLite (so that the load test cannot
rot): the real app under uvicorn, log-ins through the form, reads and writes of every kind, the writes found
again in the database, the audit chain intact, and the report in JSON."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_web_load", ROOT / "bench" / "bench_web_load.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_web_load"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_a_short_load_run_on_sqlite_reports_every_kind_and_finds_every_write(tmp_path: Path) -> None:
    bench = _bench()
    report_file = tmp_path / "load.json"
    argv = ["--users", "4", "--seconds", "3", "--patients", "2", "--think", "0.02", "--ramp", "0"]
    assert bench.main([*argv, "--json", str(report_file)]) == 0
    report = json.loads(report_file.read_text(encoding="utf-8"))
    checks = report["checks"]
    assert checks["server_errors"] == 0
    assert checks["unexpected_answers"] == 0
    assert checks["missing_count"] == 0
    assert checks["audit_chain"] == "ok"
    assert checks["acknowledged_writes"] > 0
    assert report["kinds"]["log-in (form, argon2)"]["count"] == 4  # every user logged in through the form
    assert {"page: dashboard", "page: patient", "api: patient list"} <= set(report["kinds"])
    for row in report["kinds"].values():
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"]
