"""The tumour-assessment pages and their API twins (``oncotrial.web.routes.assessments``), on SQLite and
PostgreSQL: the baseline lesions form, the follow-up grid of the baseline lesions, and the time-point response
shown with its rule once a visit is saved; a value the store refuses is shown at its input with what was typed.

Hand-worked RECIST 1.1 example (Eisenhauer et al. 2009, section 4.3): baseline targets T01 40 mm + T02 60 mm =
100 mm, non-target NT01 present. WEEK 6: 28 + 42 = 70 mm, -30.0 % from baseline: target PR; NT01 present:
NON-CR/NON-PD; no new lesion: overall PR, row R13 of rules/recist11_overall_response.csv. The same sizes with an
unequivocal new lesion: PD (row R14). T01 not evaluable: target NE, overall NE (row R43).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from oncotrial.store import Store
from oncotrial.store.models import Assessment, Lesion
from tests.store.conftest import enrol_eligible
from tests.web.conftest import TRIAL

LoggedIn = Callable[[str], tuple[TestClient, str]]


def _baseline_form(csrf: str, **changes: str) -> dict[str, str]:
    rows = [("T01", "TARGET", "LUNG", "40"), ("T02", "TARGET", "LIVER", "60"), ("NT01", "NON-TARGET", "BONE", "")]
    form = {"csrf_token": csrf, "identified_on": "2026-11-20"}
    for i, (code, kind, location, diameter) in enumerate(rows):
        form |= {f"lesions.{i}.code": code, f"lesions.{i}.kind": kind, f"lesions.{i}.location": location}
        form |= {f"lesions.{i}.method": "CT SCAN", f"lesions.{i}.diameter": diameter}
    form |= {"lesions.3.method": "CT SCAN", "lesions.3.kind": ""}  # an empty row, as the page sends it
    return {**form, **changes}


def _visit_form(csrf: str, **changes: str) -> dict[str, str]:
    """WEEK 6 in the grid: rows m.0 T01, m.1 T02 (targets), m.2 NT01 (non-target), as the page orders them."""
    form = {"csrf_token": csrf, "visit": "WEEK 6", "assessed_on": "2027-01-04"}
    form |= {"m.0.diameter": "28", "m.1.diameter": "42", "m.2.status": "PRESENT"}
    form |= {"new.0.method": "CT SCAN", "new.0.status": "UNEQUIVOCAL"}  # an empty new-lesion row
    return {**form, **changes}


def _with_baseline(store: Store, browser: TestClient, csrf: str) -> str:
    subject_id = enrol_eligible(store, "inv1", randomise=True)
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject_id}/assessments/baseline", data=_baseline_form(csrf))
    assert answer.status_code == 303, answer.text
    return subject_id


def _count(store: Store, model: type[Lesion] | type[Assessment]) -> int:
    with store.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_the_baseline_form_records_the_lesions_and_offers_the_grid(web_store: Store, logged_in: LoggedIn) -> None:
    browser, csrf = logged_in("coord1")
    subject_id = _with_baseline(web_store, browser, csrf)
    page = browser.get(f"/trials/{TRIAL}/patients/{subject_id}/assessments").text
    assert "Lesions found at baseline (2026-11-20)" in page
    assert '<label for="f-m-0-diameter">Diameter of T01 (mm)</label>' in page
    assert '<label for="f-m-2-status">Status of NT01</label>' in page
    assert _count(web_store, Lesion) == 3


def test_a_baseline_target_too_small_is_refused_in_its_row(web_store: Store, logged_in: LoggedIn) -> None:
    """A non-nodal target below 10 mm is not measurable (RECIST 1.1 section 3.1.1; the core's RECIST-B01)."""
    subject_id = enrol_eligible(web_store, "inv1", randomise=True)
    browser, csrf = logged_in("coord1")
    data = _baseline_form(csrf, **{"lesions.0.diameter": "5", "lesions.0.location": "LUNG <i>apex</i>"})
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject_id}/assessments/baseline", data=data)
    assert answer.status_code == 400
    assert 'id="f-lesions-0-kind-error"' in answer.text  # the store names the kind: record it as non-target
    assert "not measurable (5.0 mm)" in answer.text
    assert 'value="LUNG &lt;i&gt;apex&lt;/i&gt;"' in answer.text  # kept, and escaped
    assert _count(web_store, Lesion) == 0


