"""Project checks: the README's two commands, CI calling the same test command, lint and types."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```sh", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.strip().splitlines()]


def test_readme_starts_with_exactly_two_commands_each_making_its_own_environment():
    main_job, tests = _readme_commands()
    assert "python3 -m venv .venv " in main_job
    assert main_job.endswith("oncotrial demo")
    assert "python3 -m venv .venv-test " in tests
    assert "pytest" in tests


def test_ci_runs_exactly_the_readme_test_command():
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _readme_commands()[1] in ci_lines


@pytest.mark.skipif(shutil.which("ruff", path=str(Path(sys.executable).parent)) is None, reason="ruff not installed")
def test_ruff_finds_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    result = subprocess.run([ruff, "check", "src", "tests"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_finds_nothing():
    pytest.importorskip("mypy")
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_links_no_file_outside_the_repository():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../" not in text


def test_every_reference_file_has_its_provenance_in_the_reference_readme():
    readme = (ROOT / "tests" / "reference" / "README.md").read_text(encoding="utf-8")
    for path in (ROOT / "tests" / "reference").iterdir():
        if path.is_dir():
            assert f"`{path.name}/" in readme, f"tests/reference/{path.name} has no provenance row"


CLI_HELPERS = "from tests.cli." + "helpers import"  # split, so that this file does not name itself


def test_command_line_tests_live_under_tests_cli():
    """A reader finds every test that runs ``oncotrial`` in tests/cli/ (the core's tests beside their module)."""
    outside = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("test_*.py")
        if "cli" not in path.relative_to(ROOT / "tests").parts[:1] and CLI_HELPERS in path.read_text(encoding="utf-8")
    ]
    assert outside == []


CORE = (
    "protocol",
    "design",
    "eligibility",
    "dosing",
    "recist",
    "endpoints",
    "randomise",
    "pk",
    "safety",
    "biomarker",
    "simulate",
)
EDGES = ("store", "web", "cli", "report")


def test_the_core_never_imports_the_store_the_web_app_the_cli_or_the_report():
    """DESIGN.md: the core packages take plain data and return plain data; only the edges do I/O."""
    import ast

    offenders = []
    for package in CORE:
        for path in sorted((ROOT / "src" / "oncotrial" / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                offenders += [
                    f"{path.relative_to(ROOT)}: {name}"
                    for name in names
                    if any(name == f"oncotrial.{edge}" or name.startswith(f"oncotrial.{edge}.") for edge in EDGES)
                    or name.split(".")[0] in ("sqlalchemy", "alembic", "psycopg", "fastapi")
                ]
    assert offenders == []
