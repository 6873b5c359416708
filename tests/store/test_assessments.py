"""``oncotrial.store.services.assessments`` on SQLite and PostgreSQL: lesions, measurements and recorded responses,
the time-point responses recomputed by ``oncotrial.recist``, and what is refused (nothing written)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oncotrial.errors import AccessError, ConflictError, DataError, NotFoundError
from oncotrial.store import Store, verify_chain
from oncotrial.store.models import AuditEntry, Lesion, Measurement, RecordedResponse, TimepointResponse
from oncotrial.store.services import (
    actor_for,
    add_site,
    create_trial,
    enrol_patient,
    record_assessment,
    record_baseline_lesions,
    record_lesions,
    record_measurements,
    record_recorded_responses,
    timepoint_responses,
    update_measurement,
)
from tests.store.conftest import TRIAL, enrol_eligible

SDTM = Path(__file__).resolve().parents[1] / "reference" / "pharmaverse" / "sdtm"
BASELINE_ON = dt.date(2026, 11, 20)  # consent of enrol_eligible's patients: 2026-11-18
WEEK6_ON = dt.date(2027, 1, 1)
WEEK12_ON = dt.date(2027, 2, 12)
LESIONS = [
    {"code": "T01", "kind": "TARGET", "location": "LUNG", "method": "CT SCAN", "diameter": 30},
    {"code": "T02", "kind": "TARGET", "location": "LIVER", "method": "CT SCAN", "diameter": 20},
    {"code": "NT01", "kind": "NON-TARGET", "location": "BONE", "method": "CT SCAN"},
]


def _counts(store: Store) -> tuple[int, ...]:
    with store.read() as session:
        return tuple(
            session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Lesion, Measurement, TimepointResponse, RecordedResponse, AuditEntry)
        )


def _patient_with_baseline(store: Store) -> str:
    subject = enrol_eligible(store)
    with store.write() as session:
        record_baseline_lesions(
            session, actor_for(session, "inv1"), TRIAL, subject, identified_on=BASELINE_ON, lesions=LESIONS
        )
    return subject


def _visit(store: Store, subject: str, visit: str, on: dt.date, t01: float, t02: float, **extra: Any) -> None:
    measurements = [
        {"lesion": "T01", "diameter": t01},
        {"lesion": "T02", "diameter": t02},
        {"lesion": "NT01", "status": "PRESENT"},
    ]
    with store.write() as session:
        record_assessment(
            session,
            actor_for(session, "inv1"),
            TRIAL,
            subject,
            visit=visit,
            assessed_on=on,
            measurements=measurements,
            **extra,
        )


def _correct(session: Session, subject: str, visit: str, value: float, reason: str, **options: Any) -> Measurement:
    """Correct T01's diameter at ``visit`` as inv1."""
    return update_measurement(
        session,
        actor_for(session, "inv1"),
        TRIAL,
        subject,
        visit=visit,
        lesion="T01",
        value=value,
        reason=reason,
        **options,
    )


def _responses(store: Store, subject: str, user: str = "inv1") -> list[tuple[str, str, str, float | None]]:
    with store.read() as session:
        stored = timepoint_responses(session, actor_for(session, user), TRIAL, subject)
    return [(t.visit, t.overall, t.rule_id, t.sum_of_diameters) for t in stored]


def test_pr_then_pd_from_the_nadir_matches_recist_worked_by_hand(trial_store: Store) -> None:
    """Worked by hand with RECIST 1.1 (Eisenhauer et al. 2009, section 4.3) and rules/recist11_overall_response.csv:
    baseline T01 30 mm + T02 20 mm = 50 mm, NT01 present.
    Week 6: 20 + 14 = 34 mm, (34 - 50) / 50 = -32 % (at least 30 % below baseline) -> target PR; NT01 present ->
    NON-CR/NON-PD; no new lesion -> overall PR, table row R13.
    Week 12: 24 + 18 = 42 mm; the nadir is 34 mm (week 6): +8 mm and 8 / 34 = +23.5 % (at least 20 % and 5 mm)
    -> target PD -> overall PD, row R33 (PD, NON-CR/NON-PD, no new lesion)."""
    subject = _patient_with_baseline(trial_store)
    _visit(trial_store, subject, "WEEK 6", WEEK6_ON, 20, 14)
    assert _responses(trial_store, subject) == [("WEEK 6", "PR", "R13", 34.0)]
    _visit(trial_store, subject, "WEEK 12", WEEK12_ON, 24, 18)
    assert _responses(trial_store, subject) == [("WEEK 6", "PR", "R13", 34.0), ("WEEK 12", "PD", "R33", 42.0)]
    with trial_store.read() as session:
        assert verify_chain(session).ok


