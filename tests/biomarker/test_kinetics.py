"""Biomarker kinetics (``oncotrial.biomarker``) on a hand-made IFN-γ set, every number worked out by hand.

Four patients, one cycle, IFN-γ (pg/mL) at 0 (baseline), 6, 24 and 48 h; threshold 20 pg/mL:

=======  ====  ====  ====  ====
patient   0 h   6 h  24 h  48 h
=======  ====  ====  ====  ====
P1         10    40    20    10
P2         20    20    80    40
P3          5    10    10     5
P4         50   100   400   200
=======  ====  ====  ====  ====
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.biomarker import derive_biomarker_kinetics
from oncotrial.errors import DataError

VALUES = {"P1": [10, 40, 20, 10], "P2": [20, 20, 80, 40], "P3": [5, 10, 10, 5], "P4": [50, 100, 400, 200]}


def _samples() -> pd.DataFrame:
    rows = [(s, 1, t, v) for s, values in VALUES.items() for t, v in zip((0, 6, 24, 48), values, strict=True)]
    return pd.DataFrame(rows, columns=["USUBJID", "CYCLE", "time", "value"])


def _kinetics() -> pd.DataFrame:
    result = derive_biomarker_kinetics(_samples(), cycle_col="CYCLE", threshold=20)
    return result.to_frame().set_index("USUBJID")


def test_per_patient_kinetics_by_hand() -> None:
    """baseline = the 0 h value; max and its first time after 0 h; fold change max/baseline.
    AUC (linear trapezoid): P1 6·(10+40)/2 + 18·(40+20)/2 + 24·(20+10)/2 = 150 + 540 + 360 = 1050;
    P2 120 + 900 + 1440 = 2460; P3 45 + 180 + 180 = 405; P4 450 + 4500 + 7200 = 12150.
    Time above 20: P1 rises 10→40 over 6 h, above 20 for the last 2/3 (4 h), then 40→20 over 18 h is
    above all along (18 h), 20→10 never: 22 h; P2 20→20 never, 20→80 18 h, 80→40 24 h: 42 h; P3 0 h;
    P4 always: 48 h."""
    table = _kinetics()
    assert table["baseline"].tolist() == [10, 20, 5, 50]
    assert table["max"].tolist() == [40, 80, 10, 400]
    assert table["tmax"].tolist() == [6, 24, 6, 24]
    assert table["fold_change"].tolist() == [4, 4, 2, 8]
    assert table["auc"].tolist() == pytest.approx([1050, 2460, 405, 12150])
    assert table["time_above"].tolist() == pytest.approx([22, 42, 0, 48])


def test_without_a_threshold_time_above_is_missing_and_without_baseline_no_fold_change() -> None:
    """P1 without its 0 h sample: no baseline, so no fold change; AUC from 6 h: 540 + 360 = 900 (by hand)."""
    samples = _samples().query("not (USUBJID == 'P1' and time == 0)")
    table = derive_biomarker_kinetics(samples, cycle_col="CYCLE").to_frame().set_index("USUBJID")
    assert pd.isna(table.loc["P1", "baseline"])
    assert pd.isna(table.loc["P1", "fold_change"])
    assert table.loc["P1", "auc"] == pytest.approx(900)
    assert table["time_above"].isna().all()


def test_a_missing_value_is_refused_with_its_row() -> None:
    samples = _samples()
    samples.loc[5, "value"] = None
    with pytest.raises(DataError, match="Biomarker sample row 6: the time or value is missing") as caught:
        derive_biomarker_kinetics(samples)
    assert caught.value.code == "BIOM-E002"


def test_profiles_without_a_baseline_or_a_later_sample() -> None:
    """Only post-dose samples: no baseline anywhere; only a 0 h sample: no maximum, tmax or AUC."""
    later = derive_biomarker_kinetics(_samples().query("time > 0")).to_frame()
    assert later["baseline"].isna().all()
    assert later["max"].tolist() == [40, 80, 10, 400]
    first = derive_biomarker_kinetics(_samples().query("time == 0")).to_frame()
    assert first["baseline"].tolist() == [10, 20, 5, 50]
    assert first[["max", "tmax", "auc"]].isna().all().all()
