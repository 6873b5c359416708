"""No command writes over one of its own inputs, and outputs are written whole (``cli.common``).

Every output option is declared with ``output_option`` and checked, before the command runs, against
the command's inputs and its other outputs; the files are compared themselves (the same path written
two ways, a symbolic link, a hard link).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import typing
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.models import ParameterInfo

from oncotrial.cli.common import OUTPUT_FILES
from oncotrial.cli.main import COMMANDS, load_command_app
from tests.cli.helpers import assert_clean_error, run_cli

GRID = "p0,p1,alpha,beta\n0.1,0.3,0.05,0.2\n"
SRC = Path(__file__).resolve().parents[2] / "src"


def _grid(folder: Path) -> Path:
    path = folder / "g.csv"
    path.write_text(GRID, encoding="utf-8")
    return path


def _relative(grid: Path, folder: Path) -> str:
    return "./g.csv"


def _symlink(grid: Path, folder: Path) -> str:
    (folder / "link.csv").symlink_to(grid)
    return str(folder / "link.csv")


def _hard_link(grid: Path, folder: Path) -> str:
    os.link(grid, folder / "hard.csv")
    return str(folder / "hard.csv")


def _absolute(grid: Path, folder: Path) -> str:
    return str(grid.resolve())


@pytest.mark.parametrize(
    "spell", [_relative, _symlink, _hard_link, _absolute], ids=["dot-slash", "symlink", "hard-link", "absolute"]
)
def test_design_simon_refuses_to_write_over_its_grid(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spell: Callable[..., str]
) -> None:
    """The issue: ``design simon --grid g.csv --out g.csv`` replaced the grid with the designs."""
    monkeypatch.chdir(tmp_path)
    grid = _grid(tmp_path)
    code, _, err = run_cli(capsys, "design", "simon", "--grid", "g.csv", "--out", spell(grid, tmp_path))
    assert_clean_error(code, err)
    assert "--out" in err
    assert "is the same file as --grid g.csv" in err
    assert grid.read_text(encoding="utf-8") == GRID


def _protocol_file(folder: Path) -> Path:
    path = folder / "p.yaml"
    path.write_text("id: X\n", encoding="utf-8")
    return path


SCHEDULE = ["schedule", "--arm", "A", "--start", "2026-11-23", "--weight", "70"]


@pytest.mark.parametrize(
    ("argv", "output", "input_option"),
    [
        pytest.param(["protocol", "import-ctgov", "{f}", "--out", "{f}"], "--out", "FILE", id="import-ctgov"),
        pytest.param([*SCHEDULE, "--protocol", "{f}", "--out", "{f}"], "--out", "--protocol", id="schedule-protocol"),
        pytest.param(
            [*SCHEDULE, "--protocol", "NCT01416831", "--records", "{f}", "--out", "{f}"],
            "--out",
            "--records",
            id="schedule-records",
        ),
        pytest.param(["recist", "--tu", "{f}", "--tr", "{o}", "--out", "{f}"], "--out", "--tu", id="recist-out"),
        pytest.param(
            ["recist", "--tu", "{o}", "--tr", "{f}", "--out", "{n}", "--timepoints", "{f}"],
            "--timepoints",
            "--tr",
            id="recist-timepoints",
        ),
        pytest.param(
            ["recist", "--tu", "{o}", "--tr", "{o}", "--irradiated", "{f}", "--out", "{n}", "--irradiated-out", "{f}"],
            "--irradiated-out",
            "--irradiated",
            id="recist-irradiated-out",
        ),
        pytest.param(["adtte", "--adsl", "{o}", "--adrs", "{f}", "--out", "{f}"], "--out", "--adrs", id="adtte"),
        pytest.param(
            ["km", "--data", "{f}", "--time", "t", "--event", "e", "--out", "{f}"], "--out", "--data", id="km"
        ),
    ],
)
def test_every_command_refuses_an_output_that_is_an_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], output: str, input_option: str
) -> None:
    kept = _protocol_file(tmp_path)
    other = tmp_path / "other.csv"
    other.write_text("USUBJID\n", encoding="utf-8")
    names = {"{f}": str(kept), "{o}": str(other), "{n}": str(tmp_path / "new.csv")}
    code, _, err = run_cli(capsys, *[names.get(arg, arg) for arg in argv])
    assert_clean_error(code, err)
    assert f"{output} {kept} is the same file as {input_option} {kept}, an input of this command" in err
    assert kept.read_text(encoding="utf-8") == "id: X\n"
    assert not (tmp_path / "new.csv").exists()


def test_two_outputs_cannot_be_the_same_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    tu, tr = tmp_path / "tu.csv", tmp_path / "tr.csv"
    tu.write_text("USUBJID\n", encoding="utf-8")
    tr.write_text("USUBJID\n", encoding="utf-8")
    both = tmp_path / "new" / ".." / "both.csv"  # the same file written two ways, not there yet
    argv = ["recist", "--tu", str(tu), "--tr", str(tr), "--out", str(tmp_path / "both.csv"), "--summary", str(both)]
    code, _, err = run_cli(capsys, *argv)
    assert_clean_error(code, err)
    assert f"--summary {both} is the same file as --out {tmp_path / 'both.csv'}, another output" in err


def test_an_option_value_that_names_no_file_is_not_an_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--arm A --out A``: the arm is not a file, so the calendar is written to the file A."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, *SCHEDULE, "--protocol", "NCT01416831", "--csv", "--out", "A")
    assert code == 0, err
    assert (tmp_path / "A").read_text(encoding="utf-8").startswith("subject_id,datetime,agent,")


def _options(command: typer.models.CommandInfo) -> dict[str, tuple[type, ParameterInfo]]:
    assert command.callback is not None
    hints = typing.get_type_hints(command.callback, include_extras=True)
    found = {}
    for name, hint in hints.items():
        info = next((m for m in getattr(hint, "__metadata__", ()) if isinstance(m, ParameterInfo)), None)
        if info is not None:
            found[name] = (hint.__origin__, info)
    return found


def _commands(application: typer.Typer) -> list[typer.models.CommandInfo]:
    commands = list(application.registered_commands)
    for group in application.registered_groups:
        assert group.typer_instance is not None
        commands += _commands(group.typer_instance)
    return commands


def test_every_option_that_names_a_written_file_is_declared_an_output() -> None:
    """An option whose help says "write" ("ADRS file to write", "Also write ...") must come from ``output_option``."""
    commands = [command for name in COMMANDS for command in _commands(load_command_app(name))]
    assert len(commands) > len(COMMANDS)  # every command and subcommand, loaded
    for command in commands:
        for name, (kind, info) in _options(command).items():
            says_written = re.search(r"\bwrite\b", info.help or "", flags=re.IGNORECASE) is not None
            is_output = info.rich_help_panel == OUTPUT_FILES
            assert is_output == (says_written and Path in {*typing.get_args(kind), kind}), (
                command.callback.__name__ if command.callback else command,
                name,
            )


def test_design_simon_writes_to_a_full_disk_as_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "design", "simon", "--p0", "0.2", "--p1", "0.4", "--out", "/dev/full")
    assert_clean_error(code, err)
    assert "Cannot write /dev/full: No space left on device" in err


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["protocol", "show", "NCT01416831", "--json"], id="protocol-show-json"),
        pytest.param([*SCHEDULE, "--protocol", "NCT01416831"], id="schedule-table"),
    ],
)
def test_standard_output_to_a_full_disk_is_a_clear_error(argv: list[str]) -> None:
    """Before, ``> /dev/full`` ended in "Internal error ... OSError", exit 3."""
    with open("/dev/full", "w", encoding="utf-8") as full:
        run = subprocess.run(
            [sys.executable, "-m", "oncotrial", *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(SRC)},
            timeout=120,
            check=False,
        )
    assert run.returncode == 1, run.stderr
    assert run.stderr.strip() == (
        "Error: cannot write the output: No space left on device. Free some space or write to another file."
    )