def test_a_new_lesion_at_a_partial_response_is_progression(trial_store: Store) -> None:
    """Week 6 as in the worked example (target PR, non-target NON-CR/NON-PD) with an unequivocal new lesion: RECIST
    1.1 Table 1 gives PD, row R14 of the rule table."""
    subject = _patient_with_baseline(trial_store)
    new = [{"code": "NEW01", "location": "BRAIN", "method": "MRI"}]
    _visit(trial_store, subject, "WEEK 6", WEEK6_ON, 20, 14, new_lesions=new)
    assert _responses(trial_store, subject) == [("WEEK 6", "PD", "R14", 34.0)]
    with trial_store.read() as session:
        kinds = dict(session.execute(select(Lesion.code, Lesion.kind)).all())
    assert kinds["NEW01"] == "NEW"


def test_correcting_a_measurement_recomputes_the_response(trial_store: Store) -> None:
    """Week 12 corrected from T01 24 mm to 20 mm: 20 + 18 = 38 mm is +4 mm over the nadir 34 (under 5 mm: not PD)
    and (38 - 50) / 50 = -24 % from baseline (not 30 %): target SD -> overall SD, row R23. The response row is
    updated (version 2), with the reason in the audit trail."""
    subject = _patient_with_baseline(trial_store)
    _visit(trial_store, subject, "WEEK 6", WEEK6_ON, 20, 14)
    _visit(trial_store, subject, "WEEK 12", WEEK12_ON, 24, 18)
    with trial_store.write() as session:
        fixed = _correct(session, subject, "WEEK 12", 20, "transcription error", expected_version=1)
        assert fixed.version == 2
    assert _responses(trial_store, subject)[1] == ("WEEK 12", "SD", "R23", 38.0)
    with trial_store.read() as session:
        versions = [t.version for t in timepoint_responses(session, actor_for(session, "inv1"), TRIAL, subject)]
        reasons = set(session.execute(select(AuditEntry.reason).where(AuditEntry.action == "update")).scalars())
        assert verify_chain(session).ok
    assert versions == [1, 2]
    assert "transcription error" in reasons


def test_a_stale_correction_is_a_conflict_and_a_correction_needs_a_reason(trial_store: Store) -> None:
    subject = _patient_with_baseline(trial_store)
    _visit(trial_store, subject, "WEEK 6", WEEK6_ON, 20, 14)
    with trial_store.write() as session:
        _correct(session, subject, "WEEK 6", 21, "re-read", expected_version=1)
    before = _counts(trial_store)
    with pytest.raises(ConflictError, match="version 1, it is now version 2"), trial_store.write() as session:
        _correct(session, subject, "WEEK 6", 22, "re-read", expected_version=1)
    with pytest.raises(DataError, match="needs a reason"), trial_store.write() as session:
        _correct(session, subject, "WEEK 6", 22, " ")
    assert _counts(trial_store) == before


def test_a_lesion_not_identified_at_baseline_is_refused_naming_the_patients_lesions(trial_store: Store) -> None:
    subject = _patient_with_baseline(trial_store)
    before = _counts(trial_store)
    with pytest.raises(
        DataError, match=r"lesion T03 was not identified at baseline .*INVESTIGATOR: NT01, T01, T02"
    ) as err:
        with trial_store.write() as session:
            record_assessment(
                session,
                actor_for(session, "inv1"),
                TRIAL,
                subject,
                visit="WEEK 6",
                assessed_on=WEEK6_ON,
                measurements=[{"lesion": "T01", "diameter": 20}, {"lesion": "T03", "diameter": 9}],
            )
    assert err.value.code == "STORE-E315"
    assert err.value.fields == {"field": "lesion", "subject_id": subject, "rows": (2,)}
    assert _counts(trial_store) == before


