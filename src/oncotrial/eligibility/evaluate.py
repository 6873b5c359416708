"""Evaluate a patient record against a protocol's eligibility criteria.

Each criterion gets a status from the patient's point of view:

* ``met`` — the requirement is satisfied (an inclusion criterion holds, an exclusion criterion does not);
* ``not met`` — it is not (the reason says which value, of which date, broke which rule);
* ``unknown`` — the record lacks the data, or the data are stale (older than allowed), or a unit
  cannot be converted; ``missing`` names exactly what is needed;
* ``needs review`` — a judgement only the investigator can make and has not recorded.

Overall: **ineligible** if any criterion is not met (every failing reason listed); otherwise
**incomplete** if any is unknown or awaits review (listing exactly what is missing); otherwise
**eligible**. Time windows count back from the planned start of treatment (or the screening date,
``as_of``, when no start is planned). Laboratory results and ECOG older than the criterion's
``max_age`` — or, when it gives none, than ``max_data_age_days`` (28 by default) — are stale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any, Literal

import pandas as pd
import pint

from oncotrial._results import fit_lines, to_json_dict
from oncotrial.eligibility.records import MOLAR_MASS, LabResult, PatientRecord
from oncotrial.errors import DataError
from oncotrial.protocol.eligibility import (
    AgeCriterion,
    ConditionCriterion,
    ConsentCriterion,
    Criterion,
    EcogCriterion,
    LabCriterion,
    LesionsCriterion,
    LifeExpectancyCriterion,
    MeasurableDiseaseCriterion,
    PregnancyTestCriterion,
    PriorTherapyCriterion,
    ReviewCriterion,
    SexCriterion,
    TimeSinceCriterion,
)
from oncotrial.protocol.models import Protocol
from oncotrial.units import UnitParseError, parse_lab_unit

__all__ = ["CriterionResult", "EligibilityResult", "ScreeningContext", "evaluate_eligibility"]

Status = Literal["met", "not met", "unknown", "needs review"]
Overall = Literal["eligible", "ineligible", "incomplete"]


@dataclass(frozen=True)
class CriterionResult:
    """One criterion applied to one patient."""

    criterion_id: str
    type: str
    kind: str
    text: str
    status: Status
    reason: str
    value: str | None = None
    date: str | None = None
    missing: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return to_json_dict(asdict(self))

    def to_frame(self) -> pd.DataFrame:
        """One row: the criterion's id, type, kind, text, status, reason, value, date, missing (joined by ', ')."""
        return pd.DataFrame([{**asdict(self), "missing": ", ".join(self.missing)}], columns=_CRITERION_COLUMNS)

    def __str__(self) -> str:
        return fit_lines(f"{self.criterion_id} [{self.status}]: {self.reason}")


_CRITERION_COLUMNS = ["criterion_id", "type", "kind", "text", "status", "reason", "value", "date", "missing"]


