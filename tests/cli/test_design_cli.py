"""``oncotrial design`` (``oncotrial.cli.design``), run in-process through ``main(argv)``.

Reference numbers:

* Simon (1989), p0 = 0.20, p1 = 0.40, alpha = 0.05, beta = 0.20: optimal 3/13, 12/43 and minimax
  4/18, 10/33 (clinfun ``ph2simon(0.2, 0.4, 0.05, 0.2)``, shared/reference/simon/simon_designs.csv,
  which also gives p0 = 0.05, p1 = 0.20: optimal 0/10, 3/29 and minimax 0/13, 3/27).
* clinfun ``twostage.inference(13, 3, 13, 43, 0.2, 0.05)`` (shared/reference/simon/
  two_stage_inference.csv): p-value 0.0495814497480525, UMVUE 0.370709206956267, limits 0.2003 and 0.4966.
* clinfun ``ph2single(0.2, 0.4, 0.05, 0.2)`` (shared/reference/simon/single_stage.csv): first design
  n = 35, r = 11, type I error 0.0343574006954932, type II error 0.195174503430638.
* Simon, Wittes & Ellenberg (1985) Table 1: 29 per arm for p = 0.20, difference 0.15, 2 arms.
* Monitoring and Bayesian values are worked out by hand (see tests/design/test_monitoring.py and
  tests/design/test_bayes.py for the arithmetic, repeated briefly here).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.cli.helpers import assert_clean_error, run_cli

SIMON_KEYS = {"r1", "n1", "r", "n", "en0", "pet0", "en1", "pet1", "alpha_achieved", "power_achieved"}


def _design(row: dict[str, object]) -> tuple[object, ...]:
    return tuple(int(row[k]) for k in ("r1", "n1", "r", "n"))  # type: ignore[call-overload]


# --- simon -----------------------------------------------------------------------------------


def test_simon_json_matches_simon_1989(capsys: pytest.CaptureFixture[str]) -> None:
    """Simon (1989) / clinfun ph2simon(0.2, 0.4, 0.05, 0.2): optimal 3/13, 12/43; minimax 4/18, 10/33."""
    code, out, _ = run_cli(capsys, "design", "simon", "--p0", "0.2", "--p1", "0.4", "--json")
    assert code == 0
    document = json.loads(out)
    assert set(document["optimal"]) == SIMON_KEYS
    assert set(document["minimax"]) == SIMON_KEYS
    assert _design(document["optimal"]) == (3, 13, 12, 43)
    assert _design(document["minimax"]) == (4, 18, 10, 33)
    # clinfun: EN(p0) 20.58027071488, PET(p0) 0.747324309504 for the optimal design.
    assert document["optimal"]["en0"] == pytest.approx(20.58027071488, abs=1e-9)
    assert document["optimal"]["pet0"] == pytest.approx(0.747324309504, abs=1e-12)
    requested = (document["p0"], document["p1"], document["alpha_requested"], document["beta_requested"])
    assert requested == (0.2, 0.4, 0.05, 0.2)
    assert document["admissible"][0]["label"] == "Minimax"


def test_simon_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "design", "simon", "--p0", "0.2", "--p1", "0.4")
    assert code == 0
    assert "3/13" in out
    assert "12/43" in out
    assert "4/18" in out
    assert "10/33" in out


def test_simon_json_to_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "simon.json"
    code, out, err = run_cli(capsys, "design", "simon", "--p0", "0.2", "--p1", "0.4", "--json", "--out", str(path))
    assert code == 0
    assert out == ""
    assert "Wrote" in err
    assert _design(json.loads(path.read_text(encoding="utf-8"))["optimal"]) == (3, 13, 12, 43)


def test_simon_table_out_writes_the_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--out is documented as 'Write the output to this file.'; without --json the table goes to stdout only."""
    path = tmp_path / "simon.txt"
    code, _, _ = run_cli(capsys, "design", "simon", "--p0", "0.2", "--p1", "0.4", "--out", str(path))
    assert code == 0
    assert path.exists()


