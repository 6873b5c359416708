"""A protocol in words: regimens, cycle timing, the design, endpoints and criteria as a clinician reads them.

``describe_regimen`` turns a treatment into the sentence a protocol would print ("600,000 IU/kg IV
every 8 h, up to 14 doses, cycle 1 day 1 = Monday"); :func:`describe_protocol` gathers every part
of a protocol into titled sections of lines, for the CLI (or a report) to print. Nothing here
prints; every function returns text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from oncotrial.protocol.models import (
    Arm,
    CohortDesign,
    Design,
    DoseLimitingToxicity,
    Endpoint,
    Protocol,
    RandomisedDesign,
    SimonTwoStageDesign,
)
from oncotrial.protocol.regimen import (
    DaySchedule,
    Dose,
    IntervalSchedule,
    Schedule,
    Treatment,
    WeekdaysBeforeSchedule,
    WeekSchedule,
)
from oncotrial.units import format_unit, parse_unit

__all__ = [
    "ProtocolSection",
    "describe_arm_heading",
    "describe_cycles",
    "describe_design",
    "describe_dose",
    "describe_endpoint",
    "describe_protocol",
    "describe_regimen",
    "describe_schedule",
    "describe_treatment_schedule",
]

#: A titled part of a protocol's description: ("Arm A: IL-2 Monotherapy", [line, line, ...]).
ProtocolSection = tuple[str, list[str]]


def describe_dose(dose: Dose) -> str:
    """``600,000 IU/kg``, ``50 µg/kg``, ``3,000,000 IU``, ``20 Gy``: the amount with the unit as clinicians write it."""
    per = {"kg": "/kg", "m2": "/m²", None: ""}[dose.per]
    return f"{dose.amount:,.10g} {format_unit(parse_unit(dose.unit))}{per}"


def _join(items: Sequence[object]) -> str:
    """``1``, ``1 and 3``, ``1, 3 and 5``."""
    words = [str(item) for item in items]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _day_runs(days: Sequence[int]) -> list[str]:
    """Consecutive days as ranges: ``[2, 3, 4, 5, 6]`` is ``["2–6"]``, ``[1, 8, 15]`` stays apart."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return [f"{run[0]}–{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs]


def _days(days: Sequence[int]) -> str:
    runs = _day_runs(days)
    plural = len(days) > 1
    return f"day{'s' if plural else ''} {_join(runs)}"


def describe_schedule(schedule: Schedule) -> str:
    """``every 8 h, up to 14 doses``; ``on days 2–6``; ``on days 1–5 of weeks 1, 3 and 5``;
    ``on the Wednesday and Friday before day 1`` (with `` at 09:00`` when the schedule fixes the time)."""
    at = f" at {schedule.time:%H:%M}" if schedule.time is not None else ""
    if isinstance(schedule, IntervalSchedule):
        return f"every {schedule.every_hours:g} h, up to {schedule.max_doses} doses{at}"
    if isinstance(schedule, WeekdaysBeforeSchedule):
        return f"on the {_join([w.label for w in schedule.weekdays])} before day 1{at}"
    if isinstance(schedule, WeekSchedule):
        weeks = f"week{'s' if len(schedule.weeks) > 1 else ''} {_join(schedule.weeks)}"
        return f"on {_days(schedule.days_of_week)} of {weeks}{at}"
    assert isinstance(schedule, DaySchedule)  # the last kind of the union
    return f"on {_days(schedule.days)}{at}"


def describe_treatment_schedule(treatment: Treatment) -> str:
    """The treatment's schedule; one by enrolment number is ``(patients 1–20: ...; patients 21 on: ...)``."""
    if treatment.schedule is not None:
        return describe_schedule(treatment.schedule)
    rules = treatment.schedule_by_patient_number or []
    by_number = "; ".join(
        f"patients {r.first}–{r.last}: {describe_schedule(r.schedule)}"
        if r.last is not None
        else f"patients {r.first} on: {describe_schedule(r.schedule)}"
        for r in rules
    )
    return f"({by_number})"


