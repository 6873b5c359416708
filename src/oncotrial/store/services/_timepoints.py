"""The time-point responses of patients, recomputed from their stored lesions and measurements by
``oncotrial.recist`` (the core's functions, never a second implementation).

The store rebuilds the core's input, SDTM TU and TR, for a whole set of patients at once and makes one call:
``derive_lesion_assessments`` then ``derive_timepoint_responses`` are vectorised over subjects, so a batch of
10,000 patients costs one pass, not 10,000. Each reader (an evaluator and its ``evaluator_id``) of a patient is
one subject of the core's table, named ``SUBJECT (EVALUATOR)`` so that the core's messages name the patient and
the reader. Irradiated lesions are set apart as ``derive_lesion_response_analysis`` sets them apart.

The stored rows then follow the result: a new follow-up assessment gets a row (``insert_audited``); a changed
response is updated (audited, with the reason); an assessment without a response any more loses its row.
Baseline assessments have no response (RECIST gives none), so they have no row.

The tumour batches (``assessments``, ``responses``) read their rows with :func:`read_tumour_batch`: the checks
of ``_batch``, and the reader of each row (:data:`READER`).
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Table, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from oncotrial.errors import DataError, TrialWarning
from oncotrial.recist import (
    BaselineEvaluation,
    derive_irradiated_flags,
    derive_lesion_assessments,
    derive_timepoint_responses,
    evaluate_baseline_lesions,
    select_lesions,
)
from oncotrial.store.audit import Actor, audit_context, insert_audited
from oncotrial.store.models import Assessment, Lesion, Measurement, Patient, TimepointResponse, Trial
from oncotrial.store.services._batch import Batch, Rows, read_batch, set_column, to_numbers, to_texts

__all__ = [
    "READER",
    "Recomputed",
    "RecordedBatch",
    "evaluate_baseline",
    "fetch_frame",
    "read_tumour_batch",
    "reader_key",
    "reader_keys",
    "rebuild_tu_tr",
    "recompute_timepoints",
    "to_codes",
]

# who assessed: an evaluator and, for several readers of one kind, which (``RADIOLOGIST 1``; "" for none)
READER = ("evaluator", "evaluator_id")

# the sizes and states the core reads from TR (SUMDIAM, the evaluator's own sum, is not an input)
CORE_TESTS = ("DIAMETER", "LDIAM", "SAXIS", "LPERP", "TUMSTATE")
_STORED = ("target", "non_target", "new_lesions", "overall", "rule_id", "sum_of_diameters")


@dataclass(frozen=True)
class RecordedBatch:
    """What a batch wrote: the new rows' ids, the patients touched, the time-point responses written or changed,
    and what the import should report (readers whose responses the core cannot derive, baseline breaches kept)."""

    ids: tuple[int, ...]
    patients: int
    timepoints: int
    problems: tuple[str, ...]


def to_codes(batch: Batch, column: str, *, default: str | None = None) -> None:
    """Text in upper case (controlled terms as RECIST and SDTM write them); missing gives ``default``."""
    to_texts(batch, column)
    set_column(batch, column, [default if v is None else v.upper() for v in batch.frame[column]])


def read_tumour_batch(
    session: Session, trial: Trial, rows: Rows, *, what: str, fields: Sequence[str], required: Sequence[str]
) -> Batch:
    """``_batch.read_batch`` of SDTM-shaped rows with a reader (their patients not looked up yet), then what
    every tumour batch reads alike: ``visit_number`` as a number, the evaluator in upper case (``INVESTIGATOR``
    when not given) and its reader id ("" for none)."""
    known = (*READER, "visit_number", *required, *fields)
    batch = read_batch(session, trial, rows, what=what, fields=list(dict.fromkeys(known)), required=required)
    to_numbers(batch, "visit_number")
    to_codes(batch, "evaluator", default="INVESTIGATOR")
    to_texts(batch, "evaluator_id")
    set_column(batch, "evaluator_id", ["" if v is None else v for v in batch.frame["evaluator_id"]])
    return batch


def reader_key(subject_id: Any, evaluator: Any, evaluator_id: Any) -> str:
    """The core's subject for one reader of a patient: ``01-0007 (INVESTIGATOR)``."""
    reader = f"{evaluator} {evaluator_id}" if evaluator_id else str(evaluator)
    return f"{subject_id} ({reader})"


