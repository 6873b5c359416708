"""Concentration-time profiles checked and laid out for vectorised NCA.

The input table has one row per sample:

* ``subject_col`` (default ``Subject``): the subject; with ``group_cols`` (e.g. analyte, period) it names a
  profile.
* ``time_col`` (``Time``): time after the dose, a number ≥ 0 (the dose is at time 0).
* ``conc_col`` (``conc``): the concentration, a number ≥ 0; 0 means below the limit of quantification (BLQ),
  as PKNCA reads it; a missing value (empty, ``NA``, ``.``) is left out (PKNCA's ``conc.na = "drop"``).
* ``dose_col`` (``Dose``): the dose of the profile, the same on each of its rows (may be missing: CL, Vz and
  the dose-normalised values are then missing).

The rows are sorted by profile, then time, once (``np.lexsort``); each profile is then a contiguous run
(``starts``/``counts``), which the NCA reduces with ``np.add.reduceat``, ``np.bincount`` and friends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncotrial._frames import check_columns, is_missing
from oncotrial.errors import DataError

__all__ = ["Profiles", "build_profiles", "group_starts"]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class Profiles:
    """Samples sorted by profile then time: ``pid`` (profile index per row), ``time``, ``conc`` (NaN
    dropped), and per profile its ``keys`` (a frame: group columns and ``subject``) and ``dose``."""

    keys: pd.DataFrame
    pid: Ints
    time: Floats
    conc: Floats
    dose: Floats

    @property
    def n_profiles(self) -> int:
        return len(self.keys)


def group_starts(pid: Ints) -> tuple[Ints, Ints]:
    """``(groups, starts)``: the profile of each run of equal ``pid`` and the index where it starts."""
    if len(pid) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, pid[1:] != pid[:-1]])
    return pid[starts], starts


def _numbers(table: pd.DataFrame, column: str, subject: pd.Series, *, required: bool) -> Floats:
    """A column as floats; text that is not a number is refused naming the row and subject."""
    raw = table[column]
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.to_numpy(dtype=float, na_value=np.nan)  # already numbers: NaN is missing
        missing = np.isnan(values)
    else:  # text: each distinct value looked at once (is_missing), then read as a number
        missing = is_missing(raw)
        values = pd.to_numeric(raw.where(~missing), errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~missing & ~np.isfinite(values))
    if len(bad):
        row = int(bad[0])
        raise DataError(
            f"Row {row + 1} (subject {subject.iloc[row]}): {column} '{raw.iloc[row]}' is not a number. "
            f"Write a number (0 for a concentration below the limit of quantification, or leave it empty).",
            code="PK-E002",
            field=column,
            subject_id=str(subject.iloc[row]),
            rows=[row + 1],
        )
    if required and missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise DataError(
            f"Row {row + 1} (subject {subject.iloc[row]}): {column} is missing. Every sample needs its time "
            "after the dose.",
            code="PK-E003",
            field=column,
            subject_id=str(subject.iloc[row]),
            rows=[row + 1],
        )
    return values


def _refuse_negative(values: Floats, column: str, subject: pd.Series, what: str) -> None:
    negative = np.flatnonzero(values < 0)
    if len(negative):
        row = int(negative[0])
        raise DataError(
            f"Row {row + 1} (subject {subject.iloc[row]}): {column} is {values[row]:g}, below 0. {what}",
            code="PK-E004",
            field=column,
            subject_id=str(subject.iloc[row]),
            rows=[row + 1],
        )


def _check_values(table: pd.DataFrame, subject_col: str, time_col: str, conc_col: str) -> tuple[Floats, Floats]:
    subject = table[subject_col].astype(str)
    time = _numbers(table, time_col, subject, required=True)
    conc = _numbers(table, conc_col, subject, required=False)
    _refuse_negative(time, time_col, subject, "Times are hours (or days) after the dose; put a pre-dose sample at 0.")
    _refuse_negative(conc, conc_col, subject, "Write a concentration below the limit of quantification as 0.")
    return time, conc


def _refuse_duplicates(order: Ints, gid: Ints, time: Floats, subject: pd.Series, time_col: str) -> None:
    same = (gid[order][1:] == gid[order][:-1]) & (time[order][1:] == time[order][:-1])
    if same.any():
        first, second = sorted((int(order[np.flatnonzero(same)[0]]), int(order[np.flatnonzero(same)[0] + 1])))
        raise DataError(
            f"Rows {first + 1} and {second + 1} (subject {subject.iloc[first]}): two samples at {time_col} "
            f"{time[first]:g} in one profile. Keep one sample per time (or tell the profiles apart by analyte or "
            "period).",
            code="PK-E005",
            field=time_col,
            subject_id=str(subject.iloc[first]),
            rows=[first + 1, second + 1],
        )


def _profile_doses(dose: Floats, pid: Ints, starts: Ints, subject: pd.Series, dose_col: str) -> Floats:
    """The dose of each profile, refused when it differs between the profile's rows."""
    filled = np.where(np.isnan(dose), -np.inf, dose)
    high = np.maximum.reduceat(filled, starts)
    low = np.minimum.reduceat(np.where(np.isnan(dose), np.inf, dose), starts)
    differs = np.isfinite(low) & (high != low)
    if differs.any():
        where = subject.iloc[int(starts[np.flatnonzero(differs)[0]])]
        raise DataError(
            f"Subject {where}: {dose_col} differs between the rows of one profile. NCA takes one dose per profile "
            "(single dose at time 0); give the same dose on each row.",
            code="PK-E006",
            field=dose_col,
            subject_id=str(where),
        )
    return np.where(np.isfinite(high), high, np.nan)


