"""Virtual trials: the simulated operating characteristics against exact values (clinfun, oncotrial.design),
the vectorised RECIST and log-rank against the core's, split-independence, and bad input."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from oncotrial.endpoints import compute_logrank_test, derive_adtte
from oncotrial.errors import DataError, ProtocolError
from oncotrial.protocol import load_builtin_protocol
from oncotrial.recist import ResponseRules, derive_adrs_from_timepoints, derive_timepoint_responses
from oncotrial.simulate import parse_scenario
from oncotrial.simulate._engine import DRAWS, compute_pfs, draw_uniforms, simulate_patients
from oncotrial.simulate._logrank import compute_logrank_batch
from oncotrial.simulate._recist import MISSING, compute_best_responses
from oncotrial.simulate.trials import TrialOptions, build_trial_plan, simulate_trials

CALGB = load_builtin_protocol("CALGB-500001")
NCT01416831 = load_builtin_protocol("NCT01416831")
# p0 = 0.05, p1 = 0.20, alpha = 0.05, beta = 0.20: clinfun's optimal design 0/10, 3/29
SIMON = TrialOptions(p0=0.05, p1=0.20, alpha=0.05, beta=0.20)
LABELS = {0: "CR", 1: "PR", 2: "SD", 3: "NON-CR/NON-PD", 4: "PD", 5: "NE", MISSING: "MISSING"}


def calgb_scenario(rate: float, **changes: Any) -> Any:
    arm: dict[str, Any] = {"response_probability": rate, "pfs_hazard": 0.35, "os_hazard": 0.0}
    arm.update(changes.pop("arm", {}))
    data = {"id": "exact", "protocol": "CALGB-500001", "arms": {"IL12-IFN": arm}, "follow_up_months": 12}
    data.update(changes)
    return parse_scenario(data)


def nct_scenario(**arm_changes: Any) -> Any:
    arms = {
        "A": {"response_probability": 0.16, "pfs_hazard": 0.27, "os_hazard": 0.0, **arm_changes},
        "B": {"response_probability": 0.32, "pfs_hazard": 0.17, "os_hazard": 0.0, **arm_changes},
    }
    return parse_scenario({"id": "nct", "protocol": "NCT01416831", "patients": 44, "arms": arms})


# clinfun 1.1.5 ph2simon(pu = 0.05, pa = 0.20, ep1 = 0.05, ep2 = 0.20) and oc.twostage.bdry for its optimal
# design 0/10, 3/29: tests/reference/simon/simon_designs.csv (alpha_oc_clinfun, power_oc_clinfun, PET, EN).
EXACT = {
    0.05: {"promising": 0.0468285337051978, "stop": 0.598736939238379, "size": 17.6239981544708},
    0.20: {"promising": 0.801110133055173, "stop": 0.1073741824, "size": 26.9598905344},
}


@pytest.mark.parametrize("rate", [0.05, 0.20], ids=["at_p0", "at_p1"])
def test_simon_trials_agree_with_clinfun_exact_characteristics_within_three_se(rate: float) -> None:
    """Exact values: clinfun 1.1.5 (tests/reference/simon/simon_designs.csv, row p0 = .05, p1 = .2, alpha = .05,
    beta = .2, optimal). Without confirmation, deaths or dropout the simulated trial is the binomial one."""
    result = simulate_trials(CALGB, calgb_scenario(rate), 4000, seed=11, options=SIMON)
    assert result.design == "Simon two-stage 0/10, 3/29"
    for measure, key in [
        ("P(declare promising)", "promising"),
        ("P(stop at stage 1)", "stop"),
        ("expected sample size", "size"),
    ]:
        estimate = result.get(measure)
        assert estimate.exact == pytest.approx(EXACT[rate][key], abs=1e-12)
        assert abs(estimate.estimate - EXACT[rate][key]) < 3 * estimate.se, measure


def test_confirmation_and_dropout_show_their_difference_from_the_exact_values() -> None:
    """At p1 = 0.20 (exact P(promising) 0.801110133055173, clinfun), responders who progress within 8 weeks
    of their response (hazard 2.0 x 0.5 per month: e^-1.84 = 16 % remain) cannot be confirmed, and dropout
    removes more: the shortfall is reported as the difference, far beyond the Monte-Carlo error."""
    scenario = calgb_scenario(
        0.20, confirmation=True, arm={"pfs_hazard": 2.0, "responder_hazard_ratio": 0.5, "dropout_hazard": 0.3}
    )
    result = simulate_trials(CALGB, scenario, 1000, seed=3, options=SIMON)
    assert result.confirmation_days == 28
    promising = result.get("P(declare promising)")
    assert promising.exact == pytest.approx(0.801110133055173, abs=1e-12)
    assert promising.difference == pytest.approx(promising.estimate - 0.801110133055173)
    assert promising.difference < -10 * promising.se
    assert result.to_frame().set_index("measure").loc["P(declare promising)", "difference"] == promising.difference
    assert result.get("expected sample size").estimate > 10  # lost patients are replaced


def test_selection_agrees_with_the_exact_selection_probability_within_three_se() -> None:
    """Exact: oncotrial.design.compute_selection_probability(22, [0.16, 0.32]) (checked by hand and against
    Simon, Wittes & Ellenberg 1985 in tests/design/test_selection.py) = 0.8942480180050607 for arm B."""
    result = simulate_trials(NCT01416831, nct_scenario(), 3000, seed=5)
    chosen = result.get("P(selected)", "B")
    assert chosen.exact == pytest.approx(0.8942480180050607, abs=1e-12)
    assert abs(chosen.estimate - 0.8942480180050607) < 3 * chosen.se
    assert result.get("P(correct selection)").estimate == chosen.estimate
    assert 0 < result.get("power of PFS comparison").estimate < 1


def test_orr_is_unbiased_without_losses_for_a_fixed_size_design() -> None:
    """Every patient of a fixed-size trial is analysed: responses / 22 estimate the truth without bias."""
    result = simulate_trials(NCT01416831, nct_scenario(), 3000, seed=9)
    for arm in ("A", "B"):
        bias = result.get("ORR bias", arm)
        assert abs(bias.estimate) < 3 * bias.se


def test_split_into_chunks_gives_identical_results() -> None:
    one = simulate_trials(NCT01416831, nct_scenario(dropout_hazard=0.05), 300, seed=21, chunk_size=300)
    many = simulate_trials(NCT01416831, nct_scenario(dropout_hazard=0.05), 300, seed=21, chunk_size=7)
    assert one.estimates == many.estimates
    pd.testing.assert_frame_equal(one.to_replicate_frame(), many.to_replicate_frame())


def test_each_replicate_draws_from_its_spawned_seed_sequence_child() -> None:
    """Replicate i's stream is SeedSequence(seed).spawn(n)[i] (numpy's documented spawning)."""
    plan = build_trial_plan(NCT01416831, nct_scenario())
    children = np.random.SeedSequence(42).spawn(6)
    expected = np.random.default_rng(children[5]).random((len(DRAWS), plan.pool))
    np.testing.assert_array_equal(draw_uniforms(plan, 42, 5, 6)[0], expected)


START = date(2026, 1, 5)


def _core_adrs(plan: Any, patients: Any, rules: ResponseRules) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The replicate's lesion records through the core: one target lesion per patient, its diameter the sum,
    randomised and scanned at baseline on day ``entry`` after START. Returns time points, ADRS and ADSL."""
    rows = []
    n_patients = patients.baseline.shape[1]
    randomised = [START + timedelta(days=int(patients.entry[0, k])) for k in range(n_patients)]
    for k in range(n_patients):  # building the input table of the core (the check, not the simulation)
        subject = f"P{k:03d}"
        rows.append((subject, "BASELINE", randomised[k], True, float(patients.baseline[0, k])))
        for j, day in enumerate(plan.assessment_days):
            if patients.assessed[0, k, j]:
                scan = randomised[k] + timedelta(days=day)
                rows.append((subject, f"W{j + 1}", scan, False, float(patients.sums[0, k, j])))
    lesions = pd.DataFrame(rows, columns=["USUBJID", "VISIT", "ADT", "BASELINE", "DIAMETER"])
    lesions["ADT"] = pd.to_datetime(lesions["ADT"])
    lesions = lesions.assign(LESIONID="T1", CATEGORY="TARGET", NODAL=False, STATE=None)
    adsl = pd.DataFrame({"USUBJID": [f"P{k:03d}" for k in range(n_patients)], "RANDDT": pd.to_datetime(randomised)})
    timepoints = derive_timepoint_responses(lesions)
    return timepoints, derive_adrs_from_timepoints(timepoints, adsl, rules=rules), adsl


