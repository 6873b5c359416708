"""``oncotrial km`` and ``oncotrial rates`` (``oncotrial.cli.endpoints``), run in-process through ``main(argv)``.

Reference: shared/reference/survival/ (shared/reference/README.md, section survival/), R 4.2.2 with
survival 3.5-3 on ``survival::lung`` written here as ``time, dead (status == 2), sex``: km_lung.csv,
median_lung.csv, summary.json. The response-rate file is hand-made; its counts and Fisher p are worked
out in the comments.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.cli.helpers import assert_clean_error, run_cli
from tests.conftest import shared_path

TABLE_KEYS = {"time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper"}
# Arm A: CR, PR, PR, PR, SD -> ORR 4/5, CR 1/5, DCR 5/5, SD 1/5, PD 0/5.
# Arm B: SD, PD, PD, NE, PD -> ORR 0/5, CR 0/5, DCR 1/5, SD 1/5, PD 3/5.
RATES_CSV = "USUBJID,ARM,BOR\n1,A,CR\n2,A,PR\n3,A,PR\n4,A,PR\n5,A,SD\n6,B,SD\n7,B,PD\n8,B,PD\n9,B,NE\n10,B,PD\n"


@pytest.fixture(scope="module")
def lung_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """survival::lung as ``time, dead, sex`` (dead = status == 2)."""
    data = pd.read_csv(shared_path("reference", "survival", "data_lung.csv"))
    path = tmp_path_factory.mktemp("km") / "lung.csv"
    pd.DataFrame({"time": data["time"], "dead": (data["status"] == 2).astype(int), "sex": data["sex"]}).to_csv(
        path, index=False
    )
    return path


@pytest.fixture(scope="module")
def r_lung() -> dict[str, Any]:
    """summary.json's lung entry and km_lung.csv."""
    base = ("reference", "survival")
    summary = json.loads(shared_path(*base, "summary.json").read_text(encoding="utf-8"))["lung"]
    return {"summary": summary, "km": pd.read_csv(shared_path(*base, "km_lung.csv"))}


def _km_args(path: Path, *extra: str) -> list[str]:
    return ["km", "--data", str(path), "--time", "time", "--event", "dead", "--group", "sex", *extra]


def _column(rows: list[dict[str, Any]], key: str) -> np.ndarray:
    return np.array([np.nan if row[key] is None else row[key] for row in rows], dtype=float)


# --- km -----------------------------------------------------------------------------------------


def test_km_json_matches_r_survfit_survdiff_coxph(
    capsys: pytest.CaptureFixture[str], lung_csv: Path, r_lung: dict[str, Any]
) -> None:
    """R: ``summary(survfit(Surv(time, dead) ~ sex), censored = TRUE)`` (km_lung.csv, log), its ``$table``
    (summary.json ``median``: all 310 (285, 363), sex 1 270 (212, 310), sex 2 426 (348, 550)),
    ``survdiff(Surv(time, dead) ~ sex)`` (``survdiff_rho0``), ``coxph(Surv(time, dead) ~ sex)``
    (``coxph_sex_efron``), reverse KM follow-up 588 (511, 1010) (``reverse_km_followup_log``)."""
    code, out, err = run_cli(capsys, *_km_args(lung_csv, "--json"))
    assert code == 0, err
    payload = json.loads(out)
    r = r_lung["summary"]
    assert {"all", "groups", "logrank", "cox", "follow_up"} <= set(payload)
    assert [(g["group"], g["n"], g["events"]) for g in payload["groups"]] == [("1", 138, 112), ("2", 90, 53)]
    medians = {row["strata"]: row for row in r["median"] if row["conf.type"] == "log"}
    for curve in [payload["all"], *payload["groups"]]:
        stratum = "all" if curve["group"] == "all" else f"grp={curve['group']}"
        expected = medians[stratum]
        assert curve["median"] == {"estimate": expected["median"], "lower": expected["lcl"], "upper": expected["ucl"]}
        km = r_lung["km"]
        rows = km[(km["strata"] == stratum) & (km["conf.type"] == "log")]
        assert len(curve["table"]) == len(rows)
        assert TABLE_KEYS <= set(curve["table"][0])
        for ours, theirs in (("time", "time"), ("n_risk", "n.risk"), ("n_event", "n.event"), ("n_censor", "n.censor")):
            np.testing.assert_array_equal(_column(curve["table"], ours), rows[theirs].to_numpy(dtype=float))
        for ours, theirs in (("surv", "surv"), ("std_err", "std.err_surv"), ("lower", "lower"), ("upper", "upper")):
            np.testing.assert_allclose(
                _column(curve["table"], ours), rows[theirs].to_numpy(dtype=float), rtol=1e-6, equal_nan=True
            )
    logrank, survdiff = payload["logrank"], r["survdiff_rho0"]
    assert (logrank["chisq"], logrank["df"], logrank["p"]) == (
        pytest.approx(survdiff["chisq"], rel=1e-6),
        1,
        pytest.approx(survdiff["p"], rel=1e-6),
    )
    cox, coxph = payload["cox"], r["coxph_sex_efron"]
    assert (cox["coef"], cox["hr"], cox["lower"], cox["upper"], cox["p"]) == (
        pytest.approx(coxph["coef"], rel=1e-6),
        pytest.approx(coxph["hr"], rel=1e-6),
        pytest.approx(coxph["hr_lower95"], rel=1e-6),
        pytest.approx(coxph["hr_upper95"], rel=1e-6),
        pytest.approx(coxph["wald_p"], rel=1e-6),
    )
    assert payload["follow_up"] == {"median": 588, "lower": 511, "upper": 1010}