def build_profiles(
    data: pd.DataFrame,
    *,
    subject_col: str,
    time_col: str,
    conc_col: str,
    dose_col: str | None,
    group_cols: Sequence[str] = (),
    extra_cols: Sequence[str] = (),
) -> tuple[Profiles, dict[str, NDArray[Any]]]:
    """The checked, sorted profiles, and the ``extra_cols`` in the same row order (missing-conc rows left out)."""
    required = [*group_cols, subject_col, time_col, conc_col, *([dose_col] if dose_col else []), *extra_cols]
    check_columns(
        data, required, name="concentration", code="PK-E001",
        hint="Name the columns with subject_col, time_col, conc_col and dose_col (--subject, --time, --conc, --dose).",
    )  # fmt: skip
    if data.empty:
        raise DataError("The concentration table has no rows.", code="PK-E001", field=conc_col)
    table = data.reset_index(drop=True)
    keys = [*group_cols, subject_col]
    gid = np.asarray(table.groupby(keys, sort=True, dropna=False).ngroup(), dtype=np.int64)
    time, conc = _check_values(table, subject_col, time_col, conc_col)
    order = np.asarray(np.lexsort((time, gid)), dtype=np.int64)
    subject = table[subject_col].astype(str)
    _refuse_duplicates(order, gid, time, subject, time_col)
    dose_all = _numbers(table, dose_col, subject, required=False) if dose_col else np.full(len(table), np.nan)
    _refuse_negative(dose_all, dose_col or "dose", subject, "A dose is an amount given, 0 or more.")
    pid_all = gid[order]
    _, starts_all = group_starts(pid_all)
    dose = _profile_doses(dose_all[order], pid_all, starts_all, subject.iloc[order], dose_col or "dose")
    key_frame = table.loc[order[starts_all], keys].reset_index(drop=True)
    key_frame = key_frame.rename(columns={subject_col: "subject"})
    kept = order[~np.isnan(conc[order])]
    extras = {c: table[c].to_numpy()[kept] for c in extra_cols}
    profiles = Profiles(key_frame, gid[kept], time[kept], conc[kept], dose)
    return profiles, extras
