"""The dosing calendar page and its API twins (``oncotrial.web.routes.dosing``), on SQLite and PostgreSQL: the
treatment start, a dose given (as planned) and held, a delayed cycle, each shown on the calendar and on the
patient's timeline; the protocol's limits refused by the store and shown at their field with what was typed.

Hand-worked NCT01416831 values (tests/store/test_dosing.py): cycle 1 day 1 must be a Monday (2026-11-24 is a
Tuesday, the next Monday is 2026-11-30); a 70 kg patient's planned IL-2 dose is 600,000 IU/kg x 70 kg =
42,000,000 IU; cycle 2 is planned on Monday 2026-12-14 and may be delayed to Monday 2026-12-21 at the latest;
consent was signed on 2026-11-18.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from oncotrial.store import Store, services
from oncotrial.store.models import Administration, CycleStart
from tests.store.conftest import TREATMENT_START, enrol_eligible
from tests.web.conftest import TRIAL

LoggedIn = Callable[[str], tuple[TestClient, str]]


def _started(store: Store) -> str:
    """A patient of site 01, randomised and started on Monday 2026-11-23 08:00 at 70 kg."""
    subject_id = enrol_eligible(store, "inv1", randomise=True)
    with store.write() as session:
        actor = services.actor_for(session, "inv1")
        services.record_treatment_start(session, actor, TRIAL, subject_id, start=TREATMENT_START, weight_kg=70)
    return subject_id


def _count(store: Store, model: type[Administration] | type[CycleStart]) -> int:
    with store.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def _dose(csrf: str, number: int, status: str, **changes: str) -> dict[str, str]:
    """The row form of IL-2 cycle 1 dose ``number`` as the page fills it (the due time, the planned unit)."""
    form = {"csrf_token": csrf, "treatment": "il2", "cycle": "1", "number": str(number), "status": status}
    return {**form, "given_at": "2026-11-23T08:00", "amount": "", "unit": "IU", "reason": "", **changes}


def test_the_treatment_start_form_builds_the_calendar(web_store: Store, logged_in: LoggedIn) -> None:
    subject_id = enrol_eligible(web_store, "inv1", randomise=True)
    browser, csrf = logged_in("coord1")
    page = f"/trials/{TRIAL}/patients/{subject_id}/calendar"
    assert "Record the treatment start" in browser.get(page).text
    answer = browser.post(page + "/start", data={"csrf_token": csrf, "start": "2026-11-23T08:00", "weight_kg": "70"})
    assert (answer.status_code, answer.headers["location"]) == (303, page)
    calendar = browser.get(page).text
    assert calendar.count('<tr id="dose-il2-1-') == 14
    assert "42,000,000 IU" in calendar


def test_a_start_on_a_tuesday_is_shown_at_its_field_with_what_was_typed(web_store: Store, logged_in: LoggedIn) -> None:
    subject_id = enrol_eligible(web_store, "inv1", randomise=True)
    browser, csrf = logged_in("coord1")
    data = {"csrf_token": csrf, "start": "2026-11-24T08:00", "weight_kg": "70.5"}
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject_id}/calendar/start", data=data)
    assert answer.status_code == 400
    assert 'id="f-start-error"' in answer.text
    assert "Monday 2026-11-30" in answer.text
    assert 'value="2026-11-24T08:00"' in answer.text
    assert 'value="70.5"' in answer.text


def test_a_weight_that_is_not_a_number_is_shown_at_its_field(web_store: Store, logged_in: LoggedIn) -> None:
    """The message is the entry forms' own (``_entry.parse_number``): "<typed> is not a number: give digits"."""
    subject_id = enrol_eligible(web_store, "inv1", randomise=True)
    browser, csrf = logged_in("coord1")
    data = {"csrf_token": csrf, "start": "2026-11-23T08:00", "weight_kg": "seventy"}
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject_id}/calendar/start", data=data)
    assert answer.status_code == 400
    assert 'id="f-weight_kg-error"' in answer.text
    assert "seventy is not a number: give digits" in answer.text
    assert _count(web_store, Administration) == 0


