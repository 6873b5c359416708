"""Reading and validating protocol documents (``oncotrial.protocol.io``).

Each invalid document is a built-in protocol with one thing broken, written to a temporary
file and read back with :func:`load_protocol`. The expected places, codes and values are
literals taken from the seed documents in ``shared/seeds/``.
"""

from __future__ import annotations

import copy
import math
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from oncotrial.errors import Problem, ProtocolError
from oncotrial.protocol import (
    DaySchedule,
    IntervalSchedule,
    WeekdaysBeforeSchedule,
    WeekSchedule,
    list_builtin_protocols,
    load_builtin_protocol,
    load_protocol,
    load_protocol_reference,
    protocol_to_dict,
    save_protocol,
)

BUILTIN_IDS = ["CALGB-500001", "HD-IL2-LTO", "NCT00514085", "NCT01416831"]
DELETE = object()  # marks a field to remove in an edit


@cache
def _library_text(protocol_id: str) -> str:
    entry = resources.files("oncotrial.protocol") / "library" / f"{protocol_id}.yaml"
    return entry.read_text(encoding="utf-8")


def _seed(protocol_id: str) -> dict[str, Any]:
    """A fresh, editable copy of a built-in protocol document."""
    return copy.deepcopy(yaml.safe_load(_library_text(protocol_id)))


