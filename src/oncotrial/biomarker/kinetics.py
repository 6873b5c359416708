"""Per patient and cycle kinetics of a biomarker (e.g. plasma IFN-γ after IL-12).

Input: one row per sample with a subject column, an optional cycle column, the time from the cycle's
start (``time_col``; the baseline sample at time 0 or before) and the value. Per patient and cycle:

* ``baseline``: the value of the last sample at or before time 0 (NaN when there is none);
* ``max``, ``tmax``: the largest value after time 0 and the first time it is reached;
* ``fold_change``: max / baseline;
* ``auc``: the area under the curve from the cycle's first sample to its last, by the linear trapezoid
  (:func:`oncotrial.pk.auc.compute_areas` with ``"linear"``: PKNCA's AUCall, on times counted from the
  first sample; NaN for a single sample);
* ``time_above``: the time the curve, joined linearly between samples, is strictly above ``threshold``
  (a segment that crosses it counts the part above, found by linear interpolation).

Vectorised: the samples are sorted once by (subject, cycle, time); every segment of every profile is one
array operation, summed per profile with ``np.bincount``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncotrial._frames import check_columns
from oncotrial._results import fit_lines, format_frame, frame_records, to_json_dict
from oncotrial.errors import DataError
from oncotrial.pk.auc import compute_areas

__all__ = ["KINETIC_PARAMETERS", "BiomarkerKinetics", "derive_biomarker_kinetics"]

KINETIC_PARAMETERS = ("baseline", "max", "tmax", "fold_change", "auc", "time_above")
Floats = NDArray[np.float64]


@dataclass(frozen=True)
class BiomarkerKinetics:
    """One row per patient (and cycle): the keys and :data:`KINETIC_PARAMETERS`."""

    table: pd.DataFrame
    keys: tuple[str, ...]
    threshold: float | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", self.table.copy())

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """``{"threshold", "profiles": [one dict per patient and cycle]}`` (JSON-safe)."""
        return to_json_dict({"threshold": self.threshold, "profiles": frame_records(self.table)})

    def __str__(self) -> str:
        head = f"Biomarker kinetics of {len(self.table)} patient-cycle(s)"
        formats = dict.fromkeys(KINETIC_PARAMETERS, ".4g")
        return f"{fit_lines(head)}\n{format_frame(self.table, formats=formats)}"


def _peak(pid: NDArray[np.int64], values: Floats, n: int) -> Floats:
    """The largest value of each profile among the rows given (NaN for a profile without one)."""
    out = np.full(n, np.nan)
    np.fmax.at(out, pid, values)
    return out


def _run_ends(rows: NDArray[np.intp], pid: NDArray[np.int64], *, last: bool) -> NDArray[np.intp]:
    """Of ``rows`` (sorted by profile, then time), the first or ``last`` one of each profile."""
    if len(rows) == 0:
        return rows
    p = pid[rows]
    change = p[1:] != p[:-1]
    return rows[np.r_[change, True]] if last else rows[np.r_[True, change]]


def _time_above(pid: NDArray[np.int64], time: Floats, value: Floats, n: int, threshold: float) -> Floats:
    same = np.flatnonzero(pid[1:] == pid[:-1])
    t1, t2, c1, c2 = time[same], time[same + 1], value[same], value[same + 1]
    dt = t2 - t1
    with np.errstate(divide="ignore", invalid="ignore"):
        rising = np.clip((c2 - threshold) / (c2 - c1), 0, 1)  # c1 <= threshold < c2: the end is above
        falling = np.clip((c1 - threshold) / (c1 - c2), 0, 1)  # c2 <= threshold < c1: the start is above
    above = np.select(
        [(c1 > threshold) & (c2 > threshold), c2 > threshold, c1 > threshold],
        [dt, dt * rising, dt * falling],
        default=0.0,
    )
    return np.asarray(np.bincount(pid[same], weights=above, minlength=n), dtype=np.float64)


def _check(samples: pd.DataFrame, time: Floats, value: Floats, value_col: str) -> None:
    bad = np.isnan(time) | np.isnan(value) | (value < 0)
    if bad.any():
        row = int(np.argmax(bad))
        raise DataError(
            f"Biomarker sample row {row + 1}: the time or {value_col} is missing or negative "
            f"({samples.iloc[row].to_dict()}). Give every sample a time from the cycle start and a measured "
            "value (0 or more), or leave the sample out.",
            code="BIOM-E002",
            rows=(row + 1,),
            field=value_col,
        )


def derive_biomarker_kinetics(
    samples: pd.DataFrame,
    *,
    subject_col: str = "USUBJID",
    cycle_col: str | None = None,
    time_col: str = "time",
    value_col: str = "value",
    threshold: float | None = None,
) -> BiomarkerKinetics:
    """Baseline, maximum, time to maximum, fold change, AUC and time above ``threshold`` per patient and cycle.

    Raises
    ------
    DataError
        A column is missing, or a time or value is missing or negative (BIOM-E001, BIOM-E002).
    """
    keys = [subject_col, *([cycle_col] if cycle_col else [])]
    columns = [*keys, time_col, value_col]
    check_columns(samples, columns, name="biomarker samples", code="BIOM-E001")
    time = pd.to_numeric(samples[time_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    value = pd.to_numeric(samples[value_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    _check(samples[columns], time, value, value_col)
    frame = samples[keys].assign(_time=time, _value=value).sort_values([*keys, "_time"], kind="stable")
    groups = frame.groupby(keys, sort=True, dropna=False)
    pid = np.asarray(groups.ngroup().to_numpy(), dtype=np.int64)
    n = groups.ngroups
    t, v = frame["_time"].to_numpy(), frame["_value"].to_numpy()
    post = t > 0
    at_base = ~post
    baseline, tmax = np.full(n, np.nan), np.full(n, np.nan)
    base_rows = _run_ends(np.flatnonzero(at_base), pid, last=True)
    baseline[pid[base_rows]] = v[base_rows]
    peak = _peak(pid[post], v[post], n)
    peak_rows = _run_ends(np.flatnonzero(post & (v == peak[pid])), pid, last=False)
    tmax[pid[peak_rows]] = t[peak_rows]
    starts = np.flatnonzero(np.r_[True, pid[1:] != pid[:-1]])
    from_first = t - np.repeat(t[starts], np.diff(np.r_[starts, len(pid)]))
    auc = compute_areas(pid, from_first, v, n, "linear").aucall  # to the last sample, zeros included
    with np.errstate(divide="ignore", invalid="ignore"):
        fold = peak / baseline
    table = groups.size().reset_index()[keys].assign(
        baseline=baseline, max=peak, tmax=tmax, fold_change=fold, auc=auc,
        time_above=np.nan if threshold is None else _time_above(pid, t, v, n, threshold),
    )  # fmt: skip
    return BiomarkerKinetics(table, tuple(keys), threshold)
