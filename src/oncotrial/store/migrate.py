"""Schema migrations (Alembic, shipped in ``oncotrial/store/migrations``): create, upgrade, check.

``oncotrial db init`` creates the schema in an empty database; ``oncotrial db upgrade`` brings an older
one to the current revision, in place (a migration alters tables and keeps their rows; nothing is dropped
and re-created). Every other command refuses a database whose revision is not the current one, and names
the command that fixes it.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from oncotrial.errors import StoreError
from oncotrial.store.engine import Store

__all__ = ["check_current", "current_revision", "head_revision", "init_schema", "upgrade_schema"]

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(store: Store) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = store.engine
    return config


def head_revision() -> str:
    """The revision this version of oncotrial writes and reads."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None  # the package ships its revisions
    return head


def _unreachable(store: Store, exc: Exception) -> StoreError:
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    where = store.engine.url.render_as_string(hide_password=True)
    return StoreError(
        f"the database {where} cannot be opened: {detail}; check the URL (--db or ONCOTRIAL_DB) and that "
        "the server is running",
        code="STORE-E005",
        field="db",
    )


def current_revision(store: Store) -> str | None:
    """The database's revision, or None when it has no oncotrial schema."""
    try:
        with store.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        raise _unreachable(store, exc) from exc


def check_current(store: Store) -> None:
    """Refuse a database without oncotrial's schema, or with an older or newer one."""
    where = store.engine.url.render_as_string(hide_password=True)
    found, head = current_revision(store), head_revision()
    if found == head:
        return
    if found is None:
        raise StoreError(
            f"the database {where} has no oncotrial tables; create them with `oncotrial db init --db URL`",
            code="STORE-E006",
            field="db",
        )
    known = {rev.revision for rev in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    if found in known:
        raise StoreError(
            f"the database {where} has schema revision {found}, older than this oncotrial's {head}; "
            "migrate it (its data are kept) with `oncotrial db upgrade --db URL`",
            code="STORE-E007",
            field="db",
        )
    raise StoreError(
        f"the database {where} has schema revision {found}, which this oncotrial does not know (a newer "
        "version wrote it); upgrade oncotrial",
        code="STORE-E008",
        field="db",
    )


def init_schema(store: Store, revision: str = "head") -> str:
    """Create oncotrial's tables in an empty database; refuse one that already has tables.

    ``revision`` (default: the newest) creates an older schema, as an older oncotrial did (the migration
    tests start from one).
    """
    try:
        tables = inspect(store.engine).get_table_names()
    except OperationalError as exc:
        raise _unreachable(store, exc) from exc
    if tables:
        found = current_revision(store)
        hint = "it is already initialised" if found else f"it holds other tables ({', '.join(sorted(tables)[:5])})"
        raise StoreError(
            f"the database {store.engine.url.render_as_string(hide_password=True)} is not empty: {hint}; "
            "use `oncotrial db upgrade` for an oncotrial database, or give an empty database",
            code="STORE-E009",
            field="db",
        )
    command.upgrade(_config(store), revision)
    return current_revision(store) or ""


def upgrade_schema(store: Store, revision: str = "head") -> tuple[str | None, str]:
    """Migrate the database to ``revision`` (default: the newest); returns (before, after)."""
    before = current_revision(store)
    if before is None:
        raise StoreError(
            "the database has no oncotrial tables to upgrade; create them with `oncotrial db init`",
            code="STORE-E006",
            field="db",
        )
    command.upgrade(_config(store), revision)
    return before, current_revision(store) or ""
