"""Follow-up: off treatment and off study (with the reason), death, last known alive, and other disposition
events (SDTM DS).

:func:`record_dispositions` checks every row before it writes any (see :mod:`oncotrial.store.services._batch`):

- ``event`` is one of :data:`~oncotrial.store.models.DISPOSITION_EVENTS`; ``event_date`` is required except
  for ``other`` (a milestone recorded without a date), and on or after consent;
- off treatment and off study need the ``reason`` (DSTERM);
- a patient dies once, and nothing is dated after the death (counting the events already recorded).

The wrappers record one event each.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from oncotrial.store.audit import Actor
from oncotrial.store.models import DISPOSITION_EVENTS, Disposition
from oncotrial.store.services._batch import (
    Batch,
    Rows,
    check_after_consents,
    check_lengths,
    is_after,
    open_batch,
    refuse_rows,
    to_dates,
    to_texts,
    write_batch,
)

__all__ = [
    "record_death",
    "record_dispositions",
    "record_last_known_alive",
    "record_off_study",
    "record_off_treatment",
]

FIELDS = ("event", "event_date", "reason", "decoded", "category", "visit")
NEEDS_REASON = ("off_treatment", "off_study")


def _stored_events(session: Session, batch: Batch) -> pd.DataFrame:
    """The patients' recorded events: patient id, event, date."""
    ids = sorted(set(batch.frame["patient_id"].tolist()))
    stmt = select(Disposition.patient_id, Disposition.event, Disposition.event_date).where(
        Disposition.patient_id.in_(ids)
    )
    return pd.DataFrame(session.execute(stmt).all(), columns=["patient_id", "event", "event_date"]).astype(object)


def _check_deaths(session: Session, batch: Batch) -> None:
    frame = batch.frame
    stored = _stored_events(session, batch)
    is_death = (frame["event"] == "death").to_numpy()
    dead_before = frame["patient_id"].isin(stored.loc[stored["event"] == "death", "patient_id"]).to_numpy()
    deaths_in_batch = pd.Series(frame["patient_id"].where(is_death, None))
    refuse_rows(
        batch,
        is_death & (dead_before | (deaths_in_batch.notna() & deaths_in_batch.duplicated()).to_numpy()),
        field="event",
        code="STORE-E162",
        message=lambda _row: "a death is already recorded for this patient; correct that record instead",
    )
    recorded = pd.concat([stored, frame[["patient_id", "event", "event_date"]]], ignore_index=True)
    death_days = recorded[recorded["event"] == "death"].set_index("patient_id")["event_date"].to_dict()
    refuse_rows(
        batch,
        is_after(frame["event_date"], frame["patient_id"].map(death_days)),
        field="event_date",
        code="STORE-E163",
        message=lambda row: (
            f"{row['event']} on {row['event_date']} is after the patient's death on "
            f"{death_days[row['patient_id']]}; nothing is dated after a death, so check the dates"
        ),
    )
    last_days = stored.dropna(subset=["event_date"]).groupby("patient_id")["event_date"].max().to_dict()
    refuse_rows(
        batch,
        is_death & is_after(frame["patient_id"].map(last_days), frame["event_date"]),
        field="event_date",
        code="STORE-E163",
        message=lambda row: (
            f"death on {row['event_date']} is before an event already recorded on "
            f"{last_days[row['patient_id']]}; nothing is dated after a death, so check the dates"
        ),
    )


def record_dispositions(session: Session, actor: Actor, trial_code: str, rows: Rows) -> list[int]:
    """Record disposition events, each row one (``subject_id``, ``event``, ``event_date``, ``reason``, and
    ``decoded``, ``category``, ``visit`` as SDTM DS's DSDECOD, DSCAT, VISIT). Returns the new ids in row order."""
    batch = open_batch(session, actor, trial_code, rows, what="disposition", fields=FIELDS, required=("event",))
    to_texts(batch, "event", choices=DISPOSITION_EVENTS)
    for column in ("reason", "decoded", "category", "visit"):
        to_texts(batch, column)
    to_dates(batch, "event_date")
    frame = batch.frame
    refuse_rows(
        batch,
        ((frame["event"] != "other") & frame["event_date"].isna()).to_numpy(),
        field="event_date",
        code="STORE-E160",
        message=lambda row: f"{row['event'].replace('_', ' ')} needs its date (event_date)",
    )
    refuse_rows(
        batch,
        (frame["event"].isin(NEEDS_REASON) & frame["reason"].isna()).to_numpy(),
        field="reason",
        code="STORE-E161",
        message=lambda row: f"{row['event'].replace('_', ' ')} needs its reason (e.g. 'progressive disease')",
    )
    check_after_consents(batch, "event_date")
    _check_deaths(session, batch)
    check_lengths(batch, Disposition)
    return write_batch(session, actor, Disposition, batch)


def _record_one(
    session: Session, actor: Actor, trial_code: str, subject_id: str, event: str, fields: dict[str, Any]
) -> int:
    return record_dispositions(session, actor, trial_code, [{"subject_id": subject_id, "event": event, **fields}])[0]


def record_off_treatment(
    session: Session, actor: Actor, trial_code: str, subject_id: str, *, event_date: dt.date, reason: str, **fields: Any
) -> int:
    """The patient stopped the study treatment on ``event_date``, for ``reason``; the new record's id."""
    return _record_one(
        session, actor, trial_code, subject_id, "off_treatment", {"event_date": event_date, "reason": reason, **fields}
    )


def record_off_study(
    session: Session, actor: Actor, trial_code: str, subject_id: str, *, event_date: dt.date, reason: str, **fields: Any
) -> int:
    """The patient left the study on ``event_date``, for ``reason``; the new record's id."""
    return _record_one(
        session, actor, trial_code, subject_id, "off_study", {"event_date": event_date, "reason": reason, **fields}
    )


def record_death(
    session: Session, actor: Actor, trial_code: str, subject_id: str, *, event_date: dt.date, **fields: Any
) -> int:
    """The patient died on ``event_date`` (``reason``: the cause, when known); the new record's id."""
    return _record_one(session, actor, trial_code, subject_id, "death", {"event_date": event_date, **fields})


def record_last_known_alive(
    session: Session, actor: Actor, trial_code: str, subject_id: str, *, event_date: dt.date, **fields: Any
) -> int:
    """The patient was last known to be alive on ``event_date``; the new record's id."""
    return _record_one(session, actor, trial_code, subject_id, "last_known_alive", {"event_date": event_date, **fields})