def _edit(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    *parents, last = path
    node: Any = document
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value


def _write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "protocol.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _load_invalid(tmp_path: Path, document: Any) -> ProtocolError:
    path = _write(tmp_path, document)
    with pytest.raises(ProtocolError) as info:
        load_protocol(path)
    return info.value


# --- one problem, with its place named by id --------------------------------------------------

# (built-in protocol, edits, location, code, message pattern)
SINGLE_PROBLEMS = [
    pytest.param(
        "NCT01416831",
        [(("arms", 0, "treatments", 0, "dosse"), {"amount": 600000, "unit": "IU"})],
        "arms[A].treatments[il2].dosse",
        "PROTOCOL-E001",
        r"'dosse' is not a field here",
        id="unknown_field_dosse_typo",
    ),
    pytest.param(
        "NCT01416831",
        [(("arms", 0, "treatments", 0, "dose", "unit"), DELETE)],
        "arms[A].treatments[il2].dose.unit",
        "PROTOCOL-E002",
        r"required",
        id="dose_unit_missing",
    ),
    pytest.param(
        "NCT01416831",
        [(("arms", 0, "treatments", 0, "dose", "unit"), "mm")],
        "arms[A].treatments[il2].dose.unit",
        "PROTOCOL-E003",
        r"'mm' is not a unit of dose",
        id="dose_unit_is_a_length_mm",
    ),
    pytest.param(
        "NCT01416831",
        [(("arms", 0, "treatments", 0, "dose", "unit"), "IUU")],
        "arms[A].treatments[il2].dose.unit",
        "PROTOCOL-E003",
        r"'IUU' is not a unit oncotrial knows",
        id="dose_unit_unknown_IUU",
    ),
    pytest.param(
        "NCT01416831",
        [(("arms", 0, "treatments", 0, "dose", "unit"), "mg/kg")],
        "arms[A].treatments[il2].dose.unit",
        "PROTOCOL-E003",
        r"'mg/kg' is not a unit of dose.*per: kg",
        id="dose_unit_per_kg_written_in_the_unit",
    ),
    pytest.param(
        "NCT01416831",
        [(("arms", 0, "treatments", 0, "dose", "amount"), -600000)],
        "arms[A].treatments[il2].dose.amount",
        "PROTOCOL-E003",
        r"greater than 0.*-600000",
        id="dose_negative",
    ),
    pytest.param(
        "NCT01416831",
        [(("arms", 0, "treatments", 0, "dose", "amount"), 0)],
        "arms[A].treatments[il2].dose.amount",
        "PROTOCOL-E003",
        r"greater than 0",
        id="dose_zero",
    ),
    pytest.param(
        "CALGB-500001",
        [(("arms", 0, "treatments", 0, "schedule", "days"), [1, 20])],
        "arms[IL12-IFN].treatments[rhil12].schedule",
        "PROTOCOL-E012",
        r"day 20 is outside the cycle: the cycle is 14 days long",
        id="day_20_of_a_14_day_cycle",
    ),
    pytest.param(
        "CALGB-500001",
        [(("arms", 0, "treatments", 1, "schedule", "days"), "2-20")],
        "arms[IL12-IFN].treatments[ifna2b].schedule",
        "PROTOCOL-E012",
        r"day 20 is outside the cycle: the cycle is 14 days long",
        id="day_range_2_20_of_a_14_day_cycle",
    ),
    pytest.param(
        "NCT00514085",
        [(("arms", 0, "treatments", 0, "schedule", "weeks"), [1, 3, 9])],
        "arms[part-A].treatments[ril21].schedule",
        "PROTOCOL-E012",
        # week 9, day 5 is cycle day 8 * 7 + 5 = 61
        r"day 61 is outside the cycle: the cycle is 56 days long",
        id="week_9_of_an_8_week_cycle",
    ),
    pytest.param(
        "NCT01416831",
        [(("arms", 0, "treatments", 0, "schedule", "max_doses"), 100)],
        "arms[A].treatments[il2].schedule",
        "PROTOCOL-E012",
        # 99 intervals of 8 h are 792 h = 33.0 days; the next cycle is 16 days after day 1
        r"100 doses every 8 h take 33\.0 days, longer than the cycle",
        id="interval_100_doses_every_8h_longer_than_16_days",
    ),
    pytest.param(
        "NCT01416831",
        [(("arms", 0, "treatments", 0, "agent"), "il-2")],
        "arms[A].treatments[il2].agent",
        "PROTOCOL-E011",
        r"agent 'il-2' is not defined under 'agents'",
        id="unknown_agent_reference",
    ),
    pytest.param(
        "NCT01416831",
        [(("arms", 0, "dose_limits", 0, "treatment"), "il-2")],
        "arms[A].dose_limits[0].treatment",
        "PROTOCOL-E011",
        r"treatment 'il-2' is not one of this arm's treatments",
        id="dose_limit_unknown_treatment",
    ),
    pytest.param(
        "NCT01416831",
        [(("arms", 0, "crossover", 0, "to_arm"), "C")],
        "arms[A].crossover[sbrt-after-progression].to_arm",
        "PROTOCOL-E011",
        r"arm 'C' is not one of the arms \['A', 'B'\]",
        id="crossover_to_unknown_arm",
    ),
    pytest.param(
        "NCT01416831",
        [(("arms", 1, "treatments", 0, "schedule_by_patient_number", 1, "first"), 22)],
        "arms[B].treatments[sbrt]",
        "PROTOCOL-E003",
        r"starts at patient 22; it must start at patient 21",
        id="patient_numbers_1_20_then_22_leave_a_gap",
    ),
    pytest.param(
        "NCT01416831",
        [(("arms", 1, "treatments", 0, "schedule_by_patient_number", 1, "last"), 30)],
        "arms[B].treatments[sbrt]",
        "PROTOCOL-E003",
        r"ends at patient 30; the last rule must have no 'last'",
        id="patient_numbers_end_at_30",
    ),
    pytest.param(
        "CALGB-500001",
        [(("arms", 0, "treatments", 1, "schedule", "days"), "6-2")],
        "arms[IL12-IFN].treatments[ifna2b].schedule",
        "PROTOCOL-E003",
        r"the range '6-2' runs backwards; write it as '2-6'",
        id="day_range_backwards",
    ),
]


@pytest.mark.parametrize(("protocol_id", "edits", "location", "code", "message"), SINGLE_PROBLEMS)
def test_one_problem_is_reported_at_its_place(
    tmp_path: Path,
    protocol_id: str,
    edits: list[tuple[tuple[Any, ...], Any]],
    location: str,
    code: str,
    message: str,
) -> None:
    document = _seed(protocol_id)
    for path, value in edits:
        _edit(document, path, value)
    error = _load_invalid(tmp_path, document)
    assert len(error.problems) == 1, error.problems
    (problem,) = error.problems
    # the location may stop at the schedule or name a field inside it; it starts at the right place
    assert problem.location.startswith(location), problem
    assert problem.code == code
    assert re.search(message, problem.message), problem.message
    assert "1 problem" in str(error)
    assert f"{location}" in str(error)


def test_unknown_field_location_names_arm_and_treatment_by_id(tmp_path: Path) -> None:
    document = _seed("NCT01416831")
    document["arms"][0]["treatments"][0]["dosse"] = 600000
    path = _write(tmp_path, document)
    with pytest.raises(ProtocolError, match=r"arms\[A\]\.treatments\[il2\]\.dosse") as info:
        load_protocol(path)
    assert info.value.problems == (
        Problem(
            "arms[A].treatments[il2].dosse",
            "'dosse' is not a field here; check its spelling or remove it",
            "PROTOCOL-E001",
        ),
    )


def test_unknown_field_inside_a_days_schedule_names_the_schedule(tmp_path: Path) -> None:
    """A typo inside a ``kind: days`` schedule is at ``...schedule.tme``, not ``...schedule.days.tme``."""
    document = _seed("CALGB-500001")
    document["arms"][0]["treatments"][0]["schedule"]["tme"] = "09:00"
    error = _load_invalid(tmp_path, document)
    assert [(p.location, p.code) for p in error.problems] == [
        ("arms[IL12-IFN].treatments[rhil12].schedule.tme", "PROTOCOL-E001")
    ]


def test_unknown_field_inside_a_weeks_schedule_names_the_schedule(tmp_path: Path) -> None:
    document = _seed("NCT00514085")
    document["arms"][1]["treatments"][0]["schedule"]["tme"] = "09:00"
    error = _load_invalid(tmp_path, document)
    assert [(p.location, p.code) for p in error.problems] == [
        ("arms[part-B].treatments[ril21].schedule.tme", "PROTOCOL-E001")
    ]


def test_day_written_as_quoted_number_outside_the_cycle_is_reported(tmp_path: Path) -> None:
    """``days: "20"`` is read as day 20 (pydantic converts it), so it must not fit a 14-day cycle either."""
    document = _seed("CALGB-500001")
    document["arms"][0]["treatments"][0]["schedule"]["days"] = "20"
    error = _load_invalid(tmp_path, document)
    assert [(p.location, p.code) for p in error.problems] == [
        ("arms[IL12-IFN].treatments[rhil12].schedule", "PROTOCOL-E012")
    ]


def test_duplicate_arm_ids_are_reported(tmp_path: Path) -> None:
    document = _seed("NCT01416831")
    document["arms"][1]["id"] = "A"
    error = _load_invalid(tmp_path, document)
    duplicates = [p for p in error.problems if p.code == "PROTOCOL-E010"]
    assert duplicates == [Problem("arms[A]", "the id 'A' is used twice; ids must be unique", "PROTOCOL-E010")]


def test_duplicate_treatment_ids_in_an_arm_are_reported(tmp_path: Path) -> None:
    document = _seed("CALGB-500001")
    document["arms"][0]["treatments"][1]["id"] = "rhil12"
    error = _load_invalid(tmp_path, document)
    assert [(p.location, p.code) for p in error.problems] == [("arms[IL12-IFN].treatments[rhil12]", "PROTOCOL-E010")]


def test_design_naming_an_unknown_arm_is_reported(tmp_path: Path) -> None:
    document = _seed("NCT01416831")
    document["design"]["arms"] = ["A", "C"]
    error = _load_invalid(tmp_path, document)
    assert [(p.location, p.code) for p in error.problems] == [("design.arms", "PROTOCOL-E011")]
    assert "arm 'C'" in error.problems[0].message


# --- several problems at once -----------------------------------------------------------------


def test_several_problems_are_reported_together_with_the_file_path(tmp_path: Path) -> None:
    document = _seed("CALGB-500001")
    treatments = document["arms"][0]["treatments"]
    treatments[0]["dosse"] = 300  # unknown field
    treatments[1]["dose"]["amount"] = -3000000  # negative dose
    treatments[0]["schedule"]["days"] = [20]  # day 20 of a 14-day cycle
    path = _write(tmp_path, document)
    with pytest.raises(ProtocolError, match=re.escape(str(path))) as info:
        load_protocol(path)
    error = info.value
    assert len(error.problems) >= 3
    found = {(p.location, p.code) for p in error.problems}
    assert {
        ("arms[IL12-IFN].treatments[rhil12].dosse", "PROTOCOL-E001"),
        ("arms[IL12-IFN].treatments[ifna2b].dose.amount", "PROTOCOL-E003"),
        ("arms[IL12-IFN].treatments[rhil12].schedule", "PROTOCOL-E012"),
    } <= found
    message = str(error)
    assert "3 problems" in message
    for problem in error.problems:
        assert problem.location in message
        assert problem.code in message
    assert error.fields["file"] == str(path)


def test_cross_checks_still_run_when_the_models_fail(tmp_path: Path) -> None:
    """Pass 2 (references) reports even when pass 1 (types) has failed on the same arm."""
    document = _seed("NCT01416831")
    document["arms"][0]["treatments"][0]["dose"]["unit"] = "mm"
    document["arms"][0]["treatments"][0]["agent"] = "il-2"
    error = _load_invalid(tmp_path, document)
    assert {(p.location, p.code) for p in error.problems} == {
        ("arms[A].treatments[il2].dose.unit", "PROTOCOL-E003"),
        ("arms[A].treatments[il2].agent", "PROTOCOL-E011"),
    }


# --- files that cannot be read as a protocol --------------------------------------------------


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: X\ntitle: Broken\narms: [\n  - id: A\n  label: : :\n", encoding="utf-8")
    with pytest.raises(ProtocolError, match=r"not valid YAML at line \d+") as info:
        load_protocol(path)
    assert info.value.code == "DOC-E002"
    assert str(path) in str(info.value)


def test_invalid_yaml_names_the_line_of_the_mistake(tmp_path: Path) -> None:
    path = tmp_path / "tab.yaml"
    path.write_text("id: X\ntitle: T\narms:\n\t- id: A\n", encoding="utf-8")  # a tab on line 4
    with pytest.raises(ProtocolError, match=r"at line 4, column 1"):
        load_protocol(path)


def test_missing_file_is_a_protocol_error(tmp_path: Path) -> None:
    path = tmp_path / "no-such-protocol.yaml"
    with pytest.raises(ProtocolError, match=r"Cannot read the protocol file .*no-such-protocol\.yaml") as info:
        load_protocol(path)
    assert info.value.code == "DOC-E001"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        pytest.param("- id: A\n- id: B\n", "a protocol must be a mapping .*found a list", id="yaml_list"),
        pytest.param("just a sentence\n", "a protocol must be a mapping .*found a text", id="yaml_scalar"),
        pytest.param("12\n", r"a protocol must be a mapping .*found a single value \(int\)", id="yaml_number"),
        pytest.param("", "is empty: a protocol is a mapping of fields", id="empty_file"),
        pytest.param("# only a comment\n", "is empty: a protocol is a mapping of fields", id="only_comments"),
    ],
)
def test_document_that_is_not_a_mapping(tmp_path: Path, text: str, found: str) -> None:
    path = tmp_path / "not-a-mapping.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProtocolError, match=found) as info:
        load_protocol(path)
    assert info.value.code == "PROTOCOL-E102"


