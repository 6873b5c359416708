"""ClinicalTrials.gov results: a trial's ``resultsSection`` in the shape of the registry's API v2 study record.

The record written is ``{"protocolSection": {"identificationModule": ...}, "resultsSection": ..., "hasResults":
true}`` with the registry's module and field names (API v2 data model; the seed records in ``shared/ctgov`` give
the protocolSection's): ``participantFlowModule``, ``baselineCharacteristicsModule``, ``outcomeMeasuresModule``
(with ``analyses``) and ``adverseEventsModule``. As the registry writes them, counts and values inside
``achievements``, ``denoms`` and ``measurements`` are text ("22"); adverse-event statistics are whole numbers.

Every number is a field of an analysis object (the report's tables' sources), never recomputed here:

* participant flow, one group per arm (``FG000``, ...): period "Overall Study" with STARTED (randomised),
  TREATED (a first dose, ADSL TRTSDT), COMPLETED (evaluable for the primary outcome: a best response other
  than NE) and NOT COMPLETED, whose drop/withdraw reason is "Not evaluable for response"; a period
  "Crossover" (STARTED: the patients with a second-period treatment, ADSL TRT02A) when there is one;
* baseline (``BG000``, ..., then the total): age (median, full range), sex and the other categorical ADSL
  variables (counts);
* outcome measures (``OG000``, ...): best overall response (counts), objective response rate (percent with exact
  95 % limits; two arms: the difference with Newcombe's interval and Fisher's exact p), and the median of each
  ADTTE parameter (days, 95 % limits; two arms: Cox hazard ratio and log-rank p);
* adverse events (``EG000``, ...): deaths (ADSL DTHDT), serious (AESER = Y) and other events per preferred term,
  with patients affected, events and patients at risk (``summarise_adverse_events``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from oncotrial.errors import DataError
from oncotrial.report.data import ReportData, analysis_population
from oncotrial.report.tables import choose_arm_column, response_parameter, subject_responses

__all__ = ["derive_ctgov_results"]

_PARTICIPANTS = "Participants"
_TTE_NAMES = {"OS": "Overall survival", "PFS": "Progression-free survival", "TTP": "Time to progression",
              "DOR": "Duration of response", "DSD": "Duration of stable disease"}  # fmt: skip


def _text(value: float | int | None, digits: int = 1) -> str:
    """A number as the registry writes it; "NA" where it is not estimable (e.g. a median not reached)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "NA"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def _arms(data: ReportData) -> tuple[str | None, list[str]]:
    arm = choose_arm_column(data.adsl)
    if arm is None:
        return None, ["All participants"]
    return arm, sorted(data.adsl[arm].dropna().astype(str).unique())


def _ids(prefix: str, arms: Sequence[str]) -> dict[str, str]:
    return {name: f"{prefix}{i:03d}" for i, name in enumerate(arms)}


def _per_arm(data: ReportData, arm: str | None, arms: Sequence[str], mask: pd.Series | None = None) -> list[int]:
    adsl = data.adsl if mask is None else data.adsl[mask.to_numpy()]
    if arm is None:
        return [len(adsl)]
    return [int((adsl[arm].astype(str) == name).sum()) for name in arms]


def _milestone(kind: str, groups: Mapping[str, str], counts: Sequence[int]) -> dict[str, Any]:
    return {"type": kind, "achievements": [{"groupId": g, "numSubjects": str(c)} for g, c in zip(groups.values(), counts, strict=True)]}  # fmt: skip


def _responses(data: ReportData) -> tuple[str, pd.DataFrame] | None:
    """The parameter the report's response table counts (CBOR or BOR:
    :func:`~oncotrial.report.tables.response_parameter`) and each ADSL subject's record of it; ``None`` without
    ADRS or either parameter."""
    param = response_parameter(data.adrs, data.protocol) if data.adrs is not None else None
    return None if param is None else (param, subject_responses(data, param)[0])


