"""The statistician's exports (``oncotrial.web.routes.exports``): SDTM and ADaM zipped into one download, as CSV,
Parquet or XPT, built in a temporary directory that is gone once the answer is sent; no identifying data; every
other role refused by the store."""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from oncotrial.store import Store, services
from tests.store.conftest import CONSENTED_ON, SCREENED_AT, eligible_record
from tests.web.conftest import TRIAL
from tests.web.test_accessibility import unlabelled

LoggedIn = Callable[[str], tuple[TestClient, str]]
SDTM_FILES = ["dm", "ds", "ex", "ae", "lb", "pc", "tu", "tr", "rs"]


@pytest.fixture
def exportable(web_store: Store) -> str:
    """Patient 01-0001, named Ada Example, consented, screened and randomised on 2026-11-21, with the DS milestone
    RANDOMIZED (from which ADSL's RANDDT comes)."""
    with web_store.write() as session:
        inv1 = services.actor_for(session, "inv1")
        subject = services.enrol_patient(session, inv1, TRIAL, enrolled_on=CONSENTED_ON, name="Ada Example").subject_id
        services.record_consent(session, inv1, TRIAL, subject, form_version="2.0", consent_date=CONSENTED_ON)
        services.record_screening(session, inv1, TRIAL, subject, eligible_record(), screened_at=SCREENED_AT)
    with web_store.write() as session:
        inv1 = services.actor_for(session, "inv1")
        services.randomise(session, inv1, TRIAL, subject, randomised_on=SCREENED_AT.date())
        milestone = {
            "event": "other",
            "event_date": "2026-11-21",
            "decoded": "RANDOMIZED",
            "category": "PROTOCOL MILESTONE",
        }
        services.record_dispositions(session, inv1, TRIAL, [{"subject_id": subject, **milestone}])
    return subject


def _zip(answer: object) -> zipfile.ZipFile:
    content: bytes = answer.content  # type: ignore[attr-defined]
    return zipfile.ZipFile(io.BytesIO(content))


def test_the_statistician_downloads_the_sdtm_domains_as_csv_without_identifying_data(
    logged_in: LoggedIn, exportable: str
) -> None:
    browser, _ = logged_in("stat")
    page = browser.get(f"/trials/{TRIAL}/exports")
    assert page.status_code == 200
    assert f'action="/trials/{TRIAL}/exports/sdtm.zip"' in page.text
    assert unlabelled(page.text) == []
    assert f'href="/trials/{TRIAL}/exports"' in browser.get(f"/trials/{TRIAL}").text
    answer = browser.get(f"/trials/{TRIAL}/exports/sdtm.zip")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"] == f'attachment; filename="{TRIAL}-sdtm-csv.zip"'
    archive = _zip(answer)
    assert archive.namelist() == [f"{name}.csv" for name in SDTM_FILES]
    dm = pd.read_csv(archive.open("dm.csv"), dtype=str)
    assert (dm["USUBJID"].tolist(), dm["SITEID"].tolist(), dm["RFICDTC"].tolist()) == (
        [exportable],
        ["01"],
        ["2026-11-18"],
    )
    assert not any(b"Ada Example" in archive.read(name) for name in archive.namelist())


def test_the_adam_datasets_come_from_the_sdtm_domains(logged_in: LoggedIn, exportable: str) -> None:
    """RANDDT is the date of DS's RANDOMIZED milestone recorded in the fixture."""
    browser, _ = logged_in("stat")
    archive = _zip(browser.get(f"/api/trials/{TRIAL}/exports/adam", params={"format": "csv"}))
    assert archive.namelist() == ["adsl.csv", "adrs.csv", "adtte.csv"]
    adsl = pd.read_csv(archive.open("adsl.csv"), dtype=str)
    assert (adsl["USUBJID"].tolist(), adsl["RANDDT"].tolist()) == ([exportable], ["2026-11-21"])


@pytest.mark.parametrize("format", ["parquet", "xpt"])
def test_parquet_and_xpt_are_offered_too(logged_in: LoggedIn, exportable: str, format: str, tmp_path: Path) -> None:
    """Read back with the library that reads each format (pyarrow through pandas; pyreadstat for XPT)."""
    import pyreadstat

    browser, _ = logged_in("stat")
    answer = browser.get(f"/trials/{TRIAL}/exports/sdtm.zip", params={"format": format})
    archive = _zip(answer)
    assert archive.namelist() == [f"{name}.{format}" for name in SDTM_FILES]
    path = Path(archive.extract(f"dm.{format}", tmp_path))
    dm = pd.read_parquet(path) if format == "parquet" else pyreadstat.read_xport(str(path))[0]
    assert dm["USUBJID"].tolist() == [exportable]


def test_the_temporary_directory_is_removed_after_the_download_and_after_a_refusal(
    logged_in: LoggedIn, exportable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Path] = []
    real = tempfile.mkdtemp

    def recording(*args: str, **kwargs: str) -> str:
        made.append(Path(real(*args, **kwargs)))
        return str(made[-1])

    monkeypatch.setattr(tempfile, "mkdtemp", recording)
    stat, _ = logged_in("stat")
    assert stat.get(f"/trials/{TRIAL}/exports/sdtm.zip").status_code == 200
    monitor, _ = logged_in("monitor")
    assert monitor.get(f"/trials/{TRIAL}/exports/adam.zip").status_code == 403
    assert len(made) == 2
    assert [path.exists() for path in made] == [False, False]


@pytest.mark.parametrize("username", ["coord1", "inv1", "coord2", "monitor", "admin"])
def test_every_role_but_the_statistician_is_refused(logged_in: LoggedIn, exportable: str, username: str) -> None:
    browser, _ = logged_in(username)
    for url in (
        f"/trials/{TRIAL}/exports",
        f"/trials/{TRIAL}/exports/sdtm.zip",
        f"/trials/{TRIAL}/exports/adam.zip",
        f"/api/trials/{TRIAL}/exports/sdtm",
        f"/api/trials/{TRIAL}/exports/adam",
    ):
        answer = browser.get(url)
        assert answer.status_code == 403, url
        assert exportable not in answer.text
    assert "/exports" not in browser.get(f"/trials/{TRIAL}").text


def test_an_unknown_trial_or_format_is_refused_in_words(logged_in: LoggedIn, exportable: str) -> None:
    browser, _ = logged_in("stat")
    unknown = browser.get("/api/trials/NCT00000000/exports/sdtm")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "STORE-E021")
    bad_format = browser.get(f"/api/trials/{TRIAL}/exports/sdtm", params={"format": "xlsx"})
    assert (bad_format.status_code, bad_format.json()["error"]["field"]) == (400, "format")
