"""ADRS and the per-subject summary from computed time points (``oncotrial.recist.summary``).

Hand-built subjects have their baseline scan on 2024-01-01 (day 0) and follow-ups ``day`` days
later: day 41 = 2024-02-11, day 42 = 2024-02-12, day 84 = 2024-03-25, day 126 = 2024-05-06 (2024
is a leap year). Rules: RECIST 1.1 (Eisenhauer EA et al., Eur J Cancer 2009;45:228-247) sections
4.3.1 (time point) and 4.4 (best overall response), with admiralonco's ADRS defaults (SD at least
42 days after the reference date, confirmation at least 28 days later). The reference test runs
the shared pharmaverse RECIST set against admiralonco's ADRS.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from oncotrial.errors import TrialWarning
from oncotrial.recist import (
    derive_adrs_from_timepoints,
    derive_lesion_assessments,
    derive_subject_summary,
    derive_timepoint_responses,
)
from tests.conftest import shared_path

DAY0 = pd.Timestamp("2024-01-01")
PARAMS = ("BOR", "CBOR", "RSP", "CRSP", "CB", "CCB", "PD")


def _targets(subject: str, *visits: tuple[int, Sequence[float]]) -> pd.DataFrame:
    """Non-nodal target lesions T1, T2, ... of one subject: one (day, diameters) per assessment."""
    rows = [(day, f"T{i}", d) for day, diameters in visits for i, d in enumerate(diameters, start=1)]
    return pd.DataFrame(
        {
            "USUBJID": subject,
            "VISIT": ["BASELINE" if r[0] == 0 else f"DAY {r[0]}" for r in rows],
            "ADT": pd.to_datetime([DAY0 + pd.Timedelta(days=r[0]) for r in rows]),
            "BASELINE": [r[0] == 0 for r in rows],
            "LESIONID": [r[1] for r in rows],
            "CATEGORY": "TARGET",
            "NODAL": False,
            "DIAMETER": [float(r[2]) for r in rows],
            "STATE": None,
        }
    )


def _timepoints(*subjects: pd.DataFrame) -> pd.DataFrame:
    return derive_timepoint_responses(pd.concat(subjects, ignore_index=True))


def _param(adrs: pd.DataFrame, subject: str, param: str) -> tuple[str, int | None]:
    """(AVALC, ADT as days after 2024-01-01 or None) of one subject-level parameter."""
    row = adrs.loc[(adrs["USUBJID"] == subject) & (adrs["PARAMCD"] == param)]
    assert len(row) == 1
    adt = row["ADT"].iloc[0]
    return str(row["AVALC"].iloc[0]), None if pd.isna(adt) else int((adt - DAY0).days)


# Baseline 30 + 20 = 50; day 42: 18 + 12 = 30 (-40 %: PR); day 84: 12 + 8 = 20 (-60 %: PR, not CR as the
# lesions are still there); day 126: 24 + 16 = 40: +100 % and +20 mm over the nadir 20 -> PD.
def _responder() -> pd.DataFrame:
    return _targets("P", (0, (30, 20)), (42, (18, 12)), (84, (12, 8)), (126, (24, 16)))


def test_summary_of_a_responder_who_progresses() -> None:
    """Worked by hand (course above): BOR PR on day 42 (the first PR); CBOR PR on day 42 (confirmed by the
    PR on day 84, 42 >= 28 days later); RESPONSE_DATE day 42; PROGRESSION_DATE day 126 (2024-05-06);
    SOD_BASELINE 50; NADIR 20 (smallest complete sum); BEST_PCHG (20 - 50) / 50 = -60 %."""
    timepoints = _timepoints(_responder())
    assert timepoints["OVERALL"].tolist()[1:] == ["PR", "PR", "PD"]
    adrs = derive_adrs_from_timepoints(timepoints)
    summary = derive_subject_summary(timepoints, adrs)
    assert len(summary) == 1
    row = summary.iloc[0]
    assert row["USUBJID"] == "P"
    assert (row["BOR"], row["CBOR"]) == ("PR", "PR")
    assert row["RESPONSE_DATE"] == pd.Timestamp("2024-02-12")
    assert row["PROGRESSION_DATE"] == pd.Timestamp("2024-05-06")
    assert (row["SOD_BASELINE"], row["NADIR"], row["BEST_PCHG"]) == (50.0, 20.0, -60.0)


def test_adrs_parameters_of_the_responder() -> None:
    """As above: RSP/CRSP/CB/CCB Y on day 42, PD Y on day 126; one OVR record per follow-up (3)."""
    timepoints = _timepoints(_responder())
    adrs = derive_adrs_from_timepoints(timepoints)
    assert {p: _param(adrs, "P", p) for p in PARAMS} == {
        "BOR": ("PR", 42),
        "CBOR": ("PR", 42),
        "RSP": ("Y", 42),
        "CRSP": ("Y", 42),
        "CB": ("Y", 42),
        "CCB": ("Y", 42),
        "PD": ("Y", 126),
    }
    ovr = adrs.loc[adrs["PARAMCD"] == "OVR"]
    assert ovr["AVALC"].tolist() == ["PR", "PR", "PD"]
    assert ovr["AVISIT"].tolist() == ["DAY 42", "DAY 84", "DAY 126"]


def test_without_adsl_the_reference_is_the_baseline_scan() -> None:
    """Target 30 mm unchanged (SD). Q: SD on day 41 after the baseline scan, 1 day short of 42 -> BOR NE;
    R: SD on day 42 -> BOR SD."""
    timepoints = _timepoints(_targets("Q", (0, (30,)), (41, (30,))), _targets("R", (0, (30,)), (42, (30,))))
    adrs = derive_adrs_from_timepoints(timepoints)
    assert _param(adrs, "Q", "BOR") == ("NE", 41)
    assert _param(adrs, "R", "BOR") == ("SD", 42)
    assert adrs.loc[adrs["PARAMCD"] == "BOR", "RANDDT"].tolist() == [DAY0, DAY0]


def test_with_adsl_the_reference_is_randdt() -> None:
    """Q randomised 2023-12-20, 12 days before its baseline scan: the SD on day 41 after the scan is
    12 + 41 = 53 days after RANDDT -> SD. X is in ADSL without assessments -> MISSING / N."""
    timepoints = _timepoints(_targets("Q", (0, (30,)), (41, (30,))))
    adsl = pd.DataFrame({"USUBJID": ["Q", "X"], "RANDDT": ["2023-12-20", "2024-01-01"]})
    adrs = derive_adrs_from_timepoints(timepoints, adsl)
    assert _param(adrs, "Q", "BOR") == ("SD", 41)
    assert {p: _param(adrs, "X", p)[0] for p in PARAMS} == {
        "BOR": "MISSING",
        "CBOR": "MISSING",
        "RSP": "N",
        "CRSP": "N",
        "CB": "N",
        "CCB": "N",
        "PD": "N",
    }
    summary = derive_subject_summary(timepoints, adrs).set_index("USUBJID")
    assert summary.at["X", "BOR"] == "MISSING"
    assert np.isnan(summary.at["X", "NADIR"])


def test_reference_col_option() -> None:
    """SD on day 42 after the scan (2024-02-12) is 41 days after TRTSDT 2024-01-02 -> NE."""
    timepoints = _timepoints(_targets("R", (0, (30,)), (42, (30,))))
    adsl = pd.DataFrame({"USUBJID": ["R"], "RANDDT": ["2024-01-01"], "TRTSDT": ["2024-01-02"]})
    assert _param(derive_adrs_from_timepoints(timepoints, adsl), "R", "BOR") == ("SD", 42)
    adrs = derive_adrs_from_timepoints(timepoints, adsl, reference_col="TRTSDT")
    assert _param(adrs, "R", "BOR") == ("NE", 42)


def test_best_pchg_ignores_incomplete_assessments() -> None:
    """Baseline 20 + 20 = 40; day 42: 12 + 12 = 24 (-40 %); day 84: T1 4, T2 not measured (partial sum 4,
    -90 % if it counted) -> NE. NADIR 24, BEST_PCHG -40."""
    frame = _targets("P", (0, (20, 20)), (42, (12, 12)), (84, (4, 0)))
    frame.loc[(frame["VISIT"] == "DAY 84") & (frame["LESIONID"] == "T2"), "DIAMETER"] = np.nan
    timepoints = _timepoints(frame)
    assert timepoints["OVERALL"].tolist()[1:] == ["PR", "NE"]
    summary = derive_subject_summary(timepoints, derive_adrs_from_timepoints(timepoints))
    assert (summary.at[0, "NADIR"], summary.at[0, "BEST_PCHG"]) == (24.0, -40.0)


def test_baseline_only_subject_is_missing() -> None:
    """A baseline scan and nothing after it: no overall response -> BOR MISSING, RSP N (admiralonco's
    no_data_missing / no_data_n events)."""
    timepoints = _timepoints(_targets("Q", (0, (30,))))
    adrs = derive_adrs_from_timepoints(timepoints)
    assert (_param(adrs, "Q", "BOR"), _param(adrs, "Q", "RSP")) == (("MISSING", None), ("N", None))


# --- reference: admiralonco's ADRS on the pharmaverse RECIST set --------------------------------------


@pytest.fixture(scope="module")
def pharmaverse() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Time points (investigator) from tu_onco_recist.csv + tr_onco_recist.csv, and ADSL."""
    read = {"dtype": str, "keep_default_na": False}
    sdtm = ("reference", "pharmaverse", "sdtm")
    tu = pd.read_csv(shared_path(*sdtm, "tu_onco_recist.csv"), **read)
    tr = pd.read_csv(shared_path(*sdtm, "tr_onco_recist.csv"), **read)
    adsl = pd.read_csv(shared_path("reference", "pharmaverse", "adam", "adsl.csv"), **read)
    with pytest.warns(TrialWarning, match="partial scan date"):
        assessments = derive_lesion_assessments(tu, tr)
    return derive_timepoint_responses(assessments), adsl


