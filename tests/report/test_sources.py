"""Where a report's data come from (``oncotrial.report.sources``): files in the formats the other file commands
read, and the trial database (the pharmaverse subjects imported by the store's fixtures, SQLite and
PostgreSQL)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from oncotrial.errors import AccessError, DataError
from oncotrial.report import ReportData
from oncotrial.report.sources import read_report_data, report_data_from_store
from oncotrial.report.tables import TABLES, ReportTable
from oncotrial.store import Actor, Store
from oncotrial.store.cdisc import ImportReport
from tests.report.conftest import write_trial_files
from tests.store.cdisc.conftest import imported, sdtm_dir
from tests.store.conftest import pg_url, sqlite_template, store, store_url

__all__ = ["imported", "pg_url", "sdtm_dir", "sqlite_template", "store", "store_url"]  # fixtures used here


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_files_give_the_same_tables_as_the_fixture(trial: ReportData, tmp_path: Path, suffix: str) -> None:
    paths = write_trial_files(trial, tmp_path, suffix)
    data = read_report_data(**paths, protocol="NCT01416831")  # type: ignore[arg-type]
    assert data.protocol is not None
    assert data.protocol.id == "NCT01416831"
    assert data.adsl["USUBJID"].tolist() == trial.adsl["USUBJID"].tolist()
    assert data.adtte is not None
    assert len(data.adtte) == len(trial.adtte)  # type: ignore[arg-type]
    response = next(spec for spec in TABLES if spec.name == "response").build(data)
    same = dataclasses.replace(trial, protocol=data.protocol)  # the built-in protocol, as the files were read with
    expected = next(spec for spec in TABLES if spec.name == "response").build(same)
    assert isinstance(response, ReportTable)
    assert isinstance(expected, ReportTable)
    pd.testing.assert_frame_equal(response.frame, expected.frame)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"ADSL file .*adsl\.csv does not exist"):
        read_report_data(adsl=tmp_path / "adsl.csv")


@pytest.mark.filterwarnings("ignore::oncotrial.errors.TrialWarning")  # screen failures: no RANDDT, no arm
def test_the_store_gives_adam_sdtm_and_the_tables_build(imported: tuple[Store, Actor, ImportReport]) -> None:
    """The pharmaverse subjects imported: ADSL, ADRS, ADTTE as export adam derives them; AE, EX, ... as export
    sdtm writes them; the tables build; a user who may not export is refused."""
    store, actor, report = imported
    with store.read() as session:
        data = report_data_from_store(session, actor, "CDISCPILOT01")
    assert len(data.adsl) == report.records["DM"]
    assert data.adrs is not None
    assert data.adae is not None
    assert data.ex is not None
    assert data.protocol is None  # an imported trial has no oncotrial protocol
    assert data.screening is not None
    assert list(data.screening.columns) == ["SUBJID", "ELIGIBLE", "REASON"]
    results = {spec.name: spec.build(data) for spec in TABLES}
    assert isinstance(results["adverse-events"], ReportTable)
    assert isinstance(results["response"], ReportTable)
    coordinator = Actor(None, "coord1", "coordinator", 1)  # only a statistician may export
    with store.read() as session, pytest.raises(AccessError, match="may not export"):
        report_data_from_store(session, coordinator, "CDISCPILOT01")
