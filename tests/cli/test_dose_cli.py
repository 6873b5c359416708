"""``oncotrial dose start|record``: the treatment start and each administration, checked against the patient's
calendar; a dose beyond the protocol's limits is refused with the limit named and nothing written.

Hand-worked NCT01416831 calendar (as in tests/store/test_dosing.py): treatment starts on a Monday; IL-2 every
8 h, at most 14 doses a cycle; a 70 kg patient's planned IL-2 dose is 600,000 IU/kg x 70 kg = 42,000,000 IU.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.conftest import as_user, query, randomised, run_ok
from tests.cli.helpers import assert_clean_error, run_cli


def _start(url: str, subject: str, at: str) -> tuple[str, ...]:
    return ("dose", "start", "--subject", subject, "--at", at, "--weight", "70", *as_user(url, "inv1"))


@pytest.fixture
def treated(trial_db: str, record_file: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """A randomised patient whose treatment started on Monday 2026-11-23 08:00 at 70 kg: (database, subject)."""
    subject = randomised(capsys, trial_db, record_file)
    out = run_ok(capsys, *_start(trial_db, subject, "2026-11-23T08:00"))
    assert "cycle 1 day 1 on 2026-11-23 08:00" in out
    return trial_db, subject


def _dose(url: str, subject: str, *argv: str) -> tuple[str, ...]:
    return ("dose", "record", "--subject", subject, "--treatment", "il2", *argv, *as_user(url, "inv1"))


def test_a_start_on_a_tuesday_is_refused_with_the_next_monday(
    trial_db: str, record_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """2026-11-24 is a Tuesday; the next Monday is 2026-11-30."""
    subject = randomised(capsys, trial_db, record_file)
    code, _, err = run_cli(capsys, *_start(trial_db, subject, "2026-11-24T08:00"))
    assert_clean_error(code, err)
    assert "next valid start date is Monday 2026-11-30" in err
    assert "(option --at)" in err
    assert query(trial_db, "SELECT count(*) FROM treatment_start") == [(0,)]


def test_a_dose_given_and_a_dose_held_are_recorded(
    treated: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    url, subject = treated
    given = run_ok(capsys, *_dose(url, subject, "--cycle", "1", "--number", "1", "--at", "2026-11-23T08:00"))
    assert given.strip() == f"Recorded il2 cycle 1 dose 1 of patient {subject}: given at 2026-11-23 08:00."
    held = json.loads(
        run_ok(
            capsys,
            *_dose(
                url,
                subject,
                "--cycle",
                "1",
                "--number",
                "2",
                "--status",
                "held",
                "--reason",
                "grade 3 hypotension",
                "--json",
            ),
        )
    )
    assert (held["status"], held["reason"]) == ("held", "grade 3 hypotension")
    assert query(url, "SELECT number, status FROM administration ORDER BY number") == [(1, "given"), (2, "held")]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        pytest.param(
            ["--cycle", "1", "--number", "15", "--at", "2026-11-27T23:59"],
            "at most 14 doses of il2 in a cycle",
            id="fifteenth_dose",
        ),
        pytest.param(
            ["--cycle", "1", "--number", "1", "--at", "2026-11-23T08:00", "--amount", "90000000", "--unit", "IU"],
            "more than the planned dose of 42,000,000 IU",
            id="above_planned_dose",
        ),
        pytest.param(
            ["--cycle", "1", "--number", "1", "--status", "held"], "give the reason", id="held_without_reason"
        ),
        pytest.param(["--cycle", "1", "--number", "1", "--status", "lost"], "(option --status)", id="unknown_status"),
        pytest.param(
            ["--cycle", "1", "--number", "1", "--at", "2026-11-17T08:00"], "before consent", id="before_consent"
        ),
        pytest.param(
            ["--cycle", "9", "--number", "1", "--at", "2026-11-23T08:00"],
            "9 cycles asked for, but at most 6 cycles in all. Ask for 6 or fewer; nothing was recorded (option --cycle)",
            id="cycle_beyond_the_arm",
        ),
        pytest.param(
            ["--cycle", "1", "--number", "1", "--at", "2027-11-23T08:00"],
            "after the cycle ends (2026-12-09); the delay is too long. Hold the dose instead, or record a delayed next "
            "cycle; nothing was recorded (option --at)",
            id="dose_after_the_cycle",
        ),
        pytest.param(
            ["--cycle", "1", "--number", "1", "--at", "2026-11-23T08:00", "--amount", "5"],
            "the amount 5 has no unit; give its unit (e.g. IU or mg); nothing was recorded (option --unit)",
            id="amount_without_unit",
        ),
    ],
)
def test_a_dose_against_the_protocol_is_refused_and_nothing_written(
    treated: tuple[str, str], argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line naming the patient (no batch row: one dose was entered) and, where one is at fault, the option."""
    url, subject = treated
    code, out, err = run_cli(capsys, *_dose(url, subject, *argv))
    assert_clean_error(code, err)
    assert out == ""
    assert says in err
    assert f"administration, patient {subject}: " in err
    assert "row 1" not in err
    assert len(err.strip().splitlines()) == 1
    assert query(url, "SELECT count(*) FROM administration") == [(0,)]