def test_lesion_path_reproduces_admiralonco_adrs(pharmaverse: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """shared/reference/pharmaverse/admiralonco/adrs_from_rs_onco_recist.csv.

    R: admiralonco 1.0.0 ADRS template (``derive_extreme_event()`` with the ``bor_*``, ``cbor_*``, ``rsp_y``,
    ``crsp_y_*``, ``cb_y``, ``no_data_*`` events) on ``pharmaversesdtm::rs_onco_recist`` (investigator
    OVRLRESP) and ``pharmaverseadam::adsl``. Here the overall responses are recomputed from the lesions
    (TU/TR); every one of the 306 ADSL subjects x BOR, CBOR, RSP, CRSP, CB, CCB, PD agrees (AVALC, AVAL, ADT).
    """
    timepoints, adsl = pharmaverse
    adrs = derive_adrs_from_timepoints(timepoints, adsl)
    params = adrs.loc[adrs["PARAMCD"] != "OVR"]
    found = {
        (s, str(p)): (str(c), str(v), "" if pd.isna(d) else d.strftime("%Y-%m-%d"))
        for s, p, c, v, d in zip(
            params["USUBJID"], params["PARAMCD"], params["AVALC"], params["AVAL"], params["ADT"], strict=True
        )
    }
    path = shared_path("reference", "pharmaverse", "admiralonco", "adrs_from_rs_onco_recist.csv")
    ref = pd.read_csv(path, dtype=str, keep_default_na=False)
    ref = ref.loc[ref["PARAMCD"] != "OVR"]
    expected = {
        (s, p): (c, v, d)
        for s, p, c, v, d in zip(ref["USUBJID"], ref["PARAMCD"], ref["AVALC"], ref["AVAL"], ref["ADT"], strict=True)
    }
    assert len(expected) == 306 * 7
    mismatches = [f"{k}: expected {v}, got {found.get(k)}" for k, v in expected.items() if found.get(k) != v]
    assert mismatches == []
    assert len(found) == len(expected)


def test_summary_of_reference_subject_01_701_1118(pharmaverse: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """tr_onco_recist.csv, investigator, 01-701-1118 (T01 chest, T02 colon; LDIAM): baseline 27 + 51 = 78;
    WEEK 3 24 + 48 = 72 (SD); WEEK 6 15 + 23 = 38 (-51.3 %, PR, 2014-04-23); WEEK 9 T02 missing (NE);
    WEEK 12 14 + 19 = 33 (PR). NADIR 33; BEST_PCHG (33 - 78) / 78 = -57.692 %; CBOR PR (PR, NE, PR 42 days
    later: one NE allowed). admiralonco (adrs_subject_summary_rs_onco_recist.csv): BOR PR, CBOR PR, RSP
    2014-04-23, no PD."""
    timepoints, adsl = pharmaverse
    summary = derive_subject_summary(timepoints, derive_adrs_from_timepoints(timepoints, adsl))
    assert len(summary) == 306
    row = summary.set_index("USUBJID").loc["01-701-1118"]
    assert (row["BOR"], row["CBOR"]) == ("PR", "PR")
    assert row["RESPONSE_DATE"] == pd.Timestamp("2014-04-23")
    assert pd.isna(row["PROGRESSION_DATE"])
    assert (row["SOD_BASELINE"], row["NADIR"]) == (78.0, 33.0)
    assert row["BEST_PCHG"] == pytest.approx(-57.6923, abs=1e-4)


def test_summary_and_adrs_have_no_private_columns() -> None:
    """The summary's columns are the documented ones; neither it nor the ADRS carries a private ``_`` column."""
    timepoints = _timepoints(_responder())
    adrs = derive_adrs_from_timepoints(timepoints)
    summary = derive_subject_summary(timepoints, adrs)
    assert list(summary.columns) == [
        "USUBJID", "BOR", "CBOR", "RESPONSE_DATE", "PROGRESSION_DATE", "SOD_BASELINE", "NADIR", "BEST_PCHG"
    ]  # fmt: skip
    assert [c for c in adrs.columns if str(c).startswith("_")] == []
