"""Free-text eligibility criteria into structured criteria (the forms the seed records use, and kin).

Each registry line becomes either a **rule** (a computable criterion of the protocol schema), a
**review** item (kept word for word, for the investigator) or, when it only allows something
("Concurrent topical steroids are allowed"), a **permission** kept word for word in the
``permissions`` of the criterion it qualifies (the one above it): a permission cannot fail, so it
is no criterion. Nothing is dropped. Patterns are tried in order; the first that matches builds the criterion. Numbers keep their unit; a unit
that makes the threshold implausible for the analyte (NCT01416831's "creatinine > 1.9 g/dL",
1,900 mg/dL) is read as the plausible one (mg/dL) and flagged, never encoded as written.

Negation follows the text: "No known brain metastases" and "Patients without brain metastases"
are the condition *absent*; under an exclusion header, "Patients with active infection" is the
condition *present* (excluding).

The parser is conservative: a line whose rule would lose part of its meaning stays a review item.
A lab line with an alternative or a condition ("creatinine ≤ 1.5 × ULN or clearance ≥ 60 mL/min",
"≤ 5 × ULN if liver metastases") and a prior-therapy line with a time limit ("no chemotherapy
within 4 weeks") are kept for review, not encoded without their second half.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from oncotrial.errors import validation_messages
from oncotrial.protocol.eligibility import Criterion
from oncotrial.units import clean_lab_unit

__all__ = ["ParsedLine", "parse_criteria_text", "split_criteria_lines"]

_LE = {"<": "<", "≤": "<=", "<=": "<=", ">": ">", "≥": ">=", ">=": ">=", "less than": "<", "greater than": ">"}


@dataclass(frozen=True)
class ParsedLine:
    """One criterion line and what it became.

    For a permission, ``criterion`` is the criterion it is kept with (``permission`` is True, ``rule``
    False); otherwise it is the line's own criterion (kind: review when not recognised).
    """

    text: str
    type: str  # inclusion / exclusion
    criterion: dict[str, Any]
    rule: bool  # True: a computable rule; False: kept for review (or a permission)
    warnings: tuple[str, ...] = ()
    permission: bool = False


# "Concurrent topical steroids are allowed", "Prior radiotherapy is permitted": the whole line allows
_PERMISSION = re.compile(r"^(?!.*\b(?:not|no|never)\b).*\b(?:is|are)\s+(?:allowed|permitted)\.?$", re.IGNORECASE)


_NEGATION = re.compile(r"(?:no|not|without)\b", flags=re.IGNORECASE)
# "Inclusion Criteria:", "Key Exclusion Criteria:", "Exclusion:", "Exclusion criteria for all cohorts:", "**Exclusion
# Criteria:**" all switch the section (a header the parser missed would turn every exclusion into an inclusion).
_HEADER = re.compile(
    r"(?:key\s+|main\s+|general\s+)?(inclusion|exclusion)(?:\s+criteria)?(?:\s+(?:for|in)\s+[^:]{0,50})?\s*[:\-–]?\s*",
    flags=re.IGNORECASE,
)
_NEGATION_WORDS = re.compile(r"\b(?:no|not|without|absence of|absent|free of|negative for)\b", flags=re.IGNORECASE)
_COMPARATORS = re.compile(r"≤|≥|<=|>=|<|>|\b(?:less|greater|more) than\b", flags=re.IGNORECASE)
_QUALIFIED = re.compile(r"\b(?:if|unless|clearance|depending)\b", flags=re.IGNORECASE)


# Causes a registry gives for a threshold ("... less than 70% of predicted due to clinically significant
# underlying pulmonary disease") and who reviews it ("the PI will review"), as the schema's names.
_CAUSES = [(r"clinically significant (?:underlying )?pulmonary disease", "clinically_significant_pulmonary_disease")]
_REVIEWERS = [
    (r"\b(?:PI|principal investigator)\b[^.]*\breview", "principal_investigator"),
    (r"\binvestigator\b[^.]*\breview", "investigator"),
]


def _single_threshold(line: str, line_type: str) -> tuple[dict[str, Any], list[str]]:
    """The qualifiers of a one-threshold lab line (``due_to``, ``reviewed_by``) and the warnings.

    Raise LookupError (keep the line for review) when the rule has alternatives or conditions, or
    a cause ("due to ...") the schema cannot name, or a cause on an inclusion. The rule is read
    from the first sentence; a later sentence naming a reviewer gives ``reviewed_by``; what else
    later sentences say is not encoded, and the warning returned says so.
    """
    parts = re.split(r"(?<=\.)\s+(?=[A-Z])", line, maxsplit=1)
    first, rest = parts[0], (parts[1] if len(parts) > 1 else "")
    if len(_COMPARATORS.findall(first)) > 1 or _QUALIFIED.search(first):
        raise LookupError
    fields: dict[str, Any] = {}
    cause = re.search(r"\bdue to\b(.+)$", first, flags=re.IGNORECASE)
    if cause:
        named = next((name for pattern, name in _CAUSES if re.search(pattern, cause.group(1), re.I)), None)
        if named is None:
            raise LookupError  # a cause the schema cannot name: keep the line for review
        fields["due_to"] = named
    reviewer = next((name for pattern, name in _REVIEWERS if re.search(pattern, rest, re.I)), None) if rest else None
    if reviewer is not None:
        fields["reviewed_by"] = reviewer
    if fields and not line_type.startswith("exclusion"):
        raise LookupError  # a cause or review qualifies an exclusion threshold only
    if not rest:
        return fields, []
    if reviewer is not None:
        who = reviewer.replace("_", " ")
        return fields, [
            f"a value beyond the threshold awaits the {who}'s recorded review; the rest is for review: '{rest}'"
        ]
    return fields, [f"only the first sentence is encoded; the rest is for review: '{rest}'"]


def split_criteria_lines(text: str) -> list[tuple[str, str, bool]]:
    """``(type, line, under_negation)`` for every criterion line.

    Headers set the type (inclusion by default). A sub-item indented under a line that starts
    with "No" ("No uncontrolled intercurrent illness ... including: • Ongoing infection") carries
    that negation (``under_negation``).
    """
    lines: list[tuple[str, str, bool]] = []
    current = "inclusion"
    parents: list[tuple[int, bool]] = []  # (indent, negated) of the open items
    for raw in text.splitlines():
        line = re.sub(r"^[\s\-•*·◦▪]+|^\s*\d+[.)]\s+", "", raw).strip()
        if not line:
            continue
        header = _HEADER.fullmatch(line.strip("*_# ").rstrip("*_ "))
        if header:
            current, parents = header.group(1).lower(), []
            continue
        indent = len(raw) - len(raw.lstrip())
        while parents and parents[-1][0] >= indent:
            parents.pop()
        under = any(negated for _, negated in parents)
        lines.append((current, line, under))
        parents.append((indent, bool(_NEGATION.match(line))))
    return lines


def _num(text: str) -> float:
    return float(text.replace(",", ""))


# --- rules, each: (regex, builder(match, line_type) -> (criterion fields, warnings)) -----------------

Builder = Callable[[re.Match[str], str], tuple[dict[str, Any], list[str]]]

_ANALYTES = [
    (r"\bAST\s*/\s*ALT\b", ["ast", "alt"], "any"),
    (r"\bAST and ALT\b", ["ast", "alt"], "all"),
    (r"\b(?:WBC|white blood cells?)\b", ["wbc"], "all"),
    (r"\b(?:absolute )?granulocytes?\b", ["granulocytes"], "all"),
    (r"\b(?:ANC|absolute neutrophil)", ["anc"], "all"),
    (r"\bplatelets?\b", ["platelets"], "all"),
    (r"\b(?:Hgb|hemoglobin|haemoglobin)\b", ["hemoglobin"], "all"),
    (r"\bbilirubin\b", ["bilirubin_total"], "all"),
    (r"\bcreatinine\b", ["creatinine"], "all"),
]

# Plausible thresholds (as written, in the unit written) per analyte; outside, the g/dL <-> mg/dL slip is assumed.
_PLAUSIBLE_MG_DL = {"bilirubin_total": (0.1, 30.0), "creatinine": (0.1, 20.0)}


def _lab_line(line: str, line_type: str) -> tuple[dict[str, Any], list[str]]:
    """The analytes of a one-threshold lab line, how they combine, its qualifiers; and the warnings.

    LookupError when the line is not one.
    """
    qualifiers, warnings = _single_threshold(line, line_type)
    for pattern, analytes, combine in _ANALYTES:
        if re.search(pattern, line, flags=re.IGNORECASE):
            return {"kind": "lab", "analytes": analytes, "combine": combine, **qualifiers}, warnings
    raise LookupError


def _unit(text: str, warnings: list[str]) -> str:
    unit = text.strip().rstrip(".").replace(" ", "")
    if re.fullmatch(r"x?10[9]/L", unit, flags=re.IGNORECASE) or unit.lower() in ("x109/l", "109/l"):
        warnings.append(f"'{text.strip()}' read as 10^9/L (the superscript of 10⁹ was lost)")
        return "10^9/L"
    return clean_lab_unit(unit.removeprefix("x").removeprefix("×"))


def _lab_uln(m: re.Match[str], line_type: str) -> tuple[dict[str, Any], list[str]]:
    criterion, warnings = _lab_line(m.string, line_type)
    return {**criterion, "comparator": _LE[m.group("cmp")], "times_uln": _num(m.group("k"))}, warnings


def _lab_absolute(m: re.Match[str], line_type: str) -> tuple[dict[str, Any], list[str]]:
    criterion, warnings = _lab_line(m.string, line_type)
    analyte = criterion["analytes"][0]
    value = _num(m.group("v"))
    unit = _unit(m.group("u"), warnings)
    if unit.lower() == "g/dl" and analyte in _PLAUSIBLE_MG_DL:
        low, high = _PLAUSIBLE_MG_DL[analyte]
        if value * 1000 > high and low <= value <= high:  # absurd in g/dL, ordinary in mg/dL
            warnings.append(
                f"implausible threshold: {analyte.replace('_', ' ')} {m.group('cmp')} {value:g} g/dL would be "
                f"{value * 1000:g} mg/dL; encoded as {value:g} mg/dL — check the protocol"
            )
            unit = "mg/dL"
    return {**criterion, "comparator": _LE[m.group("cmp")], "value": value, "unit": unit}, warnings


def _lab_percent(m: re.Match[str], line_type: str) -> tuple[dict[str, Any], list[str]]:
    qualifiers, warnings = _single_threshold(m.string, line_type)
    names = {"DLCO": "dlco_pct_predicted", "FEV1/FVC": "fev1_fvc_pct_predicted", "FEV1": "fev1_pct_predicted"}
    listed = re.findall(r"FEV1/FVC|FEV1|DLCO", m.string)
    analytes = list(dict.fromkeys(names[n] for n in listed))
    return {
        "kind": "lab",
        "analytes": analytes,
        "combine": "any",
        "comparator": _LE[m.group("cmp")],
        "value": _num(m.group("v")),
        "unit": "%",
        **qualifiers,
    }, warnings


def _normal(m: re.Match[str], line_type: str) -> tuple[dict[str, Any], list[str]]:
    criterion, warnings = _lab_line(m.string, line_type)
    criterion.pop("combine")
    return {**criterion, "within_normal_range": True}, warnings


def _age(m: re.Match[str], line_type: str) -> tuple[dict[str, Any], list[str]]:
    return {"kind": "age", "min_years": _num(m.group("v"))}, []


def _ecog(m: re.Match[str], line_type: str) -> tuple[dict[str, Any], list[str]]:
    return {"kind": "ecog", "min": int(m.group("lo")), "max": int(m.group("hi"))}, []


def _life(m: re.Match[str], line_type: str) -> tuple[dict[str, Any], list[str]]:
    return {"kind": "life_expectancy", "at_least": {"value": _num(m.group("v")), "unit": _plural(m.group("u"))}}, []


def _plural(unit: str) -> str:
    unit = unit.lower()
    return unit if unit.endswith("s") else unit + "s"


_EVENTS = [
    (r"adjuvant immunotherapy", "adjuvant_immunotherapy"),
    (r"major surgery", "major_surgery"),
    (r"radiotherapy|radiation", "prior_radiotherapy"),
    (r"investigational agents?|anticancer therapy", "anticancer_therapy"),
]


def _time_since(m: re.Match[str], line_type: str) -> tuple[dict[str, Any], list[str]]:
    events = [e for pattern, e in _EVENTS if re.search(pattern, m.group("what"), flags=re.IGNORECASE)]
    if len(events) != 1:
        raise LookupError  # none, or several ("since radiotherapy or major surgery"): keep for review
    event = events[0]
    criterion: dict[str, Any] = {
        "kind": "time_since",
        "event": event,
        "at_least": {"value": _num(m.group("v")), "unit": _plural(m.group("u"))},
    }
    if m.group("how").lower().startswith("more"):
        criterion["strict"] = True
    exception = re.search(r"\bexcept(?:ing)?\b\s*(.+)$", m.string, flags=re.IGNORECASE)
    if exception:
        criterion["exceptions"] = exception.group(1).strip().rstrip(".")
    return criterion, []


def _other_malignancy(m: re.Match[str], line_type: str) -> tuple[dict[str, Any], list[str]]:
    criterion: dict[str, Any] = {
        "kind": "time_since",
        "event": "other_malignancy",
        "at_least": {"value": _num(m.group("v")), "unit": _plural(m.group("u"))},
    }
    exception = re.search(r"\bexcept\b\s*(.+)$", m.string, flags=re.IGNORECASE)
    if exception:
        criterion["exceptions"] = exception.group(1).strip().rstrip(".")
    return criterion, []


def _measurable(m: re.Match[str], line_type: str) -> tuple[dict[str, Any], list[str]]:
    methods = {
        "x-ray": "xray",
        "physical exam": "physical_exam",
        "nonspiral ct": "nonspiral_ct",
        "spiral ct": "spiral_ct",
        "ct": "ct",
        "mri": "mri",
    }
    thresholds = []
    # "... by x-ray, physical exam, or nonspiral CT scan OR >= 10 mm by spiral CT": the capital OR separates
    for size, listed in re.findall(r"≥\s*(\d+)\s*mm by ([^≥]+?)(?=\s+(?-i:OR)\b|$)", m.string, flags=re.IGNORECASE):
        for name in re.split(r",\s*(?:or\s+)?|\s+or\s+", listed.lower()):
            key = name.replace(" scan", "").strip().rstrip(".")
            if key in methods:
                thresholds.append({"method": methods[key], "min_mm": float(size)})
    if not thresholds:
        raise LookupError
    return {"kind": "measurable_disease", "min_lesions": 1, "thresholds": thresholds}, []


def _largest(m: re.Match[str], line_type: str) -> tuple[dict[str, Any], list[str]]:
    return {"kind": "lesions", "max_size_mm": _num(m.group("v"))}, []


# Site words of registry text and the lesion-site vocabulary (oncotrial.protocol.eligibility.LESION_SITES);
# the bone exception is tried first so that its "long bones" is not read as a site of its own.
_SITE_WORDS = [
    (r"bones?\s*\(?(?:other than|except(?: for)?|excluding)\s+long bones\)?", "bone_except_long_bones"),
    (r"\blungs?\b", "lung"),
    (r"\bmediastin\w*", "mediastinum"),
    (r"\bchest wall\b", "chest_wall"),
    (r"\bliver\b", "liver"),
    (r"\blong bones?\b", "long_bone"),
    (r"\blymph nodes?\b", "lymph_node"),
    (r"\bbrain\b", "brain"),
    (r"\bskin\b", "skin"),
    (r"\bsubcutaneous\b", "subcutaneous"),
    (r"\bsoft tissues?\b", "soft_tissue"),
    (r"\badrenals?\b", "adrenal"),
]


def _sites(line: str) -> list[str] | None:
    """The sites a lesion rule is limited to ("amenable to SBRT in lungs, ..., or liver"), None if unlimited."""
    listed = re.search(r"\bin\s+(.+?)(?:,\s*\d|\s+\d\s*-\s*\d\s*foci)", line, flags=re.IGNORECASE)
    if listed is None:
        return None
    text, sites = listed.group(1), []
    for pattern, site in _SITE_WORDS:
        text, found = re.subn(pattern, " ", text, flags=re.IGNORECASE)
        if found:
            sites.append(site)
    if not sites:
        raise LookupError  # sites are named but not recognised: keep the line for review
    return sites


def _foci(m: re.Match[str], line_type: str) -> tuple[dict[str, Any], list[str]]:
    size = _num(m.group("size")) * (10 if m.group("unit").lower() == "cm" else 1)
    criterion: dict[str, Any] = {
        "kind": "lesions",
        "min_count": int(m.group("lo")),
        "max_count": int(m.group("hi")),
        "max_size_mm": size,
    }
    sites = _sites(m.string)
    if sites is not None:
        criterion["sites"] = sites
    return criterion, []


def _pregnancy(m: re.Match[str], line_type: str) -> tuple[dict[str, Any], list[str]]:
    if not line_type.startswith("inclusion") or re.search(r"\bpositive\b", m.string, flags=re.IGNORECASE):
        raise LookupError  # "Positive pregnancy test" (an exclusion) is not the requirement of a negative one
    within = re.search(r"within\s+(\d+)\s*(hours?|days?|weeks?)", m.string, flags=re.IGNORECASE)
    criterion: dict[str, Any] = {"kind": "pregnancy_test"}
    if within:
        criterion["within"] = {"value": float(within.group(1)), "unit": _plural(within.group(2))}
    return criterion, []


def _consent(m: re.Match[str], line_type: str) -> tuple[dict[str, Any], list[str]]:
    if not line_type.startswith("inclusion") or re.search(r"\b(?:unable|no|not|cannot)\b", m.string, re.IGNORECASE):
        raise LookupError  # "Unable to sign the consent form" (an exclusion): keep for review
    return {"kind": "consent"}, []


_PRIOR = [
    (r"systemic therapy for metastatic", "systemic", "metastatic"),
    (r"immunotherapy for metastatic", "immunotherapy", "metastatic"),
    (r"immunotherapy outside the adjuvant", "immunotherapy", "non_adjuvant"),
    (r"chemotherapy for metastatic", "chemotherapy", "metastatic"),
    (r"chemotherapy", "chemotherapy", "any"),
]


def _prior(m: re.Match[str], line_type: str) -> tuple[dict[str, Any], list[str]]:
    if re.search(r"\b(?:within|since|last)\b|\d+\s*(?:days?|weeks?|months?|years?)\b", m.string, flags=re.IGNORECASE):
        raise LookupError  # a time-limited ban ("no chemotherapy within 4 weeks") is not a ban on any ever
    for pattern, therapy, setting in _PRIOR:
        if re.search(pattern, m.string, flags=re.IGNORECASE):
            return {"kind": "prior_therapy", "therapy": therapy, "setting": setting, "allowed": False}, []
    raise LookupError


_CONDITIONS = [
    (r"cutaneous.*melanoma", "cutaneous_melanoma_histologically_confirmed"),
    (r"histolog\w*.*melanoma", "melanoma_histologically_confirmed"),
    (r"recurrent or metastatic disease.*not curable", "metastatic_or_recurrent_incurable"),
    (r"brain metastases not candidates for radiosurgery", "brain_metastases_not_radiosurgery_candidate"),
    (r"brain metastases", "brain_metastases"),
    (r"site amenable to SBRT", "sbrt_amenable_site"),
    (r"previous radiation to sites proposed", "prior_radiation_to_sbrt_site"),
    (r"pregnant or (?:lactating|nursing)", "pregnant_or_lactating"),
    (r"HIV.*hepatitis", "hiv_or_hepatitis_b_or_c"),
    (r"\bHIV\b", "hiv"),
    (r"hepatitis B", "hepatitis_b"),
    (r"hepatitis C", "hepatitis_c"),
    (r"\b(?:active|ongoing|uncontrolled|current|serious)\b.*\binfections?\b", "active_infection"),
    (r"ischemia", "cardiac_ischemia"),
    (r"congestive heart failure", "symptomatic_congestive_heart_failure"),
    (r"unstable angina", "unstable_angina"),
    (r"arrhythmia", "cardiac_arrhythmia"),
    (r"psychiatric illness|social situation", "psychiatric_or_social_limiting_compliance"),
    (r"autoimmune hemolytic", "autoimmune_hemolytic_anemia"),
    (r"sickle cell", "sickle_cell_anemia"),
    (r"thalassemia", "thalassemia"),
    (r"hemoly(?:sis|tic disorder)", "hemolytic_disorder"),
    (r"chronic steroids", "chronic_steroids"),
    (r"systemic corticosteroids", "concurrent_systemic_corticosteroids"),
    (r"tissue.*available", "tumour_tissue_available"),
    (r"reside within a 2-hour drive", "resides_within_2h_of_centre"),
]


def _condition(m: re.Match[str], line_type: str) -> tuple[dict[str, Any], list[str]]:
    line = m.string
    found = next(
        ((c, hit) for pattern, c in _CONDITIONS if (hit := re.search(pattern, line, flags=re.IGNORECASE))), None
    )
    if found is None:
        raise LookupError
    condition, hit = found
    negated = bool(_NEGATION_WORDS.search(line[: hit.start()])) != line_type.endswith(":negated")
    # "Patients with brain metastases are not eligible": the verdict after the condition reverses it
    if re.search(r"\b(?:not eligible|ineligible|excluded|not allowed|not permitted)\b", line[hit.end() :], re.I):
        negated = not negated
    return {"kind": "condition", "condition": condition, "present": not negated}, []


_PATTERNS: list[tuple[str, Builder]] = [
    (
        r"(?P<cmp>≤|≥|<=|>=|<|>)\s*(?P<k>\d+(?:\.\d+)?)\s*(?:times|x|×)\s*(?:the\s+)?(?:upper limit of (?:the\s+)?normal|ULN)",
        _lab_uln,
    ),
    (
        r"(?P<cmp>≤|≥|<=|>=|<|>|less than|greater than)\s*(?P<v>\d[\d,]*(?:\.\d+)?)\s*times\s+(?:the\s+)?upper limit",
        _lab_uln,
    ),
    (r"(?:DLCO|FEV1).*?(?P<cmp>less than|greater than|<|>)\s*(?P<v>\d+(?:\.\d+)?)\s*%", _lab_percent),
    (
        r"(?P<cmp>≤|≥|<=|>=|<|>)\s*(?P<v>\d[\d,]*(?:\.\d+)?)\s*(?P<u>(?:x|×)?\s*10\^?9\s*/\s*L|x\s*109\s*/\s*L|/mm\^?3|/mm3|g/dL|mg/dL|umol/L|µmol/L|g/L)",
        _lab_absolute,
    ),
    (r"\b(?:bilirubin|creatinine)\s+normal\b", _normal),
    (r"(?:≥|>=|at least)\s*(?P<v>\d+)\s*years of age", _age),
    (r"ECOG performance status(?: of)?\s*(?P<lo>\d)\s*(?:-|–|to)\s*(?P<hi>\d)", _ecog),
    (r"life expectancy\s*(?:≥|>=|of at least|at least)\s*(?P<v>\d+)\s*(?P<u>weeks?|months?)", _life),
    (r"other malignanc\w* within the past (?P<v>\d+)\s*(?P<u>years?)", _other_malignancy),
    (
        r"(?P<how>at least|more than)\s*(?P<v>\d+)\s*(?P<u>weeks?|months?|years?|days?)\s*since\s*(?:prior\s+)?(?P<what>.+)",
        _time_since,
    ),
    (r"measurable\s*≥\s*\d+\s*mm by", _measurable),
    (r"largest measurable lesion\s*≤\s*(?P<v>\d+)\s*mm", _largest),
    (r"(?P<lo>\d)\s*-\s*(?P<hi>\d)\s*foci.*?(?:greater than|>)\s*(?P<size>\d+(?:\.\d+)?)\s*(?P<unit>cm|mm)", _foci),
    (r"pregnancy test", _pregnancy),
    (r"sign (?:a|the)\s+.*consent|consent form", _consent),
    (r"^no (?:previous|prior)\b", _prior),
    (r".", _condition),
]


def _parse_line(text: str, line_type: str) -> tuple[dict[str, Any] | None, list[str]]:
    for pattern, builder in _PATTERNS:
        match = re.search(pattern, text, flags=re.IGNORECASE)
        if match is None:
            continue
        try:
            return builder(match, line_type)
        except LookupError:
            continue
    return None, []


@dataclass
class _Ids:
    used: set[str] = field(default_factory=set)

    def make(self, text: str, kind: str) -> str:
        words = re.findall(r"[a-z0-9]+", text.lower())[:5]
        base = "-".join(words) or kind
        candidate, n = base, 2
        while candidate in self.used:
            candidate, n = f"{base}-{n}", n + 1
        self.used.add(candidate)
        return candidate


_CRITERION: TypeAdapter[Criterion] = TypeAdapter(Criterion)


def _valid(criterion: dict[str, Any] | None, line: str, line_type: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The criterion if the protocol schema accepts it; otherwise None and a warning (the line is reviewed)."""
    if criterion is None:
        return None, []
    try:
        _CRITERION.validate_python({"id": "check", "type": line_type, "text": line, **criterion})
    except ValidationError as exc:
        problem = "; ".join(message for _, message in validation_messages(exc.errors()))
        return None, [f"read as {criterion['kind']} but not a valid rule ({problem}); kept for review"]
    return criterion, []


