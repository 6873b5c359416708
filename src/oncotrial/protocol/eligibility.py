"""Eligibility criteria as structured data (the schema; evaluation lives in ``oncotrial.eligibility``).

Every criterion keeps the registry's own ``text`` and a ``type``: an *inclusion* criterion
must hold for the patient to be eligible; an *exclusion* criterion excludes the patient
when it holds. The condition is written as the protocol states it, so "WBC < 3.0 × 10⁹/L"
under the exclusions is ``{kind: lab, analytes: [wbc], comparator: "<", value: 3.0,
unit: "10^9/L"}``.

Kinds: ``age``, ``sex``, ``ecog``, ``life_expectancy``, ``lab``, ``time_since``,
``condition``, ``prior_therapy``, ``measurable_disease``, ``lesions``, ``pregnancy_test``,
``consent`` and ``review`` (a judgement only a person can make: never passed silently).

A *permission* ("Concurrent topical steroids are allowed", under "No concurrent systemic
corticosteroids") is not a criterion: it cannot fail. It is kept word for word in the
``permissions`` of the criterion it qualifies and is never evaluated.

A lab threshold the registry qualifies by a cause and an investigator's review ("FEV1 less than
70% of predicted due to clinically significant underlying pulmonary disease ... the PI will
review") names the cause (``due_to``, a condition) and the reviewer (``reviewed_by``): a value
beyond the threshold then excludes only when the cause is recorded present or the review
recorded unfavourable; otherwise it awaits the review.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Annotated, Literal, get_args

import pandas as pd
from pydantic import Field, field_validator, model_validator

from oncotrial.protocol.base import Identifier, NotBool, ProtocolModel
from oncotrial.units import UnitParseError, parse_lab_unit

__all__ = [
    "ANALYTES",
    "CONDITIONS",
    "EVENTS",
    "LESION_SITES",
    "Criterion",
    "Duration",
    "check_condition_name",
    "normalise_site",
    "suggest_names",
]

#: Laboratory analytes a criterion may name (a small controlled vocabulary).
ANALYTES = (
    "wbc",
    "anc",
    "granulocytes",
    "platelets",
    "hemoglobin",
    "bilirubin_total",
    "creatinine",
    "ast",
    "alt",
    "dlco_pct_predicted",
    "fev1_pct_predicted",
    "fev1_fvc_pct_predicted",
)

#: Conditions a criterion may name as present or absent.
CONDITIONS = (
    "melanoma_histologically_confirmed",
    "cutaneous_melanoma_histologically_confirmed",
    "metastatic_or_recurrent_incurable",
    "brain_metastases",
    "brain_metastases_not_radiosurgery_candidate",
    "sbrt_amenable_site",
    "prior_radiation_to_sbrt_site",
    "active_infection",
    "cardiac_ischemia",
    "symptomatic_congestive_heart_failure",
    "unstable_angina",
    "cardiac_arrhythmia",
    "psychiatric_or_social_limiting_compliance",
    "hemolytic_disorder",
    "other_malignancy_within_5_years",
    "hiv",
    "hepatitis_b",
    "hepatitis_c",
    "pregnant",
    "lactating",
    "chronic_steroids",
    "concurrent_systemic_corticosteroids",
    "tumour_tissue_available",
    "resides_within_2h_of_centre",
    "clinically_significant_pulmonary_disease",
    "pregnant_or_lactating",
    "hiv_or_hepatitis_b_or_c",
    "sickle_cell_anemia",
    "thalassemia",
    "autoimmune_hemolytic_anemia",
)

# Where a lesion is: the vocabulary patient records and lesion criteria share (the seeds' SBRT sites
# and the common metastatic sites of melanoma). Records may write any case and spaces or hyphens.
LESION_SITES = (
    "lung",
    "mediastinum",
    "chest_wall",
    "pleura",
    "liver",
    "bone_except_long_bones",
    "long_bone",
    "lymph_node",
    "brain",
    "skin",
    "subcutaneous",
    "soft_tissue",
    "muscle",
    "adrenal",
    "spleen",
    "kidney",
    "pancreas",
    "peritoneum",
    "bowel",
    "other",
)


def normalise_site(site: str) -> str:
    """``Chest wall`` and ``chest-wall`` are ``chest_wall``; a site outside ``LESION_SITES`` is an error."""
    key = "_".join(site.strip().lower().replace("-", " ").split())
    if key not in LESION_SITES:
        raise ValueError(f"unknown lesion site '{site}'; use one of {', '.join(LESION_SITES)}")
    return key


Comparator = Literal["<", "<=", ">", ">="]
Reviewer = Literal["investigator", "principal_investigator"]


def check_condition_name(condition: str) -> str:
    """``condition`` if it is one of ``CONDITIONS``; otherwise a ValueError naming the close ones."""
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition '{condition}'; {suggest_names(condition, CONDITIONS)}")
    return condition


def suggest_names(name: str, names: tuple[str, ...]) -> str:
    """ "use one of a, b, c" for a short vocabulary; the closest names (and how many there are) for a long one."""
    if len(names) <= 20:
        return f"use one of {', '.join(names)}"
    close = difflib.get_close_matches(name.lower(), names, n=3, cutoff=0.5)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    return f"{hint}{len(names)} names are accepted: a protocol's record template lists those it uses"


#: Dated events a time-since criterion counts from (a patient record gives their dates).
Event = Literal[
    "prior_radiotherapy",
    "major_surgery",
    "adjuvant_immunotherapy",
    "investigational_agent",
    "anticancer_therapy",
    "other_malignancy",
]
EVENTS: tuple[str, ...] = get_args(Event)


class Duration(ProtocolModel):
    """A length of time as the protocol states it (``4 weeks``, ``72 hours``, ``3 months``)."""

    value: Annotated[float, NotBool] = Field(ge=0)
    unit: Literal["hours", "days", "weeks", "months", "years"]

    @model_validator(mode="after")
    def _within_a_century(self) -> Duration:
        if self.days > 36525:
            raise ValueError(f"{self.value:g} {self.unit} is more than 100 years; check the number and its unit")
        return self

    @property
    def days(self) -> float:
        """The duration in days (a month is 30.4375 days, a year 365.25, as in ADaM)."""
        factor = {"hours": 1 / 24, "days": 1, "weeks": 7, "months": 30.4375, "years": 365.25}
        return self.value * factor[self.unit]

    def days_before(self, day: dt.date) -> float:
        """The days this duration spans when it ends on ``day``.

        Whole months and years are calendar months and years ("3 months before 2026-04-15" is
        2026-01-15, 90 days; the day is clamped to the month's end as in ``DateOffset``); any other
        duration is :attr:`days`.
        """
        if self.unit in ("months", "years") and float(self.value).is_integer():
            months = int(self.value) * (12 if self.unit == "years" else 1)
            earlier = (pd.Timestamp(day) - pd.DateOffset(months=months)).date()
            return float((day - earlier).days)
        return self.days

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}"


class _Criterion(ProtocolModel):
    id: Identifier
    type: Literal["inclusion", "exclusion"]
    text: str = Field(min_length=1, description="The criterion as the registry or protocol writes it.")
    note: str | None = None
    permissions: list[str] | None = Field(
        default=None,
        description="What the registry allows under this criterion, word for word (never evaluated: cannot fail).",
    )


class AgeCriterion(_Criterion):
    kind: Literal["age"]
    min_years: Annotated[float, NotBool] | None = Field(default=None, ge=0, le=150)
    max_years: Annotated[float, NotBool] | None = Field(default=None, ge=0, le=150)


class SexCriterion(_Criterion):
    kind: Literal["sex"]
    allowed: list[Literal["female", "male"]] = Field(min_length=1)


class EcogCriterion(_Criterion):
    kind: Literal["ecog"]
    min: Annotated[int, NotBool] = Field(default=0, ge=0, le=5)
    max: Annotated[int, NotBool] = Field(ge=0, le=5)


class LifeExpectancyCriterion(_Criterion):
    kind: Literal["life_expectancy"]
    at_least: Duration


class LabCriterion(_Criterion):
    """A laboratory threshold: absolute (``value`` + ``unit``), a multiple of the upper or
    lower limit of normal (``times_uln``/``times_lln``), or "within normal limits"."""

    kind: Literal["lab"]
    analytes: list[str] = Field(min_length=1)
    combine: Literal["all", "any"] = Field(
        default="all", description="'all': every analyte meets the condition; 'any': at least one."
    )
    comparator: Comparator | None = None
    value: Annotated[float, NotBool] | None = None
    unit: str | None = None
    times_uln: Annotated[float, NotBool] | None = Field(default=None, gt=0)
    times_lln: Annotated[float, NotBool] | None = Field(default=None, gt=0)
    within_normal_range: bool = False
    max_age: Duration | None = Field(default=None, description="Oldest acceptable result.")
    due_to: str | None = Field(
        default=None, description="The cause the registry requires for the threshold to exclude (a condition)."
    )
    reviewed_by: Reviewer | None = Field(
        default=None, description="Who reviews a value beyond the threshold (the review recorded decides)."
    )

    @field_validator("due_to")
    @classmethod
    def _known_cause(cls, condition: str | None) -> str | None:
        return None if condition is None else check_condition_name(condition)

    @field_validator("analytes")
    @classmethod
    def _known_analytes(cls, analytes: list[str]) -> list[str]:
        unknown = [a for a in analytes if a not in ANALYTES]
        if unknown:
            raise ValueError(f"unknown analyte(s) {unknown}; use one of {', '.join(ANALYTES)}")
        return analytes

    @model_validator(mode="after")
    def _qualifies_an_exclusion(self) -> LabCriterion:
        if (self.due_to is not None or self.reviewed_by is not None) and self.type != "exclusion":
            raise ValueError("'due_to' and 'reviewed_by' qualify an exclusion threshold; give 'type: exclusion'")
        return self

    @model_validator(mode="after")
    def _one_threshold(self) -> LabCriterion:
        forms = [
            self.value is not None,
            self.times_uln is not None,
            self.times_lln is not None,
            self.within_normal_range,
        ]
        if sum(forms) != 1:
            raise ValueError(
                "give exactly one threshold: 'value' with 'unit', 'times_uln', 'times_lln' "
                "or 'within_normal_range: true'"
            )
        if not self.within_normal_range and self.comparator is None:
            raise ValueError("a threshold needs a 'comparator' (<, <=, >, >=)")
        if self.value is not None:
            if not self.unit:
                raise ValueError("an absolute threshold needs a 'unit' (e.g. 'g/dL', '10^9/L', '/mm^3')")
            try:
                parse_lab_unit(self.unit)
            except UnitParseError as exc:
                raise ValueError(exc.message) from exc
        return self


class TimeSinceCriterion(_Criterion):
    """Time since an event relative to the planned start of treatment ("at least 4 weeks since
    prior radiotherapy"): ``at_least`` and/or ``at_most``, ``strict`` for "more than"."""

    kind: Literal["time_since"]
    event: Event
    at_least: Duration | None = None
    at_most: Duration | None = None
    strict: bool = False
    exceptions: str | None = None


class ConditionCriterion(_Criterion):
    """A diagnosis or condition that must be present (``present: true``) or absent."""

    kind: Literal["condition"]
    condition: str
    present: bool

    @field_validator("condition")
    @classmethod
    def _known(cls, condition: str) -> str:
        return check_condition_name(condition)


class PriorTherapyCriterion(_Criterion):
    """Prior therapy of a type in a setting: ``allowed: false`` forbids it."""

    kind: Literal["prior_therapy"]
    therapy: Literal["systemic", "chemotherapy", "immunotherapy", "radiotherapy", "investigational"]
    setting: Literal["any", "metastatic", "adjuvant", "non_adjuvant", "concurrent"] = "any"
    allowed: bool


class MethodThreshold(ProtocolModel):
    method: Literal["ct", "spiral_ct", "nonspiral_ct", "mri", "xray", "physical_exam"]
    min_mm: Annotated[float, NotBool] = Field(gt=0)


class MeasurableDiseaseCriterion(_Criterion):
    """At least ``min_lesions`` lesions measurable by a method at that method's size."""

    kind: Literal["measurable_disease"]
    min_lesions: Annotated[int, NotBool] = Field(default=1, ge=1)
    thresholds: list[MethodThreshold] = Field(min_length=1)


class LesionsCriterion(_Criterion):
    """Count and size caps on lesions (optionally only those at listed sites)."""

    kind: Literal["lesions"]
    min_count: Annotated[int, NotBool] | None = Field(default=None, ge=0)
    max_count: Annotated[int, NotBool] | None = Field(default=None, ge=0)
    max_size_mm: Annotated[float, NotBool] | None = Field(default=None, gt=0)
    sites: list[str] | None = None

    @field_validator("sites")
    @classmethod
    def _known_sites(cls, sites: list[str] | None) -> list[str] | None:
        return None if sites is None else [normalise_site(site) for site in sites]


class PregnancyTestCriterion(_Criterion):
    """A negative serum or urine test within ``within`` before treatment, for women of
    childbearing potential."""

    kind: Literal["pregnancy_test"]
    within: Duration | None = None


class ConsentCriterion(_Criterion):
    kind: Literal["consent"]


class ReviewCriterion(_Criterion):
    """A judgement only a person can make; evaluation reports it as 'needs investigator review'."""

    kind: Literal["review"]
    reviewer: Reviewer = "investigator"


Criterion = Annotated[
    AgeCriterion
    | SexCriterion
    | EcogCriterion
    | LifeExpectancyCriterion
    | LabCriterion
    | TimeSinceCriterion
    | ConditionCriterion
    | PriorTherapyCriterion
    | MeasurableDiseaseCriterion
    | LesionsCriterion
    | PregnancyTestCriterion
    | ConsentCriterion
    | ReviewCriterion,
    Field(discriminator="kind"),
]
