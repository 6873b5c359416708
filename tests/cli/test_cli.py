"""The ``oncotrial`` command line (``oncotrial.cli``), run in-process through ``main(argv)``.

Expected calendars are worked out by hand from shared/seeds/003_67a03df4dd7948a4.txt
(NCT01416831): "IL-2 will be given on a Monday at a dose of 600,000 IU per kilogram IV every
8 hours for up to 14 doses each cycle. The second cycle is planned 16 days after cycle 1" (on
the next Monday, see the protocol's interpretations). For 70 kg that is 42,000,000 IU a dose;
starting Monday 2026-11-23 at 08:00, dose 14 of cycle 1 is Friday 2026-11-27 16:00, cycle 2
starts Monday 2026-12-14 (day 17 is Wednesday 2026-12-09) and its dose 14 is 2026-12-18 16:00.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import oncotrial.protocol
from tests.cli.helpers import assert_clean_error, run_cli

BUILTIN_IDS = ["CALGB-500001", "HD-IL2-LTO", "NCT00514085", "NCT01416831"]
LIBRARY = Path(oncotrial.protocol.__file__).parent / "library"
CALENDAR_COLUMNS = [
    "subject_id", "datetime", "agent", "agent_name", "treatment", "dose", "unit", "route",
    "cycle", "day", "number", "status", "planned_datetime", "reason",
]  # fmt: skip


def _schedule_args(**options: str) -> list[str]:
    """``schedule`` for NCT01416831 arm A, Monday 2026-11-23, 70 kg; ``options`` replace or add."""
    values = {"protocol": "NCT01416831", "arm": "A", "start": "2026-11-23", "weight": "70"} | options
    args = ["schedule"]
    for name, value in values.items():
        args += [f"--{name.replace('_', '-')}", value]
    return args


# --- protocol list / show / validate ----------------------------------------------------------


def test_protocol_list_names_every_builtin(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "protocol", "list")
    assert code == 0
    for protocol_id in BUILTIN_IDS:
        assert protocol_id in out


def test_protocol_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "protocol", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [row["id"] for row in rows] == BUILTIN_IDS
    by_id = {row["id"]: row for row in rows}
    assert by_id["NCT01416831"]["arms"] == ["A", "B"]
    assert by_id["NCT00514085"]["arms"] == ["part-A", "part-B"]
    assert by_id["CALGB-500001"]["design"] == "simon_two_stage"


def test_protocol_show_json_has_arms_with_ids(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "protocol", "show", "NCT01416831", "--json")
    assert code == 0
    document = json.loads(out)
    assert document["id"] == "NCT01416831"
    assert isinstance(document["arms"], list)
    assert all(isinstance(arm, dict) for arm in document["arms"])
    assert [arm["id"] for arm in document["arms"]] == ["A", "B"]


def test_protocol_show_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "protocol", "show", "nct01416831")
    assert code == 0
    assert "NCT01416831" in out
    assert "Arm A" in out
    assert "Arm B" in out
    assert "600,000 IU/kg" in out


def test_protocol_show_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "protocol", "show", "NCT99999999")
    assert_clean_error(code, err)
    assert "no built-in protocol 'NCT99999999'" in err


@pytest.mark.parametrize(
    ("protocol_id", "arms"),
    [
        pytest.param("NCT01416831", 2, id="NCT01416831"),
        pytest.param("CALGB-500001", 1, id="CALGB-500001"),
    ],
)
def test_protocol_validate_builtin_yaml(capsys: pytest.CaptureFixture[str], protocol_id: str, arms: int) -> None:
    path = LIBRARY / f"{protocol_id}.yaml"
    code, out, _ = run_cli(capsys, "protocol", "validate", str(path))
    assert code == 0
    assert f"valid protocol {protocol_id} ({arms} arm(s)" in out


@pytest.fixture
def broken_protocol(tmp_path: Path) -> Path:
    """NCT01416831 with a typo (``dosse``) and a negative dose in arm A."""
    document = yaml.safe_load((LIBRARY / "NCT01416831.yaml").read_text(encoding="utf-8"))
    il2 = document["arms"][0]["treatments"][0]
    il2["dosse"] = 600000
    il2["dose"]["amount"] = -600000
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_protocol_validate_broken_file_lists_problems(
    capsys: pytest.CaptureFixture[str], broken_protocol: Path
) -> None:
    code, _, err = run_cli(capsys, "protocol", "validate", str(broken_protocol))
    assert_clean_error(code, err)
    assert "2 problems" in err
    assert "arms[A].treatments[il2].dosse" in err
    assert "PROTOCOL-E001" in err
    assert "arms[A].treatments[il2].dose.amount" in err


def test_protocol_validate_broken_file_as_a_process(broken_protocol: Path) -> None:
    """The real command: exit 1, the problems on stderr, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "oncotrial", "protocol", "validate", str(broken_protocol)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "arms[A].treatments[il2].dosse" in result.stderr


