"""Bad input to the services, on SQLite and PostgreSQL: each is refused with an error naming the patient and the
field, and writes nothing (every table, the audit trail included, is the same row for row before and after).
Randomising an unconsented or ineligible patient is in test_randomisation.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from oncotrial.errors import AccessError, DataError, NotFoundError, TrialError
from oncotrial.store import Store
from oncotrial.store.services import actor_for, delete_patient, enrol_patient, record_consent, record_screening
from tests.store.conftest import CONSENTED_ON, SCREENED_AT, TRIAL, eligible_record, enrol_eligible, table_rows


def _consent(username: str, subject: str) -> Callable[[Session], object]:
    def write(session: Session) -> object:
        actor = actor_for(session, username)
        return record_consent(session, actor, TRIAL, subject, form_version="2.1", consent_date=CONSENTED_ON)

    return write


def _enrol_number(number: int) -> Callable[[Session], object]:
    def write(session: Session) -> object:
        return enrol_patient(
            session, actor_for(session, "inv1"), TRIAL, enrolled_on=CONSENTED_ON, enrolment_number=number
        )

    return write


def _screen(subject: str) -> Callable[[Session], object]:
    def write(session: Session) -> object:
        actor = actor_for(session, "inv1")
        return record_screening(session, actor, TRIAL, subject, eligible_record(), screened_at=SCREENED_AT)

    return write


CASES = [
    pytest.param(
        _consent("inv1", "01-0099"), NotFoundError, "STORE-E023", "subject_id", "01-0099", r"has no patient '01-0099'",
        id="unknown_patient",
    ),
    pytest.param(
        _consent("coord1", "02-0001"), AccessError, "ACCESS-E002", "site", "02-0001",
        r"'coord1' works at another site and may not read or change patient 02-0001",
        id="site_01_user_on_a_site_02_patient",
    ),
    pytest.param(
        _enrol_number(1), DataError, "STORE-E061", "enrolment_number", "01-0002",
        r"enrolment number 1 is already patient 01-0001's",
        id="duplicate_enrolment_number",
    ),
    pytest.param(
        _screen("01-0001"), NotFoundError, "STORE-E023", "subject_id", "01-0001", r"no patient '01-0001' \(deleted\)",
        id="deleted_patient",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("operation", "error", "code", "field", "subject", "message"), CASES)
def test_bad_input_is_refused_naming_the_record_and_writes_nothing(
    trial_store: Store,
    operation: Callable[[Session], object],
    error: type[TrialError],
    code: str,
    field: str,
    subject: str,
    message: str,
) -> None:
    """Patients 01-0001 (enrolment number 1) and 02-0001 (number 2) are enrolled, consented and screened; in the
    deleted-patient case 01-0001 was deleted (soft) first."""
    enrol_eligible(trial_store, "inv1")
    enrol_eligible(trial_store, "inv2")
    if "deleted" in message:
        with trial_store.write() as session:
            delete_patient(session, actor_for(session, "inv1"), TRIAL, "01-0001", reason="enrolled in error")
    before = table_rows(trial_store)
    with pytest.raises(error, match=message) as info, trial_store.write() as session:
        operation(session)
    assert (info.value.code, info.value.field, info.value.subject_id) == (code, field, subject)
    assert table_rows(trial_store) == before


def test_a_date_before_consent_is_refused_and_writes_nothing(trial_store: Store) -> None:
    """Consent on 2026-11-18 (conftest); a screening dated the day before is refused."""
    subject = enrol_eligible(trial_store, "inv1")
    before = table_rows(trial_store)
    with pytest.raises(DataError, match="screened_at 2026-11-17 is before consent on 2026-11-18") as info:
        with trial_store.write() as session:
            record_screening(
                session, actor_for(session, "inv1"), TRIAL, subject, eligible_record(),
                screened_at=dt.datetime(2026, 11, 17, 9, 0),
            )  # fmt: skip
    assert (info.value.code, info.value.subject_id) == ("STORE-E031", subject)
    assert table_rows(trial_store) == before


def test_a_constraint_the_database_enforces_is_named_in_words(trial_store: Store) -> None:
    """Where no service check came first (a raw ORM write here), the database's own refusal still names the
    field: a second site 01 of the trial breaks the unique (trial_id, code) of the ``site`` table, and a site
    without a name its not-null ``name`` — in the same words on SQLite (from its message) and PostgreSQL (from
    the error's diagnostics)."""
    from oncotrial.errors import StoreError
    from oncotrial.store.audit import audit_context
    from oncotrial.store.models import Site, Trial

    def write_site(fields: dict[str, object]) -> None:
        with trial_store.write() as session, audit_context(session, actor_for(session, "admin")):
            trial_id = session.query(Trial.id).filter(Trial.code == TRIAL).scalar()
            session.add(Site(trial_id=trial_id, **fields))

    def add_site(**fields: object) -> StoreError:
        with pytest.raises(StoreError) as raised:
            write_site(fields)
        return raised.value

    twice = add_site(code="01", name="Second 01")
    assert (twice.code, twice.field) == ("STORE-E004", "code")
    assert str(twice) == "the database refused the change: a site with the same trial id and code is already recorded"
    nameless = add_site(code="09", name=None)
    assert (nameless.code, nameless.field) == ("STORE-E004", "name")
    assert str(nameless) == "the database refused the change: the site's name is missing; give it"
