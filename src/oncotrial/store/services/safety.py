"""Safety data: adverse events, laboratory results, and PK and biomarker samples.

Each ``record_<things>(session, actor, trial_code, rows)`` checks every row before it writes any (see
:mod:`oncotrial.store.services._batch`); ``record_adverse_event`` records one; ``update_adverse_event``
corrects one, with a reason, through the same checks.

Adverse events (the CTCAE v5 fields and SDTM AE's):

- ``term`` is required; ``grade`` is a CTCAE grade 1-5 (a grade 0 or 6 is refused: CTCAE v5.0 grades 1-5);
  it may be left out only when the row gives ``severity`` instead (MILD, MODERATE, SEVERE: SDTM AESEV,
  data graded that way elsewhere);
- ``onset`` is on or after consent, ``resolved`` not before ``onset``;
- ``attribution`` (relationship to the study treatment), ``action_taken`` and ``outcome`` come from
  controlled lists (:data:`ATTRIBUTIONS`, :data:`ACTIONS`, :data:`OUTCOMES`); ``serious`` is Y or N.

Choice, from the pharmaverse data (CDISCPILOT01): DM gives no consent date (RFICDTC is empty for all 306
patients), 65 of its 1,191 AEs start before the first dose (RFSTDTC) and 28 before the demographics visit,
and 26 AESTDTC are partial (``2014-01``, ``2014``). So data entry (a trial with a protocol) refuses an onset
before consent and a partial onset, while data imported from elsewhere (a trial without a protocol) keeps
an onset before a recorded consent with ``pre_consent`` set, and a partial onset as given in
``onset_partial`` (``onset`` then holds its first day, for ordering and the checks).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from oncotrial.errors import NotFoundError
from oncotrial.store.audit import Actor
from oncotrial.store.models import AdverseEvent, LabResult, Sample
from oncotrial.store.services._batch import (
    Batch,
    Rows,
    check_after_consents,
    check_lengths,
    check_not_before,
    correct_record,
    open_batch,
    refuse_rows,
    set_column,
    to_bools,
    to_dates,
    to_datetimes,
    to_numbers,
    to_texts,
    write_batch,
)
from oncotrial.store.services._common import find_patient, find_trial, require_entry

__all__ = [
    "ACTIONS",
    "ATTRIBUTIONS",
    "OUTCOMES",
    "SEVERITIES",
    "record_adverse_event",
    "record_adverse_events",
    "record_lab_results",
    "record_samples",
    "update_adverse_event",
]

#: Relationship to the study treatment: the NCI CTEP five-level scale, and NONE and REMOTE, which SDTM data
#: such as CDISCPILOT01's AEREL use (AEREL has no CDISC codelist: it is the sponsor's).
ATTRIBUTIONS = ("UNRELATED", "UNLIKELY", "POSSIBLE", "PROBABLE", "DEFINITE", "NONE", "REMOTE")
#: Action taken with the study treatment: CDISC codelist ACN (C66767).
ACTIONS = (
    "DOSE INCREASED",
    "DOSE NOT CHANGED",
    "DOSE RATE REDUCED",
    "DOSE REDUCED",
    "DRUG INTERRUPTED",
    "DRUG WITHDRAWN",
    "NOT APPLICABLE",
    "UNKNOWN",
)
#: Outcome: CDISC codelist OUT (C66768).
OUTCOMES = (
    "FATAL",
    "NOT RECOVERED/NOT RESOLVED",
    "RECOVERED/RESOLVED",
    "RECOVERED/RESOLVED WITH SEQUELAE",
    "RECOVERING/RESOLVING",
    "UNKNOWN",
)
#: Severity, for data graded mild/moderate/severe instead of by CTCAE: CDISC codelist AESEV (C66769).
SEVERITIES = ("MILD", "MODERATE", "SEVERE")
SAMPLE_KINDS = ("pk", "biomarker")

AE_FIELDS = (
    "term",
    "decoded_term",
    "body_system",
    "grade",
    "severity",
    "onset",
    "resolved",
    "attribution",
    "serious",
    "action_taken",
    "outcome",
)
LAB_FIELDS = (
    "test_code",
    "test_name",
    "category",
    "value",
    "value_text",
    "unit",
    "normal_low",
    "normal_high",
    "collected_at",
    "visit",
    "visit_number",
    "baseline",
)
SAMPLE_FIELDS = (
    "kind",
    "analyte",
    "analyte_name",
    "specimen",
    "collected_at",
    "value",
    "value_text",
    "unit",
    "blq",
    "lloq",
    "timepoint",
    "timepoint_hours",
    "visit",
)
_PARTIAL = re.compile(r"^\d{4}(-\d{2})?$")


# --- adverse events -----------------------------------------------------------------------------------------


def _partial_onsets(batch: Batch) -> None:
    """Imported data: an onset known to the month or year is kept as given, and dated to its first day."""
    onsets = batch.frame["onset"]
    partial = [
        v.strip() if batch.imported and isinstance(v, str) and _PARTIAL.match(v.strip()) else None for v in onsets
    ]
    set_column(batch, "onset_partial", partial)
    set_column(
        batch,
        "onset",
        [v if p is None else p + ("-01-01" if len(p) == 4 else "-01") for v, p in zip(onsets, partial, strict=True)],
    )


def _last_day(partial: str) -> dt.date:
    """The last day of a partial date's period (``2014`` -> 2014-12-31, ``2014-02`` -> 2014-02-28)."""
    year = int(partial[:4])
    if len(partial) == 4:
        return dt.date(year, 12, 31)
    month = int(partial[5:7])
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _flag_pre_consent(batch: Batch) -> None:
    """Imported data: an onset before consent is flagged, not refused; a partial onset only when its whole
    period is before consent (``2014-01`` with consent on 2014-01-02 may be after it)."""
    check_after_consents(batch, "onset", flag_column="pre_consent")
    frame = batch.frame
    set_column(
        batch,
        "pre_consent",
        [
            bool(flag) and (partial is None or _last_day(partial) < consent)
            for flag, partial, consent in zip(
                frame["pre_consent"], frame["onset_partial"], frame["consent_date"], strict=True
            )
        ],
    )


