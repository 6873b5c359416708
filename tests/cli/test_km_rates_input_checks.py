"""Input checks of ``oncotrial km`` and ``oncotrial rates`` (the cores' own checks are in tests/endpoints/).

Every file here is a few rows written by hand; the expected counts, survival values and row numbers
are worked out in each docstring (rows are counted from 1 after the header).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.helpers import assert_clean_error, run_cli

ADTTE = "USUBJID,PARAMCD,AVAL,CNSR\nS1,OS,10,0\nS2,OS,20,1\nS1,PFS,5,0\nS2,PFS,8,0\n"
TWO_ARMS = "time,dead,arm\n1,1,A\n2,1,A\n3,0,A\n4,1,B\n5,1,B\n6,0,B\n"


def _write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _flat(text: str) -> str:
    return " ".join(text.split())


# --- km -------------------------------------------------------------------------------------------


def test_km_without_param_on_a_file_of_several_parameters_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """PARAMCD holds OS and PFS: pooling them into one curve is wrong, so --param is required."""
    path = _write(tmp_path, ADTTE)
    code, _, err = run_cli(capsys, "km", "--data", str(path), "--time", "AVAL", "--censor", "CNSR")
    assert_clean_error(code, err)
    assert "PARAMCD OS, PFS" in _flat(err)
    assert "--param" in err


def test_km_with_param_keeps_one_parameter(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--param PFS: S1 and S2 progress (CNSR 0) at 5 and 8 -> n 2, events 2; S = 1/2 exactly from 5 to 8,
    so the median is R's midpoint (5 + 8) / 2 = 6.5."""
    path = _write(tmp_path, ADTTE)
    code, out, err = run_cli(capsys, "km", "--data", str(path), "--time", "AVAL", "--censor", "CNSR", "--param", "PFS")
    assert code == 0, err
    assert re.search(r"all\W+2\W+2\W+6\.5\W", out)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(
            ("--tau", "-1"),
            "tau = -1 must be a positive time: the restricted mean is the area under the curve from 0 to tau. (option --tau)",
            id="tau_negative",
        ),
        pytest.param(("--tau", "0"), "tau = 0 must be a positive time", id="tau_zero"),
        pytest.param(("--group", "arm", "--rho", "nan"), "rho = nan must be a finite number >= 0", id="rho_nan"),
        pytest.param(("--group", "arm", "--rho", "-1"), "rho = -1 must be a finite number >= 0", id="rho_negative"),
        pytest.param(("--at", "-5"), "Landmark time(s) (landmarks) -5 must be finite times >= 0", id="at_negative"),
        pytest.param(
            ("--at", "10,inf"), "Landmark time(s) (landmarks) inf must be finite times >= 0", id="at_infinite"
        ),
        pytest.param(("--strata", "arm"), "Strata ('arm') stratify the comparison of groups", id="strata_no_group"),
    ],
)
def test_km_bad_options_are_clean_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, extra: tuple[str, ...], message: str
) -> None:
    """Each option outside its range stops the command with exit 1 and names the option."""
    path = _write(tmp_path, TWO_ARMS)
    code, _, err = run_cli(capsys, "km", "--data", str(path), "--time", "time", "--event", "dead", *extra)
    assert_clean_error(code, err)
    assert message in _flat(err)
    assert "(option --" in _flat(err)  # the core names its parameter, the CLI adds the option that sets it


