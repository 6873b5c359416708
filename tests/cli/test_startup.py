"""Start-up: a command imports only what it uses (issue 10, item 7).

The time itself is measured by ``bench/bench_startup.py``; these tests check the cause of a slow start, the
heavy modules imported, in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from oncotrial import __version__
from tests.cli.helpers import run_cli

# pydantic is not listed: typer itself imports it when it builds a command (typer._adapters)
HEAVY = [
    "pandas",
    "scipy",
    "numpy",
    "pint",
    "oncotrial.protocol.models",
    "oncotrial.design",
    "oncotrial.endpoints",
    "oncotrial.recist",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "uvicorn",
    "jinja2",
    "argon2",
]


def _modules_after(argv: list[str]) -> set[str]:
    code = (
        "import json, sys\n"
        "from oncotrial.cli.main import main\n"
        f"main({argv!r})\n"
        "sys.__stdout__.write('\\n' + json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["protocol", "list"],
        ["protocol", "list", "--json"],
        ["patient", "--help"],
        ["db", "--help"],
        ["pk", "--help"],
        ["safety", "--help"],
        ["biomarker", "--help"],
        ["serve", "--help"],
        ["report", "--help"],
        ["demo", "--help"],
    ],
)
def test_help_version_and_protocol_list_import_no_heavy_module(argv):
    loaded = _modules_after(argv)
    assert not [name for name in HEAVY if name in loaded]


def test_a_command_imports_its_module_when_run():
    assert "oncotrial.design" in _modules_after(["design", "single", "--p0", "0.2", "--p1", "0.4"])


def test_a_database_command_imports_sqlalchemy_when_run(tmp_path):
    assert "sqlalchemy" in _modules_after(["db", "status", "--db", f"sqlite:///{tmp_path / 'x.db'}"])


def test_version_prints_the_package_version(capsys):
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0
    assert out.strip() == f"oncotrial {__version__}"


def test_help_lists_every_command(capsys):
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0
    for name in (
        "protocol",
        "design",
        "schedule",
        "screen",
        "recist",
        "adtte",
        "km",
        "cox",
        "rates",
        "demo",
        "db",
        "patient",
    ):
        assert name in out


def test_unknown_command_is_a_usage_error(capsys):
    code, _, err = run_cli(capsys, "kmx")
    assert code == 2
    assert "No such command" in err


def test_the_protocol_list_shows_what_the_validated_protocols_hold():
    """The light index (read without the models) agrees with the validated built-in protocols."""
    from oncotrial.protocol import load_builtin_protocol, summarise_builtin_protocols

    for summary in summarise_builtin_protocols():
        protocol = load_builtin_protocol(summary.id)
        assert summary.short_title == (protocol.short_title or protocol.title)
        assert (summary.id, summary.phase, summary.design) == (protocol.id, protocol.phase, protocol.design.kind)
        assert summary.arms == tuple(arm.id for arm in protocol.arms)
