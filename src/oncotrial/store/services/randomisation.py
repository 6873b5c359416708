"""Randomisation: the concealed allocation list from the trial's seed, assignments, corrections, crossover.

The list is built by ``oncotrial.randomise`` (stratified permuted blocks of random size, the arms and ratio
of the protocol) from a seed the trial holds, and stored in ``allocation_slot``, apart from site data: the
same seed gives the same list. Pocock-Simon minimisation is the other method; its one random draw per
patient is seeded from the trial's seed and the patient's enrolment number, so it is reproducible too.
An assignment is undone only by :func:`correct_randomisation`, an audited update with a reason.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from oncotrial.errors import DataError
from oncotrial.protocol.models import Protocol, RandomisedDesign
from oncotrial.randomise import allocation_from_protocol, assign_by_minimisation, derive_strata
from oncotrial.store.access import require
from oncotrial.store.audit import Actor, audit_context, insert_audited
from oncotrial.store.models import (
    AllocationSecret,
    AllocationSlot,
    Crossover,
    Patient,
    Randomisation,
    RecordedResponse,
    Screening,
    TimepointResponse,
    Trial,
)
from oncotrial.store.models.tumour import Assessment
from oncotrial.store.services._common import (
    assignment_of,
    check_after_consent,
    check_version,
    find_patient,
    find_trial,
    protocol_of_patient,
    protocol_of_trial,
)

__all__ = [
    "correct_randomisation",
    "randomise",
    "record_crossover",
    "record_recorded_assignments",
    "setup_allocation",
]

UNSTRATIFIED = {"all": ["all"]}


def _randomised_design(protocol: Protocol | None, trial: Trial) -> RandomisedDesign:
    if protocol is None or not isinstance(protocol.design, RandomisedDesign):
        kind = "no protocol" if protocol is None else f"a {protocol.design.kind} design"
        raise DataError(
            f"trial {trial.code} has {kind}, so it has no allocation list; arms are assigned only in "
            "a randomised design",
            code="STORE-E070",
            field="design",
        )
    return protocol.design


def setup_allocation(
    session: Session,
    actor: Actor,
    trial_code: str,
    *,
    seed: int | None = None,
    block_sizes: Sequence[int] | None = None,
    n_per_stratum: int | None = None,
    factors: Mapping[str, Sequence[str]] | None = None,
    method: str = "blocks",
) -> AllocationSecret:
    """Draw and store the trial's concealed allocation list (or, for minimisation, its seed and factors).

    ``seed`` defaults to a fresh 63-bit random number; ``block_sizes`` to one and two times the ratio's sum;
    ``n_per_stratum`` to the design's enrolment target (else 100); ``factors`` to none (one stratum ``all``).
    """
    require(actor, "manage_trial")
    trial = find_trial(session, trial_code)
    design = _randomised_design(protocol_of_trial(session, trial), trial)
    if session.get(AllocationSecret, trial.id) is not None:
        raise DataError(
            f"trial {trial.code} already has its allocation list; it is never drawn twice",
            code="STORE-E071",
            field="allocation",
        )
    if method not in ("blocks", "minimisation"):
        raise DataError(f"method {method!r}: use 'blocks' or 'minimisation'", code="STORE-E072", field="method")
    unit = sum(design.ratio)
    sizes = list(block_sizes or (unit, 2 * unit))
    chosen_seed = secrets.randbits(63) if seed is None else seed
    levels = {k: list(v) for k, v in (factors or UNSTRATIFIED).items()}
    n = n_per_stratum or design.enrolled or 100
    protocol = protocol_of_trial(session, trial)
    assert protocol is not None
    allocation = allocation_from_protocol(
        protocol, block_sizes=sizes, n_per_stratum=n, strata=derive_strata(levels), seed=chosen_seed
    )
    with audit_context(session, actor):
        secret = AllocationSecret(
            trial_id=trial.id,
            method=method,
            seed=chosen_seed,
            block_sizes=json.dumps(sizes),
            n_per_stratum=n,
            factors=json.dumps(levels),
        )
        session.add(secret)
        session.flush()
        if method == "blocks":
            rows = [
                {
                    "trial_id": trial.id,
                    "stratum": str(r["stratum"]),
                    "sequence": int(r["sequence"]),
                    "block": int(r["block"]),
                    "block_size": int(r["block_size"]),
                    "arm": str(r["arm"]),
                    "patient_id": None,
                }
                for r in allocation.to_frame().to_dict("records")
            ]
            insert_audited(session, AllocationSlot.__table__, rows, actor)  # type: ignore[arg-type]
    return secret


def _stratum(
    secret: AllocationSecret, factors: Mapping[str, str] | None, subject_id: str
) -> tuple[str, dict[str, str]]:
    levels: dict[str, list[str]] = json.loads(secret.factors)
    given = dict(factors or ({"all": "all"} if levels == UNSTRATIFIED else {}))
    if set(given) != set(levels):
        raise DataError(
            f"patient {subject_id}: give the stratification factors {', '.join(levels)} (given: "
            f"{', '.join(given) or 'none'})",
            code="STORE-E073",
            field="factors",
            subject_id=subject_id,
        )
    for name, value in given.items():
        if value not in levels[name]:
            raise DataError(
                f"patient {subject_id}: {name} {value!r} is not a level of the factor (levels: "
                f"{', '.join(levels[name])})",
                code="STORE-E074",
                field=name,
                subject_id=subject_id,
            )
    return ";".join(f"{n}={given[n]}" for n in levels), given


def _check_eligible(session: Session, patient: Patient) -> None:
    latest = (
        session.execute(
            select(Screening).where(Screening.patient_id == patient.id).order_by(Screening.screened_at.desc())
        )
        .scalars()
        .first()
    )
    if latest is None or latest.status != "eligible":
        state = "has not been screened" if latest is None else f"was screened {latest.status}"
        raise DataError(
            f"patient {patient.subject_id} {state}, so cannot be randomised; record an eligible screening first",
            code="STORE-E075",
            field="screening",
            subject_id=patient.subject_id,
        )


def _next_slot(session: Session, trial: Trial, stratum: str, subject_id: str) -> AllocationSlot:
    slot = session.execute(
        select(AllocationSlot)
        .where(
            AllocationSlot.trial_id == trial.id, AllocationSlot.stratum == stratum, AllocationSlot.patient_id.is_(None)
        )
        .order_by(AllocationSlot.sequence)
        .limit(1)
        .with_for_update()
    ).scalar_one_or_none()
    if slot is None:
        raise DataError(
            f"patient {subject_id}: the allocation list of stratum {stratum!r} is used up; an admin extends it",
            code="STORE-E076",
            field="allocation",
            subject_id=subject_id,
        )
    return slot


def _minimised_arm(
    session: Session,
    trial: Trial,
    secret: AllocationSecret,
    design: RandomisedDesign,
    patient: Patient,
    given: dict[str, str],
) -> str:
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    rows = session.execute(
        select(Randomisation.arm, Randomisation.factors)
        .join(Patient, Patient.id == Randomisation.patient_id)
        .where(Patient.trial_id == trial.id)
    )
    for arm, factors in rows:
        for name, level in json.loads(factors).items():
            counts[name][level][arm] += 1
    result = assign_by_minimisation(
        counts, given, arms=design.arms, ratio=design.ratio, seed=(secret.seed + patient.enrolment_number) % 2**63
    )
    return result.arm


def randomise(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    *,
    randomised_on: dt.date,
    factors: Mapping[str, str] | None = None,
) -> Randomisation:
    """Assign the patient's arm: consented on or before ``randomised_on``, latest screening eligible, not yet
    randomised; the next slot of the stratum's concealed list (or minimisation). Audited."""
    require(actor, "randomise")
    trial = find_trial(session, trial_code)
    patient = find_patient(session, actor, trial, subject_id, for_update=True)
    check_after_consent(session, patient, randomised_on, field="randomised_on")
    if session.execute(select(Randomisation.arm).where(Randomisation.patient_id == patient.id)).first():
        raise DataError(
            f"patient {subject_id} is already randomised; a wrong assignment is changed only by a "
            "correction with a reason",
            code="STORE-E077",
            field="subject_id",
            subject_id=subject_id,
        )
    design = _randomised_design(protocol_of_patient(session, patient, needed_for="randomisation"), trial)
    _check_eligible(session, patient)
    # one randomisation of a trial at a time: minimisation counts every earlier assignment, so a second one must
    # wait for the first to commit (PostgreSQL; SQLite's writers queue at BEGIN IMMEDIATE anyway)
    secret = session.get(AllocationSecret, trial.id, with_for_update=True)
    if secret is None:
        raise DataError(
            f"trial {trial.code} has no allocation list yet; an admin draws it with `oncotrial trial allocation`",
            code="STORE-E078",
            field="allocation",
        )
    stratum, given = _stratum(secret, factors, subject_id)
    # taking a slot is an update of the list (its patient filled in); its reason says so
    with audit_context(session, actor, f"randomisation of patient {subject_id}"):
        if secret.method == "blocks":
            slot = _next_slot(session, trial, stratum, subject_id)
            slot.patient_id = patient.id
            arm = slot.arm
        else:
            arm = _minimised_arm(session, trial, secret, design, patient, given)
        assignment = Randomisation(
            patient_id=patient.id,
            arm=arm,
            stratum=stratum,
            method=secret.method,
            randomised_on=randomised_on,
            factors=json.dumps(given, sort_keys=True),
        )
        session.add(assignment)
        session.flush()
    return assignment


