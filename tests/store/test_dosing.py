"""``oncotrial.store.services.dosing`` on SQLite and PostgreSQL: the treatment start, administrations checked
against the rebuilt calendar, delayed cycles, corrections, and the generic checks of imported data.

Hand-worked NCT01416831 calendar (protocol arm A/B: IL-2 every 8 h, at most 14 doses a cycle and 28 in two
cycles; next cycle 16 days later on a Monday, delayed at most 7 days): start Monday 2026-11-23 08:00, so
cycle 1 dose k is at 08:00 + 8 h x (k - 1), dose 14 on Friday 2026-11-27 16:00; 2026-11-23 + 16 days is
Wednesday 2026-12-09, so cycle 2 is planned on Monday 2026-12-14 and may start at the latest on Monday
2026-12-21. A 70 kg patient's planned IL-2 dose is 600,000 IU/kg x 70 kg = 42,000,000 IU.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from oncotrial.errors import ConflictError, DataError, ScheduleError, StoreError
from oncotrial.store import Store, services, verify_chain
from oncotrial.store.audit import audit_context
from oncotrial.store.models import (
    Administration,
    AuditEntry,
    CycleStart,
    Patient,
    Randomisation,
    RecordedResponse,
    TreatmentStart,
)
from oncotrial.store.services import (
    actor_for,
    add_protocol_version,
    correct_randomisation,
    correct_treatment_start,
    record_administration,
    record_administrations,
    record_crossover,
    record_cycle_start,
    record_treatment_start,
    update_administration,
)
from tests.store.conftest import (
    IMPORTED,
    TREATMENT_START,
    TRIAL,
    builtin_protocol_text,
    count_rows,
    enrol_eligible,
)


def _dose(subject_id: str, number: int, cycle: int = 1, **fields: Any) -> dict[str, Any]:
    """IL-2 dose ``number`` of ``cycle`` given on time (cycle 1 from Monday 2026-11-23, cycle 2 from Monday
    2026-12-14, both 08:00)."""
    start = TREATMENT_START if cycle == 1 else dt.datetime(2026, 12, 14, 8, 0)
    row = {
        "subject_id": subject_id,
        "treatment": "il2",
        "cycle": cycle,
        "number": number,
        "status": "given",
        "given_at": start + dt.timedelta(hours=8 * (number - 1)),
    }
    return {**row, **fields}


def _record(store: Store, rows: list[dict[str, Any]], username: str = "inv1", trial: str = TRIAL) -> list[int]:
    with store.write() as session:
        return record_administrations(session, actor_for(session, username), trial, rows)


def test_treatment_start_is_kept_in_the_randomised_arm(treated_store: tuple[Store, str]) -> None:
    store, _ = treated_store
    with store.read() as session:
        start = session.execute(select(TreatmentStart)).scalar_one()
        arm = session.execute(select(Randomisation.arm)).scalar_one()
    assert (start.start, start.weight_kg, start.arm, start.version) == (TREATMENT_START, 70.0, arm, 1)


def test_treatment_start_on_a_tuesday_is_refused_with_the_next_monday(trial_store: Store) -> None:
    """2026-11-24 is a Tuesday; the next Monday is 2026-11-30."""
    subject_id = enrol_eligible(trial_store, randomise=True)
    before = count_rows(trial_store, TreatmentStart)
    with (
        pytest.raises(ScheduleError, match="next valid start date is Monday 2026-11-30") as caught,
        trial_store.write() as session,
    ):
        record_treatment_start(
            session, actor_for(session, "inv1"), TRIAL, subject_id, start=dt.datetime(2026, 11, 24, 8), weight_kg=70
        )
    assert (caught.value.code, caught.value.subject_id) == ("DOSE-E010", subject_id)
    assert count_rows(trial_store, TreatmentStart) == before


def test_treatment_start_before_randomisation_is_refused(trial_store: Store) -> None:
    """Randomised on 2026-11-21 (conftest); Monday 2026-11-16 is before it."""
    subject_id = enrol_eligible(trial_store, randomise=True)
    before = count_rows(trial_store, TreatmentStart)
    with pytest.raises(DataError, match="before randomisation on 2026-11-21") as caught, trial_store.write() as session:
        record_treatment_start(
            session, actor_for(session, "inv1"), TRIAL, subject_id, start=dt.datetime(2026, 11, 16, 8), weight_kg=70
        )
    assert caught.value.code == "STORE-E141"
    assert count_rows(trial_store, TreatmentStart) == before


def test_fourteen_doses_of_cycle_one_are_recorded(treated_store: tuple[Store, str]) -> None:
    store, subject_id = treated_store
    ids = _record(store, [_dose(subject_id, n) for n in range(1, 15)])
    assert len(ids) == 14
    with store.read() as session:
        last = session.execute(select(Administration).where(Administration.number == 14)).scalar_one()
        assert last.given_at == dt.datetime(2026, 11, 27, 16, 0)
        assert verify_chain(session).ok


def test_a_fifteenth_dose_in_a_cycle_is_refused_naming_the_limit_and_nothing_is_written(
    treated_store: tuple[Store, str],
) -> None:
    """The protocol plans at most 14 IL-2 doses a cycle; the batch's 15th row is the one at fault."""
    store, subject_id = treated_store
    before = count_rows(store, Administration)
    rows = [_dose(subject_id, n) for n in range(1, 16)]
    with pytest.raises(ScheduleError, match="at most 14 doses of il2 in a cycle") as caught:
        _record(store, rows)
    assert (caught.value.code, caught.value.rows, caught.value.subject_id, caught.value.field) == (
        "DOSE-E040",
        (15,),
        subject_id,
        "number",
    )
    assert count_rows(store, Administration) == before


