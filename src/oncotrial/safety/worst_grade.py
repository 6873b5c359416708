"""Patients by worst CTCAE grade, per group, system organ class and preferred term (the AE table of a report).

From :class:`~oncotrial.safety.AeTables` (its ``worst`` grade per patient and term): for each group and term
the patients whose worst grade of that term is 1, 2, 3, 4 or 5 (or unknown, ``grade_missing``), and an
``ANY ADVERSE EVENT`` row per group with each patient's worst grade over every term. ``N`` is the group's
patients (``AeTables.counts``), so a percentage is ``n / N``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial.safety.adverse_events import ANY_EVENT, AeTables

__all__ = ["GRADE_COLUMNS", "derive_worst_grade_counts"]

GRADE_COLUMNS = ("grade_1", "grade_2", "grade_3", "grade_4", "grade_5", "grade_missing")


def _count(worst: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grade = worst["worst_grade"].to_numpy(dtype=float)
    labels = np.where(np.isnan(grade), "grade_missing", "grade_" + np.nan_to_num(grade).astype(int).astype(str))
    table = pd.crosstab([worst[k] for k in keys], labels) if len(worst) else pd.DataFrame(columns=list(GRADE_COLUMNS))
    return table.reindex(columns=list(GRADE_COLUMNS), fill_value=0).reset_index()


def derive_worst_grade_counts(tables: AeTables) -> pd.DataFrame:
    """One row per group (``tables.by``), AEBODSYS and AEDECOD, the any-event row of each group first, with N,
    the patients by worst grade (:data:`GRADE_COLUMNS`) and ``any`` (patients with the term at any grade)."""
    by = list(tables.by)
    worst = tables.worst
    per_patient = worst.groupby(["USUBJID", *by], dropna=False)["worst_grade"].max().reset_index()
    overall = _count(per_patient.assign(AEBODSYS=ANY_EVENT, AEDECOD=""), [*by, "AEBODSYS", "AEDECOD"])
    terms = _count(worst, [*by, "AEBODSYS", "AEDECOD"]).sort_values([*by, "AEBODSYS", "AEDECOD"], kind="stable")
    counts = pd.concat([overall, terms], ignore_index=True)
    if by:
        counts = counts.sort_values(by, kind="stable")
    denominators = tables.counts.loc[tables.counts["level"] == "any", [*by, "N"]]
    counts = counts.merge(denominators, on=by, how="left") if by else counts.assign(N=int(denominators["N"].iloc[0]))
    counts["any"] = counts[list(GRADE_COLUMNS)].sum(axis=1)
    columns = [*by, "AEBODSYS", "AEDECOD", "N", *GRADE_COLUMNS, "any"]
    return counts[columns].reset_index(drop=True)
