"""Virtual patients: reproducible from the seed, screening failures and responders at the scenario's rates, and
records that the real core reads as the drawn truth (eligibility by ``oncotrial.eligibility``, responses by
``oncotrial.recist``).

The scenario is the one shipped for NCT01416831 (src/oncotrial/simulate/scenarios/NCT01416831.yaml): screening
failure probability 0.27 (reasons ecog 3, brain-mets-not-radiosurgery 2, pulmonary-function 1, cardiac-ischemia
1), response probability 0.16 in arm A and 0.32 in arm B, 12 weeks to response, assessments every 7 weeks (the
protocol's response time points, weeks 14 and 21).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from oncotrial.eligibility import PatientRecord, evaluate_eligibility
from oncotrial.errors import DataError, ProtocolError
from oncotrial.protocol import load_builtin_protocol
from oncotrial.protocol.models import Protocol
from oncotrial.recist import derive_lesion_assessments, derive_timepoint_responses
from oncotrial.simulate import Scenario, builtin_scenario_files, load_builtin_scenario
from oncotrial.simulate.patients import (
    PatientCourse,
    ScreenedPerson,
    compute_assessment_days,
    generate_course,
    generate_screening,
)

FIRST_DAY = dt.date(2024, 1, 8)


@pytest.fixture(scope="module")
def protocol() -> Protocol:
    return load_builtin_protocol("NCT01416831")


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_builtin_scenario("NCT01416831")


@pytest.fixture(scope="module")
def screened(protocol: Protocol, scenario: Scenario) -> tuple[ScreenedPerson, ...]:
    return generate_screening(protocol, scenario, np.random.default_rng(20261130), n_screened=400, first_day=FIRST_DAY)


def _courses(
    protocol: Protocol, scenario: Scenario, people: tuple[ScreenedPerson, ...], arm: str, seed: int
) -> Iterator[PatientCourse]:
    streams = np.random.SeedSequence(seed).spawn(len(people))
    for number, (person, stream) in enumerate(zip(people, streams, strict=True), start=1):
        yield generate_course(
            protocol,
            scenario,
            person,
            arm,
            person.planned_start,
            np.random.default_rng(stream),
            subject_id=f"01-{number:04d}",
            enrolment_number=number,
        )


@pytest.fixture(scope="module")
def courses_b(
    protocol: Protocol, scenario: Scenario, screened: tuple[ScreenedPerson, ...]
) -> tuple[PatientCourse, ...]:
    eligible = tuple(p for p in screened if p.eligible)[:250]
    assert len(eligible) == 250
    return tuple(_courses(protocol, scenario, eligible, "B", 7))


@pytest.fixture(scope="module")
def timepoints_b(courses_b: tuple[PatientCourse, ...]) -> dict[str, pd.DataFrame]:
    """Each course's time-point responses by oncotrial.recist (all courses in one call: the core is vectorised
    across subjects), baseline left out, by subject id."""
    tables = [course.tumour_tables() for course in courses_b]
    tu, tr = (pd.concat([t[i] for t in tables], ignore_index=True) for i in (0, 1))
    points = derive_timepoint_responses(derive_lesion_assessments(tu, tr, evaluator=None))
    points = points.loc[points["VISIT"] != "BASELINE"]
    return {str(sid): part.reset_index(drop=True) for sid, part in points.groupby("USUBJID", sort=False)}


# --- reproducibility ---------------------------------------------------------------------------------------


def _draw(protocol: Protocol, scenario: Scenario, seed: int) -> tuple[tuple[ScreenedPerson, ...], list[PatientCourse]]:
    people = generate_screening(protocol, scenario, np.random.default_rng(seed), n_randomised=6, first_day=FIRST_DAY)
    eligible = tuple(p for p in people if p.eligible)
    return people, list(_courses(protocol, scenario, eligible, "A", seed))


def test_the_same_seed_gives_the_same_records(protocol: Protocol, scenario: Scenario) -> None:
    assert _draw(protocol, scenario, 11) == _draw(protocol, scenario, 11)


def test_another_seed_gives_other_records(protocol: Protocol, scenario: Scenario) -> None:
    first, second = _draw(protocol, scenario, 11), _draw(protocol, scenario, 12)
    assert [p.record for p in first[0]] != [p.record for p in second[0]]
    assert [c.measurements for c in first[1]] != [c.measurements for c in second[1]]


def test_n_randomised_screens_until_that_many_are_eligible(protocol: Protocol, scenario: Scenario) -> None:
    people = generate_screening(protocol, scenario, np.random.default_rng(3), n_randomised=44, first_day=FIRST_DAY)
    assert sum(p.eligible for p in people) == 44
    assert people[-1].eligible  # it stops at the 44th eligible person


# --- screening ----------------------------------------------------------------------------------------------


def test_the_share_of_screen_failures_is_the_scenarios(screened: tuple[ScreenedPerson, ...]) -> None:
    """p = 0.27, n = 400: SE = sqrt(0.27 * 0.73 / 400) = 0.022198; 3 SE = 0.066595, so the share lies in
    [0.2034, 0.3366] (the count in [81.4, 134.6])."""
    failures = sum(not p.eligible for p in screened)
    assert 82 <= failures <= 134


def test_failure_reasons_follow_the_scenarios_weights(screened: tuple[ScreenedPerson, ...]) -> None:
    """ecog has weight 3 of 7: among the failures (at least 82, see above) its share is 3/7 = 0.4286, SE at most
    sqrt(0.4286 * 0.5714 / 82) = 0.05465, 3 SE = 0.1639: in [0.265, 0.592]. Only the scenario's four criteria are
    failed."""
    reasons = pd.Series([p.failed_criterion for p in screened if not p.eligible])
    assert set(reasons) <= {"ecog", "brain-mets-not-radiosurgery", "pulmonary-function", "cardiac-ischemia"}
    assert 0.265 <= (reasons == "ecog").mean() <= 0.592


def test_eligible_records_are_eligible_and_failures_fail_their_criterion(
    protocol: Protocol, screened: tuple[ScreenedPerson, ...]
) -> None:
    """Each record screened by oncotrial.eligibility as the trial database screens it (on the screening time):
    eligible, or ineligible with exactly the named criterion not met."""
    for person in screened[:150]:
        record = PatientRecord.model_validate({"subject_id": f"S{person.number}", **person.record})
        result = evaluate_eligibility(protocol, record, as_of=person.screened_at)
        not_met = [c.criterion_id for c in result.criteria if c.status != "met"]
        if person.eligible:
            assert (result.status, not_met) == ("eligible", [])
        else:
            assert (result.status, not_met) == ("ineligible", [person.failed_criterion])


@pytest.mark.parametrize("protocol_id", sorted(builtin_scenario_files()))
def test_every_shipped_scenario_gives_records_the_core_reads_as_intended(protocol_id: str) -> None:
    """Each seed trial with its shipped scenario: the eligible are eligible and each failure fails its criterion
    only (generate_screening checks each record with oncotrial.eligibility and refuses otherwise, SIM-E033);
    every arm's course is generated (a trial without criteria screens everyone in)."""
    protocol, scenario = load_builtin_protocol(protocol_id), load_builtin_scenario(protocol_id)
    people = generate_screening(protocol, scenario, np.random.default_rng(2), n_screened=40, first_day=FIRST_DAY)
    eligible = tuple(p for p in people if p.eligible)
    assert eligible
    for arm in scenario.arms:
        assert all(c.arm == arm for c in _courses(protocol, scenario, eligible[:5], arm, 3))