def test_a_fifteenth_dose_after_fourteen_recorded_is_refused(treated_store: tuple[Store, str]) -> None:
    store, subject_id = treated_store
    _record(store, [_dose(subject_id, n) for n in range(1, 15)])
    before = count_rows(store, Administration)
    fields = {k: v for k, v in _dose(subject_id, 15).items() if k != "subject_id"}
    with pytest.raises(ScheduleError, match="at most 14 doses") as caught, store.write() as session:
        record_administration(session, actor_for(session, "inv1"), TRIAL, subject_id, **fields)
    assert caught.value.rows == (1,)
    assert count_rows(store, Administration) == before


def test_more_doses_in_two_cycles_than_the_protocol_allows_are_refused(trial_store: Store) -> None:
    """A protocol version allowing 20 IL-2 doses in two cycles (instead of 28): 14 in cycle 1 and 6 in cycle 2
    are 20; cycle 2's 7th dose is the 21st, refused naming the limit (DOSE-E042)."""
    amended = builtin_protocol_text().replace("max_doses: 28", "max_doses: 20")
    with trial_store.write() as session:
        add_protocol_version(session, actor_for(session, "admin"), TRIAL, amended, reason="test of the two-cycle limit")
    subject_id = enrol_eligible(trial_store, randomise=True)
    with trial_store.write() as session:
        record_treatment_start(
            session, actor_for(session, "inv1"), TRIAL, subject_id, start=TREATMENT_START, weight_kg=70
        )
    _record(trial_store, [_dose(subject_id, n) for n in range(1, 15)] + [_dose(subject_id, n, 2) for n in range(1, 7)])
    before = count_rows(trial_store, Administration)
    with pytest.raises(ScheduleError, match="at most 20 doses of il2 in cycles 1–2") as caught:
        _record(trial_store, [_dose(subject_id, 7, 2)])
    assert (caught.value.code, caught.value.rows, caught.value.cycle) == ("DOSE-E042", (1,), 2)
    assert count_rows(trial_store, Administration) == before


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        pytest.param({"status": "held", "given_at": None}, "STORE-E151", "reason", id="held_without_reason"),
        pytest.param({"status": "delayed"}, "STORE-E151", "reason", id="delayed_without_reason"),
        pytest.param({"given_at": None}, "STORE-E152", "given_at", id="given_without_time"),
        pytest.param({"status": "stopped"}, "STORE-E104", "status", id="unknown_status"),
        pytest.param({"amount": 21_000_000}, "STORE-E154", "unit", id="amount_without_unit"),
        pytest.param({"unit": "IU"}, "STORE-E154", "amount", id="unit_without_amount"),
        pytest.param(
            {"amount": 21_000_000, "unit": "IU", "percent": 50}, "STORE-E154", "percent", id="amount_and_percent"
        ),
        pytest.param({"amount": 0, "unit": "IU"}, "STORE-E155", "amount", id="amount_zero"),
        pytest.param({"ended_at": dt.datetime(2026, 11, 23, 7, 0)}, "STORE-E156", "ended_at", id="ended_before_given"),
        pytest.param({"given_at": dt.datetime(2026, 11, 17, 8)}, "STORE-E031", "given_at", id="before_consent"),
        pytest.param({"cycle": 0}, "STORE-E150", "cycle", id="cycle_zero"),
    ],
)
def test_a_bad_administration_is_refused_naming_row_and_field(
    treated_store: tuple[Store, str], fields: dict[str, Any], code: str, field: str
) -> None:
    store, subject_id = treated_store
    before = count_rows(store, Administration)
    with pytest.raises(DataError) as caught:
        _record(store, [_dose(subject_id, 1), _dose(subject_id, 2, **fields)])
    assert (caught.value.code, caught.value.field, caught.value.rows, caught.value.subject_id) == (
        code,
        field,
        (2,),
        subject_id,
    )
    assert count_rows(store, Administration) == before