def test_km_log_log_matches_r(capsys: pytest.CaptureFixture[str], lung_csv: Path) -> None:
    """median_lung.csv, conf.type log-log: all 310 (284, 361); sex 1 270 (210, 306); sex 2 426 (345, 524).
    summary.json ``reverse_km_followup_log-log``: 588 (511, 821)."""
    code, out, err = run_cli(capsys, *_km_args(lung_csv, "--conf-type", "log-log", "--json"))
    assert code == 0, err
    payload = json.loads(out)
    assert payload["all"]["median"] == {"estimate": 310, "lower": 284, "upper": 361}
    assert [g["median"] for g in payload["groups"]] == [
        {"estimate": 270, "lower": 210, "upper": 306},
        {"estimate": 426, "lower": 345, "upper": 524},
    ]
    assert payload["follow_up"] == {"median": 588, "lower": 511, "upper": 821}


def test_km_table_output_shows_median_and_logrank(capsys: pytest.CaptureFixture[str], lung_csv: Path) -> None:
    """Table output: R's median 310 (285, 363) overall (median_lung.csv), the log-rank chi-square 10.3267
    (summary.json survdiff_rho0 10.3267419548856) and the Cox HR 0.5880 (coxph_sex_efron 0.588002818563588)."""
    code, out, err = run_cli(capsys, *_km_args(lung_csv))
    assert code == 0, err
    assert re.search(r"all\W+228\W+165\W+310\.0\W+285\.0\W+363\.0", out)  # group, n, events, median, limits
    assert re.search(r"1\W+138\W+112\W+270\.0\W+212\.0\W+310\.0", out)
    assert "Log-rank (rho = 0): chi-square 10.3267 on 1 df" in out
    assert "HR 0.5880" in out


def test_km_bad_conf_type_is_a_clean_error(capsys: pytest.CaptureFixture[str], lung_csv: Path) -> None:
    """--conf-type logit: exit 1, the message names the option and the allowed values."""
    code, _, err = run_cli(capsys, *_km_args(lung_csv, "--conf-type", "logit"))
    assert_clean_error(code, err)
    assert "--conf-type 'logit' must be log, log-log or plain" in err


def test_km_missing_column_is_a_clean_error(capsys: pytest.CaptureFixture[str], lung_csv: Path) -> None:
    """--event died, absent from the file: exit 1 naming it."""
    code, _, err = run_cli(capsys, "km", "--data", str(lung_csv), "--time", "time", "--event", "died", "--group", "sex")
    assert_clean_error(code, err)
    assert "died" in err


def test_km_event_coded_2_is_a_clean_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """dead = 2 on the third data row: exit 1 naming the column and the row."""
    path = tmp_path / "bad.csv"
    path.write_text("time,dead,sex\n306,1,1\n455,1,1\n1010,2,1\n210,1,2\n")
    code, _, err = run_cli(capsys, *_km_args(path))
    assert_clean_error(code, err)
    assert "Column 'dead'" in err
    assert "row(s) 3 hold 2" in err