@pytest.mark.parametrize(
    ("argv", "messages"),
    [
        pytest.param(["--p0", "0.4", "--p1", "0.3"], ["must be larger"], id="p1_below_p0"),
        pytest.param(["--p0", "0.2", "--p1", "0.3", "--nmax", "30"], ["set nmax to at least"], id="nmax_too_small"),
        pytest.param(["--p0", "0.2", "--p1", "0.4", "--alpha", "0.6"], ["alpha = 0.6"], id="alpha_too_large"),
    ],
)
def test_simon_bad_input_is_a_clean_error(
    capsys: pytest.CaptureFixture[str], argv: list[str], messages: list[str]
) -> None:
    code, _, err = run_cli(capsys, "design", "simon", *argv)
    assert_clean_error(code, err)
    assert "Error:" in err
    for message in messages:
        assert message in err


def test_simon_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "design", "simon", "--p0", "abc", "--p1", "0.4")
    assert_clean_error(code, err, expected_code=2)


@pytest.fixture
def scenarios(tmp_path: Path) -> Path:
    """Two scenarios with published designs (Simon 1989; clinfun reference CSV)."""
    path = tmp_path / "scenarios.csv"
    path.write_text("p0,p1,alpha,beta\n0.2,0.4,0.05,0.2\n0.05,0.2,0.05,0.2\n", encoding="utf-8")
    return path


def test_simon_grid_to_csv(capsys: pytest.CaptureFixture[str], scenarios: Path, tmp_path: Path) -> None:
    result = tmp_path / "result.csv"
    code, _, err = run_cli(capsys, "design", "simon", "--grid", str(scenarios), "--out", str(result))
    assert code == 0
    assert "Wrote" in err
    with result.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    found = {(row["scenario"], row["design"]): _design(row) for row in rows}  # type: ignore[arg-type]
    assert found == {
        ("1", "minimax"): (4, 18, 10, 33),
        ("1", "optimal"): (3, 13, 12, 43),
        ("2", "minimax"): (0, 13, 3, 27),
        ("2", "optimal"): (0, 10, 3, 29),
    }


def test_simon_grid_json(capsys: pytest.CaptureFixture[str], scenarios: Path) -> None:
    code, out, _ = run_cli(capsys, "design", "simon", "--grid", str(scenarios), "--json")
    assert code == 0
    records = json.loads(out)
    assert [(r["scenario"], r["design"]) for r in records] == [
        (1, "minimax"),
        (1, "optimal"),
        (2, "minimax"),
        (2, "optimal"),
    ]
    assert _design(records[1]) == (3, 13, 12, 43)
    assert _design(records[2]) == (0, 13, 3, 27)


