"""Tumour assessments: lesions (TU), measurements per visit (TR), the time-point responses derived from them, and
responses as evaluators recorded them (RS).

Two ways in, one set of checks:

- data entry, one patient at a time: :func:`record_baseline_lesions` (the lesions found at baseline with their
  baseline measurements, checked against the RECIST 1.1 selection rules), :func:`record_assessment` (a follow-up
  visit, with any new lesions), :func:`update_measurement` (a correction, with a reason);
- batches shaped as SDTM rows, for the import: :func:`record_lesions` (TU), :func:`record_measurements` (TR) and
  :func:`record_recorded_responses` (RS). Each row is a mapping with ``subject_id`` and the model's fields.

Every batch is checked whole before anything is written, with the store's batch checks (``_batch``, as every
``record_<things>`` batch: the first bad row's error names the patient, the field and the row, ``rows=(n,)``), the
values before the patients, then written with ``write_batch`` (audited). After any change of a patient's lesions or
measurements the patient's time-point responses are recomputed by ``oncotrial.recist`` (``_timepoints``), once
per batch for all its patients.

Choices:

- A reader is ``evaluator`` with ``evaluator_id`` (``INDEPENDENT ASSESSOR`` / ``RADIOLOGIST 1``; empty for one
  reader): each reader's lesions and assessments are their own.
- A diameter entered at a visit is stored as the test ``DIAMETER``: the RECIST diameter (the longest diameter,
  or the short axis of a lymph node), which the core reads first; an explicit ``test_code`` may name ``LDIAM``,
  ``SAXIS`` or ``LPERP`` instead.
- The baseline selection rules: the batch of lesions is held to the limits on the number of targets (RECIST-B04,
  B05), which need no size; the measurability of targets (B01-B03, B06) is checked with their baseline sizes, and
  refused for a trial with an oncotrial protocol. A trial imported from elsewhere keeps its data as recorded: the
  breaches are returned in ``RecordedBatch.problems``, as are readers whose responses the core cannot derive
  (under a protocol, the core's refusal refuses the batch, as it refuses data entry).
- Dates on or after consent. A patient of a trial imported without a protocol may have no consent recorded
  (pharmaverse's DM has no RFICDTC): the check is then not made, and reported by the import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from oncotrial.errors import DataError, NotFoundError
from oncotrial.store.access import require
from oncotrial.store.audit import Actor, audit_context, insert_audited
from oncotrial.store.models import (
    Assessment,
    Lesion,
    Measurement,
    Patient,
    TimepointResponse,
    Trial,
)
from oncotrial.store.services._batch import (
    Batch,
    Rows,
    check_after_consents,
    check_lengths,
    find_patients,
    refuse_duplicates,
    refuse_rows,
    set_column,
    to_bools,
    to_numbers,
    to_partial_dates,
    to_texts,
    write_batch,
)
from oncotrial.store.services._common import check_version, find_patient, find_trial, require_entry
from oncotrial.store.services._timepoints import (
    READER,
    Recomputed,
    RecordedBatch,
    evaluate_baseline,
    fetch_frame,
    read_tumour_batch,
    reader_keys,
    recompute_timepoints,
    to_codes,
)
from oncotrial.store.services.responses import RESPONSE_VALUES, record_recorded_responses

__all__ = [
    "RESPONSE_VALUES",
    "RecordedBatch",
    "StoredTimepoint",
    "record_assessment",
    "record_baseline_lesions",
    "record_lesions",
    "record_measurements",
    "record_recorded_responses",
    "timepoint_responses",
    "update_measurement",
]

KINDS = ("TARGET", "NON-TARGET", "NEW")
SIZE_TESTS = ("DIAMETER", "LDIAM", "SAXIS", "LPERP")
TESTS = (*SIZE_TESTS, "TUMSTATE", "SUMDIAM")
UNITS = ("mm", "cm")
STATES = ("PRESENT", "ABSENT", "UNEQUIVOCAL", "EQUIVOCAL", "NE")
# how staff also write a state; stored as the core reads it
STATE_SYNONYMS = {"UNEQUIVOCAL PROGRESSION": "UNEQUIVOCAL", "NOT EVALUABLE": "NE", "NOT EVALUATED": "NE"}
_RECOMPUTED = "time-point responses recomputed by oncotrial.recist after "


@dataclass(frozen=True)
class StoredTimepoint:
    """A stored time-point response with the row id of the RECIST 1.1 table that gave it."""

    visit: str
    evaluator: str
    evaluator_id: str
    assessed_on: dt.date
    target: str | None
    non_target: str | None
    new_lesions: str | None
    overall: str
    rule_id: str
    sum_of_diameters: float | None
    version: int


# --- lesions (TU) ---------------------------------------------------------------------------------------

_LESION_FIELDS = ("code", "kind", "location", "method", "identified_on", "visit", "irradiated", "accepted")


def _breach_rows(frame: pd.DataFrame, breaches: pd.DataFrame) -> np.ndarray[Any, Any]:
    """The rows of ``frame`` (lesions of the batch) of the first breach, else of its reader's first row."""
    first = breaches.iloc[0]
    keys = reader_keys(frame)
    at = ((keys == first["USUBJID"]) & (frame["code"] == first["LESIONID"])).to_numpy()
    return np.asarray(at if at.any() else (keys == first["USUBJID"]).to_numpy(), dtype=bool)


