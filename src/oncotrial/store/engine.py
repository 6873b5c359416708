"""Opening the trial database: the URL, the engine, sessions, and the schema check.

The URL comes from ``--db URL``, else the ``ONCOTRIAL_DB`` environment variable, else
``sqlite:///oncotrial.db`` in the working folder (:func:`resolve_url`; the CLI reads the variable, the
store never reads the environment on its own). :func:`open_store` builds the engine; nothing is built at
import.

SQLite: one file, WAL journal, foreign keys on, ``synchronous=FULL`` (a commit that returned is on disk),
a busy timeout, and ``BEGIN IMMEDIATE`` for every write transaction, so that two writers queue for the
lock instead of one failing half-way when it upgrades a read lock. PostgreSQL: ``postgresql+psycopg://``
(psycopg 3); a plain ``postgresql://`` URL is read as psycopg's.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from oncotrial.errors import ConflictError, StoreError

__all__ = ["DEFAULT_URL", "Store", "open_store", "resolve_url"]

DEFAULT_URL = "sqlite:///oncotrial.db"
BUSY_TIMEOUT_MS = 30_000


def resolve_url(url: str | None, environ: dict[str, str] | None = None) -> str:
    """The database URL: ``url``, else ``environ["ONCOTRIAL_DB"]``, else :data:`DEFAULT_URL`.

    ``postgresql://`` and ``postgres://`` become ``postgresql+psycopg://`` (psycopg 3 is the driver shipped).
    """
    chosen = url or (environ or {}).get("ONCOTRIAL_DB") or DEFAULT_URL
    for prefix in ("postgresql://", "postgres://"):
        if chosen.startswith(prefix):
            chosen = "postgresql+psycopg://" + chosen[len(prefix) :]
    return chosen


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's begin event below emits BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # writes take the lock at BEGIN (IMMEDIATE): a deferred transaction that reads, then writes, can fail
    # with "database is locked" half-way when another writer got there first
    immediate = connection.get_execution_options().get("oncotrial_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _build_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"database URL {url!r} cannot be read; give sqlite:///PATH or postgresql+psycopg://USER@HOST/DB",
            code="STORE-E001",
            field="db",
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if backend == "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    raise StoreError(
        f"database URL {url!r}: {backend!r} is not supported; use sqlite:///PATH or postgresql+psycopg://...",
        code="STORE-E002",
        field="db",
    )


@dataclass(frozen=True)
class Store:
    """An open trial database: its URL, engine and session factories (build it with :func:`open_store`)."""

    url: str
    engine: Engine
    _reads: sessionmaker[Session]
    _writes: sessionmaker[Session]

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; closed (its transaction ended) at the end, its objects still readable."""
        with self._reads() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for one operation: committed when the block ends, rolled back whole on any error.

        Database errors are translated into :class:`~oncotrial.errors.StoreError` (``from exc``).
        """
        with self._writes() as session:
            try:
                yield session
                session.commit()
            except SQLAlchemyError as exc:
                error = translate_error(exc, session)  # before the rollback, which forgets the records
                session.rollback()
                raise error from exc
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _stale_record(exc: StaleDataError, session: Session | None) -> tuple[str, str | None]:
    """The record an UPDATE or DELETE found changed, in words, and its patient's subject id.

    SQLAlchemy names the table; :func:`_note_edits` noted, before the flush, which records of it were written
    and whose they are (after the failure the records are expired, and the transaction refuses SQL).
    """
    match = re.search(r"on table '([^']+)'", str(exc))
    table = match.group(1) if match else None
    notes = session.info.get("flushed_edits", []) if session is not None else []
    note = next((n for n in notes if n[0] == table), None)
    if note is None:
        return (f"a {table} record" if table else "the record"), None
    _table, key, subject_id = note
    if table == "patient":
        return f"patient {subject_id}", subject_id
    owner = f" of patient {subject_id}" if subject_id else ""
    return f"the {table} record {key}{owner}", subject_id


def _subject_of(session: Session, record: Any) -> str | None:
    """The subject id of the patient a record belongs to, if the session holds that patient (no SQL)."""
    from oncotrial.store.models import Patient  # the models are not needed to open a store

    patient: Any = record
    if not isinstance(record, Patient):
        patient_id = inspect(record).dict.get("patient_id")
        patient = session.identity_map.get(identity_key(Patient, patient_id)) if patient_id is not None else None
    subject_id = inspect(patient).dict.get("subject_id") if patient is not None else None
    return str(subject_id) if subject_id is not None else None


def _note_edits(session: Session, _flush: Any, _instances: Any) -> None:
    """Note the records a flush updates or deletes, and whose they are, for :func:`_stale_record`."""
    edited = [*(o for o in session.dirty if session.is_modified(o)), *session.deleted]
    session.info["flushed_edits"] = [
        (getattr(o, "__tablename__", None), (inspect(o).identity or ("?",))[0], _subject_of(session, o)) for o in edited
    ]


event.listen(Session, "before_flush", _note_edits)


def translate_error(exc: SQLAlchemyError, session: Session | None = None) -> StoreError:
    """A :class:`StoreError` in words for a database error that a check did not catch first; with the
    ``session`` that failed, a conflict names the record (and its patient)."""
    if isinstance(exc, StaleDataError):  # the version column: another writer updated the row first
        what, subject_id = _stale_record(exc, session)
        return ConflictError(
            f"{what} was changed by someone else while you were saving it; reload it and make your change again",
            code="STORE-E040",
            field="version",
            subject_id=subject_id,
        )
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return StoreError("the connection to the database was lost; try again", code="STORE-E003")
    text = str(getattr(exc, "orig", exc)).splitlines()[0]
    refused = _refused_columns(exc, text)
    if refused is not None:
        kind, table, columns = refused
        what = table.replace("_", " ")
        if kind == "unique":
            message = f"a {what} with the same {' and '.join(c.replace('_', ' ') for c in columns)} is already recorded"
        else:
            message = f"the {what}'s {columns[-1].replace('_', ' ')} is missing; give it"
        return StoreError(f"the database refused the change: {message}", code="STORE-E004", field=columns[-1])
    return StoreError(f"the database refused the change: {text}", code="STORE-E004")


_SQLITE_REFUSAL = re.compile(r"^(UNIQUE|NOT NULL) constraint failed: (\w+)\.(\w+)((?:, \w+\.\w+)*)$")


def _refused_columns(exc: SQLAlchemyError, text: str) -> tuple[str, str, list[str]] | None:
    """(``unique`` or ``not null``, the table, its columns) of a unique or not-null constraint the database
    enforced: SQLite names them in its message, PostgreSQL in the error's diagnostics."""
    matched = _SQLITE_REFUSAL.match(text)
    if matched is not None:
        rest = [part.split(".")[1] for part in matched.group(4).split(", ") if part]
        return matched.group(1).lower(), matched.group(2), [matched.group(3), *rest]
    diag = getattr(getattr(exc, "orig", None), "diag", None)
    state = getattr(getattr(exc, "orig", None), "sqlstate", None)
    if diag is None or diag.table_name is None:
        return None
    if state == "23502" and diag.column_name:  # not_null_violation
        return "not null", diag.table_name, [diag.column_name]
    if state == "23505" and diag.constraint_name:  # unique_violation: the columns from the schema
        from oncotrial.store.models import Base

        table = Base.metadata.tables.get(diag.table_name)
        for constraint in table.constraints if table is not None else ():
            if constraint.name == diag.constraint_name:
                return "unique", diag.table_name, [c.name for c in constraint.columns]  # type: ignore[attr-defined]
    return None


def open_store(url: str, *, check_schema: bool = True) -> Store:
    """Open the database at ``url``.

    Parameters
    ----------
    url
        A SQLAlchemy URL (see :func:`resolve_url`).
    check_schema
        Refuse a database without oncotrial's tables or with an older schema, naming the command that fixes
        it (``oncotrial db init`` or ``oncotrial db upgrade``). Only those two commands open without it.

    Raises
    ------
    StoreError
        When the URL cannot be read, the server cannot be reached, or the schema is not current.
    """
    engine = _build_engine(url)
    store = Store(
        url,
        engine,
        sessionmaker(engine, expire_on_commit=False),
        sessionmaker(engine.execution_options(oncotrial_write=True), expire_on_commit=False),
    )
    if check_schema:
        from oncotrial.store.migrate import check_current  # alembic is imported only here

        try:
            check_current(store)
        except BaseException:
            engine.dispose()
            raise
    return store