def test_a_dose_given_as_planned_and_a_held_dose_show_on_the_calendar_and_the_timeline(
    web_store: Store, logged_in: LoggedIn
) -> None:
    subject_id = _started(web_store)
    browser, csrf = logged_in("coord1")
    doses = f"/trials/{TRIAL}/patients/{subject_id}/calendar/doses"
    given = browser.post(doses, data=_dose(csrf, 1, "given"))
    assert (given.status_code, given.headers["location"]) == (
        (303, f"/trials/{TRIAL}/patients/{subject_id}/calendar#dose-il2-1-1")
    )
    held = browser.post(doses, data=_dose(csrf, 2, "held", given_at="2026-11-23T16:00", reason="grade 3 hypotension"))
    assert held.status_code == 303
    with web_store.read() as session:
        stored = session.execute(select(Administration.number, Administration.status, Administration.amount))
        assert sorted(stored) == [(1, "given", None), (2, "held", None)]  # as planned: no amount stored
    calendar = browser.get(f"/trials/{TRIAL}/patients/{subject_id}/calendar").text
    assert '<td class="status-held">held (grade 3 hypotension)</td>' in calendar
    assert '<td class="status-given">given</td>' in calendar
    timeline = browser.get(f"/trials/{TRIAL}/patients/{subject_id}").text
    assert "il2, cycle 1 dose 2: held (grade 3 hypotension)" in timeline
    assert "cycle 1 day 1 in arm" in timeline


def test_a_held_dose_without_a_reason_is_refused_at_the_reason(web_store: Store, logged_in: LoggedIn) -> None:
    subject_id = _started(web_store)
    browser, csrf = logged_in("coord1")
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject_id}/calendar/doses", data=_dose(csrf, 2, "held"))
    assert answer.status_code == 400
    assert 'id="dose-il2-1-2-reason-error"' in answer.text
    assert "give the reason" in answer.text
    assert _count(web_store, Administration) == 0


def test_a_dose_above_the_plan_is_refused_at_the_amount_keeping_what_was_typed(
    web_store: Store, logged_in: LoggedIn
) -> None:
    """50,000,000 IU is more than the planned 42,000,000 IU (DOSE-E047)."""
    subject_id = _started(web_store)
    browser, csrf = logged_in("coord1")
    data = _dose(csrf, 1, "given", amount="50000000", reason="typed <b>here</b>")
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject_id}/calendar/doses", data=data)
    assert answer.status_code == 400
    assert 'id="dose-il2-1-1-amount-error"' in answer.text
    assert "more than the planned dose of 42,000,000 IU" in answer.text
    assert 'value="50000000"' in answer.text
    assert 'value="typed &lt;b&gt;here&lt;/b&gt;"' in answer.text  # kept, and escaped
    assert _count(web_store, Administration) == 0


def test_a_dose_before_consent_is_refused_at_its_time(web_store: Store, logged_in: LoggedIn) -> None:
    """Consent was signed on 2026-11-18: a dose on 2026-11-16 is before it."""
    subject_id = _started(web_store)
    browser, csrf = logged_in("coord1")
    data = _dose(csrf, 1, "given", given_at="2026-11-16T08:00")
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject_id}/calendar/doses", data=data)
    assert answer.status_code == 400
    assert 'id="dose-il2-1-1-given_at-error"' in answer.text
    assert "before consent" in answer.text
    assert 'value="2026-11-16T08:00"' in answer.text


