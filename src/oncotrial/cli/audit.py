"""``oncotrial audit``: check the audit trail's SHA-256 chain and every record against its last entry."""

from __future__ import annotations

import typer

from oncotrial.cli.database import AsOption, DbOption, JsonOption, operation, print_recorded

app = typer.Typer(no_args_is_help=True, help="The audit trail: verify it.")


@app.callback()
def _group() -> None:  # a group of one command is still a group: `oncotrial audit verify`
    """The audit trail: verify it."""


@app.command("verify")
def verify_command(db: DbOption = None, as_user: AsOption = None, as_json: JsonOption = False) -> None:
    """Check every audit entry's hash and every record against its last entry: OK, or the first entry that fails.

    Exits with 1 when the trail does not verify (a changed entry, or a record changed behind oncotrial's back).
    """
    from oncotrial.store import verify_chain
    from oncotrial.store.access import require

    with operation(db, as_user, read_only=True) as (session, actor):
        require(actor, "read_audit")
        report = verify_chain(session)
    problem = report.problem
    payload = {
        "ok": report.ok,
        "entries": report.entries,
        "records": report.records,
        "problem": None
        if problem is None
        else {
            "seq": problem.seq,
            "table": problem.table_name,
            "record_id": problem.record_id,
            "message": problem.message,
        },
    }
    print_recorded([f"{str(report)[0].upper()}{str(report)[1:]}."], payload, as_json=as_json)
    if not report.ok:
        raise typer.Exit(1)