def _evaluable(data: ReportData, arm: str | None, arms: Sequence[str]) -> list[int] | None:
    responses = _responses(data)
    if responses is None:
        return None
    _, table = responses
    evaluable = ~table["AVALC"].astype(str).str.upper().isin(["NE", "MISSING"])
    if arm is None:
        return [int(evaluable.sum())]
    return [int((evaluable & (table[arm].astype(str) == name)).sum()) for name in arms]


def _participant_flow(data: ReportData, arm: str | None, arms: Sequence[str]) -> dict[str, Any]:
    groups = _ids("FG", arms)
    started = _per_arm(data, arm, arms)
    milestones = [_milestone("STARTED", groups, started)]
    if "TRTSDT" in data.adsl.columns:
        milestones.append(_milestone("TREATED", groups, _per_arm(data, arm, arms, data.adsl["TRTSDT"].notna())))
    periods: list[dict[str, Any]] = [{"title": "Overall Study", "milestones": milestones}]
    completed = _evaluable(data, arm, arms)
    if completed is not None:
        not_completed = [s - c for s, c in zip(started, completed, strict=True)]
        milestones += [_milestone("COMPLETED", groups, completed), _milestone("NOT COMPLETED", groups, not_completed)]
        reasons = [{"groupId": g, "numSubjects": str(n)} for g, n in zip(groups.values(), not_completed, strict=True)]
        periods[0]["dropWithdraws"] = [{"type": "Not evaluable for response", "reasons": reasons}]
    if "TRT02A" in data.adsl.columns and data.adsl["TRT02A"].notna().any():
        crossed = _per_arm(data, arm, arms, data.adsl["TRT02A"].notna())
        periods.append({"title": "Crossover", "milestones": [_milestone("STARTED", groups, crossed)]})
    return {
        "groups": [{"id": g, "title": name, "description": name} for name, g in groups.items()],
        "periods": periods,
    }


def _baseline(data: ReportData, arm: str | None, arms: Sequence[str]) -> dict[str, Any]:
    from oncotrial.endpoints import summarise_characteristics
    from oncotrial.endpoints.characteristics import TOTAL

    names = [*arms, TOTAL] if arm is not None else [TOTAL]
    groups = _ids("BG", names)
    categorical = [c for c in ("SEX", "RACE", "ETHNIC", "ECOG", "ECOGBL") if c in data.adsl.columns]
    continuous = ["AGE"] if "AGE" in data.adsl.columns else []
    summary = summarise_characteristics(data.adsl, group_col=arm, continuous=continuous, categorical=categorical)
    table = summary.table
    totals = table.drop_duplicates("group").set_index("group")["N"]
    denoms = [{"units": _PARTICIPANTS, "counts": [{"groupId": g, "value": str(int(totals[n]))} for n, g in groups.items()]}]  # fmt: skip
    measures = []
    for variable in continuous:
        by_group: dict[Any, dict[Any, Any]] = table[table["variable"] == variable].set_index("group").to_dict("index")
        measurements = [
            {"groupId": g, "value": _text(by_group[n]["median"]), "lowerLimit": _text(by_group[n]["min"]),
             "upperLimit": _text(by_group[n]["max"])}
            for n, g in groups.items()
        ]  # fmt: skip
        measures.append({"title": "Age, Continuous", "paramType": "MEDIAN", "dispersionType": "FULL_RANGE",
                         "unitOfMeasure": "years", "classes": [{"categories": [{"measurements": measurements}]}]})  # fmt: skip
    titles = {"SEX": "Sex: Female, Male", "RACE": "Race/Ethnicity, Customized", "ETHNIC": "Ethnicity (NIH/OMB)"}
    labels = {"F": "Female", "M": "Male"}
    for variable in categorical:
        rows = table[table["variable"] == variable]
        categories = [
            {"title": labels.get(c, c) if variable == "SEX" else c,
             "measurements": [{"groupId": g, "value": str(int(rows[(rows["category"] == c) & (rows["group"] == n)]["n"].sum()))}
                              for n, g in groups.items()]}
            for c in dict.fromkeys(rows["category"])
        ]  # fmt: skip
        title = titles.get(variable, "ECOG performance status" if variable.startswith("ECOG") else variable)
        measures.append({"title": title, "paramType": "COUNT_OF_PARTICIPANTS", "unitOfMeasure": _PARTICIPANTS,
                         "classes": [{"categories": categories}]})  # fmt: skip
    return {
        "groups": [{"id": g, "title": n, "description": n} for n, g in groups.items()],
        "denoms": denoms,
        "measures": measures,
    }


