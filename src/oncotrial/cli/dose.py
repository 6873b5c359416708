"""``oncotrial dose``: the start of a patient's treatment, and each administration given, held or delayed,
checked against the patient's dosing calendar (rebuilt by ``oncotrial.dosing`` from the protocol)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import typer

from oncotrial.cli.database import (
    AsOption,
    DbOption,
    JsonOption,
    SubjectOption,
    TrialOption,
    operation,
    parse_day,
    parse_moment,
    print_recorded,
)

app = typer.Typer(no_args_is_help=True, help="Doses: the treatment start, then each dose given, held or delayed.")

FIELDS = {
    "start": "--at",
    "given_at": "--at",
    "ended_at": "--ended-at",
    "treatment": "--treatment",
    "cycle": "--cycle",
    "number": "--number",
    "status": "--status",
    "amount": "--amount",
    "unit": "--unit",
    "percent": "--percent",
    "reason": "--reason",
    "adverse_event_id": "--ae",
    "allow_above_planned": "--above-planned",
}


@app.command("start")
def start_command(
    trial: TrialOption,
    subject: SubjectOption,
    at: Annotated[
        str, typer.Option("--at", metavar="DATETIME", help="Cycle 1 day 1, the first dose (YYYY-MM-DDTHH:MM).")
    ],
    weight: Annotated[float, typer.Option("--weight", help="Weight in kg, for doses per kg.")],
    height: Annotated[float | None, typer.Option("--height", help="Height in cm, for doses per m².")] = None,
    db: DbOption = None,
    as_user: AsOption = None,
) -> None:
    """Record the start of a randomised patient's treatment in their arm; the protocol's calendar follows from it."""
    from oncotrial.store.services import record_treatment_start

    when = parse_moment(at, option="--at")
    with operation(db, as_user, {**FIELDS, "weight_kg": "--weight", "height_cm": "--height"}) as (session, actor):
        start = record_treatment_start(session, actor, trial, subject, start=when, weight_kg=weight, height_cm=height)
        arm = start.arm
    print_recorded(
        [f"Recorded the treatment start of patient {subject}: arm {arm}, cycle 1 day 1 on {when:%Y-%m-%d %H:%M}."],
        {},
        as_json=False,
    )


@app.command("correct-start")
def correct_start_command(
    trial: TrialOption,
    subject: SubjectOption,
    reason: Annotated[str, typer.Option("--reason", help="Why the recorded start is corrected.")],
    at: Annotated[
        str | None, typer.Option("--at", metavar="DATETIME", help="The corrected cycle 1 day 1 (YYYY-MM-DDTHH:MM).")
    ] = None,
    weight: Annotated[float | None, typer.Option("--weight", help="The corrected weight in kg.")] = None,
    height: Annotated[float | None, typer.Option("--height", help="The corrected height in cm.")] = None,
    db: DbOption = None,
    as_user: AsOption = None,
) -> None:
    """Correct a recorded treatment start (date and time, weight or height), with the reason; every dose recorded
    must still fit the calendar rebuilt from it."""
    from oncotrial.store.services import correct_treatment_start

    when = parse_moment(at, option="--at") if at is not None else None
    with operation(db, as_user, {**FIELDS, "weight_kg": "--weight", "height_cm": "--height"}) as (session, actor):
        start = correct_treatment_start(
            session, actor, trial, subject, reason=reason, start=when, weight_kg=weight, height_cm=height
        )
        summary = f"cycle 1 day 1 on {start.start:%Y-%m-%d %H:%M}, {start.weight_kg:g} kg"
    print_recorded([f"Corrected the treatment start of patient {subject}: {summary} ({reason})."], {}, as_json=False)


@app.command("record")
def record_command(
    trial: TrialOption,
    subject: SubjectOption,
    treatment: Annotated[str, typer.Option("--treatment", help="The protocol's treatment id (il2, sbrt, ...).")],
    cycle: Annotated[int, typer.Option("--cycle", help="The cycle, from 1.")],
    number: Annotated[int, typer.Option("--number", help="The dose's number in the cycle, from 1.")],
    status: Annotated[str, typer.Option("--status", help="given, held or delayed.")] = "given",
    at: Annotated[
        str | None, typer.Option("--at", metavar="DATETIME", help="When it was given (not for a held dose).")
    ] = None,
    amount: Annotated[
        float | None, typer.Option("--amount", help="The amount given, with --unit (a reduced dose).")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="The unit of --amount (IU, MIU, ug, Gy, ...).")] = None,
    percent: Annotated[
        float | None, typer.Option("--percent", help="The dose given, in % of the planned dose.")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why held, delayed or reduced.")] = None,
    adverse_event: Annotated[
        int | None,
        typer.Option("--ae", metavar="ID", help="The adverse event that held, delayed or reduced it (its id)."),
    ] = None,
    above_planned: Annotated[
        bool, typer.Option("--above-planned", help="More than the planned dose was given on purpose.")
    ] = False,
    ended_at: Annotated[str | None, typer.Option("--ended-at", metavar="DATETIME", help="End of an infusion.")] = None,
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record one administration; a dose beyond the protocol's limits is refused with the limit named."""
    from oncotrial.store.services import record_administration

    fields: dict[str, Any] = {"treatment": treatment, "cycle": cycle, "number": number, "status": status}
    given = {
        "given_at": parse_moment(at, option="--at") if at is not None else None,
        "ended_at": parse_moment(ended_at, option="--ended-at") if ended_at is not None else None,
        "amount": amount,
        "unit": unit,
        "percent": percent,
        "reason": reason,
        "adverse_event_id": adverse_event,
        "allow_above_planned": above_planned or None,
    }
    fields |= {name: value for name, value in given.items() if value is not None}
    with operation(db, as_user, FIELDS) as (session, actor):
        record_id = record_administration(session, actor, trial, subject, **fields)
    when = f" at {given['given_at']:%Y-%m-%d %H:%M}" if given["given_at"] else ""
    dose = (
        f", {amount:,.10g} {unit}"
        if amount is not None
        else (f", {percent:g} % of the planned dose" if percent else "")
    )
    why = f" ({reason})" if reason else ""
    why += f", for adverse event {adverse_event}" if adverse_event is not None else ""
    print_recorded(
        [f"Recorded {treatment} cycle {cycle} dose {number} of patient {subject}: {status}{when}{dose}{why}."],
        {"id": record_id, "trial": trial, "subject_id": subject, **{k: str(v) for k, v in fields.items()}},
        as_json=as_json,
    )