def recist_scenario() -> Any:
    return parse_scenario({
        "id": "recist",
        "protocol": "NCT01416831",
        "patients": 44,
        "assessment_interval_weeks": 4,
        "sd_min_weeks": 8,
        "follow_up_months": 6,
        "arms": {
            arm: {"response_probability": 0.6, "complete_response_share": 0.4, "weeks_to_response": 10,
                  "responder_change": -0.35, "pfs_hazard": 0.6, "responder_hazard_ratio": 0.8,
                  "os_hazard": 0.05, "dropout_hazard": 0.1}
            for arm in ("A", "B")
        },
    })  # fmt: skip


def test_vectorised_recist_equals_the_core_for_one_replicate() -> None:
    """The patients of one replicate go through the real RECIST core (derive_timepoint_responses, then
    derive_adrs_from_timepoints: BOR and CBOR): the same time-point, best and confirmed best responses."""
    scenario = recist_scenario()
    plan = build_trial_plan(NCT01416831, scenario)
    patients = simulate_patients(plan, draw_uniforms(plan, 2026, 7, 8))
    rules = ResponseRules(confirmation_days=28, sd_min_days=56)
    timepoints, adrs, _ = _core_adrs(plan, patients, rules)
    follow_up = timepoints[~timepoints["BASELINE"]]
    ours = patients.codes[0][patients.assessed[0]]
    assert list(follow_up["OVERALL"].astype(str)) == [LABELS[int(c)] for c in ours]
    for paramcd, days in [("BOR", None), ("CBOR", 28)]:
        core = adrs[adrs["PARAMCD"] == paramcd].set_index("USUBJID")["AVALC"].astype(str).sort_index()
        best = compute_best_responses(patients.codes, plan.days, sd_min_days=56, confirmation_days=days)[0]
        assert list(core) == [LABELS[int(c)] for c in best], paramcd
    bor, cbor = (adrs[adrs["PARAMCD"] == p]["AVALC"].astype(str).to_numpy() for p in ("BOR", "CBOR"))
    assert {"CR", "PR", "SD", "PD"} <= set(bor)  # every category is exercised
    assert (bor != cbor).any()  # and confirmation changes some


