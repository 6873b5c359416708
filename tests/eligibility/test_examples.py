"""The example patients shipped for the demo (``oncotrial/eligibility/examples``), screened by hand.

DEMO-001 meets every NCT01416831 criterion; DEMO-002 has ECOG 2 (0-1 required) and AST 135 U/L,
above 3 x ULN (3 x 40 = 120), so two criteria fail; DEMO-003 has no labs, lesions or most conditions:
incomplete.
"""

from __future__ import annotations

from datetime import date
from importlib.resources import files

import yaml

from oncotrial.eligibility import screen_patients
from oncotrial.protocol import load_builtin_protocol


def test_demo_examples_screen_as_described() -> None:
    text = files("oncotrial.eligibility").joinpath("examples/NCT01416831-patients.yaml").read_text(encoding="utf-8")
    log = screen_patients(load_builtin_protocol("NCT01416831"), yaml.safe_load(text), as_of=date(2026, 11, 20))
    assert not log.problems
    assert [(r.subject_id, r.status) for r in log.results] == [
        ("DEMO-001", "eligible"),
        ("DEMO-002", "ineligible"),
        ("DEMO-003", "incomplete"),
    ]
    failing = [c.criterion_id for c in log.results[1].criteria if c.status == "not met"]
    assert failing == ["ecog", "ast-alt"]
