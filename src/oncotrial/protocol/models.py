"""The protocol document: trial, agents, arms, endpoints, design and the choices made reading it.

A :class:`Protocol` is validated from YAML by :func:`oncotrial.protocol.io.load_protocol`;
every model is frozen and rejects unknown fields.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated, Literal

from pydantic import Field, model_validator

from oncotrial.protocol.base import Identifier, NotBool, PositiveInt, ProtocolModel, TimeOfDay, Weekday
from oncotrial.protocol.eligibility import Criterion
from oncotrial.protocol.regimen import (
    ContinuationRule,
    CrossoverRule,
    DoseLimit,
    NextCycleRule,
    Response,
    Treatment,
)

__all__ = [
    "Agent",
    "Arm",
    "Design",
    "DltException",
    "DoseLimitingToxicity",
    "Endpoint",
    "Interpretation",
    "Protocol",
    "RegistryId",
    "ResponseAssessment",
    "Source",
]

Probability = Annotated[float, NotBool, Field(gt=0, lt=1)]
Count = Annotated[int, NotBool, Field(ge=0)]


class RegistryId(ProtocolModel):
    registry: str = Field(description="'ClinicalTrials.gov', 'CALGB', 'NCIC CTG', 'PDQ', ...")
    id: str


class Source(ProtocolModel):
    """A document the protocol was encoded from."""

    citation: str
    document: str | None = Field(default=None, description="File name of the seed document, if any.")
    doi: str | None = None


class Interpretation(ProtocolModel):
    """A place where the source is ambiguous and what this encoding chose, and why."""

    field: str = Field(description="Where the choice lives, e.g. 'arms[A].next_cycle'.")
    source_text: str | None = None
    choice: str


class Agent(ProtocolModel):
    id: Identifier
    name: str
    kind: Literal["drug", "biologic", "radiation", "procedure"]
    other_names: list[str] = Field(default_factory=list)


class Arm(ProtocolModel):
    """One arm (or part, or cohort): its treatments, cycles and rules.

    ``start_weekday`` fixes the weekday of cycle 1 day 1 (IL-2 "given on a Monday").
    Cycles follow each other every ``cycle_length_days`` unless ``next_cycle`` says
    otherwise. ``planned_cycles`` is what a calendar shows by default; ``max_cycles`` the
    most any patient may receive (absent: no fixed maximum).
    """

    id: Identifier
    label: str
    type: Literal["experimental", "active_comparator", "placebo_comparator", "single_arm", "cohort"]
    description: str | None = None
    start_weekday: Weekday | None = None
    default_time: TimeOfDay = Field(
        default=time(8, 0), description="Clock time of the first administration when not given."
    )
    cycle_length_days: PositiveInt | None = None
    next_cycle: NextCycleRule | None = None
    planned_cycles: PositiveInt = 1
    max_cycles: PositiveInt | None = None
    treatments: list[Treatment] = Field(
        default_factory=list,
        description="Empty only in a draft (e.g. imported from a registry): no calendar until they are added.",
    )
    dose_limits: list[DoseLimit] = Field(default_factory=list)
    continuation: list[ContinuationRule] = Field(default_factory=list)
    crossover: list[CrossoverRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cycles_consistent(self) -> Arm:
        if self.treatments and self.cycle_length_days is None and self.next_cycle is None:  # a draft has neither
            raise ValueError("give 'cycle_length_days' or 'next_cycle' so the next cycle can be planned")
        if self.max_cycles is not None and self.planned_cycles > self.max_cycles:
            raise ValueError(f"planned_cycles ({self.planned_cycles}) is more than max_cycles ({self.max_cycles})")
        return self

    @property
    def cycle_offset_days(self) -> int:
        """Days from one cycle's day 1 to the next cycle's planned day 1 (before any weekday rule)."""
        if self.next_cycle is not None:
            return self.next_cycle.offset_days
        assert self.cycle_length_days is not None  # guaranteed by _cycles_consistent
        return self.cycle_length_days

    def treatment(self, treatment_id: str) -> Treatment:
        return next(t for t in self.treatments if t.id == treatment_id)


class ResponseAssessment(ProtocolModel):
    """How a response endpoint is assessed."""

    criteria: Literal["RECIST 1.1", "iRECIST", "WHO"] = "RECIST 1.1"
    responses: list[Response] = Field(default_factory=lambda: list[Response](["CR", "PR"]))
    exclude_irradiated_lesions: bool = False
    require_pet_negative_cr: bool = False
    min_duration_months: Annotated[float, NotBool] | None = Field(default=None, gt=0, le=1200)
    confirmation_days: Count | None = None
    imaging: list[str] = Field(default_factory=list)


class Endpoint(ProtocolModel):
    id: Identifier
    level: Literal["primary", "secondary", "exploratory"]
    kind: Literal["response", "rate", "time_to_event", "count", "biomarker", "pk", "safety"]
    name: str
    description: str | None = None
    time_frame: str = Field(description="As the protocol states it, e.g. 'At the end of Cycle 2 (Week 14)'.")
    time_point_weeks: Annotated[float, NotBool] | None = Field(default=None, gt=0, le=5200)
    origin: str | None = Field(default=None, description="Time zero, e.g. 'first IL-2 dose'.")
    landmarks_years: list[Annotated[float, NotBool, Field(gt=0, le=100)]] = Field(default_factory=list)
    population: str | None = None
    response: ResponseAssessment | None = None


class SimonTwoStageDesign(ProtocolModel):
    """Simon's two-stage design; the parameters are optional when the source does not give them."""

    kind: Literal["simon_two_stage"]
    p0: Probability | None = None
    p1: Probability | None = None
    alpha: Probability | None = None
    beta: Probability | None = None
    r1: Count | None = None
    n1: PositiveInt | None = None
    r: Count | None = None
    n: PositiveInt | None = None
    enrolled: PositiveInt | None = None
    note: str | None = None


