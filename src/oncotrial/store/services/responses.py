"""Responses as evaluators recorded them (SDTM RS), e.g. the investigator's overall response of imported data:
a checked batch, RECIST values controlled, dates on or after consent."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from oncotrial.store.audit import Actor
from oncotrial.store.models import RecordedResponse
from oncotrial.store.services._batch import (
    Batch,
    Rows,
    check_after_consents,
    check_lengths,
    find_patients,
    refuse_duplicates,
    refuse_rows,
    set_column,
    to_dates,
    to_texts,
    write_batch,
)
from oncotrial.store.services._common import find_trial, require_entry
from oncotrial.store.services._timepoints import READER, RecordedBatch, read_tumour_batch, to_codes

__all__ = ["RESPONSE_VALUES", "record_recorded_responses"]

# RECIST 1.1 response values by RS test code (the values of pharmaverse's rs_onco.csv; "CHECK" is its mark of an
# overall response sent back to the reader for review); other test codes are kept as recorded
RESPONSE_VALUES: Mapping[str, tuple[str, ...]] = {
    "OVRLRESP": ("CR", "PR", "SD", "PD", "NE", "NON-CR/NON-PD", "CHECK"),
    "TRGRESP": ("CR", "PR", "SD", "PD", "NE"),
    "NTRGRESP": ("CR", "NON-CR/NON-PD", "PD", "NE"),
    "NEWLPROG": ("Y", "N", "EQUIVOCAL", "UNEQUIVOCAL"),
}

# --- responses as recorded (RS) -------------------------------------------------------------------------

_TEXTS = ("test_name", "visit", "original", "not_done_reason", "link_group", "accepted")
_FIELDS = ("category", "test_code", "assessed_on", "response", *_TEXTS)


def _not_a_value(test_code: str, allowed: Sequence[str]) -> Callable[[pd.Series], str]:
    return lambda row: f"{test_code} response '{row['response']}' is not a RECIST 1.1 value ({', '.join(allowed)})"


def _check_responses(batch: Batch) -> None:
    frame = batch.frame
    recist = np.array([c.upper().startswith("RECIST") for c in frame["category"]], dtype=bool)
    for test_code, allowed in RESPONSE_VALUES.items():
        bad = recist & (frame["test_code"] == test_code).to_numpy() & frame["response"].notna().to_numpy()
        bad &= ~frame["response"].isin(allowed).to_numpy()
        refuse_rows(
            batch,
            bad,
            field="response",
            code="STORE-E320",
            message=_not_a_value(test_code, allowed),
        )
    refuse_rows(
        batch,
        (frame["response"].isna() & frame["not_done_reason"].isna()).to_numpy(),
        field="response",
        code="STORE-E321",
        message=lambda row: f"{row['test_code']} at {row['visit']} has no response; give it, or why it was not done",
    )


def record_recorded_responses(session: Session, actor: Actor, trial_code: str, rows: Rows) -> RecordedBatch:
    """Record responses as evaluators recorded them (RS rows: ``subject_id``, ``evaluator``, ``evaluator_id``,
    ``category``, ``test_code``, ``test_name``, ``visit``, ``visit_number``, ``assessed_on``, ``original``,
    ``response``, ``not_done_reason``, ``link_group``, ``accepted``), all or none. RECIST responses take the
    values of :data:`RESPONSE_VALUES`; dates are on or after consent."""
    require_entry(actor)
    trial = find_trial(session, trial_code)
    batch = read_tumour_batch(
        session, trial, rows, what="recorded response", fields=_FIELDS, required=("test_code", "visit")
    )
    to_texts(batch, "category")
    set_column(batch, "category", ["RECIST 1.1" if v is None else v for v in batch.frame["category"]])
    for column in _TEXTS:
        to_texts(batch, column)
    to_codes(batch, "test_code")
    to_codes(batch, "response")
    _check_responses(batch)
    find_patients(session, actor, batch)
    to_dates(batch, "assessed_on")
    check_after_consents(batch, "assessed_on")
    check_lengths(batch, RecordedResponse)
    refuse_duplicates(
        batch,
        ("patient_id", *READER, "category", "test_code", "visit", "assessed_on"),
        field="assessed_on",
        code="STORE-E322",
        message=lambda row: f"{row['test_code']} of {row['evaluator']} at {row['visit']} on {row['assessed_on']}",
    )
    ids = write_batch(session, actor, RecordedResponse, batch)
    return RecordedBatch(tuple(ids), int(batch.frame["patient_id"].nunique()), 0, ())