def test_a_delay_beyond_the_maximum_is_refused_and_one_within_shows_everywhere(
    web_store: Store, logged_in: LoggedIn
) -> None:
    """Cycle 2: planned 2026-12-14, at the latest 2026-12-21; 2026-12-28 is 14 days late."""
    subject_id = _started(web_store)
    browser, csrf = logged_in("coord1")
    cycles = f"/trials/{TRIAL}/patients/{subject_id}/calendar/cycles"
    late = browser.post(cycles, data={"csrf_token": csrf, "cycle": "2", "start": "2026-12-28", "reason": "slow"})
    assert late.status_code == 400
    assert 'id="cycle-2-start-error"' in late.text
    assert "a delay of at most 7 days" in late.text
    assert 'value="2026-12-28"' in late.text
    assert 'value="slow"' in late.text
    assert _count(web_store, CycleStart) == 0
    data = {"csrf_token": csrf, "cycle": "2", "start": "2026-12-21", "reason": "toxicity not resolved"}
    delayed = browser.post(cycles, data=data)
    assert (delayed.status_code, delayed.headers["location"]) == (
        (303, f"/trials/{TRIAL}/patients/{subject_id}/calendar#cycle-2")
    )
    calendar = browser.get(f"/trials/{TRIAL}/patients/{subject_id}/calendar").text
    assert "delayed</strong> from 2026-12-14 (toxicity not resolved)" in calendar
    assert "Delay cycle 2" not in calendar  # recorded once
    timeline = browser.get(f"/trials/{TRIAL}/patients/{subject_id}").text
    assert "cycle 2 started on 2026-12-21 (toxicity not resolved)" in timeline


def test_a_monitor_reads_the_calendar_without_the_forms(web_store: Store, logged_in: LoggedIn) -> None:
    subject_id = _started(web_store)
    browser, _ = logged_in("monitor")
    page = browser.get(f"/trials/{TRIAL}/patients/{subject_id}/calendar")
    assert page.status_code == 200
    assert "42,000,000 IU" in page.text
    assert "/calendar/doses" not in page.text
    assert "Delay cycle" not in page.text


def test_the_api_twins_record_and_refuse_with_the_field(web_store: Store, logged_in: LoggedIn) -> None:
    subject_id = enrol_eligible(web_store, "inv1", randomise=True)
    browser, csrf = logged_in("coord1")
    headers = {"X-CSRF-Token": csrf}
    api = f"/api/trials/{TRIAL}/patients/{subject_id}"
    missing = browser.post(api + "/treatment-start", json={"start": "2026-11-23T08:00"}, headers=headers)
    assert (missing.status_code, missing.json()["error"]["field"]) == (400, "weight_kg")
    start = browser.post(api + "/treatment-start", json={"start": "2026-11-23T08:00", "weight_kg": 70}, headers=headers)
    assert start.status_code == 201
    dose = {"treatment": "il2", "cycle": 1, "number": 1, "status": "given", "given_at": "2026-11-23T08:00"}
    above = browser.post(api + "/doses", json={**dose, "amount": 50_000_000, "unit": "IU"}, headers=headers)
    assert above.status_code == 400
    assert (above.json()["error"]["code"], above.json()["error"]["field"]) == ("DOSE-E047", "amount")
    assert browser.post(api + "/doses", json=dose, headers=headers).status_code == 201
    held = {"treatment": "il2", "cycle": 1, "number": 2, "status": "held", "reason": "fever"}
    assert browser.post(api + "/doses", json=held, headers=headers).status_code == 201
    late = browser.post(
        api + "/cycle-starts", json={"cycle": 2, "start": "2026-12-28", "reason": "slow"}, headers=headers
    )
    assert (late.status_code, late.json()["error"]["field"]) == (400, "start")
    delay = {"cycle": 2, "start": "2026-12-21", "reason": "toxicity not resolved"}
    assert browser.post(api + "/cycle-starts", json=delay, headers=headers).status_code == 201
    calendar = browser.get(api + "/calendar").json()
    one, two = calendar["cycles"]
    assert [(d["number"], d["status"], d["reason"]) for d in one["doses"][:3]] == [
        (1, "given", None),
        (2, "held", "fever"),
        (3, "planned", None),
    ]
    assert (two["planned_start"], two["start"], two["moved"]) == ("2026-12-14", "2026-12-21", True)
