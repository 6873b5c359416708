"""The command line uses the core through its public names only (issue 11): what the CLI needs, the web app
and the report will need too, so it must be in a subpackage's ``__all__``, never in a private submodule."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

CLI = Path(__file__).resolve().parents[2] / "src" / "oncotrial" / "cli"
PUBLIC = {
    f"oncotrial.{p}"
    for p in (
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
        "io",
        "errors",
    )
} | {
    f"oncotrial.store{p}" for p in ("", ".services", ".models", ".migrate", ".access", ".cdisc", ".cdisc.adam")
}  # the store's public modules
PUBLIC |= {"oncotrial.web"}  # the web app, which only `oncotrial serve` imports
PUBLIC |= {"oncotrial.report"}  # the report, which `oncotrial report` and `export ctgov-results` import
PUBLIC |= {"oncotrial.demo"}  # the end-to-end demo (store and core together), which only `oncotrial demo` imports


def _imports() -> list[tuple[str, int, str, str]]:
    found = []
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("oncotrial"):
                found += [(path.name, node.lineno, node.module or "", alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                found += [(path.name, node.lineno, a.name, "") for a in node.names if a.name.startswith("oncotrial")]
    return found


def test_the_cli_imports_the_core():
    assert len(_imports()) > 30


@pytest.mark.parametrize(("file", "line", "module", "name"), _imports())
def test_the_cli_imports_only_public_names(file: str, line: int, module: str, name: str) -> None:
    where = f"cli/{file}:{line}: from {module} import {name}"
    if module.startswith("oncotrial.cli") or (module == "oncotrial" and name == "__version__"):
        return
    assert module in PUBLIC, f"{where}: import from the subpackage, not a private module"
    assert name in importlib.import_module(module).__all__, f"{where}: {name} is not in {module}.__all__"
