"""Fixtures of the web tests: the app (``create_app``) on the store tests' trial database, SQLite and PostgreSQL
(the ``store`` fixture's parametrisation), every user with a password, and a TestClient (httpx) per user."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from oncotrial.store import Store, services
from oncotrial.web import Settings, create_app
from tests.store.conftest import (  # the store tests' fixtures, shared
    TRIAL,
    enrol_eligible,
    pg_url,
    sqlite_template,
    store,
    store_url,
    trial_store,
)

__all__ = [
    "PASSWORD",
    "TRIAL",
    "csrf_of",
    "enrol_eligible",
    "pg_url",
    "sqlite_template",
    "store",
    "store_url",
    "trial_store",
]

PASSWORD = "correct horse battery"
USERS = ("admin", "coord1", "inv1", "coord2", "inv2", "monitor", "stat")
SECRET = "a test secret key that is long enough to sign"


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with its smallest cost in the web tests (the defaults take ~0.1 s a hash, and every test sets seven
    passwords and logs in); the defaults themselves are tested in tests/store/test_auth.py."""
    from argon2 import PasswordHasher

    from oncotrial.store.services import auth

    monkeypatch.setattr(auth, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def web_store(trial_store: Store) -> Store:
    """``trial_store`` with :data:`PASSWORD` set for every user."""
    with trial_store.write() as session:
        admin = services.actor_for(session, "admin")
        for username in USERS:
            services.set_password(session, admin, username, PASSWORD)
    return trial_store


@pytest.fixture
def app(web_store: Store) -> Iterator[FastAPI]:
    """The app on the test's database; its own store (connection pool) closed after the test, as the app's
    lifespan closes it when a server stops (a TestClient used without ``with`` runs no lifespan, and PostgreSQL
    refuses connections past its ``max_connections`` if the pools of earlier tests stay open)."""
    application = create_app(Settings(db_url=web_store.url, secret_key=SECRET))
    yield application
    application.state.store.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An anonymous browser (no cookie yet); server errors come back as 500 answers, as a user would see them."""
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as browser:
        yield browser


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')


def post_login(client: TestClient, data: dict[str, str]) -> Any:
    """Post the log-in form as a browser does: the log-in page first (its form token and cookie), then the form."""
    page = client.get("/login")
    found = LOGIN_TOKEN.search(page.text)
    assert found, "the log-in page has no form token"
    return client.post("/login", data={**data, "login_token": found.group(1)})


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log ``client`` in as ``username``; returns the CSRF token of the new session (from the trial list page)."""
    answer = post_login(client, {"username": username, "password": password, "next": "/"})
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/").text)


@pytest.fixture
def logged_in(app: FastAPI) -> Iterator[Callable[[str], tuple[TestClient, str]]]:
    """A factory: a browser logged in as a user, and its CSRF token."""
    opened: list[TestClient] = []

    def make(username: str) -> tuple[TestClient, str]:
        browser = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
        opened.append(browser)
        return browser, log_in(browser, username)

    yield make
    for browser in opened:
        browser.close()