def _refuse_breaches(batch: Batch, breaches: pd.DataFrame, *, fix: str) -> None:
    breaches = breaches.loc[breaches["USUBJID"].isin(set(reader_keys(batch.frame)))]
    if breaches.empty:
        return
    first = breaches.iloc[0]
    refuse_rows(
        batch,
        _breach_rows(batch.frame, breaches),
        field="kind",
        code="STORE-E304",
        message=lambda _row: (
            f"target lesion {first['LESIONID']}: {first['MESSAGE']} (RECIST 1.1 {first['RULE']}); {fix}"
        ),
    )


def _check_target_limits(batch: Batch, known: pd.DataFrame) -> None:
    """RECIST 1.1: at most 5 targets, at most 2 per organ (the core's rules B04 and B05, which need no size), over
    the stored and the new lesions of each reader."""
    lesions = pd.concat([known, batch.frame.reindex(columns=known.columns)], ignore_index=True)
    targets = lesions.loc[(lesions["kind"] == "TARGET") & lesions["visit"].notna()]
    if targets.empty:
        return
    results = targets.assign(
        assessment_id=0,
        test_code="DIAMETER",
        value=np.nan,
        unit="mm",
        status=None,
        measured_on=targets["identified_on"],
    )
    breaches = evaluate_baseline(lesions, results).to_frame()
    breaches = breaches.loc[breaches["RULE"].isin(["RECIST-B04", "RECIST-B05"])]
    _refuse_breaches(batch, breaches, fix="record it as NON-TARGET")


_KNOWN = (
    "lesion_id",
    "patient_id",
    *READER,
    "code",
    "kind",
    "location",
    "method",
    "visit",
    "identified_on",
    "irradiated",
)


def _known_lesions(session: Session, frame: pd.DataFrame) -> pd.DataFrame:
    """The stored lesions of the batch's patients, with their subject ids."""
    columns = [getattr(Lesion, "id" if name == "lesion_id" else name) for name in _KNOWN]
    patient_ids = sorted(set(frame["patient_id"].tolist()))
    known = fetch_frame(session, select(*columns).where(Lesion.patient_id.in_(patient_ids)), _KNOWN)
    subjects = dict(zip(frame["patient_id"], frame["subject_id"], strict=True))
    return known.assign(subject_id=known["patient_id"].map(subjects))


def _prepare_lesions(session: Session, actor: Actor, trial: Trial, rows: Rows) -> Batch:
    required = ("code", "kind", "identified_on")
    batch = read_tumour_batch(session, trial, rows, what="lesion", fields=_LESION_FIELDS, required=required)
    for column in ("code", "location", "method", "visit", "accepted"):
        to_texts(batch, column)
    to_texts(batch, "kind", choices=KINDS)
    refuse_rows(
        batch,
        batch.frame["visit"].isna().to_numpy(),
        field="visit",
        code="STORE-E305",
        message=lambda row: (
            f"lesion {row['code']}: give the visit at which it was identified (the baseline visit for targets and "
            "non-targets)"
        ),
    )
    to_bools(batch, "irradiated", default=False)
    find_patients(session, actor, batch)
    check_after_consents(batch, "identified_on", days=to_partial_dates(batch, "identified_on"))
    check_lengths(batch, Lesion)
    refuse_duplicates(
        batch,
        ("patient_id", *READER, "code"),
        field="code",
        code="STORE-E308",
        message=lambda row: f"lesion {row['code']} of evaluator {row['evaluator']}",
    )
    known = _known_lesions(session, batch.frame)
    taken = batch.frame.merge(known[["patient_id", *READER, "code"]], how="left", indicator=True)["_merge"] == "both"
    refuse_rows(
        batch,
        taken.to_numpy(),
        field="code",
        code="STORE-E308",
        message=lambda row: (
            f"lesion {row['code']} of evaluator {row['evaluator']} is already recorded; correct it instead of "
            "recording it again"
        ),
    )
    _check_target_limits(batch, known)
    return batch


