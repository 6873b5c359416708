"""Screening records of virtual people: a record that meets every eligibility criterion of a protocol, or one
that fails a chosen criterion and meets the rest.

The record is built criterion by criterion from the protocol (each criterion kind has a builder that makes the
criterion's text hold or not hold), then screened by :func:`oncotrial.eligibility.evaluate_eligibility`, the
real core: a record that does not come out as intended is an error naming the criterion, never a silent
mismatch. Choice: the values sit well inside the side they are meant to be on (a lab result 15-50 % from its
threshold), so a record is unambiguous, not a borderline case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from oncotrial.eligibility import PatientRecord, evaluate_eligibility
from oncotrial.eligibility.template import DEFAULT_UNITS
from oncotrial.errors import DataError
from oncotrial.protocol.eligibility import LESION_SITES, Criterion, LabCriterion
from oncotrial.protocol.models import Protocol

__all__ = ["Draft", "build_screening_record"]

# a site's usual normal range (lln, uln) where a criterion is a multiple of a normal limit or the normal range
NORMAL_RANGES = {
    "ast": (10.0, 40.0),
    "alt": (7.0, 40.0),
    "bilirubin_total": (0.3, 1.2),
    "creatinine": (0.6, 1.2),
    "wbc": (4.0, 11.0),
    "anc": (1.8, 7.5),
    "platelets": (150_000.0, 400_000.0),
    "hemoglobin": (12.0, 17.0),
}
_SYSTEMIC_OF = {"systemic": "chemotherapy"}
_SETTING_OF = {"any": "other", "metastatic": "metastatic", "adjuvant": "adjuvant", "non_adjuvant": "metastatic"}
_DEFAULT_SITES = ("lung", "liver")


@dataclass
class Draft:
    """A record being built: the person (sex, age) and the record's fields; the dates of the screening."""

    rng: np.random.Generator
    screened_at: dt.datetime
    planned_start: dt.datetime
    sex: str
    age: float
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def data_day(self) -> str:
        """The day of the screening labs and ECOG: three days before the screening."""
        return (self.screened_at.date() - dt.timedelta(days=3)).isoformat()


def _sex(c: Any, draft: Draft, holds: bool) -> None:
    allowed = [s for s in ("female", "male") if (s in c.allowed) == holds]
    if not allowed:
        raise _cannot(c, holds)
    draft.sex = draft.sex if draft.sex in allowed else allowed[0]


def _age(c: Any, draft: Draft, holds: bool) -> None:
    low = c.min_years if c.min_years is not None else 18.0
    high = c.max_years if c.max_years is not None else 85.0
    if holds:
        draft.age = float(np.clip(draft.age, low, high))
    elif c.min_years is not None and c.min_years >= 1:
        draft.age = c.min_years - 1.5
    elif c.max_years is not None:
        draft.age = c.max_years + 2
    else:
        raise _cannot(c, holds)


def _ecog(c: Any, draft: Draft, holds: bool) -> None:
    inside = list(range(c.min, c.max + 1))
    outside = [v for v in range(6) if v not in inside]
    choices = inside if holds else outside[:1] if c.max == 5 else [c.max + 1]
    draft.record["ecog"] = {"value": int(draft.rng.choice(choices)), "date": draft.data_day}


def _life_expectancy(c: Any, draft: Draft, holds: bool) -> None:
    weeks = c.at_least.days / 7
    draft.record["life_expectancy_weeks"] = round(weeks + 26 if holds else weeks / 2, 1)


def _condition(c: Any, draft: Draft, holds: bool) -> None:
    draft.record.setdefault("conditions", {})[c.condition] = c.present if holds else not c.present


def _review(c: Any, draft: Draft, holds: bool) -> None:
    acceptable = holds if c.type == "inclusion" else not holds
    draft.record.setdefault("reviews", {})[c.id] = acceptable


def _consent(c: Any, draft: Draft, holds: bool) -> None:
    day = draft.screened_at.date() + dt.timedelta(days=-3 if holds else 1)  # after screening: not met
    draft.record["consent_date"] = day.isoformat()


def _pregnancy(c: Any, draft: Draft, holds: bool) -> None:
    if holds and (draft.sex == "male" or draft.age >= 50):
        draft.record["childbearing_potential"] = False
        draft.record.pop("pregnancy_test", None)
        return
    if not holds:
        draft.sex, draft.age = "female", min(draft.age, 44.0)
    draft.record["childbearing_potential"] = True
    result = "negative" if holds else "positive"
    draft.record["pregnancy_test"] = {"result": result, "datetime": draft.screened_at.isoformat(timespec="minutes")}


