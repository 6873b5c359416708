"""A record entered for one patient (a form's save) looks up that patient only, not every patient of the trial
(``oncotrial.store.services._batch.find_patients``): the cost of a save does not grow with the trial, and the
result is the same as before."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event, select

from oncotrial.store import Store, services
from oncotrial.store.models import AdverseEvent
from tests.store.conftest import TRIAL, enrol_eligible


def test_an_adverse_event_of_one_patient_looks_up_that_patient_only(trial_store: Store) -> None:
    """Three patients at site 01; the event of the second binds the second's subject id to the patient lookup,
    and no statement names the other two."""
    first, second, third = (enrol_eligible(trial_store, "inv1") for _ in range(3))
    bound: list[Any] = []

    def note(_conn: object, _cursor: object, _statement: str, parameters: Any, *_args: object) -> None:
        bound.append(parameters)

    event.listen(trial_store.engine, "before_cursor_execute", note)
    try:
        with trial_store.write() as session:
            actor = services.actor_for(session, "coord1")
            services.record_adverse_event(
                session, actor, TRIAL, second, term="Fatigue", grade=2, onset="2026-11-24", serious="N"
            )
    finally:
        event.remove(trial_store.engine, "before_cursor_execute", note)
    texts = " ".join(repr(parameters) for parameters in bound)
    assert second in texts
    assert first not in texts
    assert third not in texts
    with trial_store.read() as session:
        rows = session.execute(select(AdverseEvent.term, AdverseEvent.grade, AdverseEvent.onset)).all()
    assert [tuple(row) for row in rows] == [("Fatigue", 2, dt.date(2026, 11, 24))]