def record_lesions(session: Session, actor: Actor, trial_code: str, rows: Rows) -> RecordedBatch:
    """Record lesions (TU rows: ``subject_id``, ``evaluator``, ``evaluator_id``, ``code``, ``kind``, ``location``,
    ``method``, ``identified_on``, ``visit``, ``visit_number``, ``irradiated``, ``accepted``), all or none."""
    require_entry(actor)
    trial = find_trial(session, trial_code)
    batch = _prepare_lesions(session, actor, trial, rows)
    ids = write_batch(session, actor, Lesion, batch)
    patients = batch.frame["patient_id"].unique().tolist()
    done = recompute_timepoints(
        session, actor, patients, reason=_RECOMPUTED + "lesions were recorded", strict=_strict(trial)
    )
    return RecordedBatch(tuple(ids), len(patients), done.written, done.problems)


# --- measurements (TR) ----------------------------------------------------------------------------------

_RESULT_TEXTS = ("not_done_reason", "original", "original_unit", "method", "link_group", "accepted")
_MEASUREMENT_FIELDS = ("visit", "lesion", "test_code", "value", "unit", "status", "measured_on", *_RESULT_TEXTS)


def _check_results(batch: Batch) -> None:
    """Sizes are numbers of 0 or more with a unit (mm, cm); states are RECIST's; a result not done says why."""
    frame = batch.frame
    sized = frame["test_code"].isin([*SIZE_TESTS, "SUMDIAM"]).to_numpy()
    to_numbers(batch, "value")
    refuse_rows(
        batch,
        np.array([v is not None and v < 0 for v in frame["value"]], dtype=bool),
        field="value",
        code="STORE-E310",
        message=lambda row: f"{row['test_code']} {row['value']} is not a possible size; give mm of 0 or more",
    )
    set_column(batch, "value", [v if s else None for v, s in zip(frame["value"], sized, strict=True)])
    to_texts(batch, "unit")
    units = zip(frame["unit"], frame["value"], sized, strict=True)
    set_column(batch, "unit", [(u or ("mm" if v is not None else None)) if s else None for u, v, s in units])
    to_texts(batch, "unit", choices=UNITS)
    to_codes(batch, "status")
    states = zip(frame["status"], sized, strict=True)
    set_column(batch, "status", [None if s or v is None else STATE_SYNONYMS.get(v, v) for v, s in states])
    to_texts(batch, "status", choices=STATES)
    for column in _RESULT_TEXTS:
        to_texts(batch, column)
    refuse_rows(
        batch,
        (frame["value"].isna() & frame["status"].isna() & frame["not_done_reason"].isna()).to_numpy(),
        field="value",
        code="STORE-E313",
        message=lambda row: (
            f"{row['test_code']} of lesion {row['lesion']} has no result; give a size, a status, or why it was not done"
        ),
    )


def _lesion_ids(batch: Batch, known: pd.DataFrame) -> None:
    """Add ``lesion_id``; a lesion that is not among the patient's (reader's) lesions is refused, naming them."""
    frame = batch.frame
    lookup = known.set_index(["patient_id", *READER, "code"])["lesion_id"]
    index = pd.MultiIndex.from_frame(frame[["patient_id", *READER, "lesion"]])
    ids = lookup.reindex(index).to_numpy()
    sumdiam = (frame["test_code"] == "SUMDIAM").to_numpy()
    refuse_rows(
        batch,
        sumdiam & frame["lesion"].notna().to_numpy(),
        field="lesion",
        code="STORE-E314",
        message=lambda _row: "SUMDIAM is the sum of all target lesions; give no lesion",
    )
    stray = ~sumdiam & pd.isna(ids)
    if stray.any():
        row = frame.iloc[int(np.argmax(stray))]
        mine = known.loc[
            (known["patient_id"] == row["patient_id"])
            & (known["evaluator"] == row["evaluator"])
            & (known["evaluator_id"] == row["evaluator_id"]),
            "code",
        ]
        listed = ", ".join(sorted(mine)) or "none yet"
        refuse_rows(
            batch,
            stray,
            field="lesion",
            code="STORE-E315",
            message=lambda row: (
                f"lesion {row['lesion']} was not identified at baseline (the patient's lesions for "
                f"{row['evaluator']}: {listed}); record it as a new lesion at this visit, or correct the lesion code"
            ),
        )
    set_column(batch, "lesion_id", [None if pd.isna(i) else i for i in ids])


