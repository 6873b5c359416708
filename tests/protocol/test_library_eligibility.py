"""The built-in seed protocols encode every line of their registry eligibility text."""

from __future__ import annotations

import json
import re

import pytest

from oncotrial.protocol import load_builtin_protocol
from tests.conftest import shared_path

TRIALS = ("NCT01416831", "NCT00514085")
HEADERS = {"Inclusion Criteria:", "Exclusion Criteria:"}
BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s*")


def _registry_lines(trial_id: str) -> list[str]:
    path = shared_path("ctgov", f"{trial_id}.json")
    record = json.loads(path.read_text(encoding="utf-8"))
    text = record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    lines = [BULLET.sub("", line).strip() for line in text.splitlines()]
    return [line for line in lines if line and line not in HEADERS]


def _criterion(trial_id: str, criterion_id: str):
    protocol = load_builtin_protocol(trial_id)
    return next(c for c in protocol.eligibility if c.id == criterion_id)


def _texts(trial_id: str) -> list[str]:
    """The text of every criterion and every permission kept with one."""
    eligibility = load_builtin_protocol(trial_id).eligibility
    return [c.text for c in eligibility] + [p for c in eligibility for p in c.permissions or []]


@pytest.mark.parametrize("trial_id", TRIALS)
def test_every_registry_line_is_a_criterion(trial_id: str) -> None:
    lines = _registry_lines(trial_id)
    assert lines, "the record's eligibility text has no lines"
    texts = set(_texts(trial_id))
    missing = [line for line in lines if line not in texts]
    assert not missing, f"{trial_id}: lines not encoded as the text or a permission of any criterion: {missing}"


@pytest.mark.parametrize("trial_id", TRIALS)
def test_each_registry_line_is_encoded_once(trial_id: str) -> None:
    lines = _registry_lines(trial_id)
    texts = _texts(trial_id)
    repeated = [line for line in lines if texts.count(line) != 1]
    assert not repeated, f"{trial_id}: lines encoded more than once: {repeated}"


@pytest.mark.parametrize("trial_id", TRIALS)
def test_age_and_sex_fields_are_encoded(trial_id: str) -> None:
    eligibility = load_builtin_protocol(trial_id).eligibility
    (age,) = [c for c in eligibility if c.kind == "age"]
    (sex,) = [c for c in eligibility if c.kind == "sex"]
    assert age.type == "inclusion"
    assert age.min_years == 18
    assert age.max_years is None
    assert sorted(sex.allowed) == ["female", "male"]


def test_nct01416831_counts() -> None:
    eligibility = load_builtin_protocol("NCT01416831").eligibility
    assert len(eligibility) == 20
    assert sum(c.type == "inclusion" for c in eligibility) == 7
    assert sum(c.type == "exclusion" for c in eligibility) == 13


def test_nct01416831_ecog() -> None:
    ecog = _criterion("NCT01416831", "ecog")
    assert ecog.kind == "ecog"
    assert ecog.type == "inclusion"
    assert (ecog.min, ecog.max) == (0, 1)


@pytest.mark.parametrize(
    ("criterion_id", "analyte", "text"),
    [
        ("bilirubin", "bilirubin_total", "total bilirubin > 1.9 g/dL"),
        ("creatinine", "creatinine", "creatinine > 1.9 g/dL"),
    ],
)
def test_nct01416831_implausible_gdl_is_encoded_as_mgdl(criterion_id: str, analyte: str, text: str) -> None:
    criterion = _criterion("NCT01416831", criterion_id)
    assert criterion.kind == "lab"
    assert criterion.type == "exclusion"
    assert criterion.text == text
    assert criterion.analytes == [analyte]
    assert criterion.comparator == ">"
    assert criterion.value == 1.9
    assert criterion.unit == "mg/dL"
    assert criterion.note is not None
    assert "g/dL" in criterion.note
    assert "implausible" in criterion.note


def test_nct01416831_wbc_and_hemoglobin() -> None:
    wbc = _criterion("NCT01416831", "wbc")
    assert (wbc.type, wbc.analytes, wbc.comparator, wbc.value, wbc.unit) == (
        "exclusion",
        ["wbc"],
        "<",
        3.0,
        "10^9/L",
    )
    hgb = _criterion("NCT01416831", "hemoglobin")
    assert (hgb.type, hgb.analytes, hgb.comparator, hgb.value, hgb.unit) == (
        "exclusion",
        ["hemoglobin"],
        "<",
        9.0,
        "g/dL",
    )


def test_nct01416831_ast_alt() -> None:
    criterion = _criterion("NCT01416831", "ast-alt")
    assert criterion.type == "exclusion"
    assert criterion.analytes == ["ast", "alt"]
    assert criterion.combine == "any"
    assert criterion.comparator == ">"
    assert criterion.times_uln == 3
    assert criterion.value is None


