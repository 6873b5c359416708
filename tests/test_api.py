"""The flat public API: ``import oncotrial as ot`` (issue 11, item 1)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import oncotrial as ot


def test_simon_design_through_the_flat_api_matches_clinfun():
    """clinfun 1.1.5 ``ph2simon(0.2, 0.4, 0.05, 0.2)`` optimal design 3/13, 12/43 (tests/reference/simon/
    simon_designs.csv); alpha .05 and beta .20 are the defaults."""
    optimal = ot.find_simon_designs(0.20, 0.40).optimal
    assert (optimal.r1, optimal.n1, optimal.r, optimal.n) == (3, 13, 12, 43)


def test_the_root_exports_exactly_the_core_subpackages_public_names():
    expected: dict[str, object] = {}
    for package in (
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
        "io",
    ):
        module = importlib.import_module(f"oncotrial.{package}")
        for name in module.__all__:
            assert name not in expected, f"{name} is exported by two subpackages"
            expected[name] = getattr(module, name)
    assert ot.__all__ == sorted(expected)
    for name, value in expected.items():
        assert getattr(ot, name) is value


@pytest.mark.parametrize(
    "name",
    [
        "find_simon_designs",
        "derive_timepoint_responses",
        "compute_kaplan_meier",
        "evaluate_eligibility",
        "build_dosing_calendar",
        "load_builtin_protocol",
    ],
)
def test_the_names_the_design_document_promises_are_there(name):
    assert callable(getattr(ot, name))


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'find_simon_design'"):
        _ = ot.find_simon_design


def test_importing_oncotrial_imports_no_subpackage():
    code = "import sys, oncotrial; print(sorted(m for m in sys.modules if m.startswith(('oncotrial.', 'pandas'))))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_lazy_package_whose_all_and_names_differ_is_refused_at_import():
    from oncotrial._lazy import lazy_attributes

    namespace = {"__name__": "oncotrial.example", "__all__": ["read_table", "write_table"]}
    with pytest.raises(RuntimeError, match="write_table"):
        lazy_attributes(namespace, {"read_table": "oncotrial.io.tables"})
