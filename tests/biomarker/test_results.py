"""Every biomarker result has the one shape (tests/result_shape.py): frozen, to_frame(), JSON-safe to_dict(), str()."""

from __future__ import annotations

import pandas as pd

from oncotrial.biomarker import derive_biomarker_kinetics, summarise_biomarker_kinetics
from tests.result_shape import assert_result_shape


def test_kinetics_and_summary_have_the_one_shape() -> None:
    samples = pd.DataFrame(
        {"USUBJID": ["A", "A", "A", "B", "B", "B"], "time": [0, 6, 24] * 2, "value": [10, 50, 20, 5, 30, 10]}
    )
    kinetics = derive_biomarker_kinetics(samples, threshold=15)
    assert_result_shape(kinetics)
    assert_result_shape(summarise_biomarker_kinetics(kinetics))