def test_a_follow_up_shows_its_response_and_the_rule_that_gave_it(web_store: Store, logged_in: LoggedIn) -> None:
    browser, csrf = logged_in("coord1")
    subject_id = _with_baseline(web_store, browser, csrf)
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject_id}/assessments", data=_visit_form(csrf))
    assert (answer.status_code, answer.headers["location"]) == (
        303,
        f"/trials/{TRIAL}/patients/{subject_id}/assessments#responses",
    )
    page = browser.get(f"/trials/{TRIAL}/patients/{subject_id}/assessments").text
    assert '<td class="response" data-visit="WEEK 6">PR</td>' in page
    assert "70 mm; baseline 100 mm (-30.0 %); nadir 100 mm" in page
    assert "PR: sum at least 30 % below baseline; R13" in page
    assert "tumour assessment WEEK 6: PR" in browser.get(f"/trials/{TRIAL}/patients/{subject_id}").text


def test_a_target_not_evaluable_and_a_new_lesion_give_their_responses(web_store: Store, logged_in: LoggedIn) -> None:
    browser, csrf = logged_in("coord1")
    subject_id = _with_baseline(web_store, browser, csrf)
    visits = f"/trials/{TRIAL}/patients/{subject_id}/assessments"
    new = {"new.0.code": "NEW01", "new.0.location": "BRAIN", "new.0.status": "UNEQUIVOCAL"}
    assert browser.post(visits, data=_visit_form(csrf, **new)).status_code == 303
    unmeasured = _visit_form(csrf, visit="WEEK 12", assessed_on="2027-02-15", **{"m.0.not_evaluable": "Y"})
    assert browser.post(visits, data=unmeasured).status_code == 303
    page = browser.get(visits).text
    assert '<td class="response" data-visit="WEEK 6">PD</td>' in page
    assert "R14" in page
    assert '<td class="response" data-visit="WEEK 12">NE</td>' in page
    assert "R43" in page


def test_a_diameter_that_is_not_a_number_is_refused_at_its_cell(web_store: Store, logged_in: LoggedIn) -> None:
    browser, csrf = logged_in("coord1")
    subject_id = _with_baseline(web_store, browser, csrf)
    data = _visit_form(csrf, **{"m.0.diameter": "2O"})
    answer = browser.post(f"/trials/{TRIAL}/patients/{subject_id}/assessments", data=data)
    assert answer.status_code == 400
    assert 'id="f-m-0-diameter-error"' in answer.text
    assert "is not a number" in answer.text
    assert 'value="2O"' in answer.text
    assert 'value="WEEK 6"' in answer.text
    assert _count(web_store, Assessment) == 1  # the baseline only


def test_the_api_twins_record_a_visit_and_answer_its_response(web_store: Store, logged_in: LoggedIn) -> None:
    subject_id = enrol_eligible(web_store, "inv1", randomise=True)
    browser, csrf = logged_in("inv1")
    headers = {"X-CSRF-Token": csrf}
    api = f"/api/trials/{TRIAL}/patients/{subject_id}"
    lesions = [
        {"code": "T01", "kind": "TARGET", "location": "LUNG", "method": "CT SCAN", "diameter": 40},
        {"code": "T02", "kind": "TARGET", "location": "LIVER", "method": "CT SCAN", "diameter": 60},
        {"code": "NT01", "kind": "NON-TARGET", "location": "BONE", "method": "CT SCAN"},
    ]
    baseline = browser.post(
        api + "/baseline-lesions", json={"identified_on": "2026-11-20", "lesions": lesions}, headers=headers
    )
    assert baseline.status_code == 201
    assert [lesion["code"] for lesion in baseline.json()["lesions"]] == ["T01", "T02", "NT01"]
    body = {
        "visit": "WEEK 6",
        "assessed_on": "2027-01-04",
        "measurements": [
            {"lesion": "T01", "diameter": 28},
            {"lesion": "T02", "diameter": 42},
            {"lesion": "NT01", "status": "PRESENT"},
        ],
    }
    missing = browser.post(api + "/assessments", json={**body, "assessed_on": None}, headers=headers)
    assert (missing.status_code, missing.json()["error"]["field"]) == (400, "assessed_on")
    unknown = {**body, "measurements": [*body["measurements"], {"lesion": "T09", "diameter": 10}]}
    refused = browser.post(api + "/assessments", json=unknown, headers=headers)
    assert refused.status_code == 400
    assert refused.json()["error"]["field"]
    assert "T09" in refused.json()["error"]["message"]
    answer = browser.post(api + "/assessments", json=body, headers=headers)
    assert answer.status_code == 201
    response = answer.json()
    assert (response["overall"], response["rule_id"], response["percent_from_baseline"]) == ("PR", "R13", -30.0)
    listed = browser.get(api + "/assessments").json()
    assert [(v["visit"], v["overall"], v["sum_of_diameters"]) for v in listed["visits"]] == [("WEEK 6", "PR", 70.0)]
