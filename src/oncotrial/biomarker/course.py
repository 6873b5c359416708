"""A biomarker's time course across patients: the median value and the number of patients at each time.

Input: one row per sample with a subject column, a time column (a nominal time, e.g. the day of the
protocol's schedule, so that the samples of different patients line up) and the value. A patient with two
samples at one time counts once, with the mean of the two.
"""

from __future__ import annotations

import pandas as pd

from oncotrial._frames import check_columns

__all__ = ["derive_biomarker_time_course"]


def derive_biomarker_time_course(
    samples: pd.DataFrame, *, subject_col: str = "USUBJID", time_col: str = "time", value_col: str = "value"
) -> pd.DataFrame:
    """One row per time (sorted): ``time``, ``n`` (patients with a value) and ``median`` (of the patients' values).

    Samples without a value or a time are left out.

    Raises
    ------
    DataError
        A named column is missing (BIOM-E001).
    """
    check_columns(samples, (subject_col, time_col, value_col), name="biomarker samples", code="BIOM-E001")
    values = pd.DataFrame(
        {
            "subject": samples[subject_col].to_numpy(),
            "time": pd.to_numeric(samples[time_col], errors="coerce").to_numpy(),
            "value": pd.to_numeric(samples[value_col], errors="coerce").to_numpy(),
        }
    ).dropna(subset=["time", "value"])
    per_patient = values.groupby(["time", "subject"], sort=True)["value"].mean().reset_index()
    course = per_patient.groupby("time", sort=True)["value"].agg(n="count", median="median").reset_index()
    return course.astype({"n": "int64", "median": "float64"})
