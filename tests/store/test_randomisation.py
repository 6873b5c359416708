"""``oncotrial.store.services.randomisation`` on SQLite and PostgreSQL: the concealed list, assignments,
corrections and what is refused."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import func, select

from oncotrial.errors import AccessError, DataError
from oncotrial.store import Store, verify_chain
from oncotrial.store.models import AllocationSlot, AuditEntry, Randomisation
from oncotrial.store.services import actor_for, correct_randomisation, randomise
from tests.store.conftest import SCREENED_AT, TRIAL, enrol_eligible, table_rows


def _arms(store: Store) -> list[str]:
    with store.read() as session:
        return list(session.execute(select(Randomisation.arm).order_by(Randomisation.id)).scalars())


def test_twelve_patients_fill_whole_blocks_in_the_ratio_of_nct01416831(trial_store: Store) -> None:
    """NCT01416831 randomises 1:1; blocks are of 2 or 4 (one and two times the ratio's sum), so after the slots of
    the completed blocks the arms are exactly equal."""
    for _ in range(12):
        enrol_eligible(trial_store, randomise=True)
    arms = _arms(trial_store)
    with trial_store.read() as session:
        sizes = list(
            session.execute(
                select(AllocationSlot.block_size)
                .where(AllocationSlot.patient_id.is_not(None))
                .order_by(AllocationSlot.sequence)
            ).scalars()
        )
    ends, total = [], 0
    while total < 12:
        total += sizes[total]
        ends.append(total)
    for end in ends:
        if end <= 12:
            counts = Counter(arms[:end])
            assert counts["A"] == counts["B"] == end // 2
    assert set(arms) == {"A", "B"}


def test_same_seed_gives_the_same_list_in_another_database(trial_store: Store, tmp_path) -> None:
    from oncotrial.store import open_store
    from oncotrial.store.migrate import init_schema
    from oncotrial.store.services import bootstrap_admin, create_trial, setup_allocation
    from tests.store.conftest import builtin_protocol_text

    other = open_store(f"sqlite:///{tmp_path / 'other.db'}", check_schema=False)
    init_schema(other)
    with other.write() as session:
        admin = bootstrap_admin(session, "admin", full_name="Admin")
    with other.write() as session:
        actor = actor_for(session, admin.username)
        create_trial(session, actor, TRIAL, protocol_yaml=builtin_protocol_text())
        setup_allocation(session, actor, TRIAL, seed=20261130)

    def slots(store: Store) -> list[tuple[str, int, str]]:
        with store.read() as session:
            return list(
                session.execute(
                    select(AllocationSlot.stratum, AllocationSlot.sequence, AllocationSlot.arm).order_by(
                        AllocationSlot.id
                    )
                ).all()
            )

    assert slots(other) == slots(trial_store)
    assert len(slots(other)) >= 44  # the design's enrolment target
    other.dispose()


def test_randomising_an_unconsented_patient_is_refused_and_writes_nothing(trial_store: Store) -> None:
    from oncotrial.store.services import enrol_patient

    with trial_store.write() as session:
        subject = enrol_patient(
            session, actor_for(session, "inv1"), TRIAL, enrolled_on=dt.date(2026, 11, 18)
        ).subject_id
    with trial_store.read() as session:
        before = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    with pytest.raises(DataError, match="no consent is recorded") as info, trial_store.write() as session:
        randomise(session, actor_for(session, "inv1"), TRIAL, subject, randomised_on=dt.date(2026, 11, 21))
    assert info.value.subject_id == subject
    with trial_store.read() as session:
        assert session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == before
        assert session.execute(select(func.count()).select_from(Randomisation)).scalar_one() == 0


def test_randomising_an_ineligible_patient_is_refused(trial_store: Store) -> None:
    from oncotrial.store.services import enrol_patient, record_consent, record_screening
    from tests.store.conftest import eligible_record

    record = eligible_record()
    record["ecog"] = {"value": 2, "date": "2026-11-16"}  # the protocol admits ECOG 0-1
    with trial_store.write() as session:
        actor = actor_for(session, "inv1")
        subject = enrol_patient(session, actor, TRIAL, enrolled_on=dt.date(2026, 11, 18)).subject_id
        record_consent(session, actor, TRIAL, subject, form_version="2.0", consent_date=dt.date(2026, 11, 18))
        assert record_screening(session, actor, TRIAL, subject, record, screened_at=SCREENED_AT).status == "ineligible"
    before = table_rows(trial_store)
    with pytest.raises(DataError, match="screened ineligible"), trial_store.write() as session:
        randomise(session, actor_for(session, "inv1"), TRIAL, subject, randomised_on=dt.date(2026, 11, 21))
    assert table_rows(trial_store) == before


def test_a_coordinator_may_not_randomise_and_another_site_may_not_see_the_patient(trial_store: Store) -> None:
    subject = enrol_eligible(trial_store)
    with pytest.raises(AccessError, match="needs the role investigator"), trial_store.write() as session:
        randomise(session, actor_for(session, "coord1"), TRIAL, subject, randomised_on=dt.date(2026, 11, 21))
    with pytest.raises(AccessError, match="another site"), trial_store.write() as session:
        randomise(session, actor_for(session, "inv2"), TRIAL, subject, randomised_on=dt.date(2026, 11, 21))


def test_an_assignment_is_undone_only_by_an_audited_correction_with_a_reason(trial_store: Store) -> None:
    subject = enrol_eligible(trial_store, randomise=True)
    with pytest.raises(DataError, match="already randomised"), trial_store.write() as session:
        randomise(session, actor_for(session, "inv1"), TRIAL, subject, randomised_on=dt.date(2026, 11, 22))
    with trial_store.read() as session:
        first = session.execute(select(Randomisation)).scalar_one()
    other = "A" if first.arm == "B" else "B"
    with pytest.raises(Exception, match="needs a reason"), trial_store.write() as session:
        correct_randomisation(session, actor_for(session, "inv1"), TRIAL, subject, arm=other, reason="")
    with trial_store.write() as session:
        correct_randomisation(
            session,
            actor_for(session, "inv1"),
            TRIAL,
            subject,
            arm=other,
            reason="arm entered against the wrong patient",
            expected_version=first.version,
        )
    with trial_store.read() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.table_name == "randomisation", AuditEntry.action == "update")
        ).scalar_one()
        assert entry.reason == "arm entered against the wrong patient"
        assert f'"arm":"{first.arm}"' in (entry.old_values or "")
        assert f'"arm":"{other}"' in (entry.new_values or "")
        assert verify_chain(session).ok