# --- the built-in library ---------------------------------------------------------------------


def test_list_builtin_protocols() -> None:
    assert list_builtin_protocols() == BUILTIN_IDS


@pytest.mark.parametrize("protocol_id", BUILTIN_IDS)
def test_builtin_protocol_loads(protocol_id: str) -> None:
    assert load_builtin_protocol(protocol_id).id == protocol_id


@pytest.mark.parametrize("protocol_id", BUILTIN_IDS)
def test_builtin_yaml_file_loads_from_a_path(tmp_path: Path, protocol_id: str) -> None:
    path = tmp_path / f"{protocol_id}.yaml"
    path.write_text(_library_text(protocol_id), encoding="utf-8")
    assert load_protocol(path) == load_builtin_protocol(protocol_id)


@pytest.mark.parametrize("protocol_id", BUILTIN_IDS)
def test_save_then_load_round_trips(tmp_path: Path, protocol_id: str) -> None:
    protocol = load_builtin_protocol(protocol_id)
    path = tmp_path / "saved.yaml"
    save_protocol(protocol, path)
    reloaded = load_protocol(path)
    assert reloaded == protocol
    assert protocol_to_dict(reloaded) == protocol_to_dict(protocol)


@pytest.mark.parametrize("reference", ["nct01416831", "NCT01416831", " Nct01416831 "])
def test_load_builtin_protocol_is_case_insensitive(reference: str) -> None:
    assert load_builtin_protocol(reference).id == "NCT01416831"


