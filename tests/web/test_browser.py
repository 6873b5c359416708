"""In a real browser (chromium through Playwright): an investigator logs in, screens a patient only through the
screening form, sees "eligible" with each criterion, randomises, and sees the arm; then logs out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from oncotrial.store import Store
from tests.store.conftest import eligible_record
from tests.web.browser import launch_chromium, serve
from tests.web.conftest import PASSWORD, TRIAL
from tests.web.test_patients import _flatten, enrolled

pytestmark = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)  # one backend: the pages are the same


@pytest.fixture
def base_url(app: FastAPI) -> Iterator[str]:
    yield from serve(app)


@pytest.fixture
def page(base_url: str) -> Iterator[Any]:
    for browser in launch_chromium():
        context = browser.new_context(base_url=base_url)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        context.close()


def fill_input(page: Any, name: str, value: str) -> None:
    field = page.locator(f'[name="{name}"]')
    if field.evaluate("element => element.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)


def fill_screening_form(page: Any, record: dict[str, Any]) -> None:
    """Type ``record`` into the form as a coordinator would: each lab into the row the form gives its analyte."""
    labs = {lab["analyte"]: lab for lab in record["labs"]}
    for name, value in _flatten({k: v for k, v in record.items() if k != "labs"}).items():
        if page.locator(f'[name="{name}"]').count():
            fill_input(page, name, value)
    for row in range(page.locator('[name^="labs."][name$=".analyte"]').count()):
        lab = labs[page.locator(f'[name="labs.{row}.analyte"]').input_value()]
        for key in ("value", "unit", "date", "lln", "uln"):
            if key in lab and page.locator(f'[name="labs.{row}.{key}"]').count():
                fill_input(page, f"labs.{row}.{key}", str(lab[key]))


def test_an_investigator_screens_randomises_and_logs_out_through_the_pages(page: Any, web_store: Store) -> None:
    subject_id = enrolled(web_store, "inv1")
    page.goto(f"/trials/{TRIAL}/patients")
    assert page.url.endswith(f"/login?next=/trials/{TRIAL}/patients")
    page.get_by_label("User name").fill("inv1")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name=subject_id).click()
    page.get_by_role("link", name="Screen").click()

    page.get_by_label("Screened at").fill("2026-11-21T09:00")
    fill_screening_form(page, eligible_record())
    page.get_by_role("button", name="Screen").click()

    assert page.locator("#screening-status").inner_text() == "eligible"
    assert page.get_by_role("cell", name="melanoma-histology").count() == 1
    page.get_by_label("Day of randomisation").fill("2026-11-21")
    page.get_by_role("button", name="Randomise").click()
    assert page.locator("#arm-assigned").inner_text() in ("Arm A", "Arm B")

    page.get_by_role("button", name="Log out").click()
    assert page.url.endswith("/login")
    page.goto(f"/trials/{TRIAL}/patients/{subject_id}")
    assert "/login" in page.url


def test_the_log_in_form_works_with_the_keyboard_alone(page: Any) -> None:
    page.goto("/login")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.get_by_label("User name").focus()
    page.keyboard.type("coord1")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    assert page.get_by_role("link", name=TRIAL).count() == 1
