"""Reading ClinicalTrials.gov results (``read_ctgov_results``): a small record written by hand in the API v2 shape
(field names as the registry's data model), read into tables; each malformed part refused naming its path."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from oncotrial.errors import DataError
from oncotrial.io import derive_protocol_from_ctgov, read_ctgov_results

RESULTS: dict[str, Any] = {
    "participantFlowModule": {
        "groups": [{"id": "FG000", "title": "IL-2"}, {"id": "FG001", "title": "SBRT + IL-2"}],
        "periods": [{"title": "Overall Study", "milestones": [
            {"type": "STARTED", "achievements": [{"groupId": "FG000", "numSubjects": "22"},
                                                 {"groupId": "FG001", "numSubjects": "21"}]},
        ]}],
    },
    "baselineCharacteristicsModule": {
        "groups": [{"id": "BG000", "title": "Total"}],
        "denoms": [{"units": "Participants", "counts": [{"groupId": "BG000", "value": "43"}]}],
        "measures": [{"title": "Age, Continuous", "paramType": "MEDIAN", "dispersionType": "FULL_RANGE",
                      "classes": [{"categories": [{"measurements": [
                          {"groupId": "BG000", "value": "58", "lowerLimit": "31", "upperLimit": "80"}]}]}]}],
    },
    "outcomeMeasuresModule": {"outcomeMeasures": [{
        "type": "PRIMARY", "title": "ORR", "paramType": "NUMBER", "unitOfMeasure": "percentage of participants",
        "groups": [{"id": "OG000", "title": "IL-2"}, {"id": "OG001", "title": "SBRT + IL-2"}],
        "denoms": [{"units": "Participants", "counts": [{"groupId": "OG000", "value": "22"},
                                                        {"groupId": "OG001", "value": "21"}]}],
        "classes": [{"categories": [{"measurements": [{"groupId": "OG000", "value": "31.8"},
                                                      {"groupId": "OG001", "value": "NA"}]}]}],
        "analyses": [{"groupIds": ["OG000", "OG001"], "pValue": "<0.001", "statisticalMethod": "Fisher Exact",
                      "paramType": "Risk Difference (RD)", "paramValue": "13.6"}],
    }]},
    "adverseEventsModule": {
        "eventGroups": [{"id": "EG000", "title": "IL-2", "seriousNumAffected": 4, "seriousNumAtRisk": 22}],
        "seriousEvents": [{"term": "Hypotension", "organSystem": "Vascular disorders",
                           "stats": [{"groupId": "EG000", "numEvents": 5, "numAffected": 4, "numAtRisk": 22}]}],
        "otherEvents": [],
    },
}  # fmt: skip
STUDY = {"protocolSection": {"identificationModule": {"nctId": "NCT01416831"}}, "resultsSection": RESULTS}


def test_a_results_record_reads_into_tables() -> None:
    """The values are those written in RESULTS above."""
    results = read_ctgov_results(STUDY)
    assert results is not None
    assert results.flow["subjects"].tolist() == [22, 21]
    assert results.flow["group"].tolist() == ["IL-2", "SBRT + IL-2"]
    assert results.baseline[["value", "lower", "upper"]].values.tolist() == [[58.0, 31.0, 80.0]]
    assert results.baseline_denoms["participants"].tolist() == [43]
    assert results.outcomes["value"].tolist()[0] == 31.8
    assert results.outcomes["value"].isna().tolist() == [False, True]  # NA: not estimable
    assert results.analyses[["param_value", "p_value"]].values.tolist() == [[13.6, 0.001]]
    assert results.adverse_events[["events", "affected", "at_risk"]].values.tolist() == [[5, 4, 22]]
    assert results.event_groups["seriousNumAffected"].tolist() == [4]


def test_the_registry_reader_reads_results_and_a_record_without_them() -> None:
    assert derive_protocol_from_ctgov(STUDY).results is not None
    assert derive_protocol_from_ctgov({"protocolSection": STUDY["protocolSection"]}).results is None


def _broken(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    study = copy.deepcopy(STUDY)
    target = study["resultsSection"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return study


@pytest.mark.parametrize(
    ("path", "value", "message", "code"),
    [
        pytest.param(("participantFlowModule", "periods", 0, "milestones", 0, "achievements", 0, "groupId"), "FG009",
                     "achievements\\[0\\].groupId 'FG009' is not one of the module's groups", "CTGOV-E012",
                     id="unknown_group"),
        pytest.param(("participantFlowModule", "periods", 0, "milestones", 0, "achievements", 1, "numSubjects"), "many",
                     "numSubjects is 'many', not a whole number", "CTGOV-E013", id="count_not_a_number"),
        pytest.param(("adverseEventsModule", "seriousEvents", 0, "stats", 0, "numAffected"), -1,
                     "numAffected is -1", "CTGOV-E013", id="negative_count"),
        pytest.param(("outcomeMeasuresModule", "outcomeMeasures", 0, "classes", 0, "categories", 0, "measurements", 0,
                      "value"), "high", "value is 'high', not a number or NA", "CTGOV-E014", id="value_not_a_number"),
        pytest.param(("baselineCharacteristicsModule", "measures"), {"title": "Age"}, "measures is not a list",
                     "CTGOV-E010", id="measures_not_a_list"),
    ],
)  # fmt: skip
def test_a_malformed_results_record_is_refused_naming_the_path(
    path: tuple[Any, ...], value: Any, message: str, code: str
) -> None:
    with pytest.raises(DataError, match=message) as info:
        read_ctgov_results(_broken(path, value))
    assert info.value.code == code
    assert info.value.field is not None
    assert info.value.field.startswith("resultsSection.")
