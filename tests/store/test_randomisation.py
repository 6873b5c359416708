"""``oncotrial.store.services.randomisation`` on SQLite and PostgreSQL: the concealed list, assignments,
corrections and what is refused."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from oncotrial.errors import AccessError, DataError
from oncotrial.store import Store, open_store, verify_chain
from oncotrial.store.migrate import init_schema
from oncotrial.store.models import AllocationSlot, AuditEntry, Randomisation
from oncotrial.store.services import actor_for, correct_randomisation, randomise
from tests.store.conftest import SCREENED_AT, TRIAL, build_trial, enrol_eligible, table_rows


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


STRATA_FACTORS = {"site": ["01", "02"], "ecog": ["0", "1"]}
# 24 patients: investigators of sites 01 and 02 in turn, ECOG 0 and 1 in turn within each site: six per stratum
STRATA = ("site=01;ecog=0", "site=01;ecog=1", "site=02;ecog=0", "site=02;ecog=1")
STRATIFIED_PLAN = [(f"inv{1 + i % 2}", {"site": f"0{1 + i % 2}", "ecog": str(i // 2 % 2)}) for i in range(24)]


def _randomise_all(store: Store, plan: list[tuple[str, dict[str, str]]]) -> list[tuple[str, str]]:
    """Enrol, screen and randomise each patient of ``plan`` (investigator, factors); their (subject, arm)."""
    assigned = []
    for username, factors in plan:
        subject = enrol_eligible(store, username)
        with store.write() as session:
            actor = actor_for(session, username)
            arm = randomise(session, actor, TRIAL, subject, randomised_on=SCREENED_AT.date(), factors=factors).arm
        assigned.append((subject, arm))
    return assigned


def test_each_completed_block_of_each_stratum_is_in_the_ratio(store: Store) -> None:
    """Site 01/02 x ECOG 0/1, six patients in each of the four strata. NCT01416831 randomises A:B 1:1 in blocks of
    2 or 4, so every block whose slots are all taken holds as many A as B; each stratum has at least one (its first
    block has at most 4 slots)."""
    build_trial(store, factors=STRATA_FACTORS)
    _randomise_all(store, STRATIFIED_PLAN)
    with store.read() as session:
        rows = session.execute(
            select(Randomisation.stratum, Randomisation.arm, AllocationSlot.stratum, AllocationSlot.block,
                   AllocationSlot.block_size, AllocationSlot.arm)
            .join(AllocationSlot, AllocationSlot.patient_id == Randomisation.patient_id)
        ).all()  # fmt: skip
    assert len(rows) == 24
    assert all(r[0] == r[2] and r[1] == r[5] for r in rows)  # the assignment is its slot's
    blocks: dict[tuple[str, int], list[str]] = {}
    sizes: dict[tuple[str, int], int] = {}
    for stratum, arm, _, block, size, _ in rows:
        blocks.setdefault((stratum, block), []).append(arm)
        sizes[(stratum, block)] = size
    complete = {key: Counter(arms) for key, arms in blocks.items() if len(arms) == sizes[key]}
    assert Counter(stratum for stratum, *_ in rows) == dict.fromkeys(STRATA, 6)
    assert {stratum for stratum, _ in complete} == set(STRATA)
    for key, counts in complete.items():
        assert counts["A"] == counts["B"] == sizes[key] // 2, key


def test_minimisation_assigns_reproducibly_from_the_seed(store: Store, tmp_path: Path) -> None:
    """Pocock-Simon minimisation over site and ECOG (method "minimisation"): the same seed, in another database,
    gives the same arms to the same patients in the same order; no slot of a list is used."""
    plan = STRATIFIED_PLAN[:10]
    build_trial(store, method="minimisation", factors=STRATA_FACTORS, seed=7)
    first = _randomise_all(store, plan)
    other = open_store(f"sqlite:///{tmp_path / 'again.db'}", check_schema=False)
    init_schema(other)
    again = _randomise_all(build_trial(other, method="minimisation", factors=STRATA_FACTORS, seed=7), plan)
    other.dispose()
    assert first == again
    assert {arm for _, arm in first} == {"A", "B"}
    with store.read() as session:
        assert set(session.execute(select(Randomisation.method)).scalars()) == {"minimisation"}
        assert session.execute(select(func.count()).select_from(AllocationSlot)).scalar_one() == 0


@pytest.mark.parametrize("method", ["blocks", "minimisation"])
def test_each_assignment_is_audited_with_its_arm_user_and_reason(store: Store, method: str) -> None:
    build_trial(store, method=method, factors=STRATA_FACTORS)
    [(subject, arm)] = _randomise_all(store, STRATIFIED_PLAN[:1])
    with store.read() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.table_name == "randomisation", AuditEntry.action == "insert")
        ).scalar_one()
        assert (entry.username, entry.reason) == ("inv1", f"randomisation of patient {subject}")
        assert f'"arm":"{arm}"' in (entry.new_values or "")
        assert f'"method":"{method}"' in (entry.new_values or "")
        assert verify_chain(session).ok


def test_a_minimisation_waits_for_the_one_before_it_to_commit(store: Store) -> None:
    """Two patients of the same site and ECOG, randomised by minimisation at the same time: the second counts the
    first's assignment, as if they came one after the other. With seed 1 (enrolment numbers 1 and 2 seed the
    draws), one after the other gives A then B; a second that did not see the first would get A as well (the
    draws as ``oncotrial.randomise.assign_by_minimisation`` makes them, worked out once for this seed)."""
    build_trial(store, method="minimisation", factors=STRATA_FACTORS, seed=1)
    first, second = enrol_eligible(store), enrol_eligible(store)
    factors = {"site": "01", "ecog": "0"}
    arms: dict[str, str] = {}

    def assign(subject: str) -> None:
        with store.write() as session:
            actor = actor_for(session, "inv1")
            arms[subject] = randomise(
                session, actor, TRIAL, subject, randomised_on=SCREENED_AT.date(), factors=factors
            ).arm

    later = threading.Thread(target=assign, args=(second,))
    with store.write() as session:
        actor = actor_for(session, "inv1")
        arms[first] = randomise(session, actor, TRIAL, first, randomised_on=SCREENED_AT.date(), factors=factors).arm
        later.start()
        later.join(timeout=1.0)
        assert later.is_alive()  # the second waits until the first commits
    later.join(timeout=30)
    assert arms == {first: "A", second: "B"}
