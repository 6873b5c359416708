"""``oncotrial screen`` (``oncotrial.cli.screen``), run in-process through ``main(argv)``.

Hand-built patients for NCT01416831 (SBRT + high-dose IL-2), screened on 2026-11-21 with treatment
planned for Monday 2026-11-23 08:00; labs and ECOG of 2026-11-16 (7 days before: fresh).
CLI-001 is eligible: a man (no pregnancy test needed), 68, ECOG 0, WBC 5.1 x 10^9/L (not < 3.0),
Hgb 135 g/L = 13.5 g/dL (not < 9.0), AST 22 and ALT 30 U/L with ULN 40 (< 3 x ULN), bilirubin
12 umol/L = 0.70 mg/dL and creatinine 95 umol/L = 1.07 mg/dL (not > 1.9), pulmonary tests >= 70 %,
one 35 mm liver focus, consent signed 2026-11-19. CLI-002 is CLI-001 with ECOG 2 (> 1): ineligible.
CLI-003 is CLI-001 without any laboratory result: incomplete.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from tests.cli.helpers import assert_clean_error, run_cli

PATIENTS_YAML = """\
- &eligible
  subject_id: CLI-001
  sex: male
  birth_date: 1958-03-14
  planned_start: 2026-11-23T08:00
  ecog: {value: 0, date: 2026-11-16}
  labs:
    - {analyte: wbc, value: 5.1, unit: x10^9/L, date: 2026-11-16}
    - {analyte: hemoglobin, value: 135, unit: g/L, date: 2026-11-16}
    - {analyte: ast, value: 22, unit: U/L, lln: 10, uln: 40, date: 2026-11-16}
    - {analyte: alt, value: 30, unit: U/L, lln: 7, uln: 40, date: 2026-11-16}
    - {analyte: bilirubin_total, value: 12, unit: umol/L, date: 2026-11-16}
    - {analyte: creatinine, value: 95, unit: umol/L, date: 2026-11-16}
    - {analyte: dlco_pct_predicted, value: 82, unit: "%", date: 2026-11-16}
    - {analyte: fev1_pct_predicted, value: 88, unit: "%", date: 2026-11-16}
    - {analyte: fev1_fvc_pct_predicted, value: 75, unit: "%", date: 2026-11-16}
  lesions:
    - {site: liver, method: ct, size_mm: 35}
  conditions:
    melanoma_histologically_confirmed: true
    sbrt_amenable_site: true
    brain_metastases_not_radiosurgery_candidate: false
    prior_radiation_to_sbrt_site: false
    active_infection: false
    pregnant_or_lactating: false
    cardiac_ischemia: false
    chronic_steroids: false
  consent_date: 2026-11-19
- <<: *eligible
  subject_id: CLI-002
  ecog: {value: 2, date: 2026-11-16}
- <<: *eligible
  subject_id: CLI-003
  labs: []