def test_km_table_output_prints_the_landmarks(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Deaths at 1, 2, 4, a censoring at 3: S(1) = 3/4, S(2) = 3/4 * 2/3 = 0.5; at 2.5 two subjects
    (times 3 and 4) are at risk and S = 0.5000; at 0 all four are at risk and S = 1."""
    path = _write(tmp_path, "time,dead\n1,1\n2,1\n3,0\n4,1\n")
    code, out, err = run_cli(capsys, "km", "--data", str(path), "--time", "time", "--event", "dead", "--at", "0,2.5")
    assert code == 0, err
    assert "Survival at landmark times" in out
    assert re.search(r"all\W+0\W+4\W+1\.0000\W", out)
    assert re.search(r"all\W+2\.5\W+2\W+0\.5000\W", out)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.filterwarnings("ignore::oncotrial.errors.TrialWarning")
def test_km_degenerate_cox_fit_is_not_printed_as_numbers(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Arm A: deaths at 10 and 30, censored at 20; arm B: one death at 40, after A's last time. The Cox
    coefficient runs off to infinity: no HR of 0 or an infinite limit may be printed."""
    path = _write(tmp_path, "time,dead,arm\n10,1,A\n20,0,A\n30,1,A\n40,1,B\n")
    code, out, err = run_cli(capsys, "km", "--data", str(path), "--time", "time", "--event", "dead", "--group", "arm")
    assert code == 0, err
    assert "Cox (efron): HR not estimable (the fit did not converge)" in out
    assert "inf" not in out
    assert "HR 0.0000" not in out


def test_km_missing_group_column_lists_only_the_files_columns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--censor makes an internal event column; the message lists the file's columns only."""
    path = _write(tmp_path, "AVAL,CNSR\n10,0\n20,1\n")
    argv = ("km", "--data", str(path), "--time", "AVAL", "--censor", "CNSR", "--group", "ARM")
    code, _, err = run_cli(capsys, *argv)
    assert_clean_error(code, err)
    assert "lacks the column(s) ARM; it has AVAL, CNSR." in _flat(err)
    assert "_EVENT" not in err


def test_km_blank_group_is_left_out_with_a_warning(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The second data row has no arm: left out as R's na.omit leaves it (one warning line); A keeps the
    death at 10 (n 1, events 1), B the deaths at 30 and 40."""
    path = _write(tmp_path, "time,dead,arm\n10,1,A\n20,0,\n30,1,B\n40,1,B\n")
    code, out, err = run_cli(capsys, "km", "--data", str(path), "--time", "time", "--event", "dead", "--group", "arm")
    assert code == 0, err
    assert (
        "Warning: 1 row(s) left out for a missing value (NA, '.' or empty), as R's na.omit does: 'arm' 1 (row(s) 2)."
        in _flat(err)
    )
    assert re.search(r"all\W+3\W+3\W", out)
    assert re.search(r"A\W+1\W+1\W", out)


# --- rates ----------------------------------------------------------------------------------------


def _rates(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(capsys, "rates", "--data", str(path), "--response", "BOR", *extra)


def test_rates_unknown_responses_are_listed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """cr is CR in another case (accepted); 'Partial Response' (row 2), 'XX' (row 4) and '3' (row 5) are not."""
    path = _write(tmp_path, "USUBJID,BOR\nS1,cr\nS2,Partial Response\nS3,SD\nS4,XX\nS5,3\n")
    code, _, err = _rates(capsys, path)
    assert_clean_error(code, err)
    flat = _flat(err)
    assert "'Partial Response' (row 2); 'XX' (row 4); '3' (row 5)" in flat
    assert "CR, PR, SD, NON-CR/NON-PD, PD, NE, MISSING" in flat


def test_rates_blank_response_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """S1 has no BOR: it must be written MISSING, not silently counted as a non-responder."""
    path = _write(tmp_path, "USUBJID,BOR\nS1,\nS2,PR\n")
    code, _, err = _rates(capsys, path)
    assert_clean_error(code, err)
    assert "blank (row 1)" in _flat(err)


def test_rates_duplicated_subject_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """S1 appears on rows 1 and 2."""
    path = _write(tmp_path, "USUBJID,BOR,ARM\nS1,CR,A\nS1,CR,A\nS3,SD,B\nS4,PD,B\n")
    code, _, err = _rates(capsys, path)
    assert_clean_error(code, err)
    assert "USUBJID S1 has 2 rows (1, 2)" in _flat(err)


def test_rates_long_adrs_needs_param(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """PARAMCD BOR and OVR: without --param an error naming both; with --param BOR the three subjects'
    BORs CR, PD, PR give ORR 2/3 and PD rate 1/3."""
    text = "USUBJID,PARAMCD,BOR\nS1,OVR,PR\nS1,BOR,CR\nS2,OVR,PD\nS2,BOR,PD\nS3,OVR,PR\nS3,BOR,PR\n"
    path = _write(tmp_path, text)
    code, _, err = _rates(capsys, path)
    assert_clean_error(code, err)
    assert "PARAMCD BOR, OVR" in _flat(err)
    assert "--param" in err
    code, out, err = _rates(capsys, path, "--param", "BOR")
    assert code == 0, err
    assert re.search(r"ORR\W+2/3\W", out)
    assert re.search(r"PD rate\W+1/3\W", out)
    code, _, err = _rates(capsys, path, "--param", "CBOR")
    assert_clean_error(code, err)
    assert "No rows with PARAMCD CBOR" in _flat(err)


def test_rates_blank_group_is_left_out_with_a_warning(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """S2 (row 2) has no arm and S4 (row 4) an arm written NA: both left out; A is S1 (CR): ORR 1/1; B is S3 (SD)."""
    path = _write(tmp_path, "USUBJID,BOR,ARM\nS1,CR,A\nS2,PR,\nS3,SD,B\nS4,PR,NA\n")
    code, out, err = _rates(capsys, path, "--group", "ARM")
    assert code == 0, err
    assert "2 row(s) left out" in _flat(err)
    assert "'ARM' 2 (row(s) 2, 4)" in _flat(err)
    assert re.search(r"ORR\W+1/1\W", out)
    assert re.search(r"ORR\W+0/1\W", out)


@pytest.mark.parametrize("extra", [(), ("--group", "ARM")], ids=["no_group", "group"])
def test_rates_header_only_file_has_no_subjects(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, extra: tuple[str, ...]
) -> None:
    """A header without rows."""
    path = _write(tmp_path, "USUBJID,BOR,ARM\n")
    code, _, err = _rates(capsys, path, *extra)
    assert_clean_error(code, err)
    assert "no subjects" in err
    assert "whole number" not in err
