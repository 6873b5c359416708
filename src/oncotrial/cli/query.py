"""``oncotrial query``: data queries — the monitor (or statistician) raises one on a patient's data, the site
answers it, the monitor closes or reopens it; ``list`` shows the queries the user may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from oncotrial.cli.database import (
    AsOption,
    DbOption,
    JsonOption,
    SubjectOption,
    TrialOption,
    operation,
    print_recorded,
)

app = typer.Typer(no_args_is_help=True, help="Data queries: raise, answer, close, reopen, list.")

QueryId = Annotated[int, typer.Option("--query", help="The query's number (as `oncotrial query list` shows it).")]
VersionOption = Annotated[
    int | None, typer.Option("--version", help="The version you read, so that a change made since is not lost.")
]
OPTIONS = {"text": "--text", "answer": "--answer", "reason": "--reason", "query": "--query", "version": "--version"}


@app.command("raise")
def raise_command(
    trial: TrialOption,
    subject: SubjectOption,
    text: Annotated[str, typer.Option("--text", help="The question to the site.")],
    table: Annotated[
        str | None, typer.Option("--table", help="On a record of this table (adverse_event, administration, ...).")
    ] = None,
    record: Annotated[
        int | None, typer.Option("--record", help="The record's id (as the audit history shows).")
    ] = None,
    field: Annotated[str | None, typer.Option("--field", help="One field of the record (grade, onset, ...).")] = None,
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Raise a data query on a patient (monitor, statistician)."""
    from oncotrial.store.services import raise_query

    options = {**OPTIONS, "record_table": "--table", "record_id": "--record", "field": "--field"}
    with operation(db, as_user, options) as (session, actor):
        query_id = raise_query(
            session, actor, trial, subject, text=text, record_table=table, record_id=record, field=field
        )
    on = f" on {table} {record}" + (f", field {field}" if field else "") if table else ""
    print_recorded(
        [f"Raised query {query_id} on patient {subject}{on}."],
        {"id": query_id, "trial": trial, "subject_id": subject, "status": "open"},
        as_json=as_json,
    )


def _change(db: str | None, as_user: str | None, as_json: bool, action: str, trial: str, query: int, **kw: Any) -> None:
    """Answer, close or reopen query ``query`` (``kw``: the text and the expected version)."""
    from oncotrial.store.services import answer_query, close_query, reopen_query

    changes: dict[str, Callable[..., None]] = {"answer": answer_query, "close": close_query, "reopen": reopen_query}
    change = changes[action]
    with operation(db, as_user, OPTIONS) as (session, actor):
        change(session, actor, trial, query, **kw)
    done, status = {"answer": ("Answered", "answered"), "close": ("Closed", "closed"), "reopen": ("Reopened", "open")}[
        action
    ]
    print_recorded([f"{done} query {query}."], {"id": query, "status": status}, as_json=as_json)


@app.command("answer")
def answer_command(
    trial: TrialOption,
    query: QueryId,
    answer: Annotated[str, typer.Option("--answer", help="The site's answer.")],
    version: VersionOption = None,
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Answer an open query of a patient of your site (coordinator, investigator)."""
    _change(db, as_user, as_json, "answer", trial, query, answer=answer, expected_version=version)


@app.command("close")
def close_command(
    trial: TrialOption,
    query: QueryId,
    version: VersionOption = None,
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close an open or answered query (monitor, statistician)."""
    _change(db, as_user, as_json, "close", trial, query, expected_version=version)


@app.command("reopen")
def reopen_command(
    trial: TrialOption,
    query: QueryId,
    reason: Annotated[str, typer.Option("--reason", help="Why the answer does not settle it.")],
    version: VersionOption = None,
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open an answered or closed query again, with the reason (monitor, statistician)."""
    _change(db, as_user, as_json, "reopen", trial, query, reason=reason, expected_version=version)


@app.command("list")
def list_command(
    trial: TrialOption,
    status: Annotated[str | None, typer.Option("--status", help="open, answered or closed.")] = None,
    subject: Annotated[str | None, typer.Option("--subject", help="One patient's queries.")] = None,
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """The queries you may see (a site role: its site's), newest first."""
    from oncotrial.cli.common import out
    from oncotrial.store.services import list_queries

    with operation(db, as_user, {"status": "--status", "subject_id": "--subject"}, read_only=True) as (
        session,
        actor,
    ):
        rows = list_queries(session, actor, trial, status=status, subject_id=subject)
    if as_json or not rows:
        print_recorded(["No query."], {"trial": trial, "queries": [row.to_dict() for row in rows]}, as_json=as_json)
        return
    for row in rows:
        on = (
            f" on {row.record_table} {row.record_id}" + (f".{row.field}" if row.field else "")
            if row.record_table
            else ""
        )
        out.print(f"{row.id}  {row.subject_id} (site {row.site})  {row.status}{on}: {row.text}")
        if row.answer:
            out.print(f"    answer ({row.answered_by}): {row.answer}")