def correct_randomisation(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    *,
    arm: str,
    reason: str,
    expected_version: int | None = None,
) -> Randomisation:
    """Change a recorded assignment (a data-entry error), with the reason; the old arm stays in the audit."""
    require(actor, "correct_randomisation")
    trial = find_trial(session, trial_code)
    patient = find_patient(session, actor, trial, subject_id, for_update=True)
    assignment = assignment_of(
        session, patient, refusal="so there is nothing to correct", code="STORE-E079", field="subject_id"
    )
    design = _randomised_design(protocol_of_patient(session, patient, needed_for="the arms"), trial)
    if arm not in design.arms:
        raise DataError(
            f"arm {arm!r} is not an arm of the trial ({', '.join(design.arms)})",
            code="STORE-E080",
            field="arm",
            subject_id=subject_id,
        )
    check_version(
        assignment, expected_version, what=f"the randomisation of patient {subject_id}", subject_id=subject_id
    )
    with audit_context(session, actor, reason):
        assignment.arm = arm
        session.flush()
    return assignment


def _responses(session: Session, patient: Patient) -> set[str]:
    derived = session.execute(
        select(TimepointResponse.overall)
        .join(Assessment, Assessment.id == TimepointResponse.assessment_id)
        .where(Assessment.patient_id == patient.id)
    ).scalars()
    recorded = session.execute(
        select(RecordedResponse.response).where(
            RecordedResponse.patient_id == patient.id, RecordedResponse.test_code == "OVRLRESP"
        )
    ).scalars()
    return {r for r in (*derived, *recorded) if r}