def test_unknown_builtin_id_lists_the_builtin_ids() -> None:
    with pytest.raises(ProtocolError, match=r"no built-in protocol 'NCT99999999'") as info:
        load_builtin_protocol("NCT99999999")
    assert "CALGB-500001, HD-IL2-LTO, NCT00514085, NCT01416831" in str(info.value)
    assert info.value.code == "PROTOCOL-E103"


def test_nct01416831_arm_a_matches_seed() -> None:
    """shared/seeds/003_67a03df4dd7948a4.txt: "IL-2 will be given on a Monday at a dose of 600,000 IU
    per kilogram IV every 8 hours for up to 14 doses each cycle. The second cycle is planned 16 days
    after cycle 1 but may be delayed up to one week"."""
    arm = load_builtin_protocol("NCT01416831").arm("A")
    il2 = arm.treatment("il2")
    assert (il2.dose.amount, il2.dose.unit, il2.dose.per) == (600000, "IU", "kg")
    assert il2.route == "IV"
    assert isinstance(il2.schedule, IntervalSchedule)
    assert (il2.schedule.every_hours, il2.schedule.max_doses) == (8, 14)
    assert arm.start_weekday == "monday"
    assert arm.next_cycle is not None
    assert (arm.next_cycle.offset_days, arm.next_cycle.max_delay_days) == (16, 7)
    assert arm.next_cycle.start_weekday == "monday"
    assert (arm.planned_cycles, arm.max_cycles) == (2, 6)  # "can receive 4 more cycles" after two


