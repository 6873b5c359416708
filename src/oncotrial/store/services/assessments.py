"""Tumour assessments: lesions (TU), measurements per visit (TR), the time-point responses derived from them, and
responses as evaluators recorded them (RS).

Two ways in, one set of checks:

- data entry, one patient at a time: :func:`record_baseline_lesions` (the lesions found at baseline with their
  baseline measurements, checked against the RECIST 1.1 selection rules), :func:`record_assessment` (a follow-up
  visit, with any new lesions), :func:`update_measurement` (a correction, with a reason);
- batches shaped as SDTM rows, for the import: :func:`record_lesions` (TU), :func:`record_measurements` (TR) and
  :func:`record_recorded_responses` (RS). Each row is a mapping with ``subject_id`` and the model's fields.

Every batch is checked whole before anything is written (the first bad row's error names the patient, the field
and the row: ``rows=(n,)``), then written with ``insert_audited``. After any change of a patient's lesions or
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
  breaches are returned in ``RecordedBatch.problems``, as are readers whose responses the core cannot derive.
- Dates on or after consent. A patient of a trial imported without a protocol may have no consent recorded
  (pharmaverse's DM has no RFICDTC): the check is then not made, and reported by the import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from oncotrial.errors import DataError, NotFoundError, TrialError
from oncotrial.recist import compute_imputed_dates
from oncotrial.store.access import require, require_site
from oncotrial.store.audit import Actor, audit_context, insert_audited
from oncotrial.store.models import (
    Assessment,
    Base,
    Consent,
    Lesion,
    Measurement,
    Patient,
    RecordedResponse,
    TimepointResponse,
    Trial,
)
from oncotrial.store.services._common import check_version, find_patient, find_trial
from oncotrial.store.services._timepoints import (
    Recomputed,
    evaluate_baseline,
    fetch_frame,
    reader_key,
    recompute_timepoints,
)
from oncotrial.store.services.patients import _require_entry

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
# RECIST 1.1 response values by RS test code (the values of pharmaverse's rs_onco.csv; "CHECK" is its mark of an
# overall response sent back to the reader for review); other test codes are kept as recorded
RESPONSE_VALUES: Mapping[str, tuple[str, ...]] = {
    "OVRLRESP": ("CR", "PR", "SD", "PD", "NE", "NON-CR/NON-PD", "CHECK"),
    "TRGRESP": ("CR", "PR", "SD", "PD", "NE"),
    "NTRGRESP": ("CR", "NON-CR/NON-PD", "PD", "NE"),
    "NEWLPROG": ("Y", "N", "EQUIVOCAL", "UNEQUIVOCAL"),
}
_READER = ("evaluator", "evaluator_id")
_RECOMPUTED = "time-point responses recomputed by oncotrial.recist after "


@dataclass(frozen=True)
class RecordedBatch:
    """What a batch wrote: the new rows' ids, the patients touched, the time-point responses written or changed,
    and what the import should report (readers whose responses the core cannot derive, baseline breaches kept)."""

    ids: tuple[int, ...]
    patients: int
    timepoints: int
    problems: tuple[str, ...]


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


# --- reading a batch ------------------------------------------------------------------------------------


def _frame(rows: Iterable[Mapping[str, Any]] | pd.DataFrame, defaults: Mapping[str, Any]) -> pd.DataFrame:
    """The rows as a table, with the optional columns filled with their defaults, and ``_row`` (1-based)."""
    frame = (
        rows.reset_index(drop=True).copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame.from_records(list(rows))
    )
    for column, default in defaults.items():
        if column not in frame.columns:
            frame[column] = default
        elif default is not None:
            frame[column] = frame[column].where(frame[column].notna(), default)
    frame["_row"] = np.arange(1, len(frame) + 1)
    return frame


def _refuse(
    frame: pd.DataFrame,
    bad: pd.Series | np.ndarray,
    what: str,
    *,
    field: str,
    code: str,
    error: type[TrialError] = DataError,
) -> None:
    """Raise for the first row of ``bad``; ``what`` is formatted with that row's columns."""
    flags = np.asarray(bad, dtype=bool)
    if not flags.any():
        return
    row = frame.iloc[int(np.argmax(flags))]
    subject = row.get("subject_id")
    raise error(
        f"row {row['_row']}, patient {subject}: " + what.format(**{str(k): v for k, v in row.items()}),
        code=code,
        field=field,
        subject_id=None if pd.isna(subject) else str(subject),
        rows=(int(row["_row"]),),
    )


