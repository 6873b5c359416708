"""``oncotrial km`` and ``oncotrial rates`` (``oncotrial.cli.endpoints``), run in-process through ``main(argv)``.

Reference: shared/reference/survival/ (shared/reference/README.md, section survival/), R 4.2.2 with
survival 3.5-3 on ``survival::lung`` written here as ``time, dead (status == 2), sex``: km_lung.csv,
median_lung.csv, summary.json. The response-rate file is hand-made; its counts and Fisher p are worked
out in the comments.
"""

from __future__ import annotations

import gzip
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


def _column(table: dict[str, list[Any]], key: str) -> np.ndarray:
    """One column of a curve's table (the JSON holds each curve as columns; None where undefined)."""
    return np.array([np.nan if value is None else value for value in table[key]], dtype=float)


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
        assert len(curve["table"]["time"]) == len(rows)
        assert TABLE_KEYS <= set(curve["table"])
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


def test_km_event_coded_0_1_2_is_a_clean_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """dead = 0, 1 and 2: neither 0/1 nor R's 1/2; exit 1 naming the column and the row holding 2."""
    path = tmp_path / "bad.csv"
    path.write_text("time,dead,sex\n306,1,1\n455,0,1\n1010,2,1\n210,1,2\n")
    code, _, err = run_cli(capsys, *_km_args(path))
    assert_clean_error(code, err)
    assert "Column 'dead'" in err
    assert "row(s) 3 hold 2" in err


def test_km_on_r_lung_file_reads_status_1_2_and_leaves_out_na_groups(capsys: pytest.CaptureFixture[str]) -> None:
    """data_lung.csv as R wrote it: status 1/2 and ph.ecog NA in row 14. R's
    ``survdiff(Surv(time, status) ~ ph.ecog, lung)`` gives chi-square 21.96 on 3 df (R 4.2.2, survival
    3.5-3: 21.962131682476, n = 227); "NA" as a fifth group would give 4 df."""
    path = shared_path("reference", "survival", "data_lung.csv")
    code, out, err = run_cli(
        capsys, "km", "--data", str(path), "--time", "time", "--event", "status", "--group", "ph.ecog"
    )
    assert code == 0, err
    assert "Log-rank (rho = 0): chi-square 21.9621 on 3 df" in out
    flat = " ".join(err.split())
    assert (
        "Warning: 1 row(s) left out for a missing value (NA, '.' or empty), as R's na.omit does: 'ph.ecog' 1 (row(s) 14)."
        in flat
    )
    assert "Warning: Column 'status' is coded 1/2: read as R's Surv reads it, 1 = censored and 2 = event." in flat


def test_km_status_1_2_gives_r_medians(capsys: pytest.CaptureFixture[str]) -> None:
    """``survfit(Surv(time, status) ~ sex, lung)`` reads status 2 as death: median_lung.csv (log) all 310
    (285, 363), sex 1 270 (212, 310), sex 2 426 (348, 550); 165 events."""
    path = shared_path("reference", "survival", "data_lung.csv")
    code, out, err = run_cli(
        capsys, "km", "--data", str(path), "--time", "time", "--event", "status", "--group", "sex", "--json"
    )
    assert code == 0, err
    payload = json.loads(out)
    assert payload["all"]["events"] == 165
    assert [c["median"] for c in (payload["all"], *payload["groups"])] == [
        {"estimate": 310, "lower": 285, "upper": 363},
        {"estimate": 270, "lower": 212, "upper": 310},
        {"estimate": 426, "lower": 348, "upper": 550},
    ]


