"""The trial's report in the app: the statistician sees what it holds and gets the HTML and the PDF built from
the trial database; a role without the export permission is refused; a trial with little data gives notes, not
an error."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from oncotrial.store import Store
from tests.store.conftest import enrol_eligible
from tests.web.conftest import TRIAL

LoggedIn = Callable[[str], tuple[TestClient, str]]
pytestmark = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)  # the report reads the store as export


def test_the_statistician_gets_the_report_page_html_and_pdf(logged_in: LoggedIn, web_store: Store) -> None:
    for _ in range(2):
        enrol_eligible(web_store, "inv1", randomise=True)
    stat, _ = logged_in("stat")
    assert 'href="/trials/NCT01416831/report"' in stat.get(f"/trials/{TRIAL}").text
    page = stat.get(f"/trials/{TRIAL}/report")
    assert page.status_code == 200
    assert "<caption>What the report holds</caption>" in page.text
    assert "Kaplan" in page.text  # the figures are listed, drawn or with their note
    html = stat.get(f"/trials/{TRIAL}/report/report.html")
    assert html.status_code == 200
    assert html.text.lstrip().lower().startswith("<!doctype html>")
    assert "NCT01416831" in html.text
    pdf = stat.get(f"/trials/{TRIAL}/report/report.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    tables = stat.get(f"/api/trials/{TRIAL}/report").json()
    assert tables["title"].startswith("NCT01416831")
    assert {table["name"] for table in tables["tables"]} >= {"response"}


@pytest.mark.parametrize("username", ["coord1", "inv1", "monitor", "admin"])
def test_a_role_without_export_is_refused_the_report(logged_in: LoggedIn, web_store: Store, username: str) -> None:
    enrol_eligible(web_store, "inv1", randomise=True)
    client, _ = logged_in(username)
    assert 'href="/trials/NCT01416831/report"' not in client.get(f"/trials/{TRIAL}").text
    for path in ("/report", "/report/report.html", "/report/report.pdf"):
        assert client.get(f"/trials/{TRIAL}{path}").status_code == 403, path
    assert client.get(f"/api/trials/{TRIAL}/report").json()["error"]["code"] == "ACCESS-E001"
