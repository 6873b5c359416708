"""``tumour_assessments``: a reader's baseline lesions and each follow-up visit's stored response with its rule
and the core's figures, on SQLite and PostgreSQL.

Hand-worked RECIST 1.1 example: baseline targets T01 40 mm + T02 60 mm = 100 mm, non-target NT01 present; at
WEEK 6 T01 28 mm + T02 42 mm = 70 mm, 30 mm less = -30.0 % from baseline: target PR (at least 30 % below
baseline, Eisenhauer 2009 section 4.3.1), non-target present = NON-CR/NON-PD, no new lesion: overall PR, row R13
of rules/recist11_overall_response.csv. At WEEK 12 T01 is not evaluable: target NE, overall NE (row R43); the
nadir before it is WEEK 6's 70 mm; the sum of the lesions measured is T02's 42 mm.
"""

from __future__ import annotations

import datetime as dt

from oncotrial.store import Store
from oncotrial.store.services import (
    actor_for,
    record_assessment,
    record_baseline_lesions,
    tumour_assessments,
)
from tests.store.conftest import TRIAL, enrol_eligible

BASELINE = [
    {"code": "T01", "kind": "TARGET", "location": "LUNG", "method": "CT SCAN", "diameter": 40},
    {"code": "T02", "kind": "TARGET", "location": "LIVER", "method": "CT SCAN", "diameter": 60},
    {"code": "NT01", "kind": "NON-TARGET", "location": "BONE", "method": "CT SCAN"},
]


def test_the_sheet_shows_the_baseline_and_each_response_with_its_rule(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store, randomise=True)
    with trial_store.write() as session:
        actor = actor_for(session, "inv1")
        record_baseline_lesions(
            session, actor, TRIAL, subject_id, identified_on=dt.date(2026, 11, 20), lesions=BASELINE
        )
        record_assessment(
            session,
            actor,
            TRIAL,
            subject_id,
            visit="WEEK 6",
            assessed_on=dt.date(2027, 1, 4),
            measurements=[
                {"lesion": "T01", "diameter": 28},
                {"lesion": "T02", "diameter": 42},
                {"lesion": "NT01", "status": "PRESENT"},
            ],
        )
        record_assessment(
            session,
            actor,
            TRIAL,
            subject_id,
            visit="WEEK 12",
            assessed_on=dt.date(2027, 2, 15),
            measurements=[
                {"lesion": "T01", "status": "NE"},
                {"lesion": "T02", "diameter": 42},
                {"lesion": "NT01", "status": "PRESENT"},
            ],
        )
    with trial_store.read() as session:
        sheet = tumour_assessments(session, actor_for(session, "monitor"), TRIAL, subject_id)
    assert sheet.baseline_on == "2026-11-20"
    assert [(lesion.code, lesion.kind, lesion.diameter, lesion.status) for lesion in sheet.lesions] == [
        ("T01", "TARGET", 40, None),
        ("T02", "TARGET", 60, None),
        ("NT01", "NON-TARGET", None, "PRESENT"),
    ]
    week6, week12 = sheet.visits
    assert (week6.overall, week6.target, week6.non_target, week6.new_lesions) == ("PR", "PR", "NON-CR/NON-PD", "NO")
    assert (week6.rule_id, week6.target_rule) == ("R13", "PR: sum at least 30 % below baseline")
    assert (week6.sum_of_diameters, week6.baseline_sum, week6.nadir, week6.percent_from_baseline) == (70, 100, 100, -30)
    assert (week12.overall, week12.rule_id, week12.sum_of_diameters, week12.nadir) == ("NE", "R43", 42, 70)
    assert week12.percent_from_baseline is None


def test_a_patient_without_assessments_has_an_empty_sheet(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store)
    with trial_store.read() as session:
        sheet = tumour_assessments(session, actor_for(session, "coord1"), TRIAL, subject_id)
    assert (sheet.baseline_on, sheet.lesions, sheet.visits) == (None, (), ())
