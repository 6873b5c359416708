"""The README's trial-database session, run exactly as the README writes it: from an empty folder to a
randomised patient and a verified audit trail.

Expected values: the session's own facts (the first patient of site 01 is 01-0001 with enrolment number 1;
the record meets every criterion of NCT01416831, as tests/eligibility/test_evaluate.py checks criterion by
criterion; NCT01416831 has arms A and B).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from oncotrial.store import open_store
from tests.cli.conftest import query
from tests.cli.helpers import run_cli
from tests.conftest import ROOT
from tests.store.conftest import eligible_record


def _session() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### The trial database", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [shlex.split(line) for line in block.strip().splitlines()]


@pytest.fixture
def outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Run the README's session in a folder holding record.yaml: ``export`` sets a variable, every other line is
    an ``oncotrial`` command, which must succeed. The standard output of each command, in order."""
    (tmp_path / "record.yaml").write_text(yaml.safe_dump(eligible_record(), sort_keys=False), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    printed = []
    for words in _session():
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            monkeypatch.setenv(name, value)
            continue
        assert words[0] == "oncotrial"
        code, out, err = run_cli(capsys, *words[1:])
        assert code == 0, (words, err)
        printed.append(out)
    return printed


def test_the_session_sets_the_database_and_user_and_runs_every_kind_of_command() -> None:
    words = _session()
    assert [w[:2] for w in words if w[0] == "export"] == [
        ["export", "ONCOTRIAL_DB=sqlite:///trial.db"],
        ["export", "ONCOTRIAL_USER=admin"],
        ["export", "ONCOTRIAL_USER=jsmith"],
    ]
    commands = [" ".join(w[1:3]) for w in words if w[0] == "oncotrial"]
    for command in ("db init", "trial create", "site add", "user add", "trial allocation", "patient enrol"):
        assert command in commands
    assert commands[-6:] == [
        "patient screen",
        "patient randomise",
        "dose start",
        "dose record",
        "ae add",
        "audit verify",
    ]


def test_the_session_enrols_screens_and_randomises_one_patient(outputs: list[str]) -> None:
    text = "".join(outputs)
    assert "Enrolled patient 01-0001 at site 01 of trial NCT01416831 on 2026-11-18 (enrolment number 1)." in text
    assert "Patient 01-0001: eligible." in text
    assert re.search(r"Randomised patient 01-0001 to arm [AB] on 2026-11-21\.", text)
    assert "Recorded il2 cycle 1 dose 1 of patient 01-0001: given at 2026-11-23 08:00." in text
    assert "Recorded adverse event 1 of patient 01-0001: Hypotension, grade 3, onset 2026-11-24." in text
    assert outputs[-1].startswith("Audit trail OK")


def test_the_session_leaves_a_current_sqlite_file_in_the_folder(outputs: list[str], tmp_path: Path) -> None:
    open_store(f"sqlite:///{tmp_path / 'trial.db'}").dispose()  # refuses a database that is not current
    url = f"sqlite:///{tmp_path / 'trial.db'}"
    assert query(url, "SELECT username, role FROM app_user ORDER BY id") == [
        ("admin", "admin"),
        ("jsmith", "investigator"),
        ("mlee", "monitor"),
    ]
