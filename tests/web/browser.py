"""The web app served by uvicorn on 127.0.0.1 and a free port (in a thread), and Debian's chromium driven by
Playwright for Python (launched by its executable path: no browser can be downloaded here).

Without chromium the browser tests skip and say why; with ``ONCOTRIAL_REQUIRE_SERVERS=1`` (CI) they fail instead
(the rule of the PostgreSQL tests, :func:`tests.store.conftest.missing_server`).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from tests.store.conftest import missing_server

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread until the generator is closed; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web app did not start within 20 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def launch_chromium() -> Iterator[Any]:
    """A headless chromium (Playwright's browser object), closed at the end."""
    executable = shutil.which("chromium")
    if executable is None:
        missing_server("the browser tests need Debian's chromium: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_server("the browser tests need Playwright for Python: pip install playwright")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
