"""``oncotrial patient enrol|consent|screen|randomise|delete``: what each records and prints, and the bad input
each refuses (one line naming the option or the patient, exit 1, nothing written)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.cli.conftest import (
    TRIAL,
    as_user,
    build_trial,
    consent_args,
    enrolled,
    query,
    run_ok,
    screen_args,
    screened,
)
from tests.cli.helpers import assert_clean_error, run_cli
from tests.store.conftest import eligible_record


def test_enrol_prints_the_subject_id_and_enrolment_number(trial_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Subject ids run SITE-NNNN within the site; enrolment numbers run across the trial (store's rules)."""
    first = run_ok(
        capsys,
        "patient",
        "enrol",
        "--enrolled-on",
        "2026-11-18",
        "--sex",
        "f",
        "--age",
        "65",
        *as_user(trial_db, "inv1"),
    )
    assert first.strip() == f"Enrolled patient 01-0001 at site 01 of trial {TRIAL} on 2026-11-18 (enrolment number 1)."
    second = json.loads(
        run_ok(capsys, "patient", "enrol", "--enrolled-on", "2026-11-19", "--json", *as_user(trial_db, "inv2"))
    )
    assert second == {
        "trial": TRIAL,
        "subject_id": "02-0001",
        "enrolment_number": 2,
        "site": "02",
        "enrolled_on": "2026-11-19",
    }
    assert query(trial_db, "SELECT subject_id, sex, age FROM patient ORDER BY id") == [
        ("01-0001", "F", 65.0),
        ("02-0001", None, None),
    ]


