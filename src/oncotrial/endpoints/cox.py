"""A Cox model from a table: continuous and categorical covariates, strata, R's missing-value rule.

``derive_cox_model`` is ``coxph(Surv(time, event) ~ x1 + factor(x2) + strata(s), data, ties)`` with
``na.action = na.omit``: rows missing any value the model uses are left out (with a warning counting
them per column), each categorical covariate becomes one 0/1 column per level other than its
reference level (named ``column=level``; the reference is the first level unless named, levels
sorted as numbers when they all are numbers, else as text, as R's ``factor`` does), and the fit is
``compute_cox_regression``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from oncotrial.endpoints.adam import choose_time_to_event_columns, select_parameter
from oncotrial.endpoints.compare import CoxResult, compute_cox_regression
from oncotrial.endpoints.km import check_time_to_event_columns
from oncotrial.endpoints.missing import filter_complete_cases
from oncotrial.errors import DataError

__all__ = ["CoxCovariate", "derive_cox_design", "derive_cox_model"]


@dataclass(frozen=True)
class CoxCovariate:
    """One term of the model: a column, continuous or categorical, and a categorical one's reference level."""

    column: str
    categorical: bool = False
    reference: str | None = None


def _level_text(values: pd.Series) -> pd.Series:
    """Levels as text; whole numbers without a decimal point (1, not 1.0)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype(float)
        return numbers.map(lambda v: str(int(v)) if float(v).is_integer() else str(v))
    return values.astype(str).str.strip()


def _sorted_levels(text: pd.Series) -> list[str]:
    levels = list(pd.unique(text))
    numbers = pd.to_numeric(pd.Series(levels), errors="coerce")
    if numbers.notna().all():
        return [levels[i] for i in np.argsort(numbers.to_numpy(), kind="stable")]
    return sorted(levels)


def _dummies(values: pd.Series, term: CoxCovariate) -> dict[str, pd.Series]:
    text = _level_text(values)
    levels = _sorted_levels(text)
    reference = levels[0] if term.reference is None else term.reference
    if reference not in levels:
        raise DataError(
            f"The reference level '{reference}' of '{term.column}' is not among its values "
            f"({', '.join(levels)}): name one of them.",
            code="SURV-E025",
            field=term.column,
        )
    return {f"{term.column}={level}": (text == level).astype(float) for level in levels if level != reference}


def _continuous(values: pd.Series, column: str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    bad = np.nonzero(~np.isfinite(numbers.to_numpy()))[0]
    if bad.size:
        raise DataError(
            f"Covariate '{column}' must be a number; row(s) {', '.join(str(i + 1) for i in bad[:10])} hold "
            f"{', '.join(sorted(set(values.iloc[bad[:10]].astype(str))))}. Declare it categorical "
            f"(e.g. {column}:categorical) if its values are groups.",
            code="SURV-E021",
            field=column,
        )
    return numbers


def derive_cox_design(data: pd.DataFrame, covariates: Sequence[CoxCovariate]) -> pd.DataFrame:
    """The model's covariate columns: each continuous covariate as a number, each categorical one as 0/1
    columns ``column=level`` for the levels other than the reference (rows counted from 1 in errors)."""
    columns: dict[str, pd.Series] = {}
    for term in covariates:
        values = data[term.column].reset_index(drop=True)
        if term.categorical:
            columns |= _dummies(values, term)
        else:
            columns[term.column] = _continuous(values, term.column)
    return pd.DataFrame(columns)


def derive_cox_model(
    data: pd.DataFrame,
    *,
    covariates: Sequence[CoxCovariate],
    param: str | None = None,
    time_col: str | None = None,
    event_col: str | None = None,
    censor_col: str | None = None,
    strata_col: str | None = None,
    ties: Literal["efron", "breslow"] = "efron",
    conf_level: float = 0.95,
) -> CoxResult:
    """Fit the Cox model of ``covariates`` (stratified by ``strata_col``) on the complete rows of ``data``;
    events from ``event_col`` or an ADTTE ``censor_col`` (CNSR), one of the two; with no time column named,
    an ADTTE's AVAL and CNSR. ``param`` keeps the rows of that PARAMCD; a table of several parameters needs it."""
    if not covariates:
        raise DataError("A Cox model needs at least one covariate.", code="SURV-E026", field="covariates")
    time_col, event_col, censor_col = choose_time_to_event_columns(time_col, event_col, censor_col)
    data = select_parameter(data, param, many_code="SURV-E038", none_code="SURV-E047")
    used = [time_col, event_col, censor_col, *(term.column for term in covariates), strata_col]
    absent = [c for c in used if c is not None and c not in data.columns]
    if absent:
        raise DataError(
            f"The data have no column(s) {', '.join(absent)}; columns: {', '.join(map(str, data.columns))}.",
            code="SURV-E030",
            field=absent[0],
        )
    complete = filter_complete_cases(data, used)
    t, e = check_time_to_event_columns(complete, time_col=time_col, event_col=event_col, censor_col=censor_col)
    design = derive_cox_design(complete, covariates)
    strata = None if strata_col is None else complete[strata_col].to_numpy()
    fit = compute_cox_regression(t, e, design, strata=strata, ties=ties, conf_level=conf_level)
    return replace(fit, strata=strata_col)
