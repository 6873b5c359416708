"""CTCAE v5 grades of SDTM LB records, in both directions, and the worst grade per patient, test and period.

Input: SDTM LB, one row per record, with the columns

* ``USUBJID``, ``LBTESTCD`` (the test code: HGB, WBC, ALT, ...; see ``rules/ctcae_v5_lab_terms.csv``);
* ``LBSTRESN`` (the standard numeric result), ``LBSTRESU`` (its unit), ``LBSTNRLO`` and ``LBSTNRHI`` (the
  patient's normal range in the same unit; missing where the laboratory gives none);
* optionally ``LBBLFL`` ("Y" on the baseline record of each patient and test), ``LBSEQ`` and the visit
  columns (``VISITNUM``, ``VISIT``, ``LBDTC``, ``LBDY``, ``EPOCH``), which are carried to the output.

Analysis values are made as admiral's ADLB template makes them: AVAL = LBSTRESN, ANRLO/ANRHI =
LBSTNRLO/LBSTNRHI, BASE = the value of the patient's LBBLFL = "Y" record of the same test, each converted
to the unit of the term's thresholds (``rules/lab_units.csv``: GI/L is 10^9/L, g/dL x 10 is g/L,
haemoglobin mmol/L x 16.1145 is g/L). The grades are :func:`oncotrial.safety.ctcae.compute_lab_grades`, in
admiral's names: ATOXDSCL/ATOXGRL (the low-direction term and grade), ATOXDSCH/ATOXGRH (high). A grade
is missing where the direction has no term for the test, or the value (or a limit it needs) is missing.

Only the records of graded tests are kept. Everything is vectorised: the few distinct test/unit pairs are
looked up once, the baseline is joined through one group number per patient and test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncotrial._frames import check_columns, is_missing, read_flags
from oncotrial._results import fit_lines, format_frame, frame_records, to_json_dict
from oncotrial.errors import DataError, InconsistentDataError
from oncotrial.safety.ctcae import CtcaeLabRules, compute_lab_grades, load_ctcae_lab_rules

__all__ = ["LAB_COLUMNS", "LabGrades", "derive_lab_grades", "derive_worst_lab_grades"]

LAB_COLUMNS = ("USUBJID", "LBTESTCD", "LBSTRESN", "LBSTRESU", "LBSTNRLO", "LBSTNRHI")
"""The LB columns the grading needs."""

_CARRIED = ("LBSEQ", "VISITNUM", "VISIT", "LBDTC", "LBDY", "EPOCH")
_GRADES = ("ATOXGRL", "ATOXGRH")


@dataclass(frozen=True)
class LabGrades:
    """Each graded LB record: its keys, AVAL, AVALU, ANRLO, ANRHI, BASE, ATOXDSCL, ATOXDSCH, ATOXGRL and
    ATOXGRH (nullable integers: missing where not graded)."""

    table: pd.DataFrame
    version: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", self.table.copy())

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """``{"version", "records": [one dict per record]}`` (JSON-safe; missing values as None)."""
        return to_json_dict({"version": self.version, "records": frame_records(self.table)})

    def __str__(self) -> str:
        counts = []
        for direction, (term, grade) in {"low": ("ATOXDSCL", "ATOXGRL"), "high": ("ATOXDSCH", "ATOXGRH")}.items():
            graded = self.table.dropna(subset=[grade])
            table = pd.crosstab(graded[term], graded[grade].astype(int))
            table.columns = [f"grade {c}" for c in table.columns]
            counts.append(table.rename_axis(f"{direction} term").reset_index())
        head = f"CTCAE v{self.version} grades of {len(self.table)} lab record(s)"
        return "\n\n".join([fit_lines(head), *(format_frame(c) for c in counts)])


def _record_error(
    error: type[DataError],
    lb: pd.DataFrame,
    file_rows: NDArray[np.int64],
    row: int,
    text: str,
    *,
    code: str,
    field: str,
) -> DataError:
    """An error about record ``row`` of the graded tests, named by its row in the LB file (1-based)."""
    subject = str(lb["USUBJID"].iloc[row])
    where = int(file_rows[row])
    return error(
        f"LB row {where} (subject {subject}, {lb['LBTESTCD'].iloc[row]}): {text}",
        code=code,
        field=field,
        subject_id=subject,
        rows=(where,),
    )


def _numbers(lb: pd.DataFrame, column: str, file_rows: NDArray[np.int64]) -> NDArray[np.float64]:
    """A column as floats; text that is neither a number nor missing is an error naming its row."""
    values = lb[column]
    if pd.api.types.is_numeric_dtype(values):
        return np.asarray(values.to_numpy(dtype=float, na_value=np.nan), dtype=np.float64)
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(numbers) & ~is_missing(values)
    if bad.any():
        row = int(np.argmax(bad))
        text = f"{column} '{lb[column].iloc[row]}' is not a number. Give the standard result as a number, or leave it empty."
        raise _record_error(DataError, lb, file_rows, row, text, code="SAFETY-E002", field=column)
    return np.asarray(numbers, dtype=np.float64)


def _factors(
    lb: pd.DataFrame, test_codes: NDArray[np.int64], tests: pd.Index, rules: CtcaeLabRules, file_rows: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.object_]]:
    """The factor to each record's graded unit, and that unit; an unknown unit is an error.

    The distinct (test, unit) pairs (a few dozen) are looked up once, then spread to the records."""
    wanted = rules.terms.drop_duplicates("lbtestcd").set_index("lbtestcd")["unit"]
    units = rules.units
    unit_codes, unit_names = pd.factorize(lb["LBSTRESU"].astype("string").fillna("").str.strip())
    pair = test_codes * (len(unit_names) + 1) + unit_codes
    distinct, codes = np.unique(pair, return_inverse=True)
    factors = np.ones(len(distinct))
    graded_units = np.empty(len(distinct), dtype=object)
    for i, code in enumerate(distinct):
        test, unit = str(tests[code // (len(unit_names) + 1)]), str(unit_names[code % (len(unit_names) + 1)])
        target = wanted.get(test, "")
        if target == "":  # thresholds relative to the patient's own limits: any unit
            graded_units[i] = unit
            continue
        allowed = units[(units["graded_unit"] == target) & units["lbtestcd"].isin([test, ""])]
        match = allowed[allowed["unit"] == unit].sort_values("lbtestcd", ascending=False)
        if match.empty:
            row = int(np.argmax(codes == i))
            text = (
                f"the unit '{unit}' cannot be converted to {target} for CTCAE grading. Convert LBSTRESN and the "
                f"normal range to one of {sorted(set(allowed['unit']))}."
            )
            raise _record_error(DataError, lb, file_rows, row, text, code="SAFETY-E003", field="LBSTRESU")
        factors[i] = float(match["factor"].iloc[0])
        graded_units[i] = target
    return factors[codes], graded_units[codes]


def _baseline(lb: pd.DataFrame, value: NDArray[np.float64], file_rows: NDArray[np.int64]) -> NDArray[np.float64]:
    """Each record's BASE: the value of the patient's LBBLFL = "Y" record of the same test."""
    if "LBBLFL" not in lb.columns:
        return np.full(len(lb), np.nan)
    flag = read_flags(lb["LBBLFL"], column="LBBLFL", name="LB", code="SAFETY-E004")
    group = lb.groupby(["USUBJID", "LBTESTCD"], sort=False, dropna=False).ngroup().to_numpy()
    counts = np.bincount(group[flag], minlength=int(group.max()) + 1 if len(group) else 0)
    if (counts > 1).any():
        row = int(np.argmax(flag & (counts[group] > 1)))
        text = "a second baseline (LBBLFL = Y) record of this test. Flag one record per patient and test."
        raise _record_error(InconsistentDataError, lb, file_rows, row, text, code="SAFETY-E005", field="LBBLFL")
    base = np.full(int(group.max()) + 1 if len(group) else 0, np.nan)
    base[group[flag]] = value[flag]
    return base[group]


def derive_lab_grades(lb: pd.DataFrame, *, rules: CtcaeLabRules | None = None) -> LabGrades:
    """The CTCAE v5 low and high grades of every LB record of a graded test (admiral's ATOXGRL/ATOXGRH).

    Raises
    ------
    DataError
        A column is missing, a result is not a number, or a unit cannot be converted (SAFETY-E001..E003).
    InconsistentDataError
        A patient has two baseline records of one test (SAFETY-E005).
    """
    rules = rules or load_ctcae_lab_rules()
    check_columns(lb, LAB_COLUMNS, name="LB", code="SAFETY-E001", hint="CTCAE grading reads SDTM LB.")
    kept = np.asarray(lb["LBTESTCD"].isin(rules.terms["lbtestcd"]).to_numpy(), dtype=bool)
    file_rows = np.flatnonzero(kept).astype(np.int64) + 1
    lb = lb.loc[kept].reset_index(drop=True)
    test_codes, tests = pd.factorize(lb["LBTESTCD"])
    test_codes = np.asarray(test_codes, dtype=np.int64)
    factor, unit = _factors(lb, test_codes, pd.Index(tests), rules, file_rows)
    aval = _numbers(lb, "LBSTRESN", file_rows) * factor
    low, high = _numbers(lb, "LBSTNRLO", file_rows) * factor, _numbers(lb, "LBSTNRHI", file_rows) * factor
    base = _baseline(lb, aval, file_rows)
    out = lb[["USUBJID", *(c for c in _CARRIED if c in lb.columns), "LBTESTCD"]].copy()
    out = out.assign(AVAL=aval, AVALU=unit, ANRLO=low, ANRHI=high, BASE=base)
    for direction, term_col, grade_col in (("L", "ATOXDSCL", "ATOXGRL"), ("H", "ATOXDSCH", "ATOXGRH")):
        terms = rules.terms[rules.terms["direction"] == direction].set_index("lbtestcd")["term"]
        term_of_test = pd.Series(tests).map(terms)  # per distinct test code, then spread to the records
        term_index = rules.term_index(term_of_test)[test_codes]
        grade = compute_lab_grades(term_index, aval, low, high, base, rules=rules)
        out[term_col] = np.array([*rules.term_names, None], dtype=object)[term_index]  # -1: no term
        out[grade_col] = pd.array(np.where(grade >= 0, grade, 0), dtype="Int64")
        out.loc[grade < 0, grade_col] = pd.NA
    return LabGrades(out, rules.version)


def derive_worst_lab_grades(grades: pd.DataFrame, *, period_cols: Sequence[str] = ()) -> pd.DataFrame:
    """The worst (highest) low and high grade per patient, test and period (``period_cols``, e.g. EPOCH).

    ``grades`` is :meth:`LabGrades.to_frame`. A direction none of whose records could be graded stays
    missing. One row per USUBJID, LBTESTCD and period, with ATOXDSCL, ATOXGRL, ATOXDSCH, ATOXGRH and the
    number of records ``n``.
    """
    keys = ["USUBJID", "LBTESTCD", *period_cols]
    check_columns(grades, [*keys, "ATOXDSCL", "ATOXDSCH", *_GRADES], name="lab grades", code="SAFETY-E001")
    grouped = grades.groupby(keys, sort=True, dropna=False)
    worst = grouped.agg(
        ATOXDSCL=("ATOXDSCL", "first"),
        ATOXGRL=("ATOXGRL", "max"),
        ATOXDSCH=("ATOXDSCH", "first"),
        ATOXGRH=("ATOXGRH", "max"),
        n=("LBTESTCD", "size"),
    ).reset_index()
    for column in _GRADES:
        worst[column] = worst[column].astype("Int64")
    return worst
