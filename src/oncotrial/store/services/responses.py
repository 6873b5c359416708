"""Responses as evaluators recorded them (SDTM RS), e.g. the investigator's overall response of imported data:
a checked batch, RECIST values controlled, dates on or after consent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from oncotrial.store.audit import Actor
from oncotrial.store.models import RecordedResponse
from oncotrial.store.services._common import find_trial, require_entry
from oncotrial.store.services._reading import (
    READER,
    RecordedBatch,
    check_after_consent,
    iso_dates,
    map_patients,
    read_rows,
    refuse,
    refuse_duplicates,
    write_rows,
)

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
_RESPONSE_COLUMNS = (
    "patient_id",
    *READER,
    "category",
    "test_code",
    "test_name",
    "visit",
    "visit_number",
    "assessed_on",
    "original",
    "response",
    "not_done_reason",
    "link_group",
    "accepted",
)


def _check_responses(frame: pd.DataFrame) -> None:
    recist = frame["category"].str.upper().str.startswith("RECIST").to_numpy(dtype=bool)
    for test_code, allowed in RESPONSE_VALUES.items():
        bad = recist & (frame["test_code"] == test_code).to_numpy() & frame["response"].notna().to_numpy()
        bad &= ~frame["response"].isin(allowed).to_numpy()
        refuse(
            frame,
            bad,
            f"{test_code} response '{{response}}' is not a RECIST 1.1 value ({', '.join(allowed)})",
            field="response",
            code="STORE-E320",
        )
    empty = frame["response"].isna() & frame["not_done_reason"].isna()
    refuse(
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
    require_entry(actor)
    trial = find_trial(session, trial_code)
    texts = ("category", "test_name", "visit", "original", "not_done_reason", "link_group", "accepted")
    required = ("subject_id", "test_code", "visit")
    frame = read_rows(
        rows,
        _RESPONSE_DEFAULTS,
        required=required,
        texts=texts,
        codes=("test_code", "response"),
        error_code="STORE-E319",
    )
    _check_responses(frame)
    map_patients(session, actor, trial, frame)
    if "assessed_on" not in frame.columns:
        frame["assessed_on"] = None
    dates = iso_dates(frame, "assessed_on", code="STORE-E307")
    partial = frame["assessed_on"].notna() & (frame["assessed_on"].str.len() != 10)
    refuse(
        frame,
        partial,
        "assessed_on {assessed_on} is not a whole date; give YYYY-MM-DD",
        field="assessed_on",
        code="STORE-E307",
    )
    check_after_consent(session, trial, frame, dates, field="assessed_on")
    keys = ("patient_id", *READER, "category", "test_code", "visit", "assessed_on")
    refuse_duplicates(frame, keys, "{test_code} of {evaluator} at {visit} on {assessed_on}", code="STORE-E322")
    frame["assessed_on"] = [None if pd.isna(d) else d.date() for d in dates]
    ids = write_rows(session, actor, RecordedResponse, frame, _RESPONSE_COLUMNS, ids=("patient_id",))
    return RecordedBatch(tuple(ids), int(frame["patient_id"].nunique()), 0, ())