def test_an_assessment_before_consent_is_refused(trial_store: Store) -> None:
    subject = _patient_with_baseline(trial_store)
    before = _counts(trial_store)
    with pytest.raises(DataError, match="measured_on 2026-11-17 is before consent on 2026-11-18"):
        _visit(trial_store, subject, "WEEK 6", dt.date(2026, 11, 17), 20, 14)
    assert _counts(trial_store) == before


@pytest.mark.parametrize(
    ("lesions", "rule"),
    [
        pytest.param(
            [{"code": "T01", "kind": "TARGET", "location": "LYMPH NODE", "method": "CT SCAN", "diameter": 12}],
            "RECIST-B03",
            id="node_under_15_mm",
        ),
        pytest.param(
            [
                {"code": f"T0{i}", "kind": "TARGET", "location": organ, "method": "CT SCAN", "diameter": 20}
                for i, organ in enumerate(["LUNG", "LUNG", "LIVER", "LIVER", "BONE", "BRAIN"], start=1)
            ],
            "RECIST-B04",
            id="six_targets",
        ),
        pytest.param(
            [
                {"code": f"T0{i}", "kind": "TARGET", "location": "LIVER", "method": "CT SCAN", "diameter": 20}
                for i in (1, 2, 3)
            ],
            "RECIST-B05",
            id="three_in_one_organ",
        ),
    ],
)
def test_baseline_targets_follow_the_recist_selection_rules(
    trial_store: Store, lesions: list[dict[str, Any]], rule: str
) -> None:
    """RECIST 1.1 section 3: a nodal target needs a short axis of 15 mm; at most 5 targets, at most 2 per organ."""
    subject = enrol_eligible(trial_store)
    before = _counts(trial_store)
    with pytest.raises(DataError, match=rule), trial_store.write() as session:
        record_baseline_lesions(
            session, actor_for(session, "inv1"), TRIAL, subject, identified_on=BASELINE_ON, lesions=lesions
        )
    assert _counts(trial_store) == before


def test_the_first_bad_row_of_a_batch_is_named_and_nothing_is_written(trial_store: Store) -> None:
    subject = enrol_eligible(trial_store)
    rows = [
        {
            "subject_id": subject,
            "code": "T01",
            "kind": "TARGET",
            "location": "LUNG",
            "identified_on": "2026-11-20",
            "visit": "BASELINE",
        },
        {
            "subject_id": subject,
            "code": "NT01",
            "kind": "NON-TARGET",
            "location": "BONE",
            "identified_on": "2026-11-20",
            "visit": "BASELINE",
        },
        {"subject_id": subject, "code": "X01", "kind": "TUMOUR", "identified_on": "2026-11-20", "visit": "BASELINE"},
        {"subject_id": "01-9999", "code": "T01", "kind": "TARGET", "identified_on": "2026-11-20", "visit": "BASELINE"},
    ]
    before = _counts(trial_store)
    with pytest.raises(DataError, match=r"row 3, patient .*: kind 'TUMOUR' is not one of TARGET") as err:
        with trial_store.write() as session:
            record_lesions(session, actor_for(session, "coord1"), TRIAL, rows)
    assert err.value.rows == (3,)
    assert err.value.field == "kind"
    with pytest.raises(NotFoundError, match="row 3, patient 01-9999: trial NCT01416831 has no patient") as missing:
        with trial_store.write() as session:
            record_lesions(session, actor_for(session, "coord1"), TRIAL, [*rows[:2], rows[3]])
    assert missing.value.rows == (3,)
    assert _counts(trial_store) == before


def test_site_and_role_are_checked_before_anything_is_written(trial_store: Store) -> None:
    subject = enrol_eligible(trial_store)  # site 01
    row = {"subject_id": subject, "code": "T01", "kind": "TARGET", "identified_on": "2026-11-20", "visit": "BASELINE"}
    before = _counts(trial_store)
    with pytest.raises(AccessError, match="works at another site"), trial_store.write() as session:
        record_lesions(session, actor_for(session, "coord2"), TRIAL, [row])
    with pytest.raises(AccessError, match="may not enter data"), trial_store.write() as session:
        record_lesions(session, actor_for(session, "monitor"), TRIAL, [row])
    assert _counts(trial_store) == before