def test_nct01416831_arm_b_sbrt_matches_seed() -> None:
    """shared/seeds/003_67a03df4dd7948a4.txt: "Patients 1 - 20 will receive a single fraction of
    radiation. Patients 21 through the completion of the study will receive two fractions. The dose
    for all patients will be 20 Gy per fraction ... the doses can be administered on the Wednesday
    and Friday before IL-2 starts"."""
    sbrt = load_builtin_protocol("NCT01416831").arm("B").treatment("sbrt")
    assert (sbrt.dose.amount, sbrt.dose.unit, sbrt.dose.per) == (20, "Gy", None)
    assert sbrt.schedule is None
    rules = sbrt.schedule_by_patient_number
    assert rules is not None
    assert [(r.first, r.last) for r in rules] == [(1, 20), (21, None)]
    weekdays = []
    for rule in rules:
        assert isinstance(rule.schedule, WeekdaysBeforeSchedule)
        weekdays.append(list(rule.schedule.weekdays))
    assert weekdays == [["friday"], ["wednesday", "friday"]]
    assert sbrt.cycles == [1]


@pytest.mark.parametrize(
    ("arm_id", "weeks", "cycle_days", "days"),
    [
        pytest.param(
            "part-A",
            [1, 3, 5],
            56,
            [1, 2, 3, 4, 5, 15, 16, 17, 18, 19, 29, 30, 31, 32, 33],
            id="part_A_weeks_1_3_5_of_8",
        ),
        pytest.param("part-B", [1, 3], 42, [1, 2, 3, 4, 5, 15, 16, 17, 18, 19], id="part_B_weeks_1_3_of_6"),
    ],
)
def test_nct00514085_schedule_matches_seed(arm_id: str, weeks: list[int], cycle_days: int, days: list[int]) -> None:
    """shared/seeds/004_9a6c68f6d1e6423e.txt: "Part A will receive treatment daily x 5 on weeks 1, 3,
    and 5 of an 8 week cycle"; "Part B ... daily x 5 on weeks 1, and 3 of a 6 week cycle";
    "Starting dose of 50μg/kg/day as an IV push"."""
    arm = load_builtin_protocol("NCT00514085").arm(arm_id)
    ril21 = arm.treatment("ril21")
    assert isinstance(ril21.schedule, WeekSchedule)
    assert ril21.schedule.weeks == weeks
    assert ril21.schedule.days_of_week == [1, 2, 3, 4, 5]
    assert ril21.schedule.days == days
    assert arm.cycle_length_days == cycle_days
    assert (ril21.dose.amount, ril21.dose.unit, ril21.dose.per) == (50, "ug", "kg")
    assert ril21.route == "IV push"