def _text(frame: pd.DataFrame, column: str, *, upper: bool = False) -> pd.Series:
    """A text column stripped, empty as None (upper case when asked); each distinct value is read once."""
    codes, uniques = pd.factorize(frame[column], sort=False)
    cleaned = [str(u).strip().upper() if upper else str(u).strip() for u in uniques]
    labels = np.array([c or None for c in cleaned] + [None], dtype=object)
    return pd.Series(labels[np.where(codes < 0, len(uniques), codes)], index=frame.index, dtype=object)


def _require(frame: pd.DataFrame, columns: Sequence[str], *, code: str) -> None:
    for column in columns:
        if column not in frame.columns:
            raise DataError(f"the rows have no {column}; every row needs one", code=code, field=column)
        _refuse(frame, frame[column].isna(), f"{column} is missing; give it", field=column, code=code)


def _controlled(frame: pd.DataFrame, column: str, allowed: Sequence[str], *, code: str) -> None:
    bad = frame[column].notna() & ~frame[column].isin(allowed)
    _refuse(frame, bad, f"{column} '{{{column}}}' is not one of {', '.join(allowed)}", field=column, code=code)


def _iso_dates(frame: pd.DataFrame, column: str, *, code: str) -> pd.Series:
    """The dates of ``column`` as ISO text (a date object or text; text may be partial, YYYY-MM)."""
    text = frame[column].map(lambda v: v.isoformat() if isinstance(v, dt.date) else v)
    frame[column] = _text(frame.assign(**{column: text}), column)
    unreadable = frame[column].notna() & compute_imputed_dates(frame[column]).unparsed
    _refuse(
        frame,
        unreadable,
        f"{column} '{{{column}}}' is not a date; write YYYY-MM-DD (or YYYY-MM when the day is not known)",
        field=column,
        code=code,
    )
    return pd.Series(compute_imputed_dates(frame[column]).dates.to_numpy(), index=frame.index)


def _patients(session: Session, actor: Actor, trial: Trial, frame: pd.DataFrame) -> None:
    """Add ``patient_id``: one query maps subject ids to the trial's patients; the site check per patient."""
    frame["subject_id"] = frame["subject_id"].astype(str)
    subjects = sorted(set(frame["subject_id"]))
    found = {
        sid: (pid, site, deleted)
        for sid, pid, site, deleted in session.execute(
            select(Patient.subject_id, Patient.id, Patient.site_id, Patient.deleted_on).where(
                Patient.trial_id == trial.id, Patient.subject_id.in_(subjects)
            )
        )
    }
    live = {sid for sid, (_, _, deleted) in found.items() if deleted is None}
    _refuse(
        frame,
        ~frame["subject_id"].isin(live),
        f"trial {trial.code} has no patient {{subject_id}} (or the patient was deleted); enrol the patient first",
        field="subject_id",
        code="STORE-E301",
        error=NotFoundError,
    )
    for sid in subjects:
        require_site(actor, found[sid][1], subject_id=sid)
    frame["patient_id"] = frame["subject_id"].map({sid: found[sid][0] for sid in subjects}).astype(int)


