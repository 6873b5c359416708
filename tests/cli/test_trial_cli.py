"""``oncotrial trial create|allocation``, ``site add`` and ``user add``: what each records and prints, and the
bad input each refuses (one line naming the option, exit 1, nothing written)."""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files
from pathlib import Path

import pytest

from tests.cli.conftest import TRIAL, query, run_ok
from tests.cli.helpers import assert_clean_error, run_cli


@pytest.fixture
def admin_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    url = f"sqlite:///{tmp_path / 'trial.db'}"
    run_ok(capsys, "db", "init", "--db", url, "--admin", "admin", "--admin-name", "Trial Admin")
    return url


def test_create_stores_the_builtin_protocol_verbatim(admin_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The stored text is the library file's, byte for byte; its SHA-256 is hashlib's of that file."""
    shipped = (files("oncotrial.protocol.library") / f"{TRIAL}.yaml").read_text(encoding="utf-8")
    digest = hashlib.sha256(shipped.encode("utf-8")).hexdigest()
    created = json.loads(
        run_ok(capsys, "trial", "create", TRIAL, "--protocol", TRIAL, "--db", admin_db, "--as", "admin", "--json")
    )
    assert (created["trial"], created["protocol_id"], created["protocol_version"]) == (TRIAL, TRIAL, 1)
    assert created["sha256"] == digest
    assert query(admin_db, "SELECT yaml_text, sha256 FROM protocol_version") == [(shipped, digest)]


def test_create_from_a_protocol_file_keeps_its_comments(
    admin_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = (files("oncotrial.protocol.library") / "CALGB-500001.yaml").read_text(encoding="utf-8")
    path = tmp_path / "mine.yaml"
    path.write_text("# our copy, amended locally\n" + shipped, encoding="utf-8")
    out = run_ok(capsys, "trial", "create", "LOCAL-1", "--protocol", str(path), "--db", admin_db, "--as", "admin")
    assert "Created trial LOCAL-1" in out
    assert "Protocol CALGB-500001, version 1" in out
    [(stored,)] = query(admin_db, "SELECT yaml_text FROM protocol_version")
    assert stored.startswith("# our copy, amended locally\n")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        pytest.param(["--protocol", "NOPE-1"], "no built-in protocol 'NOPE-1'", id="unknown_builtin"),
        pytest.param(["--protocol", "missing.yaml"], "Cannot read the protocol file", id="missing_file"),
        pytest.param(["--protocol", TRIAL, "--as", "nobody"], "user 'nobody' does not exist", id="unknown_user"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(
    admin_db: str, argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        capsys, "trial", "create", TRIAL, "--db", admin_db, *(argv if "--as" in argv else [*argv, "--as", "admin"])
    )
    assert_clean_error(code, err)
    assert says in err
    assert query(admin_db, "SELECT count(*) FROM trial") == [(0,)]


def test_only_an_admin_creates_a_trial(trial_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "trial", "create", "T2", "--protocol", TRIAL, "--db", trial_db, "--as", "inv1")
    assert_clean_error(code, err)
    assert "may not manage trial" in err
    assert "(option --as)" in err


def test_allocation_prints_that_the_list_was_drawn_never_the_list(
    admin_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """NCT01416831 randomises A:B 1:1, so the default blocks are of 2 and 4 (one and two times the ratio's sum)."""
    run_ok(capsys, "trial", "create", TRIAL, "--protocol", TRIAL, "--db", admin_db, "--as", "admin")
    out = run_ok(
        capsys,
        "trial",
        "allocation",
        TRIAL,
        "--seed",
        "987654321",
        "--factor",
        "site=01,02",
        "--db",
        admin_db,
        "--as",
        "admin",
    )
    assert "permuted blocks of 2 or 4" in out
    assert "strata by site (01, 02)" in out
    assert "987654321" not in out
    arms = [arm for (arm,) in query(admin_db, "SELECT arm FROM allocation_slot ORDER BY stratum, sequence")]
    assert set(arms) == {"A", "B"}
    assert "".join(arms[:8]) not in out  # the sequence of arms is not printed


def test_trial_commands_name_the_code_argument_not_a_trial_option(
    trial_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``trial create`` and ``trial allocation`` take the code as the argument CODE; they have no --trial."""
    code, _, err = run_cli(capsys, "trial", "create", TRIAL, "--protocol", TRIAL, "--db", trial_db, "--as", "admin")
    assert_clean_error(code, err)
    assert "already exists" in err
    assert "(argument CODE)" in err
    code, _, err = run_cli(capsys, "trial", "allocation", "NOPE-1", "--db", trial_db, "--as", "admin")
    assert_clean_error(code, err)
    assert "'NOPE-1' is not in the database" in err
    assert "(argument CODE)" in err


def test_allocation_is_drawn_once(trial_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "trial", "allocation", TRIAL, "--db", trial_db, "--as", "admin")
    assert_clean_error(code, err)
    assert "never drawn twice" in err


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        pytest.param(["--block-sizes", "2,x"], "--block-sizes", id="block_size_not_a_number"),
        pytest.param(["--factor", "site"], "--factor", id="factor_without_levels"),
        pytest.param(["--method", "coin"], "--method", id="unknown_method"),
    ],
)
def test_allocation_refuses_bad_options(
    admin_db: str, argv: list[str], option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run_ok(capsys, "trial", "create", TRIAL, "--protocol", TRIAL, "--db", admin_db, "--as", "admin")
    code, _, err = run_cli(capsys, "trial", "allocation", TRIAL, *argv, "--db", admin_db, "--as", "admin")
    assert_clean_error(code, err)
    assert option in err
    assert query(admin_db, "SELECT count(*) FROM allocation_secret") == [(0,)]


def test_site_and_user_add_print_what_they_recorded(admin_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    admin = ("--db", admin_db, "--as", "admin")
    run_ok(capsys, "trial", "create", TRIAL, "--protocol", TRIAL, *admin)
    assert run_ok(capsys, "site", "add", "07", "--trial", TRIAL, "--name", "Leeds", *admin).strip() == (
        f"Added site 07 (Leeds) to trial {TRIAL}."
    )
    out = run_ok(
        capsys,
        "user",
        "add",
        "jsmith",
        "--role",
        "coordinator",
        "--name",
        "Jane Smith",
        "--trial",
        TRIAL,
        "--site",
        "07",
        *admin,
    )
    assert out.strip() == f"Added user jsmith (Jane Smith), coordinator at site 07 of trial {TRIAL}."
    added = json.loads(run_ok(capsys, "user", "add", "mo", "--role", "monitor", "--name", "Mo", "--json", *admin))
    assert (added["username"], added["role"], added["site"]) == ("mo", "monitor", None)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        pytest.param(["x1", "--role", "boss", "--name", "X"], "(option --role)", id="unknown_role"),
        pytest.param(
            ["x1", "--role", "coordinator", "--name", "X"], "give the trial and the site", id="site_role_without_site"
        ),
        pytest.param(
            ["x1", "--role", "coordinator", "--name", "X", "--trial", TRIAL, "--site", "09"],
            "no site '09'",
            id="unknown_site",
        ),
        pytest.param(["inv1", "--role", "monitor", "--name", "X"], "already exists", id="duplicate_username"),
    ],
)
def test_user_add_refuses_bad_input_and_writes_nothing(
    trial_db: str, argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = query(trial_db, "SELECT count(*) FROM app_user")
    code, _, err = run_cli(capsys, "user", "add", *argv, "--db", trial_db, "--as", "admin")
    assert_clean_error(code, err)
    assert says in err
    assert query(trial_db, "SELECT count(*) FROM app_user") == before


def test_site_add_refuses_a_site_twice(trial_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(
        capsys, "site", "add", "01", "--trial", TRIAL, "--name", "Again", "--db", trial_db, "--as", "admin"
    )
    assert_clean_error(code, err)
    assert "already has a site '01' (argument CODE)" in err


def test_trial_create_and_site_add_on_sqlite_and_postgresql(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli.conftest import build_trial

    build_trial(capsys, store_url, initialised=True)
    assert query(store_url, "SELECT code FROM site ORDER BY code") == [("01",), ("02",)]
