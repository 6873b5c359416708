"""Scenarios are validated like protocols: every problem at once with its place, and against the protocol."""

from __future__ import annotations

from typing import Any

import pytest

from oncotrial.errors import ProtocolError
from oncotrial.protocol import load_builtin_protocol
from oncotrial.simulate import (
    builtin_scenario_files,
    check_scenario,
    load_builtin_scenario,
    parse_scenario,
)


def scenario(**changes: Any) -> dict[str, Any]:
    arm = {"response_probability": 0.2, "pfs_hazard": 0.2, "os_hazard": 0.05}
    data: dict[str, Any] = {"id": "s", "protocol": "NCT01416831", "arms": {"A": dict(arm), "B": dict(arm)}}
    data.update(changes)
    return data


def problems(exc: pytest.ExceptionInfo[ProtocolError]) -> dict[str, str]:
    return {problem.location: problem.code for problem in exc.value.problems}


@pytest.mark.parametrize("protocol_id", ["NCT01416831", "CALGB-500001", "NCT00514085", "HD-IL2-LTO"])
def test_every_seed_trial_ships_a_scenario_that_fits_its_protocol(protocol_id: str) -> None:
    assert protocol_id in builtin_scenario_files()
    check_scenario(load_builtin_scenario(protocol_id), load_builtin_protocol(protocol_id))


def test_probabilities_outside_0_1_and_negative_hazards_are_named_all_at_once() -> None:
    bad = scenario()
    bad["arms"]["A"]["response_probability"] = 1.2
    bad["arms"]["B"]["pfs_hazard"] = -0.1
    bad["screening"] = {"failure_probability": -0.5}
    with pytest.raises(ProtocolError) as exc:
        parse_scenario(bad)
    assert problems(exc) == {
        "arms.A.response_probability": "SIM-E002",
        "arms.B.pfs_hazard": "SIM-E002",
        "screening.failure_probability": "SIM-E002",
    }
    assert "3 problems" in str(exc.value)


def test_a_typo_in_a_field_is_refused() -> None:
    bad = scenario()
    bad["arms"]["A"]["respones_probability"] = 0.3
    with pytest.raises(ProtocolError) as exc:
        parse_scenario(bad)
    assert "arms.A.respones_probability" in problems(exc)


def test_a_scenario_arm_the_protocol_lacks_a_wrong_reason_and_too_many_patients_are_named() -> None:
    data = scenario(patients=45, screening={"failure_probability": 0.2, "reasons": {"ecog": 1, "eyes": 1}})
    data["arms"]["C"] = dict(data["arms"]["A"])
    with pytest.raises(ProtocolError) as exc:
        check_scenario(parse_scenario(data), load_builtin_protocol("NCT01416831"))
    # NCT01416831's design enrols 44 (the registry's actual enrolment), so 45 is one too many
    assert problems(exc) == {"arms.C": "SIM-E011", "screening.reasons.eyes": "SIM-E012", "patients": "SIM-E013"}
    assert "(44)" in str(exc.value)


def test_a_scenario_of_another_protocol_is_refused() -> None:
    with pytest.raises(ProtocolError) as exc:
        check_scenario(parse_scenario(scenario()), load_builtin_protocol("CALGB-500001"))
    assert problems(exc)["protocol"] == "SIM-E010"
