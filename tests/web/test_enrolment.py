"""Enrolment and consent through the pages and their API twins (``oncotrial.web.routes.enrolment``): a patient
enrolled on the page is stored at the user's site and shown; a refused field is shown in place with what was
typed; the roles that do not enter data at a site, and another site's staff, record nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from oncotrial.store import Store, services
from oncotrial.store.models import Consent, Patient, PatientIdentity, Site
from tests.store.conftest import CONSENTED_ON
from tests.web.conftest import TRIAL, csrf_of
from tests.web.test_accessibility import unlabelled

LoggedIn = Callable[[str], tuple[TestClient, str]]


def _patients(store: Store) -> list[tuple[str, str, str | None, float | None, str | None]]:
    with store.read() as session:
        rows = session.execute(
            select(Patient.subject_id, Site.code, Patient.sex, Patient.age, Patient.country)
            .join(Site, Site.id == Patient.site_id)
            .order_by(Patient.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _consents(store: Store) -> list[tuple[str, dt.date]]:
    with store.read() as session:
        return [tuple(row) for row in session.execute(select(Consent.form_version, Consent.consent_date))]  # type: ignore[misc]


def _enrolled_without_consent(store: Store, username: str = "inv1") -> str:
    with store.write() as session:
        return services.enrol_patient(
            session, services.actor_for(session, username), TRIAL, enrolled_on=CONSENTED_ON
        ).subject_id


def _enrolment(csrf: str, **changes: str) -> dict[str, str]:
    typed = {"enrolled_on": "2026-11-18", "sex": "F", "age": "61", "country": "GBR", "name": "Ada Example"}
    return {"csrf_token": csrf, **typed, **changes}


def test_a_patient_enrolled_on_the_page_is_stored_at_the_users_site(web_store: Store, logged_in: LoggedIn) -> None:
    """coord2 works at site 02: the patient is 02-0001 (the site's first), with the name kept apart."""
    browser, _ = logged_in("coord2")
    page = browser.get(f"/trials/{TRIAL}/enrol")
    assert page.status_code == 200
    assert 'for="f-enrolled_on"' in page.text
    answer = browser.post(f"/trials/{TRIAL}/enrol", data=_enrolment(csrf_of(page.text)))
    assert (answer.status_code, answer.headers["location"]) == (303, f"/trials/{TRIAL}/patients/02-0001")
    assert _patients(web_store) == [("02-0001", "02", "F", 61.0, "GBR")]
    with web_store.read() as session:
        assert session.execute(select(PatientIdentity.name)).scalar_one() == "Ada Example"
    shown = browser.get(f"/trials/{TRIAL}/patients/02-0001").text
    assert "Site 02, enrolled 2026-11-18; no consent recorded yet" in shown
    assert f'href="/trials/{TRIAL}/enrol"' in browser.get(f"/trials/{TRIAL}/patients").text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param({"age": "sixty"}, "age", "sixty is not a number", id="age_not_a_number"),
        pytest.param({"age": "160"}, "age", "age 160.0 is not a plausible age", id="age_implausible"),
        pytest.param({"subject_id": "02-0001"}, "subject_id", "must begin with its site&#39;s code, 01-",
                     id="subject_of_another_site"),
        pytest.param({"enrolled_on": "18/11/2026"}, "enrolled_on", "18/11/2026 is not a date", id="date_unreadable"),
        pytest.param({"country": "United Kingdom"}, "country", "is longer than 8 characters", id="country_too_long"),
    ],
)  # fmt: skip
def test_a_refused_enrolment_field_is_shown_in_place_keeping_what_was_typed(
    web_store: Store, logged_in: LoggedIn, changes: dict[str, str], field: str, message: str
) -> None:
    browser, csrf = logged_in("coord1")
    answer = browser.post(f"/trials/{TRIAL}/enrol", data=_enrolment(csrf, race="ASIAN", **changes))
    assert answer.status_code == 400
    assert f'id="f-{field}-error"' in answer.text
    assert message in answer.text
    assert 'value="ASIAN"' in answer.text  # what was typed stays in the form
    assert f'value="{changes[field]}"' in answer.text
    assert _patients(web_store) == []


@pytest.mark.parametrize("username", ["monitor", "stat", "admin"])
def test_the_roles_that_do_not_enter_data_at_a_site_may_not_enrol(
    web_store: Store, logged_in: LoggedIn, username: str
) -> None:
    """The statistician may import a data set, not enrol at a site (``check_enrolment_for``)."""
    browser, csrf = logged_in(username)
    assert browser.get(f"/trials/{TRIAL}/enrol").status_code == 403
    assert browser.post(f"/trials/{TRIAL}/enrol", data=_enrolment(csrf)).status_code == 403
    api = browser.post(f"/api/trials/{TRIAL}/patients", json={"sex": "F"}, headers={"X-CSRF-Token": csrf})
    assert (api.status_code, api.json()["error"]["code"]) == (403, "ACCESS-E001")
    assert _patients(web_store) == []
    assert f'href="/trials/{TRIAL}/enrol"' not in browser.get(f"/trials/{TRIAL}/patients").text