"""

SCREEN = ("screen", "--protocol", "NCT01416831", "--as-of", "2026-11-21")


def _eligible_json_record(subject_id: str) -> dict[str, Any]:
    """CLI-001 as JSON (hemoglobin in g/dL this time: 13.5 g/dL)."""
    day = "2026-11-16"
    labs = [
        ("wbc", 5.1, "10^9/L", {}),
        ("hemoglobin", 13.5, "g/dL", {}),
        ("ast", 22, "U/L", {"uln": 40}),
        ("alt", 30, "U/L", {"uln": 40}),
        ("bilirubin_total", 0.7, "mg/dL", {}),
        ("creatinine", 1.07, "mg/dL", {}),
        ("dlco_pct_predicted", 82, "%", {}),
        ("fev1_pct_predicted", 88, "%", {}),
        ("fev1_fvc_pct_predicted", 75, "%", {}),
    ]
    return {
        "subject_id": subject_id,
        "sex": "male",
        "birth_date": "1958-03-14",
        "planned_start": "2026-11-23T08:00",
        "ecog": {"value": 0, "date": day},
        "labs": [{"analyte": a, "value": v, "unit": u, "date": day, **limits} for a, v, u, limits in labs],
        "lesions": [{"site": "liver", "method": "ct", "size_mm": 35}],
        "conditions": {
            "melanoma_histologically_confirmed": True,
            "sbrt_amenable_site": True,
            "brain_metastases_not_radiosurgery_candidate": False,
            "prior_radiation_to_sbrt_site": False,
            "active_infection": False,
            "pregnant_or_lactating": False,
            "cardiac_ischemia": False,
            "chronic_steroids": False,
        },
        "consent_date": "2026-11-19",
    }


@pytest.fixture
def yaml_patients(tmp_path: Path) -> Path:
    path = tmp_path / "patients.yaml"
    path.write_text(PATIENTS_YAML, encoding="utf-8")
    return path


@pytest.fixture
def json_patients_with_a_bad_record(tmp_path: Path) -> Path:
    """J-1 eligible; J-2 with a WBC result without a unit (not screened); J-3 eligible."""
    bad = _eligible_json_record("J-2")
    del bad["labs"][0]["unit"]
    path = tmp_path / "patients.json"
    document = {"patients": [_eligible_json_record("J-1"), bad, _eligible_json_record("J-3")]}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _row(out: str, subject_id: str) -> str:
    (line,) = [line for line in out.splitlines() if re.search(rf"\b{subject_id}\b", line)]
    return line


def _status_in(row: str) -> str:
    """The status cell of a table row (the second column)."""
    cells = [cell.strip() for cell in re.split(r"[│|┃]", row) if cell.strip()]
    return cells[1]


def test_screen_yaml_prints_each_patient_and_the_summary(
    capsys: pytest.CaptureFixture[str], yaml_patients: Path
) -> None:
    code, out, err = run_cli(capsys, *SCREEN, "--patients", str(yaml_patients))
    assert code == 0, err
    assert "Screening for NCT01416831 on 2026-11-21" in out
    assert _status_in(_row(out, "CLI-001")) == "eligible"
    assert _status_in(_row(out, "CLI-002")) == "ineligible"
    assert _status_in(_row(out, "CLI-003")) == "incomplete"
    assert "ecog: ECOG 2" in _row(out, "CLI-002")
    assert "records: 3, screened: 3, eligible: 1, ineligible: 1, incomplete: 1, not screened: 0" in out
    assert "Not screened" not in err


def test_screen_json_output_has_the_documented_keys(capsys: pytest.CaptureFixture[str], yaml_patients: Path) -> None:
    code, out, err = run_cli(capsys, *SCREEN, "--patients", str(yaml_patients), "--json")
    assert code == 0, err
    document = json.loads(out)
    assert set(document) == {"summary", "reasons", "patients", "problems"}
    assert document["summary"] == {
        "records": 3,
        "screened": 3,
        "eligible": 1,
        "ineligible": 1,
        "incomplete": 1,
        "not screened": 0,
    }
    assert [(p["subject_id"], p["status"]) for p in document["patients"]] == [
        ("CLI-001", "eligible"),
        ("CLI-002", "ineligible"),
        ("CLI-003", "incomplete"),
    ]
    # CLI-002 fails ECOG; CLI-003 lacks the six laboratory criteria' data.
    reasons = {r["criterion"]: (r["not met"], r["unknown"], r["needs review"]) for r in document["reasons"]}
    assert reasons == {
        "ecog": (1, 0, 0),
        "pulmonary-function": (0, 1, 0),
        "wbc": (0, 1, 0),
        "hemoglobin": (0, 1, 0),
        "ast-alt": (0, 1, 0),
        "bilirubin": (0, 1, 0),
        "creatinine": (0, 1, 0),
    }
    assert document["patients"][2]["reasons"] == [
        "pulmonary-function: dlco_pct_predicted, fev1_pct_predicted, fev1_fvc_pct_predicted",
        "wbc: wbc",
        "hemoglobin: hemoglobin",
        "ast-alt: ast, alt",
        "bilirubin: bilirubin_total",
        "creatinine: creatinine",
    ]
    assert document["problems"] == []


def test_bad_record_is_listed_as_not_screened_and_the_others_are_screened(
    capsys: pytest.CaptureFixture[str], json_patients_with_a_bad_record: Path
) -> None:
    code, out, err = run_cli(capsys, *SCREEN, "--patients", str(json_patients_with_a_bad_record))
    assert code == 1  # the others are screened and printed, but the batch is not whole
    assert "Not screened (record 2): Patient J-2: labs.0.unit: Field required" in err
    assert _status_in(_row(out, "J-1")) == "eligible"
    assert _status_in(_row(out, "J-3")) == "eligible"
    assert "J-2" not in out
    assert "records: 3, screened: 2, eligible: 2, ineligible: 0, incomplete: 0, not screened: 1" in out


def test_bad_record_in_json_output(capsys: pytest.CaptureFixture[str], json_patients_with_a_bad_record: Path) -> None:
    code, out, _ = run_cli(capsys, *SCREEN, "--patients", str(json_patients_with_a_bad_record), "--json")
    assert code == 1
    document = json.loads(out)
    assert document["problems"] == [
        {"index": 2, "subject_id": "J-2", "message": "Patient J-2: labs.0.unit: Field required", "code": "ELIG-E001"}
    ]
    assert [p["subject_id"] for p in document["patients"]] == ["J-1", "J-3"]
    assert document["summary"]["not screened"] == 1


def test_lab_window_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Every result of 2026-10-16: 38 days before the start. Stale at 28 days (incomplete), usable at 60.
    record = _eligible_json_record("W-1")
    for result in record["labs"]:
        result["date"] = "2026-10-16"
    path = tmp_path / "old-labs.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    _, out, _ = run_cli(capsys, *SCREEN, "--patients", str(path), "--json")
    assert json.loads(out)["patients"][0]["status"] == "incomplete"
    _, out, _ = run_cli(capsys, *SCREEN, "--patients", str(path), "--json", "--lab-window-days", "60")
    assert json.loads(out)["patients"][0]["status"] == "eligible"


# --- clean failures ---------------------------------------------------------------------------


def test_missing_patients_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    code, _, err = run_cli(capsys, *SCREEN, "--patients", str(missing))
    assert_clean_error(code, err)
    assert "Cannot read the patients file" in err
    assert "nowhere.yaml" in err


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(
            "one.yaml",
            "subject_id: CLI-001\nsex: male\n",
            "must hold a list of one or more patient records",
            id="yaml-mapping",
        ),
        pytest.param(
            "scalar.yaml", "just some text\n", "must hold a list of one or more patient records", id="yaml-scalar"
        ),
        pytest.param("empty.yaml", "", "must hold a list of one or more patient records", id="yaml-empty"),
        pytest.param(
            "one.json", '{"subject_id": "CLI-001"}', "must hold a list of one or more patient records", id="json-object"
        ),
        pytest.param("broken.json", '[{"subject_id": "CLI-001",', "is not valid JSON at line 1", id="json-broken"),
        pytest.param("none.json", "[]", "must hold a list of one or more patient records", id="json-empty-list"),
        pytest.param("patients.csv", "subject_id,sex\nA,male\n", "must be YAML (.yaml, .yml) or JSON", id="csv"),
        pytest.param("broken.yaml", "- subject_id: [CLI-001\n", "is not valid YAML at line 2", id="yaml-broken"),
    ],
)
def test_patients_file_that_is_not_a_list_of_records(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, _, err = run_cli(capsys, *SCREEN, "--patients", str(path))
    assert_clean_error(code, err)
    assert message in err


def test_unknown_protocol(capsys: pytest.CaptureFixture[str], yaml_patients: Path) -> None:
    code, _, err = run_cli(
        capsys, "screen", "--protocol", "NCT99999999", "--patients", str(yaml_patients), "--as-of", "2026-11-21"
    )
    assert_clean_error(code, err)
    assert "There is no built-in protocol 'NCT99999999'" in err


def test_bad_screening_date(capsys: pytest.CaptureFixture[str], yaml_patients: Path) -> None:
    code, _, err = run_cli(
        capsys, "screen", "--protocol", "NCT01416831", "--patients", str(yaml_patients), "--as-of", "21/11/2026"
    )
    assert_clean_error(code, err)
    assert "--as-of '21/11/2026' is not a date" in err


def test_a_bom_before_json_is_read(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "patients.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps([_eligible_json_record("BOM-1")]).encode())
    code, out, _ = run_cli(capsys, *SCREEN, "--patients", str(path), "--json")
    assert code == 0
    assert json.loads(out)["patients"][0]["status"] == "eligible"


def test_a_file_that_is_not_utf8(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "patients.yaml"
    path.write_bytes("- subject_id: L1\n  labs: [{analyte: creatinine, value: 88, unit: µmol/L}]\n".encode("latin-1"))
    code, _, err = run_cli(capsys, *SCREEN, "--patients", str(path))
    assert_clean_error(code, err)
    assert "is not UTF-8 text" in err


def test_every_record_rejected_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "patients.yaml"
    path.write_text("- {subject_id: A, sex: X}\n- {subject_id: B, ecog: {value: 9}}\n", encoding="utf-8")
    code, out, err = run_cli(capsys, *SCREEN, "--patients", str(path))
    assert code == 1
    assert "screened: 0" in out
    assert "not screened: 2" in out
    assert "Not screened (record 1): Patient A: sex:" in err


def test_a_negative_lab_window_is_a_usage_error(capsys: pytest.CaptureFixture[str], yaml_patients: Path) -> None:
    code, _, err = run_cli(capsys, *SCREEN, "--patients", str(yaml_patients), "--lab-window-days", "-5")
    assert_clean_error(code, err, expected_code=2)


# --- the blank record template ---------------------------------------------------------------------

# Values a person would type for each blank field, by field name (lab values by analyte, all plausible).
_FILL = {
    "subject_id": "T-001",
    "planned_start": "2026-11-23T08:00",
    "sex": "female",
    "birth_date": "1960-05-01",
    "date": "2026-11-16",
    "site": "lung",
    "method": "ct",
    "size_mm": 20,
    "childbearing_potential": True,
    "result": "negative",
    "datetime": "2026-11-21T09:00",
    "consent_date": "2026-11-18",
    "life_expectancy_weeks": 26,
    "therapy": "immunotherapy",
    "setting": "adjuvant",
    "end_date": "2025-12-01",
    "uln": 40,
    "lln": 10,
}
_LAB_VALUES = {"wbc": 5.0, "hemoglobin": 12.0, "ast": 20, "alt": 20, "bilirubin_total": 0.8, "creatinine": 0.9}


def _filled(node: Any, key: str = "") -> Any:
    """The template with every blank filled in (conditions false, reviews true, events never)."""
    if isinstance(node, list):
        return [_filled(item, key) for item in node]
    if not isinstance(node, dict):
        return node
    filled = {}
    for name, value in node.items():
        if value is not None or key == "events":
            filled[name] = _filled(value, name)
        elif key in ("conditions", "reviews"):
            filled[name] = key == "reviews"
        elif name == "value":
            filled[name] = {"ecog": 1}.get(key, _LAB_VALUES.get(node.get("analyte", ""), 85))
        else:
            filled[name] = _FILL[name]
    return filled


@pytest.mark.parametrize("protocol_id", ["NCT01416831", "NCT00514085"])
def test_the_filled_template_screens_without_a_record_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, protocol_id: str
) -> None:
    code, template, _ = run_cli(capsys, "screen", "--template", "--protocol", protocol_id)
    assert code == 0
    (record,) = yaml.safe_load(template)
    path = tmp_path / "filled.yaml"
    path.write_text(yaml.safe_dump([_filled(record)]), encoding="utf-8")
    code, out, err = run_cli(capsys, "screen", "--protocol", protocol_id, "--as-of", "2026-11-21",
                             "--patients", str(path), "--json")  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    assert document["problems"] == []
    assert document["summary"]["screened"] == 1


def test_the_template_holds_exactly_the_fields_the_protocol_uses(capsys: pytest.CaptureFixture[str]) -> None:
    """NCT01416831 has no life-expectancy, time-since or prior-therapy criterion (its yaml), so those fields
    are absent; its labs are the nine analytes of its lab criteria, each with the criterion's unit."""
    code, template, _ = run_cli(capsys, "screen", "--template", "--protocol", "NCT01416831")
    assert code == 0
    (record,) = yaml.safe_load(template)
    assert "life_expectancy_weeks" not in record
    assert "events" not in record
    assert "prior_therapies" not in record
    assert [(lab["analyte"], lab["unit"]) for lab in record["labs"]] == [
        ("dlco_pct_predicted", "%"),
        ("fev1_pct_predicted", "%"),
        ("fev1_fvc_pct_predicted", "%"),
        ("wbc", "10^9/L"),
        ("hemoglobin", "g/dL"),
        ("ast", "U/L"),
        ("alt", "U/L"),
        ("bilirubin_total", "mg/dL"),
        ("creatinine", "mg/dL"),
    ]
    assert "uln" in record["labs"][5]  # AST/ALT > 3 x ULN needs the site's ULN
    assert record["reviews"] == {"pulmonary-function": None}
    assert "clinically_significant_pulmonary_disease" in record["conditions"]
    wbc_value = next(line for line in template.splitlines() if "a number in 10^9/L" in line)
    assert wbc_value.strip().startswith("value:")
    assert wbc_value.endswith("(criterion wbc)")


