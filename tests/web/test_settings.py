"""``oncotrial.web.settings``: the secret key made once in a file of the owner's only, then reused; and a session
idle longer than ``session_idle_minutes`` has ended."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from oncotrial.errors import StoreError
from oncotrial.store import Store
from oncotrial.web import Settings, create_app, load_secret_key
from tests.web.conftest import PASSWORD, post_login


def test_the_secret_key_is_made_on_the_first_start_and_reused(tmp_path: Path) -> None:
    settings = Settings(db_url="sqlite://", secret_key_file=tmp_path / "web.key")
    first = load_secret_key(settings)
    assert len(first) >= 32
    assert stat.S_IMODE((tmp_path / "web.key").stat().st_mode) == 0o600
    assert load_secret_key(settings) == first
    assert load_secret_key(Settings(db_url="sqlite://", secret_key="given " * 8)) == "given " * 8


def test_an_unwritable_key_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"secret key file .* cannot be read or written") as info:
        load_secret_key(Settings(db_url="sqlite://", secret_key_file=tmp_path / "missing" / "web.key"))
    assert info.value.code == "WEB-E001"


def test_a_session_idle_too_long_has_ended(web_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Idle time 1 minute; the cookie was signed 2 minutes ago (itsdangerous reads its time stamp)."""
    app = create_app(Settings(db_url=web_store.url, secret_key="k" * 40, session_idle_minutes=1))
    with TestClient(app, follow_redirects=False) as browser:
        post_login(browser, {"username": "coord1", "password": PASSWORD, "next": "/"})
        assert browser.get("/").status_code == 200
        session_id = app.state.codec.loads(browser.cookies["oncotrial_session"])
        import itsdangerous.timed

        real = itsdangerous.timed.time.time
        with monkeypatch.context() as patch:
            patch.setattr(itsdangerous.timed.time, "time", lambda: real() - 120)
            old = app.state.codec.dumps(session_id)
        browser.cookies.clear()
        browser.cookies.set("oncotrial_session", old, domain="testserver.local")
        assert browser.get("/").status_code == 303


def test_the_app_loads_without_the_report_libraries() -> None:
    """matplotlib (about 1 s to import) is loaded by the report pages when one is asked for, not with the app."""
    import subprocess
    import sys

    code = "import sys, oncotrial.web.app; print('matplotlib' in sys.modules, 'weasyprint' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert found.split() == ["False", "False"]
