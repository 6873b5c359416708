"""One shape for errors about a lesion record: subject, visit and lesion named, then what is wrong."""

from __future__ import annotations

import pandas as pd

from oncotrial.errors import DataError


def lesion_error(
    rows: pd.DataFrame,
    detail: str,
    code: str,
    *,
    lesion_col: str = "LESIONID",
    error: type[DataError] = DataError,
) -> DataError:
    """The error for the first of ``rows``; ``detail`` is formatted with that row's columns."""
    row = rows.iloc[0]
    return error(
        f"Subject {row['USUBJID']}, visit {row['VISIT']}, lesion {row[lesion_col]}: "
        + detail.format(**{str(k): v for k, v in row.items()}),
        code=code,
        subject_id=row["USUBJID"],
        visit=row["VISIT"],
        lesion=row[lesion_col],
    )