def _check_grades(batch: Batch) -> None:
    to_numbers(batch, "grade", integer=True)
    to_texts(batch, "severity", choices=SEVERITIES)
    grade, severity = batch.frame["grade"], batch.frame["severity"]
    refuse_rows(
        batch,
        (grade.notna() & ~grade.isin([1, 2, 3, 4, 5])).to_numpy(),
        field="grade",
        code="STORE-E110",
        message=lambda row: (
            f"CTCAE grade {row['grade']} of {row['term']!r} is not a grade: CTCAE v5.0 grades "
            "are 1 (mild) to 5 (death related to the adverse event)"
        ),
    )
    refuse_rows(
        batch,
        (grade.isna() & severity.isna()).to_numpy(),
        field="grade",
        code="STORE-E111",
        message=lambda row: f"give the CTCAE grade (1-5) of {row['term']!r}",
    )


def _checked_adverse_events(session: Session, actor: Actor, trial_code: str, rows: Rows) -> Batch:
    batch = open_batch(
        session, actor, trial_code, rows, what="adverse event", fields=AE_FIELDS, required=("term", "onset")
    )
    for column in ("term", "decoded_term", "body_system"):
        to_texts(batch, column)
    _check_grades(batch)
    _partial_onsets(batch)
    to_dates(batch, "onset")
    to_dates(batch, "resolved")
    check_not_before(batch, "resolved", "onset", code="STORE-E112")
    set_column(batch, "pre_consent", [False] * len(batch.frame))
    _flag_pre_consent(batch)
    to_texts(batch, "attribution", choices=ATTRIBUTIONS)
    to_texts(batch, "action_taken", choices=ACTIONS)
    to_texts(batch, "outcome", choices=OUTCOMES)
    to_bools(batch, "serious")
    check_lengths(batch, AdverseEvent)
    return batch


def record_adverse_events(session: Session, actor: Actor, trial_code: str, rows: Rows) -> list[int]:
    """Record adverse events, each row one event (the fields in the module docstring, and ``subject_id``);
    every row is checked before any is written. Returns the new records' ids, in row order."""
    batch = _checked_adverse_events(session, actor, trial_code, rows)
    return write_batch(session, actor, AdverseEvent, batch)


def record_adverse_event(session: Session, actor: Actor, trial_code: str, subject_id: str, **fields: Any) -> int:
    """Record one adverse event (keyword arguments: the fields of :func:`record_adverse_events`); its id."""
    return record_adverse_events(session, actor, trial_code, [{"subject_id": subject_id, **fields}])[0]


def update_adverse_event(
    session: Session,
    actor: Actor,
    trial_code: str,
    subject_id: str,
    event_id: int,
    *,
    changes: Mapping[str, Any],
    reason: str,
    expected_version: int | None,
) -> AdverseEvent:
    """Correct adverse event ``event_id`` of the patient: ``changes`` maps fields to new values; the result is
    checked as a new record would be; the reason is audited. An edit made from an older version than the one
    stored is refused (:class:`~oncotrial.errors.ConflictError`)."""
    require_entry(actor)
    patient = find_patient(session, actor, find_trial(session, trial_code), subject_id)
    event = session.get(AdverseEvent, event_id, with_for_update=True)
    if event is None or event.patient_id != patient.id:
        raise NotFoundError(
            f"patient {subject_id} has no adverse event {event_id}",
            code="STORE-E113",
            field="event_id",
            subject_id=subject_id,
        )
    correct_record(
        session,
        actor,
        event,
        changes=changes,
        editable=AE_FIELDS,
        current={**{name: getattr(event, name) for name in AE_FIELDS}, "onset": event.onset_partial or event.onset},
        recheck=lambda row: _checked_adverse_events(session, actor, trial_code, [row]),
        reason=reason,
        expected_version=expected_version,
        what=f"adverse event {event_id} of patient {subject_id}",
        subject_id=subject_id,
    )
    return event