def _after_consent(session: Session, trial: Trial, frame: pd.DataFrame, dates: pd.Series, *, field: str) -> None:
    """Refuse dates before the patient's consent, and dated records of a patient without one (unless the trial
    was imported without a protocol: see the module docstring)."""
    consent = dict(
        session.execute(
            select(Consent.patient_id, func.min(Consent.consent_date))
            .where(Consent.patient_id.in_(sorted(set(frame["patient_id"].tolist()))))
            .group_by(Consent.patient_id)
        ).all()
    )
    consented = pd.to_datetime(frame["patient_id"].map(consent))
    if trial.current_protocol_id is not None:
        _refuse(
            frame,
            consented.isna(),
            "no consent is recorded, so nothing dated can be recorded yet; record the consent first",
            field=field,
            code="STORE-E302",
        )
    early = (dates < consented).fillna(False).to_numpy(dtype=bool)
    before = frame.assign(_consent=frame["patient_id"].map(consent))
    _refuse(
        before,
        early,
        f"{field} {{{field}}} is before consent on {{_consent}}; check the date",
        field=field,
        code="STORE-E303",
    )


def _reader(frame: pd.DataFrame) -> None:
    frame["evaluator"] = _text(frame, "evaluator", upper=True)
    frame["evaluator_id"] = _text(frame, "evaluator_id").fillna("")


def _duplicates(frame: pd.DataFrame, keys: Sequence[str], what: str, *, code: str) -> None:
    _refuse(
        frame,
        frame.duplicated(list(keys), keep="first"),
        f"{what} is given twice in the batch; keep one row",
        field=keys[-1],
        code=code,
    )


# --- lesions (TU) ---------------------------------------------------------------------------------------

_LESION_DEFAULTS = {
    "evaluator": "INVESTIGATOR",
    "evaluator_id": "",
    "location": None,
    "method": None,
    "visit": None,
    "visit_number": None,
    "irradiated": False,
    "accepted": None,
}
_LESION_COLUMNS = ("patient_id", *_READER, "code", "kind", "location", "method", "identified_on", "visit",
                   "visit_number", "irradiated", "accepted")  # fmt: skip


def _breach_rows(frame: pd.DataFrame, breaches: pd.DataFrame) -> np.ndarray:
    """The rows of ``frame`` (lesions of the batch) of the first breach, else of its reader's first row."""
    first = breaches.iloc[0]
    keys = _reader_keys(frame)
    at = ((keys == first["USUBJID"]) & (frame["code"] == first["LESIONID"])).to_numpy()
    return np.asarray(at if at.any() else (keys == first["USUBJID"]).to_numpy(), dtype=bool)


def _reader_keys(frame: pd.DataFrame) -> pd.Series:
    keys = [reader_key(*t) for t in zip(frame["subject_id"], frame["evaluator"], frame["evaluator_id"], strict=True)]
    return pd.Series(keys, index=frame.index, dtype=object)


def _refuse_breaches(frame: pd.DataFrame, breaches: pd.DataFrame, *, fix: str) -> None:
    breaches = breaches.loc[breaches["USUBJID"].isin(set(_reader_keys(frame)))]
    if breaches.empty:
        return
    first = breaches.iloc[0]
    _refuse(
        frame,
        _breach_rows(frame, breaches),
        f"target lesion {first['LESIONID']}: {first['MESSAGE']} (RECIST 1.1 {first['RULE']}); {fix}",
        field="kind",
        code="STORE-E304",
    )


def _check_target_limits(frame: pd.DataFrame, known: pd.DataFrame) -> None:
    """RECIST 1.1: at most 5 targets, at most 2 per organ (the core's rules B04 and B05, which need no size), over
    the stored and the new lesions of each reader."""
    lesions = pd.concat([known, frame.reindex(columns=known.columns)], ignore_index=True)
    targets = lesions.loc[(lesions["kind"] == "TARGET") & lesions["visit"].notna()]
    if targets.empty:
        return
    results = targets.assign(assessment_id=0, test_code="DIAMETER", value=np.nan, unit="mm", status=None,
                             measured_on=targets["identified_on"])  # fmt: skip
    breaches = evaluate_baseline(lesions, results).to_frame()
    breaches = breaches.loc[breaches["RULE"].isin(["RECIST-B04", "RECIST-B05"])]
    _refuse_breaches(frame, breaches, fix="record it as NON-TARGET")