def test_recorded_responses_take_recist_values_only(trial_store: Store) -> None:
    subject = enrol_eligible(trial_store)
    good = {
        "subject_id": subject,
        "test_code": "OVRLRESP",
        "visit": "WEEK 6",
        "assessed_on": "2027-01-01",
        "response": "PR",
    }
    before = _counts(trial_store)
    with pytest.raises(DataError, match=r"row 2, .*OVRLRESP response 'VGPR' is not a RECIST 1.1 value") as err:
        with trial_store.write() as session:
            record_recorded_responses(session, actor_for(session, "inv1"), TRIAL, [good, {**good, "response": "VGPR"}])
    assert err.value.rows == (2,)
    with pytest.raises(DataError, match="assessed_on 2026-11-01 is before consent"), trial_store.write() as session:
        record_recorded_responses(session, actor_for(session, "inv1"), TRIAL, [{**good, "assessed_on": "2026-11-01"}])
    assert _counts(trial_store) == before
    with trial_store.write() as session:
        batch = record_recorded_responses(session, actor_for(session, "stat"), TRIAL, [good])
    assert len(batch.ids) == 1
    with trial_store.read() as session:
        stored = session.execute(select(RecordedResponse.response, RecordedResponse.category)).one()
    assert tuple(stored) == ("PR", "RECIST 1.1")


# --- the batch path on pharmaverse data (an import of data recorded elsewhere) ---------------------------

PILOT = "CDISCPILOT01"
TU_FIELDS = {
    "USUBJID": "subject_id",
    "TUEVAL": "evaluator",
    "TUEVALID": "evaluator_id",
    "TULNKID": "code",
    "TUSTRESC": "kind",
    "TULOC": "location",
    "TUMETHOD": "method",
    "TUDTC": "identified_on",
    "VISIT": "visit",
    "VISITNUM": "visit_number",
    "TUACPTFL": "accepted",
}
TR_FIELDS = {
    "USUBJID": "subject_id",
    "TREVAL": "evaluator",
    "TREVALID": "evaluator_id",
    "VISIT": "visit",
    "VISITNUM": "visit_number",
    "TRLNKID": "lesion",
    "TRTESTCD": "test_code",
    "TRSTRESN": "value",
    "TRSTRESU": "unit",
    "TRORRES": "original",
    "TRORRESU": "original_unit",
    "TRREASND": "not_done_reason",
    "TRDTC": "measured_on",
    "TRMETHOD": "method",
    "TRLNKGRP": "link_group",
    "TRACPTFL": "accepted",
}


def _pharmaverse(name: str, fields: dict[str, str], subjects: list[str]) -> pd.DataFrame:
    table = pd.read_csv(SDTM / name, dtype=str, keep_default_na=False, na_values=[""])
    table = table.loc[table["USUBJID"].isin(subjects)]
    rows = table[list(fields)].rename(columns=fields)
    if "TRSTRESC" in table.columns:
        rows["status"] = table["TRSTRESC"].where(table["TRTESTCD"] == "TUMSTATE")
    return rows


@pytest.fixture
def pilot_store(trial_store: Store) -> Store:
    """``trial_store`` with the pharmaverse pilot study, created without a protocol (as an import from elsewhere),
    and two of its patients enrolled at site 701."""
    with trial_store.write() as session:
        admin = actor_for(session, "admin")
        create_trial(session, admin, PILOT)
        add_site(session, admin, PILOT, "701", name="Site 701")
    with trial_store.write() as session:
        stat = actor_for(session, "stat")
        for subject in ("01-701-1130", "01-701-1133"):
            enrol_patient(session, stat, PILOT, site_code="701", subject_id=subject, enrolled_on=dt.date(2012, 10, 1))
    return trial_store


