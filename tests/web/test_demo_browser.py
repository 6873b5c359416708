"""The README's main job, end to end in a real browser: the web app served on the demo's database as ``oncotrial
serve --db ...`` serves it (the app built by ``create_app`` from that URL, with a secret key file), and the demo
log-in the demo printed (the monitor, who sees every site) sees the trial's patients, 44 of them randomised."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oncotrial.store import open_store
from oncotrial.web import Settings, create_app, load_secret_key
from tests.cli.demo_run import built_demo
from tests.web.browser import launch_chromium, serve

TRIAL = "NCT01416831"


@pytest.fixture
def demo_copy(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> tuple[Path, str]:
    """A copy of this run's demo folder (the log-in writes to the database) and what the demo printed."""
    folder, printed = built_demo(tmp_path_factory)
    copy = tmp_path / "demo"
    shutil.copytree(folder, copy)
    return copy, printed


@pytest.fixture
def base_url(demo_copy: tuple[Path, str], tmp_path: Path) -> Iterator[str]:
    """`oncotrial serve --db sqlite:///.../demo.db`'s app: the store opened (schema checked) from the URL, the
    key file made on the first start."""
    url = f"sqlite:///{(demo_copy[0] / 'demo.db').resolve()}"
    open_store(url).dispose()
    settings = Settings(db_url=url, secret_key_file=tmp_path / "oncotrial-web.key")
    load_secret_key(settings)
    yield from serve(create_app(settings))


@pytest.fixture
def page(base_url: str) -> Iterator[Any]:
    for browser in launch_chromium():
        context = browser.new_context(base_url=base_url)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        context.close()


def test_the_demo_log_in_sees_the_44_randomised_patients(page: Any, demo_copy: tuple[Path, str]) -> None:
    printed = demo_copy[1]
    found = re.search(r"as\s+(\w+) \(password (\S+)\)", printed)
    assert found is not None, printed
    username, password = found.groups()
    page.goto(f"/trials/{TRIAL}/patients")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**/trials/{TRIAL}/patients")
    rows = page.locator("#patient-rows tr")
    counted = re.search(r"(\d+) people screened", printed)
    assert counted is not None
    screened = int(counted.group(1))
    assert rows.count() == screened
    arms = [rows.nth(i).locator("td").nth(4).inner_text().strip() for i in range(rows.count())]
    assert sum(arm in ("A", "B") for arm in arms) == 44
    assert {arm for arm in arms if arm} == {"A", "B"}
    assert page.get_by_role("link", name="01-0001").count() == 1
    assert page.get_by_role("link", name="02-0001").count() == 1
