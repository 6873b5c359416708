"""Reading a large patients file through the bounded document reader (issue 10, item 12).

Usage: ``python bench/bench_documents.py [N_RECORDS]`` (default 100,000).

The three example records of ``eligibility/examples/NCT01416831-patients.yaml`` are repeated (each a
fresh copy, so the file has no aliases) with new subject ids, and written once as YAML (block style, as
people write them) and once as JSON. Each file is read by ``read_document`` with the patients-file
limits (libyaml's parser, the data built from its events counting depth, values and aliases), and,
for comparison, by ``yaml.CSafeLoader`` without any bound and by ``yaml.safe_load`` (PyYAML's
pure-Python loader, used before; on a tenth of the records, as it is slow). Before timing, the script checks that the bounded
reader returns the same data as ``yaml.CSafeLoader``. JSON: median of 3 runs; YAML: one run each.
"""

from __future__ import annotations

import copy
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from oncotrial._documents import PATIENTS_FILE_LIMITS, read_document


def _records(count: int) -> list[dict[str, Any]]:
    examples = yaml.safe_load(files("oncotrial.eligibility").joinpath("examples/NCT01416831-patients.yaml").read_text())
    out = []
    for i in range(count):
        record = copy.deepcopy(examples[i % len(examples)])
        record["subject_id"] = f"S{i:06d}"
        out.append(record)
    return out


def _median(run: Callable[[], object], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(count: int) -> None:
    records = _records(count)
    with tempfile.TemporaryDirectory() as folder:
        yaml_path, json_path, small_path = Path(folder, "p.yaml"), Path(folder, "p.json"), Path(folder, "small.yaml")
        yaml_path.write_text(yaml.safe_dump(records, sort_keys=False, allow_unicode=True), encoding="utf-8")
        json_path.write_text(json.dumps(records, default=str), encoding="utf-8")
        small_path.write_text(yaml.safe_dump(records[: count // 10], sort_keys=False), encoding="utf-8")
        text = yaml_path.read_text(encoding="utf-8")

        def bounded(path: Path) -> Any:
            return read_document(path, what="patients file", field="--patients", limits=PATIENTS_FILE_LIMITS)

        assert bounded(yaml_path) == yaml.load(text, Loader=yaml.CSafeLoader)  # same data, bounds or not
        print(
            f"{count:,} records: YAML {yaml_path.stat().st_size / 1e6:.0f} MB, JSON {json_path.stat().st_size / 1e6:.0f} MB"
        )
        print(f"bounded reader, YAML: {_median(lambda: bounded(yaml_path), 1):.2f} s")
        print(
            f"yaml.CSafeLoader (no bounds), YAML: {_median(lambda: yaml.load(text, Loader=yaml.CSafeLoader), 1):.2f} s"
        )
        print(f"bounded reader, JSON: {_median(lambda: bounded(json_path)):.2f} s")
        small = small_path.read_text(encoding="utf-8")
        print(f"yaml.safe_load (before), {count // 10:,} records: {_median(lambda: yaml.safe_load(small), 1):.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
