"""Scenarios: what is true in a virtual trial — per arm the response probability and its timing, PFS and OS
hazards, toxicity that holds or delays doses, dropout and crossover — and how people are screened.

A scenario is a YAML file validated like a protocol (every problem at once, each with its place) and checked
against its protocol by :func:`check_scenario` (arms, eligibility criteria, sample size). Hazards are per
month (30.4375 days); a median of M months is a hazard of ln 2 / M.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError

from oncotrial._documents import DEFAULT_LIMITS, DocumentLimits, read_document, shorten_path
from oncotrial.errors import DataError, Problem, ProtocolError, validation_messages
from oncotrial.protocol.base import Identifier, NotBool, ProtocolModel
from oncotrial.protocol.models import Protocol

__all__ = [
    "ArmScenario",
    "Scenario",
    "Screening",
    "Toxicity",
    "builtin_scenario_files",
    "check_scenario",
    "design_sample_size",
    "load_builtin_scenario",
    "load_scenario",
    "parse_scenario",
]

Probability = Annotated[float, NotBool, Field(ge=0, le=1)]
Hazard = Annotated[float, NotBool, Field(ge=0, le=100, description="Events per month.")]
Weeks = Annotated[float, NotBool, Field(gt=0, le=520)]


class Toxicity(ProtocolModel):
    """Toxicity that changes the dosing: each planned dose is held with ``dose_hold_probability``; each cycle
    after the first starts late with ``cycle_delay_probability`` (by ``delay_days``); adverse events come at
    ``adverse_events_per_cycle`` (Poisson mean), a share ``grade3_share`` of them of grade 3 or more."""

    dose_hold_probability: Probability = 0.0
    cycle_delay_probability: Probability = 0.0
    delay_days: Annotated[int, NotBool, Field(ge=1, le=84)] = 7
    adverse_events_per_cycle: Annotated[float, NotBool, Field(ge=0, le=50)] = 0.0
    grade3_share: Probability = 0.0


class ArmScenario(ProtocolModel):
    """The truth of one arm.

    ``response_probability`` is the probability of an objective response (CR or PR, confirmed when the
    protocol asks for confirmation); a share ``complete_response_share`` of responders reach CR. A responder's
    tumour size falls to ``responder_change`` (fraction, e.g. -0.6) by ``weeks_to_response``; a patient without
    response stays within the SD band or progresses at their PFS time. PFS and OS are exponential with the
    hazards given (responders' PFS hazard times ``responder_hazard_ratio``); ``dropout_hazard`` censors follow-up;
    on progression a patient crosses over with ``crossover_probability`` when the protocol allows it."""

    response_probability: Probability
    complete_response_share: Probability = 0.25
    weeks_to_response: Weeks = 8.0
    responder_change: Annotated[float, NotBool, Field(ge=-1, lt=-0.3)] = -0.6
    pfs_hazard: Hazard
    os_hazard: Hazard
    responder_hazard_ratio: Annotated[float, NotBool, Field(gt=0, le=1)] = 0.3
    dropout_hazard: Hazard = 0.0
    crossover_probability: Probability = 0.0
    toxicity: Toxicity = Toxicity()


class Screening(ProtocolModel):
    """People screened who are not eligible: a share ``failure_probability`` of those screened, each failing one
    criterion drawn from ``reasons`` (eligibility criterion id → relative weight)."""

    failure_probability: Probability = 0.0
    reasons: dict[Identifier, Annotated[float, NotBool, Field(gt=0)]] = Field(default_factory=dict)


class Scenario(ProtocolModel):
    """A scenario of one protocol: ``patients`` to randomise or enrol (absent: the design's sample size),
    accrued at ``accrual_per_month``, followed ``follow_up_months`` after the last enrolment; per arm the truth.
    ``confirmation`` (RECIST 1.1 confirmation of CR/PR, absent: as the protocol says) and ``sd_min_weeks`` (the
    shortest SD that counts as best response SD) are the analysis options a statistician compares.
    ``assessment_interval_weeks`` spaces the tumour assessments of virtual patients and virtual trials (absent:
    from the protocol's response time points, see :func:`oncotrial.simulate.patients.compute_assessment_days`)."""

    id: Identifier
    protocol: Identifier
    description: str | None = None
    patients: Annotated[int, NotBool, Field(ge=1, le=100_000)] | None = None
    accrual_per_month: Annotated[float, NotBool, Field(gt=0, le=10_000)] = 2.0
    follow_up_months: Annotated[float, NotBool, Field(ge=0, le=600)] = 24.0
    confirmation: bool | None = None
    sd_min_weeks: Annotated[float, NotBool, Field(gt=0, le=52)] = 6.0
    assessment_interval_weeks: Weeks | None = None
    screening: Screening = Screening()
    arms: dict[Identifier, ArmScenario] = Field(min_length=1)


def design_sample_size(protocol: Protocol) -> int | None:
    """The most patients the protocol's design takes: Simon's n (or the number enrolled), else the enrolment."""
    design = protocol.design
    if design is None:
        return None
    n = getattr(design, "n", None)
    return int(n) if n is not None else (int(design.enrolled) if design.enrolled is not None else None)


def check_scenario(scenario: Scenario, protocol: Protocol) -> None:
    """Refuse a scenario that does not fit its protocol: another protocol, an arm the protocol does not have, a
    screening reason that is not one of its eligibility criteria, more patients than the design allows."""
    problems = list(_protocol_problems(scenario, protocol))
    if problems:
        raise ProtocolError(
            f"scenario {scenario.id} does not fit protocol {protocol.id} ({len(problems)} problem"
            f"{'s' if len(problems) > 1 else ''}); fix each and run again:",
            problems=problems,
            file=scenario.id,
        )


def _protocol_problems(scenario: Scenario, protocol: Protocol) -> Iterator[Problem]:
    if scenario.protocol != protocol.id:
        yield Problem("protocol", f"the scenario is for {scenario.protocol}, not {protocol.id}", "SIM-E010")
    arms = [arm.id for arm in protocol.arms]
    for arm in scenario.arms:
        if arm not in arms:
            yield Problem(
                f"arms.{arm}", f"protocol {protocol.id} has no arm {arm}; its arms: {', '.join(arms)}", "SIM-E011"
            )
    criteria = [criterion.id for criterion in protocol.eligibility]
    for reason in scenario.screening.reasons:
        if reason not in criteria:
            yield Problem(
                f"screening.reasons.{reason}",
                f"{reason} is not an eligibility criterion of {protocol.id}; use one of its criterion ids",
                "SIM-E012",
            )
    limit = design_sample_size(protocol)
    if scenario.patients is not None and limit is not None and scenario.patients > limit:
        yield Problem(
            "patients",
            f"{scenario.patients} patients is more than the design of {protocol.id} allows ({limit}); "
            "give at most that, or leave it out to use the design's",
            "SIM-E013",
        )


def load_scenario(path: str | Path, *, limits: DocumentLimits = DEFAULT_LIMITS) -> Scenario:
    """Read a scenario YAML (or JSON) file and validate it (every problem at once, with its place)."""
    path = Path(path)
    try:
        data = read_document(path, what="scenario file", field="scenario", limits=limits)
    except DataError as exc:
        raise ProtocolError(exc.message, code=exc.code, file=str(path)) from exc
    return parse_scenario(data, source=shorten_path(path))


def parse_scenario(data: Any, *, source: str = "<scenario>") -> Scenario:
    """Validate a scenario document already read into Python objects."""
    if not isinstance(data, Mapping):
        raise ProtocolError(
            f"{source}: a scenario must be a mapping of fields (id, protocol, arms, ...); check the file.",
            code="SIM-E001",
            file=source,
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(place or "(document)", message, "SIM-E002")
            for place, message in validation_messages(exc.errors(include_url=False))
        ]
        raise ProtocolError(
            f"{source}: the scenario is not valid ({len(problems)} problem{'s' if len(problems) > 1 else ''}); "
            "fix each and validate again:",
            problems=problems,
            file=source,
        ) from None


def builtin_scenario_files() -> dict[str, Path]:
    """The scenario shipped with each seed trial, by protocol id."""
    folder = resources.files("oncotrial.simulate") / "scenarios"
    return {Path(entry.name).stem: Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".yaml")}


def load_builtin_scenario(protocol_id: str) -> Scenario:
    """The shipped scenario of a seed trial (``NCT01416831``, ...)."""
    files = builtin_scenario_files()
    if protocol_id not in files:
        raise DataError(
            f"no built-in scenario for {protocol_id}; built-in: {', '.join(sorted(files))}. Give a scenario file.",
            code="SIM-E003",
            field="scenario",
        )
    return load_scenario(files[protocol_id])