def test_simon_grid_scenario_without_design_gets_a_note(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """p0 = 0.2, p1 = 0.3 needs n >= 116 (see test above), so nmax = 30 yields a 'none' row."""
    path = tmp_path / "scenarios.csv"
    path.write_text("p0,p1,alpha,beta,nmax\n0.2,0.3,0.05,0.2,30\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "design", "simon", "--grid", str(path), "--json")
    assert code == 0
    (record,) = json.loads(out)
    assert record["design"] == "none"
    assert "set nmax to at least" in record["note"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("p0,p1,alpha\n0.2,0.4,0.05\n", "lacks the column(s) beta", id="missing_column"),
        pytest.param("p0,p1,alpha,beta\n0.2,,0.05,0.2\n", "Scenario row 1 has no value for p1", id="empty_value"),
        pytest.param("p0,p1,alpha,beta\nabc,0.3,0.05,0.2\n", "Scenario row 1, p0: 'abc' is not a number", id="text"),
        pytest.param("p0,p1,alpha,beta\n0.1,0.3,5%,0.2\n", "Scenario row 1, alpha: '5%' is not a number", id="percent"),
        pytest.param("p0,p1,alpha,beta,nmax\n0.1,0.3,0.05,0.2,abc\n", "row 1, nmax: 'abc'", id="nmax-text"),
        pytest.param(
            "p0,p1,alpha,beta,nmax\n0.1,0.3,0.05,0.2,50.7\n", "nmax = 50.7 must be a whole", id="nmax-fraction"
        ),
        pytest.param("p0,p1,alpha,beta\n0.1,0.3,0.05,inf\n", "Scenario row 1: beta = inf must lie", id="beta-inf"),
        pytest.param("p0,p1,alpha,beta,nmax\n0.1,0.3,0.05,0.2,5000\n", "Scenario row 1: nmax = 5000", id="nmax-big"),
        pytest.param("p0,p1,alpha,beta\n", "The scenario table has no rows", id="header-only"),
    ],
)
def test_simon_grid_bad_file_is_a_clean_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "scenarios.csv"
    path.write_text(content, encoding="utf-8")
    code, _, err = run_cli(capsys, "design", "simon", "--grid", str(path))
    assert_clean_error(code, err)
    assert message in err


def test_simon_grid_missing_file_is_a_clean_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "design", "simon", "--grid", str(tmp_path / "absent.csv"))
    assert_clean_error(code, err)
    assert "Cannot read the scenario file" in err


# --- single ----------------------------------------------------------------------------------


def test_single_json_matches_clinfun_ph2single(capsys: pytest.CaptureFixture[str]) -> None:
    """clinfun ph2single(0.2, 0.4, 0.05, 0.2): first n = 35, r = 11, alpha 0.0343574006954932,
    beta 0.195174503430638; then 36/11, 38/12, 39/12, 40/12."""
    code, out, _ = run_cli(capsys, "design", "single", "--p0", "0.2", "--p1", "0.4", "--json")
    assert code == 0
    document = json.loads(out)
    assert (document["alpha_requested"], document["beta_requested"]) == (0.05, 0.2)
    designs = document["designs"]
    assert [(d["n"], d["r"]) for d in designs] == [(35, 11), (36, 11), (38, 12), (39, 12), (40, 12)]
    assert designs[0]["alpha_achieved"] == pytest.approx(0.0343574006954932, abs=1e-12)
    assert designs[0]["beta_achieved"] == pytest.approx(0.195174503430638, abs=1e-12)
    assert designs[0]["power_achieved"] == pytest.approx(1 - 0.195174503430638, abs=1e-12)


def test_single_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "design", "single", "--p0", "0.2", "--p1", "0.4", "--count", "1")
    assert code == 0
    assert "35" in out
    assert "0.0344" in out  # alpha 0.0343574 to 4 places


def test_single_bad_rates(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "design", "single", "--p0", "0.4", "--p1", "0.2")
    assert_clean_error(code, err)
    assert "must be larger" in err


# --- infer -----------------------------------------------------------------------------------


def test_infer_json_matches_clinfun(capsys: pytest.CaptureFixture[str]) -> None:
    """clinfun twostage.inference(x = 13, r1 = 3, n1 = 13, n = 43, pu = 0.2, alpha = 0.05)."""
    code, out, _ = run_cli(
        capsys, "design", "infer", "--design", "3/13,12/43", "--responses", "13", "--p0", "0.2", "--json"
    )
    assert code == 0
    result = json.loads(out)
    assert result["p_value"] == pytest.approx(0.0495814497480525, abs=1e-12)
    assert result["umvue"] == pytest.approx(0.370709206956267, abs=1e-12)
    assert result["lower"] == pytest.approx(0.2003, abs=1e-4)
    assert result["upper"] == pytest.approx(0.4966, abs=1e-4)
    assert result["stopped_stage1"] is False
    assert result["responses"] == 13


