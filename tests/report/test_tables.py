"""The report's tables (``oncotrial.report.tables``) for the 44-patient trial of ``conftest``: each present, the
counts equal to those counted by hand from ``PATIENTS``, every other number the analysis object's own, and a
note (not a crash) when data are missing or refused."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from oncotrial.design import compute_two_stage_inference
from oncotrial.endpoints import derive_response_summary
from oncotrial.protocol.models import SimonTwoStageDesign
from oncotrial.report import Note, ReportData
from oncotrial.report.tables import TABLES, ReportTable
from tests.report.conftest import ARM_NAMES, CBOR_COUNTS, DEATHS, DISEASE_CONTROL, RESPONDERS


def _table(data: ReportData, name: str) -> ReportTable:
    result = next(spec for spec in TABLES if spec.name == name).build(data)
    assert isinstance(result, ReportTable), result
    return result


def test_every_table_is_built_for_the_trial_with_its_method(trial: ReportData) -> None:
    names = [spec.name for spec in TABLES]
    assert names == ["baseline", "response", "time-to-event", "adverse-events", "dose-intensity", "pk"]
    for spec in TABLES:
        table = _table(trial, spec.name)
        assert len(table.frame) > 0
        assert "oncotrial." in table.method  # the method names the analysis it comes from


def test_response_counts_equal_the_hand_count(trial: ReportData) -> None:
    """CR, PR, SD, PD, NE, ORR and DCR per arm, counted by hand from PATIENTS (conftest docstring)."""
    frame = _table(trial, "response").frame
    for arm, name in ARM_NAMES.items():
        rows = frame[frame["Arm"] == name].set_index("Response")
        for category, count in CBOR_COUNTS[arm].items():
            assert rows.loc[category, "n"] == count, (arm, category)
        assert rows.loc["ORR (CR + PR)", "n"] == RESPONDERS[arm]
        assert rows.loc["DCR (CR + PR + SD + non-CR/non-PD)", "n"] == DISEASE_CONTROL[arm]
        assert set(rows["N"]) == {22}


def test_response_rates_and_comparison_are_the_summary_objects(trial: ReportData) -> None:
    frame = _table(trial, "response").frame
    cbor = trial.adrs[trial.adrs["PARAMCD"] == "CBOR"] if trial.adrs is not None else pd.DataFrame()
    summary = derive_response_summary(cbor.merge(trial.adsl[["USUBJID"]]), param="CBOR", group_col="ARM")
    for arm, rates in summary.arms.items():
        row = frame[(frame["Arm"] == arm) & (frame["Response"] == "ORR (CR + PR)")].iloc[0]
        assert (row["Estimate"], row["Lower"], row["Upper"]) == (rates.orr.estimate, rates.orr.lower, rates.orr.upper)
    assert summary.comparison is not None
    difference = frame[frame["Response"].str.startswith("ORR difference")].iloc[0]
    assert difference["Estimate"] == summary.comparison.difference
    assert difference["p"] == summary.comparison.fisher_p


def test_time_to_event_counts_deaths_by_hand(trial: ReportData) -> None:
    """OS events are the deaths of PATIENTS: 11 in arm A, 14 in arm B; medians with their CI come from KM."""
    frame = _table(trial, "time-to-event").frame
    medians = frame[(frame["Parameter"] == "OS") & (frame["Statistic"] == "Median (days)")].set_index("Group")
    for arm, name in ARM_NAMES.items():
        assert medians.loc[name, "Events"] == DEATHS[arm]
    landmarks = frame[frame["Statistic"].str.startswith("Survival at")]["Statistic"].unique().tolist()
    assert landmarks == ["Survival at 6 months (183 days)", "Survival at 12 months (365 days)"]
    assert {"Hazard ratio (Cox)", "Log-rank test"} <= set(frame["Statistic"])


def test_adverse_events_by_worst_grade_counted_by_hand(trial: ReportData) -> None:
    """Patient numbers 1-22 are arm A: pyrexia (every 3rd) 7 patients at grade 2; hypotension (every 5th)
    4 at grade 3; capillary leak (patient 11) 1 at grade 4."""
    frame = _table(trial, "adverse-events").frame
    arm_a = frame[frame["Arm"] == ARM_NAMES["A"]].set_index("Preferred term")
    assert (arm_a.loc["Pyrexia", "Grade 2"], arm_a.loc["Pyrexia", "Any grade"]) == (7, 7)
    assert arm_a.loc["Hypotension", "Grade 3"] == 4
    assert arm_a.loc["Capillary leak syndrome", "Grade 4"] == 1
    assert frame["System organ class"].iloc[0] == "ANY ADVERSE EVENT"


def test_dose_intensity_from_ex_counted_by_hand(trial: ReportData) -> None:
    """IL-2: 6 doses, or 5 for an odd patient number (11 per arm): median 5.5 doses, range 5-6; SBRT in arm B only."""
    frame = _table(trial, "dose-intensity").frame
    doses = frame[(frame["Treatment"] == "IL-2") & (frame["Characteristic"] == "Doses given")].set_index("Statistic")
    assert doses.loc["Median", ARM_NAMES["A"]] == 5.5
    assert (doses.loc["Min", "Total"], doses.loc["Max", "Total"], doses.loc["n", "Total"]) == (5, 6, 44)
    sbrt = frame[(frame["Treatment"] == "SBRT") & (frame["Statistic"] == "n")]
    assert pd.isna(sbrt[ARM_NAMES["A"]]).all()
    assert (sbrt[ARM_NAMES["B"]] == 22).all()


def test_pk_summary_has_the_six_sampled_patients(trial: ReportData) -> None:
    """Six patients have PC samples; Cmax is 180 ng/mL times each factor (1.0, 1.2, 0.8, 1.1, 0.9, 1.3): mean 189."""
    frame = _table(trial, "pk").frame.set_index("parameter")
    assert frame.loc["cmax", "n"] == 6
    assert frame.loc["cmax", "mean"] == pytest.approx(189.0)
    assert (frame.loc["cmax", "min"], frame.loc["cmax", "max"]) == (144.0, 234.0)


def test_baseline_counts_equal_the_hand_count(trial: ReportData) -> None:
    """Arm A has 7 women of 22, arm B 8; ages range 45-72 in A."""
    frame = _table(trial, "baseline").frame
    women = frame[(frame["Characteristic"] == "Sex") & (frame["Category"] == "F")].set_index("Statistic")
    assert (women.loc["n", ARM_NAMES["A"]], women.loc["n", ARM_NAMES["B"]], women.loc["n", "Total"]) == (7, 8, 15)
    age = frame[frame["Characteristic"] == "Age (years)"].set_index("Statistic")
    assert (age.loc["Min", ARM_NAMES["A"]], age.loc["Max", ARM_NAMES["A"]]) == (45, 72)


def test_a_simon_design_gives_its_decision_and_design_adjusted_inference(trial: ReportData) -> None:
    """Arm A alone (7 responders of 22) under a Simon design r1 = 1/n1 = 10, r = 5/n = 22, p0 = 0.10: more than
    5 responses, so the rule says 'promising' (worked by hand); the estimates are compute_two_stage_inference's."""
    assert trial.protocol is not None
    design = SimonTwoStageDesign(kind="simon_two_stage", p0=0.1, p1=0.3, alpha=0.05, beta=0.2, r1=1, n1=10, r=5, n=22)
    arm_a = trial.adsl[trial.adsl["ARMCD"] == "A"].drop(columns=["ARM", "TRT01P", "ACTARM", "TRT01A"], errors="ignore")
    data = dataclasses.replace(trial, adsl=arm_a, protocol=trial.protocol.model_copy(update={"design": design}))
    table = _table(data, "response")
    assert any("promising" in note for note in table.footnotes)
    expected = compute_two_stage_inference(7, r1=1, n1=10, r=5, n=22, p0=0.1, alpha=0.05)
    row = table.frame[table.frame["Response"].str.startswith("ORR, median-unbiased")].iloc[0]
    assert (row["Estimate"], row["Lower"], row["p"]) == (expected.median_unbiased, expected.lower, expected.p_value)


