"""``oncotrial audit``: check the audit trail's SHA-256 chain and every record against its last entry, and show
a patient's history (every entry of every record of theirs, oldest first)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

from oncotrial.cli.common import print_table
from oncotrial.cli.database import AsOption, DbOption, JsonOption, TrialOption, operation, print_recorded

if TYPE_CHECKING:
    from oncotrial.store.services import HistoryEntry

app = typer.Typer(no_args_is_help=True, help="The audit trail: verify it, show a patient's history.")


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


@app.command("show")
def show_command(
    trial: TrialOption,
    patient: Annotated[str, typer.Option("--patient", metavar="ID", help="The patient's subject id (01-0007).")],
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """A patient's history: who changed what, when, from which value to which, and why (monitor, statistician,
    admin; the concealed allocation list only for the statistician and admin, identifying data only for the
    monitor)."""
    from oncotrial.store.services import audit_history

    with operation(db, as_user, {"subject_id": "--patient"}, read_only=True) as (session, actor):
        entries = audit_history(session, actor, trial, patient)
    if as_json:
        print_recorded(
            [], {"trial": trial, "subject_id": patient, "entries": [asdict(e) for e in entries]}, as_json=True
        )
        return
    rows = [
        [str(e.seq), e.at, e.username, e.action, f"{e.table_name} {e.record_id}", _changes(e), e.reason or ""]
        for e in entries
    ]
    print_table(
        f"Audit history of patient {patient} ({trial})",
        ("entry", "at (UTC)", "user", "action", "record", "values", "reason"),
        rows,
        right=("entry",),
    )


_BOOKKEEPING = frozenset({"id", "version"})


def _changes(entry: HistoryEntry) -> str:
    """The values an entry set: every value of an insert or a delete, the old and new of each changed one."""
    if entry.values_hidden:
        return "(identifying data, hidden)"
    old, new = entry.old_values or {}, entry.new_values or {}
    if entry.action == "update":
        return "; ".join(f"{k}: {_plain(old.get(k))} -> {_plain(v)}" for k, v in new.items() if old.get(k) != v)
    values = new if entry.action == "insert" else old
    return "; ".join(f"{k}={_plain(v)}" for k, v in values.items() if k not in _BOOKKEEPING and v is not None)


def _plain(value: Any) -> str:
    """A value as printed: ``-`` for none; a long one (a screening record) cut at 60 characters (``--json`` has it
    whole)."""
    text = "-" if value is None else str(value)
    return text if len(text) <= _LONGEST else text[: _LONGEST - 3] + "..."


_LONGEST = 60