def record_crossover(
    session: Session, actor: Actor, trial_code: str, subject_id: str, *, to_arm: str, crossover_on: dt.date, reason: str
) -> Crossover:
    """Record a crossover under the protocol's rule for the patient's arm; the arm analysed is the rule's."""
    require(actor, "enter_data")
    trial = find_trial(session, trial_code)
    patient = find_patient(session, actor, trial, subject_id, for_update=True)
    assignment = assignment_of(session, patient, refusal="so cannot cross over", code="STORE-E081", field="subject_id")
    if crossover_on < assignment.randomised_on:
        raise DataError(
            f"patient {subject_id}: crossover on {crossover_on} is before randomisation on {assignment.randomised_on}",
            code="STORE-E082",
            field="crossover_on",
            subject_id=subject_id,
        )
    protocol = protocol_of_patient(session, patient, needed_for="the crossover rule")
    arm = next(a for a in protocol.arms if a.id == assignment.arm)
    rule = next((r for r in arm.crossover if r.to_arm == to_arm), None)
    if rule is None:
        allowed = ", ".join(r.to_arm for r in arm.crossover) or "none"
        raise DataError(
            f"patient {subject_id}: arm {arm.id} allows no crossover to {to_arm!r} (allowed: {allowed})",
            code="STORE-E083",
            field="to_arm",
            subject_id=subject_id,
        )
    if not _responses(session, patient) & set(rule.responses):
        raise DataError(
            f"patient {subject_id}: crossover rule {rule.id} needs a response of "
            f"{' or '.join(rule.responses)} first ({rule.text})",
            code="STORE-E084",
            field="to_arm",
            subject_id=subject_id,
            rule_id=rule.id,
        )
    with audit_context(session, actor):
        crossover = Crossover(
            patient_id=patient.id,
            from_arm=assignment.arm,
            to_arm=to_arm,
            rule_id=rule.id,
            analysed_in_arm=rule.analysed_in_arm,
            crossover_on=crossover_on,
            reason=reason,
        )
        session.add(crossover)
        session.flush()
    return crossover


def record_recorded_assignments(
    session: Session, actor: Actor, trial_code: str, rows: Sequence[Mapping[str, object]]
) -> list[int]:
    """Keep assignments made elsewhere, as that system recorded them (the SDTM import only: method
    ``recorded``, stratum ``recorded``).

    Each row has ``subject_id``, ``arm`` (ARMCD), ``randomised_on`` and ``factors``, a mapping kept as JSON (the
    import keeps DM's ARM, ACTARMCD and ACTARM there). No allocation list is drawn or used: the trial has none.
    Refused: a patient already randomised, or one of them twice. Every row is checked before any is written.
    """
    require(actor, "import")
    trial = find_trial(session, trial_code)
    subjects = sorted({str(row["subject_id"]) for row in rows})
    patients = dict(
        session.execute(
            select(Patient.subject_id, Patient.id).where(Patient.trial_id == trial.id, Patient.subject_id.in_(subjects))
        ).all()
    )
    done = set(
        session.execute(
            select(Patient.subject_id)
            .join(Randomisation, Randomisation.patient_id == Patient.id)
            .where(Patient.trial_id == trial.id, Patient.subject_id.in_(subjects))
        ).scalars()
    )
    records: list[dict[str, object]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        sid = str(row["subject_id"])
        problem = (
            "is not in the trial" if sid not in patients else "is already randomised" if sid in done | seen else None
        )
        if problem is None and not str(row.get("arm") or "").strip():
            problem = "has no arm"
        if problem is not None:
            raise DataError(
                f"row {number}: patient {sid} {problem}; an assignment is recorded once, for an enrolled patient",
                code="STORE-E085",
                field="arm",
                subject_id=sid,
                rows=(number,),
            )
        seen.add(sid)
        records.append(
            {
                "patient_id": patients[sid],
                "arm": str(row["arm"]),
                "stratum": "recorded",
                "method": "recorded",
                "randomised_on": row["randomised_on"],
                "factors": json.dumps(row.get("factors") or {}, sort_keys=True),
            }
        )
    return insert_audited(session, Randomisation.__table__, records, actor)  # type: ignore[arg-type]
