"""``oncotrial serve --workers 2`` in a real process: two uvicorn workers, each building the app from the settings
the command hands down; a session made by one worker is honoured by the other (one key file), so a user logged in
reads page after page whichever worker answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from oncotrial.store import Store
from tests.web.browser import free_port
from tests.web.conftest import PASSWORD, TRIAL, post_login

pytestmark = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)  # the workers are the same on both


def test_two_workers_serve_one_session(web_store: Store, tmp_path: Path) -> None:
    port = free_port()
    command = [sys.executable, "-m", "oncotrial", "serve", "--db", web_store.url, "--port", str(port)]
    command += ["--workers", "2", "--key-file", str(tmp_path / "web.key")]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=False, timeout=10) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/login").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.3)
            answer = post_login(client, {"username": "coord1", "password": PASSWORD, "next": "/"})  # type: ignore[arg-type]
            assert answer.status_code == 303
            pages = [client.get(f"/trials/{TRIAL}/patients") for _ in range(20)]
        assert [page.status_code for page in pages] == [200] * 20
        assert (tmp_path / "web.key").is_file()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    stderr = server.stderr.read().decode() if server.stderr else ""
    assert stderr.count("Started server process") == 2  # uvicorn's line, once per worker
