"""``oncotrial.store.migrate`` and the migrations, on SQLite and PostgreSQL: an older database is upgraded in place
with every row kept, refused until it is, revision 0002 makes the audit trail append-only in the database, and
revision 0003 adds the web app's log-in tables, revision 0004 links doses to adverse events, revision 0005
adds data queries, and revision 0006 sign-offs.

An old database is read as it is (``table_rows`` reflects its tables with plain SQL), never through today's models,
which describe the newest revision."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from oncotrial.errors import StoreError
from oncotrial.store import Store, open_store, verify_chain
from oncotrial.store.migrate import _config, current_revision, init_schema, upgrade_schema
from tests.store.conftest import build_trial, enrol_eligible, table_rows

UPDATE_ENTRY = "UPDATE audit_entry SET reason = 'tidied' WHERE seq = 1"
DELETE_ENTRY = "DELETE FROM audit_entry WHERE seq = 1"


@pytest.fixture
def store_at_0001(empty_store_url: str) -> Iterator[Store]:
    """A database created at revision 0001 (as the first release made it), holding a trial and three patients,
    two of them randomised, all written through the services."""
    store = open_store(empty_store_url, check_schema=False)
    assert init_schema(store, revision="0001") == "0001"
    build_trial(store)
    for randomised in (True, True, False):
        enrol_eligible(store, randomise=randomised)
    yield store
    store.dispose()


def test_a_0001_database_is_refused_naming_oncotrial_db_upgrade(store_at_0001: Store) -> None:
    with pytest.raises(StoreError, match=r"older than this oncotrial's 0006.*`oncotrial db upgrade") as info:
        open_store(store_at_0001.url)
    assert info.value.code == "STORE-E007"


def test_upgrading_a_0001_database_keeps_every_row_and_the_chain_verifies(store_at_0001: Store) -> None:
    before = table_rows(store_at_0001)
    assert (len(before["patient"]), len(before["randomisation"])) == (3, 2)  # what the fixture wrote
    assert upgrade_schema(store_at_0001) == ("0001", "0006")
    after = table_rows(store_at_0001)
    assert {name: after[name] for name in before} == before
    reopened = open_store(store_at_0001.url)  # now current: opens without complaint
    with reopened.read() as session:
        assert verify_chain(session).ok
    reopened.dispose()


def test_after_the_upgrade_an_audit_entry_cannot_be_changed_or_deleted_by_plain_sql(store_at_0001: Store) -> None:
    with store_at_0001.engine.begin() as conn:  # before 0002 nothing stops it (rolled back below)
        conn.execute(text(UPDATE_ENTRY))
        conn.rollback()
    upgrade_schema(store_at_0001)
    for statement in (UPDATE_ENTRY, DELETE_ENTRY):
        with pytest.raises(DBAPIError, match="audit_entry is append-only"), store_at_0001.engine.begin() as conn:
            conn.execute(text(statement))
    with store_at_0001.read() as session:
        assert verify_chain(session).ok


def test_a_change_of_an_audit_entry_through_a_session_is_a_store_error(trial_store: Store) -> None:
    """The user sees the database's refusal in words, not a driver's traceback."""
    with pytest.raises(StoreError, match="the database refused the change: audit_entry is append-only"):
        with trial_store.write() as session:
            session.execute(text(UPDATE_ENTRY))


def test_downgrading_0002_removes_the_triggers_and_keeps_the_rows(store_at_0001: Store) -> None:
    upgrade_schema(store_at_0001, "0002")
    before = table_rows(store_at_0001)
    command.downgrade(_config(store_at_0001), "0001")
    assert current_revision(store_at_0001) == "0001"
    assert table_rows(store_at_0001) == before
    with store_at_0001.engine.begin() as conn:
        assert conn.execute(text(DELETE_ENTRY)).rowcount == 1


LOGIN_TABLES = {"web_session", "api_token", "login_failure"}


def test_upgrading_to_0003_adds_the_login_tables_empty_and_keeps_every_row(store_at_0001: Store) -> None:
    upgrade_schema(store_at_0001, "0002")
    before = table_rows(store_at_0001)
    assert not LOGIN_TABLES & set(before)
    assert upgrade_schema(store_at_0001, "0003") == ("0002", "0003")
    after = table_rows(store_at_0001)
    assert {name: after[name] for name in LOGIN_TABLES} == {name: [] for name in LOGIN_TABLES}
    assert {name: rows for name, rows in after.items() if name not in LOGIN_TABLES} == before


def test_downgrading_0003_drops_the_login_tables_and_keeps_the_rest(store_at_0001: Store) -> None:
    upgrade_schema(store_at_0001, "0002")
    before = table_rows(store_at_0001)
    upgrade_schema(store_at_0001)
    command.downgrade(_config(store_at_0001), "0002")
    assert current_revision(store_at_0001) == "0002"
    assert table_rows(store_at_0001) == before


DOSE = (
    "INSERT INTO administration (id, patient_id, treatment, cycle, number, status, reason, version) "
    "VALUES (1, {patient}, 'il2', 1, 2, 'held', 'grade 3 hypotension', 1)"
)


def test_upgrading_to_0004_links_doses_to_adverse_events_and_keeps_every_row(store_at_0001: Store) -> None:
    """A dose recorded under 0003 (written with plain SQL: today's services write 0004's columns) keeps every
    column, gains no adverse event and is not above the plan; the downgrade gives back exactly the 0003 rows."""
    upgrade_schema(store_at_0001, "0003")
    with store_at_0001.engine.begin() as conn:
        patient = conn.execute(text("SELECT min(id) FROM patient")).scalar_one()
        conn.execute(text(DOSE.format(patient=patient)))
    before = table_rows(store_at_0001)
    assert upgrade_schema(store_at_0001, "0004") == ("0003", "0004")
    with store_at_0001.engine.connect() as conn:
        added = conn.execute(text("SELECT adverse_event_id, allow_above_planned FROM administration")).all()
        cycle_start = conn.execute(text("SELECT count(*) FROM cycle_start WHERE adverse_event_id IS NULL")).scalar()
    assert [(ae, bool(above)) for ae, above in added] == [(None, False)]
    assert cycle_start == 0
    after = table_rows(store_at_0001)
    assert [row[: len(before["administration"][0])] for row in after["administration"]] == before["administration"]
    assert {name: rows for name, rows in after.items() if name not in ("administration", "cycle_start")} == {
        name: rows for name, rows in before.items() if name not in ("administration", "cycle_start")
    }
    command.downgrade(_config(store_at_0001), "0003")
    assert table_rows(store_at_0001) == before


def test_upgrading_to_0005_adds_an_empty_query_table_and_the_downgrade_removes_it(store_at_0001: Store) -> None:
    upgrade_schema(store_at_0001, "0004")
    before = table_rows(store_at_0001)
    assert upgrade_schema(store_at_0001, "0005") == ("0004", "0005")
    after = table_rows(store_at_0001)
    assert after.pop("data_query") == []
    assert after == before
    command.downgrade(_config(store_at_0001), "0004")
    assert table_rows(store_at_0001) == before


def test_upgrading_to_0006_adds_an_empty_sign_off_table_and_the_downgrade_removes_it(store_at_0001: Store) -> None:
    upgrade_schema(store_at_0001, "0005")
    before = table_rows(store_at_0001)
    assert upgrade_schema(store_at_0001) == ("0005", "0006")
    after = table_rows(store_at_0001)
    assert after.pop("sign_off") == []
    assert after == before
    command.downgrade(_config(store_at_0001), "0005")
    assert table_rows(store_at_0001) == before