def test_imported_tumour_results_give_pharmaverse_investigator_responses(pilot_store: Store) -> None:
    """tu_onco and tr_onco (pharmaverse, every reader) for 01-701-1130 and 01-701-1133, loaded through the batch
    path. The investigator's derived overall responses equal what the investigator recorded in rs_onco.csv
    (OVRLRESP: 1130 PD, CR, CR, PD; 1133 SD, PR, PD, PR), and the sums equal tr_onco's SUMDIAM (1130: 71, 0, 0,
    73 mm; 1133: 58, 41, 51, 47 mm)."""
    subjects = ["01-701-1130", "01-701-1133"]
    with pilot_store.write() as session:
        stat = actor_for(session, "stat")
        record_lesions(session, stat, PILOT, _pharmaverse("tu_onco.csv", TU_FIELDS, subjects))
        batch = record_measurements(session, stat, PILOT, _pharmaverse("tr_onco.csv.gz", TR_FIELDS, subjects))
    assert batch.patients == 2
    assert batch.timepoints == 24  # 2 patients x 3 readers x 4 follow-up visits
    with pilot_store.read() as session:
        everyone = timepoint_responses(session, actor_for(session, "stat"), PILOT, "01-701-1130")
        investigator = {
            s: [
                (t.overall, t.sum_of_diameters)
                for t in timepoint_responses(session, actor_for(session, "stat"), PILOT, s)
                if t.evaluator == "INVESTIGATOR"
            ]
            for s in subjects
        }
        assert verify_chain(session).ok
    assert investigator == {
        "01-701-1130": [("PD", 71.0), ("CR", 0.0), ("CR", 0.0), ("PD", 73.0)],
        "01-701-1133": [("SD", 58.0), ("PR", 41.0), ("PD", 51.0), ("PR", 47.0)],
    }
    assert {(t.evaluator, t.evaluator_id) for t in everyone} == {
        ("INVESTIGATOR", ""),
        ("INDEPENDENT ASSESSOR", "RADIOLOGIST 1"),
        ("INDEPENDENT ASSESSOR", "RADIOLOGIST 2"),
    }


def test_a_partial_scan_date_is_kept_as_recorded(pilot_store: Store) -> None:
    """pharmaverse's 01-701-1015 has baseline scans dated 2014-01 (day unknown): they are stored as 2014-01."""
    with pilot_store.write() as session:
        stat = actor_for(session, "stat")
        enrol_patient(session, stat, PILOT, site_code="701", subject_id="01-701-1015", enrolled_on=dt.date(2013, 12, 1))
        record_lesions(session, stat, PILOT, _pharmaverse("tu_onco.csv", TU_FIELDS, ["01-701-1015"]))
        record_measurements(session, stat, PILOT, _pharmaverse("tr_onco.csv.gz", TR_FIELDS, ["01-701-1015"]))
    with pilot_store.read() as session:
        dates = set(session.execute(select(Lesion.identified_on).where(Lesion.code == "T01")).scalars())
        scanned = set(session.execute(select(Measurement.measured_on)).scalars())
    assert dates == {"2014-01"}
    assert "2014-01" in scanned


def test_a_reader_with_two_scans_under_one_visit_name_is_kept_and_reported(pilot_store: Store) -> None:
    """pharmaverse's 01-711-1143 has visit UNSCHEDULED 9.2 scanned on 2013-06-22 and on 2013-09-22 (tr_onco): the
    results are stored as recorded, and each of its three readers is named in the problems, without responses."""
    subject = ["01-711-1143"]
    with pilot_store.write() as session:
        stat = actor_for(session, "stat")
        enrol_patient(session, stat, PILOT, site_code="701", subject_id=subject[0], enrolled_on=dt.date(2013, 1, 1))
        record_lesions(session, stat, PILOT, _pharmaverse("tu_onco.csv", TU_FIELDS, subject))
        tr = _pharmaverse("tr_onco.csv.gz", TR_FIELDS, subject)
        batch = record_measurements(session, stat, PILOT, tr)
    assert len(batch.ids) == len(tr)
    assert batch.timepoints == 0
    repeated = [p for p in batch.problems if "[STORE-E330]" in p]
    assert [p.split(",")[0] for p in repeated] == [
        "Subject 01-711-1143 (INDEPENDENT ASSESSOR RADIOLOGIST 1)",
        "Subject 01-711-1143 (INDEPENDENT ASSESSOR RADIOLOGIST 2)",
        "Subject 01-711-1143 (INVESTIGATOR)",
    ]


