"""``oncotrial adtte`` and ``oncotrial km --param/--censor``: RS -> ADRS -> ADTTE -> Kaplan-Meier.

Expected counts from pharmaverseadam's ``adtte_onco`` (shared/reference/pharmaverse/adam): of 254
randomised subjects, PFS has 6 events (3 progressions, 3 deaths), OS 3 deaths, duration of response
4 responders with 1 progression; one subject with best response SD progresses (DSD); TTP counts the
3 progressions only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.helpers import assert_clean_error, run_cli
from tests.conftest import shared_path


def _recist(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    """The ADRS that ``recist --from-overall`` writes from rs_onco_recist.csv and adsl.csv."""
    base = shared_path("reference", "pharmaverse")
    adrs = tmp_path / "adrs.csv"
    code, _, err = run_cli(
        capsys, "recist", "--from-overall", "--rs", str(base / "sdtm" / "rs_onco_recist.csv"),
        "--adsl", str(base / "adam" / "adsl.csv"), "--out", str(adrs),
    )  # fmt: skip
    assert code == 0, err
    return adrs


@pytest.fixture
def adtte(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> tuple[Path, str]:
    base = shared_path("reference", "pharmaverse")
    adrs, adtte = _recist(capsys, tmp_path), tmp_path / "adtte.csv"
    code, _, err = run_cli(
        capsys, "adtte", "--adsl", str(base / "adam" / "adsl.csv"), "--adrs", str(adrs), "--out", str(adtte)
    )
    assert code == 0, err
    return adtte, err


def test_adtte_counts_match_pharmaverse(adtte: tuple[Path, str]) -> None:
    _, err = adtte
    assert "DOR 4 (1 events), DSD 1 (1 events), OS 254 (3 events), PFS 254 (6 events), TTP 254 (3 events)" in err
    assert "52 subject(s) have no RANDDT" in err


def test_km_on_adtte_with_censor_and_param(capsys: pytest.CaptureFixture[str], adtte: tuple[Path, str]) -> None:
    path, _ = adtte
    code, out, err = run_cli(
        capsys, "km", "--data", str(path), "--param", "PFS", "--time", "AVAL", "--censor", "CNSR", "--json"
    )
    assert code == 0, err
    assert '"n": 254' in out
    assert '"events": 6' in out


def test_km_needs_event_or_censor(capsys: pytest.CaptureFixture[str], adtte: tuple[Path, str]) -> None:
    path, _ = adtte
    code, _, err = run_cli(capsys, "km", "--data", str(path), "--time", "AVAL")
    assert_clean_error(code, err)
    assert "Give either event_col" in err
    assert "(options --event, --censor)" in " ".join(err.split())
    code, _, err = run_cli(capsys, "km", "--data", str(path), "--param", "XYZ", "--time", "AVAL", "--censor", "CNSR")
    assert_clean_error(code, err)
    assert "No rows with PARAMCD XYZ" in err


def test_adtte_bad_adrs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    adsl = tmp_path / "adsl.csv"
    pd.DataFrame({"USUBJID": ["S"], "RANDDT": ["2024-01-01"]}).to_csv(adsl, index=False)
    adrs = tmp_path / "adrs.csv"
    pd.DataFrame({"USUBJID": ["S"]}).to_csv(adrs, index=False)
    code, _, err = run_cli(capsys, "adtte", "--adsl", str(adsl), "--adrs", str(adrs), "--out", str(tmp_path / "o.csv"))
    assert_clean_error(code, err)
    assert "lacks the column(s) PARAMCD" in err


def test_readme_pipeline_groups_by_arm_without_a_merge(
    capsys: pytest.CaptureFixture[str], adtte: tuple[Path, str]
) -> None:
    """recist -> adtte -> km --group ARM, as in the README: the ADTTE carries ARM from ADSL. Counted from
    pharmaverseadam adtte_onco.csv (PFS): Placebo 86 subjects, 3 events; Xanomeline High Dose 84, 2;
    Xanomeline Low Dose 84, 1."""
    path, _ = adtte
    code, out, err = run_cli(
        capsys, "km", "--data", str(path), "--param", "PFS", "--time", "AVAL", "--censor", "CNSR",
        "--group", "ARM", "--json",
    )  # fmt: skip
    assert code == 0, err
    groups = {g["group"]: (g["n"], g["events"]) for g in json.loads(out)["groups"]}
    assert groups == {"Placebo": (86, 3), "Xanomeline High Dose": (84, 2), "Xanomeline Low Dose": (84, 1)}


def test_readme_rates_group_by_arm_on_the_adrs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """oncotrial rates --param BOR --group ARM on the ADRS that recist writes: BOR per arm counted from
    shared/reference/pharmaverse/admiralonco/adrs_from_rs_onco_recist.csv with ARM from adsl.csv: Placebo 86
    subjects, CR 1 and PR 1 (ORR 2/86); Xanomeline High Dose 84, CR 1; Xanomeline Low Dose 84, CR 1;
    Screen Failure 52, none."""
    adrs = _recist(capsys, tmp_path)
    code, out, err = run_cli(
        capsys, "rates", "--data", str(adrs), "--param", "BOR", "--response", "AVALC", "--group", "ARM", "--json"
    )
    assert code == 0, err
    result = json.loads(out)
    orr = {arm: next((r["n"], r["x"]) for r in rates if r["rate"] == "ORR") for arm, rates in result["rates"].items()}
    assert orr == {
        "Placebo": (86, 2),
        "Screen Failure": (52, 0),
        "Xanomeline High Dose": (84, 1),
        "Xanomeline Low Dose": (84, 1),
    }
