"""The patient pages and their API twins (``oncotrial.web.routes.patients``): the list with search, the patient
page, the screening form (errors at their fields, what was typed kept) and randomisation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from oncotrial.store import Store, services
from tests.store.conftest import CONSENTED_ON, eligible_record
from tests.web.conftest import TRIAL, csrf_of

LoggedIn = Callable[[str], tuple[TestClient, str]]


def enrolled(store: Store, username: str = "inv1") -> str:
    """A patient enrolled and consented (2026-11-18) at ``username``'s site, not screened."""
    with store.write() as session:
        actor = services.actor_for(session, username)
        patient = services.enrol_patient(session, actor, TRIAL, enrolled_on=CONSENTED_ON)
        services.record_consent(
            session, actor, TRIAL, patient.subject_id, form_version="2.0", consent_date=CONSENTED_ON
        )
        return patient.subject_id


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return {prefix: str(value).lower() if isinstance(value, bool) else str(value)}
    flat: dict[str, str] = {}
    for key, item in items:
        flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def screening_form_data(csrf: str, **changes: str) -> dict[str, str]:
    """The form as a coordinator fills it in for the store tests' eligible record, screened 2026-11-21 09:00.
    Input names are the record's paths joined by dots (the template's)."""
    return {"csrf_token": csrf, "screened_at": "2026-11-21T09:00", **_flatten(eligible_record()), **changes}


def test_the_patient_list_shows_a_site_role_its_own_site_and_searches(web_store: Store, logged_in: LoggedIn) -> None:
    mine, other = enrolled(web_store, "inv1"), enrolled(web_store, "inv2")
    browser, _ = logged_in("coord1")
    page = browser.get(f"/trials/{TRIAL}/patients").text
    assert mine in page
    assert other not in page
    assert browser.get(f"/api/trials/{TRIAL}/patients").json()[0]["subject_id"] == mine
    assert "No patient matches" in browser.get(f"/trials/{TRIAL}/patients", params={"search": "9999"}).text
    rows = browser.get(f"/trials/{TRIAL}/patients", params={"search": "0001"}, headers={"HX-Request": "true"})
    assert rows.text.lstrip().startswith("<tr>")  # htmx gets the rows only


def test_screening_through_the_form_shows_eligible_criterion_by_criterion(
    web_store: Store, logged_in: LoggedIn
) -> None:
    subject_id = enrolled(web_store)
    browser, csrf = logged_in("coord1")
    form = browser.get(f"/trials/{TRIAL}/patients/{subject_id}/screening")
    assert form.status_code == 200
    assert 'value="2026-11-18"' in form.text  # the consent date recorded, shown first
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject_id}/screening", data=screening_form_data(csrf))
    assert answer.status_code == 303, answer.text
    page = browser.get(answer.headers["location"]).text
    assert '<p class="status status-eligible" id="screening-status">eligible</p>' in page
    assert "melanoma-histology" in page  # a criterion of NCT01416831, with its reason
    api = browser.get(f"/api/trials/{TRIAL}/patients/{subject_id}").json()
    assert api["screening"]["status"] == "eligible"


def test_a_bad_value_is_shown_at_its_field_and_what_was_typed_is_kept(web_store: Store, logged_in: LoggedIn) -> None:
    subject_id = enrolled(web_store)
    browser, csrf = logged_in("coord1")
    data = screening_form_data(csrf, **{"ecog.value": "seven", "labs.3.value": "4.25"})
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject_id}/screening", data=data)
    assert answer.status_code == 400
    assert 'id="f-ecog-value-error"' in answer.text
    assert 'value="seven"' in answer.text
    assert 'value="4.25"' in answer.text
    assert "not screened" in browser.get(f"/trials/{TRIAL}/patients").text  # nothing written


def test_a_bad_screening_time_is_shown_at_its_field(web_store: Store, logged_in: LoggedIn) -> None:
    subject_id = enrolled(web_store)
    browser, csrf = logged_in("coord1")
    answer = browser.post(
        f"/trials/{TRIAL}/patients/{subject_id}/screening", data=screening_form_data(csrf, screened_at="21/11/2026")
    )
    assert answer.status_code == 400
    assert "21/11/2026 is not a date and time" in answer.text
    assert 'id="f-screened_at-error"' in answer.text


def test_only_an_investigator_randomises_and_sees_the_arm(web_store: Store, logged_in: LoggedIn) -> None:
    subject_id = enrolled(web_store)
    coordinator, csrf = logged_in("coord1")
    coordinator.post(f"/trials/{TRIAL}/patients/{subject_id}/screening", data=screening_form_data(csrf))
    assert "Randomise" not in coordinator.get(f"/trials/{TRIAL}/patients/{subject_id}").text
    refused = coordinator.post(
        f"/trials/{TRIAL}/patients/{subject_id}/randomise", data={"csrf_token": csrf, "randomised_on": "2026-11-21"}
    )
    assert refused.status_code == 403
    investigator, _ = logged_in("inv1")
    page = investigator.get(f"/trials/{TRIAL}/patients/{subject_id}").text
    answer = investigator.post(
        f"/trials/{TRIAL}/patients/{subject_id}/randomise",
        data={"csrf_token": csrf_of(page), "randomised_on": "2026-11-21"},
    )
    assert answer.status_code == 303
    shown = investigator.get(f"/trials/{TRIAL}/patients/{subject_id}").text
    assert 'id="arm-assigned">Arm <strong>' in shown


