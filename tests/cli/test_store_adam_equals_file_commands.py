"""``export_adam`` from the store gives the ADRS and ADTTE the file commands (``oncotrial recist --from-overall``,
``oncotrial adtte``) give on the same SDTM with pharmaverse's ADSL (issue 12, "Done when"), on SQLite and
PostgreSQL (the first 40 subjects of the set; the store fixtures come from tests/store)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncotrial.errors import TrialWarning
from oncotrial.io import read_table
from oncotrial.store import Actor, Store
from oncotrial.store.cdisc import ImportReport
from oncotrial.store.cdisc.adam import export_adam
from tests.cli.helpers import run_cli
from tests.store.cdisc.conftest import REFERENCE, imported, read_sdtm, sdtm_dir
from tests.store.conftest import pg_url, sqlite_template, store, store_url

__all__ = ["imported", "pg_url", "sdtm_dir", "sqlite_template", "store", "store_url"]  # fixtures used here

# the arm variables ADSL carries into ADRS: the store keeps no arm for a patient never randomised (pharmaverse's
# screen failures, whose ADSL ARM is "Screen Failure"), so theirs are empty from the store
ARM_VARIABLES = ["ARM", "ARMCD", "ACTARM", "ACTARMCD", "TRT01P", "TRT01A"]


def _file_commands(
    capsys: pytest.CaptureFixture[str], sdtm_dir: Path, tmp_path: Path
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``oncotrial recist --from-overall`` then ``oncotrial adtte`` on RS and pharmaverse's ADSL (its rows of
    the imported subjects)."""
    tmp_path.mkdir()
    subjects = set(read_sdtm(sdtm_dir, "DM")["USUBJID"])
    adsl = read_table(REFERENCE / "adam" / "adsl.csv", name="ADSL", text=True)
    adsl.loc[adsl["USUBJID"].isin(subjects)].to_csv(tmp_path / "adsl.csv", index=False)
    read_sdtm(sdtm_dir, "RS").to_csv(tmp_path / "rs.csv", index=False)
    adrs, adtte = tmp_path / "adrs.csv", tmp_path / "adtte.csv"
    code, _, err = run_cli(
        capsys, "recist", "--from-overall", "--rs", str(tmp_path / "rs.csv"), "--adsl", str(tmp_path / "adsl.csv"),
        "--out", str(adrs),
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run_cli(
        capsys, "adtte", "--adsl", str(tmp_path / "adsl.csv"), "--adrs", str(adrs), "--out", str(adtte)
    )
    assert code == 0, err
    return read_table(adrs, name="ADRS", text=True), read_table(adtte, name="ADTTE", text=True)


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    text = frame.astype("string").replace("", pd.NA)
    return text.sort_values(["USUBJID", "PARAMCD", *text.columns], kind="stable").reset_index(drop=True)


def test_store_adrs_and_adtte_equal_the_file_commands(
    imported: tuple[Store, Actor, ImportReport],
    sdtm_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Expected: the file commands' output on tests/reference/pharmaverse (RS, and pharmaverse's ADSL): every
    column and row equal, but for the arm variables of the screen failures (ARM_VARIABLES)."""
    store, actor, _ = imported
    expected_adrs, expected_adtte = _file_commands(capsys, sdtm_dir, tmp_path / "files")
    # the 7 screen failures among the first 40 subjects have no RANDDT (no RANDOMIZED record in DS), as the file
    # command also warns
    with store.read() as session, pytest.warns(TrialWarning, match=r"^7 subject\(s\) have no RANDDT"):
        files = export_adam(session, actor, "CDISCPILOT01", tmp_path / "adam")
    adrs = read_table(files["ADRS"], name="ADRS", text=True)
    adtte = read_table(files["ADTTE"], name="ADTTE", text=True)
    randomised = set(read_sdtm(sdtm_dir, "DS").query("DSDECOD == 'RANDOMIZED'")["USUBJID"])
    expected_adrs.loc[~expected_adrs["USUBJID"].isin(randomised), ARM_VARIABLES] = pd.NA
    assert list(adrs.columns) == list(expected_adrs.columns)
    pd.testing.assert_frame_equal(_normalised(adrs), _normalised(expected_adrs))
    assert list(adtte.columns) == list(expected_adtte.columns)
    pd.testing.assert_frame_equal(_normalised(adtte), _normalised(expected_adtte))