def test_a_scenario_of_another_protocol_is_refused(scenario: Scenario) -> None:
    with pytest.raises(ProtocolError, match="does not fit protocol NCT00514085") as caught:
        generate_screening(
            load_builtin_protocol("NCT00514085"), scenario, np.random.default_rng(1), n_screened=3, first_day=FIRST_DAY
        )
    assert caught.value.problems[0].code == "SIM-E010"


def test_neither_or_both_counts_are_refused(protocol: Protocol, scenario: Scenario) -> None:
    rng = np.random.default_rng(1)
    with pytest.raises(DataError, match="one of the two") as caught:
        generate_screening(protocol, scenario, rng, first_day=FIRST_DAY)
    assert caught.value.code == "SIM-E034"
    with pytest.raises(DataError, match="one of the two"):
        generate_screening(protocol, scenario, rng, n_screened=3, n_randomised=3, first_day=FIRST_DAY)


def test_failures_without_reasons_are_refused_naming_the_field(protocol: Protocol, scenario: Scenario) -> None:
    without = scenario.model_copy(update={"screening": scenario.screening.model_copy(update={"reasons": {}})})
    with pytest.raises(DataError, match=r"no screening\.reasons") as caught:
        generate_screening(protocol, without, np.random.default_rng(1), n_screened=3, first_day=FIRST_DAY)
    assert (caught.value.code, caught.value.field) == ("SIM-E035", "screening.reasons")