def _outcome_groups(groups: Mapping[str, str], counts: Sequence[int]) -> dict[str, Any]:
    return {
        "groups": [{"id": g, "title": n, "description": n} for n, g in groups.items()],
        "denoms": [
            {
                "units": _PARTICIPANTS,
                "counts": [{"groupId": g, "value": str(c)} for g, c in zip(groups.values(), counts, strict=True)],
            }
        ],
    }


def _response_outcomes(data: ReportData, arm: str | None, arms: Sequence[str]) -> list[dict[str, Any]]:
    from oncotrial.endpoints import derive_response_rates, derive_response_summary
    from oncotrial.report.tables import RESPONSE_CATEGORIES

    responses = _responses(data)
    if responses is None:
        return []
    param, table = responses
    summary = derive_response_summary(table, response_col="AVALC", group_col=arm)
    names = list(summary.arms)
    groups = _ids("OG", arms if arm is not None else names)
    parts = {str(k): v for k, v in table.groupby(arm, sort=True)} if arm else {"all": table}
    counts = {name: derive_response_rates(part["AVALC"], rates=RESPONSE_CATEGORIES) for name, part in parts.items()}
    keys = list(groups)
    categories = [
        {"title": category, "measurements": [{"groupId": groups[k], "value": str(counts[n].rates[category].x)}
                                             for k, n in zip(keys, names, strict=True)]}
        for category in ("CR", "PR", "SD", "Non-CR/non-PD", "PD", "NE")
    ]  # fmt: skip
    denominators = [summary.arms[n].orr.n for n in names]
    confirmed = "confirmed " if param == "CBOR" else ""
    best = {"type": "SECONDARY", "title": f"Best overall response ({confirmed}RECIST 1.1)", "reportingStatus": "POSTED",
            "paramType": "COUNT_OF_PARTICIPANTS", "unitOfMeasure": _PARTICIPANTS, "timeFrame": "Until progression",
            **_outcome_groups(groups, denominators), "classes": [{"categories": categories}]}  # fmt: skip
    measurements = [
        {"groupId": groups[k], "value": _text(100 * summary.arms[n].orr.estimate),
         "lowerLimit": _text(100 * summary.arms[n].orr.lower), "upperLimit": _text(100 * summary.arms[n].orr.upper)}
        for k, n in zip(keys, names, strict=True)
    ]  # fmt: skip
    orr: dict[str, Any] = {
        "type": "PRIMARY", "title": f"Objective response rate ({confirmed}CR + PR, RECIST 1.1)",
        "description": "Exact (Clopper-Pearson) 95 % confidence interval; every participant in the denominator.",
        "reportingStatus": "POSTED", "paramType": "NUMBER", "dispersionType": "CONFIDENCE_95",
        "unitOfMeasure": "percentage of participants", "timeFrame": "Until progression",
        **_outcome_groups(groups, denominators), "classes": [{"categories": [{"measurements": measurements}]}],
    }  # fmt: skip
    if summary.comparison is not None:
        c = summary.comparison
        orr["analyses"] = [{
            "groupIds": list(groups.values()), "nonInferiorityType": "SUPERIORITY_OR_OTHER",
            "pValue": f"{c.fisher_p:.4f}", "statisticalMethod": "Fisher Exact",
            "paramType": "Risk Difference (RD)", "paramValue": _text(100 * c.difference),
            "ciPctValue": "95", "ciNumSides": "TWO_SIDED", "ciLowerLimit": _text(100 * c.lower),
            "ciUpperLimit": _text(100 * c.upper),
            "estimateComment": f"{names[0]} minus {names[1]}, percentage points; Newcombe hybrid score interval.",
        }]  # fmt: skip
    return [orr, best]


