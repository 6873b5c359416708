"""ClinicalTrials.gov (API v2 study JSON) to a draft protocol, with a coverage report of the criteria.

The draft has the registry's identification, phase, conditions, sponsor, interventions (as
agents), arm groups (as arms, without doses: the registry gives none), design, outcomes (as
endpoints) and eligibility. Every eligibility line becomes a computable criterion when its
pattern is recognised (:mod:`oncotrial.eligibility.parse`) and a review item otherwise; a line
that only allows something (a permission) is kept with the criterion it qualifies and is not
counted as a criterion line. The coverage report lists the review items, and the warnings (implausible thresholds, units read
differently) are written into the protocol's ``interpretations`` as well as returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from oncotrial._numbers import is_number
from oncotrial.eligibility import ParsedLine, parse_criteria_text
from oncotrial.errors import DataError
from oncotrial.io.ctgov_results import CtgovResults, read_ctgov_results

__all__ = ["CtgovImport", "derive_protocol_from_ctgov"]

_PHASES = {"PHASE1": "1", "PHASE2": "2", "PHASE3": "3", "EARLY_PHASE1": "1"}
_OTHER_PHASES = ("PHASE4", "NA")  # written by the registry, but no phase a phase II protocol draft can carry
_SEXES = {"ALL": ["female", "male"], "FEMALE": ["female"], "MALE": ["male"]}
# The registry writes ages as "<number> <unit>" (API v2 "minimumAge": "18 Years", "6 Months").
_AGE = re.compile(r"\s*(\d{1,3}(?:\.\d+)?)\s*(year|month|week|day)s?\s*", re.IGNORECASE)
_YEARS_PER = {"year": 1.0, "month": 1 / 12, "week": 7 / 365.25, "day": 1 / 365.25}
_NCT_ID = re.compile(r"NCT\d{8}")
_AGENT_KINDS = {"DRUG": "drug", "BIOLOGICAL": "biologic", "RADIATION": "radiation", "PROCEDURE": "procedure"}
_ARM_TYPES = {
    "EXPERIMENTAL": "experimental",
    "ACTIVE_COMPARATOR": "active_comparator",
    "PLACEBO_COMPARATOR": "placebo_comparator",
}


@dataclass(frozen=True)
class CtgovImport:
    """The draft protocol (a document for :func:`oncotrial.protocol.parse_protocol`) and the report."""

    protocol: dict[str, Any]
    lines: tuple[ParsedLine, ...]
    warnings: tuple[str, ...]
    results: CtgovResults | None = None  # the record's resultsSection, when it has one

    @property
    def coverage(self) -> str:
        """``"34 of 37 criterion lines (92 %) encoded"`` (permissions are not criterion lines)."""
        encoded = sum(line.rule for line in self.lines)
        total = sum(not line.permission for line in self.lines)
        if not total:
            return "no criterion lines to encode (the record has no eligibility criteria text)"
        return f"{encoded} of {total} criterion lines ({round(100 * encoded / total)} %) encoded"

    @property
    def not_encoded(self) -> tuple[str, ...]:
        """The lines kept as review items, word for word."""
        return tuple(line.text for line in self.lines if not line.rule and not line.permission)

    @property
    def permissions(self) -> tuple[tuple[str, str], ...]:
        """``(text, criterion id)`` of each permission, kept with the criterion it qualifies."""
        return tuple((line.text, line.criterion["id"]) for line in self.lines if line.permission)


def _slug(text: str, fallback: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", text)
    return "-".join(words[:4]).lower() or fallback


def _unique(ids: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i in ids:
        seen[i] = seen.get(i, 0) + 1
        out.append(i if seen[i] == 1 else f"{i}-{seen[i]}")
    return out


def _objects(module: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """A list of objects of the record (empty when absent); anything else is an error naming the field."""
    items = module.get(key) or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise DataError(
            f"protocolSection.{where}.{key} must be a list of objects, as in a ClinicalTrials.gov API v2 study "
            f"record. Download the record again (format=json).",
            code="CTGOV-E006",
            field=f"protocolSection.{where}.{key}",
        )
    return items


def _text(module: dict[str, Any], key: str, where: str) -> str:
    """A text field of the record ('' when absent); anything else is an error naming the field."""
    value = module.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DataError(
            f"protocolSection.{where}.{key} is {value!r}; the registry writes it as text (e.g. '18 Years', 'ALL').",
            code="CTGOV-E007",
            field=f"protocolSection.{where}.{key}",
        )
    return value


def _agents(module: dict[str, Any]) -> list[dict[str, Any]]:
    interventions = _objects(module, "interventions", "armsInterventionsModule")
    ids = _unique([_slug(str(i.get("name") or ""), f"agent-{n + 1}") for n, i in enumerate(interventions)])
    return [
        {"id": ident, "name": str(i.get("name") or ident), "kind": _AGENT_KINDS.get(i.get("type", ""), "procedure")}
        for ident, i in zip(ids, interventions, strict=True)
    ]


def _arm_id(label: str, n: int) -> str:
    letter = re.match(r"(?:arm|part|cohort)\s+([A-Za-z0-9]+)\b", label, flags=re.IGNORECASE)
    return letter.group(1) if letter else _slug(label, f"arm-{n + 1}")


def _arms(module: dict[str, Any], single: bool) -> list[dict[str, Any]]:
    groups = _objects(module, "armGroups", "armsInterventionsModule")
    if not groups:
        return [{"id": "main", "label": "All patients", "type": "single_arm"}]
    ids = _unique([_arm_id(str(g.get("label") or ""), n) for n, g in enumerate(groups)])
    arms = []
    for ident, g in zip(ids, groups, strict=True):
        kind = "single_arm" if single else _ARM_TYPES.get(g.get("type", ""), "experimental")
        arm = {"id": ident, "label": str(g.get("label") or ident), "type": kind}
        if g.get("description"):
            arm["description"] = g["description"]
        arms.append(arm)
    return arms


def _design(design: dict[str, Any], arms: list[dict[str, Any]], warnings: list[str]) -> dict[str, Any]:
    info = design.get("designInfo") or {}
    enrolled = (design.get("enrollmentInfo") or {}).get("count")
    if info.get("allocation") == "RANDOMIZED" and len(arms) >= 2:
        out: dict[str, Any] = {
            "kind": "randomised",
            "arms": [a["id"] for a in arms],
            "ratio": [1] * len(arms),
            "crossover": info.get("interventionModel") == "CROSSOVER",
            "note": "The registry gives no allocation ratio; 1:1 is a placeholder to check.",
        }
    else:
        out = {"kind": "single_arm"}
    if isinstance(enrolled, int | float) and is_number(enrolled) and 0 < enrolled <= 1_000_000 and enrolled % 1 == 0:
        out["enrolled"] = int(enrolled)
    elif enrolled is not None:
        warnings.append(
            f"protocolSection.designModule.enrollmentInfo.count {enrolled!r} is not a number of patients; the "
            "draft leaves the enrolment out: add it by hand."
        )
    return out


def _endpoints(module: dict[str, Any]) -> list[dict[str, Any]]:
    endpoints = []
    for level, key in (("primary", "primaryOutcomes"), ("secondary", "secondaryOutcomes")):
        for outcome in _objects(module, key, "outcomesModule"):
            measure = outcome.get("measure", "")
            text = f"{measure} {outcome.get('description', '')}".lower()
            kind = (
                "time_to_event"
                if re.search(r"surviv|time to|duration", text)
                else "response"
                if "respon" in text
                else "rate"
            )
            endpoint = {"id": _slug(measure, f"{level}-endpoint"), "level": level, "kind": kind, "name": measure or level,
                        "time_frame": outcome.get("timeFrame") or "not stated in the registry"}  # fmt: skip
            if outcome.get("description"):
                endpoint["description"] = outcome["description"]
            endpoints.append(endpoint)
    ids = _unique([e["id"] for e in endpoints])
    return [{**e, "id": i} for e, i in zip(endpoints, ids, strict=True)]


def _field_error(where: str, key: str, value: object, expected: str) -> DataError:
    return DataError(
        f"protocolSection.{where}.{key} {value!r} is not {expected}. Correct the record, or remove the field and "
        "add what it says to the draft by hand.",
        code="CTGOV-E008",
        field=f"protocolSection.{where}.{key}",
    )


def _age_years(module: dict[str, Any], key: str) -> float | None:
    """``minimumAge``/``maximumAge`` in years (None when absent or "N/A"); an age it cannot read is an error."""
    text = _text(module, key, "eligibilityModule")
    if not text.strip() or text.strip().upper() == "N/A":
        return None
    match = _AGE.fullmatch(text)
    if match is None:
        raise _field_error(
            "eligibilityModule", key, text, "an age as the registry writes it (e.g. '18 Years', '6 Months')"
        )
    years = float(match.group(1)) * _YEARS_PER[match.group(2).lower()]
    return round(years, 4)


def _record_criteria(module: dict[str, Any]) -> list[dict[str, Any]]:
    """The structured fields of the eligibility module (sex, age) as criteria."""
    criteria = []
    sex = _text(module, "sex", "eligibilityModule")
    if sex:
        if sex.strip().upper() not in _SEXES:
            raise _field_error("eligibilityModule", "sex", sex, "one of ALL, FEMALE and MALE")
        criteria.append(
            {
                "id": "record-sex",
                "type": "inclusion",
                "kind": "sex",
                "allowed": _SEXES[sex.strip().upper()],
                "text": f"Sexes Eligible for Study: {sex.strip().title()}",
            }
        )
    ages = {key: _age_years(module, key) for key in ("minimumAge", "maximumAge")}
    if ages["minimumAge"] is not None or ages["maximumAge"] is not None:
        age: dict[str, Any] = {"id": "record-age", "type": "inclusion", "kind": "age"}
        if ages["minimumAge"] is not None:
            age["min_years"] = ages["minimumAge"]
        if ages["maximumAge"] is not None:
            age["max_years"] = ages["maximumAge"]
        age["text"] = (
            f"Ages Eligible for Study: {module.get('minimumAge') or 'no minimum'} to "
            f"{module.get('maximumAge') or 'no maximum'}"
        )
        criteria.append(age)
    return criteria


def _phase(design: dict[str, Any], warnings: list[str]) -> str:
    """The draft's phase from the registry's ``phases``; a phase the registry does not write is an error."""
    phases = design.get("phases") or []
    if not isinstance(phases, list) or not all(isinstance(p, str) for p in phases):
        raise _field_error("designModule", "phases", phases, "a list of phases (e.g. ['PHASE2'])")
    unknown = [p for p in phases if p not in _PHASES and p not in _OTHER_PHASES]
    if unknown:
        known = ", ".join([*_PHASES, *_OTHER_PHASES])
        raise _field_error("designModule", "phases", unknown[0], f"a phase the registry writes ({known})")
    numbers = sorted({_PHASES[p] for p in phases if p in _PHASES})
    if not numbers or any(p in _OTHER_PHASES for p in phases):
        shown = ", ".join(phases) or "none"
        warnings.append(f"The record's phase ({shown}) is not 1, 2 or 3: the draft says phase 2; correct it by hand.")
    return "/".join(numbers) if numbers else "2"


def _nct_id(ident: dict[str, Any]) -> str:
    nct = _text(ident, "nctId", "identificationModule").strip()
    if not _NCT_ID.fullmatch(nct):
        raise DataError(
            f"protocolSection.identificationModule.nctId is {repr(nct[:40]) if nct else 'missing'}: a study record has its "
            "NCT number (NCT followed by 8 digits, e.g. NCT01416831). Download the record again (format=json).",
            code="CTGOV-E009",
            field="protocolSection.identificationModule.nctId",
        )
    return nct


def _module(section: dict[str, Any], name: str) -> dict[str, Any]:
    """One module of the record ({} when absent); anything but an object is an error naming it."""
    module = section.get(name)
    if module is None:
        return {}
    if not isinstance(module, dict):
        raise DataError(
            f"protocolSection.{name} is a {type(module).__name__}, not an object: the file is not shaped like a "
            f"ClinicalTrials.gov API v2 study record. Download the record again (format=json).",
            code="CTGOV-E004",
            field=f"protocolSection.{name}",
        )
    return module


def _criteria_text(eligibility: dict[str, Any]) -> str:
    text = eligibility.get("eligibilityCriteria")
    if text is None:
        return ""
    if not isinstance(text, str):
        raise DataError(
            f"protocolSection.eligibilityModule.eligibilityCriteria is a {type(text).__name__}; the registry writes "
            f"it as one text. Give the criteria as text (inclusion and exclusion lines).",
            code="CTGOV-E005",
            field="protocolSection.eligibilityModule.eligibilityCriteria",
        )
    return text


def _study_section(study: object) -> dict[str, Any]:
    if isinstance(study, list) or (isinstance(study, dict) and "studies" in study):
        raise DataError(
            "This is a list of studies (a search response): pass one study record, e.g. from "
            "https://clinicaltrials.gov/api/v2/studies/NCT01416831, or one element of 'studies'.",
            code="CTGOV-E001",
            field="studies",
        )
    section = study.get("protocolSection") if isinstance(study, dict) else None
    if not isinstance(section, dict) or not isinstance(section.get("identificationModule"), dict):
        raise DataError(
            "This is not a ClinicalTrials.gov API v2 study record: it needs protocolSection.identificationModule.",
            code="CTGOV-E001",
            field="protocolSection",
        )
    return section


def derive_protocol_from_ctgov(study: dict[str, Any]) -> CtgovImport:
    """A draft protocol document and the criteria coverage from one API v2 study record.

    A record without eligibility criteria text gives a draft without criteria and a warning
    (screening against a protocol without criteria is refused). A record with results (``resultsSection``)
    has them read and checked into ``results`` (:func:`oncotrial.io.ctgov_results.read_ctgov_results`).
    """
    section = _study_section(study)
    ident = section["identificationModule"]
    design = _module(section, "designModule")
    arms_module = _module(section, "armsInterventionsModule")
    eligibility = _module(section, "eligibilityModule")
    lines = tuple(parse_criteria_text(_criteria_text(eligibility)))
    nct = _nct_id(ident)
    single = (design.get("designInfo") or {}).get("allocation") != "RANDOMIZED"
    arms = _arms(arms_module, single)
    warnings = [f"{line.criterion['id']}: {w}" for line in lines for w in line.warnings]
    if not lines:
        warnings.append(
            "The record has no eligibility criteria text: the draft has none to screen with. Add the criteria "
            "from the protocol before screening."
        )
    protocol: dict[str, Any] = {
        "schema_version": 1,
        "id": nct,
        "title": ident.get("officialTitle") or ident.get("briefTitle") or nct,
        "short_title": ident.get("acronym") or ident.get("briefTitle"),
        "phase": _phase(design, warnings),
        "conditions": _module(section, "conditionsModule").get("conditions") or ["not stated"],
        "registry_ids": [{"registry": "ClinicalTrials.gov", "id": nct}],
        "sponsor": (_module(section, "sponsorCollaboratorsModule").get("leadSponsor") or {}).get("name"),
        "sources": [{"citation": f"ClinicalTrials.gov record {nct} (imported draft: check every field)"}],
        "agents": _agents(arms_module) or [{"id": "agent", "name": "not stated", "kind": "drug"}],
        "arms": arms,
        "eligibility": _record_criteria(eligibility) + [line.criterion for line in lines if not line.permission],
        "endpoints": _endpoints(_module(section, "outcomesModule")),
        "design": _design(design, arms, warnings),
        "interpretations": [
            {
                "field": f"eligibility[{line.criterion['id']}]",
                "source_text": line.text,
                "choice": "; ".join(line.warnings),
            }
            for line in lines
            if line.warnings
        ],
    }
    draft = {k: v for k, v in protocol.items() if v is not None}
    return CtgovImport(draft, lines, tuple(warnings), read_ctgov_results(study))
