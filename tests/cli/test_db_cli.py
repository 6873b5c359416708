"""``oncotrial db init|upgrade|status``, and the database and user each command takes (--db, ONCOTRIAL_DB, the
default file; --as, ONCOTRIAL_USER): a database whose schema is behind is refused in one line naming the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.cli.conftest import query, run_ok
from tests.cli.helpers import assert_clean_error, run_cli


def _users(url: str) -> list[tuple[str, str]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(text("SELECT username, role FROM app_user ORDER BY id"))]
    engine.dispose()
    return rows  # type: ignore[return-value]


def test_init_creates_the_schema_and_the_first_admin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    out = run_ok(capsys, "db", "init", "--db", url, "--admin", "ada", "--admin-name", "Ada Byron")
    [(revision,)] = query(url, "SELECT version_num FROM alembic_version")
    assert f"schema revision {revision}" in out
    assert "ada (Ada Byron)" in out
    assert _users(url) == [("ada", "admin")]


def test_init_refuses_a_database_that_is_already_initialised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    run_ok(capsys, "db", "init", "--db", url)
    code, _, err = run_cli(capsys, "db", "init", "--db", url)
    assert_clean_error(code, err)
    assert "already initialised" in err
    assert "oncotrial db upgrade" in err


def test_init_needs_the_admin_name_with_the_admin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    code, _, err = run_cli(capsys, "db", "init", "--db", url, "--admin", "ada")
    assert_clean_error(code, err)
    assert "--admin-name" in err
    assert not (tmp_path / "new.db").exists()  # nothing was created


def test_status_says_current_and_json_gives_the_revisions(trial_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    [(revision,)] = query(trial_db, "SELECT version_num FROM alembic_version")
    assert f"schema revision {revision}, current" in run_ok(capsys, "db", "status", "--db", trial_db)
    status = json.loads(run_ok(capsys, "db", "status", "--db", trial_db, "--json"))
    assert (status["revision"], status["head"], status["state"]) == (revision, revision, "current")


def test_status_of_an_empty_database_names_db_init(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An empty SQLite file (as another tool may leave) has no oncotrial tables."""
    (tmp_path / "empty.db").touch()
    out = run_ok(capsys, "db", "status", "--db", f"sqlite:///{tmp_path / 'empty.db'}")
    assert "no oncotrial tables" in out
    assert "oncotrial db init" in out


@pytest.mark.parametrize("argv", [["db", "status"], ["db", "upgrade"], ["audit", "verify", "--as", "admin"]])
def test_a_missing_database_file_is_refused_not_created(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, *argv, "--db", f"sqlite:///{tmp_path / 'typo.db'}")
    assert_clean_error(code, err)
    assert "There is no database file" in err
    assert "oncotrial db init" in err
    assert not (tmp_path / "typo.db").exists()


@pytest.fixture
def behind_db(tmp_path: Path) -> str:
    """A database created at revision 0001, as the first oncotrial with a database did, with its first admin."""
    from oncotrial.store import open_store
    from oncotrial.store.migrate import init_schema
    from oncotrial.store.services import bootstrap_admin

    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = open_store(url, check_schema=False)
    init_schema(store, "0001")
    with store.write() as session:  # 0002 adds triggers and 0003 tables of its own: 0001's tables are today's
        bootstrap_admin(session, "ada", full_name="Ada Byron")
    store.dispose()
    return url


def test_a_database_behind_is_refused_in_one_line_naming_db_upgrade(
    behind_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "trial", "create", "T1", "--protocol", "NCT01416831", "--db", behind_db, "--as", "ada"
    )
    assert_clean_error(code, err)
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "schema revision 0001, older than this oncotrial's" in err
    assert "oncotrial db upgrade" in err


def test_status_of_a_database_behind_says_behind(behind_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    status = json.loads(run_ok(capsys, "db", "status", "--db", behind_db, "--json"))
    assert (status["revision"], status["state"]) == ("0001", "behind")
    assert "oncotrial db upgrade" in run_ok(capsys, "db", "status", "--db", behind_db)


def test_upgrade_migrates_a_database_behind_and_keeps_its_rows(
    behind_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_ok(capsys, "db", "upgrade", "--db", behind_db)
    [(revision,)] = query(behind_db, "SELECT version_num FROM alembic_version")
    assert f"from schema revision 0001 to {revision}" in out
    assert revision != "0001"
    assert _users(behind_db) == [("ada", "admin")]
    assert "Created trial T1" in run_ok(
        capsys, "trial", "create", "T1", "--protocol", "NCT01416831", "--db", behind_db, "--as", "ada"
    )


def test_upgrade_of_a_current_database_changes_nothing(trial_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    [(revision,)] = query(trial_db, "SELECT version_num FROM alembic_version")
    assert f"already at schema revision {revision}" in run_ok(capsys, "db", "upgrade", "--db", trial_db)
    assert ("admin", "admin") in _users(trial_db)


def test_the_database_comes_from_oncotrial_db_when_no_db_option(
    trial_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCOTRIAL_DB", trial_db)
    monkeypatch.setenv("ONCOTRIAL_USER", "inv1")
    out = run_ok(capsys, "patient", "enrol", "--trial", "NCT01416831", "--enrolled-on", "2026-11-18")
    assert "Enrolled patient 01-0001" in out


def test_the_default_database_is_oncotrial_db_in_the_working_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run_ok(capsys, "db", "init")
    assert (tmp_path / "oncotrial.db").is_file()


def test_a_command_without_a_user_says_to_give_one(trial_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "patient", "enrol", "--trial", "NCT01416831", "--db", trial_db)
    assert_clean_error(code, err)
    assert "--as USER" in err
    assert "ONCOTRIAL_USER" in err


def test_an_unknown_user_is_named_with_the_option(trial_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "patient", "enrol", "--trial", "NCT01416831", "--db", trial_db, "--as", "nobody")
    assert_clean_error(code, err)
    assert "user 'nobody' does not exist" in err
    assert "(option --as)" in err


@pytest.mark.parametrize(
    ("url", "says"),
    [
        pytest.param("mysql://u@h/db", "not supported", id="unsupported_backend"),
        pytest.param("sqlite:////no/such/folder/x.db", "no database file /no/such/folder/x.db", id="missing_folder"),
    ],
)
def test_a_database_that_cannot_be_used_is_refused_in_one_line(
    url: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "db", "status", "--db", url)
    assert_clean_error(code, err)
    assert says in err
    assert len(err.strip().splitlines()) == 1


def test_status_on_sqlite_and_postgresql(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The store's fixture gives a current database on each backend."""
    status = json.loads(run_ok(capsys, "db", "status", "--db", store_url, "--json"))
    assert status["state"] == "current"
    password = make_url(store_url).password
    if password:  # the PostgreSQL case: the URL's password is never printed
        assert str(password) not in json.dumps(status)