def test_an_arm_without_truth_is_refused(
    protocol: Protocol, scenario: Scenario, screened: tuple[ScreenedPerson, ...]
) -> None:
    person = next(p for p in screened if p.eligible)
    with pytest.raises(DataError, match="has no arm C") as caught:
        generate_course(protocol, scenario, person, "C", person.planned_start, np.random.default_rng(1),
                        subject_id="01-0001", enrolment_number=1)  # fmt: skip
    assert (caught.value.code, caught.value.field) == ("SIM-E037", "arms.C")


# --- courses -------------------------------------------------------------------------------------------------


def test_assessments_are_every_seven_weeks_for_nct01416831(protocol: Protocol, scenario: Scenario) -> None:
    """The response endpoints' time points are weeks 14 and 21: their greatest common divisor is 7 weeks."""
    assert compute_assessment_days(protocol, scenario) == 49


def test_a_scenario_may_space_the_assessments_itself(protocol: Protocol, scenario: Scenario) -> None:
    """assessment_interval_weeks: 8 weeks are 56 days, whatever the protocol's time points."""
    assert compute_assessment_days(protocol, scenario.model_copy(update={"assessment_interval_weeks": 8})) == 56


def test_the_share_of_responders_is_the_scenarios(courses_b: tuple[PatientCourse, ...]) -> None:
    """Arm B: p = 0.32, n = 250: SE = sqrt(0.32 * 0.68 / 250) = 0.029503; 3 SE = 0.088508, so the share lies in
    [0.2315, 0.4085] (the count in [57.9, 102.1])."""
    responders = sum(c.truth.responder for c in courses_b)
    assert 58 <= responders <= 102


def test_a_responders_measurements_give_pr_or_cr_by_weeks_to_response(
    courses_b: tuple[PatientCourse, ...], timepoints_b: dict[str, pd.DataFrame]
) -> None:
    """Through oncotrial.recist: at the first assessment on or after week 12 (the scenario's weeks to response)
    a responder is CR (complete responders) or PR, and stays so until the progression visit."""
    checked = 0
    for course in courses_b:
        if not course.truth.responder or course.subject_id not in timepoints_b:  # no assessment before death
            continue
        points = timepoints_b[course.subject_id]
        days = (pd.to_datetime(points["ADT"]).dt.date - course.start.date()).map(lambda d: d.days)
        after = points.loc[(days >= 84).to_numpy()]
        if after.empty or (course.progression_on is not None and len(after) == 1):
            continue
        expected = "CR" if course.truth.complete_response else "PR"
        assert after["OVERALL"].iloc[0] == expected, course.subject_id
        before_pd = after if course.progression_on is None else after.iloc[:-1]
        assert set(before_pd["OVERALL"]) == {expected}, course.subject_id
        checked += 1
    assert checked >= 40


