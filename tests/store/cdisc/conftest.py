"""Fixtures of the CDISC tests: the pharmaverse SDTM set (a subset of its subjects, to keep each test within about
20 s; the whole set in one SQLite test), a statistician to import it, and the store it was imported into."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncotrial.io import read_table
from oncotrial.store import Actor, Store
from oncotrial.store.cdisc import ImportReport, import_sdtm

REFERENCE = Path(__file__).parents[2] / "reference" / "pharmaverse"
SDTM = REFERENCE / "sdtm"
# the files the import reads (the others in the folder are not SDTM domains it loads, or other examples)
FILES = {
    "DM": "dm.csv",
    "DS": "ds.csv",
    "EX": "ex.csv",
    "AE": "ae.csv",
    "LB": "lb.csv.gz",
    "PC": "pc.csv",
    "TU": "tu_onco.csv",
    "TR": "tr_onco.csv.gz",
    "RS": "rs_onco.csv",
}
# the first 40 subjects of DM (in file order) and their records: each test within about 20 s on a loaded
# machine; the whole set is imported once, on SQLite (test_sdtm_round_trip.py)
SUBJECTS = 40


def read_sdtm(directory: Path, name: str) -> pd.DataFrame:
    """A domain of pharmaverse's folder, or of a subset made by :func:`subset_sdtm` (written without ``.gz``)."""
    path = directory / FILES[name]
    return read_table(path if path.exists() else path.with_suffix(""), name=name, text=True)


def subset_sdtm(directory: Path, count: int) -> Path:
    """The files of :data:`FILES` with the records of DM's first ``count`` subjects only."""
    subjects = set(read_sdtm(SDTM, "DM")["USUBJID"].head(count))
    for name, file in FILES.items():
        frame = read_sdtm(SDTM, name)
        frame.loc[frame["USUBJID"].isin(subjects)].to_csv(directory / file.removesuffix(".gz"), index=False)
    return directory


def statistician(store: Store) -> Actor:
    from oncotrial.store import services

    with store.write() as session:
        services.bootstrap_admin(session, "admin", full_name="Trial Admin")
    with store.write() as session:
        admin = services.actor_for(session, "admin")
        services.add_user(session, admin, "stat", role="statistician", full_name="Statistician")
        services.add_user(session, admin, "monitor", role="monitor", full_name="Monitor")
    with store.read() as session:
        return services.actor_for(session, "stat")


@pytest.fixture
def sdtm_dir(tmp_path: Path) -> Path:
    """pharmaverse's SDTM folder with its first :data:`SUBJECTS` subjects."""
    return subset_sdtm(tmp_path, SUBJECTS)


@pytest.fixture
def imported(store: Store, sdtm_dir: Path) -> tuple[Store, Actor, ImportReport]:
    """``store`` with the pharmaverse set imported by the statistician ``stat``."""
    actor = statistician(store)
    return store, actor, import_sdtm(store, actor, sdtm_dir)
