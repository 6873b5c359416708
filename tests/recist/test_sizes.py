"""Sum of target diameters and its % change per assessment (``oncotrial.recist.sizes``).

Every expected value is worked out by hand from the literal TR rows below (sums in mm; % change =
100 (sum - reference) / reference, RECIST 1.1 section 4.3.2: the nadir is the smallest sum before); the
reference test compares the pharmaverse RECIST set with admiralonco's ADTR.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from oncotrial.errors import DataError, TrialWarning
from oncotrial.recist import derive_best_tumour_change, derive_tumour_sizes
from tests.conftest import shared_path

TR_COLUMNS = ["USUBJID", "TRGRPID", "TRLNKID", "TRTESTCD", "TRSTRESC", "TRSTRESU", "VISIT", "TRDTC"]


def _tr(*rows: Sequence[str]) -> pd.DataFrame:
    """TR rows: (subject, group, lesion, test, result, unit, visit, date)."""
    return pd.DataFrame([tuple(r) for r in rows], columns=TR_COLUMNS)


# S1: 30 + 20 = 50 at baseline; 20 + 15 = 35 (-30 %); 15 + 10 = 25 (-50 %); 20 + 12 = 32 (+28 % over the nadir 25)
# S2: one lesion 40, then 5 cm = 50 mm (+25 %), plus a non-target lesion that is not summed
# S3: 25 + 25 = 50, then T02 not measured: 20 (partial, no % change)
TR = _tr(
    ("S1", "TARGET", "T01", "DIAMETER", "30", "mm", "BASELINE", "2024-01-01"),
    ("S1", "TARGET", "T02", "DIAMETER", "20", "mm", "BASELINE", "2024-01-01"),
    ("S1", "TARGET", "T01", "DIAMETER", "20", "mm", "WEEK 6", "2024-02-12"),
    ("S1", "TARGET", "T02", "DIAMETER", "15", "mm", "WEEK 6", "2024-02-12"),
    ("S1", "TARGET", "T01", "DIAMETER", "15", "mm", "WEEK 12", "2024-03-25"),
    ("S1", "TARGET", "T02", "DIAMETER", "10", "mm", "WEEK 12", "2024-03-25"),
    ("S1", "TARGET", "T01", "DIAMETER", "20", "mm", "WEEK 18", "2024-05-06"),
    ("S1", "TARGET", "T02", "DIAMETER", "12", "mm", "WEEK 18", "2024-05-06"),
    ("S2", "TARGET", "T01", "DIAMETER", "40", "mm", "BASELINE", "2024-01-10"),
    ("S2", "NON-TARGET", "NT01", "TUMSTATE", "PRESENT", "", "BASELINE", "2024-01-10"),
    ("S2", "TARGET", "T01", "DIAMETER", "5", "cm", "WEEK 6", "2024-02-21"),
    ("S2", "NON-TARGET", "NT01", "TUMSTATE", "PRESENT", "", "WEEK 6", "2024-02-21"),
    ("S3", "TARGET", "T01", "DIAMETER", "25", "mm", "BASELINE", "2024-01-05"),
    ("S3", "TARGET", "T02", "DIAMETER", "25", "mm", "BASELINE", "2024-01-05"),
    ("S3", "TARGET", "T01", "DIAMETER", "20", "mm", "WEEK 6", "2024-02-16"),
    ("S3", "TARGET", "T02", "DIAMETER", "NOT DONE", "", "WEEK 6", "2024-02-16"),
)


def _rows(sizes: pd.DataFrame, subject: str) -> pd.DataFrame:
    return sizes.loc[sizes["USUBJID"] == subject].reset_index(drop=True)


def test_sums_and_changes_from_baseline_and_nadir_match_hand_sums():
    """S1 by hand: sums 50, 35, 25, 32; from baseline 0, -30, -50, -36 %; nadir before each follow-up
    50, 35, 25, so from the nadir -30, -28.571..., +28 %; days 0, 42, 84, 126 from 2024-01-01."""
    s1 = _rows(derive_tumour_sizes(TR), "S1")
    assert s1["VISIT"].tolist() == ["BASELINE", "WEEK 6", "WEEK 12", "WEEK 18"]
    assert s1["SLD"].tolist() == [50.0, 35.0, 25.0, 32.0]
    assert s1["SLD_BASELINE"].tolist() == [50.0] * 4
    assert s1["DAY"].tolist() == [0, 42, 84, 126]
    assert s1["PCHG_BASE"].tolist() == pytest.approx([0.0, -30.0, -50.0, -36.0])
    assert np.isnan(s1["NADIR"][0])
    assert s1["NADIR"][1:].tolist() == [50.0, 35.0, 25.0]
    assert np.isnan(s1["PCHG_NADIR"][0])
    assert s1["PCHG_NADIR"][1:].tolist() == pytest.approx([-30.0, -28.571428571, 28.0])


def test_units_are_converted_and_non_target_lesions_are_not_summed():
    """S2: 5 cm is 50 mm, 25 % above the 40 mm baseline; the non-target NT01 adds nothing."""
    s2 = _rows(derive_tumour_sizes(TR), "S2")
    assert s2["SLD"].tolist() == [40.0, 50.0]
    assert s2["PCHG_BASE"].tolist() == pytest.approx([0.0, 25.0])


def test_a_target_not_measured_gives_a_partial_sum_without_a_change():
    """S3 at week 6: T02 not done, so the sum is T01's 20 mm alone and no % change is given."""
    s3 = _rows(derive_tumour_sizes(TR), "S3")
    assert s3["SLD"].tolist() == [50.0, 20.0]
    assert np.isnan(s3["PCHG_BASE"][1])
    assert np.isnan(s3["PCHG_NADIR"][1])