def test_missing_data_give_notes_not_errors(trial: ReportData) -> None:
    bare = ReportData(adsl=trial.adsl[["USUBJID", "ARM"]])
    results = {spec.name: spec.build(bare) for spec in TABLES}
    assert all(isinstance(r, Note) for r in results.values())
    assert "No response data (ADRS)" in results["response"].text  # type: ignore[union-attr]
    assert "no baseline characteristics" in results["baseline"].text  # type: ignore[union-attr]


def test_refused_data_give_a_note_with_the_cores_message(trial: ReportData) -> None:
    """An AE grade of 7 is refused by summarise_adverse_events (SAFETY-E011): the table is a note saying so."""
    assert trial.adae is not None
    bad = dataclasses.replace(trial, adae=trial.adae.assign(AETOXGR=7))
    result = next(spec for spec in TABLES if spec.name == "adverse-events").build(bad)
    assert isinstance(result, Note)
    assert "not a CTCAE grade" in result.text


def test_an_adrs_without_avalc_gives_a_note_naming_the_column(trial: ReportData) -> None:
    assert trial.adrs is not None
    bad = dataclasses.replace(trial, adrs=trial.adrs.drop(columns="AVALC"))
    result = next(spec for spec in TABLES if spec.name == "response").build(bad)
    assert isinstance(result, Note)
    assert "The ADRS table lacks the column(s) AVALC" in result.text