_KNOWN = ("lesion_id", "patient_id", *_READER, "code", "kind", "location", "method", "visit", "identified_on",
          "irradiated")  # fmt: skip


def _known_lesions(session: Session, frame: pd.DataFrame) -> pd.DataFrame:
    """The stored lesions of the batch's patients, with their subject ids."""
    columns = [getattr(Lesion, "id" if name == "lesion_id" else name) for name in _KNOWN]
    patient_ids = sorted(set(frame["patient_id"].tolist()))
    known = fetch_frame(session, select(*columns).where(Lesion.patient_id.in_(patient_ids)), _KNOWN)
    subjects = dict(zip(frame["patient_id"], frame["subject_id"], strict=True))
    return known.assign(subject_id=known["patient_id"].map(subjects))


def _prepare_lesions(session: Session, actor: Actor, trial: Trial, rows: Any) -> pd.DataFrame:
    frame = _frame(rows, _LESION_DEFAULTS)
    _require(frame, ("subject_id", "code", "kind", "identified_on"), code="STORE-E305")
    _reader(frame)
    frame["code"] = _text(frame, "code")
    frame["kind"] = _text(frame, "kind", upper=True)
    _controlled(frame, "kind", KINDS, code="STORE-E306")
    for column in ("location", "method", "visit", "accepted"):
        frame[column] = _text(frame, column)
    _refuse(
        frame,
        frame["visit"].isna(),
        "lesion {code}: give the visit at which it was identified (the baseline visit for targets and non-targets)",
        field="visit",
        code="STORE-E305",
    )
    frame["irradiated"] = frame["irradiated"].map(lambda v: bool(v) and str(v).upper() not in ("N", "FALSE", "0"))
    _patients(session, actor, trial, frame)
    _after_consent(session, trial, frame, _iso_dates(frame, "identified_on", code="STORE-E307"), field="identified_on")
    _duplicates(frame, ("patient_id", *_READER, "code"), "lesion {code} of evaluator {evaluator}", code="STORE-E308")
    known = _known_lesions(session, frame)
    taken = frame.merge(known[["patient_id", *_READER, "code"]], how="left", indicator=True)["_merge"] == "both"
    _refuse(
        frame,
        taken.to_numpy(),
        "lesion {code} of evaluator {evaluator} is already recorded; correct it instead of recording it again",
        field="code",
        code="STORE-E308",
    )
    _check_target_limits(frame, known)
    return frame


def _write(
    session: Session,
    actor: Actor,
    model: type[Base],
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    ids: Sequence[str],
) -> list[int]:
    """Insert ``frame``'s ``columns`` into ``model``'s table (audited): missing values as NULL, ``ids`` as ints."""
    table = frame[list(columns)].astype(object)
    records = cast(list[dict[str, Any]], table.where(table.notna(), None).to_dict("records"))
    for record in records:
        for name in ids:
            if record[name] is not None:
                record[name] = int(record[name])
    return insert_audited(session, cast(Table, model.__table__), records, actor)


def _insert_lesions(session: Session, actor: Actor, frame: pd.DataFrame) -> list[int]:
    return _write(session, actor, Lesion, frame, _LESION_COLUMNS, ids=("patient_id",))


def record_lesions(
    session: Session, actor: Actor, trial_code: str, rows: Iterable[Mapping[str, Any]] | pd.DataFrame
) -> RecordedBatch:
    """Record lesions (TU rows: ``subject_id``, ``evaluator``, ``evaluator_id``, ``code``, ``kind``, ``location``,
    ``method``, ``identified_on``, ``visit``, ``visit_number``, ``irradiated``, ``accepted``), all or none."""
    _require_entry(actor)
    trial = find_trial(session, trial_code)
    frame = _prepare_lesions(session, actor, trial, rows)
    ids = _insert_lesions(session, actor, frame)
    patients = frame["patient_id"].unique().tolist()
    done = recompute_timepoints(session, actor, patients, reason=_RECOMPUTED + "lesions were recorded", strict=False)
    return RecordedBatch(tuple(ids), len(patients), done.written, done.problems)


