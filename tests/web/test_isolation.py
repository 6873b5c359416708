"""Site isolation and access through every route: the routes are read from the app's own OpenAPI document, so a
route added later is covered without a change here.

- a site role (coordinator, investigator) of site 02 asking any route about a patient of site 01 gets 403 or 404,
  and nothing of that patient's record;
- the roles that may not enter data (monitor, statistician, admin) get 403 from every route that changes data;
- an anonymous request gets 401 under ``/api`` and the log-in page otherwise;
- the allocation list (its seed, its slots) is never in any answer to a site role.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from oncotrial.store import Store
from oncotrial.store.services import actor_for, raise_query
from tests.store.conftest import eligible_record, enrol_eligible
from tests.web.conftest import TRIAL

LoggedIn = Callable[[str], tuple[TestClient, str]]
OTHER_SITE_ROLES = ("coord2", "inv2")
NO_ENTRY_ROLES = ("monitor", "stat", "admin")
# what the site-01 patient's answers hold (their record), which must not reach another site
PATIENT_DATA = ("melanoma-histology", "consent form", "randomised to", "screened:", "enrolled (number", "criteria")
# the concealed list: trial_store's seed and the slots' columns
ALLOCATION = ("20261130", "block_size", "allocation_slot", "n_per_stratum")


@pytest.fixture
def site01_patient(web_store: Store) -> str:
    """A patient of site 01, screened eligible and randomised, with a data query (id 1) the monitor raised."""
    subject_id = enrol_eligible(web_store, "inv1", randomise=True)
    with web_store.write() as session:
        raise_query(session, actor_for(session, "monitor"), TRIAL, subject_id, text="Which consent version?")
    return subject_id


def patient_route(template: str) -> bool:
    """A route about one patient: by subject id, or by a record of theirs (a data query)."""
    return "{subject_id}" in template or "{query_id}" in template


# the changes the roles without data entry may make: the monitor and the statistician raise, close and reopen
# data queries (a site answers them); every other change is refused them
QUERY_SETTLING = re.compile(r"/queries(/\{query_id\}/(close|reopen))?$")


def routes(client: TestClient, *, keep_session: bool = True) -> Iterator[tuple[str, str]]:
    """(method, path template) of every route in the app's OpenAPI document (but the log-out, which would end the
    session the loop uses, when ``keep_session``)."""
    document = client.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        for method in operations:
            if not (keep_session and path == "/logout"):
                yield method.upper(), path


def fill(path: str, subject_id: str) -> str:
    return (
        path.replace("{trial}", TRIAL)
        .replace("{subject_id}", subject_id)
        .replace("{token_id}", "1")
        .replace("{query_id}", "1")
    )


def call(client: TestClient, method: str, path: str, csrf: str) -> Any:
    """A request as the page or program would send it (CSRF token included, a plausible body)."""
    if method == "GET":
        return client.get(path)
    if path.startswith("/api/"):
        body = {
            "record": eligible_record(),
            "screened_at": "2026-11-21T09:00",
            "randomised_on": "2026-11-21",
            "name": "x",
        }
        return client.request(method, path, json=body, headers={"X-CSRF-Token": csrf})
    return client.request(method, path, data={"csrf_token": csrf, "randomised_on": "2026-11-21", "name": "x"})


def test_the_document_lists_the_patient_routes(logged_in: LoggedIn) -> None:
    """The matrix below is only as good as the enumeration: it finds the pages and the API routes of a patient."""
    client, _ = logged_in("monitor")
    found = set(routes(client))
    assert ("GET", "/trials/{trial}/patients/{subject_id}") in found
    assert ("POST", "/api/trials/{trial}/patients/{subject_id}/randomisation") in found
    assert len([path for _, path in found if "{subject_id}" in path]) >= 8


@pytest.mark.parametrize("username", OTHER_SITE_ROLES)
def test_another_sites_patient_is_refused_on_every_route_and_nothing_leaks(
    logged_in: LoggedIn, site01_patient: str, username: str
) -> None:
    client, csrf = logged_in(username)
    checked = 0
    for method, template in routes(client):
        answer = call(client, method, fill(template, site01_patient), csrf)
        if patient_route(template):
            assert answer.status_code in (403, 404), (method, template, answer.status_code)
            assert not [marker for marker in PATIENT_DATA if marker in answer.text], (method, template)
            checked += 1
        elif method == "GET":
            assert site01_patient not in answer.text, (method, template)
            assert "Which consent version?" not in answer.text, (method, template)
    assert checked >= 8


@pytest.mark.parametrize("username", NO_ENTRY_ROLES)
def test_roles_without_data_entry_are_refused_every_change(
    logged_in: LoggedIn, site01_patient: str, username: str
) -> None:
    client, csrf = logged_in(username)
    for method, template in routes(client):
        if method == "GET" or not patient_route(template):
            continue
        if username in ("monitor", "stat") and QUERY_SETTLING.search(template):
            continue  # theirs to do (tests/web/test_queries.py)
        answer = call(client, method, fill(template, site01_patient), csrf)
        assert answer.status_code == 403, (method, template, answer.status_code)


def test_anonymous_requests_are_refused_on_every_route(
    logged_in: LoggedIn, client: TestClient, site01_patient: str
) -> None:
    document_reader, _ = logged_in("monitor")
    for method, template in routes(document_reader, keep_session=False):
        path = fill(template, site01_patient)
        if template == "/login":
            continue
        answer = call(client, method, path, "")
        if path.startswith("/api/"):
            assert answer.status_code == 401, (method, path)
            assert answer.json()["error"]["code"] == "WEB-E002"
        else:
            assert answer.status_code == 303, (method, path)
            assert answer.headers["location"].startswith("/login")
    assert client.get("/api/no-such-route").status_code == 401  # not even whether a route exists
    assert client.get("/api/no-such-route", headers={"Authorization": "Bearer made-up"}).status_code == 401


@pytest.mark.parametrize("username", ["coord1", "inv1", "coord2", "inv2"])
def test_the_allocation_list_is_never_shown_to_a_site_role(
    logged_in: LoggedIn, site01_patient: str, username: str
) -> None:
    client, _ = logged_in(username)
    for method, template in routes(client):
        if method != "GET":
            continue
        text = client.get(fill(template, site01_patient)).text
        assert not [marker for marker in ALLOCATION if marker in text], template


def test_openapi_and_docs_answer_logged_in_users_only(client: TestClient, logged_in: LoggedIn) -> None:
    assert client.get("/openapi.json").status_code == 401
    assert client.get("/docs").status_code == 303
    reader, _ = logged_in("coord1")
    assert reader.get("/openapi.json").json()["info"]["title"] == "oncotrial"
    docs = reader.get("/docs").text
    assert "/static/swagger-ui-bundle.js" in docs
    assert not re.search(r"https?://(?!testserver)", docs.replace("http://www.w3.org", "")), (
        "docs load nothing from outside"
    )
