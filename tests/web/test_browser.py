"""In a real browser (chromium through Playwright): an investigator logs in, screens a patient only through the
screening form, sees "eligible" with each criterion, randomises, and sees the arm; then logs out. The whole
walk-through of a patient (screening to the tumour response and an adverse event) saves screenshots of the main
pages: to ``ONCOTRIAL_SCREENSHOTS`` (a folder; ``docs/screenshots`` for the README) when set, else to the test's
temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from oncotrial.store import Store
from tests.store.conftest import eligible_record
from tests.web.browser import launch_chromium, serve
from tests.web.conftest import PASSWORD, TRIAL
from tests.web.test_patients import _flatten, enrolled

SQLITE = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)  # one backend: the pages are the same
VIEWPORT = {"width": 1200, "height": 800}
# the pages the walk-through photographs, as the README shows them (docs/screenshots/NAME.png)
SCREENSHOTS = (
    "dashboard",
    "patient-list",
    "screening-result",
    "dosing-calendar",
    "tumour-assessment",
    "patient",
    "adverse-event-form",
)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def base_url(app: FastAPI) -> Iterator[str]:
    yield from serve(app)


@pytest.fixture
def page(base_url: str) -> Iterator[Any]:
    for browser in launch_chromium():
        context = browser.new_context(base_url=base_url, viewport=VIEWPORT)
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


def screen_eligible(page: Any) -> None:
    """From the patient's page: the screening form filled in with the store tests' eligible record."""
    page.get_by_role("link", name="Screen").click()
    page.get_by_label("Screened at").fill("2026-11-21T09:00")
    fill_screening_form(page, eligible_record())
    page.get_by_role("button", name="Screen").click()
    assert page.locator("#screening-status").inner_text() == "eligible"


def randomise_on_the_page(page: Any) -> None:
    page.get_by_label("Day of randomisation").fill("2026-11-21")
    page.get_by_role("button", name="Randomise").click()
    page.locator("#arm-assigned").wait_for()


@SQLITE
def test_an_investigator_screens_randomises_and_logs_out_through_the_pages(page: Any, web_store: Store) -> None:
    subject_id = enrolled(web_store, "inv1")
    page.goto(f"/trials/{TRIAL}/patients")
    assert page.url.endswith(f"/login?next=/trials/{TRIAL}/patients")
    page.get_by_label("User name").fill("inv1")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name=subject_id).click()
    screen_eligible(page)
    assert page.get_by_role("cell", name="melanoma-histology").count() == 1
    randomise_on_the_page(page)
    assert page.locator("#arm-assigned").inner_text() in ("Arm A", "Arm B")

    page.get_by_role("button", name="Log out").click()
    assert page.url.endswith("/login")
    page.goto(f"/trials/{TRIAL}/patients/{subject_id}")
    assert "/login" in page.url


@SQLITE
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


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where the walk-through saves its screenshots."""
    folder = Path(os.environ.get("ONCOTRIAL_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page: Any, folder: Path, name: str) -> None:
    """The visible part of the page (1200 x 800) as ``name``.png."""
    page.screenshot(path=str(folder / f"{name}.png"))


def log_in_as(page: Any, username: str) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def screen_and_randomise(page: Any, subject_id: str, shots: Path) -> None:
    page.get_by_role("link", name=TRIAL).click()
    page.get_by_role("heading", level=1).wait_for()
    shoot(page, shots, "dashboard")
    page.get_by_role("link", name="Patients").click()
    page.get_by_role("link", name=subject_id).wait_for()
    shoot(page, shots, "patient-list")
    page.get_by_role("link", name=subject_id).click()
    screen_eligible(page)
    shoot(page, shots, "screening-result")
    randomise_on_the_page(page)


def record_doses(page: Any, shots: Path) -> None:
    """The treatment start (Monday 2026-11-23 08:00, 70 kg), IL-2 dose 1 given as planned, dose 2 held."""
    page.get_by_role("link", name="Dosing calendar").click()
    page.get_by_label("Cycle 1 day 1 (first dose)").fill("2026-11-23T08:00")
    page.get_by_label("Weight (kg)").fill("70")
    page.get_by_role("button", name="Record the treatment start").click()
    first = page.locator("#dose-il2-1-1")
    first.get_by_role("button", name="Given:").click()
    page.locator("#dose-il2-1-1 .status-given").wait_for()
    second = page.locator("#dose-il2-1-2")
    second.get_by_label("Reason").fill("grade 3 hypotension")
    second.get_by_role("button", name="Held:").click()
    page.get_by_text("held (grade 3 hypotension)").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, shots, "dosing-calendar")
    page.get_by_role("link", name="Patient").first.click()


def record_assessments(page: Any, shots: Path) -> None:
    """Baseline T01 40 mm + T02 60 mm (100 mm), NT01; WEEK 6 28 + 42 = 70 mm, -30 %: PR (RECIST 1.1 section
    4.3.1, at least 30 % below baseline), hand-worked."""
    page.get_by_role("link", name="Tumour assessments").click()
    page.get_by_label("Day of the baseline scans").fill("2026-11-20")
    rows = [("T01", "TARGET", "LUNG", "40"), ("T02", "TARGET", "LIVER", "60"), ("NT01", "NON-TARGET", "BONE", "")]
    for number, (code, kind, site, diameter) in enumerate(rows, start=1):
        page.get_by_label(f"Code, row {number}", exact=True).fill(code)
        page.get_by_label(f"Kind, row {number}", exact=True).select_option(kind)
        page.get_by_label(f"Site, row {number}", exact=True).fill(site)
        page.get_by_label(f"Diameter (mm), row {number}", exact=True).fill(diameter)
    page.get_by_role("button", name="Record the baseline").click()
    page.get_by_label("Visit", exact=True).fill("WEEK 6")
    page.get_by_label("Day of the scans").fill("2027-01-04")
    page.get_by_label("Diameter of T01 (mm)").fill("28")
    page.get_by_label("Diameter of T02 (mm)").fill("42")
    page.get_by_label("Status of NT01").select_option("PRESENT")
    page.get_by_role("button", name="Record the assessment").click()
    response = page.locator('td.response[data-visit="WEEK 6"]')
    response.wait_for()
    assert response.inner_text() == "PR"
    assert page.get_by_text("70 mm; baseline 100 mm (-30.0 %)").count() == 1
    page.locator("#responses").scroll_into_view_if_needed()
    shoot(page, shots, "tumour-assessment")
    page.get_by_role("link", name="Patient").first.click()


@SQLITE
def test_a_patient_from_screening_to_a_response_and_an_adverse_event_through_the_pages(
    page: Any, web_store: Store, shots: Path
) -> None:
    subject_id = enrolled(web_store, "inv1")
    log_in_as(page, "inv1")
    screen_and_randomise(page, subject_id, shots)
    record_doses(page, shots)
    page.get_by_text("il2, cycle 1 dose 2: held (grade 3 hypotension)").wait_for()
    record_assessments(page, shots)
    page.get_by_text("tumour assessment WEEK 6: PR").wait_for()
    page.evaluate("document.getElementById('arm').scrollIntoView()")  # the arm and the timeline
    shoot(page, shots, "patient")

    page.get_by_role("link", name="Record an adverse event").click()
    page.get_by_label("Term, as reported").fill("Hypotension")
    page.get_by_label("CTCAE v5.0 grade").select_option("3")
    page.get_by_label("Onset").fill("2026-11-23")
    page.get_by_label("Serious").select_option("N")
    shoot(page, shots, "adverse-event-form")
    page.get_by_role("button", name="Record the adverse event").click()
    page.get_by_text("Hypotension, grade 3").wait_for()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    assert sorted(path.stem for path in shots.glob("*.png")) == sorted(SCREENSHOTS)


@pytest.mark.parametrize("name", SCREENSHOTS)
def test_the_readme_shows_each_screenshot_and_it_is_small(name: str) -> None:
    """The committed screenshots (taken with ``ONCOTRIAL_SCREENSHOTS=docs/screenshots``) are linked from the README
    and kept under 150 KB each."""
    path = ROOT / "docs" / "screenshots" / f"{name}.png"
    assert f"(docs/screenshots/{name}.png)" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert path.stat().st_size < 150_000
