"""The audit trail: every insert, update and delete of a clinical record writes one entry, in the same
transaction as the change, chained by SHA-256.

An entry holds the acting user, the UTC time, the table, the record's primary key, the old and the new
values (canonical JSON of every column) and the reason, which is required for updates and deletes.
``hash = SHA-256(previous hash, then the entry's fields)``; the first entry follows :data:`GENESIS`.
Writers lock the chain's head row (``audit_head``), so concurrent transactions append one after the other.

Two ways in, one format:

- ORM changes are audited by a ``after_flush`` hook on every session (:func:`audit_context` says who and
  why; a flush without it is refused);
- bulk loads (the SDTM import) call :func:`insert_audited`, which inserts rows with Core's multi-row
  ``INSERT ... RETURNING`` and writes their entries, because building an ORM object per row would make a
  10,000-patient import several times slower.

:func:`verify_chain` walks the chain and then compares every audited table with the last entry of each of
its records, so that a changed audit entry, and a data row changed behind the application's back (raw SQL),
are both found and named.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Float, Table, event, func, insert, select, update
from sqlalchemy.orm import Session, UOWTransaction, object_mapper
from sqlalchemy.orm.attributes import get_history

from oncotrial.errors import StoreError
from oncotrial.store.columns import map_distinct
from oncotrial.store.models import AuditEntry, AuditHead, Base

__all__ = [
    "GENESIS",
    "Actor",
    "AuditProblem",
    "ChainReport",
    "audit_context",
    "canonical_json",
    "encode_rows",
    "entry_hash",
    "insert_audited",
    "insert_audited_columns",
    "verify_chain",
]

GENESIS = "0" * 64
UNAUDITED = frozenset({"audit_entry", "audit_head", "alembic_version"})


@dataclass(frozen=True)
class Actor:
    """Who acts: a user's id, name, role and site (``None`` for the roles that see every site)."""

    user_id: int | None
    username: str
    role: str
    site_id: int | None = None


SYSTEM = Actor(None, "system", "admin")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


# Columns that hold a secret: an entry keeps the SHA-256 of the value, never the value. A password's argon2 hash
# written into the append-only trail could never be removed, and whoever reads the trail could attack it; the
# digest still shows that the value changed, and verify_chain compares digests.
SECRET_COLUMNS = frozenset({("app_user", "password_hash")})


def _secret_digest(value: Any) -> Any:
    return value if value is None else "sha256:" + hashlib.sha256(str(value).encode("utf-8")).hexdigest()


