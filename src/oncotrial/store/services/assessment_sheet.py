"""A patient's tumour assessments as the entry pages show them: the baseline lesions of one reader (the rows of
the follow-up grid) and each follow-up visit's time-point response with the rule that gave it.

Nothing is computed here: the response, its RECIST 1.1 table row and the sum of diameters are the stored ones
(``recompute_timepoints`` wrote them); the baseline sum, the nadir, the % change from baseline and the target
rule are the core's (:func:`oncotrial.recist.derive_timepoint_responses`), derived again from the stored
measurements; the rule's rationale is the rule table's row (``rules/recist11_overall_response.csv``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from oncotrial.recist.rules import load_overall_response_table
from oncotrial.store.access import require
from oncotrial.store.audit import Actor
from oncotrial.store.models import Assessment, Lesion, Measurement
from oncotrial.store.services._common import find_patient, find_trial
from oncotrial.store.services._timepoints import derive_stored_timepoints, reader_key
from oncotrial.store.services.assessments import timepoint_responses

__all__ = ["AssessedVisit", "AssessmentSheet", "BaselineLesion", "tumour_assessments"]


@dataclass(frozen=True)
class BaselineLesion:
    """A lesion identified at baseline with its baseline result: a diameter in mm (targets) or a status."""

    code: str
    kind: str
    location: str | None
    method: str | None
    diameter: float | None
    status: str | None


@dataclass(frozen=True)
class AssessedVisit:
    """A follow-up visit's time-point response, the RECIST 1.1 table row that gave it (id, rationale) and the
    target rule with its figures (sums in mm; ``percent_from_baseline`` None when a target was not measured)."""

    visit: str
    assessed_on: dt.date
    overall: str
    target: str | None
    non_target: str | None
    new_lesions: str | None
    rule_id: str
    rule: str
    target_rule: str | None
    sum_of_diameters: float | None
    baseline_sum: float | None
    nadir: float | None
    percent_from_baseline: float | None


@dataclass(frozen=True)
class AssessmentSheet:
    """One reader's baseline (its date and lesions) and follow-up visits of a patient."""

    subject_id: str
    evaluator: str
    evaluator_id: str
    baseline_on: str | None
    lesions: tuple[BaselineLesion, ...]
    visits: tuple[AssessedVisit, ...]


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _baseline_lesions(session: Session, patient_id: int, evaluator: str, evaluator_id: str) -> list[BaselineLesion]:
    lesions = session.execute(
        select(Lesion)
        .where(
            Lesion.patient_id == patient_id,
            Lesion.evaluator == evaluator,
            Lesion.evaluator_id == evaluator_id,
            Lesion.kind.in_(("TARGET", "NON-TARGET")),
        )
        .order_by(Lesion.kind.desc(), Lesion.code)  # targets first
    ).scalars()
    results = {
        lesion_id: (value, status)
        for lesion_id, value, status in session.execute(
            select(Measurement.lesion_id, Measurement.value, Measurement.status)
            .join(Assessment, Assessment.id == Measurement.assessment_id)
            .join(Lesion, Lesion.id == Measurement.lesion_id)
            .where(Lesion.patient_id == patient_id, Assessment.visit == Lesion.visit)
        )
    }
    return [
        BaselineLesion(lesion.code, lesion.kind, lesion.location, lesion.method, *results.get(lesion.id, (None, None)))
        for lesion in lesions
    ]


def tumour_assessments(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    *,
    evaluator: str = "INVESTIGATOR",
    evaluator_id: str = "",
) -> AssessmentSheet:
    """The reader's baseline lesions and follow-up visits of the patient, each visit with its stored response."""
    require(actor, "read")
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id)
    lesions = _baseline_lesions(session, patient.id, evaluator, evaluator_id)
    baseline_on = session.execute(
        select(Lesion.identified_on).where(
            Lesion.patient_id == patient.id,
            Lesion.evaluator == evaluator,
            Lesion.evaluator_id == evaluator_id,
            Lesion.kind != "NEW",
        )
    ).scalar()
    derived = derive_stored_timepoints(session, patient.id)
    figures: dict[str, dict[str, Any]] = {}
    if not derived.empty:
        mine = derived.loc[derived["USUBJID"] == reader_key(subject_id, evaluator, evaluator_id)]
        figures = {str(row["VISIT"]): {str(k): v for k, v in row.items()} for row in mine.to_dict("records")}
    rules = load_overall_response_table().rows.set_index("rule_id")["rationale"]
    visits = [
        AssessedVisit(
            t.visit,
            t.assessed_on,
            t.overall,
            t.target,
            t.non_target,
            t.new_lesions,
            t.rule_id,
            str(rules.get(t.rule_id, "")),
            None if (f := figures.get(t.visit)) is None or pd.isna(f["TARGET_RULE"]) else str(f["TARGET_RULE"]),
            t.sum_of_diameters,
            None if f is None else _number(f["SOD_BASELINE"]),
            None if f is None else _number(f["NADIR"]),
            None if f is None else _number(f["PCHG"]),
        )
        for t in timepoint_responses(session, actor, trial_code, subject_id)
        if (t.evaluator, t.evaluator_id) == (evaluator, evaluator_id)
    ]
    return AssessmentSheet(subject_id, evaluator, evaluator_id, baseline_on, tuple(lesions), tuple(visits))
