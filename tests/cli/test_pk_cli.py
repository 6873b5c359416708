"""``oncotrial pk nca`` (``oncotrial.cli.pk``), run in-process through ``main(argv)``.

Reference: tests/reference/pk/ (PKNCA 0.12.1 ``pk.nca()``; provenance in tests/reference/README.md):
nca_theoph_lin_up_log_down.csv and nca_theoph_linear.csv for theoph.csv read as it is, and
nca_pc_lin_up_log_down.csv for the pharmaverse PC + EX pair with nominal times.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.helpers import assert_clean_error, run_cli
from tests.conftest import shared_path

PC = (
    "--pc",
    str(shared_path("pharmaverse", "sdtm", "pc.csv")),
    "--ex",
    str(shared_path("pharmaverse", "sdtm", "ex.csv")),
)


def test_pk_nca_on_theoph_prints_pkncas_values(capsys: pytest.CaptureFixture[str]) -> None:
    """Subject 1, lin up/log down (the default): AUClast 147.2, AUCinf,obs 214.9 (nca_theoph_lin_up_log_down.csv)."""
    code, out, _ = run_cli(capsys, "pk", "nca", "--data", str(shared_path("pk", "theoph.csv")))
    assert code == 0
    first = next(line for line in out.splitlines() if line.split()[:1] == ["1"])
    assert first.split() == ["1", "10.5", "1.12", "147.2", "0.04846", "14.3", "214.9", "31.49"]
    assert "NCA summary" in out


def test_pk_nca_json_linear_matches_pknca(capsys: pytest.CaptureFixture[str]) -> None:
    """--json --auc-method linear: subject 2's parameters equal nca_theoph_linear.csv to 1e-6."""
    code, out, _ = run_cli(
        capsys, "pk", "nca", "--data", str(shared_path("pk", "theoph.csv")), "--auc-method", "linear", "--json"
    )
    assert code == 0
    document = json.loads(out)
    assert document["auc_method"] == "linear"
    second = next(p for p in document["profiles"] if p["subject"] == 2)
    reference = pd.read_csv(shared_path("pk", "nca_theoph_linear.csv")).set_index("Subject").loc[2]
    for name in ("auclast", "aucinf.obs", "lambda.z", "cl.obs", "vz.obs", "mrt.obs", "lambda.z.n.points"):
        assert second[name] == pytest.approx(reference[name], rel=1e-6), name


def test_pk_nca_on_the_pc_ex_pair_writes_the_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--pc/--ex with nominal times, --out CSV: one row per subject with a subject column; the reference
    subjects' aucinf.obs equal nca_pc_lin_up_log_down.csv to 1e-6."""
    path = tmp_path / "nca.csv"
    code, _, _ = run_cli(capsys, "pk", "nca", *PC, "--out", str(path))
    assert code == 0
    table = pd.read_csv(path).set_index("subject")
    reference = pd.read_csv(shared_path("pk", "nca_pc_lin_up_log_down.csv")).set_index("USUBJID")
    got = table.loc[reference.index]
    assert got["aucinf.obs"].to_numpy() == pytest.approx(reference["aucinf.obs"].to_numpy(), rel=1e-6)
    assert got["lambda.z.n.points"].tolist() == reference["lambda.z.n.points"].tolist()
    assert {"cmax", "tmax", "clast.obs", "aucall", "half.life", "aucpext.obs"} <= set(table.columns)


def test_pk_nca_actual_times_differ_from_nominal(capsys: pytest.CaptureFixture[str]) -> None:
    """--times actual: the 5-minute sample is at 5/60 h, not PCTPTNUM's 0.08 h, so AUClast changes."""
    code, out, _ = run_cli(capsys, "pk", "nca", *PC, "--times", "actual", "--json")
    assert code == 0
    first = next(p for p in json.loads(out)["profiles"] if p["subject"] == "01-701-1028")
    assert first["auclast"] != pytest.approx(17.2145046269371, rel=1e-6)
    assert first["tlast"] == 24


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(("--conc", "concentration"), "lacks the column(s) concentration", id="missing_column"),
        pytest.param(("--auc-method", "log"), "--auc-method 'log' must be linear or lin-up/log-down", id="method"),
        pytest.param(("--blq-middle", "half"), "--blq-middle 'half': use keep, drop or a number", id="blq"),
        pytest.param(("--partial", "0to12"), "--partial '0to12'", id="partial"),
    ],
)
def test_pk_nca_bad_option_is_one_clean_line(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    code, _, err = run_cli(capsys, "pk", "nca", "--data", str(shared_path("pk", "theoph.csv")), *argv)
    assert_clean_error(code, err)
    assert message in " ".join(err.split())


def test_pk_nca_negative_time_names_the_row_and_subject(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("Subject,Time,conc,Dose\nA,0,0,1\nA,-1,2,1\nA,2,1,1\n")
    code, _, err = run_cli(capsys, "pk", "nca", "--data", str(path))
    assert_clean_error(code, err)
    assert "Row 2 (subject A): Time is -1, below 0" in " ".join(err.split())


BLQ_CSV = "Subject,Time,conc,Dose\nB,0,0,1\nB,1,0,1\nB,2,4,1\nB,3,0,1\nB,4,2,1\nB,6,0,1\nB,8,0,1\n"


@pytest.mark.parametrize(
    ("argv", "auclast", "aucall"),
    [
        # PKNCA's defaults: 3 h (middle) dropped: (0+4)/2 + 2·(4+2)/2 = 8; AUCall adds 2·(2+0)/2 = 2
        pytest.param((), 8.0, 10.0, id="defaults"),
        # 3 h kept as 0: 2 + (4+0)/2 + (0+2)/2 = 5
        pytest.param(("--blq-middle", "keep"), 5.0, 7.0, id="middle_kept"),
        # by tmax (2 h): 3, 6 and 8 h dropped: 8, and no triangle after tlast
        pytest.param(("--blq-after-tmax", "drop"), 8.0, 8.0, id="after_tmax_dropped"),
    ],
)
def test_pk_nca_blq_options_give_the_areas_worked_out_by_hand(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: tuple[str, ...], auclast: float, aucall: float
) -> None:
    path = tmp_path / "blq.csv"
    path.write_text(BLQ_CSV)
    code, out, _ = run_cli(capsys, "pk", "nca", "--data", str(path), "--auc-method", "linear", "--json", *argv)
    assert code == 0
    profile = json.loads(out)["profiles"][0]
    assert (profile["auclast"], profile["aucall"]) == pytest.approx((auclast, aucall), rel=1e-12)


def test_pk_nca_refuses_both_blq_schemes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "blq.csv"
    path.write_text(BLQ_CSV)
    code, _, err = run_cli(capsys, "pk", "nca", "--data", str(path), "--blq-last", "drop", "--blq-after-tmax", "drop")
    assert_clean_error(code, err)
    assert "not both" in err


def test_pk_nca_by_period_gives_a_row_per_subject_and_period(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--by period: subject S has two profiles, Cmax 4 (period 1) and 8 (period 2), read off the file."""
    path = tmp_path / "periods.csv"
    path.write_text("Subject,period,Time,conc,Dose\nS,1,0,0,1\nS,1,1,4,1\nS,1,2,2,1\nS,2,0,0,1\nS,2,1,8,1\nS,2,2,4,1\n")
    code, out, _ = run_cli(capsys, "pk", "nca", "--data", str(path), "--by", "period", "--json")
    assert code == 0
    profiles = json.loads(out)["profiles"]
    assert [(p["period"], p["subject"], p["cmax"]) for p in profiles] == [(1, "S", 4.0), (2, "S", 8.0)]