def test_calgb500001_matches_seed() -> None:
    """shared/seeds/000_486c762ff8df9e81.txt: "rhIL-12 on day 1 and IFN-α2b on days 2-6 of a 14-day
    cycle. rhIL-12 was given intravenously at 300 ng/kg. IFN α2b was dosed at 3×106 units
    subcutaneously" (3×10^6 IU)."""
    arm = load_builtin_protocol("CALGB-500001").arm("IL12-IFN")
    il12, ifn = arm.treatment("rhil12"), arm.treatment("ifna2b")
    assert (il12.dose.amount, il12.dose.unit, il12.dose.per) == (300, "ng", "kg")
    assert il12.route == "IV"
    assert isinstance(il12.schedule, DaySchedule)
    assert il12.schedule.days == [1]
    assert (ifn.dose.amount, ifn.dose.unit, ifn.dose.per) == (3000000, "IU", None)
    assert ifn.route == "SC"
    assert isinstance(ifn.schedule, DaySchedule)
    assert ifn.schedule.days == [2, 3, 4, 5, 6]
    assert arm.cycle_length_days == 14


# --- numbers a protocol cannot hold ------------------------------------------------------------


def _criterion(document: dict[str, Any], kind: str) -> int:
    return next(i for i, c in enumerate(document["eligibility"]) if c["kind"] == kind)


@pytest.mark.parametrize(
    ("path", "value", "location", "message"),
    [
        pytest.param(("arms", 0, "treatments", 0, "dose", "amount"), math.inf, "dose.amount", "finite", id="dose-inf"),
        pytest.param(
            ("arms", 0, "treatments", 0, "dose", "amount"), 1e308, "dose.amount", "less than or equal", id="1e308"
        ),
        pytest.param(
            ("arms", 0, "treatments", 0, "dose", "amount"), True, "dose.amount", "yes/no value", id="dose-true"
        ),
        pytest.param(
            ("arms", 0, "treatments", 0, "schedule", "every_hours"),
            1e6,
            "schedule.every_hours",
            "8784",
            id="every-1e6-h",
        ),
        pytest.param(
            ("arms", 0, "treatments", 0, "schedule", "max_doses"), True, "schedule.max_doses", "yes/no", id="doses-true"
        ),
        pytest.param(("arms", 0, "planned_cycles"), True, "arms[A].planned_cycles", "yes/no value", id="cycles-true"),
        pytest.param(("id",), "X" * 101, "id", "at most 100 characters", id="id-of-101-characters"),
    ],
)
def test_numbers_a_protocol_cannot_hold_are_refused(
    tmp_path: Path, path: tuple[Any, ...], value: Any, location: str, message: str
) -> None:
    """Before: ``.inf``, 1e308 and ``true`` validated as doses (``true`` as 1 IU/kg)."""
    document = _seed("NCT01416831")
    _edit(document, path, value)
    error = _load_invalid(tmp_path, document)
    (problem,) = [p for p in error.problems if p.code == "PROTOCOL-E003"]  # 1e6 h also overruns the cycle: E012
    assert location in problem.location
    assert message in problem.message


@pytest.mark.parametrize(
    ("kind", "key", "value", "message"),
    [
        pytest.param(
            "life_expectancy", "at_least", {"value": 1e300, "unit": "years"}, "more than 100 years", id="1e300-y"
        ),
        pytest.param(
            "life_expectancy", "at_least", {"value": 2000, "unit": "months"}, "more than 100 years", id="months"
        ),
        pytest.param("age", "min_years", 1e9, "less than or equal to 150", id="age"),
    ],
)
def test_criterion_numbers_out_of_range_are_refused(
    tmp_path: Path, kind: str, key: str, value: Any, message: str
) -> None:
    document = _seed("NCT00514085")
    document["eligibility"][_criterion(document, kind)][key] = value
    error = _load_invalid(tmp_path, document)
    assert [p.code for p in error.problems] == ["PROTOCOL-E003"]
    assert message in error.problems[0].message


def test_a_reference_too_long_for_a_file_name_is_looked_up_as_an_id() -> None:
    """Before: the id was tried as a file, and the system's "File name too long" ended the run."""
    with pytest.raises(ProtocolError, match=r"There is no built-in protocol 'X{30}…X{30} \(300 characters\)'"):
        load_protocol_reference("X" * 300)


def test_an_alias_bomb_in_a_protocol_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(9)),
        encoding="utf-8",
    )
    with pytest.raises(ProtocolError, match=r"bomb\.yaml cannot be used: its aliases") as info:
        load_protocol(path)
    assert info.value.code == "DOC-E002"