def parse_criteria_text(text: str) -> list[ParsedLine]:
    """Every criterion line of a registry's free text, as a rule, a review item or a permission (never dropped).

    A permission is kept with the criterion above it (the first criterion when it comes first).
    """
    ids = _Ids()
    parsed: list[ParsedLine] = []
    permissions: list[tuple[int, str, str]] = []  # (criteria before it, line type, text)
    for line_type, line, under_negation in split_criteria_lines(text):
        if _PERMISSION.match(line):
            permissions.append((len(parsed), line_type, line))
            continue
        criterion, warnings = _parse_line(line, line_type + (":negated" if under_negation else ""))
        criterion, invalid = _valid(criterion, line, line_type)
        warnings = warnings if criterion is not None else invalid
        rule = criterion is not None
        fields = criterion if criterion is not None else {"kind": "review"}
        full = {"id": ids.make(line, fields["kind"]), "type": line_type, **fields, "text": line}
        if warnings:
            full["note"] = "; ".join(warnings)
        parsed.append(ParsedLine(line, line_type, full, rule, tuple(warnings)))
    return _with_permissions(parsed, permissions)


def _with_permissions(parsed: list[ParsedLine], permissions: list[tuple[int, str, str]]) -> list[ParsedLine]:
    """``parsed`` with each permission in the ``permissions`` of its criterion and as a line of its own."""
    if not parsed:  # nothing to keep them with: review items, word for word
        ids = _Ids()
        return [
            ParsedLine(
                line, kind, {"id": ids.make(line, "review"), "type": kind, "kind": "review", "text": line}, False
            )
            for _, kind, line in permissions
        ]
    lines = list(parsed)
    for offset, (before, kind, line) in enumerate(permissions):
        owner = parsed[max(before - 1, 0)].criterion
        owner.setdefault("permissions", []).append(line)
        lines.insert(before + offset, ParsedLine(line, kind, owner, False, permission=True))
    return lines