def test_protocol_validate_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "protocol", "validate", str(tmp_path / "absent.yaml"))
    assert_clean_error(code, err)
    assert "absent.yaml" in err


# --- schedule: output formats -----------------------------------------------------------------


def test_schedule_json_arm_a(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, *_schedule_args(), "--json")
    assert code == 0
    rows: list[dict[str, Any]] = json.loads(out)
    assert len(rows) == 28
    for row in rows:
        assert {"datetime", "agent", "dose", "unit", "route", "cycle", "day"} <= row.keys()
    first, last = rows[0], rows[-1]
    assert first["datetime"] == "2026-11-23T08:00"
    assert first["dose"] == 42000000
    assert first["unit"] == "IU"
    assert (first["agent"], first["route"], first["cycle"], first["day"]) == ("il2", "IV", 1, 1)
    assert rows[13]["datetime"] == "2026-11-27T16:00"  # dose 14 of cycle 1: Friday 16:00
    assert (rows[13]["cycle"], rows[13]["day"]) == (1, 5)
    assert rows[14]["datetime"] == "2026-12-14T08:00"  # cycle 2 day 1: the Monday on or after day 17
    assert (last["datetime"], last["cycle"], last["day"]) == ("2026-12-18T16:00", 2, 5)
    assert [row["cycle"] for row in rows].count(1) == 14


def test_schedule_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, *_schedule_args(), "--csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == CALENDAR_COLUMNS
    assert len(rows[1:]) == 28
    assert rows[1][:4] == ["", "2026-11-23T08:00", "il2", "High-dose interleukin-2 (aldesleukin)"]


def test_schedule_ics(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, *_schedule_args(tz="Europe/London"), "--ics")
    assert code == 0
    assert out.startswith("BEGIN:VCALENDAR")
    assert out.count("BEGIN:VEVENT") == 28
    assert "DTSTART;TZID=Europe/London:20261123T080000" in out


def test_schedule_out_writes_the_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "calendar.json"
    code, out, err = run_cli(capsys, *_schedule_args(), "--json", "--out", str(target))
    assert code == 0
    assert out == ""
    assert str(target) in err
    rows = json.loads(target.read_text(encoding="utf-8"))
    assert len(rows) == 28
    assert rows[0]["datetime"] == "2026-11-23T08:00"


def test_schedule_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, *_schedule_args())
    assert code == 0
    assert "Mon 2026-11-23" in out
    assert "42,000,000 IU" in out


def test_schedule_arm_b_patient_21_gets_two_fractions(capsys: pytest.CaptureFixture[str]) -> None:
    """Seed: patients 21 on receive 20 Gy on the Wednesday and Friday before IL-2 starts."""
    code, out, _ = run_cli(capsys, *_schedule_args(arm="B", patient_number="21"), "--json")
    assert code == 0
    sbrt = [row for row in json.loads(out) if row["agent"] == "sbrt"]
    assert [(row["datetime"][:10], row["dose"], row["unit"]) for row in sbrt] == [
        ("2026-11-18", 20, "Gy"),
        ("2026-11-20", 20, "Gy"),
    ]


# --- schedule: bad input gives a message, exit 1, no traceback --------------------------------