def _lesion(draft: Draft, site: str, size: float) -> dict[str, Any]:
    day = draft.screened_at.date() - dt.timedelta(days=7)
    return {"site": site, "method": "spiral_ct", "size_mm": round(size), "date": day.isoformat()}


def _lesions(c: Any, draft: Draft, holds: bool) -> None:
    sites = [s for s in (c.sites or _DEFAULT_SITES) if s in LESION_SITES]
    largest = min(c.max_size_mm or 60.0, 60.0)
    low = max(c.min_count or 1, 1)
    count = int(draft.rng.integers(low, max(min(c.max_count or 3, 3), low) + 1))
    sizes = draft.rng.uniform(15.0, max(largest, 16.0), size=count)
    if not holds and c.max_size_mm is not None:
        sizes[0] = c.max_size_mm + 12
    elif not holds and c.max_count is not None:
        count = c.max_count + 1
        sizes = draft.rng.uniform(15.0, max(largest, 16.0), size=count)
    elif not holds:
        raise _cannot(c, holds)
    draft.record["lesions"] = [_lesion(draft, str(draft.rng.choice(sites)), s) for s in sizes]


def _measurable(c: Any, draft: Draft, holds: bool) -> None:
    limit = max(t.min_mm for t in c.thresholds)
    if holds:
        if not draft.record.get("lesions"):
            draft.record["lesions"] = [_lesion(draft, "lung", limit + 10)]
        return
    draft.record["lesions"] = [{**les, "size_mm": 4} for les in draft.record.get("lesions", [])] or [
        _lesion(draft, "lung", 4)
    ]


def _prior_therapy(c: Any, draft: Draft, holds: bool) -> None:
    therapies = draft.record.setdefault("prior_therapies", [])
    if holds:
        return
    if c.allowed:
        raise _cannot(c, holds)
    therapy = {"therapy": _SYSTEMIC_OF.get(c.therapy, c.therapy), "setting": _SETTING_OF.get(c.setting, "other")}
    end = None if c.setting == "concurrent" else (draft.screened_at.date() - dt.timedelta(days=200)).isoformat()
    therapies.append({**therapy, "end_date": end})


def _time_since(c: Any, draft: Draft, holds: bool) -> None:
    start = draft.planned_start.date()
    events = draft.record.setdefault("events", {})
    if holds and c.at_most is None:
        events[c.event] = None  # never happened
    elif holds:
        events[c.event] = (start - dt.timedelta(days=c.at_most.days / 2)).isoformat()
    elif c.at_least is not None:
        events[c.event] = (start - dt.timedelta(days=max(c.at_least.days / 2, 1))).isoformat()
    else:
        events[c.event] = (start - dt.timedelta(days=c.at_most.days * 2 + 7)).isoformat()


def _lab_threshold(c: LabCriterion, low: float, high: float) -> float:
    """The criterion's threshold in the unit the result is written in (its own, or the normal range's)."""
    if c.times_uln is not None:
        return c.times_uln * high
    if c.times_lln is not None:
        return c.times_lln * low
    if c.value is None:
        raise DataError(
            f"criterion {c.id}: a lab criterion without a threshold cannot be simulated; give value or times_uln",
            code="SIM-E031",
            field=f"eligibility.{c.id}",
        )
    return c.value


def _lab_value(c: LabCriterion, threshold: float, holds: bool, rng: np.random.Generator) -> float:
    below = (c.comparator in ("<", "<=")) == holds
    factor = rng.uniform(0.5, 0.85) if below else rng.uniform(1.15, 1.5)
    return round(threshold * factor, 2)


def _lab_result(c: LabCriterion, analyte: str, holds: bool, draft: Draft) -> dict[str, Any]:
    """One result of ``analyte`` on the side of ``c`` wanted: the criterion's text holding or not."""
    unit = c.unit or DEFAULT_UNITS.get(analyte, "U/L")
    low, high = NORMAL_RANGES.get(analyte, (1.0, 100.0))
    result: dict[str, Any] = {"analyte": analyte, "unit": unit, "date": draft.data_day}
    if c.within_normal_range:
        value = round((low + high) / 2 if holds else high * draft.rng.uniform(1.3, 1.8), 2)
        return {**result, "value": value, "lln": low, "uln": high}
    if c.comparator is None:
        raise DataError(
            f"criterion {c.id}: a lab criterion without a comparator cannot be simulated; give one (<, >, ...)",
            code="SIM-E031",
            field=f"eligibility.{c.id}",
        )
    result["value"] = _lab_value(c, _lab_threshold(c, low, high), holds, draft.rng)
    if c.times_uln is not None or c.times_lln is not None:
        result.update(lln=low, uln=high)
    return result


