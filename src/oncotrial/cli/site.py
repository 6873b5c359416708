"""``oncotrial site``: add a site to a trial."""

from __future__ import annotations

from typing import Annotated

import typer

from oncotrial.cli.database import AsOption, DbOption, JsonOption, operation, print_recorded

app = typer.Typer(no_args_is_help=True, help="Sites of a trial.")


@app.callback()
def _group() -> None:  # a group of one command is still a group: `oncotrial site add`
    """Sites of a trial."""


@app.command("add")
def add_command(
    code: Annotated[
        str, typer.Argument(metavar="CODE", help="The site's code, letters and digits (01); it prefixes subject ids.")
    ],
    trial: Annotated[str, typer.Option("--trial", help="The trial's code.")],
    name: Annotated[str, typer.Option("--name", help="The site's name (e.g. Royal Marsden, London).")],
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a site to a trial (an admin's work); its patients' subject ids start with its code (01-0001)."""
    from oncotrial.store.services import add_site

    with operation(db, as_user, {"site": "CODE"}) as (session, actor):
        site = add_site(session, actor, trial, code, name=name)
        payload = {"trial": trial, "site": site.code, "name": site.name}
    print_recorded([f"Added site {site.code} ({site.name}) to trial {trial}."], payload, as_json=as_json)
