"""Log-in, log-out, sessions and CSRF through the web app (``oncotrial.web.routes.auth``, ``oncotrial.web.security``)."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from oncotrial.store import Store, verify_chain
from oncotrial.store.models import AuditEntry
from tests.web.conftest import PASSWORD, TRIAL, csrf_of, log_in, post_login


def test_a_page_sends_an_anonymous_user_to_the_log_in_page(client: TestClient) -> None:
    answer = client.get(f"/trials/{TRIAL}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next=/trials/{TRIAL}"


def test_log_in_then_log_out_are_audited_and_the_old_cookie_is_dead(client: TestClient, web_store: Store) -> None:
    csrf = log_in(client, "coord1")
    assert "coord1 (coordinator)" in client.get("/").text
    cookie = client.cookies.get("oncotrial_session")
    answer = client.post("/logout", data={"csrf_token": csrf})
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    client.cookies.set("oncotrial_session", cookie, domain="testserver.local")  # replayed after the log-out
    assert client.get("/").status_code == 303
    with web_store.read() as session:
        rows = session.execute(
            select(AuditEntry.username, AuditEntry.action, AuditEntry.reason).where(
                AuditEntry.table_name == "web_session"
            )
        ).all()
        assert verify_chain(session).ok
    assert [tuple(row) for row in rows] == [("coord1", "insert", None), ("coord1", "update", "logged out")]


def test_a_wrong_password_is_refused_on_the_page_keeping_the_user_name(client: TestClient) -> None:
    answer = post_login(client, {"username": "coord1", "password": "wrong one!", "next": "/"})
    assert answer.status_code == 401
    assert "the user name or the password is wrong" in answer.text
    assert 'value="coord1"' in answer.text
    assert "oncotrial_session" not in answer.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "token",
    [pytest.param(None, id="no_form_token"), pytest.param("forged-by-another-site", id="token_not_the_cookies")],
)
def test_a_log_in_posted_without_the_forms_token_is_refused(client: TestClient, token: str | None) -> None:
    """Another site can post a log-in form with a right password (log-in CSRF) but cannot read the page's token:
    such a post gets the log-in page again (400) and no session cookie."""
    client.get("/login")  # the browser has the log-in page's cookie, as a victim would
    data = {"username": "coord1", "password": PASSWORD, "next": "/", **({"login_token": token} if token else {})}
    answer = client.post("/login", data=data)
    assert answer.status_code == 400
    assert "this log-in form is out of date or did not come from oncotrial" in answer.text
    assert "oncotrial_session" not in answer.headers.get("set-cookie", "")


def test_the_sixth_failure_says_to_wait(client: TestClient) -> None:
    for _ in range(5):
        post_login(client, {"username": "inv1", "password": "wrong one!", "next": "/"})
    answer = post_login(client, {"username": "inv1", "password": PASSWORD, "next": "/"})
    assert answer.status_code == 401
    assert "try again in 15 minutes" in answer.text


def test_the_session_cookie_is_httponly_samesite_lax_and_expires(client: TestClient) -> None:
    """8 hours idle (the default) = 28800 s."""
    answer = post_login(client, {"username": "coord1", "password": PASSWORD, "next": "/"})
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Max-Age=28800" in cookie
    assert "Secure" not in cookie  # served over http in this test


def test_a_secure_cookie_when_served_over_https(web_store: Store) -> None:
    from oncotrial.web import Settings, create_app

    app = create_app(Settings(db_url=web_store.url, secret_key="x" * 40, https=True))
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as browser:
        answer = post_login(browser, {"username": "coord1", "password": PASSWORD, "next": "/"})
    assert "Secure" in answer.headers["set-cookie"]


def test_a_session_id_planted_before_the_log_in_is_replaced(client: TestClient) -> None:
    """Session fixation: a cookie the attacker set before the log-in is not the session after it."""
    client.cookies.set("oncotrial_session", "planted-by-an-attacker", domain="testserver.local")
    answer = post_login(client, {"username": "coord1", "password": PASSWORD, "next": "/"})
    assert answer.status_code == 303
    assert client.cookies.get("oncotrial_session") not in (None, "planted-by-an-attacker")
    first = client.cookies.get("oncotrial_session")
    post_login(client, {"username": "coord1", "password": PASSWORD, "next": "/"})
    assert client.cookies.get("oncotrial_session") != first  # a new id at every log-in


def test_a_post_without_the_csrf_token_is_refused(client: TestClient) -> None:
    log_in(client, "coord1")
    for data in ({}, {"csrf_token": "forged"}):
        answer = client.post("/logout", data=data)
        assert answer.status_code == 403
        assert "security token is missing or wrong" in answer.text
    assert client.get("/").status_code == 200  # still logged in


def test_the_next_page_after_log_in_stays_on_this_site(client: TestClient) -> None:
    for target, expected in (("/trials/X", "/trials/X"), ("//evil.example/", "/"), ("https://evil.example/", "/")):
        answer = post_login(client, {"username": "coord1", "password": PASSWORD, "next": target})
        assert answer.headers["location"] == expected


def test_tokens_are_made_on_the_page_shown_once_and_revoked(client: TestClient) -> None:
    csrf = log_in(client, "stat")
    page = client.post("/tokens", data={"csrf_token": csrf, "name": "nightly export"})
    token = page.text.split('<code id="new-token">')[1].split("</code>")[0]
    assert token.startswith("otk_")
    assert client.get("/tokens").text.count(token) == 0  # shown once
    api = TestClient(client.app)
    assert api.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json() == {
        "username": "stat",
        "role": "statistician",
    }
    token_id = client.get("/api/tokens").json()[0]["id"]
    client.post(f"/tokens/{token_id}/revoke", data={"csrf_token": csrf_of(client.get("/tokens").text)})
    assert api.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_token_name_left_empty_is_refused_at_its_field(client: TestClient) -> None:
    csrf = log_in(client, "stat")
    answer = client.post("/tokens", data={"csrf_token": csrf, "name": "  "})
    assert answer.status_code == 400
    assert 'id="f-name-error"' in answer.text


def test_an_api_change_sent_with_the_cookie_needs_the_csrf_header(client: TestClient) -> None:
    """A page's script may call the API with the session cookie, but only with the X-CSRF-Token header."""
    csrf = log_in(client, "stat")
    refused = client.post("/api/tokens", json={"name": "from a page"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "WEB-E010"
    assert client.post("/api/tokens", json={"name": "from a page"}, headers={"X-CSRF-Token": csrf}).status_code == 201


def test_the_password_is_checked_while_no_write_lock_is_held(client: TestClient, web_store: Store) -> None:
    """SQLite has one write lock, taken at the start of a write transaction (``BEGIN IMMEDIATE``). While argon2
    checks the password (~0.1 s on purpose), another connection must still be able to take that lock at once:
    fifty users logging in together queued behind each other's argon2 and ran out of the busy timeout."""
    if web_store.backend != "sqlite":
        pytest.skip("SQLite's database-wide write lock; PostgreSQL locks rows")
    from oncotrial.store.services import auth

    path = web_store.engine.url.database
    assert path is not None
    real = auth._HASHER
    took_lock: list[bool] = []

    class Probing:
        def verify(self, hashed: str, password: str) -> bool:
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                took_lock.append(True)
            except sqlite3.OperationalError:  # "database is locked"
                took_lock.append(False)
            finally:
                other.close()
            return real.verify(hashed, password)

    auth._HASHER = Probing()  # type: ignore[assignment]
    try:
        answer = post_login(client, {"username": "coord1", "password": PASSWORD, "next": "/"})
    finally:
        auth._HASHER = real
    assert answer.status_code == 303
    assert took_lock == [True]