def _time_to_event_outcomes(data: ReportData, arm: str | None, arms: Sequence[str]) -> list[dict[str, Any]]:
    from oncotrial.endpoints import derive_survival_summary

    if data.adtte is None or "PARAMCD" not in data.adtte.columns:
        return []
    adtte = data.adtte
    if arm is not None and arm not in adtte.columns:
        adtte = adtte.merge(data.adsl[["USUBJID", arm]], on="USUBJID", how="left")
    outcomes = []
    present = list(dict.fromkeys(adtte["PARAMCD"].astype(str)))
    for param in [p for p in ("OS", "PFS") if p in present]:
        summary = derive_survival_summary(adtte, param=param, group_col=arm)
        curves = dict(summary.groups) if arm is not None else {"All participants": summary.overall}
        groups = _ids("OG", list(curves))
        measurements = [
            {"groupId": groups[n], "value": _text(km.median.estimate), "lowerLimit": _text(km.median.lower),
             "upperLimit": _text(km.median.upper)}
            for n, km in curves.items()
        ]  # fmt: skip
        outcome: dict[str, Any] = {
            "type": "SECONDARY", "title": _TTE_NAMES[param], "reportingStatus": "POSTED", "paramType": "MEDIAN",
            "dispersionType": "CONFIDENCE_95", "unitOfMeasure": "days", "timeFrame": "From randomisation",
            "description": "Kaplan-Meier median with its 95 % confidence interval (NA: not reached).",
            **_outcome_groups(groups, [km.n for km in curves.values()]),
            "classes": [{"categories": [{"measurements": measurements}]}],
        }  # fmt: skip
        if summary.cox is not None and summary.logrank is not None:
            cox = summary.cox
            outcome["analyses"] = [{
                "groupIds": list(groups.values()), "nonInferiorityType": "SUPERIORITY_OR_OTHER",
                "pValue": f"{summary.logrank.p:.4f}", "statisticalMethod": "Log Rank",
                "paramType": "Hazard Ratio (HR)", "paramValue": _text(cox.hr[0], 3), "ciPctValue": "95",
                "ciNumSides": "TWO_SIDED", "ciLowerLimit": _text(cox.lower[0], 3), "ciUpperLimit": _text(cox.upper[0], 3),
                "estimateComment": f"Cox proportional hazards ({cox.ties} ties), {cox.covariates[0]} against the first arm.",
            }]  # fmt: skip
        outcomes.append(outcome)
    return outcomes


def _event_rows(ae: pd.DataFrame, data: ReportData, arm: str | None, groups: Mapping[str, str]) -> tuple[list[dict[str, Any]], dict[str, int]]:  # fmt: skip
    """Per preferred term: stats per group; and the patients affected by any event, per group."""
    from oncotrial.safety import summarise_adverse_events

    if ae.empty:
        return [], dict.fromkeys(groups, 0)
    counts = summarise_adverse_events(ae, adsl=data.adsl, by=[arm] if arm else []).counts
    if arm is None:
        counts = counts.assign(_arm=next(iter(groups)))
    key = arm or "_arm"
    affected = {n: int(counts[(counts["level"] == "any") & (counts[key] == n)]["any"].sum()) for n in groups}
    terms = counts[counts["level"] == "term"]
    events = []
    for (soc, term), part in terms.groupby(["AEBODSYS", "AEDECOD"], sort=True):
        by_group = part.set_index(key)
        stats = [
            {"groupId": g, "numEvents": int(by_group["events"].get(n, 0)), "numAffected": int(by_group["any"].get(n, 0)),
             "numAtRisk": int(counts[counts[key] == n]["N"].iloc[0]) if (counts[key] == n).any() else 0}
            for n, g in groups.items()
        ]  # fmt: skip
        events.append({"term": term, "organSystem": soc, "sourceVocabulary": "MedDRA",
                       "assessmentType": "SYSTEMATIC_ASSESSMENT", "stats": stats})  # fmt: skip
    return events, affected