def test_km_without_events_prints_na_medians(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An early interim look, every subject censored (CNSR 1): R's survfit gives S = 1 and median NA; the
    command ends with 0 and says there is no comparison yet (naming CNSR, not an internal column)."""
    path = tmp_path / "interim.csv"
    path.write_text("AVAL,CNSR,ARM\n10,1,A\n20,1,B\n30,1,A\n40,1,B\n")
    code, out, err = run_cli(capsys, "km", "--data", str(path), "--time", "AVAL", "--censor", "CNSR", "--group", "ARM")
    assert code == 0, err
    assert re.search(r"all\W+4\W+0\W+NA\W+NA\W+NA\W", out)
    assert "No events in 'CNSR'" in " ".join(err.split())
    assert "_EVENT" not in err + out
    assert "Log-rank" not in out


def test_km_json_curves_are_columns(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Deaths at 1 and 3, a censoring at 2: S = 2/3 at 1, 2/3 at 2, 0 at 3; each curve's table is one list
    per column, not a list of rows."""
    path = tmp_path / "three.csv"
    path.write_text("time,dead\n1,1\n2,0\n3,1\n")
    code, out, err = run_cli(capsys, "km", "--data", str(path), "--time", "time", "--event", "dead", "--json")
    assert code == 0, err
    table = json.loads(out)["all"]["table"]
    assert table["time"] == [1, 2, 3]
    assert table["n_risk"] == [3, 2, 1]
    assert table["surv"] == [pytest.approx(2 / 3), pytest.approx(2 / 3), 0]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_km_table_file_holds_every_step_of_every_curve(
    capsys: pytest.CaptureFixture[str], lung_csv: Path, r_lung: dict[str, Any], tmp_path: Path, suffix: str
) -> None:
    """--table writes km_lung.csv's rows (log) for all, sex 1 and sex 2, one below the other, with the
    curve's name in ``group``; the values equal R's."""
    path = tmp_path / f"steps{suffix}"
    code, _, err = run_cli(capsys, *_km_args(lung_csv, "--table", str(path)))
    assert code == 0, err
    steps = pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path)
    km = r_lung["km"]
    for name, stratum in (("all", "all"), ("1", "grp=1"), ("2", "grp=2")):
        ours = steps[steps["group"].astype(str) == name]
        theirs = km[(km["strata"] == stratum) & (km["conf.type"] == "log")]
        np.testing.assert_array_equal(ours["time"].to_numpy(dtype=float), theirs["time"].to_numpy(dtype=float))
        np.testing.assert_allclose(ours["surv"].to_numpy(dtype=float), theirs["surv"].to_numpy(dtype=float), rtol=1e-6)
        np.testing.assert_allclose(
            ours["lower"].to_numpy(dtype=float), theirs["lower"].to_numpy(dtype=float), rtol=1e-6, equal_nan=True
        )


# --- cox ----------------------------------------------------------------------------------------


def test_cox_command_matches_r_with_a_named_reference_level(capsys: pytest.CaptureFixture[str]) -> None:
    """``coxph(Surv(time, status) ~ trt + relevel(factor(celltype), ref = "squamous") + karno, veteran)``
    (cox_multi_coefficients.csv / cox_multi_tests.csv, fit veteran_trt_celltype_karno): celltype adeno coef
    1.15399441386177, exp 3.17083326783049; karno -0.0312712960478022; likelihood ratio 61.0690919866106 on
    5 df, Wald 63.4072596000984, score 66.5485654450161; n 137, 128 events."""
    path = shared_path("reference", "survival", "data_veteran.csv")
    args = ["cox", "--data", str(path), "--time", "time", "--event", "status", "--covariate", "trt",
            "--covariate", "celltype:categorical:ref=squamous", "--covariate", "karno"]  # fmt: skip
    code, out, err = run_cli(capsys, *args, "--json")
    assert code == 0, err
    payload = json.loads(out)
    rows = {row["term"]: row for row in payload["coefficients"]}
    assert list(rows) == ["trt", "celltype=adeno", "celltype=large", "celltype=smallcell", "karno"]
    assert (rows["celltype=adeno"]["coef"], rows["celltype=adeno"]["exp_coef"]) == (
        pytest.approx(1.15399441386177, rel=1e-6),
        pytest.approx(3.17083326783049, rel=1e-6),
    )
    assert rows["karno"]["coef"] == pytest.approx(-0.0312712960478022, rel=1e-6)
    tests = payload["tests"]
    assert (tests["likelihood_ratio"]["chisq"], tests["likelihood_ratio"]["df"]) == (
        pytest.approx(61.0690919866106, rel=1e-6),
        5,
    )
    assert tests["wald"]["chisq"] == pytest.approx(63.4072596000984, rel=1e-6)
    assert tests["score"]["chisq"] == pytest.approx(66.5485654450161, rel=1e-6)
    assert (payload["n"], payload["events"]) == (137, 128)
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    assert re.search(r"celltype=adeno\W+1\.154\W+3\.171\W", out)
    assert "exp(coef)" in out
    assert "Likelihood ratio test = 61.07 on 5 df" in out
    assert "n = 137, number of events = 128" in out


