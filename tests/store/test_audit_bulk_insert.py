"""``insert_audited``'s bulk path writes rows exactly as the ORM would, audits each, and hands out ids that never
collide with the ORM's, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text

from oncotrial.store import Store, verify_chain
from oncotrial.store.audit import audit_context, insert_audited
from oncotrial.store.models import LabResult
from oncotrial.store.services import actor_for
from tests.store.conftest import enrol_eligible

VALUES = {
    "test_code": "ALB",
    "test_name": "Albumin",
    "category": "CHEMISTRY",
    "value": 38,  # a whole number for a float column: stored and audited as 38.0 either way
    "value_text": "38",
    "unit": "g/L",
    "normal_low": 33.0,
    "normal_high": 49.0,
    "collected_at": dt.datetime(2013, 12, 26, 14, 45),
    "visit": "WEEK 2",
    "visit_number": 4.0,
    "baseline": True,
}


def test_bulk_rows_are_stored_as_orm_rows_and_the_chain_verifies(trial_store: Store) -> None:
    """The same values through the ORM and through insert_audited read back identically in raw SQL (SQLite's
    date-time text, its 0/1 booleans), ids follow on (ORM, bulk, bulk, ORM: ascending, no collision) and
    verify_chain finds every record equal to its last entry."""
    subject = enrol_eligible(trial_store)
    with trial_store.write() as session:
        actor = actor_for(session, "inv1")
        from oncotrial.store.models import Patient

        patient_id = session.execute(select(Patient.id).where(Patient.subject_id == subject)).scalar_one()
        with audit_context(session, actor):
            session.add(LabResult(patient_id=patient_id, **VALUES))
            session.flush()
        bulk = insert_audited(session, LabResult.__table__, [{"patient_id": patient_id, **VALUES}] * 2, actor)  # type: ignore[arg-type]
        with audit_context(session, actor):
            session.add(LabResult(patient_id=patient_id, **VALUES))
            session.flush()
    with trial_store.read() as session:
        raw = session.execute(text("SELECT * FROM lab_result ORDER BY id")).all()
        report = verify_chain(session)
    ids = [row[0] for row in raw]
    assert ids == sorted(set(ids))
    assert bulk == ids[1:3]
    assert len({tuple(row[1:]) for row in raw}) == 1  # every column but the id stored the same way
    assert report.ok, str(report)


def test_rows_encoded_column_by_column_read_as_canonical_json_spells_them() -> None:
    """``encode_rows`` (each distinct value of a column encoded once) gives, for each row, the text written out
    by hand below: keys sorted, no spaces, a whole number in a float column as a float, -0.0 kept apart from
    0.0, NaN as the text "nan", non-ASCII and quotes escaped, date-times in ISO 8601, booleans and nulls."""
    from oncotrial.store.audit import encode_rows

    columns = {
        "id": [1, 2, 3],
        "patient_id": [7, 7, 8],
        "test_code": ["HGB", "HGB", 'A"B'],
        "test_name": ["Hémoglobine", None, "Hémoglobine"],
        "value": [38, -0.0, 0.0],
        "normal_low": [float("nan"), 1.5, 1.5],
        "collected_at": [dt.datetime(2013, 12, 26, 14, 45, 0, 5), None, dt.datetime(2013, 12, 26, 14, 45, 0, 5)],
        "baseline": [True, None, False],
        "version": [1, 1, 1],
    }
    rest = ',"value_text":null,"version":1,"visit":null,"visit_number":null'
    assert encode_rows(LabResult.__table__, columns, 3) == [  # type: ignore[arg-type]
        '{"baseline":true,"category":null,"collected_at":"2013-12-26T14:45:00.000005","id":1,"normal_high":null,'
        '"normal_low":"nan","patient_id":7,"test_code":"HGB","test_name":"H\\u00e9moglobine","unit":null,"value":38.0'
        + rest
        + "}",
        '{"baseline":null,"category":null,"collected_at":null,"id":2,"normal_high":null,'
        '"normal_low":1.5,"patient_id":7,"test_code":"HGB","test_name":null,"unit":null,"value":-0.0' + rest + "}",
        '{"baseline":false,"category":null,"collected_at":"2013-12-26T14:45:00.000005","id":3,"normal_high":null,'
        '"normal_low":1.5,"patient_id":8,"test_code":"A\\"B","test_name":"H\\u00e9moglobine","unit":null,"value":0.0'
        + rest
        + "}",
    ]


def test_a_function_of_distinct_values_is_taken_value_by_value_for_mixed_kinds() -> None:
    """``map_distinct`` calls the function once per distinct value of one plain kind, and value by value where
    kinds are mixed (1, 1.0 and True are equal keys, yet ``str`` gives "1", "1.0" and "True"), or where
    date-times carry time zones (equal instants printed differently)."""
    from oncotrial.store.columns import map_distinct

    calls: list[object] = []

    def spelt(value: object) -> str:
        calls.append(value)
        return str(value)

    assert map_distinct(["a", None, "a", "b"], spelt, "-") == ["a", "-", "a", "b"]
    assert calls == ["a", "b"]
    assert map_distinct([1, 1.0, True, None], str, "-") == ["1", "1.0", "True", "-"]
    utc, cet = dt.UTC, dt.timezone(dt.timedelta(hours=1))
    instants = [dt.datetime(2020, 1, 1, 0, tzinfo=utc), dt.datetime(2020, 1, 1, 1, tzinfo=cet)]
    assert map_distinct(instants, dt.datetime.isoformat, "-") == [
        "2020-01-01T00:00:00+00:00",
        "2020-01-01T01:00:00+01:00",
    ]
