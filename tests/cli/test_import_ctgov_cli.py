"""``oncotrial protocol import-ctgov``: a registry record becomes a draft protocol that validates, with the
lines it could not encode listed. Inputs: the seed trials' records (tests/reference/ctgov/); the expected
counts are those of the import tests in tests/io/test_ctgov.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from oncotrial.protocol import load_protocol
from tests.cli.helpers import assert_clean_error, run_cli
from tests.conftest import shared_path


def test_cli_import_writes_a_valid_protocol(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    code, stdout, stderr = run_cli(
        capsys, "protocol", "import-ctgov", str(shared_path("ctgov", "NCT01416831.json")), "--out", str(out)
    )
    assert code == 0, stderr
    assert "19 of 19 criterion lines (100 %) encoded" in stdout
    assert stderr.count("implausible threshold") == 2
    assert load_protocol(out).id == "NCT01416831"
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["arms"][0]["treatments"] == []
    code, stdout, _ = run_cli(capsys, "protocol", "validate", str(out))
    assert code == 0
    assert "valid protocol NCT01416831" in stdout


def test_cli_import_lists_review_lines(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, stdout, _ = run_cli(
        capsys,
        "protocol",
        "import-ctgov",
        str(shared_path("ctgov", "NCT00514085.json")),
        "--out",
        str(tmp_path / "d.yaml"),
    )
    assert code == 0
    assert "36 of 38 criterion lines (95 %) encoded" in stdout
    assert (
        "a permission, kept with no-concurrent-systemic-corticosteroids-e (never evaluated): Concurrent topical "
        "steroids are allowed"
    ) in stdout.replace("\n", " ").replace("  ", " ")


def test_cli_import_bad_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, stderr = run_cli(capsys, "protocol", "import-ctgov", str(bad), "--out", str(tmp_path / "d.yaml"))
    assert_clean_error(code, stderr)
    assert "is not valid JSON at line 1, column 2" in stderr


def test_draft_arm_has_no_calendar(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    run_cli(capsys, "protocol", "import-ctgov", str(shared_path("ctgov", "NCT01416831.json")), "--out", str(out))
    code, _, stderr = run_cli(
        capsys, "schedule", "--protocol", str(out), "--arm", "A", "--start", "2026-11-23", "--weight", "70"
    )
    assert_clean_error(code, stderr)
    assert "has no treatments yet" in stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b'{"protocolSection": {"identificationModule": {"nctId": "NCT0\xb5"}}}', "not UTF-8", id="latin1"),
        pytest.param(b"\xef\xbb\xbf[]", "a search response", id="bom-then-list"),
    ],
)
def test_cli_import_file_encodings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "record.json"
    path.write_bytes(content)
    code, _, stderr = run_cli(capsys, "protocol", "import-ctgov", str(path), "--out", str(tmp_path / "d.yaml"))
    assert_clean_error(code, stderr)
    assert message in stderr


def test_cli_import_into_a_missing_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "draft.yaml"
    record = str(shared_path("ctgov", "NCT01416831.json"))
    code, _, stderr = run_cli(capsys, "protocol", "import-ctgov", record, "--out", str(target))
    assert_clean_error(code, stderr)
    assert "Check that the folder exists" in stderr