def test_infer_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "design", "infer", "--design", "3/13,12/43", "--responses", "13", "--p0", "0.2")
    assert code == 0
    assert "13 responses in 43 subjects" in out
    assert "p-value 0.04958" in out


@pytest.mark.parametrize(
    "design",
    [
        pytest.param("3-13", id="dash"),
        pytest.param("3/13", id="stage1_only"),
        pytest.param("3/13;12/43", id="semicolon"),
        pytest.param("a/13,12/43", id="letters"),
    ],
)
def test_infer_malformed_design_shows_the_form(capsys: pytest.CaptureFixture[str], design: str) -> None:
    code, _, err = run_cli(capsys, "design", "infer", "--design", design, "--responses", "13", "--p0", "0.2")
    assert_clean_error(code, err)
    assert f"--design '{design}' is not a two-stage design" in err
    assert "r1/n1,r/n" in err


def test_infer_impossible_design_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    """r1 = 13 of n1 = 13 is not a two-stage design (r1 must be below n1)."""
    code, _, err = run_cli(capsys, "design", "infer", "--design", "13/13,12/43", "--responses", "13", "--p0", "0.2")
    assert_clean_error(code, err)
    assert "The rule r1/n1 = 13/13, r/n = 12/43 is not a two-stage design" in err


def test_infer_missing_option_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "design", "infer", "--design", "3/13,12/43", "--p0", "0.2")
    assert_clean_error(code, err, expected_code=2)


# --- monitor ---------------------------------------------------------------------------------


def test_monitor_json_conditional_power(capsys: pytest.CaptureFixture[str]) -> None:
    """10 of 40 on 3/13, 12/43: more than 12 needs all 3 remaining: 0.5^3 = 0.125, 0.2^3 = 0.008."""
    code, out, _ = run_cli(
        capsys, "design", "monitor", "--design", "3/13,12/43", "--responses", "10", "--enrolled", "40",
        "--rate", "0.5", "--rate", "0.2", "--json",
    )  # fmt: skip
    assert code == 0
    decision = json.loads(out)
    assert decision["status"] == "continue to stage 2"
    assert decision["stage"] == 2
    assert (decision["responses"], decision["enrolled"]) == (10, 40)
    assert decision["conditional_power"] == {"0.5": pytest.approx(0.125), "0.2": pytest.approx(0.008)}


@pytest.mark.parametrize(
    ("responses", "enrolled", "status"),
    [
        # 2 of 10: 2 + 3 left could still pass r1 = 3.
        pytest.param("2", "10", "continue stage 1", id="continue_stage1"),
        # 0 of 11: 0 + 2 <= 3.
        pytest.param("0", "11", "stop for futility", id="futility_stage1"),
        # 13 of 20: 13 > 12.
        pytest.param("13", "20", "promising", id="promising"),
        # 4 of 10: 4 > 3.
        pytest.param("4", "10", "stage 1 passed", id="stage1_passed"),
    ],
)
def test_monitor_status(capsys: pytest.CaptureFixture[str], responses: str, enrolled: str, status: str) -> None:
    code, out, _ = run_cli(
        capsys, "design", "monitor", "--design", "3/13,12/43", "--responses", responses, "--enrolled", enrolled,
        "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["status"] == status


def test_monitor_text(capsys: pytest.CaptureFixture[str]) -> None:
    """12 of 41, rate 0.5: need >= 1 of 2, 1 - 0.25 = 0.75."""
    code, out, _ = run_cli(
        capsys, "design", "monitor", "--design", "3/13,12/43", "--responses", "12", "--enrolled", "41", "--rate", "0.5"
    )
    assert code == 0
    assert out.startswith("Continue to stage 2: ")
    assert "conditional power at p = 0.5: 0.750" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--responses", "11", "--enrolled", "10"], "responses = 11", id="more_responses_than_enrolled"),
        pytest.param(["--responses", "5", "--enrolled", "44"], "enrolled = 44", id="enrolled_above_n"),
        pytest.param(["--responses", "5", "--enrolled", "20", "--rate", "1.2"], "rate = 1.2", id="rate_above_one"),
    ],
)
def test_monitor_bad_input_is_a_clean_error(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, _, err = run_cli(capsys, "design", "monitor", "--design", "3/13,12/43", *argv)
    assert_clean_error(code, err)
    assert message in err


# --- select ----------------------------------------------------------------------------------


def test_select_sample_size_matches_simon_wittes_ellenberg_1985(capsys: pytest.CaptureFixture[str]) -> None:
    """Table 1: p = 0.20, difference 0.15, 2 arms, 0.90 -> 29 per arm; 3 arms -> 44."""
    code, out, _ = run_cli(capsys, "design", "select", "--p", "0.2", "--difference", "0.15", "--json")
    assert code == 0
    document = json.loads(out)
    assert document["n_per_arm"] == 29
    assert document["arms"] == 2
    code, out, _ = run_cli(capsys, "design", "select", "--p", "0.2", "--difference", "0.15", "--arms", "3", "--json")
    assert code == 0
    assert json.loads(out)["n_per_arm"] == 44


def test_select_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "design", "select", "--p", "0.2", "--difference", "0.15")
    assert code == 0
    assert out.startswith("29 subjects per arm (2 arms, 58 in all)")