def test_a_dose_above_the_planned_42_miu_is_refused(treated_store: tuple[Store, str]) -> None:
    """70 kg x 600,000 IU/kg = 42,000,000 IU planned; 50,000,000 IU is above it (DOSE-E047); 21,000,000 IU (a
    reduced dose) is kept."""
    store, subject_id = treated_store
    before = count_rows(store, Administration)
    with pytest.raises(ScheduleError, match="more than the planned dose") as caught:
        _record(store, [_dose(subject_id, 1, amount=50_000_000, unit="IU")])
    assert caught.value.code == "DOSE-E047"
    assert count_rows(store, Administration) == before
    _record(store, [_dose(subject_id, 1, amount=21_000_000, unit="IU", reason="dose reduced for creatinine")])
    assert count_rows(store, Administration)[0] == before[0] + 1


def test_a_dose_recorded_twice_is_refused(treated_store: tuple[Store, str]) -> None:
    store, subject_id = treated_store
    _record(store, [_dose(subject_id, 1)])
    before = count_rows(store, Administration)
    with pytest.raises(DataError, match="already recorded") as caught:
        _record(store, [_dose(subject_id, 2), _dose(subject_id, 1)])
    assert (caught.value.code, caught.value.rows) == ("STORE-E157", (2,))
    assert count_rows(store, Administration) == before


def test_administration_without_a_treatment_start_is_refused(trial_store: Store) -> None:
    subject_id = enrol_eligible(trial_store, randomise=True)
    before = count_rows(trial_store, Administration)
    with pytest.raises(DataError, match="record the treatment start first") as caught:
        _record(trial_store, [_dose(subject_id, 1)])
    assert caught.value.code == "STORE-E145"
    assert count_rows(trial_store, Administration) == before


def test_cycle_two_delayed_one_week_is_recorded_and_two_weeks_is_refused(treated_store: tuple[Store, str]) -> None:
    """Cycle 2 planned Monday 2026-12-14, latest Monday 2026-12-21 (7 days); Monday 2026-12-28 is 14 days late."""
    store, subject_id = treated_store
    before = count_rows(store, CycleStart)
    with pytest.raises(ScheduleError, match="allows a delay of at most 7 days") as caught, store.write() as session:
        record_cycle_start(
            session, actor_for(session, "inv1"), TRIAL, subject_id, cycle=2, start=dt.date(2026, 12, 28), reason="x"
        )
    assert (caught.value.code, caught.value.subject_id) == ("DOSE-E032", subject_id)
    assert count_rows(store, CycleStart) == before
    with store.write() as session:
        record_cycle_start(
            session,
            actor_for(session, "inv1"),
            TRIAL,
            subject_id,
            cycle=2,
            start=dt.date(2026, 12, 21),
            reason="toxicity not resolved",
        )
    # cycle 2 dose 2 is now due on Monday 2026-12-21 16:00
    _record(store, [_dose(subject_id, 2, 2, given_at=dt.datetime(2026, 12, 21, 16))])
    with store.read() as session:
        assert verify_chain(session).ok


def _correct(store: Store, subject_id: str, changes: dict[str, Any], version: int) -> Administration:
    with store.write() as session:
        return update_administration(
            session,
            actor_for(session, "inv1"),
            TRIAL,
            subject_id,
            treatment="il2",
            cycle=1,
            number=3,
            changes=changes,
            reason="transcription error",
            expected_version=version,
        )


