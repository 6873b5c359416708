"""ClinicalTrials.gov results of the 44-patient trial (``oncotrial.report.ctgov``): the registry's module and field
names, counts equal to the hand counts of ``conftest``, and the record accepted back by the project's reader of
registry records (``derive_protocol_from_ctgov`` / ``read_ctgov_results``)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from oncotrial.errors import DataError
from oncotrial.io import derive_protocol_from_ctgov
from oncotrial.report import ReportData
from oncotrial.report.ctgov import derive_ctgov_results
from tests.report.conftest import ARM_NAMES, CBOR_COUNTS, DEATHS, RESPONDERS

# the modules and, for each, the fields the registry's API v2 results record uses (ClinicalTrials.gov data model)
MODULE_FIELDS = {
    "participantFlowModule": {"groups", "periods"},
    "baselineCharacteristicsModule": {"groups", "denoms", "measures"},
    "outcomeMeasuresModule": {"outcomeMeasures"},
    "adverseEventsModule": {"frequencyThreshold", "timeFrame", "description", "eventGroups", "seriousEvents",
                            "otherEvents"},
}  # fmt: skip


@pytest.fixture(scope="module")
def record(trial: ReportData) -> dict[str, object]:
    return derive_ctgov_results(trial)


def test_the_record_uses_the_registry_module_and_field_names(record: dict[str, object]) -> None:
    json.dumps(record, allow_nan=False)
    results = record["resultsSection"]
    assert isinstance(results, dict)
    assert {name: set(module) for name, module in results.items()} == MODULE_FIELDS
    outcome = results["outcomeMeasuresModule"]["outcomeMeasures"][0]
    assert {"type", "title", "paramType", "dispersionType", "unitOfMeasure", "groups", "denoms", "classes",
            "analyses"} <= set(outcome)  # fmt: skip
    assert set(outcome["analyses"][0]) >= {"groupIds", "pValue", "statisticalMethod", "paramType", "paramValue",
                                           "ciPctValue", "ciNumSides", "ciLowerLimit", "ciUpperLimit"}  # fmt: skip
    identification = record["protocolSection"]["identificationModule"]  # type: ignore[index]
    assert (identification["nctId"], identification["briefTitle"]) == ("NCT01416831", "SBRT/IL-2")


def test_the_reader_accepts_the_record_and_its_counts_equal_the_hand_count(record: dict[str, object]) -> None:
    """Read back by the registry reader: 22 randomised per arm, 6 crossed over from arm A, responders 7 and 4,
    the CR/PR/SD/PD/NE counts and the deaths (11 and 14) counted by hand in conftest."""
    results = derive_protocol_from_ctgov(json.loads(json.dumps(record))).results
    assert results is not None
    flow = results.flow.set_index(["period", "milestone", "group"])["subjects"]
    for arm, name in ARM_NAMES.items():
        assert flow[("Overall Study", "STARTED", name)] == 22
        assert flow[("Overall Study", "COMPLETED", name)] == 22 - CBOR_COUNTS[arm]["NE"]
    assert flow[("Crossover", "STARTED", ARM_NAMES["A"])] == 6
    assert flow[("Crossover", "STARTED", ARM_NAMES["B"])] == 0
    best = results.outcomes[results.outcomes["title"].str.startswith("Best overall response")]
    counts = best.set_index(["group", "category"])["value"]
    for arm, name in ARM_NAMES.items():
        for category, count in CBOR_COUNTS[arm].items():
            assert counts[(name, category)] == count
    orr = results.outcomes[results.outcomes["title"].str.startswith("Objective response rate")].set_index("group")
    for arm, name in ARM_NAMES.items():
        assert orr.loc[name, "value"] == pytest.approx(round(100 * RESPONDERS[arm] / 22, 1))
    groups = results.event_groups.set_index("group")
    for arm, name in ARM_NAMES.items():
        assert groups.loc[name, "deathsNumAffected"] == DEATHS[arm]
        assert groups.loc[name, "seriousNumAtRisk"] == 22
    assert results.baseline_denoms["participants"].tolist() == [22, 22, 44]


def test_adverse_events_split_serious_and_other_as_counted_by_hand(record: dict[str, object]) -> None:
    """Grade >= 3 events are serious (conftest): hypotension every 5th patient (4 in arm A), capillary leak
    patient 11 (arm A) and 33 (arm B); pyrexia (every 3rd: 7 per arm) and rash are other events."""
    results = derive_protocol_from_ctgov(record).results  # type: ignore[arg-type]
    assert results is not None
    events = results.adverse_events.set_index(["kind", "term", "group"])
    assert events.loc[("serious", "Hypotension", ARM_NAMES["A"]), "affected"] == 4
    assert events.loc[("serious", "Capillary leak syndrome", ARM_NAMES["B"]), "affected"] == 1
    assert events.loc[("other", "Pyrexia", ARM_NAMES["A"]), "affected"] == 7
    assert ("other", "Hypotension", ARM_NAMES["A"]) not in events.index


def test_a_trial_without_a_registry_id_is_refused(trial: ReportData) -> None:
    assert trial.protocol is not None
    bare = dataclasses.replace(trial, protocol=trial.protocol.model_copy(update={"registry_ids": []}))
    with pytest.raises(DataError, match="no ClinicalTrials\\.gov id") as info:
        derive_ctgov_results(bare)
    assert info.value.code == "REPORT-E010"
