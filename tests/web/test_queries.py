"""Data queries through the pages and the API: the monitor raises one on a patient, the site answers it on the
queries page, the monitor closes it; the dashboard counts what waits; errors are shown at their field with what
was typed; the other site sees nothing of it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from oncotrial.store import Store
from tests.store.conftest import enrol_eligible
from tests.web.conftest import TRIAL

LoggedIn = Callable[[str], tuple[TestClient, str]]


def _raise(client: TestClient, csrf: str, subject_id: str, **fields: str) -> Any:
    data = {"csrf_token": csrf, "text": "Is the grade 3 right?", **fields}
    return client.post(f"/trials/{TRIAL}/patients/{subject_id}/queries", data=data)


def test_raised_answered_and_closed_through_the_pages(logged_in: LoggedIn, web_store: Store) -> None:
    subject_id = enrol_eligible(web_store, "inv1")
    monitor, monitor_csrf = logged_in("monitor")
    form = monitor.get(f"/trials/{TRIAL}/patients/{subject_id}/queries/new")
    assert form.status_code == 200
    assert '<label for="f-text">Question to the site</label>' in form.text
    raised = _raise(monitor, monitor_csrf, subject_id)
    assert raised.status_code == 303
    assert raised.headers["location"] == f"/trials/{TRIAL}/queries?subject_id={subject_id}"

    site, site_csrf = logged_in("coord1")
    board = site.get(f"/trials/{TRIAL}").text
    assert re.search(r">1 open</a>", board)
    listing = site.get(f"/trials/{TRIAL}/queries?status=open").text
    query_id = int(re.search(r'id="query-(\d+)"', listing).group(1))  # type: ignore[union-attr]
    assert "Is the grade 3 right?" in listing
    assert f'action="/trials/{TRIAL}/queries/{query_id}/answer"' in listing
    assert "/close" not in listing  # a site does not close queries
    answered = site.post(
        f"/trials/{TRIAL}/queries/{query_id}/answer", data={"csrf_token": site_csrf, "text": "Grade 2", "version": "1"}
    )
    assert answered.status_code == 303

    closed = monitor.post(
        f"/trials/{TRIAL}/queries/{query_id}/close", data={"csrf_token": monitor_csrf, "version": "2"}
    )
    assert closed.status_code == 303
    final = monitor.get(f"/api/trials/{TRIAL}/queries").json()
    assert [(q["id"], q["status"], q["answer"], q["answered_by"], q["closed_by"]) for q in final] == [
        (query_id, "closed", "Grade 2", "coord1", "monitor")
    ]


def test_an_empty_answer_is_shown_at_its_field(logged_in: LoggedIn, web_store: Store) -> None:
    subject_id = enrol_eligible(web_store, "inv1")
    monitor, monitor_csrf = logged_in("monitor")
    _raise(monitor, monitor_csrf, subject_id)
    site, site_csrf = logged_in("inv1")
    query_id = site.get(f"/api/trials/{TRIAL}/queries").json()[0]["id"]
    answer = site.post(f"/trials/{TRIAL}/queries/{query_id}/answer", data={"csrf_token": site_csrf, "text": "  "})
    assert answer.status_code == 400
    assert f'id="f-text-{query_id}-error" role="alert">the answer is empty' in answer.text


def test_a_wrong_record_is_shown_at_its_field_keeping_what_was_typed(logged_in: LoggedIn, web_store: Store) -> None:
    subject_id = enrol_eligible(web_store, "inv1")
    monitor, csrf = logged_in("monitor")
    answer = _raise(monitor, csrf, subject_id, record_table="adverse_event", record_id="999", field="grade")
    assert answer.status_code == 400
    page = answer.text
    assert re.search(r'id="f-record_id-error" role="alert">patient \S+ has no adverse_event record 999', page)
    assert 'value="adverse_event"' in page
    assert ">Is the grade 3 right?</textarea>" in page
    not_a_number = _raise(monitor, csrf, subject_id, record_table="adverse_event", record_id="12a")
    assert 'id="f-record_id-error" role="alert">the record id is a whole number' in not_a_number.text


def test_the_api_raises_and_refuses_a_site_role(logged_in: LoggedIn, web_store: Store) -> None:
    subject_id = enrol_eligible(web_store, "inv1")
    stat, stat_csrf = logged_in("stat")
    made = stat.post(
        f"/api/trials/{TRIAL}/patients/{subject_id}/queries",
        json={"text": "Date?"},
        headers={"X-CSRF-Token": stat_csrf},
    )
    assert made.status_code == 201
    assert made.json()["status"] == "open"
    site, site_csrf = logged_in("inv1")
    refused = site.post(
        f"/api/trials/{TRIAL}/patients/{subject_id}/queries", json={"text": "x"}, headers={"X-CSRF-Token": site_csrf}
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "ACCESS-E001"
    other, _ = logged_in("coord2")
    assert other.get(f"/api/trials/{TRIAL}/queries").json() == []
    assert "Date?" not in other.get(f"/trials/{TRIAL}/queries").text


def test_query_text_is_stored_as_typed_and_shown_escaped(logged_in: LoggedIn, web_store: Store) -> None:
    subject_id = enrol_eligible(web_store, "inv1")
    monitor, csrf = logged_in("monitor")
    typed = "<script>alert(1)</script>'; DROP TABLE data_query; --"
    _raise(monitor, csrf, subject_id, text=typed)
    assert monitor.get(f"/api/trials/{TRIAL}/queries").json()[0]["text"] == typed
    page = monitor.get(f"/trials/{TRIAL}/queries").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_answer_to_a_query_changed_since_keeps_what_was_typed(logged_in: LoggedIn, web_store: Store) -> None:
    """The query was raised at version 1 and closed (version 2) before the site's answer, sent from version 1,
    arrived: the answer typed is shown again on the list with the store's conflict message, status 409."""
    subject_id = enrol_eligible(web_store, "inv1")
    monitor, monitor_csrf = logged_in("monitor")
    _raise(monitor, monitor_csrf, subject_id)
    query_id = monitor.get(f"/api/trials/{TRIAL}/queries").json()[0]["id"]
    closed = monitor.post(
        f"/trials/{TRIAL}/queries/{query_id}/close", data={"csrf_token": monitor_csrf, "version": "1"}
    )
    assert closed.status_code == 303
    site, site_csrf = logged_in("inv1")
    data = {"csrf_token": site_csrf, "text": "Grade 2 per the chart", "version": "1"}
    answer = site.post(f"/trials/{TRIAL}/queries/{query_id}/answer", data=data)
    assert answer.status_code == 409
    assert f'id="f-text-{query_id}-error" role="alert">query {query_id} was changed by someone else' in answer.text
    assert "Grade 2 per the chart" in answer.text