def test_without_trgrpid_the_lesions_measured_at_the_first_scan_are_the_targets():
    """Without TRGRPID the same sums come out: S2's non-target carries no diameter, so it is not a target."""
    sizes = derive_tumour_sizes(TR.drop(columns="TRGRPID"))
    assert _rows(sizes, "S1")["SLD"].tolist() == [50.0, 35.0, 25.0, 32.0]
    assert _rows(sizes, "S2")["SLD"].tolist() == [40.0, 50.0]


def test_with_tu_the_targets_are_those_tu_lists():
    """TU lists only S1's T01 as a target: the sums are T01's diameters alone (30, 20, 15, 20)."""
    tu = pd.DataFrame(
        [
            ("S1", "T01", "TARGET", "LIVER", "BASELINE", "2024-01-01"),
            ("S1", "T02", "NON-TARGET", "LUNG", "BASELINE", "2024-01-01"),
        ],
        columns=["USUBJID", "TULNKID", "TUSTRESC", "TULOC", "VISIT", "TUDTC"],
    )
    tr = TR.loc[(TR["USUBJID"] == "S1") & (TR["TRLNKID"] == "T01")]
    state = tr.assign(TRLNKID="T02", TRTESTCD="TUMSTATE", TRSTRESC="PRESENT", TRSTRESU="")
    sizes = derive_tumour_sizes(pd.concat([tr, state]), tu)
    assert sizes["SLD"].tolist() == [30.0, 20.0, 15.0, 20.0]


def test_best_change_is_the_smallest_change_after_baseline_sorted_for_a_waterfall():
    """Best changes by hand: S1 -50 % (week 12, day 84), S2 +25 % (week 6, day 42); S3 has no complete sum
    after baseline and is left out. Order: largest growth first."""
    best = derive_best_tumour_change(derive_tumour_sizes(TR))
    assert best["USUBJID"].tolist() == ["S2", "S1"]
    assert best["BEST_PCHG"].tolist() == pytest.approx([25.0, -50.0])
    assert best["VISIT"].tolist() == ["WEEK 6", "WEEK 12"]
    assert best["DAY"].tolist() == [42, 84]


def test_tr_without_a_needed_column_is_refused_naming_it():
    with pytest.raises(DataError, match=r"TR table lacks the column\(s\) TRDTC") as caught:
        derive_tumour_sizes(TR.drop(columns="TRDTC"))
    assert caught.value.code == "RECIST-E010"


@pytest.fixture(scope="module")
def pharmaverse_sizes() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Our sizes from the 8-subject RECIST TU/TR (investigator) and pharmaverseadam ADTR's SDIAM rows."""
    sdtm = ("reference", "pharmaverse", "sdtm")
    tr = pd.read_csv(shared_path(*sdtm, "tr_onco_recist.csv"), dtype=str)
    tu = pd.read_csv(shared_path(*sdtm, "tu_onco_recist.csv"), dtype=str)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrialWarning)  # partial dates YYYY-MM imputed, as admiral imputes them
        ours = derive_tumour_sizes(tr, tu)
    adtr = pd.read_csv(shared_path("reference", "pharmaverse", "adam", "adtr_onco.csv"))
    return ours, adtr.loc[adtr["PARAMCD"] == "SDIAM"]


def test_sums_and_changes_match_admiralonco_adtr(pharmaverse_sizes: tuple[pd.DataFrame, pd.DataFrame]):
    """pharmaverseadam ``adtr_onco`` (admiral/admiralonco ADTR template, tests/reference/pharmaverse/adam), SDIAM:
    every sum (AVAL) and nadir (NADIR) equal ours; PCHG and PCHGNAD equal ours where ADTR marks the assessment
    complete (ANL01FL = Y: every expected lesion assessed); where it does not, we give no % change. ADTR calls the
    baseline visit BASELINE (TR's SCREENING)."""
    ours, adtr = pharmaverse_sizes
    ours = ours.assign(AVISIT=np.where(ours["BASELINE"], "BASELINE", ours["VISIT"]))
    both = adtr.merge(ours, on=["USUBJID", "AVISIT"], how="left", validate="one_to_one")
    assert len(both) == 25
    assert both["SLD"].tolist() == pytest.approx(both["AVAL"].tolist())
    assert both["NADIR_y"].tolist() == pytest.approx(both["NADIR_x"].tolist(), nan_ok=True)
    complete = both["ANL01FL"] == "Y"
    assert both.loc[complete, "PCHG_BASE"].tolist() == pytest.approx(both.loc[complete, "PCHG"].tolist())
    assert both.loc[complete, "PCHG_NADIR"].tolist() == pytest.approx(
        both.loc[complete, "PCHGNAD"].tolist(), nan_ok=True
    )
    assert both.loc[~complete, "PCHG_BASE"].isna().all()


def test_tr_without_any_measured_lesion_gives_an_empty_table():
    """Only non-target states (TUMSTATE): no target lesion, so no sums; the columns are still there."""
    states = TR.loc[TR["TRTESTCD"] == "TUMSTATE"]
    sizes = derive_tumour_sizes(states)
    assert sizes.empty
    assert list(sizes.columns) == [
        "USUBJID", "VISIT", "ADT", "DAY", "BASELINE", "SLD", "SLD_BASELINE", "NADIR", "PCHG_BASE", "PCHG_NADIR"
    ]  # fmt: skip
    assert derive_best_tumour_change(sizes).empty
