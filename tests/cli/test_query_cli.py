"""``oncotrial query``: the monitor raises a query on a patient, the site answers it, the monitor closes it;
``list`` shows them; a role that may not act gets a clean error naming the permission, and nothing is written."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import as_user, enrolled, query, run_ok
from tests.cli.helpers import assert_clean_error, run_cli


def test_raise_answer_close_and_list(trial_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    subject = enrolled(capsys, trial_db)
    raised = json.loads(
        run_ok(capsys, "query", "raise", "--subject", subject, "--text", "Consent version?", "--json",
               *as_user(trial_db, "monitor"))
    )  # fmt: skip
    number = str(raised["id"])
    assert run_ok(capsys, "query", "answer", "--query", number, "--answer", "2.0", *as_user(trial_db, "coord1")) == (
        f"Answered query {number}.\n"
    )
    listed = run_ok(capsys, "query", "list", "--status", "answered", *as_user(trial_db, "monitor"))
    assert listed.splitlines() == [
        f"{number}  {subject} (site 01)  answered: Consent version?",
        "    answer (coord1): 2.0",
    ]
    run_ok(capsys, "query", "close", "--query", number, "--version", "2", *as_user(trial_db, "monitor"))
    assert query(trial_db, "SELECT status, answer FROM data_query") == [("closed", "2.0")]
    assert run_ok(capsys, "query", "list", "--status", "open", *as_user(trial_db, "monitor")) == "No query.\n"


def test_a_site_role_cannot_raise_and_nothing_is_written(trial_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    subject = enrolled(capsys, trial_db)
    code, _, err = run_cli(capsys, "query", "raise", "--subject", subject, "--text", "x", *as_user(trial_db, "inv1"))
    assert_clean_error(code, err)
    assert "may not raise query" in err
    assert query(trial_db, "SELECT count(*) FROM data_query") == [(0,)]


def test_an_empty_answer_names_the_option(trial_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    subject = enrolled(capsys, trial_db)
    run_ok(capsys, "query", "raise", "--subject", subject, "--text", "Date?", *as_user(trial_db, "monitor"))
    code, _, err = run_cli(capsys, "query", "answer", "--query", "1", "--answer", " ", *as_user(trial_db, "inv1"))
    assert_clean_error(code, err)
    assert "--answer" in err
    assert "the answer is empty" in err