def test_cox_command_stratified(capsys: pytest.CaptureFixture[str]) -> None:
    """``coxph(Surv(time, status) ~ age + factor(sex) + strata(inst), lung)`` (fit lung_age_sex_strata_inst):
    sex 2 coef -0.492351518651615, HR 0.611187484266829 (0.428180989120234, 0.872411784773381); the row
    without inst is left out (n 227)."""
    path = shared_path("reference", "survival", "data_lung.csv")
    code, out, err = run_cli(
        capsys, "cox", "--data", str(path), "--time", "time", "--event", "status", "--covariate", "age",
        "--covariate", "sex:categorical", "--strata", "inst", "--json",
    )  # fmt: skip
    assert code == 0, err
    payload = json.loads(out)
    sex = payload["coefficients"][1]
    assert (sex["term"], sex["coef"], sex["exp_coef"], sex["lower"], sex["upper"]) == (
        "sex=2",
        pytest.approx(-0.492351518651615, rel=1e-6),
        pytest.approx(0.611187484266829, rel=1e-6),
        pytest.approx(0.428180989120234, rel=1e-6),
        pytest.approx(0.872411784773381, rel=1e-6),
    )
    assert (payload["n"], payload["strata"]) == (227, "inst")
    assert "'inst' 1 (row(s) 156)" in " ".join(err.split())


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(("--covariate", "sex:factor"), "'factor' is not understood", id="bad_covariate_option"),
        pytest.param(("--covariate", "sex", "--ties", "exact"), "--ties 'exact' must be efron or breslow", id="ties"),
        pytest.param(("--covariate", "sex:ref=3"), "reference level '3' of 'sex'", id="unknown_reference"),
        pytest.param(("--covariate", "weight"), "lacks the column(s) weight", id="absent_column"),
    ],
)
def test_cox_command_bad_input_is_a_clean_error(
    capsys: pytest.CaptureFixture[str], lung_csv: Path, extra: tuple[str, ...], message: str
) -> None:
    """Each mistake stops with exit 1 and a message naming the option or column (sex has levels 1 and 2)."""
    code, _, err = run_cli(capsys, "cox", "--data", str(lung_csv), "--time", "time", "--event", "dead", *extra)
    assert_clean_error(code, err)
    assert message in " ".join(err.split())


# --- unreadable files ---------------------------------------------------------------------------


def test_km_truncated_gzip_says_the_file_is_cut_short(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A .csv.gz cut in half (an interrupted copy): exit 1 with the file named, not click's bare 'Aborted.'."""
    text = "time,dead\n" + "".join(f"{i},{i % 2}\n" for i in range(1, 20001))
    whole = gzip.compress(text.encode())
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    code, _, err = run_cli(capsys, "km", "--data", str(path), "--time", "time", "--event", "dead")
    assert_clean_error(code, err)
    assert "cut.csv.gz is cut short" in " ".join(err.split())
    assert "Aborted" not in err


def test_km_latin1_file_names_the_row_and_asks_for_utf8(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Row 2 holds 'Genève' written in Latin-1 (è is the byte 0xe8): exit 1 naming row 2 and how to fix it."""
    path = tmp_path / "sites.csv"
    path.write_bytes("time,dead,site\n10,1,Paris\n20,0,Genève\n30,1,Paris\n".encode("latin-1"))
    code, _, err = run_cli(capsys, "km", "--data", str(path), "--time", "time", "--event", "dead", "--group", "site")
    assert_clean_error(code, err)
    flat = " ".join(err.split())
    assert "is not UTF-8 text: row 2 holds the byte 0xe8" in flat
    assert "Save the file as UTF-8" in flat
    assert "codec" not in err


def test_km_json_when_the_curve_reaches_zero(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Times 1, 2, 3, 4, all deaths: S = .75, .5, .25, 0; median 2.5 (flat at 0.5 from 2 to 3, R's rule).
    R's survfit std.err at S = 0 is Inf; JSON has no Inf, so it must come out as null (or a number), not crash."""
    path = tmp_path / "four.csv"
    path.write_text("time,dead\n1,1\n2,1\n3,1\n4,1\n")
    code, out, err = run_cli(capsys, "km", "--data", str(path), "--time", "time", "--event", "dead", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["all"]["median"]["estimate"] == 2.5
    assert payload["all"]["table"]["surv"][-1] == 0


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


def test_rates_needs_a_response_column_or_a_parameter(capsys, tmp_path):
    path = tmp_path / "adsl.csv"
    path.write_text("USUBJID,BOR\nA,PR\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "rates", "--data", str(path))
    assert_clean_error(code, err)
    assert "--response" in err
    assert "--param" in err


def test_km_without_time_reads_aval_and_cnsr(capsys, tmp_path):
    """Three subjects, AVAL 1, 2, 3 with CNSR 0, 1, 0: by hand S = 2/3, 2/3, 0 (2/3 x 0/1 at 3), 2 events,
    median 3 (the first time S <= 1/2)."""
    path = tmp_path / "adtte.csv"
    path.write_text("USUBJID,PARAMCD,AVAL,CNSR\nA,OS,1,0\nB,OS,2,1\nC,OS,3,0\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "km", "--data", str(path), "--json")
    assert code == 0, err
    whole = json.loads(out)["all"]
    assert (whole["n"], whole["events"], whole["median"]["estimate"]) == (3, 2, 3.0)
    assert whole["table"]["surv"] == pytest.approx([2 / 3, 2 / 3, 0.0])