def test_a_correction_is_audited_with_its_reason(treated_store: tuple[Store, str]) -> None:
    store, subject_id = treated_store
    _record(store, [_dose(subject_id, n) for n in range(1, 4)])
    corrected = _correct(store, subject_id, {"status": "held", "given_at": None, "reason": "grade 3 hypotension"}, 1)
    assert (corrected.status, corrected.given_at, corrected.version) == ("held", None, 2)
    with store.read() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.table_name == "administration", AuditEntry.action == "update")
        ).scalar_one()
        assert entry.reason == "transcription error"
        assert verify_chain(session).ok


def test_two_corrections_from_the_same_version_conflict(treated_store: tuple[Store, str]) -> None:
    store, subject_id = treated_store
    _record(store, [_dose(subject_id, n) for n in range(1, 4)])
    _correct(store, subject_id, {"given_at": dt.datetime(2026, 11, 24, 1, 0)}, 1)
    before = count_rows(store, Administration)
    with pytest.raises(ConflictError, match="you edited version 1, it is now version 2"):
        _correct(store, subject_id, {"given_at": dt.datetime(2026, 11, 24, 2, 0)}, 1)
    assert count_rows(store, Administration) == before
    with store.read() as session:
        stored = session.execute(select(Administration).where(Administration.number == 3)).scalar_one()
    assert stored.given_at == dt.datetime(2026, 11, 24, 1, 0)


def test_a_correction_breaking_the_calendar_is_refused(treated_store: tuple[Store, str]) -> None:
    """Dose 3 moved before dose 2 (Monday 16:00) breaks the order of the cycle (DOSE-E045)."""
    store, subject_id = treated_store
    _record(store, [_dose(subject_id, n) for n in range(1, 4)])
    with pytest.raises(ScheduleError) as caught:
        _correct(store, subject_id, {"given_at": dt.datetime(2026, 11, 23, 12, 0)}, 1)
    assert caught.value.code == "DOSE-E045"


def test_imported_data_get_the_generic_checks_only(imported_store: Store) -> None:
    """CDISCPILOT01 (no protocol): a placebo given as 0 mg (SDTM EXDOSE 0) and a 15th record in a "cycle" are
    kept; a negative amount and an end before the start are refused."""
    sid = "01-701-1015"
    rows = [
        {
            "subject_id": sid,
            "treatment": "PLACEBO",
            "cycle": 1,
            "number": n,
            "status": "given",
            "given_at": "2014-01-02",
            "ended_at": "2014-01-16",
            "amount": 0,
            "unit": "mg",
            "route": "TRANSDERMAL",
            "form": "PATCH",
            "frequency": "QD",
            "visit": "BASELINE",
        }
        for n in range(1, 16)
    ]
    assert len(_record(imported_store, rows, "stat", IMPORTED)) == 15
    before = count_rows(imported_store, Administration)
    for bad, code in ((-1, "STORE-E155"), (54, "STORE-E156")):
        row = {**rows[0], "number": 16, "amount": bad, "ended_at": "2014-01-01" if bad == 54 else "2014-01-16"}
        with pytest.raises(DataError) as caught:
            _record(imported_store, [row], "stat", IMPORTED)
        assert caught.value.code == code
    assert count_rows(imported_store, Administration) == before
    with imported_store.read() as session:
        assert verify_chain(session).ok


def _crossed_over_patient(store: Store) -> str:
    """A patient of arm A (the arm with the crossover rule: corrected to A if the list gave B), started on
    Monday 2026-11-23, with a recorded PD; returns the subject id."""
    subject_id = enrol_eligible(store, randomise=True)
    with store.write() as session:
        actor = actor_for(session, "inv1")
        correct_randomisation(session, actor, TRIAL, subject_id, arm="A", reason="test: arm A's crossover")
        record_treatment_start(session, actor, TRIAL, subject_id, start=TREATMENT_START, weight_kg=70)
        patient_id = session.execute(select(Patient.id).where(Patient.subject_id == subject_id)).scalar_one()
        with audit_context(session, actor):
            session.add(
                RecordedResponse(
                    patient_id=patient_id,
                    evaluator="INVESTIGATOR",
                    category="RECIST 1.1",
                    test_code="OVRLRESP",
                    visit="WEEK 6",
                    assessed_on=dt.date(2027, 1, 4),
                    response="PD",
                )
            )
            session.flush()
    return subject_id


