"""A blank patient record for one protocol: exactly the fields its eligibility criteria use.

:func:`build_record_template` returns the record's fields in the documented shape
(:mod:`oncotrial.eligibility.records`) as :class:`TemplateField` rows — a path, a preset value
(``None``: to fill in) and a comment saying the unit, the accepted values and the criteria that
use the field. Rendering it as YAML with comments is the CLI's work (``oncotrial screen --template``).
A field no criterion of the protocol uses is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oncotrial.protocol.eligibility import (
    AgeCriterion,
    ConditionCriterion,
    Criterion,
    LabCriterion,
    ReviewCriterion,
    TimeSinceCriterion,
)
from oncotrial.protocol.models import Protocol

__all__ = ["TemplateField", "build_record_template"]

Path = tuple[str | int, ...]

#: The unit a template proposes for an analyte when its criteria give none (a multiple of a normal limit).
DEFAULT_UNITS = {
    "wbc": "10^9/L",
    "anc": "10^9/L",
    "granulocytes": "/mm^3",
    "platelets": "/mm^3",
    "hemoglobin": "g/dL",
    "bilirubin_total": "mg/dL",
    "creatinine": "mg/dL",
    "ast": "U/L",
    "alt": "U/L",
    "dlco_pct_predicted": "%",
    "fev1_pct_predicted": "%",
    "fev1_fvc_pct_predicted": "%",
}
_DATE = "YYYY-MM-DD"


@dataclass(frozen=True)
class TemplateField:
    """One field of the blank record: where it is, its preset value (None: to fill in), and a comment."""

    path: Path
    value: Any = None
    comment: str = ""


@dataclass
class _Fields:
    """Fields by path, in first-use order; a field used by several criteria names them all."""

    rows: dict[Path, tuple[Any, str, list[str]]]
    labs: dict[str, int]  # analyte: its entry in labs

    def lab(self, analyte: str) -> int:
        return self.labs.setdefault(analyte, len(self.labs))

    def add(self, path: Path, comment: str, criterion_id: str | None = None, value: Any = None) -> None:
        users = self.rows.setdefault(path, (value, comment, []))[2]
        if criterion_id is not None and criterion_id not in users:
            users.append(criterion_id)

    def fields(self) -> list[TemplateField]:
        def described(comment: str, users: list[str]) -> str:
            used = f"criteria {', '.join(users)}" if len(users) > 1 else f"criterion {users[0]}" if users else ""
            return f"{comment} ({used})" if used and comment else comment or used

        return [
            TemplateField(path, value, described(comment, users)) for path, (value, comment, users) in self.rows.items()
        ]


def _age(c: AgeCriterion, fields: _Fields) -> None:
    fields.add(("birth_date",), f"{_DATE} (or give age_years instead)", c.id)


def _lab(c: LabCriterion, fields: _Fields, max_data_age_days: float) -> None:
    window = c.max_age.days if c.max_age is not None else max_data_age_days
    for analyte in c.analytes:
        unit = c.unit if c.value is not None and c.unit else DEFAULT_UNITS[analyte]
        base: Path = ("labs", fields.lab(analyte))
        fields.add((*base, "analyte"), "", None, analyte)
        fields.add((*base, "value"), f"a number in {unit} (or change the unit below)", c.id)
        fields.add((*base, "unit"), "", None, unit)
        if c.times_uln is not None or c.within_normal_range:
            fields.add((*base, "uln"), "the site's upper limit of normal, in the same unit", c.id)
        if c.times_lln is not None or c.within_normal_range:
            fields.add((*base, "lln"), "the site's lower limit of normal, in the same unit", c.id)
        fields.add((*base, "date"), f"{_DATE}, at most {window:g} days before the planned start", c.id)
    if c.due_to:
        fields.add(("conditions", c.due_to), "true or false", c.id)
    if c.reviewed_by:
        who = c.reviewed_by.replace("_", " ")
        fields.add(
            ("reviews", c.id), f"the {who}'s decision when a value is beyond the threshold: true if suitable", c.id
        )


def _sex(c: Criterion, fields: _Fields) -> None:
    fields.add(("sex",), "female or male", c.id)


def _ecog(c: Criterion, fields: _Fields) -> None:
    fields.add(("ecog", "value"), "0 to 5", c.id)
    fields.add(("ecog", "date"), _DATE, c.id)


def _life_expectancy(c: Criterion, fields: _Fields) -> None:
    fields.add(("life_expectancy_weeks",), "weeks", c.id)


def _event(c: TimeSinceCriterion, fields: _Fields) -> None:
    fields.add(("events", c.event), f"{_DATE} of the latest, or null if it never happened", c.id)


def _condition(c: ConditionCriterion, fields: _Fields) -> None:
    fields.add(("conditions", c.condition), "true or false", c.id)


def _therapies(c: Criterion, fields: _Fields) -> None:
    fields.add(("prior_therapies",), "every prior anticancer therapy (write [] when none)", c.id)
    therapy = "chemotherapy, immunotherapy, targeted, radiotherapy, investigational or other_systemic"
    fields.add(("prior_therapies", 0, "therapy"), therapy)
    fields.add(("prior_therapies", 0, "setting"), "adjuvant, metastatic or other")
    fields.add(("prior_therapies", 0, "end_date"), f"{_DATE}; leave empty while the therapy is ongoing")


def _lesions(c: Criterion, fields: _Fields) -> None:
    fields.add(("lesions",), "every lesion (write [] when none)", c.id)
    fields.add(("lesions", 0, "site"), "lung, liver, lymph node, chest wall, brain, bone except long bones, ...")
    fields.add(("lesions", 0, "method"), "ct, spiral_ct, nonspiral_ct, mri, xray or physical_exam")
    fields.add(("lesions", 0, "size_mm"), "longest diameter in mm (short axis for a lymph node)")
    fields.add(("lesions", 0, "nodal"), "true for a lymph node", None, False)
    fields.add(("lesions", 0, "date"), _DATE)


def _pregnancy(c: Criterion, fields: _Fields) -> None:
    fields.add(("childbearing_potential",), "true or false (a man needs no pregnancy test)", c.id)
    fields.add(("pregnancy_test", "result"), "negative or positive", c.id)
    fields.add(("pregnancy_test", "datetime"), "YYYY-MM-DDTHH:MM of the test", c.id)


def _consent(c: Criterion, fields: _Fields) -> None:
    fields.add(("consent_date",), f"{_DATE} the consent was signed", c.id)


def _review(c: ReviewCriterion, fields: _Fields) -> None:
    fields.add(("reviews", c.id), f"the {c.reviewer.replace('_', ' ')}'s decision: true if acceptable", c.id)


_BY_KIND: dict[str, Callable[[Any, _Fields], None]] = {
    "age": _age,
    "sex": _sex,
    "ecog": _ecog,
    "life_expectancy": _life_expectancy,
    "time_since": _event,
    "condition": _condition,
    "prior_therapy": _therapies,
    "measurable_disease": _lesions,
    "lesions": _lesions,
    "pregnancy_test": _pregnancy,
    "consent": _consent,
    "review": _review,
}


def _add(criterion: Criterion, fields: _Fields, max_data_age_days: float) -> None:
    if isinstance(criterion, LabCriterion):
        _lab(criterion, fields, max_data_age_days)
    else:
        _BY_KIND[criterion.kind](criterion, fields)


def build_record_template(protocol: Protocol, *, max_data_age_days: float = 28.0) -> list[TemplateField]:
    """The fields of a patient record that ``protocol``'s eligibility criteria use, in the order they use them.

    Always ``subject_id`` and ``planned_start`` first; then each criterion's fields (a lab result is
    one entry of ``labs`` with its analyte and unit preset). ``max_data_age_days`` is the window
    named for lab results whose criterion gives none (as in screening).
    """
    fields = _Fields({}, {})
    fields.add(("subject_id",), "the patient's screening id")
    fields.add(("planned_start",), f"{_DATE} or YYYY-MM-DDTHH:MM: start of protocol treatment (windows count back)")
    for criterion in protocol.eligibility:
        _add(criterion, fields, max_data_age_days)
    return fields.fields()
