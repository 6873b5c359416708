"""Data queries (``oncotrial.store.services.queries``) on SQLite and PostgreSQL: the monitor raises, the site
answers, the monitor closes or reopens; who may do what; what is refused writes nothing; the audit trail keeps
every answer; the dashboard counts what waits."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from oncotrial.errors import AccessError, ConflictError, DataError, NotFoundError
from oncotrial.store import Store, verify_chain
from oncotrial.store.models import DataQuery
from oncotrial.store.services import (
    actor_for,
    answer_query,
    audit_history,
    close_query,
    list_queries,
    raise_query,
    record_adverse_event,
    reopen_query,
    trial_dashboard,
)
from tests.store.conftest import TRIAL, count_rows, enrol_eligible


def _ae(store: Store, subject_id: str) -> int:
    with store.write() as session:
        return record_adverse_event(
            session, actor_for(session, "inv1"), TRIAL, subject_id, term="Hypotension", grade=3, onset="2026-11-24",
            serious="N",
        )  # fmt: skip


def _raise(store: Store, subject_id: str, username: str = "monitor", **fields: object) -> int:
    with store.write() as session:
        return raise_query(session, actor_for(session, username), TRIAL, subject_id, **{"text": "Grade?", **fields})  # type: ignore[arg-type]


def test_a_query_is_raised_answered_and_closed_and_each_step_is_audited(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store, "inv1", randomise=True)
    event = _ae(trial_store, subject_id)
    query = _raise(
        trial_store, subject_id, text="Grade 3 hypotension without pressors?", record_table="adverse_event",
        record_id=event, field="grade",
    )  # fmt: skip
    with trial_store.write() as session:
        answer_query(
            session, actor_for(session, "coord1"), TRIAL, query, answer="Grade 2: no pressors", expected_version=1
        )
    with trial_store.write() as session:
        close_query(session, actor_for(session, "monitor"), TRIAL, query, expected_version=2)
    with trial_store.read() as session:
        (row,) = list_queries(session, actor_for(session, "monitor"), TRIAL)
        history = audit_history(session, actor_for(session, "monitor"), TRIAL, subject_id)
        assert verify_chain(session).ok
    assert (row.subject_id, row.site, row.record_table, row.record_id, row.field) == (
        subject_id, "01", "adverse_event", event, "grade",
    )  # fmt: skip
    assert (row.status, row.raised_by, row.answer, row.answered_by, row.closed_by) == (
        "closed", "monitor", "Grade 2: no pressors", "coord1", "monitor",
    )  # fmt: skip
    steps = [(e.action, e.username, e.reason) for e in history if e.table_name == "data_query"]
    assert steps == [
        ("insert", "monitor", None),
        ("update", "coord1", f"answer to query {query}"),
        ("update", "monitor", f"query {query} closed"),
    ]


def test_reopening_clears_the_answer_and_the_audit_trail_keeps_it(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store, "inv1")
    query = _raise(trial_store, subject_id, text="Consent version?")
    with trial_store.write() as session:
        answer_query(session, actor_for(session, "inv1"), TRIAL, query, answer="v2")
    with trial_store.write() as session:
        reopen_query(session, actor_for(session, "monitor"), TRIAL, query, reason="v2 is not approved at site 01")
    with trial_store.read() as session:
        (row,) = list_queries(session, actor_for(session, "coord1"), TRIAL, status="open")
        history = audit_history(session, actor_for(session, "monitor"), TRIAL, subject_id)
    assert (row.status, row.answer, row.answered_by) == ("open", None, None)
    reopened = [e for e in history if e.table_name == "data_query" and e.reason and "reopened" in e.reason]
    assert len(reopened) == 1
    assert reopened[0].old_values["answer"] == "v2"  # what the site said first is kept
    assert reopened[0].reason == f"query {query} reopened: v2 is not approved at site 01"


@pytest.mark.parametrize("username", ["coord1", "inv1", "admin"])
def test_only_the_monitor_and_the_statistician_raise_queries(trial_store: Store, username: str) -> None:
    subject_id = enrol_eligible(trial_store, "inv1")
    before = count_rows(trial_store, DataQuery)
    with pytest.raises(AccessError, match="may not raise query"):
        _raise(trial_store, subject_id, username)
    assert count_rows(trial_store, DataQuery) == before
    assert _raise(trial_store, subject_id, "stat") > 0


def test_another_sites_user_neither_answers_nor_sees_the_query(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store, "inv1")
    query = _raise(trial_store, subject_id)
    with trial_store.write() as session, pytest.raises(AccessError) as refused:
        answer_query(session, actor_for(session, "coord2"), TRIAL, query, answer="Grade 2")
    assert refused.value.code == "ACCESS-E002"
    with trial_store.read() as session:
        assert list_queries(session, actor_for(session, "coord2"), TRIAL) == []
        assert trial_dashboard(session, actor_for(session, "coord2"), TRIAL).open_queries == 0
        assert trial_dashboard(session, actor_for(session, "coord1"), TRIAL).open_queries == 1
        assert trial_dashboard(session, actor_for(session, "monitor"), TRIAL).open_queries == 1


def test_a_monitor_cannot_answer_and_a_site_cannot_close(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store, "inv1")
    query = _raise(trial_store, subject_id)
    with trial_store.write() as session, pytest.raises(AccessError, match="may not enter data"):
        answer_query(session, actor_for(session, "monitor"), TRIAL, query, answer="fine")
    with trial_store.write() as session, pytest.raises(AccessError, match="may not raise query"):
        close_query(session, actor_for(session, "inv1"), TRIAL, query)


def test_a_query_on_another_patients_record_or_an_unknown_field_is_refused(trial_store: Store) -> None:
    first = enrol_eligible(trial_store, "inv1")
    second = enrol_eligible(trial_store, "inv1")
    event = _ae(trial_store, first)
    before = count_rows(trial_store, DataQuery)
    with pytest.raises(NotFoundError, match=f"patient {second} has no adverse_event record {event}") as exc:
        _raise(trial_store, second, record_table="adverse_event", record_id=event)
    assert (exc.value.code, exc.value.fields["field"]) == ("STORE-E174", "record_id")
    with pytest.raises(DataError, match="adverse_event has no field 'grayde'") as exc:
        _raise(trial_store, first, record_table="adverse_event", record_id=event, field="grayde")
    assert exc.value.fields["field"] == "field"
    with pytest.raises(DataError, match="cannot point at 'app_user'") as exc:
        _raise(trial_store, first, record_table="app_user", record_id=1)
    with pytest.raises(DataError, match="without its table") as exc:
        _raise(trial_store, first, record_id=event)
    with pytest.raises(DataError, match="the text is empty") as exc:
        _raise(trial_store, first, text="   ")
    assert count_rows(trial_store, DataQuery) == before


def test_an_answered_query_is_not_answered_again_and_a_stale_version_conflicts(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store, "inv1")
    query = _raise(trial_store, subject_id)
    with trial_store.write() as session:
        answer_query(session, actor_for(session, "inv1"), TRIAL, query, answer="first")
    with trial_store.write() as session, pytest.raises(DataError, match=f"query {query} of patient .* is answered"):
        answer_query(session, actor_for(session, "coord1"), TRIAL, query, answer="second")
    with trial_store.write() as session, pytest.raises(ConflictError, match="changed by someone else"):
        close_query(session, actor_for(session, "monitor"), TRIAL, query, expected_version=1)
    with trial_store.read() as session:
        stored = session.execute(select(DataQuery)).scalar_one()
        assert (stored.status, stored.answer, stored.version) == ("answered", "first", 2)


def test_a_query_of_another_trial_or_unknown_id_is_not_found(trial_store: Store) -> None:
    with trial_store.write() as session, pytest.raises(NotFoundError, match=f"trial {TRIAL} has no query 99"):
        answer_query(session, actor_for(session, "inv1"), TRIAL, 99, answer="x")


def test_the_dashboard_counts_open_and_answered_queries(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store, "inv1")
    first, _second, third = (_raise(trial_store, subject_id) for _ in range(3))
    with trial_store.write() as session:
        answer_query(session, actor_for(session, "inv1"), TRIAL, first, answer="done")
    with trial_store.write() as session:
        close_query(session, actor_for(session, "monitor"), TRIAL, third)
    with trial_store.read() as session:
        board = trial_dashboard(session, actor_for(session, "monitor"), TRIAL)
    assert (board.open_queries, board.answered_queries) == (1, 1)