# --- laboratory results and samples -------------------------------------------------------------------------


def record_lab_results(session: Session, actor: Actor, trial_code: str, rows: Rows) -> list[int]:
    """Record laboratory results (SDTM LB in standard units), each row one result.

    Fields: ``test_code`` (required), ``test_name``, ``category``, ``value`` (a number) or ``value_text``
    (one of them required), ``unit`` (none for a dimensionless test such as pH), ``normal_low`` <=
    ``normal_high``, ``collected_at`` (required; on or after consent), ``visit``, ``visit_number``,
    ``baseline`` (Y/N, N when left out). Returns the new ids, in row order.
    """
    batch = open_batch(
        session, actor, trial_code, rows, what="lab result", fields=LAB_FIELDS, required=("test_code", "collected_at")
    )
    for column in ("test_code", "test_name", "category", "value_text", "unit", "visit"):
        to_texts(batch, column)
    for column in ("value", "normal_low", "normal_high", "visit_number"):
        to_numbers(batch, column)
    frame = batch.frame
    refuse_rows(
        batch,
        (frame["value"].isna() & frame["value_text"].isna()).to_numpy(),
        field="value",
        code="STORE-E120",
        message=lambda row: f"{row['test_code']} has no result: give value (a number) or value_text",
    )
    low, high = frame["normal_low"], frame["normal_high"]
    both = (low.notna() & high.notna()).to_numpy()
    reversed_range = both.copy()
    reversed_range[both] = low[both].to_numpy() > high[both].to_numpy()
    refuse_rows(
        batch,
        reversed_range,
        field="normal_low",
        code="STORE-E121",
        message=lambda row: (
            f"{row['test_code']}: the normal range's low limit {row['normal_low']:g} is above its "
            f"high limit {row['normal_high']:g}; check that they are not swapped"
        ),
    )
    to_datetimes(batch, "collected_at")
    check_after_consents(batch, "collected_at")
    to_bools(batch, "baseline", default=False)
    check_lengths(batch, LabResult)
    return write_batch(session, actor, LabResult, batch)


def _check_sample_values(batch: Batch) -> None:
    frame = batch.frame
    refuse_rows(
        batch,
        (~frame["blq"].astype(bool) & frame["value"].isna() & frame["value_text"].isna()).to_numpy(),
        field="value",
        code="STORE-E130",
        message=lambda row: (
            f"sample of {row['analyte']} has no value: give value with its unit, or blq Y "
            "(below the limit of quantification)"
        ),
    )
    refuse_rows(
        batch,
        (frame["value"].notna() & frame["unit"].isna()).to_numpy(),
        field="unit",
        code="STORE-E131",
        message=lambda row: f"sample of {row['analyte']}: the value {row['value']:g} needs its unit",
    )
    negative = [k == "pk" and v is not None and v < 0 for k, v in zip(frame["kind"], frame["value"], strict=True)]
    refuse_rows(
        batch,
        np.array(negative, dtype=bool),
        field="value",
        code="STORE-E132",
        message=lambda row: f"PK sample of {row['analyte']}: a concentration of {row['value']:g} is below 0",
    )
    refuse_rows(
        batch,
        np.array([v is not None and v <= 0 for v in frame["lloq"]], dtype=bool),
        field="lloq",
        code="STORE-E133",
        message=lambda row: (
            f"sample of {row['analyte']}: the lower limit of quantification {row['lloq']:g} must be more than 0"
        ),
    )


def record_samples(session: Session, actor: Actor, trial_code: str, rows: Rows) -> list[int]:
    """Record PK and biomarker samples (SDTM PC for PK), each row one sample.

    Fields: ``kind`` (pk or biomarker) and ``analyte`` (required), ``analyte_name``, ``specimen``,
    ``collected_at`` (required; on or after consent), ``value`` with its ``unit`` or ``value_text``,
    ``blq`` (Y/N, N when left out: below the lower limit of quantification; such a row may have no value),
    ``lloq`` (> 0), ``timepoint``, ``timepoint_hours``, ``visit``. A PK concentration is not below 0.
    Returns the new ids, in row order.
    """
    batch = open_batch(
        session,
        actor,
        trial_code,
        rows,
        what="sample",
        fields=SAMPLE_FIELDS,
        required=("kind", "analyte", "collected_at"),
    )
    to_texts(batch, "kind", choices=SAMPLE_KINDS)
    for column in ("analyte", "analyte_name", "specimen", "value_text", "unit", "timepoint", "visit"):
        to_texts(batch, column)
    for column in ("value", "lloq", "timepoint_hours"):
        to_numbers(batch, column)
    to_bools(batch, "blq", default=False)
    _check_sample_values(batch)
    to_datetimes(batch, "collected_at")
    check_after_consents(batch, "collected_at")
    check_lengths(batch, Sample)
    return write_batch(session, actor, Sample, batch)