def test_vectorised_pfs_equals_the_core_adtte_for_one_replicate() -> None:
    """PFS of one replicate (first PD or death by the data cut-off and before dropout, else censored at the
    last assessment) equals derive_adtte's PFS on the core's ADRS of the same records, with DTHDT for the
    deaths seen before dropout and the cut-off date 6 months after the last randomisation."""
    plan = build_trial_plan(NCT01416831, recist_scenario())
    patients = simulate_patients(plan, draw_uniforms(plan, 2026, 3, 4))
    _, adrs, adsl = _core_adrs(plan, patients, ResponseRules())
    seen = patients.death[0] <= patients.dropout[0]
    adsl["DTHDT"] = adsl["RANDDT"] + pd.to_timedelta(np.where(seen, patients.death[0], np.nan), unit="D")
    adsl["LSTALVDT"] = adsl["RANDDT"]
    cutoff = START + timedelta(days=int(patients.entry[0, -1]) + math.floor(plan.follow_up_days))
    adtte = derive_adtte(adsl, adrs, cutoff=cutoff)
    pfs = adtte[adtte["PARAMCD"] == "PFS"].merge(adsl[["USUBJID", "RANDDT"]], on="USUBJID")
    time, event = compute_pfs(plan, patients)
    assert list((pd.to_datetime(pfs["ADT"]) - pfs["RANDDT"]).dt.days) == list(time[0].astype(int))
    assert list(pfs["CNSR"]) == list((~event[0]).astype(int))
    assert 0 < event[0].sum() < plan.patients  # events and censoring both occur


@pytest.mark.parametrize(
    ("codes", "bor", "cbor"),
    [
        pytest.param(["PR", "CR", "PR", "SD"], "CR", "SD", id="pr_after_cr_breaks_the_confirmation"),
        pytest.param(["PR", "PR", "PR", "PD"], "PR", "PR", id="pr_confirmed_28_days_later"),
        pytest.param(["SD", "CR", "SD", "CR"], "CR", "SD", id="cr_not_confirmed_through_sd"),
        pytest.param(["CR", "NONE", "NONE", "NONE"], "CR", "NE", id="cr_without_later_assessment"),
        pytest.param(["SD", "PD", "NONE", "NONE"], "PD", "PD", id="sd_before_day_42_then_pd"),
        pytest.param(["SD", "SD", "PD", "NONE"], "SD", "SD", id="sd_on_day_42_then_pd"),
        pytest.param(["PD", "NONE", "NONE", "NONE"], "PD", "PD", id="pd_first"),
        pytest.param(["NONE", "NONE", "NONE", "NONE"], "MISSING", "MISSING", id="never_assessed"),
    ],
)
def test_best_response_rules_worked_by_hand(codes: list[str], bor: str, cbor: str) -> None:
    """Assessments on days 28, 42, 56 and 84, SD counted from day 42, confirmation at >= 28 days; expected
    values worked by hand from admiralonco's rules (RECIST 1.1 section 4.6). First case: the PR of day 28 is
    confirmed by the first CR/PR at >= 56 days, the PR of day 56, but a CR (day 42) comes between before a
    PR, which admiralonco's crsp_y_pr refuses; no other CR/PR is confirmed, so CBOR is SD (day 42 >= 42)."""
    names = {label: code for code, label in LABELS.items()} | {"NONE": MISSING}
    array = np.array([[names[c] for c in codes]], dtype=np.int64)
    days = np.array([28, 42, 56, 84])
    found = [
        LABELS[int(compute_best_responses(array, days, sd_min_days=42, confirmation_days=c)[0])] for c in (None, 28)
    ]
    assert found == [bor, cbor]