def test_a_progressor_gets_pd_at_the_first_assessment_after_the_progression_time(
    courses_b: tuple[PatientCourse, ...], timepoints_b: dict[str, pd.DataFrame]
) -> None:
    """Through oncotrial.recist: PD at the progression visit (the first assessment on or after the drawn PFS
    time), never before it; the last visit of the course."""
    checked = 0
    for course in courses_b:
        if course.progression_on is None:
            continue
        points = timepoints_b[course.subject_id]
        progression = pd.Timestamp(course.progression_on)
        assert points["OVERALL"].iloc[-1] == "PD", course.subject_id
        assert pd.Timestamp(points["ADT"].iloc[-1]) == progression
        assert "PD" not in set(points["OVERALL"].iloc[:-1]), course.subject_id
        assert (progression - pd.Timestamp(course.start.date())).days >= course.truth.progression_day
        checked += 1
    assert checked >= 100


def test_a_patient_without_response_is_never_pr_or_cr(
    courses_b: tuple[PatientCourse, ...], timepoints_b: dict[str, pd.DataFrame]
) -> None:
    for course in courses_b:
        if not course.truth.responder and course.subject_id in timepoints_b:
            assert not {"PR", "CR"} & set(timepoints_b[course.subject_id]["OVERALL"]), course.subject_id


def test_doses_follow_the_calendar_with_holds_and_delays(courses_b: tuple[PatientCourse, ...]) -> None:
    """NCT01416831 arm B: at most 14 IL-2 doses a cycle, 8 hours apart from Monday 08:00; SBRT before cycle 1;
    held doses have a reason and no time; a delayed cycle starts on a Monday, 7 days late (max_delay_days 7)."""
    held = delayed = 0
    for course in courses_b:
        for row in course.administrations:
            if row["status"] == "held":
                assert row["reason"]
                assert "given_at" not in row
                held += 1
            elif row["treatment"] == "il2":
                assert row["number"] <= 14
                assert row["given_at"].hour in (0, 8, 16)
        for start in course.cycle_starts:
            assert start["start"].weekday() == 0
            delayed += 1
    assert held > 0
    assert delayed > 0


def test_follow_up_ends_in_death_or_last_known_alive(courses_b: tuple[PatientCourse, ...]) -> None:
    for course in courses_b:
        events = [row["event"] for row in course.dispositions]
        assert events[-1] in ("death", "last_known_alive")
        assert events.count("death") <= 1
        last = course.dispositions[-1]["event_date"]
        dated = [row["onset"] for row in course.adverse_events] + [row["event_date"] for row in course.dispositions]
        assert max(dated) <= last, course.subject_id


def test_arm_a_crosses_over_on_progression_to_sbrt_before_cycle_3(
    protocol: Protocol, scenario: Scenario, screened: tuple[ScreenedPerson, ...]
) -> None:
    """Arm A's rule sbrt-after-progression: after 2 cycles, on PD, cycles 3 and 4 of arm B's plan; cycle 3 starts
    on a Monday after the progression visit, with SBRT before it (the Friday before for patients 1-20)."""
    eligible = tuple(p for p in screened if p.eligible)[:120]
    crossed = [c for c in _courses(protocol, scenario, eligible, "A", 9) if c.crossover is not None]
    assert crossed
    for course in crossed:
        crossover = course.crossover
        assert crossover is not None
        assert course.progression_on is not None
        assert (crossover.to_arm, crossover.rule_id, crossover.first_cycle) == ("B", "sbrt-after-progression", 3)
        assert crossover.first_cycle_start.weekday() == 0
        assert crossover.crossover_on > course.progression_on
        assert {row["cycle"] for row in course.administrations} <= {1, 2}
        sbrt = [row for row in crossover.administrations if row["treatment"] == "sbrt"]
        assert sbrt
        assert all(row["given_at"].date() < crossover.first_cycle_start for row in sbrt)
