"""``oncotrial.store.services.safety``'s adverse events on SQLite and PostgreSQL: what is kept, what is refused
(each refusal writes nothing), imported data (pre-consent flag, partial onset) and corrections.

The patients of NCT01416831 here consented on 2026-11-18 (conftest); imported patient 01-701-1015 of
CDISCPILOT01 consented on 2014-01-02.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from oncotrial.errors import AccessError, ConflictError, DataError, NotFoundError
from oncotrial.store import Store, verify_chain
from oncotrial.store.models import AdverseEvent
from oncotrial.store.services import actor_for, record_adverse_event, record_adverse_events, update_adverse_event
from tests.store.conftest import IMPORTED, TRIAL, count_rows, enrol_eligible


def _event(subject_id: str, **fields: Any) -> dict[str, Any]:
    row = {
        "subject_id": subject_id,
        "term": "Hypotension",
        "grade": 3,
        "onset": "2026-11-24",
        "resolved": "2026-11-26",
        "attribution": "probable",
        "serious": "N",
        "action_taken": "DRUG INTERRUPTED",
        "outcome": "RECOVERED/RESOLVED",
    }
    return {**row, **fields}


def _record(store: Store, rows: list[dict[str, Any]], username: str = "inv1", trial: str = TRIAL) -> list[int]:
    with store.write() as session:
        return record_adverse_events(session, actor_for(session, username), trial, rows)


def _refused(store: Store, rows: list[dict[str, Any]], error: type[Exception] = DataError, **kwargs: Any) -> Any:
    before = count_rows(store, AdverseEvent)
    with pytest.raises(error) as caught:
        _record(store, rows, **kwargs)
    assert count_rows(store, AdverseEvent) == before
    return caught.value


def test_an_adverse_event_is_kept_as_entered(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store)
    fields = {k: v for k, v in _event(subject_id).items() if k != "subject_id"}
    with trial_store.write() as session:
        event_id = record_adverse_event(session, actor_for(session, "coord1"), TRIAL, subject_id, **fields)
    with trial_store.read() as session:
        event = session.get_one(AdverseEvent, event_id)
        assert verify_chain(session).ok
    assert (event.term, event.grade, event.onset, event.resolved) == (
        "Hypotension",
        3,
        dt.date(2026, 11, 24),
        dt.date(2026, 11, 26),
    )
    assert (event.attribution, event.serious, event.action_taken, event.pre_consent, event.version) == (
        "PROBABLE",
        False,
        "DRUG INTERRUPTED",
        False,
        1,
    )


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        pytest.param({"grade": 6}, "STORE-E110", "grade", id="grade_6"),
        pytest.param({"grade": 0}, "STORE-E110", "grade", id="grade_0"),
        pytest.param({"grade": 2.5}, "STORE-E106", "grade", id="grade_not_whole"),
        pytest.param({"grade": None}, "STORE-E111", "grade", id="no_grade_no_severity"),
        pytest.param({"term": " "}, "STORE-E102", "term", id="no_term"),
        pytest.param({"resolved": "2026-11-23"}, "STORE-E112", "resolved", id="resolved_before_onset"),
        pytest.param({"onset": "2026-11-17", "resolved": None}, "STORE-E031", "onset", id="onset_before_consent"),
        pytest.param({"onset": "2026-11"}, "STORE-E108", "onset", id="partial_onset_in_entry"),
        pytest.param({"onset": "2026-11-24T10:00+01:00"}, "STORE-E108", "onset", id="utc_offset"),
        pytest.param({"attribution": "certain"}, "STORE-E104", "attribution", id="attribution_not_in_list"),
        pytest.param({"action_taken": "stopped"}, "STORE-E104", "action_taken", id="action_not_in_list"),
        pytest.param({"serious": None}, "STORE-E107", "serious", id="serious_missing"),
        pytest.param({"serious": "maybe"}, "STORE-E107", "serious", id="serious_not_y_n"),
        pytest.param({"severity": "LIFE-THREATENING"}, "STORE-E104", "severity", id="severity_not_aesev"),
        pytest.param({"colour": "red"}, "STORE-E101", "colour", id="unknown_field"),
    ],
)
def test_a_bad_adverse_event_is_refused_naming_row_and_field(
    trial_store: Store, fields: dict[str, Any], code: str, field: str
) -> None:
    subject_id = enrol_eligible(trial_store)
    error = _refused(trial_store, [_event(subject_id), _event(subject_id, **fields)])
    assert (error.code, error.field, error.rows) == (code, field, (2,))


def test_grade_6_names_the_ctcae_range(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store)
    error = _refused(trial_store, [_event(subject_id, grade=6)])
    assert "adverse event, patient 01-0001: CTCAE grade 6 of 'Hypotension' is not a grade" in str(error)
    assert "1 (mild) to 5" in str(error)


def test_an_unknown_patient_is_refused_with_its_row(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store)
    error = _refused(trial_store, [_event(subject_id), _event("01-0099")], NotFoundError)
    assert (error.code, error.subject_id, error.rows) == ("STORE-E023", "01-0099", (2,))


def test_a_patient_of_another_site_is_refused(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store, "inv1")
    error = _refused(trial_store, [_event(subject_id)], AccessError, username="coord2")
    assert (error.code, error.subject_id) == ("ACCESS-E002", subject_id)


def test_a_monitor_may_not_enter_and_a_statistician_may_load(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store)
    error = _refused(trial_store, [_event(subject_id)], AccessError, username="monitor")
    assert error.code == "ACCESS-E001"
    assert len(_record(trial_store, [_event(subject_id)], "stat")) == 1


def _imported(**fields: Any) -> dict[str, Any]:
    """CDISCPILOT01's first AE of 01-701-1015 (ae.csv AESEQ 1): no CTCAE grade, AESEV MILD."""
    row = {
        "subject_id": "01-701-1015",
        "term": "APPLICATION SITE ERYTHEMA",
        "decoded_term": "APPLICATION SITE ERYTHEMA",
        "body_system": "GENERAL DISORDERS AND ADMINISTRATION SITE CONDITIONS",
        "grade": None,
        "severity": "MILD",
        "onset": "2014-01-03",
        "attribution": "PROBABLE",
        "serious": "N",
        "outcome": "NOT RECOVERED/NOT RESOLVED",
    }
    return {**row, **fields}