@dataclass(frozen=True)
class EligibilityResult:
    """The overall decision and every criterion's result."""

    subject_id: str
    status: Overall
    criteria: tuple[CriterionResult, ...]
    reasons: tuple[str, ...] = ()  # failing criteria (ineligible) or what is missing (incomplete)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: subject_id, status, reasons, criteria."""
        return {
            "subject_id": self.subject_id,
            "status": self.status,
            "reasons": list(self.reasons),
            "criteria": [c.to_dict() for c in self.criteria],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per criterion (:meth:`CriterionResult.to_frame`), after the patient's ``subject_id``."""
        rows = [{**asdict(c), "missing": ", ".join(c.missing)} for c in self.criteria]
        frame = pd.DataFrame(rows, columns=_CRITERION_COLUMNS)
        frame.insert(0, "subject_id", self.subject_id)
        return frame

    def __str__(self) -> str:
        lines = [f"Patient {self.subject_id}: {self.status}"]
        lines += [f"  - {reason}" for reason in self.reasons]
        return fit_lines("\n".join(lines))


@dataclass(frozen=True)
class ScreeningContext:
    """When screening happens and how old data may be."""

    as_of: datetime
    start: datetime  # planned start of treatment: time windows count back from it
    max_data_age_days: float = 28.0
    start_is_date: bool = False  # the start was given as a day: anything dated that day is before it


# A check returns whether the criterion's condition holds (None: unknown), what it used, and why.
@dataclass(frozen=True)
class _Check:
    holds: bool | None
    reason: str
    value: str | None = None
    date: str | None = None
    missing: tuple[str, ...] = ()
    review: bool = False


def _as_datetime(value: date | datetime) -> datetime:
    """A day as its midnight; a time with a UTC offset as naive UTC, as the records' times are."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo is not None else value
    return datetime.combine(value, time())


def _age(record: PatientRecord, ctx: ScreeningContext) -> float | None:
    if record.birth_date is not None:
        born = record.birth_date
        start = ctx.start.date()
        years = start.year - born.year - ((start.month, start.day) < (born.month, born.day))
        return float(years)
    return record.age_years


def _check_age(c: AgeCriterion, r: PatientRecord, ctx: ScreeningContext) -> _Check:
    age = _age(r, ctx)
    if age is None:
        return _Check(None, "age unknown", missing=("birth_date or age_years",))
    ok = (c.min_years is None or age >= c.min_years) and (c.max_years is None or age <= c.max_years)
    return _Check(ok, f"age {age:g} years", value=f"{age:g} years")


def _check_sex(c: SexCriterion, r: PatientRecord, ctx: ScreeningContext) -> _Check:
    if r.sex is None:
        return _Check(None, "sex unknown", missing=("sex",))
    return _Check(r.sex in c.allowed, f"sex {r.sex}", value=r.sex)


def _stale(recorded: date | None, ctx: ScreeningContext, max_days: float) -> bool:
    return recorded is not None and (ctx.start.date() - recorded).days > max_days


def _check_ecog(c: EcogCriterion, r: PatientRecord, ctx: ScreeningContext) -> _Check:
    if r.ecog is None:
        return _Check(None, "ECOG unknown", missing=("ecog",))
    if r.ecog.date is None:
        return _Check(None, f"ECOG {r.ecog.value} has no date", str(r.ecog.value), None, ("the date of the ecog",))
    when = r.ecog.date.isoformat()
    if _stale(r.ecog.date, ctx, ctx.max_data_age_days):
        return _Check(
            None,
            f"ECOG of {when} is older than {ctx.max_data_age_days:g} days",
            str(r.ecog.value),
            when,
            ("a recent ecog",),
        )
    return _Check(c.min <= r.ecog.value <= c.max, f"ECOG {r.ecog.value}", str(r.ecog.value), when)


def _check_life_expectancy(c: LifeExpectancyCriterion, r: PatientRecord, ctx: ScreeningContext) -> _Check:
    if r.life_expectancy_weeks is None:
        return _Check(None, "life expectancy unknown", missing=("life_expectancy_weeks",))
    # Clinicians state life expectancy in whole weeks or months: a month is 52/12 weeks, so "at least
    # 3 months" is 13 weeks (a calendar-day month would fail a 13-week estimate by a fraction of a day).
    weeks = {"hours": 1 / 168, "days": 1 / 7, "weeks": 1, "months": 52 / 12, "years": 52}[c.at_least.unit]
    ok = r.life_expectancy_weeks >= c.at_least.value * weeks - 1e-9
    return _Check(ok, f"life expectancy {r.life_expectancy_weeks:g} weeks", f"{r.life_expectancy_weeks:g} weeks")


def _convert(result: LabResult, unit: str) -> float:
    """The result in ``unit``; µmol/L and mg/dL are converted with the analyte's molar mass."""
    return result.value * _conversion_factor(result.analyte, result.unit, unit)


@lru_cache(maxsize=1024)
def _conversion_factor(analyte: str, source_unit: str, unit: str) -> float:
    """What one ``source_unit`` of ``analyte`` is in ``unit`` (lab units are linear: a factor says it all).

    Cached: pint parses a unit in tens of microseconds, and a batch of records repeats a few units.
    """
    source = parse_lab_unit(source_unit)
    target = parse_lab_unit(unit)
    quantity = 1.0 * source
    if quantity.dimensionality != target.dimensionality and analyte in MOLAR_MASS:
        molar = parse_lab_unit("g/mol") * MOLAR_MASS[analyte]
        quantity = quantity * molar if "[substance]" in str(quantity.dimensionality) else quantity / molar
    return float((quantity / target).to("dimensionless").magnitude)


def _compare(value: float, comparator: str, threshold: float) -> bool:
    eps = 1e-9 * max(1.0, abs(threshold))  # "exactly 3 x ULN" is exactly, not a rounding error away
    return {
        "<": value < threshold - eps,
        "<=": value <= threshold + eps,
        ">": value > threshold + eps,
        ">=": value >= threshold - eps,
    }[comparator]


def _latest(r: PatientRecord, analyte: str) -> LabResult | None:
    results = [lab for lab in r.labs if lab.analyte == analyte]
    return max(results, key=lambda lab: lab.date or date.min) if results else None


def _lab_holds(c: LabCriterion, lab: LabResult) -> tuple[bool | None, str, str | None]:
    """Whether one result meets the criterion's condition (None: cannot tell), and what was compared."""
    if c.within_normal_range:
        if lab.uln is None:
            return None, "no upper limit of normal", "uln"
        ok = (lab.lln is None or lab.value >= lab.lln) and (lab.uln is None or lab.value <= lab.uln)
        return ok, f"{lab.value:g} {lab.unit} (normal {lab.lln}-{lab.uln})", None
    if c.times_uln is not None or c.times_lln is not None:
        limit = lab.uln if c.times_uln is not None else lab.lln
        multiple = c.times_uln if c.times_uln is not None else c.times_lln
        if limit is None or multiple is None or c.comparator is None:
            return None, "no normal limit", "uln" if c.times_uln is not None else "lln"
        return (
            _compare(lab.value, c.comparator, multiple * limit),
            f"{lab.value:g} {lab.unit} = {lab.value / limit:.3g} x limit {limit:g}",
            None,
        )
    if c.value is None or c.unit is None or c.comparator is None:
        return None, "the criterion has no threshold", "threshold"
    try:
        converted = _convert(lab, c.unit)
    except (UnitParseError, pint.errors.PintError, TypeError, ValueError):  # e.g. DimensionalityError
        return None, f"{lab.value:g} {lab.unit} cannot be converted to {c.unit}; give the result in {c.unit}", "unit"
    return _compare(converted, c.comparator, c.value), f"{lab.value:g} {lab.unit} = {converted:.6g} {c.unit}", None


def _check_lab(c: LabCriterion, r: PatientRecord, ctx: ScreeningContext) -> _Check:
    max_days = c.max_age.days if c.max_age is not None else ctx.max_data_age_days
    parts: list[str] = []
    missing: list[str] = []
    outcomes: list[bool | None] = []
    dates: list[str] = []
    for analyte in c.analytes:
        lab = _latest(r, analyte)
        if lab is None:
            missing.append(analyte)
            outcomes.append(None)
            continue
        when = lab.date.isoformat() if lab.date else "undated"
        if lab.date is None or _stale(lab.date, ctx, max_days):
            missing.append(f"{analyte} within {max_days:g} days")
            parts.append(f"{analyte} {lab.value:g} {lab.unit} of {when} is too old")
            outcomes.append(None)
            continue
        holds, text, need = _lab_holds(c, lab)
        if need:
            missing.append(f"{analyte} {need}")
        parts.append(f"{analyte} {text}")
        dates.append(when)
        outcomes.append(holds)
    known = [o for o in outcomes if o is not None]
    if c.combine == "any":
        holds_any = True if any(known) else (None if len(known) < len(outcomes) else False)
        return _Check(
            holds_any,
            "; ".join(parts) or "no result",
            "; ".join(parts) or None,
            ", ".join(dates) or None,
            tuple(missing),
        )
    holds_all = False if known and not all(known) else (None if len(known) < len(outcomes) else True)
    return _Check(
        holds_all, "; ".join(parts) or "no result", "; ".join(parts) or None, ", ".join(dates) or None, tuple(missing)
    )


def _check_time_since(c: TimeSinceCriterion, r: PatientRecord, ctx: ScreeningContext) -> _Check:
    if c.event not in r.events:
        return _Check(None, f"date of {c.event.replace('_', ' ')} unknown", missing=(f"events.{c.event}",))
    when = r.events[c.event]
    if when is None:
        return _Check(True, f"no {c.event.replace('_', ' ')}", value="never")
    start = ctx.start.date()
    elapsed = (start - when).days  # whole calendar days, whatever the start's clock time
    ok = True
    needs = []
    if c.at_least is not None:
        least = c.at_least.days_before(start)
        ok = elapsed > least if c.strict else elapsed >= least
        needs.append(f"{'more than' if c.strict else 'at least'} {c.at_least} ({least:g} days)")
    if c.at_most is not None:
        most = c.at_most.days_before(start)
        ok = ok and elapsed <= most
        needs.append(f"at most {c.at_most} ({most:g} days)")
    return _Check(
        ok,
        f"{elapsed:.0f} days since {c.event.replace('_', ' ')} ({when.isoformat()}); needs {' and '.join(needs)}",
        f"{elapsed:.0f} days",
        when.isoformat(),
    )


def _check_condition(c: ConditionCriterion, r: PatientRecord, ctx: ScreeningContext) -> _Check:
    if c.condition not in r.conditions:
        return _Check(None, f"{c.condition.replace('_', ' ')}: not recorded", missing=(f"conditions.{c.condition}",))
    present = r.conditions[c.condition]
    return _Check(
        present == c.present,
        f"{c.condition.replace('_', ' ')}: {'yes' if present else 'no'}",
        "yes" if present else "no",
    )


_SYSTEMIC = {"chemotherapy", "immunotherapy", "targeted", "investigational", "other_systemic"}


def _therapy_matches(c: PriorTherapyCriterion, therapy: str, setting: str, ongoing: bool) -> bool:
    kind = therapy in _SYSTEMIC if c.therapy == "systemic" else therapy == c.therapy
    where = {
        "any": True,
        "metastatic": setting == "metastatic",
        "adjuvant": setting == "adjuvant",
        "non_adjuvant": setting != "adjuvant",
        "concurrent": ongoing,
    }[c.setting]
    return kind and where


def _check_prior_therapy(c: PriorTherapyCriterion, r: PatientRecord, ctx: ScreeningContext) -> _Check:
    if r.prior_therapies is None:
        return _Check(None, "prior therapies not recorded", missing=("prior_therapies",))
    found = [p for p in r.prior_therapies if _therapy_matches(c, p.therapy, p.setting, p.end_date is None)]
    label = f"{c.therapy} ({c.setting.replace('_', '-')})"
    if not found:
        return _Check(True, f"no prior {label}", "none")
    listed = ", ".join(f"{p.therapy} {p.setting}" for p in found)
    return _Check(c.allowed, f"prior {label}: {listed}", listed)


def _check_measurable(c: MeasurableDiseaseCriterion, r: PatientRecord, ctx: ScreeningContext) -> _Check:
    if r.lesions is None:
        return _Check(None, "lesions not recorded", missing=("lesions",))
    thresholds = {t.method: t.min_mm for t in c.thresholds}
    measurable = []
    for lesion in r.lesions:
        method = (
            lesion.method if lesion.method in thresholds else ("spiral_ct" if lesion.method == "ct" else lesion.method)
        )
        limit = thresholds.get(method)
        if lesion.nodal:
            limit = 15.0  # RECIST 1.1: a node is measurable with a short axis of at least 15 mm
        if limit is not None and lesion.size_mm >= limit:
            measurable.append(f"{lesion.site} {lesion.size_mm:g} mm ({lesion.method})")
    text = f"{len(measurable)} measurable lesion(s)" + (f": {', '.join(measurable)}" if measurable else "")
    return _Check(len(measurable) >= c.min_lesions, text, str(len(measurable)))


def _check_lesions(c: LesionsCriterion, r: PatientRecord, ctx: ScreeningContext) -> _Check:
    if r.lesions is None:
        return _Check(None, "lesions not recorded", missing=("lesions",))
    counted = [les for les in r.lesions if c.sites is None or les.site in c.sites]
    largest = max((les.size_mm for les in counted), default=0.0)
    ok = (c.min_count is None or len(counted) >= c.min_count) and (c.max_count is None or len(counted) <= c.max_count)
    ok = ok and (c.max_size_mm is None or largest <= c.max_size_mm)
    listed = ", ".join(f"{les.site} {les.size_mm:g} mm" for les in counted)
    where = " at the criterion's sites" if c.sites else ""
    reason = f"{len(counted)} lesion(s){where}" + (f" ({listed})" if listed else "") + f", largest {largest:g} mm"
    others = [les for les in r.lesions if c.sites is not None and les.site not in c.sites]
    if others:
        reason += "; not counted: " + ", ".join(f"{les.site} {les.size_mm:g} mm" for les in others)
    return _Check(ok, reason, f"{len(counted)}; largest {largest:g} mm")


def _check_pregnancy(c: PregnancyTestCriterion, r: PatientRecord, ctx: ScreeningContext) -> _Check:
    if r.sex == "male" or r.childbearing_potential is False:
        return _Check(True, "not applicable (not a woman of childbearing potential)")
    if r.childbearing_potential is None:
        return _Check(None, "childbearing potential not recorded", missing=("childbearing_potential",))
    test = r.pregnancy_test
    if test is None:
        return _Check(None, "no pregnancy test", missing=("pregnancy_test",))
    hours = (ctx.start - test.datetime).total_seconds() / 3600
    if ctx.start_is_date and test.datetime.date() == ctx.start.date():
        hours = 0.0  # a test on the start day, when the start has no time, is not after it
    when = test.datetime.isoformat(timespec="minutes")
    if test.result != "negative":
        return _Check(False, f"pregnancy test {test.result}", test.result, when)
    # no window in the protocol: the test must be as recent as other screening data
    window = f"{c.within}" if c.within is not None else f"{ctx.max_data_age_days:g} days (the data window)"
    limit = c.within.days * 24 if c.within is not None else ctx.max_data_age_days * 24
    if hours > limit or hours < 0:
        return _Check(
            None,
            f"negative test {hours:.0f} hours before the start (needs within {window})",
            test.result,
            when,
            (f"a pregnancy test within {window}",),
        )
    return _Check(True, f"negative, {hours:.0f} hours before the start", test.result, when)


def _check_consent(c: ConsentCriterion, r: PatientRecord, ctx: ScreeningContext) -> _Check:
    if r.consent_date is None:
        return _Check(None, "consent not recorded", missing=("consent_date",))
    # ICH-GCP: consent precedes any study procedure, screening included, so a consent dated after the
    # screening date (but before the start, else the record is refused) does not meet the criterion.
    signed = r.consent_date.isoformat()
    if r.consent_date > ctx.as_of.date():
        reason = f"signed {signed}, after the screening date {ctx.as_of.date()}: consent must precede screening"
        return _Check(False, reason, "signed late", signed)
    return _Check(True, f"signed {signed}", "signed", signed)


def _reviewed(c: Criterion, decided: bool) -> bool:
    """Whether the criterion's text holds, from the reviewer's decision on whether the patient is acceptable."""
    return decided if c.type == "inclusion" else not decided


def _check_review(c: ReviewCriterion, r: PatientRecord, ctx: ScreeningContext) -> _Check:
    if c.id not in r.reviews:
        return _Check(None, f"needs {c.reviewer.replace('_', ' ')} review", missing=(f"reviews.{c.id}",), review=True)
    decided = r.reviews[c.id]
    return _Check(
        _reviewed(c, decided),
        f"reviewed by the {c.reviewer.replace('_', ' ')}: {'acceptable' if decided else 'not acceptable'}",
    )


def _check_qualified_lab(c: LabCriterion, r: PatientRecord, ctx: ScreeningContext) -> _Check:
    """An exclusion threshold qualified by a cause (``due_to``) and/or a review (``reviewed_by``).

    A value beyond the threshold excludes only when the recorded cause is present or the recorded
    review finds the patient unsuitable (which excludes whatever the values); it is met when the
    cause is recorded absent (no reviewer named) or the review finds the patient suitable; else it
    awaits the review (or the cause, when no reviewer is named).
    """
    lab = _check_lab(c, r, ctx)
    reviewer = (c.reviewed_by or "investigator").replace("_", " ")
    decided = r.reviews.get(c.id) if c.reviewed_by else None
    cause = r.conditions.get(c.due_to) if c.due_to else None
    cause_text = (
        f"{(c.due_to or '').replace('_', ' ')}: {'not recorded' if cause is None else 'yes' if cause else 'no'}"
    )
    review_text = f"reviewed by the {reviewer}: {'acceptable' if decided else 'not acceptable'}"
    if decided is False:
        return _Check(True, f"{lab.reason}; {review_text}", lab.value, lab.date)
    if lab.holds is not True:  # threshold not reached, or not known
        return lab
    if cause:
        return _Check(True, f"{lab.reason}; {cause_text}", lab.value, lab.date)
    if decided or (cause is False and c.reviewed_by is None):
        return _Check(False, f"{lab.reason}; {review_text if decided else cause_text}", lab.value, lab.date)
    reason = lab.reason + (f"; {cause_text}" if c.due_to else "")
    if c.reviewed_by:
        return _Check(None, f"{reason}; needs {reviewer} review", lab.value, lab.date, (f"reviews.{c.id}",), True)
    return _Check(None, reason, lab.value, lab.date, (f"conditions.{c.due_to}",))


def _check_lab_criterion(c: LabCriterion, r: PatientRecord, ctx: ScreeningContext) -> _Check:
    return _check_qualified_lab(c, r, ctx) if c.due_to or c.reviewed_by else _check_lab(c, r, ctx)


_CHECKS: dict[str, Callable[[Any, PatientRecord, ScreeningContext], _Check]] = {
    "age": _check_age,
    "sex": _check_sex,
    "ecog": _check_ecog,
    "life_expectancy": _check_life_expectancy,
    "lab": _check_lab_criterion,
    "time_since": _check_time_since,
    "condition": _check_condition,
    "prior_therapy": _check_prior_therapy,
    "measurable_disease": _check_measurable,
    "lesions": _check_lesions,
    "pregnancy_test": _check_pregnancy,
    "consent": _check_consent,
    "review": _check_review,
}


def _result(c: Criterion, check: _Check) -> CriterionResult:
    if check.review:
        status: Status = "needs review"
    elif check.holds is None:
        status = "unknown"
    else:
        satisfied = check.holds if c.type == "inclusion" else not check.holds
        status = "met" if satisfied else "not met"
    return CriterionResult(c.id, c.type, c.kind, c.text, status, check.reason, check.value, check.date, check.missing)


def _dated_items(record: PatientRecord) -> list[tuple[str, date]]:
    items: list[tuple[str, date]] = []
    if record.birth_date is not None:
        items.append(("birth_date", record.birth_date))
    if record.ecog is not None and record.ecog.date is not None:
        items.append(("ecog.date", record.ecog.date))
    items += [(f"labs[{lab.analyte}].date", lab.date) for lab in record.labs if lab.date is not None]
    items += [(f"lesions[{les.site}].date", les.date) for les in record.lesions or [] if les.date is not None]
    items += [(f"events.{name}", when) for name, when in record.events.items() if when is not None]
    items += [
        (f"prior_therapies[{p.therapy}].end_date", p.end_date) for p in record.prior_therapies or [] if p.end_date
    ]
    if record.pregnancy_test is not None:
        items.append(("pregnancy_test.datetime", record.pregnancy_test.datetime.date()))
    if record.consent_date is not None:
        items.append(("consent_date", record.consent_date))
    return items


def check_record_dates(record: PatientRecord, as_of: date) -> None:
    """Raise if anything in the record is dated after the screening date (a data-entry error)."""
    future = [(where, when) for where, when in _dated_items(record) if when > as_of]
    if future:
        where, when = future[0]
        raise DataError(
            f"Patient {record.subject_id}: {where} is {when}, after the screening date and the planned start ({as_of}). "
            f"Correct the date (an ongoing therapy has no end_date).",
            code="ELIG-E010",
            subject_id=record.subject_id,
            field=where,
        )


def require_criteria(protocol: Protocol) -> None:
    """Raise if ``protocol`` has no eligibility criteria (everyone would pass: an imported draft, say)."""
    if not protocol.eligibility:
        raise DataError(
            f"Protocol {protocol.id} has no eligibility criteria, so no one can be screened against it. Add the "
            f"criteria to the protocol's eligibility list.",
            code="ELIG-E011",
            field="eligibility",
        )


def evaluate_eligibility(
    protocol: Protocol,
    record: PatientRecord,
    *,
    as_of: date | datetime,
    max_data_age_days: float = 28.0,
) -> EligibilityResult:
    """Apply every eligibility criterion of ``protocol`` to ``record`` on the screening date ``as_of``.

    Raises
    ------
    DataError
        When the record holds a date after ``as_of`` (``ELIG-E010``), naming the patient and field.
    """
    when = _as_datetime(as_of)
    start = _as_datetime(record.planned_start) if record.planned_start is not None else when
    check_record_dates(record, max(when, start).date())  # data may be dated up to the planned start
    require_criteria(protocol)
    start_is_date = not isinstance(record.planned_start if record.planned_start is not None else as_of, datetime)
    ctx = ScreeningContext(when, start, max_data_age_days, start_is_date)
    results = tuple(_result(c, _CHECKS[c.kind](c, record, ctx)) for c in protocol.eligibility)
    failing = tuple(f"{r.criterion_id}: {r.reason} ({r.type}: {r.text})" for r in results if r.status == "not met")
    if failing:
        return EligibilityResult(record.subject_id, "ineligible", results, failing)
    open_items = tuple(
        f"{r.criterion_id}: {', '.join(r.missing) or r.reason}"
        for r in results
        if r.status in ("unknown", "needs review")
    )
    return EligibilityResult(record.subject_id, "incomplete" if open_items else "eligible", results, open_items)