class RandomisedDesign(ProtocolModel):
    kind: Literal["randomised"]
    arms: list[Identifier] = Field(min_length=2)
    ratio: list[PositiveInt] = Field(min_length=2)
    crossover: bool = False
    enrolled: PositiveInt | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _ratio_matches_arms(self) -> RandomisedDesign:
        if len(self.ratio) != len(self.arms):
            raise ValueError(f"ratio has {len(self.ratio)} parts for {len(self.arms)} arms")
        return self


class SingleArmDesign(ProtocolModel):
    kind: Literal["single_arm"]
    enrolled: PositiveInt | None = None
    note: str | None = None


class CohortDesign(ProtocolModel):
    kind: Literal["cohort"]
    retrospective: bool = True
    enrolled: PositiveInt | None = None
    note: str | None = None


Grade = Annotated[int, NotBool, Field(ge=1, le=5)]


class DltException(ProtocolModel):
    """An adverse event that is not a DLT although its grade reaches the DLT grade.

    "Grade 3 fever is expected with high-dose IL-2 and is not a DLT" is ``DltException(term="Fever",
    max_grade=3)``: fever of grade 3 or less is excepted, grade 4 fever is a DLT. ``term`` is matched
    against the preferred term (AEDECOD) and the reported term (AETERM), ignoring case.
    """

    term: str = Field(min_length=1)
    max_grade: Grade
    text: str | None = Field(default=None, description="The protocol's wording.")


class DoseLimitingToxicity(ProtocolModel):
    """The protocol's definition of a dose-limiting toxicity (DLT), evaluated by
    :func:`oncotrial.safety.evaluate_dlt`.

    An adverse event is a DLT when its CTCAE grade is at least ``min_grade``, its onset is on or after the
    first dose and within ``window_days`` days counting the day of the first dose as day 1 (a 28-day window is
    days 1-28), its term is one of ``terms`` (empty: any term), it is related to the study treatment when
    ``related_only``, and no exception covers it.
    """

    min_grade: Grade = 3
    window_days: PositiveInt
    terms: list[str] = Field(default_factory=list, description="Preferred terms that can be DLTs; empty: any.")
    related_only: bool = False
    exceptions: list[DltException] = Field(default_factory=list)
    text: str | None = Field(default=None, description="The protocol's wording of the DLT definition.")


Design = Annotated[
    SimonTwoStageDesign | RandomisedDesign | SingleArmDesign | CohortDesign,
    Field(discriminator="kind"),
]


class Protocol(ProtocolModel):
    """A phase II trial as data."""

    schema_version: Literal[1] = 1
    id: Identifier
    title: str
    short_title: str | None = None
    phase: Literal["1", "1/2", "2", "2/3", "3", "observational"]
    conditions: list[str] = Field(min_length=1)
    registry_ids: list[RegistryId] = Field(default_factory=list)
    sponsor: str | None = None
    sources: list[Source] = Field(default_factory=list)
    agents: list[Agent] = Field(min_length=1)
    arms: list[Arm] = Field(min_length=1)
    eligibility: list[Criterion] = Field(default_factory=list)
    endpoints: list[Endpoint] = Field(default_factory=list)
    design: Design
    interpretations: list[Interpretation] = Field(default_factory=list)
    dlt: DoseLimitingToxicity | None = Field(
        default=None, description="The dose-limiting toxicity definition, where the protocol gives one."
    )

    def arm(self, arm_id: str) -> Arm:
        """The arm with this id (case-insensitive); ``KeyError`` names the arms there are."""
        for arm in self.arms:
            if arm.id.lower() == arm_id.lower():
                return arm
        raise KeyError(arm_id)

    def agent(self, agent_id: str) -> Agent:
        return next(a for a in self.agents if a.id == agent_id)
