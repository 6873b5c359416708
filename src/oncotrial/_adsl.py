"""ADSL variables carried into the ADaM datasets oncotrial derives (ADRS, ADTTE), as admiral's ``adsl_vars``.

By default the treatment and demographic variables an analysis groups or adjusts by are carried,
when ADSL has them: :data:`DEFAULT_ADSL_VARS`, then every stratification factor, i.e. every
column whose name starts with ``STRAT`` (ADaMIG's ``STRATwR``/``STRATwRN`` such as ``STRAT1R``,
and the usual ``STRATAR``, ``STRAT1``, ``STRATA``). Variables asked for by name are carried too,
and must exist.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncotrial.errors import DataError

__all__ = ["DEFAULT_ADSL_VARS", "derive_adsl_vars", "select_adsl_vars"]

#: Carried when ADSL has them (with the ``STRAT*`` stratification factors after them).
DEFAULT_ADSL_VARS = ("STUDYID", "ARM", "ARMCD", "ACTARM", "ACTARMCD", "TRT01P", "TRT01A", "AGE", "SEX", "RACE")


def select_adsl_vars(adsl: pd.DataFrame, requested: Sequence[str] = ()) -> list[str]:
    """The ADSL columns to carry: the defaults ADSL has, its ``STRAT*`` columns, then ``requested``.

    A requested column that ADSL lacks is an error naming it (a default that is absent is simply
    not carried).
    """
    columns = [str(c) for c in adsl.columns]
    missing = [c for c in requested if c not in columns]
    if missing:
        raise DataError(
            f"ADSL has no column(s) {', '.join(missing)} to carry into the dataset; check the names "
            f"(ADSL has {', '.join(columns[:30])}{' ...' if len(columns) > 30 else ''}).",
            code="ADAM-E001",
            field=missing[0],
        )
    strata = [c for c in columns if c.upper().startswith("STRAT")]
    chosen = [c for c in DEFAULT_ADSL_VARS if c in columns] + strata + list(requested)
    return [c for c in dict.fromkeys(chosen) if c != "USUBJID"]


def derive_adsl_vars(dataset: pd.DataFrame, adsl: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``dataset`` with the ADSL ``columns`` of each row's subject (by ``USUBJID``), placed after USUBJID
    (STUDYID first).

    Columns the dataset already has are replaced by ADSL's. Text columns come out categorical (few
    distinct values; cheap to carry over millions of rows); a subject not in ADSL gets empty values.
    """
    if not columns:
        return dataset
    subjects = adsl.drop_duplicates("USUBJID")
    row = _adsl_rows(dataset["USUBJID"], pd.Index(subjects["USUBJID"]))
    carried: dict[str, object] = {}
    for col in columns:
        values = subjects[col]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            carried[col] = values.take(np.maximum(row, 0)).where(row >= 0).to_numpy()
        else:
            codes, uniques = pd.factorize(values)
            carried[col] = pd.Categorical.from_codes(np.where(row >= 0, codes[row], -1), categories=uniques)
    rest = dataset.drop(columns=[c for c in columns if c in dataset.columns])
    at = list(rest.columns).index("USUBJID") + 1
    first = ["STUDYID"] if "STUDYID" in columns else []  # STUDYID leads, as in every ADaM dataset
    ordered = [*first, *rest.columns[:at], *(c for c in columns if c not in first), *rest.columns[at:]]
    return pd.concat([rest, pd.DataFrame(carried, index=rest.index)], axis=1)[ordered]


def _adsl_rows(usubjid: pd.Series, subjects: pd.Index) -> NDArray[np.intp]:
    """Position in ``subjects`` of each row's subject (-1 when absent), looked up once per distinct subject."""
    codes, ids = pd.factorize(usubjid)
    positions = subjects.get_indexer(pd.Index(ids))
    return np.where(codes >= 0, positions[codes], -1)
