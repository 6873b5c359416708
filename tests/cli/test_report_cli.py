"""``oncotrial report`` (from files and from the trial database) and ``oncotrial export ctgov-results``: the files
written and printed, and a clear one-line error (exit 1) for every misuse."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from oncotrial.io import derive_protocol_from_ctgov
from oncotrial.report import ReportData
from oncotrial.store import Actor, Store
from oncotrial.store.cdisc import ImportReport
from tests.cli.helpers import assert_clean_error, run_cli
from tests.conftest import ROOT
from tests.report.conftest import build_trial, trial, write_trial_files
from tests.store.cdisc.conftest import imported, sdtm_dir
from tests.store.conftest import builtin_protocol_text, pg_url, sqlite_template, store, store_url

__all__ = ["imported", "pg_url", "sdtm_dir", "sqlite_template", "store", "store_url", "trial"]  # fixtures used here


@pytest.fixture(scope="module")
def trial_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_trial_files(build_trial(), tmp_path_factory.mktemp("files"))


def test_report_from_files_writes_and_prints_the_files(
    trial_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = [item for name, path in trial_files.items() for item in (f"--{name}", str(path))]
    out = tmp_path / "report"
    code, printed, err = run_cli(capsys, "report", *options, "--protocol", "NCT01416831", "--out", str(out), "--no-pdf")
    assert code == 0, err
    lines = printed.splitlines()
    assert lines[0] == str(out / "report.html")
    assert sorted(lines[1:]) == sorted(str(path) for path in (out / "figures").iterdir())  # each figure file written
    assert {"consort.png", "consort.svg", "km_pfs.png", "km_os.png", "swimmer.png", "pk.png"} <= {
        Path(p).name for p in lines
    }
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'data-table="response"' in html
    assert "Randomised 1:1 between arms A and B" in html
    assert not (out / "report.pdf").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param([], "--trial ID .* or --adsl FILE", id="no_source"),
        pytest.param(["--trial", "X", "--adsl", "adsl.csv"], "not both", id="both_sources"),
        pytest.param(["--trial", "X", "--adrs", "adrs.csv"], "--adrs read files", id="file_with_trial"),
        pytest.param(["--adsl", "missing.csv"], "ADSL file missing.csv does not exist", id="missing_file"),
    ],
)
def test_report_misuse_is_one_clear_error(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, "report", *argv, "--out", str(tmp_path / "out"))
    assert_clean_error(code, err)
    assert err.count("\n") == 1
    assert re.search(message, " ".join(err.split()))


@pytest.mark.filterwarnings("ignore::oncotrial.errors.TrialWarning")  # screen failures: no RANDDT, no arm
def test_report_and_ctgov_results_from_the_database(
    imported: tuple[Store, Actor, ImportReport], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The pharmaverse subjects imported (CDISCPILOT01, no protocol): the report builds; the registry export
    needs the trial's NCT id, so it is refused until a protocol naming one is added, then written and read back
    by the registry reader with one participant-flow group per randomised arm."""
    from oncotrial.store import services

    store, actor, _ = imported
    db = ["--db", store.url, "--as", actor.username]
    out = tmp_path / "report"
    code, printed, err = run_cli(capsys, "report", "--trial", "CDISCPILOT01", *db, "--out", str(out), "--no-pdf")
    assert code == 0, err
    assert printed.splitlines()[0] == str(out / "report.html")
    record_path = tmp_path / "results.json"
    code, _, err = run_cli(capsys, "export", "ctgov-results", "--trial", "CDISCPILOT01", *db, "--out", str(record_path))
    assert_clean_error(code, err)
    assert "no ClinicalTrials.gov id" in err
    assert not record_path.exists()
    with store.write() as session:
        admin = services.actor_for(session, "admin")
        services.add_protocol_version(session, admin, "CDISCPILOT01", builtin_protocol_text(), reason="registry id")
    code, _, err = run_cli(capsys, "export", "ctgov-results", "--trial", "CDISCPILOT01", *db, "--out", str(record_path))
    assert code == 0, err
    record = json.loads(record_path.read_text(encoding="utf-8"))
    assert record["protocolSection"]["identificationModule"]["nctId"] == "NCT01416831"
    results = derive_protocol_from_ctgov(record).results
    assert results is not None
    started = results.flow[(results.flow["milestone"] == "STARTED") & (results.flow["period"] == "Overall Study")]
    assert started["subjects"].sum() > 0


def _readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### The report", 1)[1].split("\n### ", 1)[0]
    blocks = [block.split("```", 1)[0] for block in section.split("```sh")[1:]]
    lines = [line for block in blocks for line in block.replace("\\\n", " ").strip().splitlines()]
    return [shlex.split(line) for line in lines]


def test_the_readme_report_from_files_runs_as_written(
    trial: ReportData, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's commands: the one from files runs in a folder holding the trial's files under its names."""
    commands = _readme_commands()
    assert [words[:2] for words in commands] == [["oncotrial", "report"]] * 2 + [["oncotrial", "export"]]
    files = write_trial_files(trial, tmp_path)
    files["adae"].rename(tmp_path / "ae.csv")
    monkeypatch.chdir(tmp_path)
    code, printed, err = run_cli(capsys, *commands[1][1:])
    assert code == 0, err
    lines = printed.splitlines()
    assert lines[0] == str(Path("report") / "report.html")
    # from ADSL, ADRS, ADTTE, AE and EX: the CONSORT diagram, both Kaplan-Meier plots and the swimmer plot
    assert sorted(Path(p).stem for p in lines[1:] if p.endswith(".png")) == ["consort", "km_os", "km_pfs", "swimmer"]