def test_people_screened_without_an_arm_are_not_counted_as_patients(trial: ReportData) -> None:
    """An ADSL holding screen failures (no ARM, as the store's; ARM "Screen Failure", as pharmaverse's): the report
    counts the 44 assigned patients only, 22 per arm, as without them."""
    from oncotrial.report.document import build_report

    failures = pd.DataFrame({"USUBJID": ["SF-1", "SF-2", "SF-3"], "ARM": [None, "Screen Failure", "  "]})
    screened = dataclasses.replace(trial, adsl=pd.concat([trial.adsl, failures], ignore_index=True))
    report = build_report(screened, figures=[])
    response = next(result for spec, result in report.tables if spec.name == "response")
    assert isinstance(response, ReportTable)
    orr = response.frame[response.frame["Response"] == "ORR (CR + PR)"].set_index("Arm")
    assert orr.loc[list(ARM_NAMES.values()), "N"].tolist() == [22, 22]
    assert orr.loc[list(ARM_NAMES.values()), "n"].tolist() == [RESPONDERS[arm] for arm in ARM_NAMES]


def _three_patients(protocol: object) -> ReportData:
    """Three patients of arm A: P1 PR unconfirmed (BOR PR, CBOR SD), P2 CR confirmed (CR both), P3 PD (both)."""
    adsl = pd.DataFrame({"USUBJID": ["P1", "P2", "P3"], "ARM": ["A", "A", "A"]})
    rows = [("P1", "BOR", "PR"), ("P1", "CBOR", "SD"), ("P2", "BOR", "CR"), ("P2", "CBOR", "CR")]
    rows += [("P3", "BOR", "PD"), ("P3", "CBOR", "PD")]
    adrs = pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "AVALC"])
    return ReportData(adsl=adsl, adrs=adrs, protocol=protocol)  # type: ignore[arg-type]


def test_a_randomised_trial_counts_the_unconfirmed_best_response_a_single_arm_trial_the_confirmed() -> None:
    """RECIST 1.1 section 4.6: confirmation is not required in randomised trials. NCT01416831 is randomised and
    states no confirmation: ORR 2/3 (P1's PR counts); CALGB-500001 is a single-arm Simon trial: ORR 1/3; a copy
    of NCT01416831 asking for confirmation after 28 days: 1/3; no protocol: confirmed, 1/3."""
    from oncotrial.protocol import load_builtin_protocol
    from oncotrial.report.tables import confirmation_required
    from tests.report.conftest import confirmed

    randomised = load_builtin_protocol("NCT01416831")
    cases = {
        "NCT01416831": (randomised, False, 2),
        "CALGB-500001": (load_builtin_protocol("CALGB-500001"), True, 1),
        "NCT01416831 with confirmation": (confirmed(randomised), True, 1),
        "no protocol": (None, True, 1),
    }
    for name, (protocol, required, responders) in cases.items():
        assert confirmation_required(protocol) is required, name
        table = _table(_three_patients(protocol), "response")
        orr = table.frame[table.frame["Response"] == "ORR (CR + PR)"].iloc[0]
        assert (orr["n"], orr["N"]) == (responders, 3), name
        assert ("RECIST 1.1 section 4.6" in table.method) is (not required), name