def describe_regimen(arm: Arm, treatment: Treatment) -> str:
    """One treatment of an arm in words.

    ``600,000 IU/kg IV every 8 h, up to 14 doses, cycle 1 day 1 = Monday`` (NCT01416831's HD IL-2),
    ``50 µg/kg IV push on days 1–5 of weeks 1, 3 and 5 of an 8-week cycle`` (NCT00514085 part A);
    the agent's name is not included (see :func:`describe_protocol`).
    """
    regimen = f"{describe_dose(treatment.dose)} {treatment.route.value} {describe_treatment_schedule(treatment)}"
    if arm.cycle_length_days is not None:
        length = _length(arm.cycle_length_days)
        regimen += f" of {'an' if length.startswith(('8', '11-', '18-')) else 'a'} {length} cycle"
    parts = [regimen]
    if treatment.cycles is not None:
        only = " only" if len(treatment.cycles) == 1 else ""
        parts.append(f"in cycle{'s' if len(treatment.cycles) > 1 else ''} {_join(treatment.cycles)}{only}")
    if arm.start_weekday is not None:
        parts.append(f"cycle 1 day 1 = {arm.start_weekday.label}")
    return ", ".join(parts)


def _length(days: int) -> str:
    """``14-day``; whole weeks from five weeks on (``8-week``), as protocols write long cycles."""
    return f"{days // 7}-week" if days % 7 == 0 and days >= 35 else f"{days}-day"


def describe_cycles(arm: Arm) -> str:
    """The arm's cycle timing: length or spacing, weekday rule, allowed delay, planned and maximum cycles."""
    if arm.next_cycle is not None:
        rule = arm.next_cycle
        timing = f"next cycle {rule.offset_days} days after day 1 of the previous one"
        if rule.start_weekday is not None:
            timing += f", on the first {rule.start_weekday.label} on or after that day"
        if rule.max_delay_days:
            timing += f", delayable by up to {rule.max_delay_days} days"
    else:
        assert arm.cycle_length_days is not None  # an arm with treatments has one or the other
        timing = f"{_length(arm.cycle_length_days)} cycle"
    planned = f"{arm.planned_cycles} cycle{'s' if arm.planned_cycles > 1 else ''} planned"
    limit = f", at most {arm.max_cycles}" if arm.max_cycles is not None else ""
    return f"{timing}; {planned}{limit}"


def describe_arm_heading(arm: Arm) -> str:
    """The arm's label when it already names the arm (``Arm A: IL-2 Monotherapy``, never ``Arm A: Arm A: ...``),
    with the id to type when the label spells it otherwise (``Part A: ... (arm id part-A)``); else
    ``Arm <id>: <label>``."""
    spoken = re.escape(arm.id.replace("-", " "))  # part-A is written "Part A"
    if re.match(rf"(arm\s+)?{re.escape(arm.id)}\b", arm.label, re.IGNORECASE):
        return arm.label
    if re.match(rf"(arm\s+)?{spoken}\b", arm.label, re.IGNORECASE):
        return f"{arm.label} (arm id {arm.id})"
    return f"Arm {arm.id}: {arm.label}"


def _arm_lines(protocol: Protocol, arm: Arm) -> list[str]:
    if not arm.treatments:
        return ["no treatments yet (a draft): add the agents' doses and schedules"]
    lines = [f"{protocol.agent(t.agent).name}: {describe_regimen(arm, t)}" for t in arm.treatments]
    lines.append(f"Cycles: {describe_cycles(arm)}")
    lines += [
        f"Limit: {limit.text or f'at most {limit.max_doses} doses of {limit.treatment}'}" for limit in arm.dose_limits
    ]
    lines += [f"Continuation ({'/'.join(rule.responses)}): {rule.text}" for rule in arm.continuation]
    lines += [
        f"Crossover to arm {c.to_arm} after {c.after_cycles} cycles if {'/'.join(c.responses)}: "
        f"{c.cycles} cycles numbered from {c.first_cycle_number}, analysed in arm {c.analysed_in_arm}"
        for c in arm.crossover
    ]
    return lines


_DESIGN_NAMES = {
    "simon_two_stage": "Simon two-stage design",
    "randomised": "Randomised",
    "single_arm": "Single arm",
    "cohort": "Cohort",
}


