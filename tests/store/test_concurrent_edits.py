"""Concurrent edits on SQLite and PostgreSQL: the second writer of a record gets a ConflictError naming it, never a
silent overwrite, whether it says which version it edited (``expected_version``) or its session still holds the
older version (the version column's check, :func:`oncotrial.store.engine.translate_error`); two randomisations
at once never take the same slot of the concealed list."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from oncotrial.errors import ConflictError
from oncotrial.store import Store, verify_chain
from oncotrial.store.audit import audit_context
from oncotrial.store.models import AllocationSlot, Patient, Randomisation
from oncotrial.store.services import actor_for, correct_randomisation, delete_patient, randomise
from oncotrial.store.services._common import find_patient, find_trial
from tests.store.conftest import SCREENED_AT, TRIAL, enrol_eligible, table_rows


def _correct_sex(store: Store, subject: str) -> None:
    """The first writer: a coordinator corrects the patient's sex (an update of the patient row)."""
    with store.write() as session:
        actor = actor_for(session, "coord1")
        patient = find_patient(session, actor, find_trial(session, TRIAL), subject, for_update=True)
        with audit_context(session, actor, "sex transcribed wrongly"):
            patient.sex = "M"
            session.flush()


def _switch_arm(store: Store, subject: str, *, reason: str = "arm entered against the wrong patient") -> str:
    with store.read() as session:
        arm = session.execute(select(Randomisation.arm)).scalar_one()
    other = "A" if arm == "B" else "B"
    with store.write() as session:
        correct_randomisation(session, actor_for(session, "inv1"), TRIAL, subject, arm=other, reason=reason)
    return other


def test_deleting_a_patient_from_an_older_version_is_a_conflict_naming_the_patient(trial_store: Store) -> None:
    subject = enrol_eligible(trial_store)
    with trial_store.read() as session:
        read_version = session.execute(select(Patient.version)).scalar_one()
    _correct_sex(trial_store, subject)
    before = table_rows(trial_store)
    with pytest.raises(ConflictError, match=rf"patient {subject} was changed by someone else.*version 1.*version 2"):
        with trial_store.write() as session:
            delete_patient(
                session,
                actor_for(session, "inv1"),
                TRIAL,
                subject,
                reason="enrolled twice",
                expected_version=read_version,
            )
    assert table_rows(trial_store) == before


def test_correcting_a_randomisation_from_an_older_version_is_a_conflict(trial_store: Store) -> None:
    subject = enrol_eligible(trial_store, randomise=True)
    with trial_store.read() as session:
        read_version = session.execute(select(Randomisation.version)).scalar_one()
    second = _switch_arm(trial_store, subject)
    before = table_rows(trial_store)
    with pytest.raises(ConflictError, match=rf"the randomisation of patient {subject} was changed") as info:
        with trial_store.write() as session:
            correct_randomisation(
                session,
                actor_for(session, "inv1"),
                TRIAL,
                subject,
                arm="A" if second == "B" else "B",
                reason="second correction",
                expected_version=read_version,
            )
    assert (info.value.subject_id, info.value.code) == (subject, "STORE-E040")
    assert table_rows(trial_store) == before


def _delete(session: Session, subject: str) -> None:
    delete_patient(session, actor_for(session, "inv1"), TRIAL, subject, reason="enrolled twice")


def _correct(session: Session, subject: str) -> None:
    arm = session.execute(select(Randomisation.arm)).scalar_one()  # as this session holds it
    reason = "arm entered against the wrong patient"
    correct_randomisation(session, actor_for(session, "inv1"), TRIAL, subject, arm=arm, reason=reason)


@pytest.mark.parametrize(
    ("model", "second_write", "named"),
    [
        pytest.param(Patient, _delete, "patient {subject}", id="soft_delete_of_a_patient"),
        pytest.param(Randomisation, _correct, "the randomisation record 1 of patient {subject}", id="correction"),
    ],
)
def test_a_session_holding_an_older_version_gets_a_conflict_not_an_overwrite(
    trial_store: Store, model: type[Any], second_write: Callable[[Session, str], None], named: str
) -> None:
    """The race: the second session loaded the record before the first wrote; its UPDATE ... WHERE version = 1
    matches no row (SQLAlchemy's StaleDataError), which is translated into a ConflictError naming the record.
    The first writer corrects the arm (and the patient's sex); the second makes its own change from version 1."""
    subject = enrol_eligible(trial_store, randomise=True)
    seen: dict[str, Any] = {}

    def write_late() -> None:
        with trial_store.write() as late:
            held = late.execute(select(model)).scalar_one()  # version 1, in the session's identity map
            late.execute(select(Patient)).scalar_one()
            late.commit()  # its transaction ends (SQLite's write lock is free), the objects stay as read
            _correct_sex(trial_store, subject)
            _switch_arm(trial_store, subject)
            seen.update(before=table_rows(trial_store), version=held.version)
            second_write(late, subject)

    with pytest.raises(ConflictError, match=named.format(subject=subject) + " was changed by someone else") as info:
        write_late()
    assert seen["version"] == 1
    assert (info.value.subject_id, info.value.code) == (subject, "STORE-E040")
    assert table_rows(trial_store) == seen["before"]


def test_two_randomisations_at_once_never_take_the_same_slot(trial_store: Store) -> None:
    """Eight investigators' sessions randomise eight patients at the same moment (threads released together): each
    takes its own slot, the first eight of the list in order, and the audit chain is one chain, not forked."""
    subjects = [enrol_eligible(trial_store) for _ in range(8)]
    start, errors = threading.Barrier(len(subjects)), []

    def assign(subject: str) -> None:
        start.wait()
        try:
            with trial_store.write() as session:
                randomise(session, actor_for(session, "inv1"), TRIAL, subject, randomised_on=SCREENED_AT.date())
        except Exception as exc:  # reported below, with the others
            errors.append(exc)

    threads = [threading.Thread(target=assign, args=(s,)) for s in subjects]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with trial_store.read() as session:
        taken = session.execute(
            select(AllocationSlot.sequence, AllocationSlot.patient_id, AllocationSlot.arm)
            .where(AllocationSlot.patient_id.is_not(None))
            .order_by(AllocationSlot.sequence)
        ).all()
        arms = dict(session.execute(select(Randomisation.patient_id, Randomisation.arm)).all())
        assert [row.sequence for row in taken] == list(range(1, 9))
        assert len({row.patient_id for row in taken}) == 8
        assert {row.patient_id: row.arm for row in taken} == arms
        assert verify_chain(session).ok
