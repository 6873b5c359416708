"""Text typed into the forms is stored as text and shown escaped (SQL and HTML injection), and an unexpected error
reaches the user as a page or JSON that names nothing internal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from oncotrial.store import Store
from oncotrial.store.models import ApiToken
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
