"""ClinicalTrials.gov results (API v2 ``resultsSection``) read into tables, every reference and number checked.

The modules read (each optional): ``participantFlowModule`` (groups, periods, milestones, achievements,
dropWithdraws), ``baselineCharacteristicsModule`` (groups, denoms, measures, classes, categories, measurements),
``outcomeMeasuresModule`` (outcomeMeasures with groups, denoms, classes and analyses) and
``adverseEventsModule`` (eventGroups, seriousEvents, otherEvents with stats). A ``groupId`` must name a group
of its module; a count (``numSubjects``, a denominator, an adverse-event statistic) must be a whole number
of 0 or more; a measurement value a number or ``NA`` (not estimable). Each error names the path in the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from oncotrial.errors import DataError

__all__ = ["CtgovResults", "read_ctgov_results"]


@dataclass(frozen=True)
class CtgovResults:
    """The results of one record as tables (empty when the module is absent).

    ``flow``: period, milestone, group_id, group, subjects; ``baseline``: measure, category, group_id, group,
    value, lower, upper (and ``baseline_denoms``: group_id, group, participants); ``outcomes``: type, title,
    param_type, unit, category, group_id, group, value, lower, upper; ``analyses``: title, group_ids, param_type,
    param_value, ci_lower, ci_upper, p_value, method; ``adverse_events``: kind (serious/other), term,
    organ_system, group_id, group, events, affected, at_risk; ``event_groups``: group_id, group and the
    module's ``*NumAffected``/``*NumAtRisk`` counts.
    """

    flow: pd.DataFrame
    baseline: pd.DataFrame
    baseline_denoms: pd.DataFrame
    outcomes: pd.DataFrame
    analyses: pd.DataFrame
    adverse_events: pd.DataFrame
    event_groups: pd.DataFrame


def _error(path: str, problem: str, code: str) -> DataError:
    return DataError(
        f"resultsSection.{path} {problem}. The file is not a ClinicalTrials.gov API v2 results record as written; "
        "correct it or download the record again.",
        code=code,
        field=f"resultsSection.{path}",
    )


def _objects(parent: Mapping[str, Any], key: str, path: str) -> list[dict[str, Any]]:
    value = parent.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _error(f"{path}.{key}", "is not a list of objects", "CTGOV-E010")
    return value


def _module(results: Mapping[str, Any], name: str) -> dict[str, Any]:
    module = results.get(name, {})
    if not isinstance(module, dict):
        raise _error(name, "is not an object", "CTGOV-E010")
    return module


def _groups(module: Mapping[str, Any], key: str, path: str) -> dict[str, str]:
    groups = {}
    for i, group in enumerate(_objects(module, key, path)):
        if not isinstance(group.get("id"), str):
            raise _error(f"{path}.{key}[{i}].id", "is missing", "CTGOV-E011")
        groups[group["id"]] = str(group.get("title", group["id"]))
    return groups


def _group(groups: Mapping[str, str], item: Mapping[str, Any], path: str) -> tuple[str, str]:
    group_id = item.get("groupId")
    if group_id not in groups:
        raise _error(
            f"{path}.groupId", f"'{group_id}' is not one of the module's groups ({', '.join(groups)})", "CTGOV-E012"
        )
    return str(group_id), groups[str(group_id)]


def _count(value: Any, path: str) -> int:
    text = str(value).strip() if value is not None else ""
    if isinstance(value, bool) or not text.isdigit():
        raise _error(path, f"is {value!r}, not a whole number of 0 or more", "CTGOV-E013")
    return int(text)


def _number(value: Any, path: str) -> float | None:
    if value is None or str(value).strip().upper() == "NA":
        return None
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        raise _error(path, f"is {value!r}, not a number or NA", "CTGOV-E014") from None


def _flow(module: Mapping[str, Any]) -> pd.DataFrame:
    path = "participantFlowModule"
    groups = _groups(module, "groups", path)
    rows = []
    for p, period in enumerate(_objects(module, "periods", path)):
        for m, milestone in enumerate(_objects(period, "milestones", f"{path}.periods[{p}]")):
            where = f"{path}.periods[{p}].milestones[{m}]"
            for a, achievement in enumerate(_objects(milestone, "achievements", where)):
                group_id, title = _group(groups, achievement, f"{where}.achievements[{a}]")
                subjects = _count(achievement.get("numSubjects"), f"{where}.achievements[{a}].numSubjects")
                rows.append((period.get("title", ""), milestone.get("type", ""), group_id, title, subjects))
    return pd.DataFrame(rows, columns=["period", "milestone", "group_id", "group", "subjects"])


def _measurements(
    measure: Mapping[str, Any], groups: Mapping[str, str], path: str
) -> list[tuple[str, str, str, float | None, float | None, float | None]]:
    rows = []
    for c, klass in enumerate(_objects(measure, "classes", path)):
        for k, category in enumerate(_objects(klass, "categories", f"{path}.classes[{c}]")):
            where = f"{path}.classes[{c}].categories[{k}]"
            for i, item in enumerate(_objects(category, "measurements", where)):
                at = f"{where}.measurements[{i}]"
                group_id, title = _group(groups, item, at)
                rows.append((category.get("title", klass.get("title", "")), group_id, title,
                             _number(item.get("value"), f"{at}.value"), _number(item.get("lowerLimit"), f"{at}.lowerLimit"),
                             _number(item.get("upperLimit"), f"{at}.upperLimit")))  # fmt: skip
    return rows


def _denoms(parent: Mapping[str, Any], groups: Mapping[str, str], path: str) -> list[tuple[str, str, int]]:
    rows = []
    for d, denom in enumerate(_objects(parent, "denoms", path)):
        for i, count in enumerate(_objects(denom, "counts", f"{path}.denoms[{d}]")):
            at = f"{path}.denoms[{d}].counts[{i}]"
            group_id, title = _group(groups, count, at)
            rows.append((group_id, title, _count(count.get("value"), f"{at}.value")))
    return rows


def _baseline(module: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    path = "baselineCharacteristicsModule"
    groups = _groups(module, "groups", path)
    denoms = pd.DataFrame(_denoms(module, groups, path), columns=["group_id", "group", "participants"])
    rows = []
    for m, measure in enumerate(_objects(module, "measures", path)):
        rows += [(measure.get("title", ""), *r) for r in _measurements(measure, groups, f"{path}.measures[{m}]")]
    columns = ["measure", "category", "group_id", "group", "value", "lower", "upper"]
    return pd.DataFrame(rows, columns=columns), denoms


def _outcomes(module: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    path = "outcomeMeasuresModule"
    rows, analyses = [], []
    for o, outcome in enumerate(_objects(module, "outcomeMeasures", path)):
        where = f"{path}.outcomeMeasures[{o}]"
        groups = _groups(outcome, "groups", where)
        _denoms(outcome, groups, where)
        head = (outcome.get("type", ""), outcome.get("title", ""), outcome.get("paramType", ""),
                outcome.get("unitOfMeasure", ""))  # fmt: skip
        rows += [(*head, *r) for r in _measurements(outcome, groups, where)]
        for a, analysis in enumerate(_objects(outcome, "analyses", where)):
            at = f"{where}.analyses[{a}]"
            ids = analysis.get("groupIds", [])
            unknown = [g for g in ids if g not in groups] if isinstance(ids, list) else [ids]
            if unknown:
                raise _error(f"{at}.groupIds", f"names {unknown[0]!r}, not one of the outcome's groups", "CTGOV-E012")
            p_value = str(analysis.get("pValue", "")).lstrip("<>= ")
            analyses.append((outcome.get("title", ""), tuple(ids), analysis.get("paramType", ""),
                             _number(analysis.get("paramValue"), f"{at}.paramValue"),
                             _number(analysis.get("ciLowerLimit"), f"{at}.ciLowerLimit"),
                             _number(analysis.get("ciUpperLimit"), f"{at}.ciUpperLimit"),
                             _number(p_value or None, f"{at}.pValue"), analysis.get("statisticalMethod", "")))  # fmt: skip
    columns = ["type", "title", "param_type", "unit", "category", "group_id", "group", "value", "lower", "upper"]
    analysis_columns = ["title", "group_ids", "param_type", "param_value", "ci_lower", "ci_upper", "p_value", "method"]
    return pd.DataFrame(rows, columns=columns), pd.DataFrame(analyses, columns=analysis_columns)


_EVENT_GROUP_COUNTS = ("seriousNumAffected", "seriousNumAtRisk", "otherNumAffected", "otherNumAtRisk",
                       "deathsNumAffected", "deathsNumAtRisk")  # fmt: skip


def _adverse_events(module: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    path = "adverseEventsModule"
    groups = _groups(module, "eventGroups", path)
    event_groups = []
    for i, group in enumerate(_objects(module, "eventGroups", path)):
        counts = {k: _count(group[k], f"{path}.eventGroups[{i}].{k}") for k in _EVENT_GROUP_COUNTS if k in group}
        event_groups.append({"group_id": group["id"], "group": groups[group["id"]], **counts})
    rows = []
    for kind in ("serious", "other"):
        key = f"{kind}Events"
        for e, event in enumerate(_objects(module, key, path)):
            for s, stat in enumerate(_objects(event, "stats", f"{path}.{key}[{e}]")):
                at = f"{path}.{key}[{e}].stats[{s}]"
                group_id, title = _group(groups, stat, at)
                numbers = [_count(stat.get(k, 0), f"{at}.{k}") for k in ("numEvents", "numAffected", "numAtRisk")]
                rows.append((kind, event.get("term", ""), event.get("organSystem", ""), group_id, title, *numbers))
    columns = ["kind", "term", "organ_system", "group_id", "group", "events", "affected", "at_risk"]
    return pd.DataFrame(rows, columns=columns), pd.DataFrame(
        event_groups, columns=["group_id", "group", *_EVENT_GROUP_COUNTS]
    )


def read_ctgov_results(study: Mapping[str, Any]) -> CtgovResults | None:
    """The ``resultsSection`` of one API v2 study record as tables; None when the record has no results.

    Raises
    ------
    DataError
        A module or list is not shaped as the registry writes it (CTGOV-E010, E011), a ``groupId`` names no group
        of its module (CTGOV-E012), a count is not a whole number (CTGOV-E013) or a value not a number
        (CTGOV-E014); each names its path in the record.
    """
    results = study.get("resultsSection")
    if results is None:
        return None
    if not isinstance(results, dict):
        raise _error("", "is not an object", "CTGOV-E010")
    baseline, denoms = _baseline(_module(results, "baselineCharacteristicsModule"))
    outcomes, analyses = _outcomes(_module(results, "outcomeMeasuresModule"))
    events, event_groups = _adverse_events(_module(results, "adverseEventsModule"))
    return CtgovResults(
        flow=_flow(_module(results, "participantFlowModule")),
        baseline=baseline,
        baseline_denoms=denoms,
        outcomes=outcomes,
        analyses=analyses,
        adverse_events=events,
        event_groups=event_groups,
    )