def test_select_given_n_by_hand(capsys: pytest.CaptureFixture[str]) -> None:
    """n = 1, rates 0.4 / 0.2: correct 0.32 + 0.56 / 2 = 0.60, ties 0.48 + 0.08 = 0.56."""
    code, out, _ = run_cli(capsys, "design", "select", "--p", "0.2", "--difference", "0.2", "--n", "1", "--json")
    assert code == 0
    document = json.loads(out)
    assert document["rates"] == [0.4, 0.2]
    assert document["correct"] == pytest.approx(0.60, abs=1e-12)
    assert document["tie"] == pytest.approx(0.56, abs=1e-12)
    code, out, _ = run_cli(capsys, "design", "select", "--p", "0.2", "--difference", "0.2", "--n", "1")
    assert code == 0
    assert "1 per arm: correct selection 0.6000 (ties 0.5600, broken at random)" in out


def test_select_bad_target_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "design", "select", "--p", "0.2", "--difference", "0.15", "--target", "0.4")
    assert_clean_error(code, err)
    assert "target = 0.4 must lie between" in err


# --- bayes -----------------------------------------------------------------------------------


def test_bayes_predictive_json_by_hand(capsys: pytest.CaptureFixture[str]) -> None:
    """p0 = 0.5, nmax = 3, Beta(1, 1), theta_t = 0.6, theta_l = 0.2, one look at n = 1 (--every 2).

    Success needs 2 of 3 (P(p > 0.5) = 11/16 > 0.6 > 5/16); at n = 1, x = 0 has PP = 1/6 < 0.2.
    At p = 0.5: stop 0.5, promising 0.5 * 0.75 = 0.375, E[N] = 2.0.
    At p1 = 0.8: stop 0.2, promising 0.8 * (1 - 0.04) = 0.768, E[N] = 0.2 + 2.4 = 2.6.
    """
    code, out, _ = run_cli(
        capsys, "design", "bayes", "--p0", "0.5", "--nmax", "3", "--p1", "0.8", "--first-look", "1", "--every", "2",
        "--theta-t", "0.6", "--theta-l", "0.2", "--json",
    )  # fmt: skip
    assert code == 0
    document = json.loads(out)
    bounds = document["boundaries"]
    assert bounds["kind"] == "predictive"
    assert bounds["looks"] == [1]
    assert bounds["futility"] == [0]
    assert bounds["efficacy"] == [None]
    assert bounds["success"] == 2
    at_p0, at_p1 = document["characteristics"]
    assert at_p0["p"] == 0.5
    assert at_p0["promising"] == pytest.approx(0.375, abs=1e-12)
    assert at_p0["stop_futility"] == pytest.approx(0.5, abs=1e-12)
    assert at_p0["expected_n"] == pytest.approx(2.0, abs=1e-12)
    assert at_p1["p"] == 0.8
    assert at_p1["promising"] == pytest.approx(0.768, abs=1e-12)
    assert at_p1["expected_n"] == pytest.approx(2.6, abs=1e-12)


