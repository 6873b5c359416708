"""Partial AUCs (PKNCA's ``pk.calc.auc(interval = c(start, end))``) against areas worked out by hand.

Profile E: t = 0, 1, 2, 4, 6, 8 h; conc = 0, 10, 8, 4, 2, 1 (tlast 8 h).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncotrial.errors import DataError
from oncotrial.pk import derive_nca

PROFILE = pd.DataFrame({"Subject": "E", "Time": [0, 1, 2, 4, 6, 8], "conc": [0, 10, 8, 4, 2, 1], "Dose": 1})


@pytest.mark.parametrize(
    ("method", "start", "end", "expected"),
    [
        # 1-2: (10+8)/2 = 9; c(3) = 6 by linear interpolation; 2-3: (8+6)/2 = 7
        pytest.param("linear", 1, 3, 16.0, id="linear_interpolated_end"),
        # 1-2: (10-8)/ln(10/8); c(3) = 8/√2 by log interpolation; 2-3: (8 - 8/√2)/ln(√2)
        pytest.param(
            "lin up/log down", 1, 3, 2 / np.log(1.25) + (8 - 8 / np.sqrt(2)) / np.log(np.sqrt(2)), id="log_down"
        ),
        # rising segment, linear under both methods: c(0.5) = 5; 0.5·(5+10)/2
        pytest.param("lin up/log down", 0.5, 1, 3.75, id="linear_up"),
        # 6-8: 2·(2+1)/2 = 3; nothing after tlast (AUClast type)
        pytest.param("linear", 6, 12, 3.0, id="after_tlast_is_zero"),
    ],
)
def test_partial_auc_equals_the_area_worked_out_by_hand(method: str, start: float, end: float, expected: float) -> None:
    table = derive_nca(PROFILE, auc_method=method, partial_intervals=[(start, end)]).to_frame()  # type: ignore[arg-type]
    assert table.loc[0, f"auc.{start:g}-{end:g}"] == pytest.approx(expected, rel=1e-12)


def test_partial_auc_over_the_whole_profile_is_auclast() -> None:
    table = derive_nca(PROFILE, partial_intervals=[(0, 8)]).to_frame()
    assert table.loc[0, "auc.0-8"] == pytest.approx(table.loc[0, "auclast"], rel=1e-12)


def test_partial_auc_starting_before_the_first_sample_is_missing() -> None:
    """PKNCA does not extrapolate before the first measurement: first sample at 1 h, interval from 0.5 h."""
    data = PROFILE.iloc[1:]
    table = derive_nca(data, partial_intervals=[(0.5, 2)]).to_frame()
    assert np.isnan(table.loc[0, "auc.0.5-2"])


def test_a_reversed_interval_is_refused() -> None:
    with pytest.raises(DataError, match=r"interval \(12, 0\) is not valid") as caught:
        derive_nca(PROFILE, partial_intervals=[(12, 0)])
    assert caught.value.code == "PK-E009"
