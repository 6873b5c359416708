"""``oncotrial ae add``: an adverse event is recorded with its CTCAE grade and dates; a grade outside 1-5 (CTCAE
v5.0 grades 1 to 5), a resolution before onset and an onset before consent are refused, nothing written."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import as_user, enrolled, query, run_ok
from tests.cli.helpers import assert_clean_error, run_cli


@pytest.fixture
def consented(trial_db: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """A patient of site 01 who consented on 2026-11-18: (database, subject)."""
    return trial_db, enrolled(capsys, trial_db)


def _ae(url: str, subject: str, *argv: str) -> tuple[str, ...]:
    """``ae add`` of Hypotension for ``subject`` as inv1; not serious unless ``argv`` says."""
    seriousness = () if "--serious" in argv else ("--not-serious",)
    return ("ae", "add", "--subject", subject, "--term", "Hypotension", *seriousness, *argv, *as_user(url, "inv1"))


def test_seriousness_must_be_stated(consented: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    url, subject = consented
    code, _, err = run_cli(
        capsys,
        "ae",
        "add",
        "--subject",
        subject,
        "--term",
        "Fever",
        "--grade",
        "1",
        "--onset",
        "2026-11-23",
        *as_user(url, "inv1"),
    )
    assert code == 2
    assert "--serious" in err


def test_an_adverse_event_is_recorded_with_its_grade_and_dates(
    consented: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    url, subject = consented
    out = run_ok(
        capsys,
        *_ae(
            url,
            subject,
            "--grade",
            "3",
            "--onset",
            "2026-11-23",
            "--resolved",
            "2026-11-25",
            "--attribution",
            "probable",
            "--serious",
            "--action-taken",
            "drug interrupted",
        ),
    )
    assert out.strip() == (
        f"Recorded adverse event 1 of patient {subject}: Hypotension, grade 3, onset 2026-11-23, resolved 2026-11-25."
    )
    [row] = query(url, "SELECT term, grade, attribution, action_taken FROM adverse_event")
    assert row == ("Hypotension", 3, "PROBABLE", "DRUG INTERRUPTED")
    added = json.loads(run_ok(capsys, *_ae(url, subject, "--grade", "1", "--onset", "2026-11-26", "--json")))
    assert (added["id"], added["grade"]) == (2, "1")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        pytest.param(
            ["--grade", "6", "--onset", "2026-11-23"], "CTCAE grade 6 of 'Hypotension' is not a grade", id="grade_6"
        ),
        pytest.param(["--grade", "0", "--onset", "2026-11-23"], "(option --grade)", id="grade_0"),
        pytest.param(
            ["--grade", "2", "--onset", "2026-11-23", "--resolved", "2026-11-20"],
            "resolved 2026-11-20 is before onset 2026-11-23",
            id="resolution_before_onset",
        ),
        pytest.param(["--grade", "2", "--onset", "2026-11-10"], "before consent", id="onset_before_consent"),
        pytest.param(
            ["--grade", "2", "--onset", "2026-11-23", "--outcome", "better"], "(option --outcome)", id="outcome"
        ),
    ],
)
def test_a_bad_adverse_event_is_refused_and_nothing_written(
    consented: tuple[str, str], argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url, subject = consented
    code, out, err = run_cli(capsys, *_ae(url, subject, *argv))
    assert_clean_error(code, err)
    assert out == ""
    assert says in err
    assert query(url, "SELECT count(*) FROM adverse_event") == [(0,)]