def test_bayes_predictive_every_subject(capsys: pytest.CaptureFixture[str]) -> None:
    """Looks at 1 and 2 (--every 1 is the default): at n = 2, x = 0 cannot reach 2 of 3 (PP = 0)."""
    code, out, _ = run_cli(
        capsys, "design", "bayes", "--p0", "0.5", "--nmax", "3", "--first-look", "1", "--theta-t", "0.6",
        "--theta-l", "0.2", "--json",
    )  # fmt: skip
    assert code == 0
    bounds = json.loads(out)["boundaries"]
    assert bounds["looks"] == [1, 2]
    assert bounds["futility"] == [0, 0]
    assert bounds["success"] == 2


def test_bayes_posterior_json_by_hand(capsys: pytest.CaptureFixture[str]) -> None:
    """Thall-Simon, p0 = 0.2, nmax = 10, look at 5, theta_l = 0.3: futility 0 (0.8^6 = 0.262 < 0.3),
    success 5 (P(Bin(11, 0.2) <= 4) = 0.94959 < 0.95 < 0.98835); at p0 stop 0.8^5 = 0.32768."""
    code, out, _ = run_cli(
        capsys, "design", "bayes", "--kind", "posterior", "--p0", "0.2", "--nmax", "10", "--first-look", "5",
        "--every", "10", "--theta-l", "0.3", "--json",
    )  # fmt: skip
    assert code == 0
    document = json.loads(out)
    assert document["boundaries"]["kind"] == "posterior"
    assert document["boundaries"]["futility"] == [0]
    assert document["boundaries"]["success"] == 5
    (at_p0,) = document["characteristics"]
    assert at_p0["stop_futility"] == pytest.approx(0.32768, abs=1e-12)
    assert at_p0["promising"] == pytest.approx(0.03268864, abs=1e-12)


def test_bayes_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "design", "bayes", "--p0", "0.5", "--nmax", "3", "--first-look", "1", "--every", "2",
        "--theta-t", "0.6", "--theta-l", "0.2",
    )  # fmt: skip
    assert code == 0
    assert "Promising at n = 3 if at least 2 respond." in out
    assert "p = 0.5: promising 0.3750, early futility stop 0.5000, expected n 2.0" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--kind", "other"], "--kind 'other' must be predictive or posterior", id="unknown_kind"),
        pytest.param(["--prior-a", "0"], "Beta prior parameters must be positive", id="bad_prior"),
        pytest.param(["--theta-t", "0.95"], "lower theta_t", id="unreachable_success"),
    ],
)
def test_bayes_bad_input_is_a_clean_error(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, _, err = run_cli(capsys, "design", "bayes", "--p0", "0.5", "--nmax", "3", "--first-look", "1", *argv)
    assert_clean_error(code, err)
    assert "Error:" in err
    assert message in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["select", "--p", "0.2", "--difference", "-0.15", "--n", "20"], "must be positive", id="select"),
        pytest.param(["select", "--p", "0.2", "--difference", "0.15", "--arms", "2000", "--n", "5"], "arms", id="arms"),
        pytest.param(["bayes", "--p0", "0.2", "--nmax", "1"], "--nmax = 1 must be a whole number", id="bayes-nmax"),
        pytest.param(["bayes", "--p0", "0.2", "--nmax", "20", "--p1", "1.5"], "--p1 = 1.5", id="bayes-p1"),
        pytest.param(
            ["bayes", "--p0", "0.2", "--nmax", "20", "--prior-a", "inf", "--first-look", "15"],
            "positive and finite",
            id="bayes-infinite-prior",
        ),
        pytest.param(
            ["infer", "--design", "3/13,2/43", "--responses", "5", "--p0", "0.2"], "is not a two-stage", id="r"
        ),
        pytest.param(
            ["simon", "--p0", "0.5", "--p1", "0.5395", "--nmax", "10"], "(1000 or more to see", id="hint-capped"
        ),
    ],
)
def test_design_cli_input_errors(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, _, err = run_cli(capsys, "design", *argv)
    assert_clean_error(code, err)
    assert message in err


def test_simon_without_rates_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "design", "simon", "--p0", "0.2")
    assert_clean_error(code, err, expected_code=2)
    assert "give --p0 and --p1" in err


