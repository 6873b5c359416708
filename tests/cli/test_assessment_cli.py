"""``oncotrial assessment baseline|add --file``: baseline lesions, then a visit whose time-point response is printed
with its RECIST 1.1 rule id; a measurement of a lesion not identified at baseline is refused, nothing written.

Worked by hand (as in tests/store/test_assessments.py, RECIST 1.1 section 4.3 and
recist/rules/recist11_overall_response.csv): baseline T01 30 mm + T02 20 mm = 50 mm, NT01 present; week 6
20 + 14 = 34 mm, (34 - 50) / 50 = -32 % -> target PR; NT01 present -> NON-CR/NON-PD; no new lesion -> PR, row R13.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.cli.conftest import as_user, enrolled, query, run_ok
from tests.cli.helpers import assert_clean_error, run_cli

BASELINE = {
    "date": "2026-11-20",
    "lesions": [
        {"code": "T01", "kind": "TARGET", "location": "LUNG", "method": "CT SCAN", "diameter": 30},
        {"code": "T02", "kind": "TARGET", "location": "LIVER", "method": "CT SCAN", "diameter": 20},
        {"code": "NT01", "kind": "NON-TARGET", "location": "BONE", "method": "CT SCAN"},
    ],
}
WEEK6 = {
    "visit": "WEEK 6",
    "date": "2027-01-01",
    "measurements": [
        {"lesion": "T01", "diameter": 20},
        {"lesion": "T02", "diameter": 14},
        {"lesion": "NT01", "status": "PRESENT"},
    ],
}


def _file(tmp_path: Path, name: str, content: object) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def baseline(trial_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """A consented patient with the baseline lesions above: (database, subject)."""
    subject = enrolled(capsys, trial_db)
    out = run_ok(
        capsys,
        "assessment",
        "baseline",
        "--subject",
        subject,
        "--file",
        _file(tmp_path, "base.yaml", BASELINE),
        *as_user(trial_db, "inv1"),
    )
    assert (
        out.strip() == f"Recorded the baseline of patient {subject} on 2026-11-20: 3 lesions (2 target, 1 non-target)."
    )
    return trial_db, subject


def test_a_visit_prints_its_response_with_the_rule_id(
    baseline: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, subject = baseline
    out = run_ok(
        capsys,
        "assessment",
        "add",
        "--subject",
        subject,
        "--file",
        _file(tmp_path, "w6.yaml", WEEK6),
        "--json",
        *as_user(url, "inv1"),
    )
    shown = json.loads(out)
    assert (shown["overall"], shown["rule_id"], shown["target"], shown["sum_of_diameters"]) == ("PR", "R13", "PR", 34.0)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        pytest.param(
            {**WEEK6, "measurements": [{"lesion": "T09", "diameter": 20}]},
            "lesion T09 was not identified at baseline",
            id="lesion_not_at_baseline",
        ),
        pytest.param({**WEEK6, "lesions": []}, "lesions is not a field", id="unknown_key"),
        pytest.param({"visit": "WEEK 6", "date": "2027-01-01"}, "measurements is missing", id="no_measurements"),
        pytest.param({**WEEK6, "date": "2026-11-01"}, "before consent", id="before_consent"),
    ],
)
def test_a_bad_visit_is_refused_and_nothing_written(
    baseline: tuple[str, str], tmp_path: Path, content: object, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url, subject = baseline
    before = query(url, "SELECT count(*) FROM measurement")
    code, _, err = run_cli(
        capsys,
        "assessment",
        "add",
        "--subject",
        subject,
        "--file",
        _file(tmp_path, "bad.yaml", content),
        *as_user(url, "inv1"),
    )
    assert_clean_error(code, err)
    assert says in err
    assert query(url, "SELECT count(*) FROM measurement") == before
    assert query(url, "SELECT count(*) FROM assessment WHERE visit = 'WEEK 6'") == [(0,)]
