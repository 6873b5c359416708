"""BLQ rules (PKNCA's ``conc.blq``: first, middle, last; or before.tmax, after.tmax), checked on a hand-made profile with areas worked out
by hand (linear trapezoids).

Profile: t = 0, 1, 2, 3, 4, 6, 8 h; conc = 0, 0, 4, 0, 2, 0, 0. tfirst = 2 and tlast = 4, so the BLQ
samples at 0 and 1 h are "first", at 3 h "middle", at 6 and 8 h "last".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncotrial.errors import DataError
from oncotrial.pk import BlqRules, BlqRulesByTmax, derive_nca

PROFILE = pd.DataFrame({"Subject": "B", "Time": [0, 1, 2, 3, 4, 6, 8], "conc": [0, 0, 4, 0, 2, 0, 0], "Dose": 1})


def _areas(rules: BlqRules | BlqRulesByTmax) -> tuple[float, float]:
    row = derive_nca(PROFILE, auc_method="linear", blq=rules).to_frame().iloc[0]
    return float(row["auclast"]), float(row["aucall"])


@pytest.mark.parametrize(
    ("rules", "auclast", "aucall"),
    [
        # 1-2: (0+4)/2 = 2; 2-4: 2·(4+2)/2 = 6 -> 8; AUCall adds 4-6: 2·(2+0)/2 = 2
        pytest.param(BlqRules(), 8.0, 10.0, id="pknca_defaults_middle_dropped"),
        # 3 h kept as 0: 1-2: 2; 2-3: (4+0)/2 = 2; 3-4: (0+2)/2 = 1 -> 5
        pytest.param(BlqRules(middle="keep"), 5.0, 7.0, id="middle_kept"),
        # 3 h as 0.5: 2 + (4+0.5)/2 + (0.5+2)/2 = 5.5
        pytest.param(BlqRules(middle=0.5), 5.5, 7.5, id="middle_as_number"),
        # 0 and 1 h as 0.1: (0.1+0.1)/2 + (0.1+4)/2 + 6 = 8.15
        pytest.param(BlqRules(first=0.1), 8.15, 10.15, id="first_as_number"),
        # 6 and 8 h dropped: no triangle after tlast, AUCall = AUClast
        pytest.param(BlqRules(last="drop"), 8.0, 8.0, id="last_dropped"),
        # 6 and 8 h as 0.5: tlast of the areas moves to 8 h: 8 + 2·(2+0.5)/2 + 2·(0.5+0.5)/2 = 11.5
        pytest.param(BlqRules(last=0.5), 11.5, 11.5, id="last_as_number"),
        # by tmax (2 h): 0 and 1 h are before, 3, 6 and 8 h after. All kept: as middle kept above
        pytest.param(BlqRulesByTmax(), 5.0, 7.0, id="by_tmax_all_kept"),
        # after tmax dropped: 0, 1, 2, 4 h left, no triangle after tlast
        pytest.param(BlqRulesByTmax(after_tmax="drop"), 8.0, 8.0, id="after_tmax_dropped"),
        # before tmax as 0.1: (0.1+0.1)/2 + (0.1+4)/2 + 6 = 8.15
        pytest.param(BlqRulesByTmax(before_tmax=0.1, after_tmax="drop"), 8.15, 8.15, id="before_tmax_as_number"),
    ],
)
def test_blq_rule_changes_the_areas_as_worked_out_by_hand(
    rules: BlqRules | BlqRulesByTmax, auclast: float, aucall: float
) -> None:
    assert _areas(rules) == pytest.approx((auclast, aucall), rel=1e-12)


def test_dropping_the_first_blq_samples_leaves_no_sample_at_time_zero() -> None:
    """With ``first="drop"`` the profile starts at 2 h; PKNCA gives no AUC from 0 then (NaN, with the reason)."""
    row = derive_nca(PROFILE, blq=BlqRules(first="drop")).to_frame().iloc[0]
    assert np.isnan(row["auclast"])
    assert "no sample at time 0" in row["auc.exclude.reason"]


def test_tlast_and_clast_come_from_the_samples_as_given() -> None:
    """tlast = 4 h and Clast = 2 whatever the rule for the last BLQ samples (PKNCA's pk.calc.tlast on the data)."""
    row = derive_nca(PROFILE, blq=BlqRules(last=0.5)).to_frame().iloc[0]
    assert (row["tlast"], row["clast.obs"]) == (4.0, 2.0)


def test_all_blq_profile_has_zero_areas_and_no_lambda_z() -> None:
    """Every sample 0: AUClast 0 (PKNCA), Cmax 0, no tmax or tlast, λz not estimated."""
    data = pd.DataFrame({"Subject": "Z", "Time": [0, 1, 2], "conc": [0, 0, 0], "Dose": 1})
    row = derive_nca(data).to_frame().iloc[0]
    assert (row["auclast"], row["cmax"], row["clast.obs"]) == (0.0, 0.0, 0.0)
    assert np.isnan(row[["tmax", "tlast", "lambda.z"]].astype(float)).all()
    assert row["lambda.z.exclude.reason"].startswith("too few points")


@pytest.mark.parametrize("rule", ["zero", -1.0, float("nan")])
def test_a_bad_rule_is_refused(rule: object) -> None:
    with pytest.raises(DataError, match="BLQ rule for 'middle'") as caught:
        BlqRules(middle=rule)  # type: ignore[arg-type]
    assert caught.value.code == "PK-E007"