def test_crossover_cycles_follow_the_crossover_calendar(trial_store: Store) -> None:
    """NCT01416831 arm A crosses over to SBRT + IL-2 from cycle 3 (rule sbrt-after-progression). Before the
    crossover, SBRT in cycle 3 is not a treatment of arm A (DOSE-E034); after it, with cycle 3 starting on Monday
    2027-01-11, the single SBRT fraction of patients 1-20 is due the Friday before (2027-01-08) and IL-2
    dose 1 on the Monday, and both are kept."""
    subject_id = _crossed_over_patient(trial_store)
    sbrt = {"subject_id": subject_id, "treatment": "sbrt", "cycle": 3, "number": 1, "status": "given",
            "given_at": dt.datetime(2027, 1, 8, 8, 0)}  # fmt: skip
    il2 = _dose(subject_id, 1, 3, given_at=dt.datetime(2027, 1, 11, 8, 0))
    with pytest.raises(ScheduleError, match="'sbrt' is not a treatment of this arm") as caught:
        _record(trial_store, [sbrt])
    assert caught.value.code == "DOSE-E034"
    with trial_store.write() as session:
        actor = actor_for(session, "inv1")
        record_crossover(
            session, actor, TRIAL, subject_id, to_arm="B", crossover_on=dt.date(2027, 1, 5), reason="PD after 2 cycles"
        )
    with pytest.raises(DataError, match="record its start") as missing_start:
        _record(trial_store, [sbrt, il2])
    assert (missing_start.value.code, missing_start.value.rows) == ("STORE-E146", (2,))
    with trial_store.write() as session:
        record_cycle_start(
            session, actor_for(session, "inv1"), TRIAL, subject_id, cycle=3, start=dt.date(2027, 1, 11), reason="SBRT"
        )
    assert len(_record(trial_store, [sbrt, il2])) == 2


def _correct_start(store: Store, subject_id: str, version: int | None = None, **changes: Any) -> TreatmentStart:
    with store.write() as session:
        return correct_treatment_start(
            session,
            actor_for(session, "inv1"),
            TRIAL,
            subject_id,
            reason=str(changes.pop("reason", "entered in the wrong week")),
            expected_version=version,
            **changes,
        )


def test_a_treatment_start_is_corrected_with_its_reason_and_the_calendar_follows(
    treated_store: tuple[Store, str],
) -> None:
    """Start moved from Monday 2026-11-23 08:00 to Monday 2026-11-30 08:00: dose 2 (every 8 h) is then due on
    2026-11-30 16:00 and is recorded there; the update entry keeps the reason; the chain verifies."""
    store, subject_id = treated_store
    corrected = _correct_start(store, subject_id, 1, start=dt.datetime(2026, 11, 30, 8, 0))
    assert (corrected.start, corrected.weight_kg, corrected.version) == (dt.datetime(2026, 11, 30, 8, 0), 70, 2)
    _record(
        store,
        [
            _dose(subject_id, 1, given_at=dt.datetime(2026, 11, 30, 8)),
            _dose(subject_id, 2, given_at=dt.datetime(2026, 11, 30, 16)),
        ],
    )
    with store.read() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.table_name == "treatment_start", AuditEntry.action == "update")
        ).scalar_one()
        assert entry.reason == "entered in the wrong week"
        assert verify_chain(session).ok


@pytest.mark.parametrize(
    ("changes", "error", "code"),
    [
        pytest.param({"start": dt.datetime(2026, 12, 1, 8, 0)}, ScheduleError, "DOSE-E010", id="not_a_monday"),
        pytest.param({"start": dt.datetime(2026, 11, 16, 8, 0)}, DataError, "STORE-E141", id="before_randomisation"),
        pytest.param({"weight_kg": 50.0}, ScheduleError, "DOSE-E047", id="recorded_dose_above_the_new_plan"),
        pytest.param({"weight_kg": 75.0, "reason": " "}, StoreError, "STORE-E011", id="without_a_reason"),
    ],
)
def test_a_treatment_start_correction_that_breaks_a_rule_is_refused(
    treated_store: tuple[Store, str], changes: dict[str, Any], error: type[Exception], code: str
) -> None:
    """Each refusal writes nothing. A 70 kg patient's dose 1 of 42,000,000 IU (600,000 IU/kg) is above the
    30,000,000 IU planned for 50 kg; 2026-12-01 is a Tuesday (NCT01416831 starts on a Monday); randomisation was
    on 2026-11-21."""
    store, subject_id = treated_store
    _record(store, [_dose(subject_id, 1, amount=42_000_000, unit="IU")])
    with pytest.raises(error) as caught:
        _correct_start(store, subject_id, **changes)
    assert getattr(caught.value, "code", None) == code
    with store.read() as session:
        stored = session.execute(select(TreatmentStart)).scalar_one()
    assert (stored.start, stored.weight_kg, stored.version) == (TREATMENT_START, 70, 1)


