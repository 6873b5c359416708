"""``oncotrial demo``: the database it builds (44 randomised in two arms, about 60 screened, failures with their
reasons, a verified audit trail), the summary it prints (equal to what is read back from the database and the
report), and its folder handling (its own folder replaced, another refused untouched).

Expected values: the response rates are counted from the stored investigator responses (RS) and their exact
intervals computed here with scipy's beta quantiles (Clopper-Pearson); the median PFS is the product-limit median
computed here by hand from the ADTTE file the demo wrote (R's rule: the first time the curve is at or below 0.5,
the midpoint to the next event time when it is exactly 0.5).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from argon2 import PasswordHasher
from scipy.stats import beta
from sqlalchemy import func, select

from oncotrial.store import open_store
from oncotrial.store.audit import verify_chain
from oncotrial.store.models import (
    Assessment,
    Patient,
    Randomisation,
    RecordedResponse,
    Screening,
    ScreeningCriterion,
    User,
)
from tests.cli.demo_run import built_demo, run_demo
from tests.cli.helpers import assert_clean_error


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return built_demo(tmp_path_factory)


def _url(folder: Path) -> str:
    return f"sqlite:///{(folder / 'demo.db').resolve()}"


def _table_rows(printed: str, first_column: str) -> dict[str, list[str]]:
    """The rows of the printed table whose first cell is one of ``first_column``'s values, by that cell."""
    rows = {}
    for line in printed.splitlines():
        cells = [cell.strip() for cell in line.split("│")]
        if len(cells) > 1 and re.fullmatch(first_column, cells[0]):
            rows[cells[0]] = cells
    return rows


def test_the_database_holds_44_randomised_in_two_arms_and_about_60_screened(demo: tuple[Path, str]) -> None:
    store = open_store(_url(demo[0]))
    with store.read() as session:
        arms = dict(session.execute(select(Randomisation.arm, func.count()).group_by(Randomisation.arm)).all())
        patients = session.execute(select(func.count()).select_from(Patient)).scalar_one()
        screenings = session.execute(select(func.count()).select_from(Screening)).scalar_one()
    store.dispose()
    assert set(arms) == {"A", "B"}
    assert sum(arms.values()) == 44
    assert 50 <= patients <= 70
    assert screenings == patients


def test_each_screen_failure_has_its_reason(demo: tuple[Path, str]) -> None:
    """The scenario's reasons: ecog, brain-mets-not-radiosurgery, pulmonary-function, cardiac-ischemia."""
    store = open_store(_url(demo[0]))
    with store.read() as session:
        failed = session.execute(
            select(Screening.patient_id, ScreeningCriterion.criterion_id, ScreeningCriterion.reason)
            .join(ScreeningCriterion, ScreeningCriterion.screening_id == Screening.id)
            .where(Screening.status == "ineligible", ScreeningCriterion.status == "not met")
        ).all()
        ineligible = session.execute(select(func.count()).where(Screening.status == "ineligible")).scalar_one()
        randomised = session.execute(
            select(func.count())
            .select_from(Randomisation)
            .join(Screening, Screening.patient_id == Randomisation.patient_id)
            .where(Screening.status != "eligible")
        ).scalar_one()
    store.dispose()
    assert ineligible > 0
    assert len(failed) == ineligible  # one criterion not met each
    assert {criterion for _, criterion, _ in failed} <= {
        "ecog",
        "brain-mets-not-radiosurgery",
        "pulmonary-function",
        "cardiac-ischemia",
    }
    assert all(reason for _, _, reason in failed)
    assert randomised == 0


def test_the_audit_trail_verifies(demo: tuple[Path, str]) -> None:
    store = open_store(_url(demo[0]))
    with store.read() as session:
        report = verify_chain(session)
    store.dispose()
    assert report.ok


def _clopper_pearson(x: int, n: int) -> tuple[float, float]:
    lower = 0.0 if x == 0 else float(beta.ppf(0.025, x, n - x + 1))
    upper = 1.0 if x == n else float(beta.ppf(0.975, x + 1, n - x))
    return lower, upper


def test_the_printed_response_rates_are_the_stored_responses(demo: tuple[Path, str]) -> None:
    """Responders: randomised patients with a recorded overall response CR or PR (RS OVRLRESP) at any visit."""
    folder, printed = demo
    store = open_store(_url(folder))
    with store.read() as session:
        arms = dict(session.execute(select(Randomisation.patient_id, Randomisation.arm)).all())
        responders = set(
            session.execute(
                select(RecordedResponse.patient_id).where(
                    RecordedResponse.test_code == "OVRLRESP", RecordedResponse.response.in_(["CR", "PR"])
                )
            ).scalars()
        )
    store.dispose()
    rows = _table_rows(printed, "[AB]")
    assert set(rows) == {"A", "B"}
    for arm, cells in rows.items():
        n = sum(1 for a in arms.values() if a == arm)
        x = sum(1 for pid, a in arms.items() if a == arm and pid in responders)
        lower, upper = _clopper_pearson(x, n)
        assert cells[1:4] == [f"{x}/{n}", f"{100 * x / n:.1f} %", f"{100 * lower:.1f}-{100 * upper:.1f} %"]