@app.command("cycle-start")
def cycle_start_command(
    trial: TrialOption,
    subject: SubjectOption,
    cycle: Annotated[int, typer.Option("--cycle", help="The cycle (2 or later) that started on another day.")],
    on: Annotated[str, typer.Option("--on", metavar="DATE", help="The day it started (YYYY-MM-DD).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it started then (e.g. 'toxicity not resolved').")],
    adverse_event: Annotated[
        int | None, typer.Option("--ae", metavar="ID", help="The adverse event that delayed it (its id).")
    ] = None,
    db: DbOption = None,
    as_user: AsOption = None,
) -> None:
    """Record that a cycle started later than planned, with the reason; the protocol's window is checked."""
    from oncotrial.store.services import record_cycle_start

    day = parse_day(on, option="--on")
    with operation(db, as_user, {**FIELDS, "start": "--on"}) as (session, actor):
        record_cycle_start(
            session, actor, trial, subject, cycle=cycle, start=day, reason=reason, adverse_event_id=adverse_event
        )
    because = f", for adverse event {adverse_event}" if adverse_event is not None else ""
    print_recorded(
        [f"Recorded the start of cycle {cycle} of patient {subject} on {day} ({reason}{because})."], {}, as_json=False
    )


@app.command("changes")
def changes_command(
    trial: TrialOption,
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Doses held, delayed or reduced, and cycles started late, with the adverse event recorded as the cause."""
    from oncotrial.store.services import dose_changes

    with operation(db, as_user, FIELDS, read_only=True) as (session, actor):
        changes = dose_changes(session, actor, trial)
    lines = [
        f"{c.subject_id}: adverse event {c.event_id} ({c.term}, grade {c.grade if c.grade is not None else '-'}, "
        f"onset {c.onset}): "
        + (
            f"{c.treatment} cycle {c.cycle} dose {c.number} {c.change}"
            if c.treatment is not None
            else f"cycle {c.cycle} started late, on {c.on}"
        )
        + (f" ({c.reason})" if c.reason else "")
        for c in changes
    ] or [f"No dose of trial {trial} names an adverse event as its cause."]
    print_recorded(lines, {"changes": [dataclasses.asdict(c) for c in changes]}, as_json=as_json)
