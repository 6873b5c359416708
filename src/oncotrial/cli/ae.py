"""``oncotrial ae``: record an adverse event (CTCAE term and grade 1-5, onset and resolution, attribution,
seriousness, action taken with the study drug, outcome)."""

from __future__ import annotations

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
    print_recorded,
)

app = typer.Typer(no_args_is_help=True, help="Adverse events.")


@app.callback()
def _group() -> None:  # a group of one command is still a group: `oncotrial ae add`
    """Adverse events."""


@app.command("add")
def add_command(
    trial: TrialOption,
    subject: SubjectOption,
    term: Annotated[str, typer.Option("--term", help="The CTCAE term (Hypotension).")],
    grade: Annotated[int, typer.Option("--grade", help="CTCAE grade, 1 to 5.")],
    onset: Annotated[str, typer.Option("--onset", metavar="DATE", help="Date of onset (on or after consent).")],
    serious: Annotated[bool, typer.Option("--serious/--not-serious", help="Whether the event is serious (SAE).")],
    resolved: Annotated[
        str | None, typer.Option("--resolved", metavar="DATE", help="Date resolved (not before onset).")
    ] = None,
    attribution: Annotated[
        str | None, typer.Option("--attribution", help="UNRELATED, UNLIKELY, POSSIBLE, PROBABLE or DEFINITE.")
    ] = None,
    action_taken: Annotated[
        str | None, typer.Option("--action-taken", help="With the study drug: DOSE REDUCED, DRUG INTERRUPTED, ...")
    ] = None,
    outcome: Annotated[
        str | None, typer.Option("--outcome", help="RECOVERED/RESOLVED, RECOVERING/RESOLVING, FATAL, ...")
    ] = None,
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record an adverse event of a patient; a grade outside 1-5 or a resolution before onset is refused."""
    from oncotrial.store.services import record_adverse_event

    given: dict[str, Any] = {
        "term": term,
        "grade": grade,
        "onset": parse_day(onset, option="--onset"),
        "resolved": parse_day(resolved, option="--resolved") if resolved is not None else None,
        "attribution": attribution.upper() if attribution else None,
        "serious": serious,
        "action_taken": action_taken.upper() if action_taken else None,
        "outcome": outcome.upper() if outcome else None,
    }
    fields = {name: value for name, value in given.items() if value is not None}
    options = {name: f"--{name.replace('_', '-')}" for name in given}
    with operation(db, as_user, options) as (session, actor):
        record_id = record_adverse_event(session, actor, trial, subject, **fields)
    until = f", resolved {given['resolved']}" if given["resolved"] else ""
    print_recorded(
        [
            f"Recorded adverse event {record_id} of patient {subject}: {term}, grade {grade}, onset {given['onset']}{until}."
        ],
        {"id": record_id, "trial": trial, "subject_id": subject, **{k: str(v) for k, v in fields.items()}},
        as_json=as_json,
    )