# --- measurements (TR) ----------------------------------------------------------------------------------

_MEASUREMENT_DEFAULTS = {
    "evaluator": "INVESTIGATOR",
    "evaluator_id": "",
    "visit_number": None,
    "lesion": None,
    "value": None,
    "unit": None,
    "status": None,
    "original": None,
    "original_unit": None,
    "not_done_reason": None,
    "method": None,
    "link_group": None,
    "accepted": None,
}
_MEASUREMENT_COLUMNS = ("assessment_id", "lesion_id", "test_code", "value", "unit", "status", "original",
                        "original_unit", "not_done_reason", "measured_on", "method", "link_group", "accepted")  # fmt: skip


def _check_results(frame: pd.DataFrame) -> None:
    """Sizes are numbers of 0 or more with a unit (mm, cm); states are RECIST's; a result not done says why."""
    sized = frame["test_code"].isin([*SIZE_TESTS, "SUMDIAM"]).to_numpy()
    value = pd.to_numeric(frame["value"], errors="coerce")
    unreadable = frame["value"].notna() & value.isna()
    _refuse(frame, unreadable, "{test_code} '{value}' is not a number (mm)", field="value", code="STORE-E310")
    impossible = (value < 0) | np.isinf(value)
    _refuse(
        frame,
        impossible,
        "{test_code} {value} is not a possible size; give mm of 0 or more",
        field="value",
        code="STORE-E310",
    )
    frame["value"] = value.where(sized).astype(object).where(value.notna() & sized, None)
    frame["unit"] = _text(frame, "unit").where(sized, None)
    frame.loc[sized & frame["value"].notna() & frame["unit"].isna(), "unit"] = "mm"
    _controlled(frame, "unit", UNITS, code="STORE-E311")
    state = _text(frame, "status", upper=True)
    frame["status"] = state.map(lambda v: STATE_SYNONYMS.get(v, v) if v is not None else None).where(~sized, None)
    _controlled(frame, "status", STATES, code="STORE-E312")
    for column in ("not_done_reason", "original", "original_unit", "method", "link_group", "accepted"):
        frame[column] = _text(frame, column)
    empty = frame["value"].isna() & frame["status"].isna() & frame["not_done_reason"].isna()
    _refuse(
        frame,
        empty,
        "{test_code} of lesion {lesion} has no result; give a size, a status, or why it was not done",
        field="value",
        code="STORE-E313",
    )


def _lesion_ids(frame: pd.DataFrame, known: pd.DataFrame) -> None:
    """Add ``lesion_id``; a lesion that is not among the patient's (reader's) lesions is refused, naming them."""
    lookup = known.set_index(["patient_id", *_READER, "code"])["lesion_id"]
    index = pd.MultiIndex.from_frame(frame[["patient_id", *_READER, "lesion"]])
    ids = lookup.reindex(index).to_numpy()
    sumdiam = (frame["test_code"] == "SUMDIAM").to_numpy()
    _refuse(
        frame,
        sumdiam & frame["lesion"].notna().to_numpy(),
        "SUMDIAM is the sum of all target lesions; give no lesion",
        field="lesion",
        code="STORE-E314",
    )
    stray = ~sumdiam & pd.isna(ids)
    if stray.any():
        row = frame.iloc[int(np.argmax(stray))]
        mine = known.loc[
            (known["patient_id"] == row["patient_id"]) & (known["evaluator"] == row["evaluator"]) & (known["evaluator_id"] == row["evaluator_id"]),
            "code",
        ]  # fmt: skip
        listed = ", ".join(sorted(mine)) or "none yet"
        _refuse(
            frame,
            stray,
            f"lesion {{lesion}} was not identified at baseline (the patient's lesions for {{evaluator}}: {listed}); "
            "record it as a new lesion at this visit, or correct the lesion code",
            field="lesion",
            code="STORE-E315",
        )
    frame["lesion_id"] = pd.Series(ids, index=frame.index).astype(object).where(~pd.isna(ids), None)