def test_batched_logrank_equals_the_core_logrank_test() -> None:
    """The chi-square and p-value of each row equal compute_logrank_test (itself equal to R's survdiff),
    with tied times, censoring, and a row where one group has no events."""
    rng = np.random.default_rng(3)
    time = rng.integers(1, 15, size=(12, 30)).astype(float)
    event = rng.random((12, 30)) < 0.7
    group = np.tile(np.arange(30) % 2 == 1, (12, 1))
    event[0, group[0]] = False  # row 0: group 1 has no events
    chisq, p = compute_logrank_batch(time, event, group)
    for row in range(12):
        core = compute_logrank_test(time[row], event[row], group[row].astype(int))
        assert chisq[row] == pytest.approx(core.chisq, rel=1e-10, abs=1e-12)
        assert p[row] == pytest.approx(core.p, rel=1e-10)


def test_assessment_calendar_and_confirmation_follow_the_protocol() -> None:
    """NCT01416831's primary response is at week 14: assessments every 7 weeks (days 49, 98, 147); it asks
    for no confirmation; a scenario asking for it gets RECIST's 28 days."""
    plan = build_trial_plan(NCT01416831, nct_scenario())
    assert plan.assessment_days[:3] == (49, 98, 147)
    assert plan.confirmation_days is None
    assert plan.sd_min_days == 42
    confirmed = parse_scenario({**_nct_dict(), "confirmation": True})
    assert build_trial_plan(NCT01416831, confirmed).confirmation_days == 28


def _nct_dict() -> dict[str, Any]:
    arm = {"response_probability": 0.2, "pfs_hazard": 0.2, "os_hazard": 0.05}
    return {"id": "s", "protocol": "NCT01416831", "arms": {"A": dict(arm), "B": dict(arm)}}


@pytest.mark.parametrize(
    ("replicates", "seed", "field"),
    [
        pytest.param(0, 1, "replicates", id="no_replicates"),
        pytest.param(-5, 1, "replicates", id="negative_replicates"),
        pytest.param(True, 1, "replicates", id="bool_replicates"),
        pytest.param(10, -1, "seed", id="negative_seed"),
    ],
)
def test_bad_run_settings_name_the_field(replicates: Any, seed: Any, field: str) -> None:
    with pytest.raises(DataError, match=f"{field} = ") as exc:
        simulate_trials(NCT01416831, nct_scenario(), replicates, seed=seed)
    assert exc.value.fields["field"] == field


def test_a_scenario_arm_the_protocol_lacks_is_refused() -> None:
    data = _nct_dict()
    data["arms"]["C"] = dict(data["arms"]["A"])
    with pytest.raises(ProtocolError) as exc:
        simulate_trials(NCT01416831, parse_scenario(data), 10, seed=1)
    assert [(p.location, p.code) for p in exc.value.problems] == [("arms.C", "SIM-E011")]


def test_a_scenario_missing_an_arm_of_the_protocol_is_refused() -> None:
    data = _nct_dict()
    del data["arms"]["B"]
    with pytest.raises(DataError, match="no truth for arm") as exc:
        simulate_trials(NCT01416831, parse_scenario(data), 10, seed=1)
    assert exc.value.fields["field"] == "arms.B"


def test_a_simon_design_without_stage_sizes_needs_p0_and_p1() -> None:
    with pytest.raises(DataError, match="give p0 and p1") as exc:
        simulate_trials(CALGB, calgb_scenario(0.1), 10, seed=1)
    assert exc.value.code == "SIM-E050"
