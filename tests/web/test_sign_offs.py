"""Sign-offs on the patient's page and through the API: the investigator signs off the eligibility of the latest
screening; the page then names who and when; a coordinator sees no button and the store refuses them."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from oncotrial.store import Store
from tests.store.conftest import enrol_eligible
from tests.web.conftest import TRIAL

LoggedIn = Callable[[str], tuple[TestClient, str]]


def test_the_investigator_signs_off_eligibility_on_the_patients_page(logged_in: LoggedIn, web_store: Store) -> None:
    subject_id = enrol_eligible(web_store, "inv1")
    investigator, csrf = logged_in("inv1")
    page = investigator.get(f"/trials/{TRIAL}/patients/{subject_id}").text
    assert "eligibility: screening of 2026-11-21 (eligible)" in page
    found = re.search(r'name="record_id" value="(\d+)">\s*<input type="hidden" name="version" value="(\d+)"', page)
    assert found is not None, "the page offers the investigator a sign-off"
    record_id, version = found.groups()
    data = {"csrf_token": csrf, "record_table": "screening", "record_id": record_id, "version": version}
    answer = investigator.post(f"/trials/{TRIAL}/patients/{subject_id}/sign-offs", data=data)
    assert (answer.status_code, answer.headers["location"]) == (303, f"/trials/{TRIAL}/patients/{subject_id}#sign-offs")
    signed = investigator.get(f"/trials/{TRIAL}/patients/{subject_id}").text
    assert re.search(r"by inv1, \d{4}-\d\d-\d\d \d\d:\d\d UTC", signed)
    assert "Sign off</button>" not in signed
    again = investigator.post(f"/trials/{TRIAL}/patients/{subject_id}/sign-offs", data=data)
    assert again.status_code == 400
    assert "signed off already as it stands" in again.text
    api = investigator.get(f"/api/trials/{TRIAL}/patients/{subject_id}/sign-offs").json()
    assert [(i["record_table"], i["signed_by"], i["current"]) for i in api] == [("screening", "inv1", True)]


def test_a_coordinator_sees_no_sign_off_button_and_is_refused(logged_in: LoggedIn, web_store: Store) -> None:
    subject_id = enrol_eligible(web_store, "inv1")
    coordinator, csrf = logged_in("coord1")
    page = coordinator.get(f"/trials/{TRIAL}/patients/{subject_id}").text
    assert "not signed off" in page
    assert "Sign off</button>" not in page
    refused = coordinator.post(
        f"/api/trials/{TRIAL}/patients/{subject_id}/sign-offs",
        json={"record_table": "screening", "record_id": 1},
        headers={"X-CSRF-Token": csrf},
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "ACCESS-E001"