def test_two_corrections_of_a_start_from_the_same_version_conflict(treated_store: tuple[Store, str]) -> None:
    store, subject_id = treated_store
    _correct_start(store, subject_id, 1, weight_kg=71.0)
    with pytest.raises(ConflictError, match="you edited version 1, it is now version 2"):
        _correct_start(store, subject_id, 1, weight_kg=72.0)


def _event(store: Store, subject_id: str, onset: dt.date = dt.date(2026, 11, 23)) -> int:
    with store.write() as session:
        return services.record_adverse_event(
            session,
            actor_for(session, "inv1"),
            TRIAL,
            subject_id,
            term="Hypotension",
            grade=3,
            onset=onset,
            serious=False,
        )


def test_a_held_dose_and_a_delayed_cycle_name_the_adverse_event_that_caused_them(
    treated_store: tuple[Store, str],
) -> None:
    """Dose 2 (due Monday 2026-11-23 16:00) held for grade 3 hypotension that began that day; cycle 2 (planned
    Monday 2026-12-14) started a week late for the same event. Both keep the event's id; the chain verifies."""
    store, subject_id = treated_store
    event = _event(store, subject_id)
    _record(
        store,
        [
            _dose(subject_id, 1),
            _dose(subject_id, 2, status="held", given_at=None, reason="hypotension", adverse_event_id=event),
        ],
    )
    with store.write() as session:
        record_cycle_start(
            session,
            actor_for(session, "inv1"),
            TRIAL,
            subject_id,
            cycle=2,
            start=dt.date(2026, 12, 21),
            reason="toxicity not resolved",
            adverse_event_id=event,
        )
    with store.read() as session:
        held = session.execute(select(Administration.number, Administration.adverse_event_id)).all()
        delayed = session.execute(select(CycleStart.cycle, CycleStart.adverse_event_id)).all()
        assert verify_chain(session).ok
    assert sorted(tuple(r) for r in held) == [(1, None), (2, event)]
    assert [tuple(r) for r in delayed] == [(2, event)]


def test_an_adverse_event_named_for_a_dose_it_cannot_have_changed_is_refused(trial_store: Store) -> None:
    """Each refusal names the field and writes nothing: another patient's event; a dose given in full; an event
    that began (2026-11-25) after the reduced dose was given (2026-11-23 16:00)."""
    first = enrol_eligible(trial_store, "inv1", randomise=True)
    second = enrol_eligible(trial_store, "inv1", randomise=True)
    for subject_id in (first, second):
        with trial_store.write() as session:
            record_treatment_start(
                session, actor_for(session, "inv1"), TRIAL, subject_id, start=TREATMENT_START, weight_kg=70
            )
    others, late = _event(trial_store, second), _event(trial_store, first, onset=dt.date(2026, 11, 25))
    reduced = {"amount": 21_000_000, "unit": "IU", "reason": "reduced"}
    cases = [
        ({"status": "held", "given_at": None, "reason": "hypotension", "adverse_event_id": others}, "is not one of"),
        ({"adverse_event_id": late}, "was given in full"),
        ({**reduced, "adverse_event_id": late}, "began after il2 cycle 1 dose 2 was given"),
    ]
    before = count_rows(trial_store, Administration)
    for fields, says in cases:
        with pytest.raises(DataError, match=says) as caught:
            _record(trial_store, [_dose(first, 2, **fields)])
        assert (caught.value.code, caught.value.field) == ("STORE-E159", "adverse_event_id")
    assert count_rows(trial_store, Administration) == before


def test_a_dose_above_the_plan_given_on_purpose_is_recorded_as_such(treated_store: tuple[Store, str]) -> None:
    """50,000,000 IU is above the 42,000,000 IU planned for 70 kg: refused (DOSE-E047) unless the record says it
    was given on purpose, which is then stored."""
    store, subject_id = treated_store
    _record(store, [_dose(subject_id, 1, amount=50_000_000, unit="IU", allow_above_planned=True, reason="escalated")])
    with store.read() as session:
        assert session.execute(select(Administration.allow_above_planned)).scalar_one() is True
