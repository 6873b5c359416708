"""What the commands on the trial database share: ``--db`` and ``--as``, one operation per transaction, dates,
factors and the printing of what was recorded.

``--db URL`` names the database, else the ``ONCOTRIAL_DB`` variable, else ``sqlite:///oncotrial.db`` in the
working folder (:func:`oncotrial.store.resolve_url`). ``--as USER`` names the member of staff who acts, else
the ``ONCOTRIAL_USER`` variable; the store checks their role and site. A database whose schema is behind is
refused by :func:`oncotrial.store.open_store` with the command that fixes it (``oncotrial db upgrade``).

A command parses its options, runs one service function in :func:`operation` (one transaction: all of it is
written, or nothing) and prints what was recorded: one or a few lines, or JSON with ``--json``. An error of
the store that names a field set by an option gains the option's name (:func:`~oncotrial.cli.common.naming_options`).
The store (and SQLAlchemy) is imported when a command runs, never when ``oncotrial --help`` does.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from oncotrial.cli.common import naming_options, out, parse_start, write_text
from oncotrial.errors import DataError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from oncotrial.store import Actor, Store

__all__ = [
    "AsOption",
    "DbOption",
    "JsonOption",
    "SubjectOption",
    "TrialOption",
    "acting_username",
    "database_url",
    "opened_store",
    "operation",
    "parse_day",
    "parse_factors",
    "parse_moment",
    "print_recorded",
]

USER_VARIABLE = "ONCOTRIAL_USER"

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="The trial database, sqlite:///FILE or postgresql+psycopg://... (else ONCOTRIAL_DB, else "
        "sqlite:///oncotrial.db).",
    ),
]
AsOption = Annotated[
    str | None,
    typer.Option("--as", metavar="USER", help="The user name of the member of staff who acts (else ONCOTRIAL_USER)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print what was recorded as JSON.")]
TrialOption = Annotated[str, typer.Option("--trial", help="The trial's code.")]
SubjectOption = Annotated[str, typer.Option("--subject", metavar="ID", help="The patient's subject id (01-0007).")]

# the fields the store names in its errors, and the options that set them on every command
COMMON_FIELDS = {"db": "--db", "user": "--as", "trial": "--trial", "site": "--site", "subject_id": "--subject"}


def database_url(db: str | None) -> str:
    """``--db``, else ``ONCOTRIAL_DB``, else the SQLite file ``oncotrial.db`` in the working folder."""
    from oncotrial.store import resolve_url

    return resolve_url(db, dict(os.environ))


def acting_username(as_user: str | None) -> str:
    """``--as``, else ``ONCOTRIAL_USER``; refused when neither is given."""
    username = (as_user or os.environ.get(USER_VARIABLE, "")).strip()
    if not username:
        raise DataError(
            f"Say who acts: give --as USER (your user name in the trial database) or set {USER_VARIABLE}.",
            code="CLI-E060",
            field="--as",
        )
    return username


@contextmanager
def opened_store(db: str | None, *, check_schema: bool = True, create: bool = False) -> Iterator[Store]:
    """The database of ``--db`` (see :func:`database_url`), closed at the end.

    A SQLite file that does not exist is refused unless ``create`` (``oncotrial db init``): SQLite would
    otherwise create an empty file wherever a command was run with a mistyped path.
    """
    from oncotrial.store import open_store

    url = database_url(db)
    missing = None if create else _missing_sqlite_file(url)
    if missing is not None:
        raise DataError(
            f"There is no database file {missing}: check --db (or ONCOTRIAL_DB) and the working folder, or "
            "create the database with `oncotrial db init`.",
            code="CLI-E070",
            field="--db",
        )
    store = open_store(url, check_schema=check_schema)
    try:
        yield store
    finally:
        store.dispose()


def _missing_sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite:///PATH`` URL when it does not exist (None for other URLs, and in-memory SQLite)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:  # open_store says what is wrong with the URL
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return None if path.exists() else path


@contextmanager
def operation(
    db: str | None, as_user: str | None, options: Mapping[str, str] | None = None, *, read_only: bool = False
) -> Iterator[tuple[Session, Actor]]:
    """One operation on the database as the ``--as`` user: a session in one transaction and the acting user.

    ``options`` maps the fields the store names in its errors to the options of the command (beside
    :data:`COMMON_FIELDS`). ``read_only`` opens a reading session (no write lock, nothing committed).
    """
    from oncotrial.store.services import actor_for

    username = acting_username(as_user)
    with naming_options({**COMMON_FIELDS, **(options or {})}), opened_store(db) as store:
        with store.read() if read_only else store.write() as session:
            yield session, actor_for(session, username)


def parse_day(value: str | None, *, option: str) -> date:
    """A date (``YYYY-MM-DD``) given to ``option``; today when it is not given."""
    if value is None:
        return date.today()
    parsed = parse_start(value, option=option, time=None)
    if isinstance(parsed, datetime):
        raise DataError(
            f"{option} '{value}' has a time; give the date alone (e.g. 2026-11-18).", code="CLI-E061", field=option
        )
    return parsed


def parse_moment(value: str | None, *, option: str) -> datetime:
    """A date and time (``YYYY-MM-DDTHH:MM``; a date alone is its midnight) given to ``option``; now when not given."""
    if value is None:
        return datetime.now().replace(second=0, microsecond=0)
    parsed = parse_start(value, option=option, time="with the time")
    return parsed if isinstance(parsed, datetime) else datetime(parsed.year, parsed.month, parsed.day)


def parse_factors(values: Sequence[str], *, option: str = "--factor") -> dict[str, list[str]]:
    """``name=level1,level2`` options as ``{name: [level1, level2]}``; a factor given twice is refused."""
    factors: dict[str, list[str]] = {}
    for text in values:
        name, sign, levels = text.partition("=")
        name = name.strip()
        parts = [level.strip() for level in levels.split(",")]
        if not sign or not name or not all(parts):
            raise DataError(
                f"{option} '{text}' must be NAME=LEVEL (several levels separated by commas, e.g. {option} site=01,02).",
                code="CLI-E062",
                field=option,
            )
        if name in factors:
            raise DataError(f"{option} {name} is given twice; give each factor once.", code="CLI-E062", field=option)
        factors[name] = parts
    return factors


def print_recorded(lines: Sequence[str], payload: Mapping[str, Any], *, as_json: bool) -> None:
    """What a command recorded: its lines, or ``payload`` as JSON with ``--json``."""
    if as_json:
        write_text(json.dumps(dict(payload), indent=2, default=str, allow_nan=False), None)
        return
    for line in lines:
        out.print(line)


def stored_sdtm(db: str | None, as_user: str | None, trial: str, domains: Sequence[str]) -> dict[str, Any]:
    """The trial's SDTM tables (DM and ``domains``) read from the trial database, as ``export sdtm`` writes them
    (the statistician's export permission): an analysis command's input when it is given ``--trial``."""
    from oncotrial.store.cdisc import derive_sdtm

    with operation(db, as_user, read_only=True) as (session, actor):
        return derive_sdtm(session, actor, trial, domains=domains)
