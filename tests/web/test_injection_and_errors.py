"""Text typed into the forms is stored as text and shown escaped (SQL and HTML injection), and an unexpected error
reaches the user as a page or JSON that names nothing internal.

Every text field of the main forms (screening, enrolment, consent, adverse event, follow-up) is found by reading
the rendered form (its ``<input>`` and ``<textarea>`` names), so that a field added later is covered without a
change here. The dosing calendar and the tumour-assessment grid hold one form per dose or lesion row: their free
text (a held dose's reason, a lesion's location) is checked below; their other fields are dates, numbers and
codes, refused at their field (tests/web/test_dosing.py, test_assessments.py). Data queries: test_queries.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oncotrial.store import Store
from oncotrial.store.models import (
    AdverseEvent,
    ApiToken,
    Consent,
    Disposition,
    Patient,
    PatientIdentity,
    Screening,
)
from tests.web.conftest import TRIAL, post_login
from tests.web.test_patients import enrolled, screening_form_data

LoggedIn = Callable[[str], tuple[TestClient, str]]
SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
SQL = "x'); DROP TABLE patient; --"


@pytest.mark.parametrize("name", [SCRIPT, SQL], ids=["html", "sql"])
def test_a_token_name_is_stored_as_typed_and_shown_escaped(logged_in: LoggedIn, web_store: Store, name: str) -> None:
    client, csrf = logged_in("stat")
    assert client.post("/tokens", data={"csrf_token": csrf, "name": name}).status_code == 200
    with web_store.read() as session:
        assert session.execute(select(ApiToken.name)).scalar_one() == name
    page = client.get("/tokens").text
    assert SCRIPT not in page
    if name == SCRIPT:
        assert ESCAPED in page
    assert client.get(f"/api/trials/{TRIAL}/patients").status_code == 200  # the patient table is still there


def test_a_user_name_typed_at_the_log_in_is_shown_escaped(client: TestClient) -> None:
    page = post_login(client, {"username": SCRIPT, "password": "wrong password", "next": "/"}).text
    assert SCRIPT not in page
    assert ESCAPED in page


@pytest.mark.parametrize("text", [SCRIPT, SQL], ids=["html", "sql"])
def test_a_screening_field_typed_with_markup_or_sql_is_shown_escaped(
    logged_in: LoggedIn, web_store: Store, text: str
) -> None:
    subject_id = enrolled(web_store)
    client, csrf = logged_in("coord1")
    answer = client.post(
        f"/trials/{TRIAL}/patients/{subject_id}/screening", data=screening_form_data(csrf, **{"sex": text})
    )
    assert answer.status_code == 400  # sex is female or male: refused at its field
    assert SCRIPT not in answer.text
    assert 'id="f-sex-error"' in answer.text
    assert client.get(f"/trials/{TRIAL}/patients/{subject_id}").status_code == 200


@pytest.mark.parametrize("search", [SQL, "%", "' OR '1'='1"], ids=["drop", "wildcard", "tautology"])
def test_a_search_is_text_not_sql(logged_in: LoggedIn, web_store: Store, search: str) -> None:
    enrolled(web_store)
    client, _ = logged_in("monitor")
    assert client.get(f"/api/trials/{TRIAL}/patients", params={"search": search}).json() == []
    assert len(client.get(f"/api/trials/{TRIAL}/patients").json()) == 1


def test_an_unexpected_error_names_nothing_internal(logged_in: LoggedIn, monkeypatch: pytest.MonkeyPatch) -> None:
    import oncotrial.web.routes.trials as trials

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internal detail at /srv/oncotrial")

    monkeypatch.setattr(trials, "trial_dashboard", broken)
    client, _ = logged_in("monitor")
    page = client.get(f"/trials/{TRIAL}")
    api = client.get(f"/api/trials/{TRIAL}")
    for answer in (page, api):
        assert answer.status_code == 500
        assert "secret internal detail" not in answer.text
        assert "Traceback" not in answer.text
    assert api.json()["error"]["code"] == "WEB-E500"
    assert "it was logged (reference" in page.text


def test_an_unknown_patient_is_404_in_json(logged_in: LoggedIn) -> None:
    client, _ = logged_in("monitor")
    answer = client.get(f"/api/trials/{TRIAL}/patients/01-9999")
    assert answer.status_code == 404
    assert answer.json() == {
        "error": {
            "code": "STORE-E023",
            "message": f"trial {TRIAL} has no patient '01-9999'",
            "field": "subject_id",
            "subject_id": "01-9999",
        }
    }


# --- every text field of the main forms -----------------------------------------------------------------------

# SQL and HTML injection in one string: a quote that would end an SQL literal and a statement after it, and markup
# that would end an attribute and open a script
PAYLOAD = "\"><script>alert('x')</script>'; DROP TABLE patient; --"  # 55 characters: within every text column
RAW = ("<script>alert('x')</script>", '"><script>')
TEXT_INPUTS = frozenset({"text", "search", "email", "tel", "url"})


class _TextFields(HTMLParser):
    """The names of the text inputs and text areas of the form posted to ``action``."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.names = action, False, list[str]()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.inside = found.get("action") == self.action
        elif (
            self.inside
            and found.get("name")
            and (tag == "textarea" or (tag == "input" and (found.get("type") or "text") in TEXT_INPUTS))
        ):
            self.names.append(str(found["name"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def text_fields(html: str, action: str) -> list[str]:
    parser = _TextFields(action)
    parser.feed(html)
    return parser.names


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        return {
            k: v for key, item in items for k, v in _flatten(item, f"{prefix}.{key}" if prefix else str(key)).items()
        }
    return {prefix: value}


def _latest(session: Session, model: Any, *columns: Any) -> tuple[str, dict[str, Any]]:
    """The subject id of ``model``'s latest record, and its ``columns`` by name."""
    row = session.execute(
        select(Patient.subject_id, *columns).join(Patient, Patient.id == model.patient_id).order_by(model.id.desc())
    ).first()
    assert row is not None
    return row[0], {column.key: value for column, value in zip(columns, row[1:], strict=True)}


def _stored_patient(session: Session) -> tuple[str, dict[str, Any]]:
    row = session.execute(
        select(Patient.subject_id, Patient.race, Patient.ethnicity, Patient.country, PatientIdentity.name)
        .outerjoin(PatientIdentity, PatientIdentity.patient_id == Patient.id)
        .order_by(Patient.id.desc())
    ).first()
    assert row is not None
    return row[0], {"subject_id": row[0], "race": row[1], "ethnicity": row[2], "country": row[3], "name": row[4]}


def _stored_screening(session: Session) -> tuple[str, dict[str, Any]]:
    subject_id, values = _latest(session, Screening, Screening.record_json)
    return subject_id, _flatten(json.loads(values["record_json"]))


@dataclass(frozen=True)
class Form:
    """A main form: its page and action (``{s}``: the subject id), a valid fill, and the record it writes (the
    latest's subject id and its values by input name)."""

    page: str
    action: str
    valid: dict[str, str]
    stored: Callable[[Session], tuple[str, dict[str, Any]]]
    accepted: frozenset[str]  # the text fields that take any text (the others are dates, numbers, codes)


PATIENT_URL = f"/trials/{TRIAL}/patients/{{s}}"
FORMS = {
    "screening": Form(
        PATIENT_URL + "/screening",
        PATIENT_URL + "/screening",
        {key: value for key, value in screening_form_data("").items() if key != "csrf_token"},
        _stored_screening,
        frozenset(),  # each field of the record is a date, a number or a code (a lesion's site, a lab's analyte)
    ),
    "enrolment": Form(
        f"/trials/{TRIAL}/enrol",
        f"/trials/{TRIAL}/enrol",
        {"enrolled_on": "2026-11-18", "sex": "F", "age": "61"},
        _stored_patient,
        frozenset({"race", "ethnicity", "name"}),
    ),
    "consent": Form(
        PATIENT_URL + "/consent/new",
        PATIENT_URL + "/consents",
        {"form_version": "2.0", "consent_date": "2026-11-19"},
        lambda session: _latest(session, Consent, Consent.form_version),
        frozenset({"form_version"}),
    ),
    "adverse_event": Form(
        PATIENT_URL + "/adverse-events/new",
        PATIENT_URL + "/adverse-events",
        {"term": "Hypotension", "grade": "3", "onset": "2026-11-24", "serious": "N"},
        lambda session: _latest(
            session,
            AdverseEvent,
            AdverseEvent.term,
            AdverseEvent.attribution,
            AdverseEvent.action_taken,
            AdverseEvent.outcome,
        ),
        frozenset({"term"}),  # attribution, action taken and outcome are controlled terms
    ),
    "follow_up": Form(
        PATIENT_URL + "/follow-up/new",
        PATIENT_URL + "/follow-up",
        {"event": "off_study", "event_date": "2026-11-27", "reason": "progressive disease"},
        lambda session: _latest(session, Disposition, Disposition.reason),
        frozenset({"reason"}),
    ),
}


def _shown_escaped(pages: list[str]) -> None:
    for page in pages:
        assert not [raw for raw in RAW if raw in page]


@pytest.mark.parametrize("form_id", list(FORMS))
def test_every_text_field_of_a_main_form_is_stored_as_text_and_shown_escaped(
    logged_in: LoggedIn, web_store: Store, form_id: str
) -> None:
    """The payload typed into each text field in turn (the rest of the form valid): a field that takes text keeps it
    exactly (read back from the store) and every page shows it escaped; a field that does not (a date, a number, a
    code) refuses it at the field, and the form shows what was typed, escaped."""
    form = FORMS[form_id]
    subject = enrolled(web_store)
    client, csrf = logged_in("coord1")
    monitor, _ = logged_in("monitor")
    action = form.action.format(s=subject)
    fields = text_fields(client.get(form.page.format(s=subject)).text, action)
    assert fields, f"no text field found in the {form_id} form"
    accepted = set()
    for name in fields:
        answer = client.post(action, data={**form.valid, "csrf_token": csrf, name: PAYLOAD})
        assert answer.status_code in (303, 400), (name, answer.status_code)
        if answer.status_code == 400:
            assert f'id="f-{name.replace(".", "-")}-error"' in answer.text or 'class="error banner"' in answer.text
            assert f'value="{escape(PAYLOAD)}"' in answer.text, name  # what was typed, kept and escaped
            _shown_escaped([answer.text])
            continue
        accepted.add(name)
        with web_store.read() as session:
            written_for, values = form.stored(session)
        assert values.get(name) == PAYLOAD, name
        history = monitor.get(f"/trials/{TRIAL}/patients/{written_for}/audit").text
        _shown_escaped([client.get(f"/trials/{TRIAL}/patients/{written_for}").text, history])
        if form_id != "screening":  # the screening record is audited as one JSON text
            assert str(escape(PAYLOAD)) in history
    assert accepted == form.accepted
    with web_store.read() as session:  # the patient table is still there, and holds what it held
        assert session.execute(select(func.count()).select_from(Patient)).scalar_one() >= 1


def test_a_held_doses_reason_and_a_lesions_location_are_stored_as_typed_and_shown_escaped(
    logged_in: LoggedIn, web_store: Store
) -> None:
    from oncotrial.store.models import Administration, Lesion
    from tests.web.test_assessments import _baseline_form
    from tests.web.test_dosing import _dose, _started

    subject = _started(web_store)
    client, csrf = logged_in("coord1")
    monitor, _ = logged_in("monitor")
    base = f"/trials/{TRIAL}/patients/{subject}"
    held = client.post(base + "/calendar/doses", data=_dose(csrf, 2, "held", given_at="", reason=PAYLOAD))
    assert held.status_code == 303, held.text
    lesions = client.post(base + "/assessments/baseline", data=_baseline_form(csrf, **{"lesions.0.location": PAYLOAD}))
    assert lesions.status_code == 303, lesions.text
    with web_store.read() as session:
        assert session.execute(select(Administration.reason).where(Administration.status == "held")).scalar() == PAYLOAD
        assert session.execute(select(Lesion.location).where(Lesion.code == "T01")).scalar() == PAYLOAD
    pages = [client.get(base + path).text for path in ("", "/calendar", "/assessments")]
    pages.append(monitor.get(base + "/audit").text)
    _shown_escaped(pages)
    assert all(str(escape(PAYLOAD)) in page for page in pages[1:])