def reader_keys(frame: pd.DataFrame) -> pd.Series:
    """:func:`reader_key` of each row, computed once per reader (fast on long tables)."""
    columns = ["subject_id", "evaluator", "evaluator_id"]
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(frame[columns].astype(object)), sort=False)
    labels = np.array([reader_key(*u) for u in uniques] + [""], dtype=object)
    return pd.Series(labels[np.where(codes < 0, len(uniques), codes)], index=frame.index, dtype=object)


def fetch_frame(session: Session, stmt: Executable, names: Sequence[str]) -> pd.DataFrame:
    """The rows of ``stmt`` as a table of plain objects. The DBAPI rows are read as they are (no column here
    needs SQLAlchemy's conversion), and pandas' text inference is skipped: both cost seconds on 10^5 rows."""
    rows = session.connection().execute(stmt).cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return pd.DataFrame(
        {n: pd.Series(np.array(c, dtype=object), dtype=object) for n, c in zip(names, columns, strict=True)}
    )


@dataclass(frozen=True)
class Recomputed:
    """What a recompute did: rows written or changed, and the readers whose responses could not be derived."""

    written: int
    problems: tuple[str, ...]
    baseline: BaselineEvaluation | None


def _load(session: Session, patient_ids: Collection[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = sorted(set(patient_ids))
    lesion_cols = (
        Patient.subject_id,
        Lesion.evaluator,
        Lesion.evaluator_id,
        Lesion.code,
        Lesion.kind,
        Lesion.location,
        Lesion.method,
        Lesion.visit,
        Lesion.identified_on,
        Lesion.irradiated,
    )
    lesions = fetch_frame(
        session,
        select(*lesion_cols).join(Patient, Patient.id == Lesion.patient_id).where(Lesion.patient_id.in_(ids)),
        [c.key for c in lesion_cols],
    )
    result_cols = (
        Patient.subject_id,
        Assessment.id.label("assessment_id"),
        Assessment.evaluator,
        Assessment.evaluator_id,
        Assessment.visit,
        Lesion.code,
        Measurement.test_code,
        Measurement.value,
        Measurement.unit,
        Measurement.status,
        Measurement.measured_on,
    )
    stmt = (
        select(*result_cols)
        .join(Assessment, Assessment.id == Measurement.assessment_id)
        .join(Patient, Patient.id == Assessment.patient_id)
        .join(Lesion, Lesion.id == Measurement.lesion_id)
        .where(Assessment.patient_id.in_(ids), Measurement.test_code.in_(CORE_TESTS))
    )
    results = fetch_frame(session, stmt, [c.key for c in result_cols])
    return lesions, results


def rebuild_tu_tr(lesions: pd.DataFrame, results: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SDTM TU and TR as the core reads them, one subject per reader (:func:`reader_key`)."""
    lesion_key, result_key = reader_keys(lesions), reader_keys(results)
    lesions = lesions.loc[lesion_key.isin(set(result_key))]  # a reader without results has nothing to derive
    tu = pd.DataFrame(
        {
            "USUBJID": lesion_key.loc[lesions.index],
            "TULNKID": lesions["code"],
            "TUSTRESC": lesions["kind"],
            "TULOC": lesions["location"],
            "TUMETHOD": lesions["method"],
            "VISIT": lesions["visit"],
            "TUDTC": lesions["identified_on"],
            "IRRADIATED": lesions["irradiated"].astype(bool),
        }
    )
    sized = results["test_code"] != "TUMSTATE"
    value = results["value"].astype(float)
    text = np.where(sized, np.where(value.isna(), "", value.map(repr)), results["status"].fillna("").astype(str))
    tr = pd.DataFrame(
        {
            "USUBJID": result_key,
            "TRLNKID": results["code"],
            "TRTESTCD": results["test_code"],
            "TRSTRESC": text,
            "TRSTRESU": results["unit"].where(sized),
            "VISIT": results["visit"],
            "TRDTC": results["measured_on"],
        }
    )
    return tu, tr


def _derive(tu: pd.DataFrame, tr: pd.DataFrame) -> tuple[pd.DataFrame, BaselineEvaluation]:
    with warnings.catch_warnings():
        # partial scan dates (YYYY-MM) are imputed as the core documents; the store keeps them as recorded
        warnings.simplefilter("ignore", TrialWarning)
        assessments = derive_lesion_assessments(tu.drop(columns="IRRADIATED"), tr, evaluator=None)
    baseline = evaluate_baseline_lesions(assessments)
    irradiated = tu.loc[tu["IRRADIATED"], ["USUBJID", "TULNKID"]].rename(columns={"TULNKID": "LESIONID"})
    if len(irradiated):
        assessments = select_lesions(derive_irradiated_flags(assessments, irradiated), irradiated=False)
    return derive_timepoint_responses(assessments), baseline


def _translated(exc: DataError, subjects: dict[str, str]) -> DataError | None:
    """The core's error about a reader, naming the patient (None when it is not about one reader)."""
    subject = subjects.get(exc.subject_id) if exc.subject_id is not None else None
    if subject is None:
        return None
    return type(exc)(exc.message, code=exc.code, subject_id=subject, visit=exc.visit, lesion=exc.lesion)


def evaluate_baseline(lesions: pd.DataFrame, results: pd.DataFrame) -> BaselineEvaluation:
    """The RECIST 1.1 baseline rules (the core's) over stored-shaped lesions and results of several readers."""
    tu, tr = rebuild_tu_tr(lesions, results)
    subjects = dict(zip(reader_keys(results), results["subject_id"], strict=True))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TrialWarning)
            assessments = derive_lesion_assessments(tu.drop(columns="IRRADIATED"), tr, evaluator=None)
    except DataError as exc:
        translated = _translated(exc, subjects)
        if translated is None:
            raise
        raise translated from exc
    return evaluate_baseline_lesions(assessments)


def _repeated_results(tr: pd.DataFrame) -> tuple[set[str], list[str]]:
    """Readers with a size given twice for one lesion at one visit (pharmaverse has scans of two dates under one
    visit name). The core refuses each such reader (RECIST-E016) one at a time; finding them all in one pass
    spares a whole core pass per reader on a large import."""
    sizes = tr.loc[tr["TRTESTCD"] != "TUMSTATE"]
    twice = sizes.loc[sizes.duplicated(["USUBJID", "TRLNKID", "VISIT", "TRTESTCD"], keep=False)]
    first = twice.drop_duplicates("USUBJID").sort_values("USUBJID")  # the same order on every database
    problems = [
        f"Subject {key}, visit {visit}, lesion {lesion}: {test} is recorded more than once (scans of different "
        f"dates under one visit name) [STORE-E330]: no time-point response is derived for this reader; give each "
        f"scan its own visit"
        for key, visit, lesion, test in first[["USUBJID", "VISIT", "TRLNKID", "TRTESTCD"]].itertuples(index=False)
    ]
    return set(first["USUBJID"]), problems


def _derive_each_reader(
    tu: pd.DataFrame, tr: pd.DataFrame, subjects: dict[str, str], *, strict: bool
) -> tuple[pd.DataFrame | None, BaselineEvaluation | None, list[str]]:
    """The core's result; a reader the core refuses is refused (``strict``) or left out and reported."""
    problems: list[str] = []
    if not strict:  # strict: the core's own error names the first such reader
        repeated, problems = _repeated_results(tr)
        tu, tr = tu.loc[~tu["USUBJID"].isin(repeated)], tr.loc[~tr["USUBJID"].isin(repeated)]
    while len(tr):
        try:
            timepoints, baseline = _derive(tu, tr)
        except DataError as exc:
            translated = _translated(exc, subjects)
            if translated is None:
                raise
            if strict:
                raise translated from exc
            problems.append(f"{exc.message} [{exc.code}]: no time-point response is derived for this reader")
            tu, tr = tu.loc[tu["USUBJID"] != exc.subject_id], tr.loc[tr["USUBJID"] != exc.subject_id]
            continue
        return timepoints, baseline, problems
    return None, None, problems


def _derived_rows(timepoints: pd.DataFrame, assessment_of: dict[tuple[str, str], int]) -> dict[int, dict[str, Any]]:
    follow_up = timepoints.loc[~timepoints["BASELINE"].to_numpy(dtype=bool) & timepoints["OVERALL"].notna()]
    rows: dict[int, dict[str, Any]] = {}
    columns = ("USUBJID", "VISIT", "TARGET", "NON_TARGET", "NEW_LESIONS", "OVERALL", "RULE_ID", "SOD")
    for key, visit, target, non_target, new, overall, rule, sod in follow_up[list(columns)].itertuples(
        index=False, name=None
    ):
        assessment_id = assessment_of.get((key, visit))
        if assessment_id is None:  # new lesions seen at a visit without an assessment
            continue
        rows[assessment_id] = {
            "assessment_id": assessment_id,
            "target": None if pd.isna(target) else str(target),
            "non_target": None if pd.isna(non_target) else str(non_target),
            "new_lesions": None if pd.isna(new) else str(new),
            "overall": str(overall),
            "rule_id": str(rule),
            "sum_of_diameters": None if pd.isna(sod) else float(sod),
        }
    return rows


def _store(
    session: Session, actor: Actor, derived: dict[int, dict[str, Any]], assessment_ids: Iterable[int], reason: str
) -> int:
    stored = {
        row.assessment_id: row
        for row in session.execute(
            select(TimepointResponse).where(TimepointResponse.assessment_id.in_(sorted(set(assessment_ids))))
        ).scalars()
    }
    new = [row for assessment_id, row in derived.items() if assessment_id not in stored]
    changed = 0
    with audit_context(session, actor, reason):
        for assessment_id, record in stored.items():
            values = derived.get(assessment_id)
            if values is None:
                session.delete(record)
                changed += 1
            elif any(getattr(record, name) != values[name] for name in _STORED):
                for name in _STORED:
                    setattr(record, name, values[name])
                changed += 1
        session.flush()
    insert_audited(session, cast(Table, TimepointResponse.__table__), new, actor, reason)
    return changed + len(new)


def recompute_timepoints(
    session: Session, actor: Actor, patient_ids: Collection[int], *, reason: str, strict: bool
) -> Recomputed:
    """Recompute and store the time-point responses of ``patient_ids`` with ``oncotrial.recist``.

    ``strict``: a reader whose data the core refuses is an error (data entry); otherwise that reader is left
    without responses and named in ``problems`` (an import of data recorded elsewhere).
    """
    session.flush()
    lesions, results = _load(session, patient_ids)
    if results.empty:
        return Recomputed(0, (), None)
    tu, tr = rebuild_tu_tr(lesions, results)
    subjects = dict(zip(tr["USUBJID"], results["subject_id"], strict=True))
    timepoints, baseline, problems = _derive_each_reader(tu, tr, subjects, strict=strict)
    assessment_of = dict(zip(zip(tr["USUBJID"], tr["VISIT"], strict=True), results["assessment_id"], strict=True))
    derived = {} if timepoints is None else _derived_rows(timepoints, assessment_of)
    written = _store(session, actor, derived, results["assessment_id"].unique().tolist(), reason)
    return Recomputed(written, tuple(problems), baseline)


def derive_stored_timepoints(session: Session, patient_id: int) -> pd.DataFrame:
    """The core's time-point table (``derive_timepoint_responses``: sums, baseline sum, nadir, % change from
    baseline, the target rule) of every reader of one patient, from what is stored; empty when there are no
    results, or when the core refuses them (imported data: their problems are the import's report)."""
    lesions, results = _load(session, [patient_id])
    if results.empty:
        return pd.DataFrame()
    try:
        timepoints, _ = _derive(*rebuild_tu_tr(lesions, results))
    except DataError:
        return pd.DataFrame()
    return timepoints
