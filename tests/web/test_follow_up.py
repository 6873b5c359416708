"""Follow-up from the patient's page and its API twin (``oncotrial.web.routes.followup``): off treatment, off study,
death and last known alive are stored and on the timeline; the store's refusals (no reason, a date after the
death) are shown at their field with what was typed; another site records nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from oncotrial.store import Store
from oncotrial.store.models import Disposition
from tests.web.conftest import TRIAL, csrf_of
from tests.web.test_patients import enrolled

LoggedIn = Callable[[str], tuple[TestClient, str]]


def _events(store: Store) -> list[tuple[str, dt.date | None, str | None]]:
    with store.read() as session:
        rows = session.execute(select(Disposition.event, Disposition.event_date, Disposition.reason))
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_off_study_recorded_on_the_page_is_on_the_timeline(web_store: Store, logged_in: LoggedIn) -> None:
    subject = enrolled(web_store)
    browser, _ = logged_in("coord1")
    assert (
        f'href="/trials/{TRIAL}/patients/{subject}/follow-up/new"'
        in browser.get(f"/trials/{TRIAL}/patients/{subject}").text
    )
    form = browser.get(f"/trials/{TRIAL}/patients/{subject}/follow-up/new")
    assert form.status_code == 200
    data = {
        "csrf_token": csrf_of(form.text),
        "event": "off_study",
        "event_date": "2026-11-27",
        "reason": "progressive disease",
    }
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject}/follow-up", data=data)
    assert (answer.status_code, answer.headers["location"]) == (303, f"/trials/{TRIAL}/patients/{subject}#timeline")
    assert _events(web_store) == [("off_study", dt.date(2026, 11, 27), "progressive disease")]
    assert "off study</span>: progressive disease" in browser.get(f"/trials/{TRIAL}/patients/{subject}").text


def test_off_treatment_without_its_reason_is_refused_at_the_reason_keeping_what_was_typed(
    web_store: Store, logged_in: LoggedIn
) -> None:
    subject = enrolled(web_store)
    browser, csrf = logged_in("coord1")
    data = {"csrf_token": csrf, "event": "off_treatment", "event_date": "2026-11-27", "reason": ""}
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject}/follow-up", data=data)
    assert answer.status_code == 400
    assert 'id="f-reason-error"' in answer.text
    assert "off treatment needs its reason" in answer.text
    assert '<option value="off_treatment" selected>' in answer.text
    assert 'value="2026-11-27"' in answer.text
    assert _events(web_store) == []


def test_the_api_records_a_death_and_refuses_a_date_after_it(web_store: Store, logged_in: LoggedIn) -> None:
    """Nothing is dated after a death (the store's STORE-E163), named at event_date."""
    subject = enrolled(web_store)
    browser, csrf = logged_in("inv1")
    url = f"/api/trials/{TRIAL}/patients/{subject}/follow-up"
    death = {"event": "death", "event_date": "2026-11-28", "reason": "disease progression"}
    answer = browser.post(url, json=death, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 201
    assert answer.json() | {"id": 0} == {"id": 0, "subject_id": subject, **death}
    later = {"event": "last_known_alive", "event_date": "2026-11-29"}
    refused = browser.post(url, json=later, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 400
    assert (refused.json()["error"]["code"], refused.json()["error"]["field"]) == ("STORE-E163", "event_date")
    assert "after the patient's death on 2026-11-28" in refused.json()["error"]["message"]
    assert _events(web_store) == [("death", dt.date(2026, 11, 28), "disease progression")]


def test_another_site_records_no_follow_up(web_store: Store, logged_in: LoggedIn) -> None:
    subject = enrolled(web_store, "inv1")
    other, csrf = logged_in("coord2")
    body = {"event": "off_study", "event_date": "2026-11-27", "reason": "withdrew"}
    url = f"/trials/{TRIAL}/patients/{subject}/follow-up"
    assert other.get(url + "/new").status_code in (403, 404)
    assert other.post(url, data={"csrf_token": csrf, **body}).status_code in (403, 404)
    assert other.post("/api" + url, json=body, headers={"X-CSRF-Token": csrf}).status_code in (403, 404)
    assert _events(web_store) == []