def _lab(c: Any, draft: Draft, holds: bool) -> None:
    # combine any: holds when one analyte does; combine all: fails when one does
    first_only = holds if c.combine == "any" else not holds
    labs = {lab["analyte"]: lab for lab in draft.record.setdefault("labs", [])}
    for index, analyte in enumerate(c.analytes):
        wanted = holds if index == 0 or not first_only else not holds
        labs[analyte] = _lab_result(c, analyte, wanted, draft)
    draft.record["labs"] = list(labs.values())
    excluded = holds and c.type == "exclusion"
    if excluded and c.due_to:
        draft.record.setdefault("conditions", {})[c.due_to] = True
    elif excluded and c.reviewed_by:
        draft.record.setdefault("reviews", {})[c.id] = False


Builder = Callable[[Any, Draft, bool], None]
BUILDERS: dict[str, Builder] = {
    "sex": _sex,
    "age": _age,
    "ecog": _ecog,
    "life_expectancy": _life_expectancy,
    "condition": _condition,
    "review": _review,
    "consent": _consent,
    "pregnancy_test": _pregnancy,
    "lesions": _lesions,
    "measurable_disease": _measurable,
    "prior_therapy": _prior_therapy,
    "time_since": _time_since,
    "lab": _lab,
}


def _cannot(c: Criterion, holds: bool) -> DataError:
    side = "met" if holds == (c.type == "inclusion") else "failed"
    return DataError(
        f"criterion {c.id} ({c.kind}) cannot be {side} by a simulated record; take it out of screening.reasons",
        code="SIM-E032",
        field=f"screening.reasons.{c.id}",
    )


def _apply(criterion: Criterion, draft: Draft, *, meet: bool) -> None:
    builder = BUILDERS.get(criterion.kind)
    if builder is None:
        raise DataError(
            f"criterion {criterion.id}: records for {criterion.kind} criteria are not simulated; "
            f"simulated kinds: {', '.join(BUILDERS)}",
            code="SIM-E030",
            field=f"eligibility.{criterion.id}",
        )
    builder(criterion, draft, meet == (criterion.type == "inclusion"))


def _finish(draft: Draft) -> dict[str, Any]:
    day = draft.screened_at.date()
    birth = dt.date(day.year - int(draft.age), day.month, min(day.day, 28)) - dt.timedelta(
        days=int((draft.age % 1) * 365)
    )
    return {
        "sex": draft.sex,
        "birth_date": birth.isoformat(),
        "planned_start": draft.planned_start.isoformat(timespec="minutes"),
        **draft.record,
    }


def _check(protocol: Protocol, record: dict[str, Any], draft: Draft, failing: str | None) -> None:
    """The record screened by the real core comes out as intended, or the simulation stops naming why (a protocol
    without criteria screens no one: everyone is eligible)."""
    if not protocol.eligibility:
        return
    result = evaluate_eligibility(
        protocol, PatientRecord.model_validate({"subject_id": "SIM", **record}), as_of=draft.screened_at
    )
    broken = [r for r in result.criteria if r.status != "met" and r.criterion_id != failing]
    named = next((r for r in result.criteria if r.criterion_id == failing), None)
    if broken or (named is not None and named.status != "not met"):
        wrong = broken[0] if broken else named
        assert wrong is not None
        raise DataError(
            f"a simulated screening record for {protocol.id} came out {wrong.status} on {wrong.criterion_id} "
            f"({wrong.reason}); the simulation cannot build records for this criterion as it is written",
            code="SIM-E033",
            field=f"eligibility.{wrong.criterion_id}",
        )


def build_screening_record(protocol: Protocol, draft: Draft, *, failing: str | None) -> dict[str, Any]:
    """The screening record of ``draft``'s person: every criterion met, except ``failing`` (a criterion id),
    which is not met. Checked by :func:`oncotrial.eligibility.evaluate_eligibility` before it is returned."""
    draft.record.setdefault("lesions", [_lesion(draft, "lung", 24)])
    # the person first (sex, age: other criteria depend on them), the failing criterion last
    ordered = sorted(protocol.eligibility, key=lambda c: (c.id == failing, c.kind not in ("sex", "age")))
    for criterion in ordered:
        _apply(criterion, draft, meet=criterion.id != failing)
    record = _finish(draft)
    _check(protocol, record, draft, failing)
    return record