def test_an_unmeasurable_baseline_target_is_refused_under_a_protocol(trial_store: Store) -> None:
    """NCT01416831 has an oncotrial protocol: a lymph node target of 12 mm short axis at baseline, loaded through
    the batches, is refused (RECIST 1.1 section 3.1.1, rule RECIST-B03) and nothing is written."""
    subject = enrol_eligible(trial_store)
    lesion = {
        "subject_id": subject,
        "code": "T01",
        "kind": "TARGET",
        "location": "LYMPH NODE",
        "identified_on": "2026-11-20",
        "visit": "BASELINE",
    }
    size = {
        "subject_id": subject,
        "lesion": "T01",
        "visit": "BASELINE",
        "test_code": "DIAMETER",
        "value": 12,
        "measured_on": "2026-11-20",
    }
    before = _counts(trial_store)

    def load() -> None:  # one transaction, as an import
        with trial_store.write() as session:
            actor = actor_for(session, "inv1")
            record_lesions(session, actor, TRIAL, [lesion])
            record_measurements(session, actor, TRIAL, [size])

    with pytest.raises(DataError, match="RECIST-B03") as err:
        load()
    assert err.value.rows == (1,)
    assert _counts(trial_store) == before


def test_a_visit_is_recorded_once(trial_store: Store) -> None:
    subject = _patient_with_baseline(trial_store)
    _visit(trial_store, subject, "WEEK 6", WEEK6_ON, 20, 14)
    before = _counts(trial_store)
    with pytest.raises(DataError, match="visit WEEK 6 of evaluator INVESTIGATOR is already recorded"):
        _visit(trial_store, subject, "WEEK 6", WEEK6_ON, 21, 14)
    assert _counts(trial_store) == before


def test_under_a_protocol_the_cores_refusal_refuses_the_batch_naming_the_patient(trial_store: Store) -> None:
    """Two sizes of T01 at WEEK 6 (scans on two dates under one visit name): for a trial with an oncotrial protocol
    the batch is refused with the core's error (RECIST-E016), naming the patient, and nothing is written."""
    subject = _patient_with_baseline(trial_store)
    size = {"subject_id": subject, "lesion": "T01", "visit": "WEEK 6", "test_code": "DIAMETER"}
    rows = [{**size, "value": 15, "measured_on": "2027-01-01"}, {**size, "value": 14, "measured_on": "2027-01-05"}]
    before = _counts(trial_store)
    with pytest.raises(DataError, match="DIAMETER is recorded more than once") as err, trial_store.write() as session:
        record_measurements(session, actor_for(session, "inv1"), TRIAL, rows)
    assert (err.value.code, err.value.subject_id) == ("RECIST-E016", subject)
    assert _counts(trial_store) == before


# --- the tumour batches share the store's batch checks (services/_batch.py) ------------------------------


def test_a_field_a_tumour_record_does_not_have_is_refused_not_dropped(trial_store: Store) -> None:
    """A misspelt field ('diamter') is refused with the batch services' STORE-E101, naming the row and the field,
    rather than silently left out; nothing is written."""
    subject = enrol_eligible(trial_store)
    row = {"subject_id": subject, "code": "T01", "kind": "TARGET", "identified_on": "2026-11-20", "visit": "BASELINE"}
    before = _counts(trial_store)
    with pytest.raises(DataError, match=r"lesion row 2: diamter is not a field of a lesion record") as err:
        with trial_store.write() as session:
            record_lesions(session, actor_for(session, "inv1"), TRIAL, [row, {**row, "code": "T02", "diamter": 30}])
    assert (err.value.code, err.value.field, err.value.rows) == ("STORE-E101", "diamter", (2,))
    assert _counts(trial_store) == before


def test_a_text_longer_than_its_column_is_refused_on_every_database(trial_store: Store) -> None:
    """Lesion.method holds 64 characters (models/tumour.py): 65 are refused with STORE-E105 before anything is
    written, on SQLite (which would store them) as on PostgreSQL (which would fail at the end)."""
    subject = enrol_eligible(trial_store)
    row = {"subject_id": subject, "code": "T01", "kind": "TARGET", "identified_on": "2026-11-20", "visit": "BASELINE"}
    before = _counts(trial_store)
    with pytest.raises(DataError, match=r"method 'CCCC.*' is longer than 64 characters") as err:
        with trial_store.write() as session:
            record_lesions(session, actor_for(session, "inv1"), TRIAL, [{**row, "method": "C" * 65}])
    assert (err.value.code, err.value.field, err.value.rows) == ("STORE-E105", "method", (1,))
    assert _counts(trial_store) == before
