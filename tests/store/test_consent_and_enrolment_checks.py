"""The checks of ``record_consent`` and ``enrol_patient`` that the web forms rely on, on SQLite and PostgreSQL:
a consent without a date or dated in the future, and a text longer than its column, are refused naming the
field, and write nothing; ``check_enrolment_for`` refuses the roles that do not enter data at a site."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from oncotrial.errors import AccessError, DataError, NotFoundError
from oncotrial.store import Store
from oncotrial.store.models import Consent
from oncotrial.store.services import actor_for, check_enrolment_for, enrol_patient, record_consent
from tests.store.conftest import CONSENTED_ON, TRIAL, table_rows


@pytest.fixture
def enrolled_store(trial_store: Store) -> Store:
    """Patient 01-0001 enrolled on 2026-11-18, no consent yet."""
    with trial_store.write() as session:
        enrol_patient(session, actor_for(session, "inv1"), TRIAL, enrolled_on=CONSENTED_ON)
    return trial_store


def _consent(store: Store, form_version: str | None, consent_date: dt.date | None) -> None:
    with store.write() as session:
        record_consent(
            session, actor_for(session, "coord1"), TRIAL, "01-0001", form_version=form_version,
            consent_date=consent_date,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("form_version", "days_ahead", "code", "field", "message"),
    [
        pytest.param("2.0", 2, "STORE-E091", "consent_date", r"consent date \d{4}-\d\d-\d\d is in the future",
                     id="two_days_ahead"),
        pytest.param("2.0", None, "STORE-E090", "consent_date", "give the date the consent form was signed",
                     id="no_date"),
        pytest.param(" ", 0, "STORE-E066", "form_version", "give the version of the consent form signed",
                     id="blank_version"),
        pytest.param("v" * 65, 0, "STORE-E105", "form_version", "is longer than 64 characters", id="long_version"),
    ],
)  # fmt: skip
def test_a_consent_the_store_refuses_names_its_field_and_writes_nothing(
    enrolled_store: Store, form_version: str, days_ahead: int | None, code: str, field: str, message: str
) -> None:
    """Two days after today (UTC) is in the future at every site (the latest time zone is UTC+14); the form
    version column holds 64 characters (models/patient.py)."""
    day = None if days_ahead is None else dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days_ahead)
    before = table_rows(enrolled_store)
    with pytest.raises(DataError, match=message) as info:
        _consent(enrolled_store, form_version, day)
    assert (info.value.code, info.value.field, info.value.subject_id) == (code, field, "01-0001")
    assert table_rows(enrolled_store) == before


def test_a_consent_signed_today_is_recorded(enrolled_store: Store) -> None:
    today = dt.datetime.now(dt.UTC).date()
    _consent(enrolled_store, "2.0", today)
    with enrolled_store.read() as session:
        consent = session.execute(select(Consent.form_version, Consent.consent_date)).one()
    assert tuple(consent) == ("2.0", today)


def test_a_country_longer_than_its_column_is_refused_before_the_database_sees_it(trial_store: Store) -> None:
    """The country column holds 8 characters (an ISO 3166 code); PostgreSQL would refuse a longer one only at the
    end, as a database error that names no field."""
    before = table_rows(trial_store)
    with pytest.raises(DataError, match=r"country \"x'\); DROP TABLE patient; --\" is longer than 8") as info:
        with trial_store.write() as session:
            enrol_patient(
                session, actor_for(session, "inv1"), TRIAL, enrolled_on=CONSENTED_ON,
                country="x'); DROP TABLE patient; --",
            )  # fmt: skip
    assert (info.value.code, info.value.field) == ("STORE-E105", "country")
    assert table_rows(trial_store) == before


@pytest.mark.parametrize("username", ["monitor", "stat", "admin"])
def test_only_the_site_roles_may_enrol_by_data_entry(trial_store: Store, username: str) -> None:
    """The statistician may import (``enrol_patients``) but not enter a patient at a site."""
    with pytest.raises(AccessError, match="may not enter data"), trial_store.read() as session:
        check_enrolment_for(session, actor_for(session, username), TRIAL)


def test_enrolment_in_an_unknown_trial_is_refused(trial_store: Store) -> None:
    with trial_store.read() as session:
        check_enrolment_for(session, actor_for(session, "coord1"), TRIAL)
        with pytest.raises(NotFoundError, match="trial 'NCT00000000' is not in the database"):
            check_enrolment_for(session, actor_for(session, "coord1"), "NCT00000000")