def test_nct01416831_sbrt_lesions_and_pregnancy_test() -> None:
    lesions = _criterion("NCT01416831", "sbrt-lesions")
    assert (lesions.kind, lesions.min_count, lesions.max_count, lesions.max_size_mm) == ("lesions", 1, 3, 70)
    test = _criterion("NCT01416831", "pregnancy-test")
    assert test.kind == "pregnancy_test"
    assert (test.within.value, test.within.unit) == (72, "hours")


def test_nct00514085_counts() -> None:
    eligibility = load_builtin_protocol("NCT00514085").eligibility
    assert len(eligibility) == 40
    assert all(c.type == "inclusion" for c in eligibility)
    assert sorted(c.id for c in eligibility if c.kind == "review") == ["contraception", "intercurrent-illness"]


def test_nct00514085_topical_steroids_is_a_permission_not_a_criterion() -> None:
    """Registry text (tests/reference/ctgov/NCT00514085.json): "No concurrent systemic corticosteroids" with
    the sub-item "Concurrent topical steroids are allowed", which cannot fail."""
    steroids = _criterion("NCT00514085", "systemic-corticosteroids")
    assert steroids.permissions == ["Concurrent topical steroids are allowed"]
    assert "Concurrent topical steroids are allowed" not in [
        c.text for c in load_builtin_protocol("NCT00514085").eligibility
    ]


def test_nct01416831_pulmonary_function_is_qualified_by_cause_and_pi_review() -> None:
    """Registry text: "less than 70% of predicted due to clinically significant underlying pulmonary disease
    ... the PI will review, and document the patient's suitability"."""
    pulmonary = _criterion("NCT01416831", "pulmonary-function")
    assert (pulmonary.comparator, pulmonary.value, pulmonary.unit) == ("<", 70, "%")
    assert pulmonary.due_to == "clinically_significant_pulmonary_disease"
    assert pulmonary.reviewed_by == "principal_investigator"


def test_nct00514085_ecog_and_life_expectancy() -> None:
    ecog = _criterion("NCT00514085", "ecog")
    assert (ecog.min, ecog.max) == (0, 2)
    life = _criterion("NCT00514085", "life-expectancy")
    assert (life.at_least.value, life.at_least.unit) == (12, "weeks")


def test_nct00514085_ast_alt() -> None:
    criterion = _criterion("NCT00514085", "ast-alt")
    assert criterion.kind == "lab"
    assert criterion.type == "inclusion"
    assert criterion.analytes == ["ast", "alt"]
    assert criterion.combine == "all"
    assert criterion.comparator == "<="
    assert criterion.times_uln == 2.5


def test_nct00514085_creatinine_and_bilirubin() -> None:
    creatinine = _criterion("NCT00514085", "creatinine")
    assert (creatinine.analytes, creatinine.comparator, creatinine.times_uln) == (["creatinine"], "<=", 1.5)
    bilirubin = _criterion("NCT00514085", "bilirubin")
    assert bilirubin.analytes == ["bilirubin_total"]
    assert bilirubin.within_normal_range is True


@pytest.mark.parametrize(
    ("criterion_id", "analyte", "value"),
    [("platelets", "platelets", 100_000), ("granulocytes", "granulocytes", 1_500)],
)
def test_nct00514085_counts_per_mm3(criterion_id: str, analyte: str, value: float) -> None:
    criterion = _criterion("NCT00514085", criterion_id)
    assert criterion.type == "inclusion"
    assert criterion.analytes == [analyte]
    assert criterion.comparator == ">="
    assert criterion.value == value
    assert criterion.unit == "/mm^3"


def test_nct00514085_measurable_disease() -> None:
    criterion = _criterion("NCT00514085", "measurable-disease")
    thresholds = {t.method: t.min_mm for t in criterion.thresholds}
    assert thresholds == {"xray": 20, "physical_exam": 20, "nonspiral_ct": 20, "spiral_ct": 10}
    assert criterion.min_lesions == 1
    assert _criterion("NCT00514085", "nonbulky-disease").max_size_mm == 50


def test_nct00514085_prior_therapy() -> None:
    radiotherapy = _criterion("NCT00514085", "prior-radiotherapy-4w")
    assert (radiotherapy.event, radiotherapy.at_least.value, radiotherapy.at_least.unit) == (
        "prior_radiotherapy",
        4,
        "weeks",
    )
    assert radiotherapy.exceptions == "low-dose, nonmyelosuppressive radiotherapy"
    adjuvant = _criterion("NCT00514085", "adjuvant-immunotherapy-3m")
    assert (adjuvant.event, adjuvant.at_least.value, adjuvant.at_least.unit) == (
        "adjuvant_immunotherapy",
        3,
        "months",
    )
    agents = _criterion("NCT00514085", "investigational-anticancer-4w")
    assert agents.strict is True
    chemo = _criterion("NCT00514085", "prior-chemotherapy")
    assert (chemo.therapy, chemo.setting, chemo.allowed) == ("chemotherapy", "any", False)
    brain = _criterion("NCT00514085", "brain-metastases")
    assert (brain.condition, brain.present) == ("brain_metastases", False)
