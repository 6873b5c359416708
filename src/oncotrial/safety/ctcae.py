"""The CTCAE v5 laboratory rule tables (``rules/*.csv``, see ``rules/PROVENANCE.md``) and the grading of
lab values against them, vectorised.

``rules/ctcae_v5_lab_grades.csv`` holds one row per term, direction and grade (and, where CTCAE v5 makes
the grade depend on the baseline, per baseline state), each with its CTCAE v5 criterion text. A row is
``value <comparator> multiple x reference + plus``, the reference being the patient's ULN, LLN, baseline
or nothing (an absolute threshold). The rows of a term are read in order and the first that holds gives
the grade, as admiral's ``case_when``: the highest grade first. A row whose comparator is ``missing``
gives no grade when its reference is missing (the CTCAE criterion cannot be read without it). A value
that no row grades is grade 0; a missing value has no grade.

``rules/ctcae_v5_lab_terms.csv`` names the term of each LB test code and direction, and the unit its
absolute thresholds are written in; ``rules/lab_units.csv`` lists the units accepted for that unit and
their factor (haemoglobin in mmol/L x 16.1145 is g/L).

Grading is vectorised over records: each row position k of a term (at most a dozen) is applied to every
record at once, its reference, threshold and comparison chosen per record with ``numpy.select``.

References
----------
National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE) version 5.0,
27 November 2017. The interpretation of each criterion follows admiral 1.0.2 (``atoxgr_criteria_ctcv5``,
``derive_var_atoxgr_dir``), with which the grades are equal on pharmaversesdtm LB (tests/reference/safety).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncotrial.errors import RuleTableError

__all__ = ["CtcaeLabRules", "Direction", "compute_lab_grades", "load_ctcae_lab_rules"]

Direction = Literal["L", "H"]
Floats = NDArray[np.float64]

_REFERENCES = ("none", "ULN", "LLN", "BASE")
_COMPARATORS = ("<", "<=", ">", ">=", "missing")
_BASELINES = ("any", "normal", "abnormal")
_NO_GRADE = -1  # a row that gives "not gradable"
_UNSET = -2


@dataclass(frozen=True)
class CtcaeLabRules:
    """The loaded rule tables: ``grades`` (one row per rule), ``terms`` (test code and direction → term)
    and ``units`` (accepted units and their factors), each a DataFrame as in the CSV files, plus the
    rules as arrays ``[term, position]`` for the vectorised grading."""

    grades: pd.DataFrame
    terms: pd.DataFrame
    units: pd.DataFrame
    term_names: tuple[str, ...]
    reference: NDArray[np.int64]
    comparator: NDArray[np.int64]
    baseline: NDArray[np.int64]
    grade: NDArray[np.int64]
    multiple: Floats
    plus: Floats
    version: str

    def term_index(self, terms: pd.Series) -> NDArray[np.int64]:
        """The position of each term in ``term_names`` (-1 for a missing or unknown term)."""
        return np.asarray(pd.Index(self.term_names).get_indexer(pd.Index(terms)), dtype=np.int64)


def _read(name: str) -> pd.DataFrame:
    with files("oncotrial.safety").joinpath(f"rules/{name}").open(encoding="utf-8") as f:
        return pd.read_csv(f, dtype=str, keep_default_na=False)


def _codes(rows: pd.DataFrame, column: str, allowed: tuple[str, ...]) -> NDArray[np.int64]:
    index = np.asarray(pd.Index(allowed).get_indexer(pd.Index(rows[column])), dtype=np.int64)
    if (index < 0).any():
        bad = sorted(set(rows[column][index < 0]))
        raise RuleTableError(
            f"The CTCAE lab rule table has {column} value(s) {bad}; allowed: {list(allowed)}.",
            code="SAFETY-E900",
            field=column,
        )
    return index


def _check_order(rows: pd.DataFrame) -> None:
    """Within a term the grades never rise from one row to the next (the first row that holds wins)."""
    graded = rows[rows["grade"] != ""]
    for term, group in graded.groupby("term", sort=False):
        grades = group["grade"].astype(int).to_numpy()
        if (np.diff(grades) > 0).any():
            raise RuleTableError(
                f"The CTCAE lab rules of '{term}' are not ordered from the highest grade down.",
                code="SAFETY-E901",
                rule_id=str(group["rule_id"].iloc[0]),
            )


def _check_terms(grades: pd.DataFrame, terms: pd.DataFrame) -> None:
    unknown = sorted(set(terms["term"]) - set(grades["term"]))
    if unknown:
        raise RuleTableError(f"The CTCAE lab terms {unknown} have no grading rule.", code="SAFETY-E902")
    units = terms.groupby("lbtestcd")["unit"].nunique()
    if (units > 1).any():
        raise RuleTableError(
            f"The lab tests {sorted(units.index[units > 1])} are given two units in ctcae_v5_lab_terms.csv.",
            code="SAFETY-E902",
        )


def _positions(rows: pd.DataFrame, term_names: tuple[str, ...]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    term = np.asarray(pd.Index(term_names).get_indexer(pd.Index(rows["term"])), dtype=np.int64)
    position = np.asarray(rows.groupby("term", sort=False).cumcount().to_numpy(), dtype=np.int64)
    return term, position


@lru_cache(maxsize=1)
def load_ctcae_lab_rules() -> CtcaeLabRules:
    """Load and check the packaged CTCAE v5 lab rule tables (once)."""
    grades, terms, units = _read("ctcae_v5_lab_grades.csv"), _read("ctcae_v5_lab_terms.csv"), _read("lab_units.csv")
    if grades["rule_id"].duplicated().any():
        raise RuleTableError("The CTCAE lab rule table repeats a rule_id.", code="SAFETY-E901")
    _check_order(grades)
    _check_terms(grades, terms)
    term_names = tuple(dict.fromkeys(grades["term"]))
    term, position = _positions(grades, term_names)
    shape = (len(term_names) + 1, int(position.max()) + 1)  # the last term row: no term (nothing applies)

    def table(values: NDArray[Any], fill: float) -> NDArray[Any]:
        out = np.full(shape, fill, dtype=values.dtype)
        out[term, position] = values
        return out

    grade_values = np.where(grades["grade"] == "", _NO_GRADE, pd.to_numeric(grades["grade"].replace("", "0")))
    versions = sorted(set(grades["version"]))
    return CtcaeLabRules(
        grades=grades,
        terms=terms,
        units=units,
        term_names=term_names,
        reference=table(_codes(grades, "reference", _REFERENCES), 0),
        comparator=table(_codes(grades, "comparator", _COMPARATORS), -1),  # -1: no row at this position
        baseline=table(_codes(grades, "baseline", _BASELINES), 0),
        grade=table(np.asarray(grade_values, dtype=np.int64), _NO_GRADE),
        multiple=table(grades["multiple"].astype(float).to_numpy(), 0.0),
        plus=table(grades["plus"].astype(float).to_numpy(), 0.0),
        version=",".join(versions),
    )


def _holds(comparator: NDArray[np.int64], value: Floats, threshold: Floats, reference: Floats) -> NDArray[np.bool_]:
    """Whether each record meets its row's condition (a missing threshold never holds)."""
    with np.errstate(invalid="ignore"):
        return np.asarray(
            np.select(
                [comparator == 0, comparator == 1, comparator == 2, comparator == 3, comparator == 4],
                [value < threshold, value <= threshold, value > threshold, value >= threshold, np.isnan(reference)],
                default=False,
            ),
            dtype=bool,
        )


