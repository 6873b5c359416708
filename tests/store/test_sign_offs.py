"""Sign-offs (``services.signoffs``) on SQLite and PostgreSQL: an investigator signs off a screening's eligibility
and a visit's assessment as they stand; a record changed since shows as not signed until signed again; only an
investigator of the patient's site signs; a record signed at its version is not signed twice."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from oncotrial.errors import AccessError, ConflictError, DataError, NotFoundError
from oncotrial.store import Store, verify_chain
from oncotrial.store.models import Screening, SignOff
from oncotrial.store.services import actor_for, record_screening, sign_off, sign_offs
from tests.store.conftest import SCREENED_AT, TRIAL, count_rows, eligible_record, enrol_eligible


def _screening_id(store: Store) -> int:
    with store.read() as session:
        return session.execute(select(Screening.id).order_by(Screening.id.desc()).limit(1)).scalar_one()


def _sign(store: Store, subject_id: str, record_id: int, username: str = "inv1", **kw: object) -> int:
    with store.write() as session:
        return sign_off(
            session, actor_for(session, username), TRIAL, subject_id, record_table="screening", record_id=record_id,
            **kw,  # type: ignore[arg-type]
        )  # fmt: skip


def test_eligibility_is_signed_off_and_a_screening_again_needs_its_own(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store)
    first = _screening_id(trial_store)
    _sign(trial_store, subject_id, first, expected_version=1)
    with trial_store.read() as session:
        (item,) = sign_offs(session, actor_for(session, "coord1"), TRIAL, subject_id)
        assert verify_chain(session).ok
    assert (item.record_table, item.record_id, item.signed_by, item.current) == ("screening", first, "inv1", True)
    assert item.label.startswith("eligibility: screening of 2026-11-21 (eligible)")
    with trial_store.write() as session:  # screened again: the latest screening is not signed yet
        record_screening(session, actor_for(session, "coord1"), TRIAL, subject_id, eligible_record(),
                         screened_at=SCREENED_AT.replace(hour=15))  # fmt: skip
    with trial_store.read() as session:
        (latest,) = sign_offs(session, actor_for(session, "inv1"), TRIAL, subject_id)
    assert (latest.record_id != first, latest.signed_by, latest.current) == (True, None, False)


def test_a_record_signed_as_it_stands_is_not_signed_twice(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store)
    screening = _screening_id(trial_store)
    _sign(trial_store, subject_id, screening)
    before = count_rows(trial_store, SignOff)
    with pytest.raises(DataError, match="signed off already as it stands") as exc:
        _sign(trial_store, subject_id, screening)
    assert exc.value.code == "STORE-E182"
    assert count_rows(trial_store, SignOff) == before


def test_a_stale_version_is_a_conflict(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store)
    with pytest.raises(ConflictError, match="changed by someone else"):
        _sign(trial_store, subject_id, _screening_id(trial_store), expected_version=7)


@pytest.mark.parametrize(
    ("username", "code"), [("coord1", "ACCESS-E001"), ("monitor", "ACCESS-E001"), ("inv2", "ACCESS-E002")]
)
def test_only_an_investigator_of_the_patients_site_signs(trial_store: Store, username: str, code: str) -> None:
    subject_id = enrol_eligible(trial_store)
    before = count_rows(trial_store, SignOff)
    with pytest.raises(AccessError) as exc:
        _sign(trial_store, subject_id, _screening_id(trial_store), username)
    assert exc.value.code == code
    assert count_rows(trial_store, SignOff) == before


def test_another_patients_record_or_another_kind_is_refused(trial_store: Store) -> None:
    first = enrol_eligible(trial_store)
    second = enrol_eligible(trial_store)
    with pytest.raises(NotFoundError, match=f"patient {second} has no screening"):
        _sign(trial_store, second, _first_screening(trial_store, first))
    with trial_store.write() as session, pytest.raises(DataError, match="not 'adverse_event'"):
        sign_off(session, actor_for(session, "inv1"), TRIAL, first, record_table="adverse_event", record_id=1)


def _first_screening(store: Store, subject_id: str) -> int:
    from oncotrial.store.models import Patient

    with store.read() as session:
        stmt = select(Screening.id).join(Patient, Patient.id == Screening.patient_id)
        return session.execute(stmt.where(Patient.subject_id == subject_id)).scalar_one()
