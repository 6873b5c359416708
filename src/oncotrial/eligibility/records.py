"""The patient record screened against a protocol (the documented JSON/YAML shape).

Example (YAML)::

    subject_id: SCR-001
    sex: female
    birth_date: 1961-04-02
    planned_start: 2026-11-23T08:00        # start of protocol treatment (time windows count from it)
    ecog: {value: 1, date: 2026-11-16}
    life_expectancy_weeks: 26
    labs:
      - {analyte: wbc, value: 4.2, unit: 10^9/L, date: 2026-11-16}
      - {analyte: ast, value: 41, unit: U/L, lln: 10, uln: 40, date: 2026-11-16}
      - {analyte: creatinine, value: 88, unit: umol/L, uln: 110, date: 2026-11-16}
    lesions:
      - {site: lung, method: spiral_ct, size_mm: 24, date: 2026-11-10}
      - {site: lymph_node, method: ct, size_mm: 16, nodal: true, date: 2026-11-10}
    conditions: {melanoma_histologically_confirmed: true, brain_metastases: false}
    events: {prior_radiotherapy: 2026-09-01, major_surgery: null}   # null: never happened
    prior_therapies:
      - {therapy: immunotherapy, setting: adjuvant, end_date: 2025-12-01}
    childbearing_potential: true
    pregnancy_test: {result: negative, datetime: 2026-11-21T09:00}
    consent_date: 2026-11-18
    reviews: {contraception: true}       # the investigator's decisions on review items, by criterion id

Every field is optional: what is missing makes the criteria that need it *unknown*, never met.
Lab values are finite and not negative, and a normal limit is above 0. Lesion sites come from
``oncotrial.protocol.eligibility.LESION_SITES`` (any case; ``chest wall`` is ``chest_wall``).
``ecog: 1`` is short for ``ecog: {value: 1}`` (undated, so criteria needing a recent ECOG stay unknown).
Times with a UTC offset (``2026-11-23T08:00+01:00``) are converted to UTC and compared as such;
times without an offset are taken as written, so give all times of a record in one zone.

Names and controlled values are read as people type them, in any case: ``WBC``, ``Hgb``, ``HGB``,
``Platelets`` are ``wbc``, ``hemoglobin``, ``platelets`` (:data:`ANALYTE_ALIASES`); sex ``F``/``M``
are ``female``/``male``; ``CT`` is ``ct``; condition and event names ignore case and spaces.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from oncotrial.protocol.eligibility import ANALYTES, CONDITIONS, EVENTS, normalise_site, suggest_names
from oncotrial.units import UnitParseError, parse_lab_unit

__all__ = ["ANALYTE_ALIASES", "Ecog", "LabResult", "Lesion", "PatientRecord", "PregnancyTest", "PriorTherapy"]

#: Other names sites and registries give the analytes (keys as :func:`_key` writes them).
ANALYTE_ALIASES = {
    "white_blood_cells": "wbc",
    "leukocytes": "wbc",
    "neutrophils": "anc",
    "absolute_neutrophil_count": "anc",
    "agc": "granulocytes",
    "plt": "platelets",
    "platelet_count": "platelets",
    "hgb": "hemoglobin",
    "hb": "hemoglobin",
    "haemoglobin": "hemoglobin",
    "bilirubin": "bilirubin_total",
    "total_bilirubin": "bilirubin_total",
    "tbili": "bilirubin_total",
    "sgot": "ast",
    "sgpt": "alt",
    "dlco": "dlco_pct_predicted",
    "fev1": "fev1_pct_predicted",
    "fev1_fvc": "fev1_fvc_pct_predicted",
}
_SEX_ALIASES = {"f": "female", "woman": "female", "m": "male", "man": "male"}
_METHOD_ALIASES = {"x_ray": "xray", "exam": "physical_exam", "spiral": "spiral_ct"}


@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    """``"FEV1/FVC"`` is ``fev1_fvc``, ``"Spiral CT"`` is ``spiral_ct``: lower case, words joined by ``_``."""
    return "_".join(text.strip().lower().replace("-", " ").replace("/", " ").split())


def _name(value: object, names: tuple[str, ...], aliases: dict[str, str], what: str, also: str) -> object:
    """A typed name as the vocabulary's (``HGB`` is ``hemoglobin``); an unknown one is an error listing them."""
    if not isinstance(value, str):
        return value
    key = _key(value)
    key = aliases.get(key, key)
    if key not in names:
        raise ValueError(f"unknown {what} '{value}'; {suggest_names(key, names)} ({also}; any case)")
    return key


