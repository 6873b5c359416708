"""Batch enrolment, consents and recorded assignments (the SDTM import's way in), on SQLite and PostgreSQL:
what they write, and what they refuse without writing anything."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from oncotrial.errors import AccessError, DataError, NotFoundError
from oncotrial.store import Store
from oncotrial.store.models import AuditEntry, Consent, Patient, PatientIdentity, Randomisation
from oncotrial.store.services import (
    actor_for,
    enrol_patients,
    record_consents,
    record_recorded_assignments,
)
from tests.store.conftest import TRIAL

DAY = dt.date(2026, 11, 18)


def _rows(*subjects: str, site: str = "01") -> list[dict[str, object]]:
    return [{"subject_id": s, "site_code": site, "enrolled_on": DAY, "sex": "F", "age": 60.0} for s in subjects]


def _written(store: Store) -> tuple[int, int]:
    with store.read() as session:
        return (
            session.execute(select(func.count()).select_from(Patient)).scalar_one(),
            session.execute(select(func.count()).select_from(AuditEntry)).scalar_one(),
        )


def test_batch_enrolment_numbers_patients_after_the_last_and_keeps_identity_apart(trial_store: Store) -> None:
    """Two patients after none: enrolment numbers 1 and 2 in row order; the date of birth only in the identity
    table; one audit entry per row written (2 patients + 1 identity)."""
    before = _written(trial_store)
    rows = _rows("01-0101", "01-0102")
    rows[0]["birth_date"] = dt.date(1961, 4, 2)
    with trial_store.write() as session:
        ids = enrol_patients(session, actor_for(session, "stat"), TRIAL, rows)
    with trial_store.read() as session:
        numbers = session.execute(select(Patient.subject_id, Patient.enrolment_number).order_by(Patient.id)).all()
        identity = session.execute(select(PatientIdentity.patient_id, PatientIdentity.birth_date)).all()
    assert [tuple(n) for n in numbers] == [("01-0101", 1), ("01-0102", 2)]
    assert [tuple(i) for i in identity] == [(ids[0], dt.date(1961, 4, 2))]
    assert _written(trial_store) == (before[0] + 2, before[1] + 3)


@pytest.mark.parametrize(
    ("rows", "error", "message"),
    [
        pytest.param(_rows("01-0101", "01-0101"), DataError, "row 2: patient '01-0101' is twice", id="twice"),
        pytest.param(_rows("01-0101", site="09"), DataError, "no site '09'", id="unknown_site"),
        pytest.param([{**_rows("01-0101")[0], "age": 140.0}], DataError, "age 140.0", id="implausible_age"),
        pytest.param(
            _rows("01-0101", "02-0102"), DataError, "row 2: subject id '02-0102': it must begin with", id="other_prefix"
        ),
    ],
)
def test_batch_enrolment_refuses_a_bad_row_and_writes_nothing(
    trial_store: Store, rows: list[dict[str, object]], error: type[Exception], message: str
) -> None:
    before = _written(trial_store)
    with trial_store.write() as session, pytest.raises(error, match=message):
        enrol_patients(session, actor_for(session, "stat"), TRIAL, rows)
    assert _written(trial_store) == before


def test_batch_enrolment_keeps_a_site_role_to_its_site(trial_store: Store) -> None:
    """coord1 works at site 01: a row of site 02 is refused."""
    with trial_store.write() as session, pytest.raises(AccessError, match="another site"):
        enrol_patients(session, actor_for(session, "coord1"), TRIAL, _rows("02-0101", site="02"))


def test_batch_consents_and_recorded_assignments(trial_store: Store) -> None:
    """A consent per row, as given; an assignment as recorded elsewhere (method and stratum 'recorded', the
    factors kept as JSON), then refused a second time for the same patient."""
    with trial_store.write() as session:
        stat = actor_for(session, "stat")
        enrol_patients(session, stat, TRIAL, _rows("01-0101"))
        record_consents(session, stat, TRIAL, [{"subject_id": "01-0101", "form_version": "2.0", "consent_date": DAY}])
        record_recorded_assignments(
            session,
            stat,
            TRIAL,
            [{"subject_id": "01-0101", "arm": "B", "randomised_on": DAY, "factors": {"ARM": "Arm B"}}],
        )
    with trial_store.read() as session:
        consent = session.execute(select(Consent.form_version, Consent.consent_date)).one()
        assignment = session.execute(
            select(Randomisation.arm, Randomisation.method, Randomisation.stratum, Randomisation.factors)
        ).one()
    assert tuple(consent) == ("2.0", DAY)
    assert tuple(assignment[:3]) == ("B", "recorded", "recorded")
    assert json.loads(assignment[3]) == {"ARM": "Arm B"}
    before = _written(trial_store)
    with trial_store.write() as session, pytest.raises(DataError, match="01-0101 is already randomised"):
        record_recorded_assignments(
            session, actor_for(session, "stat"), TRIAL, [{"subject_id": "01-0101", "arm": "A", "randomised_on": DAY}]
        )
    with trial_store.write() as session, pytest.raises(NotFoundError, match="no patient '01-0999'"):
        record_consents(
            session,
            actor_for(session, "stat"),
            TRIAL,
            [{"subject_id": "01-0999", "form_version": "2.0", "consent_date": DAY}],
        )
    assert _written(trial_store) == before


def test_recorded_assignments_are_the_import_only(trial_store: Store) -> None:
    """Recording an arm from elsewhere needs the import permission: an investigator randomises instead."""
    with trial_store.write() as session, pytest.raises(AccessError, match="statistician"):
        record_recorded_assignments(
            session, actor_for(session, "inv1"), TRIAL, [{"subject_id": "01-0001", "arm": "A", "randomised_on": DAY}]
        )
