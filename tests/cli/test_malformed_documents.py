"""Malformed and hostile documents given to the commands: exit 1 with a message naming the problem.

The documents are those of the issue's list (1,038 malformed inputs were tried over every command):
deep nesting, impossible dates, long names, overflowing numbers, a full or endless file, an alias
bomb, values that validated although impossible, empty files. Each is run in-process where it is
safe; ``/dev/zero`` and the alias bomb run in a subprocess with a timeout and a memory cap.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

import oncotrial.protocol
from tests.cli.helpers import assert_clean_error, run_cli

LIBRARY = Path(oncotrial.protocol.__file__).parent / "library"
SRC = Path(__file__).resolve().parents[2] / "src"
SCHEDULE = ["schedule", "--protocol", "NCT01416831", "--arm", "A", "--start", "2026-11-23", "--weight", "70"]
SCREEN = ["screen", "--protocol", "NCT01416831", "--as-of", "2026-11-20"]
DEEP_YAML = "a: " + "[" * 1000 + "]" * 1000 + "\n"
DEEP_JSON = '{"a": ' + "[" * 1000 + "]" * 1000 + "}"


def _argv(command: str, path: Path, tmp_path: Path) -> list[str]:
    return {
        "validate": ["protocol", "validate", str(path)],
        "show": ["protocol", "show", str(path)],
        "import-ctgov": ["protocol", "import-ctgov", str(path), "--out", str(tmp_path / "draft.yaml")],
        "records": [*SCHEDULE, "--records", str(path)],
        "patients": [*SCREEN, "--patients", str(path)],
    }[command]


def _run(capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, _, err = run_cli(capsys, *_argv(command, path, tmp_path))
    assert_clean_error(code, err)
    assert not (tmp_path / "draft.yaml").exists()
    return err


@pytest.mark.parametrize(
    ("command", "name", "text"),
    [
        pytest.param("validate", "p.yaml", DEEP_YAML, id="validate"),
        pytest.param("show", "p.yaml", DEEP_YAML, id="show"),
        pytest.param("import-ctgov", "r.json", DEEP_JSON, id="import-ctgov"),
        pytest.param("records", "r.yaml", DEEP_YAML, id="records-yaml"),
        pytest.param("records", "r.json", DEEP_JSON, id="records-json"),
        pytest.param("patients", "p.yaml", "- " + DEEP_YAML, id="patients-yaml"),
        pytest.param("patients", "p.json", f"[{DEEP_JSON}]", id="patients-json"),
    ],
)
def test_nesting_1000_levels_deep(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, name: str, text: str
) -> None:
    """Before: RecursionError, exit 3."""
    err = _run(capsys, tmp_path, command, name, text)
    assert f"{name} cannot be used: it is nested more than 100 levels deep" in err


@pytest.mark.parametrize("command", ["validate", "records", "patients"])
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param("2026-02-30", "day is out of range for month", id="february-30"),
        pytest.param("0000-01-01", "year 0 is out of range", id="year-0"),
        pytest.param("2026-11-23T99:00:00", "hour must be in 0..23", id="hour-99"),
    ],
)
def test_impossible_dates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, value: str, reason: str
) -> None:
    """Before: PyYAML's timestamp constructor raised ValueError, exit 3."""
    text = f"- {{subject_id: P1, birth_date: {value}}}\n" if command == "patients" else f"start: {value}\n"
    err = _run(capsys, tmp_path, command, "doc.yaml", text)
    assert "it is not valid YAML at line 1, column" in err
    assert f"'{value}' cannot be read as a date or time ({reason})" in err


@pytest.mark.parametrize(
    ("command", "message"),
    [
        pytest.param(
            "validate", "doc.yaml is empty: a protocol is a mapping of fields (id, title, arms, ...)", id="protocol"
        ),
        pytest.param(
            "records", "doc.yaml is empty: a records file holds 'administrations' and/or 'cycle_starts'", id="records"
        ),
        pytest.param("patients", "must hold a list of one or more patient records", id="patients"),
    ],
)
def test_an_empty_file_is_called_empty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, message: str
) -> None:
    """Before: "found NoneType"."""
    err = _run(capsys, tmp_path, command, "doc.yaml", "")
    assert message in err
    assert "NoneType" not in err