def test_a_treatment_start_is_corrected_with_a_reason(
    treated: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Weighed again at 72 kg: the start keeps its day and time, the weight is corrected, and the update's audit
    entry keeps the reason."""
    url, subject = treated
    out = run_ok(
        capsys,
        "dose",
        "correct-start",
        "--subject",
        subject,
        "--weight",
        "72",
        "--reason",
        "weighed again",
        *as_user(url, "inv1"),
    )
    assert out.strip() == (
        f"Corrected the treatment start of patient {subject}: cycle 1 day 1 on 2026-11-23 08:00, 72 kg (weighed again)."
    )
    assert query(url, "SELECT weight_kg, version FROM treatment_start") == [(72.0, 2)]
    assert query(url, "SELECT reason FROM audit_entry WHERE table_name = 'treatment_start' AND action = 'update'") == [
        ("weighed again",)
    ]


def test_a_hold_and_a_late_cycle_name_their_adverse_event(
    treated: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`ae add` prints the event's id; `dose record --ae` and `dose cycle-start --ae` keep it. Cycle 2 is planned
    on Monday 2026-12-14; a week later is within NCT01416831's 7 days."""
    url, subject = treated
    ae = run_ok(
        capsys, "ae", "add", "--subject", subject, "--term", "Hypotension", "--grade", "3", "--onset", "2026-11-23",
        "--not-serious", *as_user(url, "inv1"),
    )  # fmt: skip
    assert ae.startswith(f"Recorded adverse event 1 of patient {subject}")
    held = run_ok(
        capsys,
        *_dose(
            url, subject, "--cycle", "1", "--number", "1", "--status", "held", "--reason", "hypotension", "--ae", "1"
        ),
    )
    assert held.strip() == f"Recorded il2 cycle 1 dose 1 of patient {subject}: held (hypotension), for adverse event 1."
    late = run_ok(
        capsys, "dose", "cycle-start", "--subject", subject, "--cycle", "2", "--on", "2026-12-21", "--reason",
        "toxicity not resolved", "--ae", "1", *as_user(url, "inv1"),
    )  # fmt: skip
    assert late.strip() == (
        f"Recorded the start of cycle 2 of patient {subject} on 2026-12-21 (toxicity not resolved, for adverse event 1)."
    )
    assert query(url, "SELECT number, adverse_event_id FROM administration") == [(1, 1)]
    assert query(url, "SELECT cycle, adverse_event_id FROM cycle_start") == [(2, 1)]


def test_a_dose_above_the_plan_is_recorded_with_above_planned(
    treated: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """50,000,000 IU against 42,000,000 IU planned for 70 kg."""
    url, subject = treated
    argv = ["--cycle", "1", "--number", "1", "--at", "2026-11-23T08:00", "--amount", "50000000", "--unit", "IU"]
    out = run_ok(capsys, *_dose(url, subject, *argv, "--above-planned", "--reason", "escalated"))
    assert out.strip() == (
        f"Recorded il2 cycle 1 dose 1 of patient {subject}: given at 2026-11-23 08:00, 50,000,000 IU (escalated)."
    )
    assert query(url, "SELECT amount, allow_above_planned FROM administration") == [(50_000_000.0, 1)]


def test_dose_changes_list_each_change_with_its_adverse_event_for_the_site_that_may_read_it(
    treated: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The hold of dose 1 for event 1 is listed for site 01's investigator and the monitor; site 02's
    investigator sees none of site 01's patients."""
    url, subject = treated
    run_ok(
        capsys, "ae", "add", "--subject", subject, "--term", "Hypotension", "--grade", "3", "--onset", "2026-11-23",
        "--not-serious", *as_user(url, "inv1"),
    )  # fmt: skip
    run_ok(
        capsys,
        *_dose(url, subject, "--cycle", "1", "--number", "1", "--status", "held", "--reason", "BP 80/50", "--ae", "1"),
    )
    line = f"{subject}: adverse event 1 (Hypotension, grade 3, onset 2026-11-23): il2 cycle 1 dose 1 held (BP 80/50)"
    for user in ("inv1", "monitor"):
        assert run_ok(capsys, "dose", "changes", *as_user(url, user)).strip() == line
    assert "No dose of trial" in run_ok(capsys, "dose", "changes", *as_user(url, "inv2"))
    listed = json.loads(run_ok(capsys, "dose", "changes", "--json", *as_user(url, "inv1")))["changes"]
    assert [(c["subject_id"], c["event_id"], c["change"], c["cycle"], c["number"]) for c in listed] == [
        (subject, 1, "held", 1, 1)
    ]


def test_the_adverse_event_table_reads_the_trial_database(
    treated: tuple[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`safety ae-table --trial` reads AE, EX and DM from the store (the statistician's export permission): the
    one patient, dosed on 2026-11-23, with a grade 3 hypotension from 2026-11-24, counts once under any grade and
    grade >= 3, under its arm's name in the protocol (the list of the fixture gave arm A); an investigator may not
    export."""
    url, subject = treated
    run_ok(capsys, *_dose(url, subject, "--cycle", "1", "--number", "1", "--at", "2026-11-23T08:00"))
    run_ok(
        capsys, "ae", "add", "--subject", subject, "--term", "Hypotension", "--grade", "3", "--onset", "2026-11-24",
        "--not-serious", *as_user(url, "inv1"),
    )  # fmt: skip
    target = tmp_path / "ae_table.csv"
    run_ok(capsys, "safety", "ae-table", "--by", "ARM", "--out", str(target), *as_user(url, "stat"))
    table = pd.read_csv(target)
    overall = table[table["level"] == "any"]
    assert overall[["ARM", "N", "any", "grade_3_plus"]].values.tolist() == [["Arm A: IL-2 Monotherapy", 1, 1, 1]]
    code, _, err = run_cli(capsys, "safety", "ae-table", *as_user(url, "inv1"))
    assert_clean_error(code, err)
    assert "may not export" in err


def test_lab_results_of_the_trial_database_are_graded(
    treated: tuple[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`safety grade --trial` grades the store's lab results: haemoglobin 75 g/L (normal 120-160) is CTCAE v5
    anaemia grade 3 (< 80 g/L), and 125 g/L is grade 0."""
    from oncotrial.store import open_store
    from oncotrial.store.services import actor_for, record_lab_results

    url, subject = treated
    store = open_store(url)
    with store.write() as session:
        record_lab_results(
            session,
            actor_for(session, "inv1"),
            "NCT01416831",
            [
                {"subject_id": subject, "test_code": "HGB", "value": value, "unit": "g/L", "normal_low": 120,
                 "normal_high": 160, "collected_at": f"2026-11-2{day}T07:00"}
                for day, value in ((2, 125), (5, 75))
            ],
        )  # fmt: skip
    store.dispose()
    target = tmp_path / "grades.csv"
    run_ok(capsys, "safety", "grade", "--out", str(target), *as_user(url, "stat"))
    grades = pd.read_csv(target)
    assert grades[["USUBJID", "LBTESTCD", "ATOXDSCL", "ATOXGRL"]].values.tolist() == [
        [subject, "HGB", "Anemia", 0],
        [subject, "HGB", "Anemia", 3],
    ]


def test_nca_of_a_trial_without_pk_samples_says_so(
    treated: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = treated
    code, _, err = run_cli(capsys, "pk", "nca", *as_user(url, "stat"))
    assert_clean_error(code, err)
    assert "trial NCT01416831 has no PK samples recorded (SDTM PC); record them first" in err
