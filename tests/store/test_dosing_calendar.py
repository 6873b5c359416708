"""``dosing_calendar`` (the calendar the pages show) and the timeline's treatment and cycle starts, on SQLite and
PostgreSQL.

Hand-worked NCT01416831 calendar (see tests/store/test_dosing.py): start Monday 2026-11-23 08:00, IL-2 every 8 h,
14 doses a cycle, so cycle 1 dose 3 is due Tuesday 2026-11-24 00:00; cycle 2 planned Monday 2026-12-14, at the
latest Monday 2026-12-21 (7 days); a 70 kg patient's planned dose is 600,000 IU/kg x 70 kg = 42,000,000 IU.
"""

from __future__ import annotations

import datetime as dt

import pytest

from oncotrial.errors import AccessError, NotFoundError, ScheduleError
from oncotrial.store import Store
from oncotrial.store.services import (
    actor_for,
    dosing_calendar,
    patient_timeline,
    record_administration,
    record_cycle_start,
)
from tests.store.conftest import TREATMENT_START, TRIAL, enrol_eligible


def _held_and_delayed(store: Store, subject_id: str) -> None:
    """Dose 1 given on time, dose 2 held for hypotension, cycle 2 delayed to its latest day."""
    with store.write() as session:
        actor = actor_for(session, "coord1")
        record_administration(
            session,
            actor,
            TRIAL,
            subject_id,
            treatment="il2",
            cycle=1,
            number=1,
            status="given",
            given_at=TREATMENT_START,
        )
        record_administration(
            session,
            actor,
            TRIAL,
            subject_id,
            treatment="il2",
            cycle=1,
            number=2,
            status="held",
            reason="grade 3 hypotension",
        )
        record_cycle_start(
            session, actor, TRIAL, subject_id, cycle=2, start=dt.date(2026, 12, 21), reason="toxicity not resolved"
        )


def test_the_calendar_shows_planned_held_and_delayed(treated_store: tuple[Store, str]) -> None:
    store, subject_id = treated_store
    _held_and_delayed(store, subject_id)
    with store.read() as session:
        calendar = dosing_calendar(session, actor_for(session, "monitor"), TRIAL, subject_id)
    assert (calendar.arm, calendar.start, calendar.weight_kg) == ("A", TREATMENT_START, 70)
    one, two = calendar.cycles
    assert (one.start, one.moved, len(one.doses)) == (dt.date(2026, 11, 23), False, 14)
    assert (two.planned_start, two.latest_start, two.start) == (
        dt.date(2026, 12, 14),
        dt.date(2026, 12, 21),
        dt.date(2026, 12, 21),
    )
    assert (two.moved, two.reason) == (True, "toxicity not resolved")
    given, held, planned = one.doses[:3]
    assert (given.status, given.recorded, given.dose, given.unit) == ("given", True, 42_000_000, "IU")
    assert (held.status, held.reason, held.recorded) == ("held", "grade 3 hypotension", True)
    assert (planned.status, planned.recorded, planned.due_at) == ("planned", False, dt.datetime(2026, 11, 24, 0, 0))
    assert two.doses[0].due_at == dt.datetime(2026, 12, 21, 8, 0)  # cycle 2 planned from its delayed start


def test_the_timeline_shows_the_treatment_start_the_delayed_cycle_and_the_held_dose(
    treated_store: tuple[Store, str],
) -> None:
    store, subject_id = treated_store
    _held_and_delayed(store, subject_id)
    with store.read() as session:
        events = patient_timeline(session, actor_for(session, "inv1"), TRIAL, subject_id).events
    texts = [(e.kind, e.text) for e in events]
    assert ("treatment start", "cycle 1 day 1 in arm A") in texts
    assert ("cycle start", "cycle 2 started on 2026-12-21 (toxicity not resolved)") in texts
    assert ("dose", "il2, cycle 1 dose 2: held (grade 3 hypotension)") in texts


def test_without_a_treatment_start_there_is_no_calendar_yet(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store, randomise=True)
    with trial_store.read() as session:
        calendar = dosing_calendar(session, actor_for(session, "inv1"), TRIAL, subject_id)
    assert (calendar.start, calendar.weight_kg, calendar.cycles) == (None, None, ())
    assert calendar.arm in ("A", "B")


def test_another_sites_calendar_is_refused(treated_store: tuple[Store, str]) -> None:
    store, subject_id = treated_store
    with pytest.raises((AccessError, NotFoundError)), store.read() as session:
        dosing_calendar(session, actor_for(session, "coord2"), TRIAL, subject_id)


def test_a_delay_beyond_the_maximum_names_the_start_field(treated_store: tuple[Store, str]) -> None:
    """Monday 2026-12-28 is 14 days after the planned 2026-12-14 (at most 7): the core's DOSE-E032, at the cycle
    start's own field ``start`` (the core calls it ``cycle_starts``), so a form shows it at the date typed."""
    store, subject_id = treated_store
    with pytest.raises(ScheduleError, match="at most 7 days") as caught, store.write() as session:
        record_cycle_start(
            session, actor_for(session, "inv1"), TRIAL, subject_id, cycle=2, start=dt.date(2026, 12, 28), reason="x"
        )
    assert (caught.value.code, caught.value.field) == ("DOSE-E032", "start")