def test_the_template_is_written_to_out(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "blank.yaml"
    code, out, _ = run_cli(capsys, "screen", "--template", "--protocol", "NCT00514085", "--out", str(path))
    assert (code, out) == (0, "")
    (record,) = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert record["life_expectancy_weeks"] is None
    assert set(record["events"]) == {
        "other_malignancy",
        "adjuvant_immunotherapy",
        "major_surgery",
        "prior_radiotherapy",
        "anticancer_therapy",
    }


def test_screen_without_patients_or_template_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, *SCREEN)
    assert_clean_error(code, err)
    assert "--patients FILE" in err


def test_screen_results_as_a_table_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, json_patients_with_a_bad_record: Path
) -> None:
    """J-1 and J-3 eligible, J-2 not screened (no unit): one row each, in file order."""
    path = tmp_path / "results.csv"
    code, out, _ = run_cli(capsys, *SCREEN, "--patients", str(json_patients_with_a_bad_record), "--out", str(path))
    assert code == 1
    assert "records: 3, screened: 2, eligible: 2" in out
    table = pd.read_csv(path)
    assert list(table["subject_id"]) == ["J-1", "J-2", "J-3"]
    assert list(table["status"]) == ["eligible", "not screened", "eligible"]
    assert table.loc[1, "reasons"] == "Patient J-2: labs.0.unit: Field required"
    assert table.loc[0, "wbc"] == "met"


# --- a large file reads the same as YAML and as JSON ------------------------------------------------


def _json_log(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, dict[str, Any]]:
    code, out, _ = run_cli(capsys, *SCREEN, "--patients", str(path), "--json")
    return code, json.loads(out)


def test_a_large_yaml_list_screens_as_the_same_records_in_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    records = [_eligible_json_record(f"S-{i}") for i in range(2500)]
    records[1200]["ecog"]["value"] = 2  # ineligible
    del records[2100]["labs"][0]["unit"]  # not screened
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(records), encoding="utf-8")
    (tmp_path / "p.json").write_text(json.dumps(records), encoding="utf-8")
    code_yaml, from_yaml = _json_log(capsys, tmp_path / "p.yaml")
    code_json, from_json = _json_log(capsys, tmp_path / "p.json")
    assert (code_yaml, code_json) == (1, 1)
    assert from_yaml == from_json
    assert from_yaml["summary"] == {
        "records": 2500,
        "screened": 2499,
        "eligible": 2498,
        "ineligible": 1,
        "incomplete": 0,
        "not screened": 1,
    }