def test_km_json_when_the_curve_reaches_zero(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Times 1, 2, 3, 4, all deaths: S = .75, .5, .25, 0; median 2.5 (flat at 0.5 from 2 to 3, R's rule).
    R's survfit std.err at S = 0 is Inf; JSON has no Inf, so it must come out as null (or a number), not crash."""
    path = tmp_path / "four.csv"
    path.write_text("time,dead\n1,1\n2,1\n3,1\n4,1\n")
    code, out, err = run_cli(capsys, "km", "--data", str(path), "--time", "time", "--event", "dead", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["all"]["median"]["estimate"] == 2.5
    assert payload["all"]["table"][-1]["surv"] == 0


@pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")
def test_km_json_when_one_arm_has_no_events(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Arm A: deaths at 1, 2, 3, censored at 10; arm B: censored at 4, 5, 6. Cox's coefficient for B runs
    to -infinity (R's coxph warns and reports an infinite upper limit); the command must still end cleanly."""
    path = tmp_path / "mono.csv"
    path.write_text("time,dead,arm\n1,1,A\n2,1,A\n3,1,A\n10,0,A\n4,0,B\n5,0,B\n6,0,B\n")
    args = ["km", "--data", str(path), "--time", "time", "--event", "dead", "--group", "arm", "--json"]
    code, out, err = run_cli(capsys, *args)
    assert code in (0, 1), err
    if code == 0:
        json.loads(out)


def test_km_table_prints_na_for_a_median_not_reached(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Arm A: deaths at 1, 2, 3, 4.5, censored at 8: S_A = .8, .6, .4 -> median 3. Arm B: a death at 4, censored
    at 5, 6, 7: S_B = 3/4, never <= 0.5 -> median not reached (R prints NA). Overall: 8/9, 7/9, 6/9, then
    6/9 * 5/6 = 5/9 at 4 and 5/9 * 4/5 = 4/9 at 4.5 -> median 4.5."""
    path = tmp_path / "nr.csv"
    path.write_text("time,dead,arm\n1,1,A\n2,1,A\n3,1,A\n4.5,1,A\n8,0,A\n4,1,B\n5,0,B\n6,0,B\n7,0,B\n")
    code, out, err = run_cli(capsys, "km", "--data", str(path), "--time", "time", "--event", "dead", "--group", "arm")
    assert code == 0, err
    assert re.search(r"all\W+9\W+5\W+4\.5\W", out)
    assert re.search(r"A\W+5\W+4\W+3\.0\W", out)
    assert re.search(r"B\W+4\W+1\W+NA\W", out)


# --- rates --------------------------------------------------------------------------------------


@pytest.fixture
def rates_csv(tmp_path: Path) -> Path:
    path = tmp_path / "bor.csv"
    path.write_text(RATES_CSV)
    return path


def test_rates_json_by_arm_with_fisher_p_by_hand(capsys: pytest.CaptureFixture[str], rates_csv: Path) -> None:
    """ORR A 4/5 vs B 0/5. Fisher (R: ``fisher.test(matrix(c(4, 1, 0, 5), 2, byrow = TRUE))``): margins 5/5 with
    4 responders; P(k responders in A) = C(5,k) C(5,4-k) / C(10,4) = 5, 50, 100, 50, 5 (/210); observed k = 4
    (5/210) and the equally extreme k = 0: p = 10/210 = 1/21 = 0.047619. Difference 0.8."""
    code, out, err = run_cli(capsys, "rates", "--data", str(rates_csv), "--response", "BOR", "--group", "ARM", "--json")
    assert code == 0, err
    payload = json.loads(out)
    counts = {arm: {row["rate"]: (row["x"], row["n"]) for row in rows} for arm, rows in payload["rates"].items()}
    assert counts == {
        "A": {"ORR": (4, 5), "CR rate": (1, 5), "DCR": (5, 5), "SD rate": (1, 5), "PD rate": (0, 5)},
        "B": {"ORR": (0, 5), "CR rate": (0, 5), "DCR": (1, 5), "SD rate": (1, 5), "PD rate": (3, 5)},
    }
    comparison = payload["orr_comparison"]
    assert comparison["arms"] == ["A", "B"]
    assert comparison["fisher_p"] == pytest.approx(10 / 210, rel=1e-9)
    assert comparison["difference"] == pytest.approx(0.8)
    assert comparison["lower"] <= 0.8 <= comparison["upper"]
    # Clopper-Pearson 0/5: upper 1 - 0.025^(1/5) = 0.5218238
    assert payload["rates"]["B"][0]["upper"] == pytest.approx(1 - 0.025 ** (1 / 5), rel=1e-9)


def test_rates_table_by_arm(capsys: pytest.CaptureFixture[str], rates_csv: Path) -> None:
    """Table output: A's ORR 4/5 (80.0 %), B's PD 3/5 (60.0 %), the difference 80.0 % and Fisher p = 0.04762."""
    code, out, err = run_cli(capsys, "rates", "--data", str(rates_csv), "--response", "BOR", "--group", "ARM")
    assert code == 0, err
    assert re.search(r"ORR\W+4/5\W+80\.0", out)
    assert re.search(r"PD rate\W+3/5\W+60\.0", out)
    assert "Fisher p = 0.04762" in out


def test_rates_without_group_counts_everyone(capsys: pytest.CaptureFixture[str], rates_csv: Path) -> None:
    """All ten: ORR 4/10, CR 1/10, DCR 6/10 (5 + 1 SD in B), SD 2/10, PD 3/10; no comparison."""
    code, out, err = run_cli(capsys, "rates", "--data", str(rates_csv), "--response", "BOR", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert {row["rate"]: (row["x"], row["n"]) for row in payload["rates"]["all"]} == {
        "ORR": (4, 10),
        "CR rate": (1, 10),
        "DCR": (6, 10),
        "SD rate": (2, 10),
        "PD rate": (3, 10),
    }
    assert payload["orr_comparison"] is None


def test_rates_bad_method_and_missing_column_are_clean_errors(
    capsys: pytest.CaptureFixture[str], rates_csv: Path
) -> None:
    """--method wald: exit 1 naming it; --response RESP, absent: exit 1 naming it."""
    code, _, err = run_cli(capsys, "rates", "--data", str(rates_csv), "--response", "BOR", "--method", "wald")
    assert_clean_error(code, err)
    assert "'wald'" in err
    code, _, err = run_cli(capsys, "rates", "--data", str(rates_csv), "--response", "RESP")
    assert_clean_error(code, err)
    assert "RESP" in err