def test_infinity_in_a_registry_record(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Before: OverflowError (int(inf)) in the enrolment count, exit 3."""
    record = '{"protocolSection": {"identificationModule": {"nctId": "NCT01416831"}, "designModule": {"enrollmentInfo": {"count": Infinity}}}}'
    err = _run(capsys, tmp_path, "import-ctgov", "r.json", record)
    assert "r.json cannot be used: it holds a value that cannot be read: Infinity is not a JSON number" in err


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["protocol", "show", "X" * 300], id="show-300-character-id"),
        pytest.param([*SCHEDULE[:1], "--protocol", "X" * 300, *SCHEDULE[3:]], id="schedule-300-character-id"),
        pytest.param([*SCREEN[:1], "--protocol", "X" * 300, "--patients", "p.yaml"], id="screen-300-character-id"),
    ],
)
def test_a_protocol_id_of_300_characters(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """Before: "File name too long", exit 3 (the id was tried as a file name)."""
    code, _, err = run_cli(capsys, *argv)
    assert_clean_error(code, err)
    assert "There is no built-in protocol 'XXXXXXXXXX" in err
    assert "(300 characters)" in err


def test_a_path_4000_levels_deep(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "protocol", "validate", "a/" * 4000 + "p.yaml")
    assert_clean_error(code, err)
    assert "Cannot read the protocol file a/a/a/" in err
    assert "File name too long. Check the path." in err
    assert len(err) < 400


def _protocol_with_dose(tmp_path: Path, amount: str) -> Path:
    text = (LIBRARY / "NCT01416831.yaml").read_text(encoding="utf-8")
    path = tmp_path / "protocol.yaml"
    path.write_text(text.replace("amount: 600000", f"amount: {amount}", 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        pytest.param(".inf", "Input should be a finite number", id="infinity"),
        pytest.param(".nan", "Input should be a finite number", id="nan"),
        pytest.param("1e308", "Input should be less than or equal to 1000000000", id="1e308"),
        pytest.param("true", "true is a yes/no value, not a number; write the number", id="true"),
    ],
)
def test_an_impossible_dose_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, amount: str, message: str
) -> None:
    """Before: validated, and ``schedule`` printed a calendar of ``inf IU``."""
    path = _protocol_with_dose(tmp_path, amount)
    for argv in (["protocol", "validate", str(path)], [*SCHEDULE[:1], "--protocol", str(path), *SCHEDULE[3:]]):
        code, out, err = run_cli(capsys, *argv)
        assert_clean_error(code, err)
        assert "arms[A].treatments[il2].dose.amount" in err
        assert message in err
        assert "inf IU" not in out


@pytest.mark.parametrize(
    ("record", "message"),
    [
        pytest.param(
            "{treatment: il2, cycle: 1, number: 2, status: given, datetime: 2026-11-23T16:00:00+02:00}",
            "2026-11-23T16:00:00+02:00 has a UTC offset; give the local time of the dose without one (e.g. 2026-11-23T16:00)",
            id="time-with-offset",
        ),
        pytest.param(
            "{treatment: il2, cycle: 1, number: 2, status: given, amount: .nan}",
            "administrations.0.amount: Input should be a finite number",
            id="nan-amount",
        ),
    ],
)
def test_records_that_cannot_be_applied(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, record: str, message: str
) -> None:
    """Before: an offset gave a TypeError (exit 3); a NaN amount was called negative."""
    err = _run(capsys, tmp_path, "records", "r.yaml", f"administrations:\n  - {record}\n")
    assert message in err
    assert "greater than or equal to 0" not in err


# --- unbounded input: in a subprocess, with a timeout and a memory cap ----------------------------

MEMORY_CAP = 2 * 1024**3  # the runs were killed at 3 GB


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _run_capped(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oncotrial", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        preexec_fn=_capped,
        timeout=120,
        check=False,
    )


def test_dev_zero_as_a_protocol_stops_at_the_size_limit() -> None:
    """Before: read until killed at 3 GB."""
    run = _run_capped("protocol", "validate", "/dev/zero")
    assert run.returncode == 1, run.stderr
    assert run.stderr.strip() == (
        "Error: The protocol file /dev/zero cannot be used: it is larger than 50 MB, the most oncotrial reads; "
        "check that it is the right file."
    )


def test_an_alias_bomb_as_a_patients_file_is_refused(tmp_path: Path) -> None:
    """Before: the "billion laughs" (9 aliases on each of 10 levels) was expanded until killed at 3 GB."""
    path = tmp_path / "patients.yaml"
    lines = ['- &a {subject_id: "lol"}'] + [
        f"- &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(9)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = _run_capped(*SCREEN, "--patients", str(path))
    assert run.returncode == 1, run.stderr
    assert "patients.yaml cannot be used: its aliases" in run.stderr
    assert "expand it by more than 1,000,000 values" in run.stderr


def test_a_registry_record_is_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A registry record named .yaml is still read as JSON (the registry's only format)."""
    record = {"protocolSection": {"identificationModule": {"nctId": "NCT01416831"}}}
    err = _run(capsys, tmp_path, "import-ctgov", "r.yaml", json.dumps(record) + "\n]")
    assert "r.yaml cannot be used: it is not valid JSON at line 2, column 1: Extra data" in err


def test_the_size_limit_is_set_by_the_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The built-in protocol file is 10 kB or more: over a limit of 0.001 MB (1,048 bytes), under the default."""
    path = tmp_path / "p.yaml"
    path.write_text((LIBRARY / "NCT01416831.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    code, _, err = run_cli(capsys, "protocol", "validate", str(path))
    assert code == 0, err
    monkeypatch.setenv("ONCOTRIAL_MAX_INPUT_MB", "0.001")
    code, _, err = run_cli(capsys, "protocol", "validate", str(path))
    assert_clean_error(code, err)
    assert "p.yaml cannot be used: it is larger than 1,048 bytes, the most oncotrial reads" in err


@pytest.mark.parametrize("setting", ["abc", "0", "-5", "nan", "1e9"])
def test_a_size_limit_that_is_not_a_size(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    monkeypatch.setenv("ONCOTRIAL_MAX_INPUT_MB", setting)
    code, _, err = run_cli(capsys, *SCHEDULE, "--records", "r.yaml")
    assert_clean_error(code, err)
    assert f"ONCOTRIAL_MAX_INPUT_MB='{setting}' is not a size in megabytes from 0 to 65536" in err
