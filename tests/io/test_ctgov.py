"""ClinicalTrials.gov import (``oncotrial.io.ctgov``, ``oncotrial.eligibility.parse``) on the seed records.

Inputs: ``shared/ctgov/NCT01416831.json`` and ``NCT00514085.json`` (API v2 shape, the records' own
eligibility text). Expected criteria are read from the registry text by hand, line by line, and
compared with the built-in protocols encoded from the same text.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Any

import pytest

from oncotrial.eligibility import screen_patients
from oncotrial.eligibility.parse import parse_criteria_text, split_criteria_lines
from oncotrial.errors import DataError
from oncotrial.io.ctgov import derive_protocol_from_ctgov
from oncotrial.protocol import parse_protocol
from tests.conftest import shared_path


def _study(nct: str) -> dict[str, Any]:
    return json.loads(shared_path("ctgov", f"{nct}.json").read_text(encoding="utf-8"))


def _by_text(lines: list[Any], start: str) -> dict[str, Any]:
    return next(line.criterion for line in lines if line.text.startswith(start))


@pytest.mark.parametrize(
    ("nct", "encoded", "total"),
    [
        # NCT01416831: 6 inclusion + 13 exclusion lines, every one a recognised form.
        pytest.param("NCT01416831", 19, 19, id="NCT01416831"),
        # NCT00514085: 39 bullet lines (sub-bullets included), one of them a permission ("Concurrent
        # topical steroids are allowed": not a criterion line); contraception and "No uncontrolled
        # intercurrent illness ... including" (a judgement) are kept for review: 36 of 38 (95 %).
        pytest.param("NCT00514085", 36, 38, id="NCT00514085"),
    ],
)
def test_import_encodes_at_least_80_percent_and_lists_the_rest(nct: str, encoded: int, total: int) -> None:
    imported = derive_protocol_from_ctgov(_study(nct))
    assert imported.coverage == f"{encoded} of {total} criterion lines ({round(100 * encoded / total)} %) encoded"
    assert encoded / total >= 0.8  # the target
    assert len(imported.not_encoded) == total - encoded
    protocol = parse_protocol(imported.protocol)  # the draft validates
    # nothing dropped: every line of the registry text (split here independently of the parser) is a
    # criterion of the draft (rule or review), word for word
    text = _study(nct)["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    registry = [re.sub(r"^[\s\-•*]+", "", raw).strip() for raw in text.splitlines()]
    registry = [line for line in registry if line and not re.fullmatch(r"(?i)(inclusion|exclusion) criteria:?", line)]
    assert len(registry) == total + len(imported.permissions)
    texts = {c.text for c in protocol.eligibility} | {p for c in protocol.eligibility for p in c.permissions or []}
    assert [line for line in registry if line not in texts] == []


def test_implausible_g_dl_thresholds_are_flagged_not_encoded() -> None:
    """NCT01416831: "total bilirubin > 1.9 g/dL" and "creatinine > 1.9 g/dL" (1,900 mg/dL: implausible)."""
    imported = derive_protocol_from_ctgov(_study("NCT01416831"))
    flagged = [w for w in imported.warnings if "implausible" in w]
    assert len(flagged) == 2
    assert any("bilirubin" in w for w in flagged)
    assert any("creatinine" in w for w in flagged)
    for start in ("total bilirubin", "creatinine"):
        criterion = _by_text(list(imported.lines), start)
        assert (criterion["value"], criterion["unit"], criterion["comparator"]) == (1.9, "mg/dL", ">")
    # the two g/dL slips, the "x 109/L" superscript, and the DLCO line's second sentence (the PI's review)
    assert len(imported.protocol["interpretations"]) == 4


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        pytest.param(
            "WBC < 3.0 x 109/L",
            {"kind": "lab", "analytes": ["wbc"], "comparator": "<", "value": 3.0, "unit": "10^9/L"},
            id="wbc_superscript",
        ),
        pytest.param(
            "Hgb < 9.0 g/dL", {"kind": "lab", "analytes": ["hemoglobin"], "value": 9.0, "unit": "g/dL"}, id="hgb"
        ),
        pytest.param(
            "AST/ALT > 3 times",
            {"kind": "lab", "analytes": ["ast", "alt"], "combine": "any", "comparator": ">", "times_uln": 3.0},
            id="ast_alt",
        ),
        pytest.param("ECOG performance status of 0-1", {"kind": "ecog", "min": 0, "max": 1}, id="ecog"),
        pytest.param("Patients must be ≥ 18", {"kind": "age", "min_years": 18.0}, id="age"),
        pytest.param(
            "Women of childbearing",
            {"kind": "pregnancy_test", "within": {"value": 72.0, "unit": "hours"}},
            id="pregnancy_72h",
        ),
        pytest.param(
            "Patients must have tumors amenable to SBRT",
            {"kind": "lesions", "min_count": 1, "max_count": 3, "max_size_mm": 70.0},
            id="foci_7cm",
        ),
        pytest.param(
            "No metastatic site amenable",
            {"kind": "condition", "condition": "sbrt_amenable_site", "present": False, "type": "exclusion"},
            id="no_sbrt_site",
        ),
        pytest.param(
            "DLCO, FEV1",
            {"kind": "lab", "combine": "any", "comparator": "<", "value": 70.0, "unit": "%"},
            id="pulmonary",
        ),
    ],
)
def test_nct01416831_lines(start: str, expected: dict[str, Any]) -> None:
    criterion = _by_text(
        parse_criteria_text(_study("NCT01416831")["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]), start
    )
    assert {k: criterion[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        pytest.param(
            "Clinically and/or radiologically",
            {
                "kind": "measurable_disease",
                "thresholds": [
                    {"method": "xray", "min_mm": 20.0},
                    {"method": "physical_exam", "min_mm": 20.0},
                    {"method": "nonspiral_ct", "min_mm": 20.0},
                    {"method": "spiral_ct", "min_mm": 10.0},
                ],
            },
            id="measurable",
        ),
        pytest.param("Must have nonbulky", {"kind": "lesions", "max_size_mm": 50.0}, id="nonbulky"),
        pytest.param(
            "Absolute granulocytes",
            {"kind": "lab", "comparator": ">=", "value": 1500.0, "unit": "/mm^3"},
            id="granulocytes",
        ),
        pytest.param("Bilirubin normal", {"kind": "lab", "within_normal_range": True}, id="bilirubin_normal"),
        pytest.param("AST and ALT", {"combine": "all", "comparator": "<=", "times_uln": 2.5}, id="ast_and_alt"),
        pytest.param(
            "More than 4 weeks since prior",
            {"kind": "time_since", "event": "anticancer_therapy", "strict": True},
            id="more_than_strict",
        ),
        pytest.param(
            "At least 4 weeks since prior radiotherapy",
            {"event": "prior_radiotherapy", "exceptions": "low-dose, nonmyelosuppressive radiotherapy and recovered"},
            id="radiotherapy_except",
        ),
        pytest.param(
            "No known brain metastases", {"condition": "brain_metastases", "present": False}, id="no_brain_mets"
        ),
        # a sub-item of "No uncontrolled intercurrent illness ... including:" is absent, not present
        pytest.param(
            "Ongoing or active infection", {"condition": "active_infection", "present": False}, id="negated_by_parent"
        ),
        pytest.param(
            "Sickle cell anemia", {"condition": "sickle_cell_anemia", "present": False}, id="sub_item_of_no_history"
        ),
        pytest.param(
            "No known HIV", {"condition": "hiv_or_hepatitis_b_or_c", "present": False}, id="hiv_not_infection"
        ),
        pytest.param(
            "No prior immunotherapy outside",
            {"kind": "prior_therapy", "setting": "non_adjuvant", "allowed": False},
            id="outside_adjuvant",
        ),
    ],
)
def test_nct00514085_lines(start: str, expected: dict[str, Any]) -> None:
    criterion = _by_text(
        parse_criteria_text(_study("NCT00514085")["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]), start
    )
    assert {k: criterion[k] for k in expected} == expected


def test_headers_and_bullets() -> None:
    text = "Inclusion Criteria:\n- Age ≥ 18 years of age\nExclusion Criteria:\n  • No known brain metastases\n    • Sub item\n"
    assert split_criteria_lines(text) == [
        ("inclusion", "Age ≥ 18 years of age", False),
        ("exclusion", "No known brain metastases", False),
        ("exclusion", "Sub item", True),
    ]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        pytest.param({"studies": []}, "a search response.*pass one study record", id="search-response"),
        pytest.param([{"protocolSection": {}}], "a search response", id="list"),
        pytest.param({"protocolSection": {}}, "API v2 study record", id="no-identification"),
        pytest.param({"protocolSection": {"identificationModule": "x"}}, "API v2 study record", id="module-is-text"),
        pytest.param("text", "API v2 study record", id="not-an-object"),
    ],
)
def test_not_a_study_record(record: Any, message: str) -> None:
    with pytest.raises(DataError, match=message):
        derive_protocol_from_ctgov(record)


def _seed_record(**eligibility: Any) -> dict[str, Any]:
    return {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT09999999", "briefTitle": "A test record"},
            "eligibilityModule": eligibility,
        }
    }


@pytest.mark.parametrize(
    ("module", "code"),
    [
        pytest.param({"eligibilityCriteria": ["Age >= 18"]}, "CTGOV-E005", id="criteria-list"),
        pytest.param({"eligibilityCriteria": 18}, "CTGOV-E005", id="criteria-number"),
    ],
)
def test_criteria_that_are_not_text(module: dict[str, Any], code: str) -> None:
    with pytest.raises(DataError, match="eligibilityCriteria") as caught:
        derive_protocol_from_ctgov(_seed_record(**module))
    assert caught.value.code == code


def test_a_module_that_is_not_an_object() -> None:
    record = _seed_record()
    record["protocolSection"]["eligibilityModule"] = "Inclusion Criteria: ..."
    with pytest.raises(DataError, match=r"protocolSection\.eligibilityModule is a str") as caught:
        derive_protocol_from_ctgov(record)
    assert caught.value.code == "CTGOV-E004"


@pytest.mark.parametrize(
    "module",
    [pytest.param({}, id="no-criteria-field"), pytest.param({"eligibilityCriteria": None}, id="criteria-null")],
)
def test_a_record_without_criteria_warns_and_its_draft_cannot_screen(module: dict[str, Any]) -> None:
    imported = derive_protocol_from_ctgov(_seed_record(**module))
    assert imported.coverage == "no criterion lines to encode (the record has no eligibility criteria text)"
    assert any("no eligibility criteria text" in w for w in imported.warnings)
    protocol = parse_protocol(imported.protocol)
    assert protocol.eligibility == []
    with pytest.raises(DataError, match="has no eligibility criteria") as caught:
        screen_patients(protocol, [{"subject_id": "NOBODY"}], as_of=date(2026, 11, 20))
    assert caught.value.code == "ELIG-E011"


# --- the parser keeps the meaning of a line or keeps the line for review (review findings) ---------


def _parsed(text: str) -> list[tuple[str, bool, dict[str, Any]]]:
    return [
        (line.type, line.rule, {k: v for k, v in line.criterion.items() if k not in ("id", "text", "type", "note")})
        for line in parse_criteria_text(text)
    ]


@pytest.mark.parametrize(
    ("header", "expected_type"),
    [
        pytest.param("Exclusion Criteria:", "exclusion", id="plain"),
        pytest.param("Key Exclusion Criteria:", "exclusion", id="key"),
        pytest.param("Exclusion:", "exclusion", id="short"),
        pytest.param("Exclusion Criteria -", "exclusion", id="dash"),
        pytest.param("**Exclusion Criteria:**", "exclusion", id="markdown-bold"),
        pytest.param("Exclusion criteria for all cohorts:", "exclusion", id="for-all-cohorts"),
        pytest.param("Key Inclusion Criteria:", "inclusion", id="key-inclusion"),
    ],
)
def test_header_forms_switch_the_section(header: str, expected_type: str) -> None:
    text = f"Inclusion Criteria:\n* Age ≥ 18 years of age\n\n{header}\n* Known brain metastases\n"
    lines = _parsed(text)
    assert len(lines) == 2  # the header is not a criterion line
    assert lines[1][0] == expected_type
    assert lines[1][2] == {"kind": "condition", "condition": "brain_metastases", "present": True}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # inclusion lines whose negation is not the first word
        ("Patients without brain metastases", {"condition": "brain_metastases", "present": False}),
        ("Absence of active infection", {"condition": "active_infection", "present": False}),
        ("Must not have active infection", {"condition": "active_infection", "present": False}),
        ("Women must not be pregnant or lactating", {"condition": "pregnant_or_lactating", "present": False}),
        ("Patients with brain metastases are not eligible", {"condition": "brain_metastases", "present": False}),
        # a history of HIV or hepatitis is not an active infection
        ("No history of HIV infection", {"condition": "hiv", "present": False}),
        ("No known hepatitis B infection", {"condition": "hepatitis_b", "present": False}),
        ("No hepatitis C", {"condition": "hepatitis_c", "present": False}),
    ],
)
def test_conditions_keep_their_sense(line: str, expected: dict[str, Any]) -> None:
    ((line_type, rule, criterion),) = _parsed(f"Inclusion Criteria:\n- {line}\n")
    assert (line_type, rule) == ("inclusion", True)
    assert criterion == {"kind": "condition", **expected}


@pytest.mark.parametrize(
    ("section", "line"),
    [
        ("Inclusion", "Creatinine ≤ 1.5 x ULN or creatinine clearance ≥ 60 mL/min"),
        ("Inclusion", "Creatinine ≤ 1.5 mg/dL or creatinine clearance ≥ 60 mL/min"),
        ("Inclusion", "AST and ALT ≤ 2.5 x ULN (≤ 5 x ULN if liver metastases)"),
        ("Inclusion", "Adequate organ function: ANC ≥ 1.5 x 10^9/L, bilirubin ≤ 1.5 x ULN"),
        ("Inclusion", "Bilirubin ≤ 1.5 x ULN, creatinine ≤ 1.5 mg/dL"),
        ("Exclusion", "Platelets < 100 x 10^9/L unless due to marrow involvement"),
        ("Inclusion", "No prior chemotherapy within the last 4 weeks"),
        ("Inclusion", "At least 4 weeks since prior radiotherapy or major surgery"),
        ("Exclusion", "Positive pregnancy test"),
        ("Exclusion", "Unable to sign informed consent form"),
        ("Inclusion", "ECOG performance status 0-7"),  # not a valid ECOG range: reviewed, with a warning
    ],
)
def test_lines_a_rule_would_misread_are_kept_for_review(section: str, line: str) -> None:
    ((line_type, rule, criterion),) = _parsed(f"{section} Criteria:\n- {line}\n")
    assert line_type == section.lower()
    assert (rule, criterion) == (False, {"kind": "review"})


def test_an_invalid_rule_is_reviewed_with_a_warning() -> None:
    (line,) = parse_criteria_text("Inclusion Criteria:\n- ECOG performance status 0-7\n")
    assert line.warnings == (
        "read as ecog but not a valid rule (Input should be less than or equal to 5); kept for review",
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Negative pregnancy test within 2 weeks",
            {"kind": "pregnancy_test", "within": {"value": 2.0, "unit": "weeks"}},
        ),
        (
            "No prior chemotherapy for metastatic disease",
            {"kind": "prior_therapy", "therapy": "chemotherapy", "setting": "metastatic", "allowed": False},
        ),
        (
            "WBC > 3,000/mm3",
            {"kind": "lab", "analytes": ["wbc"], "combine": "all", "comparator": ">", "value": 3000.0, "unit": "/mm^3"},
        ),
    ],
)
def test_further_forms(line: str, expected: dict[str, Any]) -> None:
    ((_, rule, criterion),) = _parsed(f"Inclusion Criteria:\n- {line}\n")
    assert (rule, criterion) == (True, expected)


def test_the_sbrt_site_list_is_kept() -> None:
    imported = derive_protocol_from_ctgov(_study("NCT01416831"))
    criterion = _by_text(list(imported.lines), "Patients must have tumors amenable to SBRT")
    # "in lungs, mediastinum, chest wall, bones (other than long bones), or liver"
    assert sorted(criterion["sites"]) == ["bone_except_long_bones", "chest_wall", "liver", "lung", "mediastinum"]


@pytest.mark.parametrize("count", ["abc", math.inf, math.nan, 1e30, 2.5, -3, True])
def test_a_registry_count_that_is_not_a_number_of_patients_is_left_out_and_reported(count: Any) -> None:
    record = _seed_record(eligibilityCriteria="Inclusion Criteria:\n- Age ≥ 18 years of age\n")
    record["protocolSection"]["designModule"] = {"enrollmentInfo": {"count": count}}
    imported = derive_protocol_from_ctgov(record)
    assert "enrolled" not in imported.protocol["design"]
    assert f"enrollmentInfo.count {count!r} is not a number of patients" in " ".join(imported.warnings)


def test_a_registry_count_of_patients_is_kept() -> None:
    record = _seed_record()
    record["protocolSection"]["designModule"] = {"enrollmentInfo": {"count": 44}}
    assert derive_protocol_from_ctgov(record).protocol["design"]["enrolled"] == 44


@pytest.mark.parametrize(
    ("minimum", "maximum", "expected"),
    [
        pytest.param("18 Years", None, {"min_years": 18.0}, id="years"),
        pytest.param("6 Months", "75 Years", {"min_years": 0.5, "max_years": 75.0}, id="months"),  # 6 / 12
        pytest.param("N/A", "1 Year", {"max_years": 1.0}, id="no-minimum"),
        pytest.param("4 Weeks", None, {"min_years": 0.0767}, id="weeks"),  # 28 / 365.25 = 0.07666
    ],
)
def test_registry_ages_in_any_unit_become_years(minimum: str, maximum: str | None, expected: dict[str, float]) -> None:
    record = _seed_record(minimumAge=minimum, **({"maximumAge": maximum} if maximum else {}))
    (age,) = [c for c in derive_protocol_from_ctgov(record).protocol["eligibility"] if c["kind"] == "age"]
    assert {k: v for k, v in age.items() if k.endswith("_years")} == expected


@pytest.mark.parametrize(
    ("module", "field", "value", "message"),
    [
        pytest.param(
            "eligibilityModule",
            "minimumAge",
            "abc years",
            "minimumAge 'abc years' is not an age as the registry",
            id="age",
        ),
        pytest.param("eligibilityModule", "maximumAge", "65", "maximumAge '65' is not an age", id="age-without-unit"),
        pytest.param("eligibilityModule", "sex", "OTHER", "sex 'OTHER' is not one of ALL, FEMALE and MALE", id="sex"),
        pytest.param(
            "designModule", "phases", ["PHASE9"], "phases 'PHASE9' is not a phase the registry writes", id="phase"
        ),
        pytest.param("designModule", "phases", "PHASE2", "phases 'PHASE2' is not a list of phases", id="phase-text"),
    ],
)
def test_a_structured_field_that_cannot_be_read_is_refused(module: str, field: str, value: Any, message: str) -> None:
    """Before: the field was dropped (or defaulted) and the import still reported 100 % encoded."""
    record = _seed_record(eligibilityCriteria="Inclusion Criteria:\n- Age ≥ 18 years of age\n")
    record["protocolSection"].setdefault(module, {})[field] = value
    with pytest.raises(DataError, match=re.escape(message)) as caught:
        derive_protocol_from_ctgov(record)
    assert caught.value.code == "CTGOV-E008"
    assert caught.value.fields["field"] == f"protocolSection.{module}.{field}"


@pytest.mark.parametrize(
    ("phases", "phase", "warned"),
    [
        pytest.param(["PHASE2"], "2", False, id="phase-2"),
        pytest.param(["PHASE1", "PHASE2"], "1/2", False, id="phase-1-2"),
        pytest.param(["EARLY_PHASE1", "PHASE1"], "1", False, id="early-phase-1"),
        pytest.param(["PHASE4"], "2", True, id="phase-4"),
        pytest.param(["NA"], "2", True, id="not-applicable"),
        pytest.param([], "2", True, id="none"),
    ],
)
def test_the_registry_phase(phases: list[str], phase: str, warned: bool) -> None:
    record = _seed_record()
    record["protocolSection"]["designModule"] = {"phases": phases}
    imported = derive_protocol_from_ctgov(record)
    assert imported.protocol["phase"] == phase
    assert any("the draft says phase 2" in w for w in imported.warnings) == warned


@pytest.mark.parametrize("nct", [None, "", "draft", "NCT123", 1416831])
def test_a_record_without_an_nct_number_is_refused(nct: Any) -> None:
    """Before: a record without an NCT id became a protocol named 'draft'."""
    record = _seed_record()
    record["protocolSection"]["identificationModule"]["nctId"] = nct
    with pytest.raises(DataError, match=r"nctId") as caught:
        derive_protocol_from_ctgov(record)
    assert caught.value.code in {"CTGOV-E009", "CTGOV-E007"}


@pytest.mark.parametrize(
    ("module", "field", "value", "message"),
    [
        pytest.param("armsInterventionsModule", "armGroups", ["A"], "armGroups must be a list of objects", id="arms"),
        pytest.param("outcomesModule", "primaryOutcomes", ["ORR"], "primaryOutcomes must be a list", id="outcomes"),
        pytest.param(
            "eligibilityModule", "minimumAge", 18, "minimumAge is 18; the registry writes it as text", id="age"
        ),
        pytest.param("eligibilityModule", "sex", ["ALL"], "sex is ['ALL']", id="sex"),
    ],
)
def test_badly_shaped_fields_are_named(module: str, field: str, value: Any, message: str) -> None:
    record = _seed_record(eligibilityCriteria="Inclusion Criteria:\n- Age ≥ 18 years of age\n")
    record["protocolSection"].setdefault(module, {})[field] = value
    with pytest.raises(DataError, match=re.escape(message)) as caught:
        derive_protocol_from_ctgov(record)
    assert caught.value.fields["field"] == f"protocolSection.{module}.{field}"


def test_an_intervention_without_a_name_gets_an_id() -> None:
    record = _seed_record(eligibilityCriteria="Inclusion Criteria:\n- Age ≥ 18 years of age\n")
    record["protocolSection"]["armsInterventionsModule"] = {"interventions": [{"name": None, "type": "DRUG"}]}
    (agent,) = derive_protocol_from_ctgov(record).protocol["agents"]
    assert agent == {"id": "agent-1", "name": "agent-1", "kind": "drug"}
