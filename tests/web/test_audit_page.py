"""The audit history pages and their API twins (``oncotrial.web.routes.audit``): who, when, what changed field by
field and why; one record's history from its timeline entry; the concealed list and identifying values only for
the roles the store allows; site roles refused; the audit trail check, which finds a record changed behind the
application's back."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from oncotrial.store import Store, services
from tests.store.conftest import CONSENTED_ON, SCREENED_AT, eligible_record
from tests.web.conftest import TRIAL

LoggedIn = Callable[[str], tuple[TestClient, str]]
ROWS = re.compile(r'<tr id="entry-\d+">')


@pytest.fixture
def corrected(web_store: Store) -> tuple[str, str, str]:
    """Patient 01-0001, named Ada Example, consented, screened eligible and randomised by inv1, the arm then
    corrected with a reason; returns the subject id, the arm drawn and the arm it was corrected to."""
    with web_store.write() as session:
        inv1 = services.actor_for(session, "inv1")
        subject = services.enrol_patient(session, inv1, TRIAL, enrolled_on=CONSENTED_ON, name="Ada Example").subject_id
        services.record_consent(session, inv1, TRIAL, subject, form_version="2.0", consent_date=CONSENTED_ON)
        services.record_screening(session, inv1, TRIAL, subject, eligible_record(), screened_at=SCREENED_AT)
    with web_store.write() as session:
        inv1 = services.actor_for(session, "inv1")
        drawn = services.randomise(session, inv1, TRIAL, subject, randomised_on=SCREENED_AT.date()).arm
    other = "A" if drawn == "B" else "B"
    with web_store.write() as session:
        services.correct_randomisation(
            session, services.actor_for(session, "inv1"), TRIAL, subject, arm=other, reason="arm entered in error"
        )
    return subject, drawn, other


def test_the_monitor_reads_who_when_what_changed_and_why(logged_in: LoggedIn, corrected: tuple[str, str, str]) -> None:
    subject, drawn, other = corrected
    browser, _ = logged_in("monitor")
    page = browser.get(f"/trials/{TRIAL}/patients/{subject}/audit")
    assert page.status_code == 200
    assert "When (UTC)" in page.text
    assert '<span class="field-name">form_version</span>:\n            <span class="value">2.0</span>' in page.text
    assert (
        f'<span class="field-name">arm</span>:\n            <span class="value">{drawn}</span> → '
        f'<span class="value">{other}</span>'
    ) in page.text
    assert "<td>arm entered in error</td>" in page.text
    assert "<td>inv1</td>" in page.text
    assert "Ada Example" in page.text  # the monitor reads identifying data
    assert "allocation slot" not in page.text  # the concealed list is not the monitor's


def test_a_timeline_entry_links_to_its_records_history(logged_in: LoggedIn, corrected: tuple[str, str, str]) -> None:
    """The consent is consent record 1: its history is its one insert."""
    subject, _, _ = corrected
    browser, _ = logged_in("monitor")
    patient_page = browser.get(f"/trials/{TRIAL}/patients/{subject}").text
    link = f"/trials/{TRIAL}/patients/{subject}/audit?table=consent&amp;record_id=1"
    assert f'href="{link}" aria-label="Audit history of the consent of 2026-11-18">history</a>' in patient_page
    page = browser.get(link.replace("&amp;", "&"))
    assert page.status_code == 200
    assert "Audit history of patient 01-0001: consent record 1" in page.text
    assert len(ROWS.findall(page.text)) == 1
    randomisation = browser.get(f"/api/trials/{TRIAL}/patients/{subject}/audit", params={"table": "randomisation"})
    assert [(e["action"], e["reason"]) for e in randomisation.json()] == [
        ("insert", f"randomisation of patient {subject}"),
        ("update", "arm entered in error"),
    ]
    assert [c["field"] for c in randomisation.json()[1]["changes"]] == ["arm"]


def test_the_statistician_reads_the_concealed_list_but_not_identifying_values(
    logged_in: LoggedIn, corrected: tuple[str, str, str]
) -> None:
    subject, _, _ = corrected
    browser, _ = logged_in("stat")
    page = browser.get(f"/trials/{TRIAL}/patients/{subject}/audit").text
    assert "Ada Example" not in page
    assert "identifying data, hidden" in page
    assert "allocation slot" in page
    entries = browser.get(f"/api/trials/{TRIAL}/patients/{subject}/audit").json()
    identity = [e for e in entries if e["table_name"] == "patient_identity"]
    # the name at enrolment, then the date of birth from the screening record: both entries there, values hidden
    assert [(e["action"], e["values_hidden"], e["new_values"], e["changes"]) for e in identity] == [
        ("insert", True, None, []),
        ("update", True, None, []),
    ]


@pytest.mark.parametrize("username", ["coord1", "inv1", "coord2"])
def test_site_roles_may_not_read_the_audit_trail(
    logged_in: LoggedIn, corrected: tuple[str, str, str], username: str
) -> None:
    subject, _, _ = corrected
    browser, _ = logged_in(username)
    for url in (f"/trials/{TRIAL}/patients/{subject}/audit", "/audit/verify"):
        assert browser.get(url).status_code == 403
        assert browser.get("/api" + url).json()["error"]["code"] == "ACCESS-E001"
    assert "/audit" not in browser.get(f"/trials/{TRIAL}/patients/{subject}").text


def test_a_record_that_is_not_the_patients_is_404(logged_in: LoggedIn, corrected: tuple[str, str, str]) -> None:
    subject, _, _ = corrected
    browser, _ = logged_in("monitor")
    answer = browser.get(f"/api/trials/{TRIAL}/patients/{subject}/audit", params={"table": "consent", "record_id": 9})
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "STORE-E092")
    concealed = browser.get(f"/trials/{TRIAL}/patients/{subject}/audit", params={"table": "allocation_slot"})
    assert concealed.status_code == 404


def test_the_audit_trail_check_passes_then_finds_a_record_changed_behind_the_applications_back(
    web_store: Store, logged_in: LoggedIn, corrected: tuple[str, str, str]
) -> None:
    browser, _ = logged_in("admin")
    page = browser.get("/audit/verify")
    assert page.status_code == 200
    assert "The audit trail verifies." in page.text
    assert browser.get("/api/audit/verify").json()["ok"] is True
    with web_store.engine.begin() as connection:  # raw SQL: no audit entry
        connection.execute(text("UPDATE consent SET form_version = '9.9'"))
    tampered = browser.get("/audit/verify").text
    assert "The audit trail does NOT verify." in tampered
    assert "(consent record 1): the record differs from its last audited values" in tampered
    answer = browser.get("/api/audit/verify").json()
    assert (answer["ok"], answer["problem"]["table_name"], answer["problem"]["record_id"]) == (False, "consent", 1)
    monitor, _ = logged_in("monitor")
    assert 'href="/audit/verify"' in monitor.get(f"/trials/{TRIAL}").text