BAD_SCHEDULE_INPUTS = [
    pytest.param({"start": "2026-11-25"}, r"Monday 2026-11-30", id="start_not_a_monday"),
    pytest.param({"start": "2026-13-01"}, r"'2026-13-01' is not a date", id="start_malformed_date"),
    pytest.param({"weight": "15"}, r"15 kg is outside", id="weight_15_kg"),
    pytest.param({"weight": "350"}, r"350 kg is outside", id="weight_350_kg"),
    pytest.param({"arm": "B"}, r"--patient-number", id="arm_b_without_patient_number"),
    pytest.param({"arm": "C"}, r"no arm 'C'.*A, B", id="unknown_arm"),
    pytest.param({"protocol": "NOPE"}, r"no built-in protocol 'NOPE'", id="unknown_protocol"),
    pytest.param({"cycles": "7"}, r"7 cycles asked for.*6 or fewer", id="seven_cycles_arm_a_max_six"),
    pytest.param({"cycles": "0"}, r"1 or more", id="zero_cycles"),
    pytest.param({"start": "0001-01-01"}, r"outside the years 1900-2200", id="start_year_1"),
    pytest.param({"start": "9999-12-31"}, r"outside the years 1900-2200", id="start_year_9999"),
    pytest.param({"start": "2026-11-23T08:00+05:00"}, r"has a time zone", id="start_with_offset"),
]


@pytest.mark.parametrize(("options", "message"), BAD_SCHEDULE_INPUTS)
def test_schedule_bad_input(capsys: pytest.CaptureFixture[str], options: dict[str, str], message: str) -> None:
    code, out, err = run_cli(capsys, *_schedule_args(**options), "--json")
    assert_clean_error(code, err)
    assert out == ""
    assert re.search(message, err), err


@pytest.fixture
def il12_per_m2(tmp_path: Path) -> Path:
    """CALGB-500001 with the rhIL-12 dose per m² instead of per kg."""
    document = yaml.safe_load((LIBRARY / "CALGB-500001.yaml").read_text(encoding="utf-8"))
    document["arms"][0]["treatments"][0]["dose"]["per"] = "m2"
    path = tmp_path / "il12-per-m2.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_schedule_dose_per_m2_without_height(capsys: pytest.CaptureFixture[str], il12_per_m2: Path) -> None:
    args = _schedule_args(protocol=str(il12_per_m2), arm="IL12-IFN")
    code, _, err = run_cli(capsys, *args, "--json")
    assert_clean_error(code, err)
    assert "height" in err
    assert "--height" in err


