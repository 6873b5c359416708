"""Batch entry: the checks and the write every ``record_<things>(session, actor, trial_code, rows)`` shares.

A batch is a sequence of mappings, one per record, each naming its patient (``subject_id``). It is read into
one DataFrame (``object`` columns: the values as given), checked column by column with pandas (no loop
over rows in Python for a check), and only when every row passes is it written, with one multi-row
``INSERT`` per table through :func:`~oncotrial.store.audit.insert_audited`. The first bad row stops the
batch: its error names the row (``rows=(n,)``, 1-based), the patient (``subject_id``) and the field, and
nothing is written. One query maps every subject id of the batch to its patient, site and consent date.

Dates are ``datetime.date``/``datetime.datetime`` objects or ISO 8601 text (``2014-01-02``,
``2014-01-02T10:30``), local time without a UTC offset (as SDTM's ``--DTC``). Where a record keeps a date as
recorded (tumour scans: SDTM allows ``2014-01`` when the day is not known), :func:`to_partial_dates` keeps the
text and gives the imputed day for the checks.

A service either calls :func:`open_batch`, or, to check the values before the patients (the first bad row of the
batch is then named whatever is wrong with it), :func:`read_batch` then :func:`find_patients`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import String, Table, func, select
from sqlalchemy.orm import Session

from oncotrial.errors import DataError, NotFoundError, TrialError
from oncotrial.recist import compute_imputed_dates
from oncotrial.store.access import require_site
from oncotrial.store.audit import Actor, audit_context, insert_audited_columns
from oncotrial.store.columns import map_distinct, present
from oncotrial.store.models import Base, Consent, Patient, Trial
from oncotrial.store.services._common import check_version, find_trial, protocol_of_trial, require_entry

__all__ = [
    "Batch",
    "check_after_consents",
    "check_lengths",
    "check_not_before",
    "correct_record",
    "find_patients",
    "is_after",
    "is_missing",
    "open_batch",
    "read_batch",
    "refuse_duplicates",
    "refuse_rows",
    "row_label",
    "set_column",
    "to_bools",
    "to_dates",
    "to_datetimes",
    "to_numbers",
    "to_partial_dates",
    "to_texts",
    "write_batch",
]

Rows = Iterable[Mapping[str, Any]] | pd.DataFrame


@dataclass
class Batch:
    """A batch being checked: the rows as a frame (with ``patient_id``, ``site_id``, ``consent_date`` added),
    the trial, whether it has a protocol (data entry) or not (data imported from elsewhere)."""

    frame: pd.DataFrame
    trial: Trial
    has_protocol: bool
    what: str

    @property
    def imported(self) -> bool:
        """Data from elsewhere (a trial without an oncotrial protocol): only the generic checks apply."""
        return not self.has_protocol


def row_label(what: str, position: int, count: int) -> str:
    """``what row N`` in a batch of several records; ``what`` alone for one record (an entry at the CLI)."""
    return what if count == 1 else f"{what} row {position + 1}"


def refuse_rows(
    batch: Batch,
    mask: pd.Series | np.ndarray[Any, Any],
    *,
    field: str,
    code: str,
    message: Callable[[pd.Series], str],
    error: type[TrialError] = DataError,
) -> None:
    """Raise ``error`` for the first row where ``mask`` is true: ``row N, patient X: <message(row)>``."""
    flags = np.asarray(mask, dtype=bool)
    if not flags.any():
        return
    position = int(np.argmax(flags))
    row = batch.frame.iloc[position]
    subject_id = str(row["subject_id"])
    raise error(
        f"{row_label(batch.what, position, len(batch.frame))}, patient {subject_id}: {message(row)}; nothing was recorded",
        code=code,
        field=field,
        subject_id=subject_id,
        rows=(position + 1,),
    )


def _read_frame(rows: Rows, fields: Sequence[str], required: Sequence[str], what: str) -> pd.DataFrame:
    records = rows if isinstance(rows, Mapping | pd.DataFrame) else list(rows)
    if isinstance(records, Mapping) or not len(records):
        raise DataError(
            f"give the {what} records as a list of rows (one mapping per record), at least one",
            code="STORE-E100",
            field="rows",
        )
    # the values as given: no type inference
    if isinstance(records, pd.DataFrame):
        frame = records.astype(object).reset_index(drop=True)
    else:
        frame = pd.DataFrame(records, dtype=object)
    unknown = sorted(set(frame.columns) - {"subject_id", *fields})
    if unknown:
        position = int(np.argmax(frame[unknown].notna().any(axis=1).to_numpy()))
        raise DataError(
            f"{row_label(what, position, len(frame))}: {', '.join(unknown)} is not a field of a {what} record (its fields: "
            f"subject_id, {', '.join(fields)})",
            code="STORE-E101",
            field=unknown[0],
            rows=(position + 1,),
        )
    absent = [name for name in ("subject_id", *fields) if name not in frame.columns]
    frame = frame.reindex(columns=[*frame.columns, *absent]).astype(object)  # one copy, not one per field
    frame = frame.where(frame.notna(), None)
    for name in ("subject_id", *required):
        missing = np.array(map_distinct(present(frame[name]), _is_blank, True), dtype=bool)
        if missing.any():
            position = int(np.argmax(missing))
            subject = frame["subject_id"].iloc[position]
            who = f", patient {subject}" if subject is not None else ""
            raise DataError(
                f"{row_label(what, position, len(frame))}{who}: {name} is missing; give it; nothing was recorded",
                code="STORE-E102",
                field=name,
                subject_id=None if subject is None else str(subject),
                rows=(position + 1,),
            )
    subjects = map_distinct(frame["subject_id"].tolist(), lambda v: str(v).strip(), None)
    frame["subject_id"] = pd.Series(subjects, index=frame.index, dtype=object)
    return frame.reset_index(drop=True)


def _is_blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


PATIENT_COLUMNS = ("patient_id", "site_id", "deleted", "consent_date")
# up to this many patients, a batch reads only its own (a form's entry reads one); more, the trial's at once
FEW_PATIENTS = 500


def _patients(session: Session, trial: Trial, subject_ids: Sequence[str]) -> dict[str, tuple[Any, ...]]:
    """The trial's patients of ``subject_ids`` (one query; every patient of the trial when there are more than
    :data:`FEW_PATIENTS`): subject id to (id, site, deleted or not, first consent date).

    The first consent is a subquery per patient (the consent table's patient index), so that an entry for one
    patient reads that patient's rows only, not the trial's: the cost of a form's save does not grow with the
    trial."""
    first_consent = select(func.min(Consent.consent_date)).where(Consent.patient_id == Patient.id).scalar_subquery()
    stmt = select(Patient.subject_id, Patient.id, Patient.site_id, Patient.deleted_on, first_consent).where(
        Patient.trial_id == trial.id
    )
    if len(subject_ids) <= FEW_PATIENTS:
        stmt = stmt.where(Patient.subject_id.in_(subject_ids))
    return {row[0]: tuple(row[1:]) for row in session.execute(stmt)}


def open_batch(
    session: Session,
    actor: Actor,
    trial_code: str,
    rows: Rows,
    *,
    what: str,
    fields: Sequence[str],
    required: Sequence[str] = (),
) -> Batch:
    """Check the role, read ``rows`` (fields known, ``required`` present), and find each row's patient (known,
    not deleted, at a site the actor may enter data for)."""
    require_entry(actor)
    batch = read_batch(session, find_trial(session, trial_code), rows, what=what, fields=fields, required=required)
    find_patients(session, actor, batch)
    return batch


def read_batch(
    session: Session, trial: Trial, rows: Rows, *, what: str, fields: Sequence[str], required: Sequence[str] = ()
) -> Batch:
    """Read ``rows`` (fields known, ``required`` present) for ``trial``; their patients are not looked up yet
    (:func:`find_patients`). The caller has checked the role."""
    return Batch(_read_frame(rows, fields, required, what), trial, protocol_of_trial(session, trial) is not None, what)


def find_patients(session: Session, actor: Actor, batch: Batch) -> None:
    """Add each row's ``patient_id``, ``site_id`` and ``consent_date`` (one query); refuse a patient that is
    unknown or deleted, or at a site the actor may not enter data for."""
    trial = batch.trial
    subjects = batch.frame["subject_id"].tolist()
    found = _patients(session, trial, sorted(set(subjects)))
    unknown = (None,) * len(PATIENT_COLUMNS)
    rows = [found.get(subject, unknown) for subject in subjects]
    for position, name in enumerate(PATIENT_COLUMNS):
        set_column(batch, name, [row[position] for row in rows])
    merged = batch.frame
    refuse_rows(
        batch,
        merged["patient_id"].isna().to_numpy() | merged["deleted"].notna().to_numpy(),
        field="subject_id",
        code="STORE-E023",
        message=lambda row: (
            f"trial {trial.code} has no patient {row['subject_id']}"
            + (" (deleted)" if pd.notna(row["deleted"]) else "")
            + "; check the subject id"
        ),
        error=NotFoundError,
    )
    for subject_id, site_id in merged[["subject_id", "site_id"]].drop_duplicates().itertuples(index=False):
        require_site(actor, int(site_id), subject_id=str(subject_id))
    merged["patient_id"] = merged["patient_id"].astype("int64")


# --- column conversions: each refuses the first value it cannot read --------------------------------------


def is_missing(value: Any) -> bool:
    """None, or a NaN or NaT that pandas put in place of one."""
    return value is None or value is pd.NaT or (isinstance(value, float) and value != value)


def set_column(batch: Batch, column: str, values: Sequence[Any]) -> None:
    """Replace a column by Python values, kept as they are (``object``: no NaN for None, no numpy scalars)."""
    batch.frame[column] = pd.Series(list(values), index=batch.frame.index, dtype=object)


def to_texts(batch: Batch, column: str, *, choices: Sequence[str] | None = None) -> None:
    """Text, stripped (empty is missing); with ``choices``, one of them in any case, stored as the choice is
    spelt."""
    values = map_distinct(present(batch.frame[column]), lambda v: str(v).strip() or None, None)
    if choices is not None:
        spelt = {c.casefold(): c for c in choices}
        values = map_distinct(values, lambda v: spelt.get(v.casefold(), ""), None)
        refuse_rows(
            batch,
            np.array([v == "" for v in values], dtype=bool),
            field=column,
            code="STORE-E104",
            message=lambda row: f"{column} {row[column]!r} is not one of {', '.join(choices)}",
        )
    set_column(batch, column, values)


def check_lengths(batch: Batch, model: type[Base]) -> None:
    """Refuse text longer than its column holds (PostgreSQL would refuse it at the end; SQLite never would)."""
    table = cast(Table, model.__table__)
    for column in table.columns:
        length = column.type.length if isinstance(column.type, String) else None
        if length is not None and column.name in batch.frame.columns:
            _check_length(batch, column.name, length)


def _check_length(batch: Batch, column: str, length: int) -> None:
    refuse_rows(
        batch,
        np.array(map_distinct(batch.frame[column].tolist(), lambda v: isinstance(v, str) and len(v) > length, False)),
        field=column,
        code="STORE-E105",
        message=lambda row: f"{column} {row[column]!r} is longer than {length} characters",
    )


def to_numbers(batch: Batch, column: str, *, integer: bool = False) -> None:
    """Finite numbers (``integer``: whole numbers); booleans are not numbers."""
    raw = present(batch.frame[column])
    given = np.array([v is not None for v in raw], dtype=bool)
    if bool in set(map(type, raw)):
        raw = [None if isinstance(v, bool) else v for v in raw]
    values = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce").to_numpy(dtype=float)
    bad = given & ~np.isfinite(values)
    if integer:
        bad |= np.isfinite(values) & (values != np.round(values))
    kind = "a whole number" if integer else "a number"
    refuse_rows(
        batch, bad, field=column, code="STORE-E106", message=lambda row: f"{column} {row[column]!r} is not {kind}"
    )
    set_column(batch, column, [None if v != v else (int(v) if integer else float(v)) for v in values.tolist()])


def to_bools(batch: Batch, column: str, *, default: bool | None = None) -> None:
    """True/False, also written Y/N (SDTM) or yes/no; missing gives ``default`` (refused when it is None)."""
    words = {"y": True, "yes": True, "true": True, "n": False, "no": False, "false": False}

    def read(value: Any) -> bool | str | None:
        if is_missing(value):
            return default
        if isinstance(value, bool | np.bool_):
            return bool(value)
        return words.get(str(value).strip().casefold(), "?")

    values = [read(v) for v in batch.frame[column]]
    refuse_rows(
        batch,
        np.array([v is None or v == "?" for v in values], dtype=bool),
        field=column,
        code="STORE-E107",
        message=lambda row: f"{column} {row[column]!r}: give Y or N",
    )
    set_column(batch, column, values)


def _iso_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value).strip()


def _has_offset(text: str) -> bool:
    return len(text) > 10 and ("Z" in text or "+" in text[10:] or "-" in text[10:])


def _parse_times(batch: Batch, column: str) -> pd.Series:
    text = map_distinct(present(batch.frame[column]), _iso_text, None)
    refuse_rows(
        batch,
        np.array(map_distinct(text, _has_offset, False), dtype=bool),
        field=column,
        code="STORE-E108",
        message=lambda row: f"{column} {row[column]!s} has a UTC offset; give the local time without one",
    )
    parsed = pd.Series(pd.to_datetime(pd.Series(text, dtype=object), format="ISO8601", errors="coerce"))
    given = np.array([v is not None for v in text], dtype=bool)
    unread = given & (np.array(map_distinct(text, lambda v: len(v) < 10, False), dtype=bool) | parsed.isna().to_numpy())
    refuse_rows(
        batch,
        unread,
        field=column,
        code="STORE-E108",
        message=lambda row: f"{column} {row[column]!s} is not a date (give YYYY-MM-DD, or YYYY-MM-DDTHH:MM)",
    )
    return parsed


def to_datetimes(batch: Batch, column: str) -> None:
    """Date and time (a date alone is its midnight)."""
    parsed = _parse_times(batch, column)
    set_column(batch, column, present(parsed.array.to_pydatetime()))


def to_dates(batch: Batch, column: str) -> None:
    """A date (the date of a date and time)."""
    parsed = _parse_times(batch, column)
    set_column(batch, column, present(parsed.dt.date))


def to_partial_dates(batch: Batch, column: str) -> pd.Series:
    """ISO 8601 dates kept as text, which may be partial (``YYYY-MM`` when the day is not known, as SDTM's
    ``--DTC``); returns the day of each (a partial date imputed as ``oncotrial.recist`` imputes it: the month's
    last day), for the checks."""
    text = map_distinct(present(batch.frame[column]), lambda v: v.isoformat() if isinstance(v, dt.date) else v, None)
    set_column(batch, column, text)
    to_texts(batch, column)
    imputed = compute_imputed_dates(pd.Series(batch.frame[column], dtype=object))
    refuse_rows(
        batch,
        (batch.frame[column].notna() & imputed.unparsed).to_numpy(),
        field=column,
        code="STORE-E108",
        message=lambda row: (
            f"{column} {row[column]!r} is not a date; write YYYY-MM-DD (or YYYY-MM when the day is not known)"
        ),
    )
    return pd.Series(present(pd.Series(imputed.dates).dt.date), index=batch.frame.index, dtype=object)


def day_of(values: pd.Series) -> pd.Series:
    """The date of each date or datetime (None stays None), for comparisons."""
    return pd.Series(
        [v.date() if isinstance(v, dt.datetime) else (None if is_missing(v) else v) for v in values],
        index=values.index,
        dtype=object,
    )


# --- common checks ------------------------------------------------------------------------------------------


def check_after_consents(
    batch: Batch, column: str, *, flag_column: str | None = None, days: pd.Series | None = None
) -> None:
    """Dates on or after the patient's first consent.

    Data entry (a trial with a protocol) needs a recorded consent and refuses an earlier date. Data imported
    from elsewhere is checked only against a consent that is recorded; with ``flag_column``, an earlier
    date is kept and flagged there instead of refused (adverse events reported from before consent).
    ``days`` are the days compared when ``column`` holds text (:func:`to_partial_dates`).
    """
    frame = batch.frame
    day = day_of(frame[column]) if days is None else days
    consent = frame["consent_date"]
    if batch.has_protocol:
        refuse_rows(
            batch,
            (day.notna() & consent.isna()).to_numpy(),
            field=column,
            code="STORE-E030",
            message=lambda _row: (
                "no consent is recorded, so nothing dated can be recorded yet; record the consent first"
            ),
        )
    before = (day.notna() & consent.notna()).to_numpy().copy()
    before[before] = day[before].to_numpy() < consent[before].to_numpy()
    if flag_column is not None and batch.imported:
        set_column(batch, flag_column, before.tolist())
        return
    refuse_rows(
        batch,
        before,
        field=column,
        code="STORE-E031",
        message=lambda row: f"{column} {row[column]} is before consent on {row['consent_date']}; check the date",
    )


def is_after(later: Iterable[Any], earlier: Iterable[Any]) -> np.ndarray[Any, Any]:
    """Where both values are given and ``later`` is after ``earlier``."""
    return np.array(
        [not is_missing(a) and not is_missing(b) and a > b for a, b in zip(later, earlier, strict=True)], dtype=bool
    )


def check_not_before(batch: Batch, later: str, earlier: str, *, code: str) -> None:
    """``later`` is not before ``earlier`` where both are given."""
    refuse_rows(
        batch,
        is_after(batch.frame[earlier], batch.frame[later]),
        field=later,
        code=code,
        message=lambda row: f"{later} {row[later]} is before {earlier} {row[earlier]}; check both dates",
    )


def refuse_duplicates(
    batch: Batch, keys: Sequence[str], *, field: str, code: str, message: Callable[[pd.Series], str]
) -> None:
    """Refuse the second row of the batch with the same ``keys`` as an earlier one."""
    refuse_rows(
        batch,
        batch.frame.duplicated(list(keys), keep="first").to_numpy(),
        field=field,
        code=code,
        message=lambda row: f"{message(row)} is given twice in the batch; keep one row",
    )


def write_batch(session: Session, actor: Actor, model: type[Base], batch: Batch, **constant: Any) -> list[int]:
    """Insert every row of the checked batch into ``model``'s table (audited); its columns are taken from the
    frame, ``constant`` ones from the keywords. Returns the new ids in row order."""
    table = cast(Table, model.__table__)
    count = len(batch.frame)
    columns = {
        c.name: [constant[c.name]] * count if c.name in constant else batch.frame[c.name].tolist()
        for c in table.columns
        if c.name not in ("id", "version")
    }
    return insert_audited_columns(session, table, columns, actor, count=count)


def correct_record(
    session: Session,
    actor: Actor,
    record: Base,
    *,
    changes: Mapping[str, Any],
    editable: Sequence[str],
    current: Mapping[str, Any],
    recheck: Callable[[dict[str, Any]], Batch],
    reason: str,
    expected_version: int | None,
    what: str,
    subject_id: str,
) -> None:
    """Correct ``record`` (an ORM object): refuse an edit from an older version, and a field that cannot be
    changed; check ``current`` values with ``changes`` applied as a new row would be (``recheck``); then write
    the checked values of ``editable`` (and the columns the checks derive) with the reason, audited."""
    check_version(record, expected_version, what=what, subject_id=subject_id)
    unknown = sorted(set(changes) - set(editable))
    if unknown:
        raise DataError(
            f"{what}: {', '.join(unknown)} cannot be changed (the fields that can: {', '.join(editable)})",
            code="STORE-E101",
            field=unknown[0],
            subject_id=subject_id,
        )
    values = recheck({"subject_id": subject_id, **current, **changes}).frame.iloc[0]
    columns = {c.name for c in cast(Table, record.__table__).columns} - {"id", "patient_id", "version"}
    with audit_context(session, actor, reason):
        for name in sorted(columns & set(values.index)):
            setattr(record, name, values[name])
        session.flush()