def _prepare_measurements(
    session: Session, actor: Actor, trial: Trial, rows: Rows, *, pending: pd.DataFrame | None = None
) -> Batch:
    """Checked measurement rows; ``pending`` are lesions of the same operation not yet written (new lesions)."""
    required = ("visit", "test_code", "measured_on")
    batch = read_tumour_batch(session, trial, rows, what="tumour result", fields=_MEASUREMENT_FIELDS, required=required)
    for column in ("visit", "lesion"):
        to_texts(batch, column)
    to_texts(batch, "test_code", choices=TESTS)
    _check_results(batch)
    find_patients(session, actor, batch)
    set_column(batch, "_date", to_partial_dates(batch, "measured_on").tolist())
    check_after_consents(batch, "measured_on", days=batch.frame["_date"])
    check_lengths(batch, Measurement)
    known = _known_lesions(session, batch.frame)
    if pending is not None:
        known = pd.concat([known, pending.reindex(columns=known.columns).assign(lesion_id=0)], ignore_index=True)
    _lesion_ids(batch, known)
    refuse_duplicates(
        batch,
        ("patient_id", *READER, "visit", "lesion", "test_code", "measured_on"),
        field="measured_on",
        code="STORE-E317",
        message=lambda row: f"{row['test_code']} of lesion {row['lesion']} at {row['visit']} on {row['measured_on']}",
    )
    return batch


def _assessment_ids(session: Session, actor: Actor, batch: Batch, *, new_only: bool) -> list[int]:
    """The assessment of each row: stored, or recorded now (its date the visit's first scan day)."""
    frame = batch.frame
    keys = ["patient_id", *READER, "visit"]
    visits = frame.groupby(keys, sort=False).agg(assessed_on=("_date", "min"), visit_number=("visit_number", "first"))
    visits = visits.reset_index()
    wanted = [tuple(v) for v in visits[keys].itertuples(index=False, name=None)]
    columns = (Assessment.patient_id, Assessment.evaluator, Assessment.evaluator_id, Assessment.visit, Assessment.id)
    patient_ids = sorted(set(frame["patient_id"].tolist()))
    rows = session.execute(select(*columns).where(Assessment.patient_id.in_(patient_ids))).all()
    wanted_set = set(wanted)
    stored = {key: r[4] for r in rows if (key := tuple(r[:4])) in wanted_set}
    if new_only and stored:
        first = next(iter(stored))
        refuse_rows(
            batch,
            (frame["visit"] == first[3]).to_numpy(),
            field="visit",
            code="STORE-E318",
            message=lambda row: (
                f"visit {row['visit']} of evaluator {row['evaluator']} is already recorded; correct a measurement "
                "with update_measurement"
            ),
        )
    fresh = visits.loc[[key not in stored for key in wanted]]
    records = [
        {
            "patient_id": int(r["patient_id"]),
            "evaluator": r["evaluator"],
            "evaluator_id": r["evaluator_id"],
            "visit": r["visit"],
            "visit_number": None if pd.isna(r["visit_number"]) else float(r["visit_number"]),
            "assessed_on": r["assessed_on"],
        }
        for r in fresh.to_dict("records")
    ]
    ids = insert_audited(session, cast(Table, Assessment.__table__), records, actor)
    stored.update(
        {(r["patient_id"], r["evaluator"], r["evaluator_id"], r["visit"]): i for r, i in zip(records, ids, strict=True)}
    )
    return [stored[k] for k in frame[keys].itertuples(index=False, name=None)]


