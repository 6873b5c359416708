"""Analyses read from the trial database (``--trial``) give what they give on files: NCA of the pharmaverse
subjects imported into the store equals PKNCA's reference (tests/reference/pk/, provenance in
tests/reference/README.md), on SQLite and PostgreSQL (the first 40 subjects of the set; fixtures from tests/store)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncotrial.store import Actor, Store
from oncotrial.store.cdisc import ImportReport
from tests.cli.helpers import run_cli
from tests.conftest import shared_path
from tests.store.cdisc.conftest import imported, read_sdtm, sdtm_dir
from tests.store.conftest import pg_url, sqlite_template, store, store_url

__all__ = ["imported", "pg_url", "sdtm_dir", "sqlite_template", "store", "store_url"]  # fixtures used here


def test_nca_of_the_stored_pc_and_ex_equals_pknca(
    imported: tuple[Store, Actor, ImportReport], sdtm_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`pk nca --trial` (PC and EX as `export sdtm` writes them from the store, nominal times, lin up/log down):
    every parameter of every reference subject among the imported ones, to 1e-6 relative, λz points exact."""
    store, actor, _ = imported
    target = tmp_path / "nca.csv"
    code, _, err = run_cli(
        capsys, "pk", "nca", "--trial", "CDISCPILOT01", "--db", store.url, "--as", actor.username, "--out", str(target)
    )
    assert code == 0, err
    reference = pd.read_csv(shared_path("pk", "nca_pc_lin_up_log_down.csv"))
    reference = reference[reference["USUBJID"].isin(set(read_sdtm(sdtm_dir, "DM")["USUBJID"]))]
    assert len(reference) > 0  # the 40 subjects hold some of the reference's
    got = pd.read_csv(target).set_index("subject").loc[reference["USUBJID"]]
    for column in reference.columns.drop("USUBJID"):
        expected, actual = reference[column].to_numpy(dtype=float), got[column].to_numpy(dtype=float)
        if column.startswith("lambda.z.") and column != "lambda.z":
            np.testing.assert_array_equal(actual, expected, err_msg=column)
        else:
            np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=0, err_msg=column)