def test_randomising_an_unscreened_patient_is_refused_on_the_page(web_store: Store, logged_in: LoggedIn) -> None:
    subject_id = enrolled(web_store)
    investigator, csrf = logged_in("inv1")
    answer = investigator.post(
        f"/trials/{TRIAL}/patients/{subject_id}/randomise", data={"csrf_token": csrf, "randomised_on": "2026-11-21"}
    )
    assert answer.status_code == 400
    assert 'id="f-randomised_on-error"' in answer.text


def test_the_api_screens_and_randomises_with_a_token(web_store: Store, logged_in: LoggedIn) -> None:
    subject_id = enrolled(web_store)
    with web_store.write() as session:
        _, token = services.create_token(session, services.actor_for(session, "inv1"), "site system")
    api = TestClient(logged_in("inv1")[0].app)
    bearer = {"Authorization": f"Bearer {token}"}
    body = {"record": eligible_record(), "screened_at": "2026-11-21T09:00"}
    screened = api.post(f"/api/trials/{TRIAL}/patients/{subject_id}/screenings", json=body, headers=bearer)
    assert screened.status_code == 201, screened.text
    assert screened.json()["status"] == "eligible"
    again = api.post(
        f"/api/trials/{TRIAL}/patients/{subject_id}/randomisation", json={"randomised_on": "2026-11-21"}, headers=bearer
    )
    assert again.status_code == 201
    assert again.json()["arm"] in {"A", "B"}
    twice = api.post(
        f"/api/trials/{TRIAL}/patients/{subject_id}/randomisation", json={"randomised_on": "2026-11-21"}, headers=bearer
    )
    assert twice.status_code == 400
    assert twice.json()["error"]["code"] == "STORE-E077"
    assert twice.json()["error"]["subject_id"] == subject_id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"randomised_on": "not a day"}, "randomised_on", id="bad_date"),
        pytest.param({}, "randomised_on", id="missing"),
    ],
)
def test_the_api_names_the_field_of_a_bad_body(
    web_store: Store, logged_in: LoggedIn, body: dict[str, str], field: str
) -> None:
    subject_id = enrolled(web_store)
    browser, csrf = logged_in("inv1")
    answer = browser.post(
        f"/api/trials/{TRIAL}/patients/{subject_id}/randomisation", json=body, headers={"X-CSRF-Token": csrf}
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == field


def test_the_dashboard_page_and_api_agree(web_store: Store, logged_in: LoggedIn) -> None:
    enrolled(web_store)
    browser, _ = logged_in("monitor")
    page = browser.get(f"/trials/{TRIAL}").text
    assert "1 enrolled of a target of 44" in page  # NCT01416831's design.enrolled
    board = browser.get(f"/api/trials/{TRIAL}").json()
    assert (board["enrolled"], board["target"], board["by_site_and_arm"]) == (1, 44, {"01": {"not randomised": 1}})


def test_today_is_offered_as_the_day_of_randomisation(web_store: Store, logged_in: LoggedIn) -> None:
    subject_id = enrolled(web_store)
    browser, _ = logged_in("inv1")
    assert f'value="{dt.date.today().isoformat()}"' in browser.get(f"/trials/{TRIAL}/patients/{subject_id}").text


def test_lesions_marked_none_with_a_lesion_typed_below_is_refused_at_the_list(
    web_store: Store, logged_in: LoggedIn
) -> None:
    subject_id = enrolled(web_store)
    browser, csrf = logged_in("coord1")
    assert '<option value="none"' in browser.get(f"/trials/{TRIAL}/patients/{subject_id}/screening").text
    answer = browser.post(
        f"/trials/{TRIAL}/patients/{subject_id}/screening", data=screening_form_data(csrf, lesions="none")
    )
    assert answer.status_code == 400
    assert "lesions is marked none, yet lesions.0.site is filled in" in answer.text


def test_lesions_marked_none_are_an_empty_list_not_unknown(web_store: Store, logged_in: LoggedIn) -> None:
    """With no lesion, NCT01416831's measurable-disease criterion (sbrt-lesions) is not met: ineligible, not
    incomplete (the eligibility tests give the same for lesions: [])."""
    subject_id = enrolled(web_store)
    browser, csrf = logged_in("coord1")
    data = {k: v for k, v in screening_form_data(csrf, lesions="none").items() if not k.startswith("lesions.")}
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject_id}/screening", data=data)
    assert answer.status_code == 303, answer.text
    assert browser.get(f"/api/trials/{TRIAL}/patients/{subject_id}").json()["screening"]["status"] == "ineligible"