def test_schedule_dose_per_m2_with_height(capsys: pytest.CaptureFixture[str], il12_per_m2: Path) -> None:
    args = _schedule_args(protocol=str(il12_per_m2), arm="IL12-IFN", height="175")
    code, out, _ = run_cli(capsys, *args, "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 6
    assert rows[1]["dose"] == 3000000  # IFN-α2b stays flat


# --- schedule: records of what happened -------------------------------------------------------


def _write_records(tmp_path: Path, records: dict[str, Any]) -> Path:
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def test_schedule_records_mark_dose_held(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    records = _write_records(
        tmp_path,
        {
            "administrations": [
                {"treatment": "il2", "cycle": 1, "number": 2, "status": "held", "reason": "grade 3 hypotension"}
            ]
        },
    )
    code, out, _ = run_cli(capsys, *_schedule_args(records=str(records)), "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 28
    (held,) = [row for row in rows if row["status"] == "held"]
    assert (held["cycle"], held["number"], held["datetime"]) == (1, 2, "2026-11-23T16:00")
    assert held["reason"] == "grade 3 hypotension"
    assert rows[2]["datetime"] == "2026-11-24T00:00"  # a held dose is not made up; the rest keep time
    assert rows[2]["status"] == "planned"


def test_schedule_invalid_records_name_the_problem(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    records = _write_records(
        tmp_path, {"administrations": [{"treatment": "il2", "cycle": 1, "number": 2, "status": "held"}]}
    )
    code, out, err = run_cli(capsys, *_schedule_args(records=str(records)), "--json")
    assert_clean_error(code, err)
    assert out == ""
    assert "records.json" in err
    assert "il2 cycle 1 dose 2: a held dose needs a reason" in err


def test_schedule_unreadable_records_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    path.write_text('{"administrations": [', encoding="utf-8")
    code, _, err = run_cli(capsys, *_schedule_args(records=str(path)), "--json")
    assert_clean_error(code, err)
    assert "records.json" in err


# --- usage errors --------------------------------------------------------------------


def test_missing_weight_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["schedule", "--protocol", "NCT01416831", "--arm", "A", "--start", "2026-11-23"]
    code, _, err = run_cli(capsys, *args)
    assert code == 2
    assert "--weight" in err
    assert "Traceback" not in err


def test_two_output_formats_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, *_schedule_args(), "--json", "--csv")
    assert code == 2
    assert "choose one of --json, --csv and --ics" in err


def test_no_arguments_shows_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys)
    assert code in (0, 2)  # click's no_args_is_help exits 0 (older) or 2 (click >= 8.2)
    assert "schedule" in out + err


@pytest.mark.parametrize(
    ("when", "message"),
    [
        # HD IL-2 every 8 h from Mon 2026-11-23 08:00: dose 10 is due Thu 2026-11-26 08:00 (9 x 8 h later)
        pytest.param(
            "2020-01-01T00:00", "delayed to 2020-01-01 00:00, before it was due (2026-11-26 08:00)", id="years"
        ),
        pytest.param(
            "2026-11-23T08:00", "delayed to 2026-11-23 08:00, before it was due (2026-11-26 08:00)", id="dose-1"
        ),
    ],
)
def test_a_delay_cannot_move_a_dose_earlier(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, when: str, message: str
) -> None:
    record = {"treatment": "il2", "cycle": 1, "number": 10, "status": "delayed", "datetime": when, "reason": "tox"}
    path = _write_records(tmp_path, {"administrations": [record]})
    code, _, err = run_cli(capsys, *_schedule_args(), "--records", str(path), "--csv")
    assert_clean_error(code, err)
    assert message in err


def test_a_dose_given_before_the_one_before_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # dose 2 is due Mon 16:00; recorded as given Mon 07:00, before dose 1 (Mon 08:00)
    record = {"treatment": "il2", "cycle": 1, "number": 2, "status": "given", "datetime": "2026-11-23T07:00"}
    path = _write_records(tmp_path, {"administrations": [record]})
    code, _, err = run_cli(capsys, *_schedule_args(), "--records", str(path), "--csv")
    assert_clean_error(code, err)
    assert "dose 2 at 2026-11-23 07:00 is not after dose 1 (2026-11-23 08:00)" in err


def test_a_records_file_that_is_not_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    path.write_text("not json {", encoding="utf-8")
    code, _, err = run_cli(capsys, *_schedule_args(), "--records", str(path))
    assert_clean_error(code, err)
    assert "is not valid JSON at line 1, column 1: Expecting value" in err


def test_warnings_are_one_line_without_python_source(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # arm B: one subject and no event, so the Cox fit cannot converge and warns
    path = tmp_path / "survival.csv"
    path.write_text("time,dead,arm\n10,1,A\n20,0,A\n30,1,A\n40,0,B\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "km", "--data", str(path), "--time", "time", "--event", "dead", "--group", "arm")
    assert code == 0
    assert "Warning: The Cox fit did not converge" in err
    assert ".py:" not in err


def test_brackets_in_a_record_reason_are_printed_as_written(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    record = {"treatment": "il2", "cycle": 1, "number": 9, "status": "held", "reason": "grade 3 [/b] hypotension [G3]"}
    path = _write_records(tmp_path, {"administrations": [record]})
    code, out, _ = run_cli(capsys, *_schedule_args(), "--records", str(path))
    assert code == 0
    assert "held (grade 3 [/b] hypotension [G3])" in out


def test_python_m_oncotrial_reports_errors_without_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "oncotrial", "schedule", "--protocol", "NOPE", "--arm", "A", "--start", "2026-11-23",
         "--weight", "70"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "no built-in protocol 'NOPE'" in result.stderr
    assert "Traceback" not in result.stderr


# --- output a person can read -------------------------------------------------------------------


@pytest.fixture
def eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's console as an 80-column terminal."""
    from oncotrial.cli import common

    monkeypatch.setattr(common.out, "width", 80)


def _table_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if "│" in line or "─" in line]


def test_schedule_at_80_columns_shows_every_date_and_dose_whole(
    capsys: pytest.CaptureFixture[str], eighty_columns: None
) -> None:
    """28 IL-2 doses of 42,000,000 IU: cycle 1 on 2026-11-23 to 2026-11-27, cycle 2 on 2026-12-14 to 2026-12-18
    (every 8 h from Monday 08:00: 2 doses on the Monday, 3 on each day from Tuesday to Friday)."""
    code, out, _ = run_cli(capsys, *_schedule_args(subject="SUBJ-0012"))
    assert code == 0
    assert "…" not in out
    assert all(len(line) <= 80 for line in _table_lines(out))
    assert out.count("42,000,000 IU") == 28
    dates = re.findall(r"\b2026-1[12]-\d{2}\b", "\n".join(_table_lines(out)))
    assert [dates.count(day) for day in ("2026-11-23", "2026-11-27", "2026-12-14", "2026-12-18")] == [2, 3, 2, 3]
    assert len(dates) == 28
    assert "NCT01416831 arm A, subject SUBJ-0012" in out


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("protocol_id", "phrases"),
    [
        pytest.param(
            "NCT01416831",
            [
                "Arm A: IL-2 Monotherapy",
                "High-dose interleukin-2 (aldesleukin): 600,000 IU/kg IV every 8 h, up to 14 doses, "
                "cycle 1 day 1 = Monday",
                "Stereotactic body radiation therapy: 20 Gy external beam radiotherapy (patients 1–20: on the "
                "Friday before day 1; patients 21 on: on the Wednesday and Friday before day 1)",
                "next cycle 16 days after day 1 of the previous one",
                "delayable by up to 7 days",
                "Randomised 1:1 between arms A and B, with crossover; 44 enrolled",
                "Primary (response): Best Overall Tumor Response",
                "[ecog] ECOG performance status of 0-1.",
            ],
            id="NCT01416831",
        ),
        pytest.param(
            "NCT00514085",
            [
                "Recombinant human interleukin-21: 50 µg/kg IV push on days 1–5 of weeks 1, 3 and 5 of an 8-week cycle",
                "50 µg/kg IV push on days 1–5 of weeks 1 and 3 of a 6-week cycle",
                "Single arm; 40 enrolled",
            ],
            id="NCT00514085",
        ),
        pytest.param(
            "CALGB-500001",
            [
                "Recombinant human interleukin-12: 300 ng/kg IV on day 1 of a 14-day cycle",
                "Interferon alfa-2b: 3,000,000 IU SC on days 2–6 of a 14-day cycle",
                "Simon two-stage design",
                "Secondary (response): Partial response lasting 6 months or longer",
            ],
            id="CALGB-500001",
        ),
        pytest.param(
            "HD-IL2-LTO",
            [
                "600,000 IU/kg IV every 8 h, up to 14 doses",
                "Retrospective cohort; 100 enrolled",
                "landmarks at 5 and 10",
            ],
            id="HD-IL2-LTO",
        ),
    ],
)
def test_protocol_show_prints_the_protocol_in_words(
    capsys: pytest.CaptureFixture[str], protocol_id: str, phrases: list[str]
) -> None:
    """Phrases from the seeds (see tests/protocol/test_describe.py for the sources)."""
    code, out, _ = run_cli(capsys, "protocol", "show", protocol_id)
    assert code == 0
    text = _words(out)
    for phrase in phrases:
        assert phrase in text
    assert not re.search(r"Arm (\S+): Arm \1", text)


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    """The version is pyproject.toml's, the one importlib.metadata reports once installed."""
    import tomllib

    import oncotrial

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0
    assert out == f"oncotrial {project['project']['version']}\n"
    assert oncotrial.__version__ == project["project"]["version"]


def test_subject_in_every_export(capsys: pytest.CaptureFixture[str]) -> None:
    args = _schedule_args(subject="SUBJ-0012", tz="Europe/London")
    _, out, _ = run_cli(capsys, *args, "--json")
    assert {row["subject_id"] for row in json.loads(out)} == {"SUBJ-0012"}
    _, out, _ = run_cli(capsys, *args, "--csv")
    assert {row["subject_id"] for row in csv.DictReader(io.StringIO(out))} == {"SUBJ-0012"}
    _, out, _ = run_cli(capsys, *args, "--ics")
    assert out.count("SUMMARY:SUBJ-0012: High-dose interleukin-2") == 28
    assert out.count("DESCRIPTION:Subject SUBJ-0012.") == 28


@pytest.mark.parametrize("subject", ["SUBJ\n0012", "SUBJ\r0012", "SUBJ\x1b0012"])
@pytest.mark.parametrize("output", ["--ics", "--json", "--csv"])
def test_a_subject_with_a_control_character_is_refused(
    capsys: pytest.CaptureFixture[str], subject: str, output: str
) -> None:
    """A newline in --subject broke the iCalendar writer (exit 3); it is bad input: exit 1, one clear line."""
    code, out, err = run_cli(capsys, *_schedule_args(subject=subject), output)
    assert_clean_error(code, err)
    assert out == ""
    assert "write it on one line with printable characters only" in err


def test_ics_in_the_time_zone_given(capsys: pytest.CaptureFixture[str]) -> None:
    """Monday 2026-11-23 08:00 in New York; the file carries the zone's VTIMEZONE."""
    code, out, _ = run_cli(capsys, *_schedule_args(tz="America/New_York"), "--ics")
    assert code == 0
    assert "DTSTART;TZID=America/New_York:20261123T080000" in out
    lines = [line.rstrip("\r") for line in out.splitlines()]
    assert lines[lines.index("BEGIN:VTIMEZONE") + 1] == "TZID:America/New_York"


def test_ics_defaults_to_the_machines_time_zone(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    code, out, _ = run_cli(capsys, *_schedule_args(), "--ics")
    assert code == 0
    assert "DTSTART;TZID=Asia/Tokyo:20261123T080000" in out


@pytest.mark.parametrize("output", ["--ics", "--json"])
@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../../etc/passwd", ""])
def test_an_unknown_time_zone_is_a_clear_error(capsys: pytest.CaptureFixture[str], zone: str, output: str) -> None:
    code, out, err = run_cli(capsys, *_schedule_args(tz=zone), output)
    assert_clean_error(code, err)
    assert out == ""
    assert f"--tz '{zone}' is not a time zone oncotrial knows" in err


def test_schedule_records_a_reduced_dose(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Dose 1 given at 21,000,000 IU (half of 42,000,000 IU): shown as given, and dose intensity counts it:
    27 x 42,000,000 + 21,000,000 = 1,155,000,000 IU of 1,176,000,000 IU over the same 37 days, RDI 98 %."""
    record = {"treatment": "il2", "cycle": 1, "number": 1, "status": "given", "amount": 21000000, "unit": "IU"}
    path = _write_records(tmp_path, {"administrations": [record]})
    code, out, _ = run_cli(capsys, *_schedule_args(records=str(path)), "--json")
    assert code == 0
    first = json.loads(out)[0]
    assert (first["status"], first["dose"], first["unit"]) == ("given", 21000000, "IU")
    code, out, _ = run_cli(capsys, *_schedule_args(records=str(path)))
    assert code == 0
    assert "cumulative given 21,000,000 IU; relative dose intensity 98%" in _words(out)


def test_schedule_refuses_a_dose_above_the_plan_naming_the_record(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    record = {"treatment": "il2", "cycle": 1, "number": 4, "status": "given", "amount": 60, "unit": "MIU"}
    path = _write_records(tmp_path, {"administrations": [record]})
    code, out, err = run_cli(capsys, *_schedule_args(records=str(path)), "--json")
    assert_clean_error(code, err)
    assert out == ""
    assert "record for il2 cycle 1 dose 4: 60,000,000 IU given is more than the planned dose of 42,000,000 IU" in err
