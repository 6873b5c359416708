"""Exposure per patient and treatment from SDTM EX: doses given, cumulative dose, duration and dose intensity.

Input (SDTM EX, one record per administration given; a held dose has no record): ``USUBJID``, ``EXTRT``,
``EXDOSE``, ``EXSTDTC`` (ISO 8601); optionally ``EXDOSU``. Per patient and treatment:

* ``doses``: records with ``EXDOSE`` > 0;
* ``cumulative_dose``: the sum of ``EXDOSE`` (its unit ``EXDOSU``, the first one written);
* ``duration_days``: last dose day - first dose day + 1 (the first 10 characters of ``EXSTDTC``);
* ``dose_intensity``: the cumulative dose per week of that duration (``cumulative_dose / duration_days * 7``),
  the delivered dose intensity of Hryniuk and Bush.

References
----------
Hryniuk W, Bush H. The importance of dose intensity in chemotherapy of metastatic breast cancer.
J Clin Oncol 1984;2:1281-8.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial._frames import check_columns
from oncotrial.errors import DataError

__all__ = ["EX_EXPOSURE_COLUMNS", "derive_exposure"]

EX_EXPOSURE_COLUMNS = ("USUBJID", "EXTRT", "EXDOSE", "EXSTDTC")
_OUT = ["USUBJID", "EXTRT", "unit", "doses", "cumulative_dose", "first_dose", "last_dose", "duration_days",
        "dose_intensity"]  # fmt: skip


def derive_exposure(ex: pd.DataFrame) -> pd.DataFrame:
    """One row per patient and treatment (see the module docstring), sorted by patient and treatment.

    Raises
    ------
    DataError
        EX lacks a column (DOSE-E060), a dose is not a number or below 0 (DOSE-E061), or a start date cannot be
        read (DOSE-E062); each names the row and patient.
    """
    check_columns(ex, EX_EXPOSURE_COLUMNS, name="EX", code="DOSE-E060")
    dose = pd.to_numeric(ex["EXDOSE"], errors="coerce")
    bad = (dose.isna() & ex["EXDOSE"].notna()) | (dose < 0)
    if bad.any():
        _raise_row(ex, int(np.argmax(bad.to_numpy())), "EXDOSE", "is not a dose of 0 or more", "DOSE-E061")
    day = pd.to_datetime(ex["EXSTDTC"].astype("string").str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    if day.isna().any():
        _raise_row(ex, int(np.argmax(day.isna().to_numpy())), "EXSTDTC", "is not a date (YYYY-MM-DD)", "DOSE-E062")
    unit = ex["EXDOSU"] if "EXDOSU" in ex.columns else pd.Series("", index=ex.index)
    table = pd.DataFrame(
        {"USUBJID": ex["USUBJID"], "EXTRT": ex["EXTRT"], "dose": dose.fillna(0.0), "day": day, "unit": unit}
    )
    table["given"] = table["dose"] > 0
    given = table[table["given"]]
    out = given.groupby(["USUBJID", "EXTRT"], sort=True).agg(
        unit=("unit", "first"),
        doses=("given", "sum"),
        cumulative_dose=("dose", "sum"),
        first_dose=("day", "min"),
        last_dose=("day", "max"),
    )
    out["duration_days"] = (out["last_dose"] - out["first_dose"]).dt.days + 1
    out["dose_intensity"] = out["cumulative_dose"] / out["duration_days"] * 7
    out = out.reset_index()
    for name in ("first_dose", "last_dose"):
        out[name] = out[name].dt.strftime("%Y-%m-%d")
    return out.astype({"doses": int, "duration_days": int})[_OUT]


def _raise_row(ex: pd.DataFrame, row: int, column: str, problem: str, code: str) -> None:
    subject = str(ex["USUBJID"].iloc[row])
    raise DataError(
        f"EX row {row + 1} (subject {subject}): {column} '{ex[column].iloc[row]}' {problem}. Correct the record.",
        code=code,
        field=column,
        subject_id=subject,
        rows=(row + 1,),
    )
