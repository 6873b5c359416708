"""Edge cases of the survival and time-to-event code found in review, each worked out by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from oncotrial.endpoints import compute_cox_regression, compute_kaplan_meier, compute_logrank_test, derive_adtte
from oncotrial.errors import DataError, TrialWarning


def test_logrank_leaves_out_a_group_with_no_expected_events() -> None:
    """A: events at 1, 2, 3; B: censored 4, events 5, 6; C: censored at 0.5 twice (E = 0, left out as in
    survdiff). A vs B: t=1 n=6 E_A=3/6 V=.25; t=2 n=5 E_A=.4 V=.24; t=3 n=4 E_A=.25 V=.1875; t=5,6 E_A=0 V=0.
    O_A - E_A = 3 - 1.15 = 1.85, V = .6775: chi-square 3.4225/.6775 on 1 df (R prints 5.1 on 1 df)."""
    result = compute_logrank_test([1, 2, 3, 4, 5, 6, 0.5, 0.5], [1, 1, 1, 0, 1, 1, 0, 0], list("AAABBBCC"))
    assert result.df == 1
    assert result.chisq == pytest.approx(3.4225 / 0.6775, rel=1e-12)


def test_cox_with_no_events_in_one_group_warns() -> None:
    with pytest.warns(TrialWarning, match="did not converge"):
        compute_cox_regression(list(range(1, 9)), [1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1])


def test_cox_with_a_constant_covariate_is_an_error() -> None:
    with pytest.raises(DataError, match="singular"):
        compute_cox_regression([1, 2, 3, 4], [1, 0, 1, 1], [5, 5, 5, 5])


def test_lengths_must_match() -> None:
    with pytest.raises(DataError, match="one value per subject"):
        compute_kaplan_meier([1, 2, 3], [1, 0])
    with pytest.raises(DataError, match="one value per subject"):
        compute_logrank_test([1, 2, 3, 4], [1, 1, 0, 1], ["a", "a", "b", "b"], strata=[1, 2])


def _adsl(**extra: object) -> pd.DataFrame:
    return pd.DataFrame(
        {"USUBJID": ["S"], "RANDDT": [pd.Timestamp("2020-01-01 15:00")], **{k: [v] for k, v in extra.items()}}
    )


def _adrs(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame([{"USUBJID": "S", "PARAMCD": p, "AVALC": v, "ADT": d, "ANL01FL": "Y"} for p, v, d in rows])


def test_clock_times_do_not_shorten_times_to_event() -> None:
    """Randomised 2020-01-01 15:00, died 2020-01-10 09:00: OS = 9 days + 1 = 10 (dates, as admiral), and a
    death on the cut-off day counts."""
    adsl = _adsl(DTHDT=pd.Timestamp("2020-01-10 09:00"), LSTALVDT=pd.Timestamp("2020-01-10 09:00"))
    adtte = derive_adtte(adsl, _adrs([("OVR", "SD", "2020-01-05")]), cutoff=date(2020, 1, 10)).set_index("PARAMCD")
    assert (adtte.loc["OS", "AVAL"], adtte.loc["OS", "CNSR"]) == (10, 0)


def test_death_after_a_progression_ruled_out_by_missed_assessments_is_censored_too() -> None:
    """Last adequate scan SD 2020-04-10; PD 2020-10-27 comes 200 days later (> 120): ruled out; the death on
    2020-11-16 follows the same missed assessments, so PFS is censored at 2020-04-10: AVAL 100 + 1 = 101."""
    adsl = _adsl(DTHDT=pd.Timestamp("2020-11-16"), LSTALVDT=pd.Timestamp("2020-11-16"))
    adrs = _adrs([("OVR", "SD", "2020-04-10"), ("OVR", "PD", "2020-10-27"), ("PD", "Y", "2020-10-27")])
    pfs = derive_adtte(adsl, adrs, max_gap_days=120).set_index("PARAMCD").loc["PFS"]
    assert (pfs["ADT"], pfs["AVAL"], pfs["CNSR"]) == (pd.Timestamp("2020-04-10"), 101, 1)
