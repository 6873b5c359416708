"""NCA summaries against statistics worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncotrial.errors import DataError
from oncotrial.pk import derive_nca, summarise_nca


def _result() -> object:
    """Three subjects with Cmax 1, 2 and 4 (each: 0 at 0 h, Cmax at 1 h, half of it at 2 h)."""
    rows = [(s, t, c * f) for s, c in (("a", 1), ("b", 2), ("c", 4)) for t, f in ((0, 0), (1, 1), (2, 0.5))]
    return derive_nca(pd.DataFrame(rows, columns=["Subject", "Time", "conc"]), dose_col=None)


def test_summary_of_cmax_equals_the_statistics_worked_out_by_hand() -> None:
    """Cmax 1, 2, 4: mean 7/3; SD √(((−4/3)² + (−1/3)² + (5/3)²)/2) = √(7/3); geometric mean ∛8 = 2;
    SD of the logs ln 2, so geometric CV = 100·√(exp(ln²2) − 1); median 2; min 1; max 4."""
    summary = summarise_nca(_result(), parameters=["cmax"])  # type: ignore[arg-type]
    row = summary.to_frame().iloc[0]
    assert row["parameter"] == "cmax"
    assert row["n"] == 3
    assert row["mean"] == pytest.approx(7 / 3, rel=1e-12)
    assert row["sd"] == pytest.approx(np.sqrt(7 / 3), rel=1e-12)
    assert row["geomean"] == pytest.approx(2.0, rel=1e-12)
    assert row["geocv"] == pytest.approx(100 * np.sqrt(np.exp(np.log(2) ** 2) - 1), rel=1e-12)
    assert (row["median"], row["min"], row["max"]) == (2.0, 1.0, 4.0)


def test_missing_values_are_left_out_of_n() -> None:
    """No subject has λz (only one point after tmax): n is 0 rows, so lambda.z has no summary row."""
    summary = summarise_nca(_result(), parameters=["cmax", "lambda.z"])  # type: ignore[arg-type]
    assert summary.to_frame()["parameter"].tolist() == ["cmax"]


def test_unknown_parameter_is_refused() -> None:
    with pytest.raises(DataError, match="Cannot summarise cmx") as caught:
        summarise_nca(_result(), parameters=["cmx"])  # type: ignore[arg-type]
    assert caught.value.code == "PK-E010"
