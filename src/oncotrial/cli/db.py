"""``oncotrial db``: create the trial database's schema (and its first admin), upgrade it, show its state."""

from __future__ import annotations

from typing import Annotated

import typer

from oncotrial.cli.common import naming_options
from oncotrial.cli.database import DbOption, JsonOption, opened_store, print_recorded
from oncotrial.errors import DataError, StoreError

app = typer.Typer(no_args_is_help=True, help="The trial database: create its schema, upgrade it, show its state.")


def _where(url: str) -> str:
    """The URL with its password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command("init")
def init_command(
    db: DbOption = None,
    admin: Annotated[
        str | None, typer.Option("--admin", metavar="USERNAME", help="User name of the first admin.")
    ] = None,
    admin_name: Annotated[
        str | None, typer.Option("--admin-name", metavar="NAME", help='Full name of the first admin ("Ada Byron").')
    ] = None,
) -> None:
    """Create oncotrial's tables in an empty database, and the first admin when --admin is given."""
    from oncotrial.store.migrate import init_schema
    from oncotrial.store.services import bootstrap_admin

    if (admin is None) != (admin_name is None):
        raise DataError(
            'Give the first admin\'s user name and full name together: --admin NAME --admin-name "Full Name".',
            code="CLI-E063",
            field="--admin" if admin is None else "--admin-name",
        )
    with (
        naming_options({"db": "--db", "username": "--admin"}),
        opened_store(db, check_schema=False, create=True) as store,
    ):
        revision = init_schema(store)
        lines = [f"Created the trial database {_where(store.url)} (schema revision {revision})."]
        if admin is not None and admin_name is not None:
            with store.write() as session:
                bootstrap_admin(session, admin, full_name=admin_name)
            lines.append(f"Added the first admin: {admin} ({admin_name}).")
    print_recorded(lines, {}, as_json=False)


@app.command("upgrade")
def upgrade_command(db: DbOption = None) -> None:
    """Migrate the database to this oncotrial's schema, in place (its data are kept)."""
    from oncotrial.store.migrate import upgrade_schema

    with naming_options({"db": "--db"}), opened_store(db, check_schema=False) as store:
        before, after = upgrade_schema(store)
    where = _where(store.url)
    line = (
        f"The database {where} is already at schema revision {after}; nothing to do."
        if before == after
        else f"Upgraded the database {where} from schema revision {before} to {after}."
    )
    print_recorded([line], {}, as_json=False)


@app.command("status")
def status_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The database's schema revision: current, behind this oncotrial's (upgrade it), or no schema yet."""
    from oncotrial.store.migrate import check_current, current_revision, head_revision

    with naming_options({"db": "--db"}), opened_store(db, check_schema=False) as store:
        found, head = current_revision(store), head_revision()
        where = _where(store.url)
        try:
            check_current(store)
        except StoreError as exc:  # the state in words, with the command that fixes it
            state, line = _STATES.get(exc.code or "", "newer"), exc.message
        else:
            state, line = "current", f"The database {where} has schema revision {found}, current."
    print_recorded([line], {"url": where, "revision": found, "head": head, "state": state}, as_json=as_json)


_STATES = {"STORE-E006": "empty", "STORE-E007": "behind"}
