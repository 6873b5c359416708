"""The adverse-event form and its API twin (``oncotrial.web.routes.safety``): an event entered through the page is
stored and shown on the patient's timeline; a refused field is shown in place with what was typed; the API
records one with a token or a session; another site's coordinator records nothing."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from oncotrial.store import Store
from oncotrial.store.models import AdverseEvent
from tests.web.conftest import TRIAL, csrf_of
from tests.web.test_patients import enrolled

LoggedIn = Callable[[str], tuple[TestClient, str]]


def _events(store: Store) -> list[tuple[str, int | None, str]]:
    with store.read() as session:
        rows = session.execute(select(AdverseEvent.term, AdverseEvent.grade, AdverseEvent.onset))
        return [(term, grade, onset.isoformat()) for term, grade, onset in rows]


def _form(csrf: str, **changes: str) -> dict[str, str]:
    return {"csrf_token": csrf, "term": "Hypotension", "grade": "3", "onset": "2026-11-24", "serious": "N", **changes}


def test_an_adverse_event_entered_on_the_page_is_recorded_and_on_the_timeline(
    web_store: Store, logged_in: LoggedIn
) -> None:
    subject = enrolled(web_store, "inv1")
    browser, _ = logged_in("coord1")
    page = browser.get(f"/trials/{TRIAL}/patients/{subject}/adverse-events/new")
    assert page.status_code == 200
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject}/adverse-events", data=_form(csrf_of(page.text)))
    assert (answer.status_code, answer.headers["location"]) == (303, f"/trials/{TRIAL}/patients/{subject}#timeline")
    assert _events(web_store) == [("Hypotension", 3, "2026-11-24")]
    assert "Hypotension" in browser.get(f"/trials/{TRIAL}/patients/{subject}").text


def test_a_grade_the_store_refuses_is_shown_at_its_field_keeping_what_was_typed(
    web_store: Store, logged_in: LoggedIn
) -> None:
    """A resolution before onset: the store's error at the resolved field; the term typed stays in the form."""
    subject = enrolled(web_store, "inv1")
    browser, csrf = logged_in("coord1")
    data = _form(csrf, term="Rash <b>maculo-papular</b>", resolved="2026-11-20")
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject}/adverse-events", data=data)
    assert answer.status_code == 400
    assert 'id="f-resolved-error"' in answer.text
    assert "before onset" in answer.text
    assert 'value="Rash &lt;b&gt;maculo-papular&lt;/b&gt;"' in answer.text  # kept, and escaped
    assert _events(web_store) == []


def test_the_api_records_an_adverse_event_and_another_site_records_nothing(
    web_store: Store, logged_in: LoggedIn
) -> None:
    subject = enrolled(web_store, "inv1")
    own, own_csrf = logged_in("coord1")
    body = {"term": "Fever", "grade": 2, "onset": "2026-11-25", "serious": False}
    answer = own.post(
        f"/api/trials/{TRIAL}/patients/{subject}/adverse-events", json=body, headers={"X-CSRF-Token": own_csrf}
    )
    assert answer.status_code == 201
    assert (answer.json()["subject_id"], answer.json()["grade"]) == (subject, 2)
    other, other_csrf = logged_in("coord2")
    refused = other.post(
        f"/api/trials/{TRIAL}/patients/{subject}/adverse-events", json=body, headers={"X-CSRF-Token": other_csrf}
    )
    assert refused.status_code in (403, 404)
    with web_store.read() as session:
        assert session.execute(select(func.count()).select_from(AdverseEvent)).scalar_one() == 1