def _masked(table_name: str, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with each secret column's value replaced by its digest (see :data:`SECRET_COLUMNS`)."""
    for table, column in SECRET_COLUMNS:
        if table == table_name and column in values:
            values[column] = _secret_digest(values[column])
    return values


def _typed(table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values as audited: numbers as the column reads them back (an int given for a float column is audited
    as a float), and secrets as their digests."""
    typed = dict(values)
    for column in table.columns:
        value = typed.get(column.name)
        if value is None or isinstance(value, bool):
            continue
        if isinstance(column.type, Float) and isinstance(value, int):
            typed[column.name] = float(value)
    return _masked(table.name, typed)


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def canonical_json(values: Mapping[str, Any] | None) -> str | None:
    """The one JSON spelling of a row's values: sorted keys, no spaces, ISO dates, floats as Python writes them."""
    if values is None:
        return None
    return _ENCODER.encode({k: _plain(v) for k, v in values.items()})


def entry_hash(prev_hash: str, fields: Sequence[Any]) -> str:
    """SHA-256 of the previous hash and the entry's fields, separated by a unit separator (0x1f)."""
    text = "\x1f".join([prev_hash, *("" if f is None else str(f) for f in fields)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_FIELDS = (
    "seq",
    "at",
    "user_id",
    "username",
    "action",
    "table_name",
    "record_id",
    "old_values",
    "new_values",
    "reason",
)


def _fields(entry: Mapping[str, Any] | Any) -> list[Any]:
    return [entry[name] for name in _FIELDS]


# --- writing --------------------------------------------------------------------------------------------


@contextmanager
def audit_context(session: Session, actor: Actor, reason: str | None = None) -> Iterator[None]:
    """Within the block, changes flushed by ``session`` are audited as ``actor``'s, with ``reason``."""
    before = session.info.get("audit")
    session.info["audit"] = (actor, reason)
    try:
        yield
    finally:
        session.info["audit"] = before


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _Chain:
    """Appends entries after the locked head of the chain, in one transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        conn = session.connection()
        head = conn.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()).first()
        if head is None:
            conn.execute(insert(AuditHead).values(id=1, seq=0, hash=GENESIS))
            self.seq, self.hash = 0, GENESIS
        else:
            self.seq, self.hash = int(head.seq), str(head.hash)
        self.entries: list[dict[str, Any]] = []
        self.moved = False  # entries were written: the head follows at close

    def add(
        self,
        actor: Actor,
        action: str,
        table: str,
        record_id: int,
        old: str | None,
        new: str | None,
        reason: str | None,
        at: str,
    ) -> None:
        self.seq += 1
        entry = {
            "seq": self.seq,
            "at": at,
            "user_id": actor.user_id,
            "username": actor.username,
            "action": action,
            "table_name": table,
            "record_id": record_id,
            "old_values": old,
            "new_values": new,
            "reason": reason,
        }
        entry["prev_hash"] = self.hash
        self.hash = entry["hash"] = entry_hash(self.hash, _fields(entry))
        self.entries.append(entry)

    def add_inserts(
        self, actor: Actor, table: str, record_ids: Sequence[int], new: Sequence[str], reason: str | None, at: str
    ) -> None:
        """The entries of many inserts (one table, one user, one time), written at once.

        Equal to :meth:`add` for each record (the same fields, the same :func:`entry_hash`), with the fields that
        do not change from entry to entry joined once: the loop left hashes one prepared text per entry.
        """
        count = len(record_ids)
        seqs = range(self.seq + 1, self.seq + 1 + count)
        middle = "\x1f".join(
            ["", at, "" if actor.user_id is None else str(actor.user_id), actor.username, "insert", table, ""]
        )
        tail = "\x1f" + ("" if reason is None else reason)
        hashes: list[str] = []
        digest = self.hash
        sha256 = hashlib.sha256
        for seq, record_id, values in zip(seqs, record_ids, new, strict=True):
            digest = sha256(f"{digest}\x1f{seq}{middle}{record_id}\x1f\x1f{values}{tail}".encode()).hexdigest()
            hashes.append(digest)
        columns = {
            "seq": seqs,
            "at": [at] * count,
            "user_id": [actor.user_id] * count,
            "username": [actor.username] * count,
            "action": ["insert"] * count,
            "table_name": [str(table)] * count,  # a plain str: the driver adapts a str subclass value by value
            "record_id": record_ids,
            "old_values": [None] * count,
            "new_values": new,
            "reason": [reason] * count,
            "prev_hash": [self.hash, *hashes[:-1]],
            "hash": hashes,
        }
        self.flush_entries()
        _insert_columns(self.session.connection(), AuditEntry.__table__, columns, count)  # type: ignore[arg-type]
        self.seq, self.hash, self.moved = self.seq + count, digest, True

    def flush_entries(self) -> None:
        if self.entries:
            _insert_many(self.session.connection(), AuditEntry.__table__, self.entries)  # type: ignore[arg-type]
            self.entries, self.moved = [], True

    def close(self) -> None:
        self.flush_entries()
        if self.moved:
            conn = self.session.connection()
            conn.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=self.seq, hash=self.hash))
            self.moved = False


def _row_values(obj: Any, *, old: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for prop in object_mapper(obj).column_attrs:
        key = prop.key
        if old:
            history = get_history(obj, key)
            if history.deleted:
                values[prop.columns[0].name] = history.deleted[0]
                continue
            if history.added and not history.unchanged:  # set for the first time in this flush
                values[prop.columns[0].name] = None
                continue
        values[prop.columns[0].name] = getattr(obj, key)
    return _typed(obj.__table__, values)


def _record_id(obj: Any) -> int:
    identity = object_mapper(obj).primary_key_from_instance(obj)
    return int(identity[0])


def _audited(obj: Any) -> bool:
    return isinstance(obj, Base) and obj.__table__.name not in UNAUDITED  # type: ignore[attr-defined]


def _context(session: Session, needs_reason: bool) -> tuple[Actor, str | None]:
    context = session.info.get("audit")
    if context is None:
        raise StoreError(
            "a change reached the database without an acting user; every change goes through a service "
            "function of oncotrial.store (which names the user)",
            code="STORE-E010",
        )
    actor, reason = context
    if needs_reason and not (reason and reason.strip()):
        raise StoreError(
            "a change or deletion of a recorded value needs a reason (for example 'transcription error'); "
            "give --reason",
            code="STORE-E011",
            field="reason",
        )
    return actor, reason


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    new = [o for o in session.new if _audited(o)]
    changed = [o for o in session.dirty if _audited(o) and session.is_modified(o, include_collections=False)]
    deleted = [o for o in session.deleted if _audited(o)]
    if not (new or changed or deleted):
        return
    created: set[tuple[str, int]] = session.info.setdefault("audit_created", set())
    created.update((o.__table__.name, _record_id(o)) for o in new)
    # a record inserted in this transaction may be completed without a reason (its id, then a link to it)
    edits = [o for o in (*changed, *deleted) if (o.__table__.name, _record_id(o)) not in created]
    actor, reason = _context(session, needs_reason=bool(edits))
    chain, at = _Chain(session), _now()
    inserts = sorted(new, key=lambda o: (o.__table__.name, _record_id(o)))
    for action, objs in (("insert", inserts), ("update", changed), ("delete", deleted)):
        for obj in objs:
            old = None if action == "insert" else canonical_json(_row_values(obj, old=True))
            values = None if action == "delete" else canonical_json(_row_values(obj, old=False))
            chain.add(actor, action, obj.__table__.name, _record_id(obj), old, values, reason, at)
    chain.close()


def _transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop("audit_created", None)


event.listen(Session, "after_flush", _after_flush)
event.listen(Session, "after_transaction_end", _transaction_end)


def _json_fragments(name: str, values: list[Any], is_float: bool) -> list[str]:
    """``"name":<value>`` for each value, as :func:`canonical_json` writes it after :func:`_typed`.

    Written column by column because the bulk load spends most of its time here otherwise: each distinct
    value of a column is encoded once (:func:`~oncotrial.store.columns.map_distinct`; floats by ``factorize``
    when none is NaN, infinite or -0.0), then taken for every row; other columns value by value, exactly as
    :func:`canonical_json` does.
    """
    prefix = _ENCODER.encode(name) + ":"
    kinds = set(map(type, values)) - {type(None)}
    if not kinds:
        return [prefix + "null"] * len(values)
    if kinds == {int} and not is_float:  # ids: mostly distinct, and an int's JSON is its repr
        return [prefix + "null" if v is None else prefix + int.__repr__(v) for v in values]
    if not is_float:
        return map_distinct(values, lambda v: prefix + _ENCODER.encode(_plain(v)), prefix + "null")
    if kinds <= {float, int}:
        numbers = np.array([math.nan if v is None else float(v) for v in values], dtype=float)
        finite = np.isfinite(numbers).sum() == len(values) - values.count(None)  # no NaN or infinity as such
        if finite and not (np.signbit(numbers) & (numbers == 0)).any():  # -0.0 would be taken for 0.0
            codes, uniques = pd.factorize(numbers)  # NaN (None here) gets -1
            texts = np.array([prefix + float.__repr__(u) for u in uniques] + [prefix + "null"], dtype=object)
            return texts[codes].tolist()  # type: ignore[no-any-return]
    typed = (float(v) if type(v) is int else v for v in values)
    return [prefix + _ENCODER.encode(_plain(v)) for v in typed]


def encode_rows(table: Table, columns: Mapping[str, Sequence[Any]], count: int) -> list[str]:
    """The canonical JSON of each of ``count`` rows given as columns (a column not given is null): the
    text :func:`canonical_json` gives for the row read back (an int in a float column as a float)."""
    floats = {c.name for c in table.columns if isinstance(c.type, Float)}
    parts = [
        _json_fragments(name, list(columns[name]) if name in columns else [None] * count, name in floats)
        for name in sorted(c.name for c in table.columns)
    ]
    return ["{" + ",".join(fragments) + "}" for fragments in zip(*parts, strict=True)]


def _bound(dialect: Any, column: Any, values: Sequence[Any]) -> Sequence[Any]:
    """The values as the column type's bind processor gives them to the driver (SQLite's date text, say),
    each distinct value converted once."""
    process = column.type._cached_bind_processor(dialect)
    return values if process is None else map_distinct(values, process, None)


def _insert_sql(conn: Connection, table: Table) -> str:
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    quote = conn.dialect.identifier_preparer.quote
    names = [c.name for c in table.columns]
    return (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join([marker] * len(names))})"
    )


def _insert_columns(conn: Connection, table: Table, columns: Mapping[str, Sequence[Any]], count: int) -> None:
    """``INSERT`` ``count`` rows given as columns (a column not given is null) through the driver's
    ``executemany``, each value converted by its column type's bind processor as SQLAlchemy would: the same
    stored text (SQLite dates, booleans), without building a statement per row (several times faster on a
    million rows)."""
    values = [_bound(conn.dialect, c, columns[c.name]) if c.name in columns else [None] * count for c in table.columns]
    conn.exec_driver_sql(_insert_sql(conn, table), list(zip(*values, strict=True)))


def _insert_many(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """:func:`_insert_columns` for rows given as mappings."""
    columns = {c.name: [row.get(c.name) for row in rows] for c in table.columns}
    _insert_columns(conn, table, columns, len(rows))


def _new_ids(conn: Connection, table: Table, pk: str, count: int) -> list[int]:
    """``count`` fresh primary keys: PostgreSQL's sequence of the column; on SQLite, after the largest in use
    (the write lock, taken at BEGIN IMMEDIATE, keeps them ours until commit)."""
    if conn.dialect.name == "postgresql":
        sequence = f"pg_get_serial_sequence('{table.name}', '{pk}')"
        result = conn.exec_driver_sql(f"SELECT nextval({sequence}) FROM generate_series(1, {int(count)})")
        return [int(r[0]) for r in result]
    top = int(conn.execute(select(func.max(table.c[pk]))).scalar() or 0)
    return list(range(top + 1, top + 1 + count))


def insert_audited(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], actor: Actor, reason: str | None = None
) -> list[int]:
    """Insert ``rows`` into ``table`` and audit each, in ``session``'s transaction; returns the new ids.

    The rows must hold every column but the primary key (and ``version``, set to 1 here), so that each
    entry's new values equal what a later read of the row gives. A row that gives its primary key (a table
    keyed by the patient, such as ``patient_identity``) keeps it.
    """
    columns = {c.name: [row.get(c.name) for row in rows] for c in table.columns}
    return insert_audited_columns(session, table, columns, actor, reason, count=len(rows))


def insert_audited_columns(
    session: Session,
    table: Table,
    columns: Mapping[str, Sequence[Any]],
    actor: Actor,
    reason: str | None = None,
    *,
    count: int | None = None,
) -> list[int]:
    """:func:`insert_audited` for rows given as columns (name to values, all of one length; a column not
    given is null; ``count`` rows when no column is given)."""
    count = len(next(iter(columns.values()))) if count is None else count
    if not count:
        return []
    session.flush()  # pending ORM changes first, so the chain stays in order
    pk = table.primary_key.columns[0].name
    conn = session.connection()
    chain, at = _Chain(session), _now()  # the chain's head is locked first: writers queue here
    given = columns.get(pk)
    ids = (
        [int(v) for v in given]
        if given is not None and all(v is not None for v in given)
        else _new_ids(conn, table, pk, count)
    )
    full = {**columns, pk: ids}
    if "version" in table.columns:
        full["version"] = [1] * count
    audited = {
        name: [_secret_digest(v) for v in values] if (table.name, name) in SECRET_COLUMNS else values
        for name, values in full.items()
    }
    chain.add_inserts(actor, table.name, ids, encode_rows(table, audited, count), reason, at)
    _insert_columns(conn, table, full, count)
    chain.close()
    return ids


# --- verifying ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditProblem:
    """Where the chain or the data disagree: the entry (``seq``), the table and record, and what is wrong."""

    seq: int | None
    table_name: str | None
    record_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"entry {self.seq}" if self.seq is not None else "no entry"
        record = f" ({self.table_name} record {self.record_id})" if self.table_name else ""
        return f"{where}{record}: {self.message}"


@dataclass(frozen=True)
class ChainReport:
    """The result of :func:`verify_chain`: how many entries and records were checked, and the first problem."""

    entries: int
    records: int
    problem: AuditProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def __str__(self) -> str:
        if self.problem is None:
            return f"audit trail OK: {self.entries} entries verify, and {self.records} records match their last entry"
        return f"audit trail does NOT verify: {self.problem}"


def _walk_chain(session: Session) -> tuple[int, AuditProblem | None]:
    prev, expected_seq = GENESIS, 1
    columns = [getattr(AuditEntry, name) for name in (*_FIELDS, "prev_hash", "hash")]
    result = session.execute(select(*columns).order_by(AuditEntry.seq).execution_options(yield_per=20_000))
    count = 0
    for row in result:
        entry = row._mapping
        count += 1
        if entry["seq"] != expected_seq:
            return count, AuditProblem(
                expected_seq, None, None, f"entry {expected_seq} is missing (next is {entry['seq']})"
            )
        if entry["prev_hash"] != prev or entry_hash(prev, _fields(entry)) != entry["hash"]:
            return count, AuditProblem(
                entry["seq"],
                entry["table_name"],
                entry["record_id"],
                "its hash does not match its contents and the entry before it: it was changed",
            )
        prev, expected_seq = entry["hash"], expected_seq + 1
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).first()
    if head is not None and (int(head.seq) != expected_seq - 1 or head.hash != prev):
        return count, AuditProblem(
            int(head.seq),
            None,
            None,
            f"the chain ends at entry {expected_seq - 1} but its head says {head.seq}: entries were removed",
        )
    return count, None


def _last_entries(session: Session, table: str) -> Iterator[tuple[int, int, str | None]]:
    """(record id, seq, new values) of the last entry of each record of ``table``, by record id."""
    stmt = (
        select(AuditEntry.record_id, AuditEntry.seq, AuditEntry.new_values)
        .where(AuditEntry.table_name == table)
        .order_by(AuditEntry.record_id, AuditEntry.seq)
        .execution_options(yield_per=20_000)
    )
    last: tuple[int, int, str | None] | None = None
    for record_id, seq, new in session.execute(stmt):
        if last is not None and last[0] != record_id:
            yield last
        last = (int(record_id), int(seq), new)
    if last is not None:
        yield last


def _current_rows(session: Session, table: Table) -> Iterator[tuple[int, str | None, dict[str, Any]]]:
    pk = table.primary_key.columns[0]
    for row in session.execute(select(table).order_by(pk).execution_options(yield_per=20_000)):
        values = _masked(table.name, dict(row._mapping))
        yield int(values[pk.name]), canonical_json(values), values


def _same_audited_columns(audited: str | None, values: Mapping[str, Any]) -> bool:
    """Whether the row holds the entry's values in every column the entry names.

    A column added by a later migration is not in the entries written before it, so a record last changed
    before the upgrade is compared on the columns it had then (its new column holds the migration's default;
    the record's next change audits it).
    """
    if audited is None:
        return False
    names = json.loads(audited).keys()
    if not names <= values.keys():  # a column the entry names is gone
        return False
    return canonical_json({name: values[name] for name in names}) == audited


def _compare_table(session: Session, table: Table) -> tuple[int, AuditProblem | None]:
    entries, rows = _last_entries(session, table.name), _current_rows(session, table)
    entry, row = next(entries, None), next(rows, None)
    count = 0
    while entry is not None or row is not None:
        if row is not None and (entry is None or row[0] < entry[0]):
            return count, AuditProblem(
                None, table.name, row[0], "the record has no audit entry: it was written outside oncotrial"
            )
        assert entry is not None
        if row is None or entry[0] < row[0]:
            if entry[2] is not None:  # not deleted
                return count, AuditProblem(entry[1], table.name, entry[0], "the record was removed outside oncotrial")
            entry = next(entries, None)
            continue
        count += 1
        if entry[2] != row[1] and not _same_audited_columns(entry[2], row[2]):
            what = (
                "the record was deleted, yet it is still there"
                if entry[2] is None
                else ("the record differs from its last audited values: it was changed outside oncotrial")
            )
            return count, AuditProblem(entry[1], table.name, entry[0], what)
        entry, row = next(entries, None), next(rows, None)
    return count, None


def verify_chain(session: Session, tables: Iterable[Table] | None = None) -> ChainReport:
    """Check the chain entry by entry, then each audited table against its records' last entries."""
    count, problem = _walk_chain(session)
    if problem is not None:
        return ChainReport(count, 0, problem)
    records = 0
    chosen = tables if tables is not None else [t for t in Base.metadata.sorted_tables if t.name not in UNAUDITED]
    for table in chosen:
        checked, problem = _compare_table(session, table)
        records += checked
        if problem is not None:
            return ChainReport(count, records, problem)
    return ChainReport(count, records, None)