def test_enrol_keeps_name_and_birth_date_apart(trial_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_ok(
        capsys,
        "patient",
        "enrol",
        "--subject",
        "01-0042",
        "--enrolment-number",
        "21",
        "--name",
        "Mary Major",
        "--birth-date",
        "1961-04-02",
        *as_user(trial_db, "coord1"),
    )
    assert query(trial_db, "SELECT subject_id, enrolment_number FROM patient") == [("01-0042", 21)]
    assert query(trial_db, "SELECT name, birth_date FROM patient_identity") == [("Mary Major", "1961-04-02")]


@pytest.mark.parametrize(
    ("argv", "user", "says"),
    [
        pytest.param(["--sex", "Q"], "inv1", "sex 'Q': use F, M or U (option --sex)", id="sex"),
        pytest.param(["--age", "140"], "inv1", "(option --age)", id="implausible_age"),
        pytest.param(["--site", "02"], "inv1", "works at another site", id="other_site"),
        pytest.param(["--site", "09"], "inv1", "no site '09' (its sites: 01, 02) (option --site)", id="unknown_site"),
        pytest.param([], "monitor", "may not enter data", id="monitor_enters_nothing"),
        pytest.param(
            ["--enrolled-on", "18/11/2026"],
            "inv1",
            "--enrolled-on '18/11/2026' is not a date: write it as YYYY-MM-DD (e.g. 2026-11-23).",  # a day: no time
            id="date",
        ),
        pytest.param(
            ["--subject", "02-0001"],
            "inv1",
            "subject id '02-0001': it must begin with its site's code, 01- (e.g. 01-0007) (option --subject)",
            id="subject_of_another_site",
        ),
        pytest.param(
            ["--subject", "01 0001"],
            "inv1",
            "subject id '01 0001': use up to 64 letters, digits, '-', '.' or '_', with no spaces (e.g. 01-0007)",
            id="subject_with_a_space",
        ),
    ],
)
def test_enrol_refuses_bad_input_and_writes_nothing(
    trial_db: str, argv: list[str], user: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "patient", "enrol", *argv, *as_user(trial_db, user))
    assert_clean_error(code, err)
    assert out == ""
    assert says in err
    assert len(err.strip().splitlines()) == 1
    assert query(trial_db, "SELECT count(*) FROM patient") == [(0,)]


def test_a_duplicate_enrolment_number_is_refused_naming_the_patient_who_has_it(
    trial_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run_ok(capsys, "patient", "enrol", "--enrolment-number", "7", *as_user(trial_db, "inv1"))
    code, _, err = run_cli(capsys, "patient", "enrol", "--enrolment-number", "7", *as_user(trial_db, "inv2"))
    assert_clean_error(code, err)
    assert "enrolment number 7 is already patient 01-0001's" in err
    assert "(option --enrolment-number)" in err
    assert query(trial_db, "SELECT count(*) FROM patient") == [(1,)]


def test_screen_prints_each_criterion_and_the_result(
    trial_db: str, record_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The record meets all 20 criteria of NCT01416831 (tests/eligibility/test_evaluate.py checks them one by one)."""
    subject = enrolled(capsys, trial_db)
    out = run_ok(capsys, *screen_args(trial_db, subject, record_file))
    assert "Screening of patient 01-0001 (NCT01416831) at 2026-11-21 09:00" in out
    for criterion in ("melanoma-histology", "ecog", "pregnancy-test", "consent", "cardiac-ischemia", "creatinine"):
        assert any(line.startswith(criterion) and " met " in line for line in out.splitlines()), criterion
    assert out.strip().endswith("Patient 01-0001: eligible.")
    assert query(trial_db, "SELECT count(*) FROM screening_criterion WHERE status = 'met'") == [(20,)]


def test_screen_json_names_the_criterion_not_met(
    trial_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ECOG 3 fails NCT01416831's ECOG 0-1 inclusion criterion."""
    record = {**eligible_record(), "ecog": {"value": 3, "date": "2026-11-16"}}
    path = tmp_path / "ecog3.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    subject = enrolled(capsys, trial_db)
    result = json.loads(run_ok(capsys, *screen_args(trial_db, subject, path, "--json")))
    assert result["status"] == "ineligible"
    assert [c["criterion_id"] for c in result["criteria"] if c["status"] != "met"] == ["ecog"]


@pytest.mark.parametrize(
    ("content", "at", "says"),
    [
        pytest.param(
            "- {sex: female}\n- {sex: male}\n", "2026-11-21T09:00", "must hold one patient record", id="two_records"
        ),
        pytest.param(
            "ecog: {value: nine}\n", "2026-11-21T09:00", "the screening record cannot be read", id="bad_field"
        ),
        pytest.param(
            "sex: female\n",
            "2026-11-17T09:00",
            "is before consent on 2026-11-18; check the date (option --at)",
            id="before_consent",
        ),
    ],
)
def test_screen_refuses_bad_input_and_writes_nothing(
    trial_db: str, tmp_path: Path, content: str, at: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "record.yaml"
    path.write_text(content, encoding="utf-8")
    subject = enrolled(capsys, trial_db)
    code, _, err = run_cli(capsys, *screen_args(trial_db, subject, path, at=at))
    assert_clean_error(code, err)
    assert says in err
    assert query(trial_db, "SELECT count(*) FROM screening") == [(0,)]


def test_randomise_prints_the_arm_the_list_gave(
    trial_db: str, record_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The arm printed is the first place of the (one) stratum's concealed list, read here from the table."""
    subject = screened(capsys, trial_db, record_file)
    [(first_arm,)] = query(trial_db, "SELECT arm FROM allocation_slot WHERE sequence = 1")
    out = run_ok(capsys, "patient", "randomise", "--subject", subject, "--on", "2026-11-21", *as_user(trial_db, "inv1"))
    assert out.strip() == f"Randomised patient {subject} to arm {first_arm} on 2026-11-21."
    assert query(trial_db, "SELECT arm FROM randomisation") == [(first_arm,)]


@pytest.mark.parametrize(
    ("user", "argv", "says"),
    [
        pytest.param("coord1", [], "may not randomise", id="coordinator"),
        pytest.param("inv2", [], "works at another site", id="other_site"),
        pytest.param("inv1", ["--on", "2026-11-17"], "before consent", id="before_consent"),
        pytest.param("inv1", ["--factor", "site=01,02"], "give the patient's one level", id="two_levels"),
    ],
)
def test_randomise_refuses_and_assigns_nothing(
    trial_db: str, record_file: Path, user: str, argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    subject = screened(capsys, trial_db, record_file)
    code, _, err = run_cli(capsys, "patient", "randomise", "--subject", subject, *argv, *as_user(trial_db, user))
    assert_clean_error(code, err)
    assert says in err
    assert query(trial_db, "SELECT count(*) FROM randomisation") == [(0,)]
    assert query(trial_db, "SELECT count(*) FROM allocation_slot WHERE patient_id IS NOT NULL") == [(0,)]


def test_an_unscreened_patient_is_not_randomised(trial_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    subject = enrolled(capsys, trial_db)
    code, _, err = run_cli(
        capsys, "patient", "randomise", "--subject", subject, "--on", "2026-11-21", *as_user(trial_db, "inv1")
    )
    assert_clean_error(code, err)
    assert f"patient {subject} has not been screened" in err


def test_delete_is_soft_and_needs_a_reason(trial_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    subject = enrolled(capsys, trial_db)
    code, _, err = run_cli(
        capsys, "patient", "delete", "--subject", subject, "--reason", " ", *as_user(trial_db, "inv1")
    )
    assert_clean_error(code, err)
    assert "--reason" in err
    out = run_ok(
        capsys, "patient", "delete", "--subject", subject, "--reason", "entered twice", *as_user(trial_db, "inv1")
    )
    assert "Deleted patient 01-0001" in out
    assert query(trial_db, "SELECT subject_id, deleted_reason FROM patient") == [(subject, "entered twice")]
    code, _, err = run_cli(capsys, *consent_args(trial_db, subject, "3", "2026-11-20"))
    assert_clean_error(code, err)
    assert "no patient '01-0001' (deleted) (option --subject)" in err


def test_enrol_screen_and_randomise_on_sqlite_and_postgresql(
    store_url: str, record_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_trial(capsys, store_url, initialised=True)
    subject = screened(capsys, store_url, record_file)
    assigned = json.loads(
        run_ok(
            capsys,
            "patient",
            "randomise",
            "--subject",
            subject,
            "--on",
            "2026-11-21",
            "--json",
            *as_user(store_url, "inv1"),
        )
    )
    assert query(store_url, "SELECT arm FROM randomisation") == [(assigned["arm"],)]
    assert (assigned["subject_id"], assigned["stratum"]) == ("01-0001", "all=all")


def test_the_record_file_may_be_the_list_that_screen_template_writes(
    trial_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump([{"subject_id": "SCR-1", **eligible_record()}]), encoding="utf-8")
    subject = enrolled(capsys, trial_db)
    out = run_ok(capsys, *screen_args(trial_db, subject, path))
    assert "Patient 01-0001: eligible." in out
