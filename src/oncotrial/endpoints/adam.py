"""ADaM conventions the endpoint functions understand, so every caller (CLI, web app, report) reads an
ADTTE or an ADRS the same way.

* ``PARAMCD`` names the parameter of each row: a table of several parameters is analysed one
  parameter at a time (:func:`select_parameter`), never pooled.
* An ADTTE holds the time in ``AVAL`` and the censoring flag in ``CNSR`` (1 = censored); these are the
  columns used when no time or event column is named (:func:`choose_time_to_event_columns`).
* An ADRS parameter (e.g. ``BOR``) holds its response in words in ``AVALC``, one row per ``USUBJID``
  (:func:`check_one_row_per_subject`).
"""

from __future__ import annotations

import pandas as pd

from oncotrial.errors import DataError

__all__ = ["check_one_row_per_subject", "choose_response_column", "choose_time_to_event_columns", "select_parameter"]


def select_parameter(data: pd.DataFrame, param: str | None, *, many_code: str, none_code: str) -> pd.DataFrame:
    """The rows whose ``PARAMCD`` is ``param``; without ``param``, a table of several parameters is refused."""
    if param is None:
        if "PARAMCD" in data.columns:
            values = sorted(data["PARAMCD"].dropna().astype(str).unique())
            if len(values) > 1:
                raise DataError(
                    f"The data hold {len(values)} parameters (PARAMCD {', '.join(values)}): choose one with "
                    f"param (e.g. param={values[0]}).",
                    code=many_code,
                    field="param",
                )
        return data
    if "PARAMCD" not in data.columns:
        raise DataError(
            f"param={param} selects rows by PARAMCD, but the data have no column PARAMCD; columns: "
            f"{', '.join(map(str, data.columns))}.",
            code=none_code,
            field="param",
        )
    kept = data.loc[data["PARAMCD"].astype(str) == param]
    if kept.empty:
        values = sorted(data["PARAMCD"].dropna().astype(str).unique())
        raise DataError(
            f"No rows with PARAMCD {param} in the data; it has {', '.join(values) or 'none'}.",
            code=none_code,
            field="param",
        )
    return kept


def choose_time_to_event_columns(
    time_col: str | None, event_col: str | None, censor_col: str | None
) -> tuple[str, str | None, str | None]:
    """The time column and the event or censoring column; ADTTE's ``AVAL`` and ``CNSR`` when none are named."""
    if event_col is not None and censor_col is not None:
        raise DataError(
            "Give either event_col (1 = event) or censor_col (1 = censored), not both.",
            code="SURV-E040",
            field="event_col",
            parameters=("event_col", "censor_col"),
        )
    if time_col is None:
        time_col = "AVAL"  # an ADTTE: the analysis value ...
        if event_col is None and censor_col is None:
            censor_col = "CNSR"  # ... and its censoring flag
    if event_col is None and censor_col is None:
        raise DataError(
            "Give either event_col (1 = event) or censor_col (CNSR, 1 = censored).",
            code="SURV-E040",
            field="event_col",
            parameters=("event_col", "censor_col"),
        )
    return time_col, event_col, censor_col


def choose_response_column(response_col: str | None, param: str | None) -> str:
    """The column of responses: ``response_col``, or an ADRS parameter's ``AVALC`` when only ``param`` is named."""
    if response_col is not None:
        return response_col
    if param is None:
        raise DataError(
            "Name the column of responses (response_col) for a table with one row per subject, or the "
            "parameter (param, e.g. BOR) for an ADRS: its AVALC is the response.",
            code="RATE-E010",
            field="response_col",
            parameters=("response_col", "param"),
        )
    return "AVALC"  # ADaM: the parameter's value in words


def check_one_row_per_subject(data: pd.DataFrame) -> None:
    """Refuse a table with several rows for one ``USUBJID`` (rows named by the table's index + 1: a table
    read from a file keeps its rows' positions there)."""
    if "USUBJID" not in data.columns:
        return
    ids = data["USUBJID"].astype(str)
    dup = ids[ids.duplicated(keep=False)]
    if dup.empty:
        return
    first = dup.iloc[0]
    rows = [str(int(i) + 1) for i in dup.index[dup == first]]
    raise DataError(
        f"USUBJID {first} has {len(rows)} rows ({', '.join(rows)}); a response table needs one best response "
        "per subject (for a long ADRS, choose the parameter with param, e.g. param=BOR).",
        code="RATE-E007",
        field="USUBJID",
    )
