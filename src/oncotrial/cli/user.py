"""``oncotrial user``: add a member of staff with a role (and, for the site roles, a trial and site); set a password
for the web app."""

from __future__ import annotations

from typing import Annotated

import typer

from oncotrial.cli.database import AsOption, DbOption, JsonOption, operation, print_recorded

app = typer.Typer(no_args_is_help=True, help="Staff: users with a role, and a site for the site roles.")


@app.callback()
def _group() -> None:  # a group of one command is still a group: `oncotrial user add`
    """Staff: users with a role, and a site for the site roles."""


@app.command("add")
def add_command(
    username: Annotated[str, typer.Argument(metavar="USERNAME", help="One word (jsmith).")],
    role: Annotated[str, typer.Option("--role", help="coordinator, investigator, monitor, statistician or admin.")],
    name: Annotated[str, typer.Option("--name", help='The full name ("Jane Smith").')],
    trial: Annotated[str | None, typer.Option("--trial", help="The trial of a coordinator or investigator.")] = None,
    site: Annotated[str | None, typer.Option("--site", help="The site of a coordinator or investigator.")] = None,
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a user (an admin's work); a coordinator or investigator works at one site of one trial."""
    from oncotrial.store.services import add_user

    with operation(db, as_user, {"role": "--role", "username": "USERNAME"}) as (session, actor):
        user = add_user(session, actor, username, role=role, full_name=name, trial_code=trial, site_code=site)
        payload = {"username": user.username, "name": user.full_name, "role": user.role, "trial": trial, "site": site}
    where = f" at site {site} of trial {trial}" if user.site_id is not None else ""
    print_recorded([f"Added user {user.username} ({user.full_name}), {user.role}{where}."], payload, as_json=as_json)


@app.command("password")
def password_command(
    username: Annotated[
        str, typer.Argument(metavar="USERNAME", help="Whose password (yours, or anyone's for an admin).")
    ],
    db: DbOption = None,
    as_user: AsOption = None,
) -> None:
    """Set a user's password for the web app: typed at a prompt (twice, not shown), never on the command line."""
    from oncotrial.store.services import set_password

    password = typer.prompt(f"New password for {username}", hide_input=True, confirmation_prompt=True)
    with operation(db, as_user, {"username": "USERNAME", "password": "the password"}) as (session, actor):
        set_password(session, actor, username, password)
    print_recorded([f"Set the password of {username}."], {"username": username}, as_json=False)
