"""Single-dose NCA profiles from an SDTM PC (concentrations) and EX (exposure) pair.

The rules (those the PKNCA reference in ``tests/reference/pk/`` was computed with):

* PC rows of the specimen ``spec`` (``PCSPEC``, default PLASMA) whose ``PCTPT`` is a time point, not a
  collection interval (``"0-6h Post-dose"`` is a urine-style interval and is left out);
* time: ``"nominal"`` takes ``PCTPTNUM``; ``"actual"`` takes the hours from the subject's first dose
  (earliest ``EXSTDTC``, at midnight when it has no time) to ``PCDTC``. A pre-dose sample (time < 0) is
  put at time 0, the time of the dose;
* concentration: ``PCSTRESN``, with a result written ``<...`` in ``PCSTRESC`` (``<BLQ``) as 0 (BLQ);
* dose: ``EXDOSE`` of the subject's earliest EX record, at time 0;
* subjects whose concentrations are all BLQ (placebo) are left out.

Output columns: ``USUBJID``, ``PCTESTCD`` (the analyte), ``time``, ``conc``, ``dose`` — the input of
:func:`oncotrial.pk.derive_nca` with ``subject_col="USUBJID"``, ``group_cols=("PCTESTCD",)``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from oncotrial._frames import check_columns
from oncotrial.errors import DataError

__all__ = ["PC_COLUMNS", "derive_pk_profiles"]

PC_COLUMNS = ("USUBJID", "PCTESTCD", "PCSPEC", "PCTPT", "PCTPTNUM", "PCSTRESC", "PCSTRESN", "PCDTC")
EX_COLUMNS = ("USUBJID", "EXDOSE", "EXSTDTC")
_INTERVAL = r"^\s*\d+(\.\d+)?\s*-\s*\d+"


def _first_doses(ex: pd.DataFrame) -> pd.DataFrame:
    start = pd.to_datetime(ex["EXSTDTC"], errors="coerce", format="ISO8601")
    table = pd.DataFrame({"USUBJID": ex["USUBJID"], "start": start, "dose": pd.to_numeric(ex["EXDOSE"], "coerce")})
    table = table.dropna(subset=["start"]).sort_values(["USUBJID", "start"], kind="stable")
    return table.groupby("USUBJID", sort=False).first().reset_index()


def _times(pc: pd.DataFrame, first: pd.DataFrame, time: str) -> pd.Series:
    if time == "nominal":
        return pd.to_numeric(pc["PCTPTNUM"], errors="coerce")
    start = pc["USUBJID"].map(first.set_index("USUBJID")["start"])
    taken = pd.to_datetime(pc["PCDTC"], errors="coerce", format="ISO8601")
    return (taken - start).dt.total_seconds() / 3600


def derive_pk_profiles(
    pc: pd.DataFrame, ex: pd.DataFrame, *, time: Literal["nominal", "actual"] = "nominal", spec: str = "PLASMA"
) -> pd.DataFrame:
    """The samples of each subject's first-dose profile, with its dose (see the module docstring).

    Raises
    ------
    DataError
        PC or EX lacks a column (PK-E001), ``time`` is not nominal/actual (PK-E008), a subject has
        concentrations but no dose record (PK-E011), or a sample has no time (PK-E003).
    """
    check_columns(pc, PC_COLUMNS, name="PC", code="PK-E001")
    check_columns(ex, EX_COLUMNS, name="EX", code="PK-E001")
    if time not in ("nominal", "actual"):
        raise DataError(f"time '{time}' must be 'nominal' or 'actual'.", code="PK-E008", field="time")
    rows = pc.loc[
        (pc["PCSPEC"].astype(str) == spec) & ~pc["PCTPT"].astype(str).str.match(_INTERVAL, na=False)
    ].reset_index(drop=True)
    first = _first_doses(ex)
    no_dose = sorted(set(rows["USUBJID"]) - set(first["USUBJID"]))
    if no_dose:
        raise DataError(
            f"Subject {no_dose[0]} has {spec} concentrations but no EX record with a start date; NCA needs the "
            "dose. Add the subject's EX records or leave the subject out.",
            code="PK-E011",
            field="EXSTDTC",
            subject_id=str(no_dose[0]),
        )
    hours = _times(rows, first, time)
    missing = np.flatnonzero(hours.isna().to_numpy())
    if len(missing):
        row = int(missing[0])
        column = "PCTPTNUM" if time == "nominal" else "PCDTC"
        raise DataError(
            f"PC row {row + 1} of {spec} (subject {rows['USUBJID'].iloc[row]}): {column} is missing or unreadable, "
            "so the sample has no time after the dose.",
            code="PK-E003",
            field=column,
            subject_id=str(rows["USUBJID"].iloc[row]),
        )
    blq = rows["PCSTRESC"].astype(str).str.strip().str.startswith("<")
    conc = pd.to_numeric(rows["PCSTRESN"], errors="coerce").mask(blq, 0.0)
    dose = rows["USUBJID"].map(first.set_index("USUBJID")["dose"])
    table = pd.DataFrame(
        {"USUBJID": rows["USUBJID"], "PCTESTCD": rows["PCTESTCD"], "time": hours.clip(lower=0), "conc": conc,
         "dose": dose}
    )  # fmt: skip
    measurable = (table["conc"] > 0).groupby([table["USUBJID"], table["PCTESTCD"]]).transform("max")
    return table.loc[measurable.astype(bool)].reset_index(drop=True)
