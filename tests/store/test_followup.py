"""``oncotrial.store.services.followup`` on SQLite and PostgreSQL: off treatment, off study, death, last known
alive, and what is refused (each refusal writes nothing). The patient consented on 2026-11-18 (conftest)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from oncotrial.errors import DataError
from oncotrial.store import Store, verify_chain
from oncotrial.store.models import Disposition
from oncotrial.store.services import (
    actor_for,
    record_death,
    record_dispositions,
    record_last_known_alive,
    record_off_study,
    record_off_treatment,
)
from tests.store.conftest import TRIAL, count_rows, enrol_eligible


def _write(store: Store, rows: list[dict[str, Any]]) -> list[int]:
    with store.write() as session:
        return record_dispositions(session, actor_for(session, "inv1"), TRIAL, rows)


def _refused(store: Store, rows: list[dict[str, Any]]) -> DataError:
    before = count_rows(store, Disposition)
    with pytest.raises(DataError) as caught:
        _write(store, rows)
    assert count_rows(store, Disposition) == before
    return caught.value


def test_the_wrappers_record_one_event_each(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store)
    with trial_store.write() as session:
        actor = actor_for(session, "inv1")
        record_off_treatment(
            session, actor, TRIAL, subject_id, event_date=dt.date(2027, 1, 15), reason="progressive disease"
        )
        record_last_known_alive(session, actor, TRIAL, subject_id, event_date=dt.date(2027, 3, 1))
        record_off_study(session, actor, TRIAL, subject_id, event_date=dt.date(2027, 4, 2), reason="death")
        record_death(session, actor, TRIAL, subject_id, event_date=dt.date(2027, 4, 2), reason="melanoma")
    with trial_store.read() as session:
        kept = session.execute(
            select(Disposition.event, Disposition.event_date, Disposition.reason).order_by(Disposition.id)
        ).all()
        assert verify_chain(session).ok
    assert [tuple(r) for r in kept] == [
        ("off_treatment", dt.date(2027, 1, 15), "progressive disease"),
        ("last_known_alive", dt.date(2027, 3, 1), None),
        ("off_study", dt.date(2027, 4, 2), "death"),
        ("death", dt.date(2027, 4, 2), "melanoma"),
    ]


@pytest.mark.parametrize(
    ("rows", "code", "field", "row"),
    [
        pytest.param([{"event": "lost"}], "STORE-E104", "event", 1, id="event_not_in_list"),
        pytest.param([{"event": "death", "event_date": None}], "STORE-E160", "event_date", 1, id="death_without_date"),
        pytest.param([{"event": "off_treatment"}], "STORE-E161", "reason", 1, id="off_treatment_without_reason"),
        pytest.param([{"event": "off_study"}], "STORE-E161", "reason", 1, id="off_study_without_reason"),
        pytest.param(
            [{"event": "last_known_alive", "event_date": "2026-11-17"}],
            "STORE-E031",
            "event_date",
            1,
            id="before_consent",
        ),
        pytest.param(
            [{"event": "death"}, {"event": "death", "event_date": "2027-02-03"}],
            "STORE-E162",
            "event",
            2,
            id="two_deaths_in_a_batch",
        ),
        pytest.param(
            [{"event": "death"}, {"event": "last_known_alive", "event_date": "2027-02-03"}],
            "STORE-E163",
            "event_date",
            2,
            id="alive_after_death_in_a_batch",
        ),
    ],
)
def test_a_bad_disposition_is_refused_naming_row_and_field(
    trial_store: Store, rows: list[dict[str, Any]], code: str, field: str, row: int
) -> None:
    subject_id = enrol_eligible(trial_store)
    full = [{"subject_id": subject_id, "event_date": "2027-02-01", "reason": None, **r} for r in rows]
    error = _refused(trial_store, full)
    assert (error.code, error.field, error.rows, error.subject_id) == (code, field, (row,), subject_id)


def test_a_second_death_and_anything_after_a_recorded_death_are_refused(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store)
    _write(trial_store, [{"subject_id": subject_id, "event": "death", "event_date": "2027-02-01"}])
    error = _refused(trial_store, [{"subject_id": subject_id, "event": "death", "event_date": "2027-02-01"}])
    assert error.code == "STORE-E162"
    error = _refused(trial_store, [{"subject_id": subject_id, "event": "last_known_alive", "event_date": "2027-02-02"}])
    assert (error.code, str(error).count("2027-02-01")) == ("STORE-E163", 1)


def test_a_death_before_a_recorded_event_is_refused(trial_store: Store) -> None:
    """Last known alive on 2027-03-01 is recorded; a death on 2027-02-01 would date it after the death."""
    subject_id = enrol_eligible(trial_store)
    _write(trial_store, [{"subject_id": subject_id, "event": "last_known_alive", "event_date": "2027-03-01"}])
    error = _refused(trial_store, [{"subject_id": subject_id, "event": "death", "event_date": "2027-02-01"}])
    assert (error.code, error.field) == ("STORE-E163", "event_date")
    assert "before an event already recorded on 2027-03-01" in str(error)