def _insert_measurements(session: Session, actor: Actor, batch: Batch, *, new_only: bool = False) -> list[int]:
    set_column(batch, "assessment_id", _assessment_ids(session, actor, batch, new_only=new_only))
    frame = batch.frame
    if (frame["lesion_id"] == 0).any():  # lesions of this operation, written just before
        known = _known_lesions(session, frame).set_index(["patient_id", *READER, "code"])["lesion_id"]
        index = pd.MultiIndex.from_frame(frame[["patient_id", *READER, "lesion"]])
        set_column(batch, "lesion_id", [None if pd.isna(i) else i for i in known.reindex(index).to_numpy()])
    return write_batch(session, actor, Measurement, batch)


def _baseline_problems(batch: Batch, done: Recomputed) -> tuple[str, ...]:
    """Measurability breaches at baseline (RECIST 1.1 B01-B03, B06): refused under an oncotrial protocol, else
    reported (data recorded elsewhere are kept as recorded)."""
    if done.baseline is None or done.baseline.is_valid:
        return done.problems
    if batch.has_protocol:
        lesions = replace(batch, frame=batch.frame.rename(columns={"lesion": "code"}))
        _refuse_breaches(lesions, done.baseline.to_frame(), fix="correct the size or record it as NON-TARGET")
    shown = [f"{b.subject_id}, lesion {b.lesion_id}: {b.message} [{b.rule_id}]" for b in done.baseline.breaches]
    return (*done.problems, *shown)


def record_measurements(session: Session, actor: Actor, trial_code: str, rows: Rows) -> RecordedBatch:
    """Record tumour results (TR rows: ``subject_id``, ``evaluator``, ``evaluator_id``, ``visit``,
    ``visit_number``, ``lesion`` (its code), ``test_code``, ``value``, ``unit``, ``status``, ``original``,
    ``original_unit``, ``not_done_reason``, ``measured_on``, ``method``, ``link_group``, ``accepted``), all or
    none; each visit of each reader becomes an assessment; the time-point responses of the patients are
    recomputed once for the whole batch."""
    require_entry(actor)
    trial = find_trial(session, trial_code)
    batch = _prepare_measurements(session, actor, trial, rows)
    ids = _insert_measurements(session, actor, batch)
    patients = batch.frame["patient_id"].unique().tolist()
    done = recompute_timepoints(
        session, actor, patients, reason=_RECOMPUTED + "measurements were recorded", strict=_strict(trial)
    )
    return RecordedBatch(tuple(ids), len(patients), done.written, _baseline_problems(batch, done))


# --- data entry, one patient ----------------------------------------------------------------------------


def _entry_rows(subject_id: str, items: Sequence[Mapping[str, Any]], common: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{**common, **item, "subject_id": subject_id} for item in items]