def compute_lab_grades(
    term: NDArray[np.int64],
    value: Floats,
    lln: Floats,
    uln: Floats,
    baseline: Floats,
    *,
    rules: CtcaeLabRules | None = None,
) -> NDArray[np.int64]:
    """The CTCAE v5 grade (0-4) of each value for its term; -1 where it cannot be graded.

    ``term`` is each record's position in ``rules.term_names`` (-1: no term, no grade); ``value``, ``lln``,
    ``uln`` and ``baseline`` are in the unit of the term's thresholds (NaN when missing). The baseline is
    abnormal when above the ULN (CTCAE v5: "if baseline was abnormal", for the high-direction liver terms).
    """
    rules = rules or load_ctcae_lab_rules()
    row = np.where(term >= 0, term, len(rules.term_names))
    result = np.full(len(value), _UNSET, dtype=np.int64)
    with np.errstate(invalid="ignore"):
        abnormal = baseline > uln
    for k in range(rules.comparator.shape[1]):
        comparator = rules.comparator[row, k]
        active = (comparator >= 0) & (result == _UNSET)
        if not active.any():
            continue
        ref_code = rules.reference[row, k]
        reference = np.select([ref_code == 1, ref_code == 2, ref_code == 3], [uln, lln, baseline], default=0.0)
        threshold = rules.multiple[row, k] * reference + rules.plus[row, k]
        state = rules.baseline[row, k]
        in_state = (state == 0) | ((state == 1) & ~abnormal) | ((state == 2) & abnormal)
        hit = active & in_state & _holds(comparator, value, threshold, reference)
        result[hit] = rules.grade[row, k][hit]
    graded = (term >= 0) & ~np.isnan(value)
    return np.where(graded, np.where(result == _UNSET, 0, result), _NO_GRADE)