def _lower(value: object) -> object:
    """Controlled values (``CT``, ``Negative``) in any case, for the Literal check that follows."""
    return _key(value) if isinstance(value, str) else value


_DIMENSIONS = {
    "count per volume": {"1 / [length] ** 3"},
    "concentration": {"[mass] / [length] ** 3", "[substance] / [length] ** 3"},
    "enzyme activity": {"[substance] / [time] / [length] ** 3", "[biological_activity] / [length] ** 3"},
    "percentage": {"dimensionless"},
}
_COUNT = ("count per volume", "10^9/L or /mm^3")
_CONC = ("concentration", "mg/dL, g/dL or umol/L")
_UNIT_KINDS = {
    "wbc": _COUNT,
    "anc": _COUNT,
    "granulocytes": _COUNT,
    "platelets": _COUNT,
    "hemoglobin": _CONC,
    "bilirubin_total": _CONC,
    "creatinine": _CONC,
    "ast": ("enzyme activity", "U/L"),
    "alt": ("enzyme activity", "U/L"),
    "dlco_pct_predicted": ("percentage", "%"),
    "fev1_pct_predicted": ("percentage", "%"),
    "fev1_fvc_pct_predicted": ("percentage", "%"),
}


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Ecog(_Record):
    value: int = Field(ge=0, le=5)
    date: dt.date | None = None


def _naive(value: dt.datetime | dt.date | None) -> dt.datetime | dt.date | None:
    """A time with a UTC offset as naive UTC, so it compares with the record's other times."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


#: Molar masses (g/mol) for results reported in substance units (µmol/L, mmol/L). Haemoglobin is
#: reported per haem monomer (16,114.5 g/mol) where labs use mmol/L (e.g. 8.7 mmol/L = 14.0 g/dL).
MOLAR_MASS = {"creatinine": 113.12, "bilirubin_total": 584.66, "hemoglobin": 16114.5}


class LabResult(_Record):
    """One laboratory result with its unit, the site's normal range and its date."""

    analyte: str
    value: float = Field(ge=0, allow_inf_nan=False)
    unit: str = Field(min_length=1)
    lln: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    uln: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    date: dt.date | None = None

    @field_validator("analyte", mode="before")
    @classmethod
    def _known(cls, analyte: object) -> object:
        return _name(analyte, ANALYTES, ANALYTE_ALIASES, "analyte", "or Hgb, PLT and other abbreviations")

    @model_validator(mode="after")
    def _unit_fits_analyte(self) -> LabResult:
        problem = check_lab_unit(self.analyte, self.unit)
        if problem:
            raise ValueError(problem)
        return self


@lru_cache(maxsize=1024)
def check_lab_unit(analyte: str, unit: str) -> str | None:
    """Why ``unit`` is not a unit for ``analyte`` (None when it is); cached, as a batch repeats a few units."""
    try:
        quantity = parse_lab_unit(unit)
    except UnitParseError as exc:
        return f"unit: {exc.message}"
    kind, examples = _UNIT_KINDS[analyte]
    dimension = str(quantity.dimensionality)
    if dimension not in _DIMENSIONS[kind] or (
        kind == "concentration" and "[substance]" in dimension and analyte not in MOLAR_MASS
    ):
        article = "an" if kind[0] in "aeiou" else "a"
        return f"unit: '{unit}' is not a unit for {analyte} ({article} {kind}, e.g. {examples})"
    return None