def _measurement_rows(
    subject_id: str, items: Sequence[Mapping[str, Any]], common: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Entered measurements as TR rows: ``diameter`` is the RECIST diameter (test ``DIAMETER``, mm) unless a
    ``test_code`` is named; ``status`` is the lesion's state (``TUMSTATE``)."""
    rows = []
    for item in items:
        row = {**common, **{k: v for k, v in item.items() if k != "diameter"}, "subject_id": subject_id}
        if "diameter" in item:
            row.setdefault("value", item["diameter"])
            row.setdefault("test_code", "DIAMETER")
        elif "test_code" not in item:
            row["test_code"] = "TUMSTATE"
        rows.append(row)
    return rows


def _strict(trial: Trial) -> bool:
    """A batch for a trial with an oncotrial protocol is held to the core's checks like data entry; data imported
    without one are kept as recorded, and what the core refuses is reported (see the module docstring)."""
    return trial.current_protocol_id is not None


def _reason(cause: str, subject_id: str, visit: str) -> str:
    return f"{_RECOMPUTED}{cause} (patient {subject_id}, visit {visit})"


def record_baseline_lesions(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    *,
    identified_on: dt.date,
    lesions: Sequence[Mapping[str, Any]],
    visit: str = "BASELINE",
    visit_number: float | None = None,
    evaluator: str = "INVESTIGATOR",
    evaluator_id: str = "",
) -> RecordedBatch:
    """Record the lesions found at baseline and their baseline results, held to the RECIST 1.1 selection rules
    (``oncotrial.recist``'s; every breach is refused).

    Each lesion: ``code``, ``kind`` (TARGET or NON-TARGET), ``location``, ``method``, ``irradiated``, and a
    ``diameter`` in mm (targets) or a ``status`` (non-targets, default PRESENT).
    """
    require_entry(actor)
    trial = find_trial(session, trial_code)
    find_patient(session, actor, trial, subject_id)
    reader = {"evaluator": evaluator, "evaluator_id": evaluator_id, "visit": visit, "visit_number": visit_number}
    shapes = [
        {k: v for k, v in item.items() if k not in ("diameter", "status", "test_code", "value")} for item in lesions
    ]
    batch = _prepare_lesions(
        session, actor, trial, _entry_rows(subject_id, shapes, {**reader, "identified_on": identified_on})
    )
    refuse_rows(
        batch,
        (batch.frame["kind"] == "NEW").to_numpy(),
        field="kind",
        code="STORE-E306",
        message=lambda row: (
            f"lesion {row['code']}: a NEW lesion is not found at baseline; record it with the visit at which it "
            "appeared"
        ),
    )
    results = [
        {
            "lesion": item.get("code"),
            **({"status": "PRESENT"} if "diameter" not in item and "status" not in item else {}),
            **{k: v for k, v in item.items() if k in ("diameter", "status", "test_code", "value")},
        }
        for item in lesions
    ]
    measured = _prepare_measurements(
        session,
        actor,
        trial,
        _measurement_rows(subject_id, results, {**reader, "measured_on": identified_on}),
        pending=batch.frame,
    )
    stored = measured.frame.assign(code=measured.frame["lesion"], assessment_id=0)
    lesion_table = batch.frame.assign(lesion_id=0)
    breaches = evaluate_baseline(lesion_table, stored.assign(value=pd.to_numeric(stored["value"]))).to_frame()
    _refuse_breaches(batch, breaches, fix="correct the size, or record the lesion as NON-TARGET")
    ids = write_batch(session, actor, Lesion, batch)
    _insert_measurements(session, actor, measured, new_only=True)
    patient_id = int(batch.frame["patient_id"].iloc[0])
    done = recompute_timepoints(
        session, actor, [patient_id], reason=_reason("the baseline", subject_id, visit), strict=True
    )
    return RecordedBatch(tuple(ids), 1, done.written, done.problems)


def record_assessment(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    *,
    visit: str,
    assessed_on: dt.date,
    evaluator: str = "INVESTIGATOR",
    measurements: Sequence[Mapping[str, Any]],
    new_lesions: Sequence[Mapping[str, Any]] = (),
    evaluator_id: str = "",
    visit_number: float | None = None,
) -> Assessment:
    """Record one follow-up visit: each measurement names a lesion identified at baseline (``lesion``) with a
    ``diameter`` in mm or a ``status``; ``new_lesions`` (``code``, ``location``, ``method``, ``status`` default
    UNEQUIVOCAL) are identified at this visit. The patient's time-point responses are then recomputed; the core
    refusing the data refuses the visit."""
    require_entry(actor)
    trial = find_trial(session, trial_code)
    patient = find_patient(session, actor, trial, subject_id)
    reader = {"evaluator": evaluator, "evaluator_id": evaluator_id, "visit": visit, "visit_number": visit_number}
    pending = None
    if new_lesions:
        shapes = [{**{k: v for k, v in item.items() if k != "status"}, "kind": "NEW"} for item in new_lesions]
        pending = _prepare_lesions(
            session, actor, trial, _entry_rows(subject_id, shapes, {**reader, "identified_on": assessed_on})
        )
    seen = [{"lesion": item.get("code"), "status": item.get("status", "UNEQUIVOCAL")} for item in new_lesions]
    rows = _measurement_rows(subject_id, [*measurements, *seen], {**reader, "measured_on": assessed_on})
    pending_lesions = None if pending is None else pending.frame
    batch = _prepare_measurements(session, actor, trial, rows, pending=pending_lesions)
    if pending is not None:
        write_batch(session, actor, Lesion, pending)
    _insert_measurements(session, actor, batch, new_only=True)
    frame = batch.frame
    recompute_timepoints(session, actor, [patient.id], reason=_reason("an assessment", subject_id, visit), strict=True)
    return session.execute(
        select(Assessment).where(
            Assessment.patient_id == patient.id,
            Assessment.evaluator == frame["evaluator"].iloc[0],
            Assessment.evaluator_id == frame["evaluator_id"].iloc[0],
            Assessment.visit == frame["visit"].iloc[0],
        )
    ).scalar_one()


def update_measurement(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    *,
    visit: str,
    lesion: str,
    reason: str,
    value: float | None = None,
    status: str | None = None,
    test_code: str | None = None,
    evaluator: str = "INVESTIGATOR",
    evaluator_id: str = "",
    expected_version: int | None = None,
) -> Measurement:
    """Correct one measurement (a size ``value`` in its unit, or a ``status``), with the reason (required), then
    recompute the patient's time-point responses. ``expected_version`` is the version read: a newer one is a
    conflict."""
    require_entry(actor)
    trial = find_trial(session, trial_code)
    patient = find_patient(session, actor, trial, subject_id)
    if not (reason and reason.strip()):
        raise DataError(
            f"patient {subject_id}: a correction needs a reason (for example 'transcription error')",
            code="STORE-E323",
            field="reason",
            subject_id=subject_id,
        )
    if (value is None) == (status is None):
        raise DataError(
            f"patient {subject_id}: give either a value or a status",
            code="STORE-E323",
            field="value",
            subject_id=subject_id,
        )
    found = _find_measurement(
        session, patient, visit=visit, lesion=lesion, test_code=test_code, reader=(evaluator.upper(), evaluator_id)
    )
    check_version(
        found,
        expected_version,
        what=f"the {found.test_code} of lesion {lesion} at {visit} (patient {subject_id})",
        subject_id=subject_id,
    )
    corrected = {"test_code": found.test_code, "lesion": lesion, "value": value, "status": status, "unit": found.unit}
    checked = read_tumour_batch(
        session,
        trial,
        [{"subject_id": subject_id, **corrected}],
        what="tumour result",
        fields=_MEASUREMENT_FIELDS,
        required=(),
    )
    _check_results(checked)
    with audit_context(session, actor, reason):
        found.value = None if value is None else float(value)
        found.status = checked.frame["status"].iloc[0]
        session.flush()
    recompute_timepoints(
        session, actor, [patient.id], reason=_reason(f"a correction ({reason})", subject_id, visit), strict=True
    )
    return found


def _find_measurement(
    session: Session, patient: Patient, *, visit: str, lesion: str, test_code: str | None, reader: tuple[str, str]
) -> Measurement:
    stmt = (
        select(Measurement)
        .join(Assessment, Assessment.id == Measurement.assessment_id)
        .join(Lesion, Lesion.id == Measurement.lesion_id)
        .where(
            Assessment.patient_id == patient.id,
            Assessment.evaluator == reader[0],
            Assessment.evaluator_id == reader[1],
            Assessment.visit == visit,
            Lesion.code == lesion,
        )
    )
    if test_code is not None:
        stmt = stmt.where(Measurement.test_code == test_code.upper())
    found = list(session.execute(stmt).scalars())
    if len(found) != 1:
        tests = ", ".join(sorted(m.test_code for m in found))
        raise NotFoundError(
            f"patient {patient.subject_id} has {'no' if not found else 'several'} measurement(s) of lesion {lesion} "
            f"at {visit}" + (f" ({tests}): name the test_code" if found else "; check the visit and the lesion code"),
            code="STORE-E324",
            field="test_code" if found else "lesion",
            subject_id=patient.subject_id,
            visit=visit,
            lesion=lesion,
        )
    return found[0]


def timepoint_responses(
    session: Session, actor: Actor, trial_code: str, subject_id: str
) -> tuple[StoredTimepoint, ...]:
    """The patient's stored time-point responses, by reader and date, each with its RECIST 1.1 rule id."""
    require(actor, "read")
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id)
    rows = session.execute(
        select(Assessment, TimepointResponse)
        .join(TimepointResponse, TimepointResponse.assessment_id == Assessment.id)
        .where(Assessment.patient_id == patient.id)
        .order_by(Assessment.evaluator, Assessment.evaluator_id, Assessment.assessed_on, Assessment.visit)
    ).all()
    return tuple(
        StoredTimepoint(
            a.visit,
            a.evaluator,
            a.evaluator_id,
            a.assessed_on,
            t.target,
            t.non_target,
            t.new_lesions,
            t.overall,
            t.rule_id,
            t.sum_of_diameters,
            t.version,
        )
        for a, t in rows
    )