def _adverse_events(data: ReportData, arm: str | None, arms: Sequence[str]) -> dict[str, Any] | None:
    if data.adae is None or data.adae.empty:
        return None
    groups = _ids("EG", arms)
    ae = data.adae
    if "AETOXGR" not in ae.columns and "ATOXGR" in ae.columns:
        ae = ae.assign(AETOXGR=ae["ATOXGR"])
    serious_flag = ae["AESER"].astype("string").str.upper().eq("Y").fillna(False) if "AESER" in ae.columns else None
    serious = ae[serious_flag.to_numpy()] if serious_flag is not None else ae.iloc[:0]
    other = ae[~serious_flag.to_numpy()] if serious_flag is not None else ae
    serious_events, serious_affected = _event_rows(serious, data, arm, groups)
    other_events, other_affected = _event_rows(other, data, arm, groups)
    at_risk = dict(zip(arms, _per_arm(data, arm, arms), strict=True))
    dead = data.adsl["DTHDT"].notna() & (data.adsl["DTHDT"].astype(str) != "") if "DTHDT" in data.adsl.columns else None
    deaths = dict(zip(arms, _per_arm(data, arm, arms, dead), strict=True)) if dead is not None else {}
    event_groups = [
        {"id": g, "title": n, "description": n, "seriousNumAffected": serious_affected[n], "seriousNumAtRisk": at_risk[n],
         "otherNumAffected": other_affected[n], "otherNumAtRisk": at_risk[n],
         **({"deathsNumAffected": deaths[n], "deathsNumAtRisk": at_risk[n]} if deaths else {})}
        for n, g in groups.items()
    ]  # fmt: skip
    return {
        "frequencyThreshold": "0",
        "timeFrame": "From the first dose to 30 days after the last dose",
        "description": "Adverse events graded by CTCAE; serious: AESER = Y.",
        "eventGroups": event_groups,
        "seriousEvents": serious_events,
        "otherEvents": other_events,
    }


def _nct_id(data: ReportData) -> str:
    protocol = data.protocol
    ids = [r.id for r in protocol.registry_ids if r.registry == "ClinicalTrials.gov"] if protocol else []
    if not ids:
        raise DataError(
            "The trial has no ClinicalTrials.gov id: its protocol names none in registry_ids. Add it (registry: "
            "ClinicalTrials.gov, id: NCT...) to the protocol; the results record is filed under it.",
            code="REPORT-E010",
            field="protocol.registry_ids",
        )
    return ids[0]


def derive_ctgov_results(data: ReportData) -> dict[str, Any]:
    """The study record holding the trial's ``resultsSection`` (see the module docstring).

    Raises
    ------
    DataError
        The protocol gives no ClinicalTrials.gov id (REPORT-E010), or the core refuses the data (its own codes).
    """
    data = analysis_population(data)  # the patients assigned an arm; the people screened are in data.screening
    nct = _nct_id(data)
    arm, arms = _arms(data)
    results: dict[str, Any] = {
        "participantFlowModule": _participant_flow(data, arm, arms),
        "baselineCharacteristicsModule": _baseline(data, arm, arms),
        "outcomeMeasuresModule": {
            "outcomeMeasures": _response_outcomes(data, arm, arms) + _time_to_event_outcomes(data, arm, arms)
        },
    }
    events = _adverse_events(data, arm, arms)
    if events is not None:
        results["adverseEventsModule"] = events
    protocol = data.protocol
    assert protocol is not None  # _nct_id refused a trial without one
    identification = {"nctId": nct, "briefTitle": protocol.short_title or protocol.title,
                      "officialTitle": protocol.title}  # fmt: skip
    return {"protocolSection": {"identificationModule": identification}, "resultsSection": results, "hasResults": True}