def test_the_api_enrols_at_the_users_site_and_names_a_refused_field(web_store: Store, logged_in: LoggedIn) -> None:
    browser, csrf = logged_in("inv1")
    headers = {"X-CSRF-Token": csrf}
    body = {"enrolled_on": "2026-11-18", "sex": "M", "age": 57}
    answer = browser.post(f"/api/trials/{TRIAL}/patients", json=body, headers=headers)
    assert answer.status_code == 201
    assert {key: answer.json()[key] for key in ("subject_id", "site", "enrolled_on", "consented")} == {
        "subject_id": "01-0001",
        "site": "01",
        "enrolled_on": "2026-11-18",
        "consented": False,
    }
    refused = browser.post(f"/api/trials/{TRIAL}/patients", json={**body, "sex": "X"}, headers=headers)
    assert refused.status_code == 400
    assert refused.json()["error"] | {"message": ""} == {
        "code": "STORE-E063",
        "message": "",
        "field": "sex",
        "subject_id": None,
    }
    assert _patients(web_store) == [("01-0001", "01", "M", 57.0, None)]


def test_a_consent_recorded_on_the_page_is_on_the_timeline(web_store: Store, logged_in: LoggedIn) -> None:
    subject = _enrolled_without_consent(web_store)
    browser, _ = logged_in("coord1")
    patient_page = browser.get(f"/trials/{TRIAL}/patients/{subject}").text
    assert f'href="/trials/{TRIAL}/patients/{subject}/consent/new"' in patient_page
    form = browser.get(f"/trials/{TRIAL}/patients/{subject}/consent/new")
    assert form.status_code == 200
    data = {"csrf_token": csrf_of(form.text), "form_version": "2.0", "consent_date": "2026-11-19"}
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject}/consents", data=data)
    assert (answer.status_code, answer.headers["location"]) == (303, f"/trials/{TRIAL}/patients/{subject}#timeline")
    assert _consents(web_store) == [("2.0", dt.date(2026, 11, 19))]
    assert "consent form 2.0 signed" in browser.get(f"/trials/{TRIAL}/patients/{subject}").text


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        pytest.param({"form_version": "2.0", "consent_date": "2099-01-01"}, "consent_date",
                     "consent date 2099-01-01 is in the future", id="future"),
        pytest.param({"form_version": "", "consent_date": "2026-11-19"}, "form_version",
                     "give the version of the consent form signed", id="no_version"),
        pytest.param({"form_version": "2.0", "consent_date": "yesterday"}, "consent_date",
                     "yesterday is not a date", id="unreadable_date"),
    ],
)  # fmt: skip
def test_a_refused_consent_field_is_shown_in_place_keeping_what_was_typed(
    web_store: Store, logged_in: LoggedIn, typed: dict[str, str], field: str, message: str
) -> None:
    subject = _enrolled_without_consent(web_store)
    browser, csrf = logged_in("coord1")
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject}/consents", data={"csrf_token": csrf, **typed})
    assert answer.status_code == 400
    assert f'id="f-{field}-error"' in answer.text
    assert message in answer.text
    assert f'value="{typed["consent_date"]}"' in answer.text
    assert _consents(web_store) == []


def test_the_consent_api_records_and_names_a_missing_date_and_another_site_records_nothing(
    web_store: Store, logged_in: LoggedIn
) -> None:
    subject = _enrolled_without_consent(web_store)
    own, csrf = logged_in("inv1")
    url = f"/api/trials/{TRIAL}/patients/{subject}/consents"
    missing = own.post(url, json={"form_version": "2.0"}, headers={"X-CSRF-Token": csrf})
    assert (missing.status_code, missing.json()["error"]["code"], missing.json()["error"]["field"]) == (
        400,
        "STORE-E090",
        "consent_date",
    )
    answer = own.post(url, json={"form_version": "2.0", "consent_date": "2026-11-19"}, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 201
    assert answer.json() | {"id": 0} == {
        "id": 0,
        "subject_id": subject,
        "form_version": "2.0",
        "consent_date": "2026-11-19",
    }
    other, other_csrf = logged_in("coord2")
    body = {"form_version": "3.0", "consent_date": "2026-11-20"}
    assert other.post(url, json=body, headers={"X-CSRF-Token": other_csrf}).status_code in (403, 404)
    assert other.get(f"/trials/{TRIAL}/patients/{subject}/consent/new").status_code in (403, 404)
    assert _consents(web_store) == [("2.0", dt.date(2026, 11, 19))]


def test_the_enrolment_consent_and_follow_up_forms_label_every_input(web_store: Store, logged_in: LoggedIn) -> None:
    subject = _enrolled_without_consent(web_store)
    browser, _ = logged_in("coord1")
    for path in (
        f"/trials/{TRIAL}/enrol",
        f"/trials/{TRIAL}/patients/{subject}/consent/new",
        f"/trials/{TRIAL}/patients/{subject}/follow-up/new",
    ):
        assert unlabelled(browser.get(path).text) == [], path