def test_single_takes_nmax(capsys: pytest.CaptureFixture[str]) -> None:
    # clinfun ph2single(.2, .4, .05, .2) starts with n = 33, r = 10 (single_stage.csv); n <= 30 has none
    code, _, err = run_cli(capsys, "design", "single", "--p0", "0.2", "--p1", "0.4", "--nmax", "30")
    assert_clean_error(code, err)
    assert "n <= 30" in err


def test_grid_json_keeps_whole_numbers_and_full_precision(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_text("p0,p1,alpha,beta,nmax\n0.1,0.3,0.05,0.2,100\n0.2,0.3,0.05,0.2,30\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "design", "simon", "--grid", str(path), "--json")
    assert code == 0
    minimax, optimal, none = json.loads(out)
    assert (optimal["r1"], optimal["n1"], optimal["r"], optimal["n"]) == (1, 10, 5, 29)
    assert isinstance(optimal["n1"], int)
    assert isinstance(minimax["n_admissible"], int)
    assert none["design"] == "none"
    assert none["n1"] is None
    # PET0 of 1/10: .9^10 + 10 x .1 x .9^9 = 0.7360989291 exactly to 10 digits; full precision kept
    assert optimal["pet0"] == pytest.approx(0.9**10 + 10 * 0.1 * 0.9**9, abs=1e-15)


def test_grid_csv_to_a_missing_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_text("p0,p1,alpha,beta\n0.1,0.3,0.05,0.2\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "design", "simon", "--grid", str(path), "--out", str(tmp_path / "no" / "x.csv"))
    assert_clean_error(code, err)
    assert "Check that the folder exists" in err


def test_simon_text_is_the_search_result_with_its_note(capsys: pytest.CaptureFixture[str]) -> None:
    """p0 = .05, p1 = .25, nmax = 25: optimal 0/9, 2/17 (clinfun ph2simon, shared reference simon_designs.csv),
    whose n lies within 10 of nmax; the note is part of the printed result and every line fits 80 columns."""
    code, out, err = run_cli(capsys, "design", "simon", "--p0", "0.05", "--p1", "0.25", "--nmax", "25")
    assert code == 0
    assert out.startswith("Simon two-stage designs: p0 = 0.05, p1 = 0.25\n")
    assert "Optimal" in out
    assert "0/9" in out
    assert "Note: The optimal design's n = 17 is within 10 of nmax = 25" in out
    assert all(len(line) <= 80 for line in out.splitlines())
    assert err == ""


def test_simon_grid_csv_names_achieved_rates(
    capsys: pytest.CaptureFixture[str], scenarios: Path, tmp_path: Path
) -> None:
    """The grid keeps the scenario's requested alpha and beta and adds the achieved rates of each design."""
    result = tmp_path / "result.csv"
    code, _, _ = run_cli(capsys, "design", "simon", "--grid", str(scenarios), "--out", str(result))
    assert code == 0
    header = result.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"alpha", "beta", "alpha_achieved", "power_achieved"} <= set(header)
