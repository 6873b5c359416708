"""The README's pipeline, ADSL + RS -> recist -> adtte -> km and rates, run exactly as the README writes it.

Expected values: pharmaverseadam's ``adtte_onco.csv`` (PFS subjects and events per arm, derived by admiral)
and admiralonco's best overall responses of ``rs_onco_recist`` (``adrs_subject_summary_rs_onco_recist.csv``;
subjects of ADSL without a response there are MISSING, not responders), in ``tests/reference/pharmaverse/``.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.helpers import run_cli
from tests.conftest import ROOT, shared_path


def _pipeline() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### From SDTM to the results", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [shlex.split(line)[1:] for line in block.strip().splitlines()]


@pytest.fixture
def outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """Run every README command in a folder holding RS.csv and ADSL.csv; the standard output of each."""
    shutil.copy(shared_path("reference", "pharmaverse", "sdtm", "rs_onco_recist.csv"), tmp_path / "RS.csv")
    shutil.copy(shared_path("reference", "pharmaverse", "adam", "adsl.csv"), tmp_path / "ADSL.csv")
    monkeypatch.chdir(tmp_path)
    printed = {}
    for argv in _pipeline():
        code, out, err = run_cli(capsys, *argv)
        assert code == 0, (argv, err)
        printed[argv[0]] = out
    return printed


def test_the_readme_pipeline_is_four_commands_on_the_files_it_names() -> None:
    assert [argv[0] for argv in _pipeline()] == ["recist", "adtte", "km", "rates"]


def test_km_by_arm_on_the_adtte_it_wrote_equals_admiral(outputs: dict[str, str]) -> None:
    reference = pd.read_csv(shared_path("reference", "pharmaverse", "adam", "adtte_onco.csv"))
    pfs = reference[reference["PARAMCD"] == "PFS"]
    for arm, rows in pfs.groupby("ARM"):
        n, events = len(rows), int((rows["CNSR"] == 0).sum())
        assert re.search(rf"{re.escape(str(arm))}[\s│]+{n}[\s│]+{events}[\s│]", outputs["km"]), arm


def test_rates_by_arm_on_the_adrs_it_wrote_equal_admiralonco(outputs: dict[str, str]) -> None:
    base = ("reference", "pharmaverse")
    adsl = pd.read_csv(shared_path(*base, "adam", "adsl.csv"))
    best = pd.read_csv(shared_path(*base, "admiralonco", "adrs_subject_summary_rs_onco_recist.csv"))
    merged = adsl[["USUBJID", "ARM"]].merge(best[["USUBJID", "AVALC_BOR"]], on="USUBJID", how="left")
    sections = outputs["rates"].split("Response rates: ")[1:]
    assert len(sections) == merged["ARM"].nunique()
    for arm, rows in merged.groupby("ARM"):
        responders = int(rows["AVALC_BOR"].isin(["CR", "PR"]).sum())
        section = next(s for s in sections if s.startswith(f"{arm} ("))
        assert re.search(rf"ORR[\s│]+{responders}/{len(rows)}[\s│]", section), arm