def _km_median(times: list[float], events: list[int]) -> float | None:
    survival, event_times = 1.0, sorted({t for t, e in zip(times, events, strict=True) if e})
    for index, t in enumerate(event_times):
        at_risk = sum(1 for u in times if u >= t)
        deaths = sum(1 for u, e in zip(times, events, strict=True) if e and u == t)
        survival *= 1 - deaths / at_risk
        if abs(survival - 0.5) < 1e-12:
            return (t + event_times[index + 1]) / 2 if index + 1 < len(event_times) else t
        if survival < 0.5:
            return t
    return None


def test_the_printed_median_pfs_is_that_of_the_adtte_written(demo: tuple[Path, str]) -> None:
    folder, printed = demo
    adtte = pd.read_csv(folder / "report" / "adtte.csv")
    pfs = adtte[adtte["PARAMCD"] == "PFS"]
    for arm, cells in _table_rows(printed, "[AB]").items():
        part = pfs[pfs["ARMCD"] == arm]
        median = _km_median(list(part["AVAL"] / 30.4375), list(1 - part["CNSR"]))
        assert cells[4] == ("not reached" if median is None else f"{median:.1f}")


def test_the_summary_names_the_decision_the_report_and_how_to_open_the_web_app(demo: tuple[Path, str]) -> None:
    folder, printed = demo
    assert re.search(r"\d+ people screened \(\d+ not eligible\), 44 randomised; audit trail verified", printed)
    assert "Decision: select arm" in printed or "Decision: no arm selected" in printed
    assert f"Report: {folder / 'report'}" in printed
    assert (folder / "report" / "adsl.csv").is_file()
    assert f"oncotrial serve --db {_url(folder)}" in printed


def test_the_printed_passwords_are_the_users_and_none_is_in_the_database_in_clear(demo: tuple[Path, str]) -> None:
    folder, printed = demo
    accounts = _table_rows(printed, "admin|coord1|inv1|coord2|inv2|monitor|stat")
    assert len(accounts) == 7
    store = open_store(_url(folder))
    with store.read() as session:
        hashes = dict(session.execute(select(User.username, User.password_hash)).all())
    store.dispose()
    for username, cells in accounts.items():
        password = cells[3]
        assert PasswordHasher().verify(hashes[username], password)
        assert password not in (folder / "demo.db").read_bytes().decode("latin-1")
    assert re.search(rf"as\s+monitor \(password {re.escape(accounts['monitor'][3])}\)", printed)


def test_every_assessment_has_the_investigators_response(demo: tuple[Path, str]) -> None:
    """Each follow-up visit's overall response is recorded (RS), so the ADaM response tables read them."""
    store = open_store(_url(demo[0]))
    with store.read() as session:
        visits = session.execute(select(func.count()).where(Assessment.visit != "BASELINE")).scalar_one()
        responses = session.execute(select(func.count()).select_from(RecordedResponse)).scalar_one()
    store.dispose()
    assert visits > 44
    assert responses == visits


def test_a_second_run_replaces_its_own_folder_and_keeps_other_files(demo: tuple[Path, str], tmp_path: Path) -> None:
    """A copy of the demo folder, with a note a user added: the demo runs again in it, writes a new database
    (new passwords), and leaves the note."""
    folder = tmp_path / "again"
    shutil.copytree(demo[0], folder)
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    code, printed, err = run_demo("--out", str(folder))
    assert code == 0, err
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    listed = json.loads((folder / ".oncotrial-demo").read_text(encoding="utf-8"))["files"]
    assert "demo.db" in listed
    assert "notes.txt" not in listed  # so a third run leaves it too
    first = _table_rows(demo[1], "monitor")["monitor"][3]
    second = _table_rows(printed, "monitor")["monitor"][3]
    assert first != second
    store = open_store(_url(folder))
    with store.read() as session:
        stored = session.execute(select(User.password_hash).where(User.username == "monitor")).scalar_one()
        assert session.execute(select(func.count()).select_from(Randomisation)).scalar_one() == 44
    store.dispose()
    assert PasswordHasher().verify(stored, second)


def test_a_folder_that_is_not_the_demos_is_refused_and_left_untouched(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = run_demo("--out", str(tmp_path))
    assert_clean_error(code, err)
    assert "is not a folder the demo made" in err
    assert [p.name for p in tmp_path.iterdir()] == ["data.csv"]
    assert (tmp_path / "data.csv").read_text(encoding="utf-8") == "a,b\n1,2\n"


def test_a_file_given_as_the_folder_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "demo.txt"
    target.write_text("x", encoding="utf-8")
    code, _, err = run_demo("--out", str(target))
    assert_clean_error(code, err)
    assert "is a file, not a folder" in err
    assert target.read_text(encoding="utf-8") == "x"


def test_the_summary_tables_fit_80_columns_whole(demo: tuple[Path, str]) -> None:
    tables = [line for line in demo[1].splitlines() if "│" in line or "─" in line]
    assert len(tables) >= 13  # two headers with their rules, 2 arms, 7 users
    assert all(len(line) <= 80 for line in tables)
    assert "…" not in demo[1]