class Lesion(_Record):
    site: str
    method: Literal["ct", "spiral_ct", "nonspiral_ct", "mri", "xray", "physical_exam"]
    size_mm: float = Field(ge=0, allow_inf_nan=False)
    nodal: bool = False
    date: dt.date | None = None

    @field_validator("site")
    @classmethod
    def _known_site(cls, site: str) -> str:
        return normalise_site(site)

    @field_validator("method", mode="before")
    @classmethod
    def _method(cls, method: object) -> object:
        key = _lower(method)
        return _METHOD_ALIASES.get(key, key) if isinstance(key, str) else key


class PriorTherapy(_Record):
    therapy: Literal["chemotherapy", "immunotherapy", "targeted", "radiotherapy", "investigational", "other_systemic"]
    setting: Literal["adjuvant", "metastatic", "other"] = "other"
    end_date: dt.date | None = None  # None: ongoing

    _any_case = field_validator("therapy", "setting", mode="before")(_lower)


class PregnancyTest(_Record):
    result: Literal["negative", "positive"]
    datetime: dt.datetime

    _any_case = field_validator("result", mode="before")(_lower)

    @field_validator("datetime")
    @classmethod
    def _utc(cls, value: dt.datetime) -> dt.datetime:
        naive = _naive(value)
        assert isinstance(naive, dt.datetime)
        return naive


class PatientRecord(_Record):
    """Everything screening may use about one patient; see the module docstring for the shape."""

    subject_id: str = Field(min_length=1)
    sex: Literal["female", "male"] | None = None
    birth_date: dt.date | None = None
    age_years: float | None = Field(default=None, ge=0, le=120, allow_inf_nan=False)
    planned_start: dt.datetime | dt.date | None = None
    ecog: Ecog | None = None
    life_expectancy_weeks: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    labs: list[LabResult] = Field(default_factory=list)
    lesions: list[Lesion] | None = None
    conditions: dict[str, bool] = Field(default_factory=dict)
    events: dict[str, dt.date | None] = Field(default_factory=dict)
    prior_therapies: list[PriorTherapy] | None = None
    childbearing_potential: bool | None = None
    pregnancy_test: PregnancyTest | None = None
    consent_date: dt.date | None = None
    reviews: dict[str, bool] = Field(default_factory=dict)

    @field_validator("subject_id", mode="before")
    @classmethod
    def _text_id(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, value: object) -> object:
        return _name(value, ("female", "male"), _SEX_ALIASES, "sex", "or F, M")

    @field_validator("ecog", mode="before")
    @classmethod
    def _bare_ecog(cls, value: object) -> object:
        return {"value": value} if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("planned_start", mode="before")
    @classmethod
    def _day_or_time(cls, value: object) -> object:
        # "2026-11-23" is a day (pydantic would read it as midnight): windows then end with that day
        if isinstance(value, str) and len(value.strip()) == 10:
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                return value
        return value

    @field_validator("planned_start")
    @classmethod
    def _utc_start(cls, value: dt.datetime | dt.date | None) -> dt.datetime | dt.date | None:
        return _naive(value)

    @field_validator("birth_date")
    @classmethod
    def _plausible_birth(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and value.year < dt.date.today().year - 120:
            raise ValueError(f"{value} would make the patient over 120 years old; check the year (YYYY-MM-DD)")
        return value

    @field_validator("conditions", mode="before")
    @classmethod
    def _known_conditions(cls, conditions: object) -> object:
        return _names(conditions, CONDITIONS, "condition")

    @field_validator("events", mode="before")
    @classmethod
    def _known_events(cls, events: object) -> object:
        return _names(events, EVENTS, "event")


def _names(items: object, names: tuple[str, ...], what: str) -> object:
    """A mapping keyed by vocabulary names, keys in any case; unknown keys are one error naming them all."""
    if not isinstance(items, dict):
        return items
    keyed = {_key(k) if isinstance(k, str) else k: v for k, v in items.items()}
    unknown = [k for k in items if not isinstance(k, str) or _key(k) not in names]
    if unknown:
        raise ValueError(f"unknown {what}(s) {', '.join(map(repr, unknown))}; {suggest_names(str(unknown[0]), names)}")
    return keyed