def _prepare_measurements(
    session: Session, actor: Actor, trial: Trial, rows: Any, *, pending: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Checked measurement rows; ``pending`` are lesions of the same operation not yet written (new lesions)."""
    frame = _frame(rows, _MEASUREMENT_DEFAULTS)
    _require(frame, ("subject_id", "visit", "test_code", "measured_on"), code="STORE-E309")
    _reader(frame)
    frame["visit"] = _text(frame, "visit")
    frame["test_code"] = _text(frame, "test_code", upper=True)
    frame["lesion"] = _text(frame, "lesion")
    _controlled(frame, "test_code", TESTS, code="STORE-E316")
    _check_results(frame)
    _patients(session, actor, trial, frame)
    frame["_date"] = _iso_dates(frame, "measured_on", code="STORE-E307")
    _after_consent(session, trial, frame, frame["_date"], field="measured_on")
    known = _known_lesions(session, frame)
    if pending is not None:
        known = pd.concat([known, pending.reindex(columns=known.columns).assign(lesion_id=0)], ignore_index=True)
    _lesion_ids(frame, known)
    keys = ("patient_id", *_READER, "visit", "lesion", "test_code", "measured_on")
    _duplicates(frame, keys, "{test_code} of lesion {lesion} at {visit} on {measured_on}", code="STORE-E317")
    return frame


def _assessment_ids(session: Session, actor: Actor, frame: pd.DataFrame, *, new_only: bool) -> pd.Series:
    """The assessment of each row: stored, or recorded now (its date the visit's first scan day)."""
    keys = ["patient_id", *_READER, "visit"]
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
        _refuse(
            frame,
            (frame["visit"] == first[3]).to_numpy(),
            "visit {visit} of evaluator {evaluator} is already recorded; correct a measurement with update_measurement",
            field="visit",
            code="STORE-E318",
        )
    fresh = visits.loc[[key not in stored for key in wanted]]
    records = [
        {
            "patient_id": int(r["patient_id"]),
            "evaluator": r["evaluator"],
            "evaluator_id": r["evaluator_id"],
            "visit": r["visit"],
            "visit_number": None if pd.isna(r["visit_number"]) else float(r["visit_number"]),
            "assessed_on": r["assessed_on"].date(),
        }
        for r in fresh.to_dict("records")
    ]
    ids = insert_audited(session, cast(Table, Assessment.__table__), records, actor)
    stored.update(
        {(r["patient_id"], r["evaluator"], r["evaluator_id"], r["visit"]): i for r, i in zip(records, ids, strict=True)}
    )
    return pd.Series([stored[k] for k in frame[keys].itertuples(index=False, name=None)], index=frame.index)


def _insert_measurements(session: Session, actor: Actor, frame: pd.DataFrame, *, new_only: bool = False) -> list[int]:
    frame = frame.assign(assessment_id=_assessment_ids(session, actor, frame, new_only=new_only))
    if (frame["lesion_id"].astype(object) == 0).any():  # lesions of this operation, written just before
        known = _known_lesions(session, frame).set_index(["patient_id", *_READER, "code"])["lesion_id"]
        index = pd.MultiIndex.from_frame(frame[["patient_id", *_READER, "lesion"]])
        frame["lesion_id"] = pd.Series(known.reindex(index).to_numpy(), index=frame.index).astype(object)
        frame["lesion_id"] = frame["lesion_id"].where(frame["lesion_id"].notna(), None)
    return _write(session, actor, Measurement, frame, _MEASUREMENT_COLUMNS, ids=("assessment_id", "lesion_id"))


def _baseline_problems(session: Session, trial: Trial, frame: pd.DataFrame, done: Recomputed) -> tuple[str, ...]:
    """Measurability breaches at baseline (RECIST 1.1 B01-B03, B06): refused under an oncotrial protocol, else
    reported (data recorded elsewhere are kept as recorded)."""
    if done.baseline is None or done.baseline.is_valid:
        return done.problems
    breaches = done.baseline.to_frame()
    if trial.current_protocol_id is not None:
        _refuse_breaches(
            frame.rename(columns={"lesion": "code"}), breaches, fix="correct the size or record it as NON-TARGET"
        )
    shown = [f"{b.subject_id}, lesion {b.lesion_id}: {b.message} [{b.rule_id}]" for b in done.baseline.breaches]
    return (*done.problems, *shown)


def record_measurements(
    session: Session, actor: Actor, trial_code: str, rows: Iterable[Mapping[str, Any]] | pd.DataFrame
) -> RecordedBatch:
    """Record tumour results (TR rows: ``subject_id``, ``evaluator``, ``evaluator_id``, ``visit``,
    ``visit_number``, ``lesion`` (its code), ``test_code``, ``value``, ``unit``, ``status``, ``original``,
    ``original_unit``, ``not_done_reason``, ``measured_on``, ``method``, ``link_group``, ``accepted``), all or
    none; each visit of each reader becomes an assessment; the time-point responses of the patients are
    recomputed once for the whole batch."""
    _require_entry(actor)
    trial = find_trial(session, trial_code)
    frame = _prepare_measurements(session, actor, trial, rows)
    ids = _insert_measurements(session, actor, frame)
    patients = frame["patient_id"].unique().tolist()
    done = recompute_timepoints(
        session, actor, patients, reason=_RECOMPUTED + "measurements were recorded", strict=False
    )
    return RecordedBatch(tuple(ids), len(patients), done.written, _baseline_problems(session, trial, frame, done))


# --- responses as recorded (RS) -------------------------------------------------------------------------

_RESPONSE_DEFAULTS = {
    "evaluator": "INVESTIGATOR",
    "evaluator_id": "",
    "category": "RECIST 1.1",
    "test_name": None,
    "visit_number": None,
    "original": None,
    "response": None,
    "not_done_reason": None,
    "link_group": None,
    "accepted": None,
}
_RESPONSE_COLUMNS = ("patient_id", *_READER, "category", "test_code", "test_name", "visit", "visit_number",
                     "assessed_on", "original", "response", "not_done_reason", "link_group", "accepted")  # fmt: skip


def _check_responses(frame: pd.DataFrame) -> None:
    recist = frame["category"].str.upper().str.startswith("RECIST").to_numpy(dtype=bool)
    for test_code, allowed in RESPONSE_VALUES.items():
        bad = recist & (frame["test_code"] == test_code).to_numpy() & frame["response"].notna().to_numpy()
        bad &= ~frame["response"].isin(allowed).to_numpy()
        _refuse(
            frame,
            bad,
            f"{test_code} response '{{response}}' is not a RECIST 1.1 value ({', '.join(allowed)})",
            field="response",
            code="STORE-E320",
        )
    empty = frame["response"].isna() & frame["not_done_reason"].isna()
    _refuse(
        frame,
        empty,
        "{test_code} at {visit} has no response; give it, or why it was not done",
        field="response",
        code="STORE-E321",
    )


def record_recorded_responses(
    session: Session, actor: Actor, trial_code: str, rows: Iterable[Mapping[str, Any]] | pd.DataFrame
) -> RecordedBatch:
    """Record responses as evaluators recorded them (RS rows: ``subject_id``, ``evaluator``, ``evaluator_id``,
    ``category``, ``test_code``, ``test_name``, ``visit``, ``visit_number``, ``assessed_on``, ``original``,
    ``response``, ``not_done_reason``, ``link_group``, ``accepted``), all or none. RECIST responses take the
    values of :data:`RESPONSE_VALUES`; dates are on or after consent."""
    _require_entry(actor)
    trial = find_trial(session, trial_code)
    frame = _frame(rows, _RESPONSE_DEFAULTS)
    _require(frame, ("subject_id", "test_code", "visit"), code="STORE-E319")
    _reader(frame)
    for column in ("category", "test_name", "visit", "original", "not_done_reason", "link_group", "accepted"):
        frame[column] = _text(frame, column)
    frame["test_code"] = _text(frame, "test_code", upper=True)
    frame["response"] = _text(frame, "response", upper=True)
    _check_responses(frame)
    _patients(session, actor, trial, frame)
    if "assessed_on" not in frame.columns:
        frame["assessed_on"] = None
    dates = _iso_dates(frame, "assessed_on", code="STORE-E307")
    partial = frame["assessed_on"].notna() & (frame["assessed_on"].str.len() != 10)
    _refuse(
        frame,
        partial,
        "assessed_on {assessed_on} is not a whole date; give YYYY-MM-DD",
        field="assessed_on",
        code="STORE-E307",
    )
    _after_consent(session, trial, frame, dates, field="assessed_on")
    keys = ("patient_id", *_READER, "category", "test_code", "visit", "assessed_on")
    _duplicates(frame, keys, "{test_code} of {evaluator} at {visit} on {assessed_on}", code="STORE-E322")
    frame["assessed_on"] = [None if pd.isna(d) else d.date() for d in dates]
    ids = _write(session, actor, RecordedResponse, frame, _RESPONSE_COLUMNS, ids=("patient_id",))
    return RecordedBatch(tuple(ids), int(frame["patient_id"].nunique()), 0, ())


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
    _require_entry(actor)
    trial = find_trial(session, trial_code)
    find_patient(session, actor, trial, subject_id)
    reader = {"evaluator": evaluator, "evaluator_id": evaluator_id, "visit": visit, "visit_number": visit_number}
    shapes = [
        {k: v for k, v in item.items() if k not in ("diameter", "status", "test_code", "value")} for item in lesions
    ]
    frame = _prepare_lesions(
        session, actor, trial, _entry_rows(subject_id, shapes, {**reader, "identified_on": identified_on})
    )
    if (frame["kind"] == "NEW").any():
        _refuse(
            frame,
            frame["kind"] == "NEW",
            "lesion {code}: a NEW lesion is not found at baseline; record it with the visit at which it appeared",
            field="kind",
            code="STORE-E306",
        )
    results = [
        {"lesion": item.get("code"), **({"status": "PRESENT"} if "diameter" not in item and "status" not in item else {}),
         **{k: v for k, v in item.items() if k in ("diameter", "status", "test_code", "value")}}
        for item in lesions
    ]  # fmt: skip
    measured = _prepare_measurements(
        session,
        actor,
        trial,
        _measurement_rows(subject_id, results, {**reader, "measured_on": identified_on}),
        pending=frame,
    )
    stored = measured.assign(code=measured["lesion"], assessment_id=0)
    lesion_table = frame.assign(lesion_id=0)
    breaches = evaluate_baseline(lesion_table, stored.assign(value=pd.to_numeric(stored["value"]))).to_frame()
    _refuse_breaches(frame, breaches, fix="correct the size, or record the lesion as NON-TARGET")
    ids = _insert_lesions(session, actor, frame)
    _insert_measurements(session, actor, measured, new_only=True)
    patient_id = int(frame["patient_id"].iloc[0])
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
    _require_entry(actor)
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
    frame = _prepare_measurements(session, actor, trial, rows, pending=pending)
    if pending is not None:
        _insert_lesions(session, actor, pending)
    _insert_measurements(session, actor, frame, new_only=True)
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
    _require_entry(actor)
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id)
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
    checked = _frame(
        [
            {
                "subject_id": subject_id,
                "test_code": found.test_code,
                "lesion": lesion,
                "value": value,
                "status": status,
                "unit": found.unit,
            }
        ],
        _MEASUREMENT_DEFAULTS,
    )
    _check_results(checked)
    with audit_context(session, actor, reason):
        found.value = None if value is None else float(value)
        found.status = checked["status"].iloc[0]
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