def _simon_parameters(design: SimonTwoStageDesign) -> str:
    given = [
        f"{name} = {value:g}"
        for name, value in (("p0", design.p0), ("p1", design.p1), ("alpha", design.alpha), ("beta", design.beta))
        if value is not None
    ]
    if design.n1 is not None and design.r1 is not None:
        given.append(f"stage 1: stop if ≤ {design.r1} responses in {design.n1}")
    if design.n is not None and design.r is not None:
        given.append(f"overall: ≤ {design.r} responses in {design.n} is negative")
    return f" ({'; '.join(given)})" if given else " (parameters not given in the source)"


def describe_design(design: Design) -> str:
    """``Randomised 1:1 between arms A and B, with crossover; 44 enrolled``, with the design's parameters."""
    text = _DESIGN_NAMES[design.kind]
    if isinstance(design, SimonTwoStageDesign):
        text += _simon_parameters(design)
    elif isinstance(design, RandomisedDesign):
        text += f" {':'.join(map(str, design.ratio))} between arms {_join(design.arms)}"
        text += ", with crossover" if design.crossover else ""
    elif isinstance(design, CohortDesign):
        text = "Retrospective cohort" if design.retrospective else "Prospective cohort"
    if design.enrolled is not None:
        text += f"; {design.enrolled} enrolled"
    return text + (f". {design.note}" if design.note else "")


def describe_endpoint(endpoint: Endpoint) -> str:
    """``Primary (response): <name>; RECIST 1.1, CR/PR; at: At the end of Cycle 2 (Week 14).``"""
    text = f"{endpoint.level.capitalize()} ({endpoint.kind.replace('_', ' ')}): {endpoint.name}"
    if endpoint.response is not None:
        text += f"; {endpoint.response.criteria}, {'/'.join(endpoint.response.responses)}"
    if endpoint.origin:
        text += f"; from {endpoint.origin}"
    if endpoint.landmarks_years:
        text += f"; landmarks at {_join([f'{y:g}' for y in endpoint.landmarks_years])} years"
    return f"{text}; time frame: {endpoint.time_frame}"


def _dlt_lines(dlt: DoseLimitingToxicity) -> list[str]:
    """``Grade >= 3 within 28 days of the first dose, any term``, then each exception."""
    terms = _join(dlt.terms) if dlt.terms else "any term"
    line = f"Grade >= {dlt.min_grade} within {dlt.window_days} days of the first dose, {terms}"
    line += ", related to the treatment" if dlt.related_only else ""
    lines = [line] + [f"Not a DLT: {e.term} up to grade {e.max_grade}" for e in dlt.exceptions]
    return lines + ([dlt.text] if dlt.text else [])


def describe_protocol(protocol: Protocol) -> list[ProtocolSection]:
    """The whole protocol in words: an overview, each arm, the design, the endpoints and the criteria."""
    overview = [f"Phase {protocol.phase}; conditions: {', '.join(protocol.conditions)}"]
    if protocol.sponsor:
        overview.append(f"Sponsor: {protocol.sponsor}")
    overview += [f"{r.registry}: {r.id}" for r in protocol.registry_ids]
    sections: list[ProtocolSection] = [(f"{protocol.id}: {protocol.title}", overview)]
    sections += [(describe_arm_heading(arm), _arm_lines(protocol, arm)) for arm in protocol.arms]
    sections.append(("Design", [describe_design(protocol.design)]))
    if protocol.endpoints:
        sections.append(("Endpoints", [describe_endpoint(e) for e in protocol.endpoints]))
    for kind in ("inclusion", "exclusion"):
        criteria = [f"[{c.id}] {c.text}" for c in protocol.eligibility if c.type == kind]
        if criteria:
            sections.append((f"{kind.capitalize()} criteria", criteria))
    if protocol.dlt is not None:
        sections.append(("Dose-limiting toxicity", _dlt_lines(protocol.dlt)))
    if protocol.interpretations:
        sections.append(("Interpretations", [f"{i.field}: {i.choice}" for i in protocol.interpretations]))
    return sections