def test_imported_events_keep_severity_a_pre_consent_onset_and_a_partial_onset(imported_store: Store) -> None:
    """Consent on 2014-01-02: an onset on 2013-12-30 is kept with pre_consent set; AESTDTC '2014-01' is kept as
    given and dated 2014-01-01 (its first day), not flagged (January may be after 2 January); '2013-12' is
    flagged (all of December 2013 is before consent)."""
    ids = _record(
        imported_store,
        [
            _imported(),
            _imported(onset="2013-12-30"),
            _imported(onset="2014-01", attribution="REMOTE"),
            _imported(onset="2013-12"),
        ],
        "stat",
        IMPORTED,
    )
    with imported_store.read() as session:
        events = [session.get_one(AdverseEvent, i) for i in ids]
        assert verify_chain(session).ok
    assert [(e.grade, e.severity, e.onset, e.onset_partial, e.pre_consent) for e in events] == [
        (None, "MILD", dt.date(2014, 1, 3), None, False),
        (None, "MILD", dt.date(2013, 12, 30), None, True),
        (None, "MILD", dt.date(2014, 1, 1), "2014-01", False),
        (None, "MILD", dt.date(2013, 12, 1), "2013-12", True),
    ]


def test_an_imported_grade_6_is_refused_too(imported_store: Store) -> None:
    error = _refused(imported_store, [_imported(grade=6)], username="stat", trial=IMPORTED)
    assert (error.code, error.field) == ("STORE-E110", "grade")


def _correct(store: Store, subject_id: str, event_id: int, changes: dict[str, Any], version: int) -> AdverseEvent:
    with store.write() as session:
        return update_adverse_event(
            session,
            actor_for(session, "inv1"),
            TRIAL,
            subject_id,
            event_id,
            changes=changes,
            reason="grade re-assessed by the investigator",
            expected_version=version,
        )


def test_a_corrected_grade_is_kept_with_a_new_version(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store)
    (event_id,) = _record(trial_store, [_event(subject_id)])
    event = _correct(trial_store, subject_id, event_id, {"grade": 4, "serious": "Y"}, 1)
    assert (event.grade, event.serious, event.version) == (4, True, 2)
    with trial_store.read() as session:
        assert verify_chain(session).ok


def test_two_corrections_from_the_same_version_conflict(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store)
    (event_id,) = _record(trial_store, [_event(subject_id)])
    _correct(trial_store, subject_id, event_id, {"grade": 4}, 1)
    before = count_rows(trial_store, AdverseEvent)
    with pytest.raises(ConflictError) as caught:
        _correct(trial_store, subject_id, event_id, {"grade": 2}, 1)
    assert caught.value.code == "STORE-E040"
    assert count_rows(trial_store, AdverseEvent) == before
    with trial_store.read() as session:
        assert session.execute(select(AdverseEvent.grade)).scalar_one() == 4


def test_a_correction_to_grade_6_is_refused(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store)
    (event_id,) = _record(trial_store, [_event(subject_id)])
    before = count_rows(trial_store, AdverseEvent)
    with pytest.raises(DataError) as caught:
        _correct(trial_store, subject_id, event_id, {"grade": 6}, 1)
    assert caught.value.code == "STORE-E110"
    assert count_rows(trial_store, AdverseEvent) == before
