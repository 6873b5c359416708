"""Time-to-event derivation (``oncotrial.endpoints.tte``): ADTTE from ADSL and ADRS.

Reference: pharmaverseadam's ``adtte_onco`` (``shared/reference/pharmaverse/adam/adtte_onco.csv``),
derived by admiral's ADTTE template from the 8-subject RECIST set (``derive_param_tte`` with PD and
death events, last tumour assessment and randomisation censorings; OS with last-known-alive). Hand
cases follow the FDA 2018 guidance (Clinical Trial Endpoints for the Approval of Cancer Drugs and
Biologics, Table 3) and are worked out in each test.
"""

from __future__ import annotations

import warnings
from datetime import date

import pandas as pd
import pytest

from oncotrial.endpoints import derive_adtte
from oncotrial.errors import DataError, TrialWarning
from oncotrial.recist import derive_adrs_from_overall
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def pharmaverse() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    base = shared_path("reference", "pharmaverse")
    rs = pd.read_csv(base / "sdtm" / "rs_onco_recist.csv", dtype=str, keep_default_na=False)
    adsl = pd.read_csv(base / "adam" / "adsl.csv", dtype=str, keep_default_na=False)
    reference = pd.read_csv(base / "adam" / "adtte_onco.csv", dtype=str, keep_default_na=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrialWarning)
        adrs = derive_adrs_from_overall(rs, adsl)
    return adsl, adrs, reference


def test_adtte_matches_pharmaverse_adtte_onco(pharmaverse: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    """OS, PFS and duration of response (pharmaverse RSD, our DOR) for all 254 randomised subjects:
    ADT, STARTDT, AVAL (ADT - STARTDT + 1), CNSR, EVNTDESC and CNSDTDSC equal admiral's."""
    adsl, adrs, reference = pharmaverse
    with (
        pytest.warns(TrialWarning, match="52 subject"),  # not randomised: no RANDDT, no records (as admiral)
        pytest.warns(TrialWarning, match="Subject 01-705-1018: LSTALVDT 2013-06-30 is before RANDDT 2013-07-05"),
    ):
        adtte = derive_adtte(adsl, adrs)
    got = adtte.assign(
        ADT=adtte["ADT"].dt.strftime("%Y-%m-%d"),
        STARTDT=adtte["STARTDT"].dt.strftime("%Y-%m-%d"),
        AVAL=adtte["AVAL"].astype(str),
        CNSR=adtte["CNSR"].astype(str),
    )
    ref = reference.assign(PARAMCD=reference["PARAMCD"].replace({"RSD": "DOR"}))
    merged = ref.merge(got, on=["USUBJID", "PARAMCD"], how="left", suffixes=("_ref", ""), indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", ["USUBJID", "PARAMCD"]]
    assert len(merged) == 767 - 254 - 1  # the reference has OS, PFS (254 each) and 4 RSD rows: 512
    problems = []
    for column in ("ADT", "STARTDT", "AVAL", "CNSR", "EVNTDESC", "CNSDTDSC"):
        bad = merged[merged[f"{column}_ref"] != merged[column]]
        problems += [f"{r.USUBJID} {r.PARAMCD} {column}" for r in bad.itertuples()]
    assert not problems, problems[:10]


def _adsl(**extra: str) -> pd.DataFrame:
    """One subject S randomised 2024-01-01, alive on 2024-12-31 (no death date); ``extra`` adds or replaces columns."""
    columns = {"USUBJID": "S", "RANDDT": "2024-01-01", "LSTALVDT": "2024-12-31", "DTHDT": ""} | extra
    return pd.DataFrame({k: [v] for k, v in columns.items()})


def _adrs(assessments: list[tuple[str, str]], params: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """OVR records (date, response) of subject S, all analysable, plus parameter rows {PARAMCD: (AVALC, ADT)}."""
    rows = [{"USUBJID": "S", "PARAMCD": "OVR", "AVALC": r, "ADT": d, "ANL01FL": "Y"} for d, r in assessments]
    rows += [
        {"USUBJID": "S", "PARAMCD": k, "AVALC": v, "ADT": d, "ANL01FL": "Y"} for k, (v, d) in (params or {}).items()
    ]
    return pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "AVALC", "ADT", "ANL01FL"])


def _record(adtte: pd.DataFrame, paramcd: str) -> dict[str, object]:
    row = adtte.loc[adtte["PARAMCD"] == paramcd].iloc[0]
    return {
        "ADT": row["ADT"].date(),
        "AVAL": int(row["AVAL"]),
        "CNSR": int(row["CNSR"]),
        "EVNTDESC": row["EVNTDESC"],
        "WHY": row["CNSRREAS"],
    }


SCANS = [("2024-02-12", "SD"), ("2024-03-25", "SD"), ("2024-05-06", "PD")]
PROGRESSION = {"PD": ("Y", "2024-05-06"), "BOR": ("SD", "2024-02-12")}


def test_progression_is_the_pfs_event() -> None:
    """PD on 2024-05-06: AVAL = 126 days from 2024-01-01 (31 + 29 + 31 + 30 + 5 = 126) + 1 = 127."""
    adtte = derive_adtte(_adsl(), _adrs(SCANS, PROGRESSION))
    assert _record(adtte, "PFS") == {
        "ADT": date(2024, 5, 6),
        "AVAL": 127,
        "CNSR": 0,
        "EVNTDESC": "Disease Progression",
        "WHY": "",
    }
    # OS: alive on 2024-12-31 (day 365 of the leap year 2024, AVAL 366).
    assert _record(adtte, "OS")["AVAL"] == 366
    # Duration of SD (BOR SD): from the start to the PD, as PFS.
    assert _record(adtte, "DSD")["CNSR"] == 0


def test_death_before_progression_is_a_pfs_event_but_not_ttp() -> None:
    """Death on 2024-04-01 after two SD scans: PFS event (death); TTP censored at the last scan 2024-03-25."""
    adtte = derive_adtte(_adsl(DTHDT="2024-04-01"), _adrs(SCANS[:2], {"BOR": ("SD", "2024-02-12")}))
    assert _record(adtte, "PFS")["EVNTDESC"] == "Death"
    assert _record(adtte, "PFS")["CNSR"] == 0
    ttp = _record(adtte, "TTP")
    assert (ttp["ADT"], ttp["CNSR"]) == (date(2024, 3, 25), 1)
    assert _record(adtte, "OS")["EVNTDESC"] == "Death"


def test_no_post_baseline_assessment_is_censored_at_randomisation() -> None:
    """No tumour assessment and no death: PFS censored on the start date, AVAL 1."""
    adtte = derive_adtte(_adsl(), _adrs([]))
    pfs = _record(adtte, "PFS")
    assert (pfs["ADT"], pfs["AVAL"], pfs["CNSR"], pfs["EVNTDESC"]) == (date(2024, 1, 1), 1, 1, "Randomization")
    assert str(pfs["WHY"]).startswith("No adequate post-baseline tumour assessment")


def test_new_anticancer_therapy_censors_pfs_but_not_os() -> None:
    """New therapy on 2024-04-15, before the PD of 2024-05-06 and a death on 2024-06-01: PFS is censored at
    the last scan before it (2024-03-25); OS still counts the death."""
    adtte = derive_adtte(_adsl(NACTDT="2024-04-15", DTHDT="2024-06-01"), _adrs(SCANS, PROGRESSION), nact_col="NACTDT")
    pfs = _record(adtte, "PFS")
    assert (pfs["ADT"], pfs["CNSR"]) == (date(2024, 3, 25), 1)
    assert "new anti-cancer therapy" in str(pfs["WHY"])
    assert _record(adtte, "OS")["CNSR"] == 0


def test_progression_after_missed_assessments_is_censored() -> None:
    """Scans every 6 weeks; the PD comes 84 days after the last scan (two missed): with max_gap_days = 70
    (two intervals of 42 days would be 84 > 70) PFS is censored at 2024-02-12; without the rule it is an event."""
    scans = [("2024-02-12", "SD"), ("2024-05-06", "PD")]
    adtte = derive_adtte(_adsl(), _adrs(scans, PROGRESSION), max_gap_days=70)
    pfs = _record(adtte, "PFS")
    assert (pfs["ADT"], pfs["CNSR"]) == (date(2024, 2, 12), 1)
    assert "missed assessments" in str(pfs["WHY"])
    assert _record(derive_adtte(_adsl(), _adrs(scans, PROGRESSION)), "PFS")["CNSR"] == 0


def test_data_cutoff() -> None:
    """Cut-off 2024-04-30: the PD of 2024-05-06 is after it, so PFS is censored at the 2024-03-25 scan; OS is
    censored at the cut-off (last known alive 2024-12-31 is capped)."""
    adtte = derive_adtte(_adsl(), _adrs(SCANS, PROGRESSION), cutoff=date(2024, 4, 30))
    assert (_record(adtte, "PFS")["ADT"], _record(adtte, "PFS")["CNSR"]) == (date(2024, 3, 25), 1)
    assert _record(adtte, "OS")["ADT"] == date(2024, 4, 30)


def test_duration_of_response_starts_at_the_first_response() -> None:
    """PR on 2024-02-12 (RSP Y), PD 2024-05-06: DOR = 84 days + 1 = 85, an event."""
    adrs = _adrs([("2024-02-12", "PR"), ("2024-05-06", "PD")], {"RSP": ("Y", "2024-02-12"), "PD": ("Y", "2024-05-06")})
    dor = _record(derive_adtte(_adsl(), adrs), "DOR")
    assert (dor["AVAL"], dor["CNSR"]) == (85, 0)


def test_missing_columns_are_errors() -> None:
    with pytest.raises(DataError, match="RANDDT"):
        derive_adtte(pd.DataFrame({"USUBJID": ["S"]}), _adrs(SCANS))


def _one_subject_adsl(**extra: object) -> pd.DataFrame:
    return pd.DataFrame(
        {"USUBJID": ["S"], "RANDDT": [pd.Timestamp("2020-01-01 15:00")], **{k: [v] for k, v in extra.items()}}
    )


def _one_subject_adrs(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame([{"USUBJID": "S", "PARAMCD": p, "AVALC": v, "ADT": d, "ANL01FL": "Y"} for p, v, d in rows])


def test_clock_times_do_not_shorten_times_to_event() -> None:
    """Randomised 2020-01-01 15:00, died 2020-01-10 09:00: OS = 9 days + 1 = 10 (dates, as admiral), and a
    death on the cut-off day counts."""
    adsl = _one_subject_adsl(DTHDT=pd.Timestamp("2020-01-10 09:00"), LSTALVDT=pd.Timestamp("2020-01-10 09:00"))
    adrs = _one_subject_adrs([("OVR", "SD", "2020-01-05")])
    adtte = derive_adtte(adsl, adrs, cutoff=date(2020, 1, 10)).set_index("PARAMCD")
    assert (adtte.loc["OS", "AVAL"], adtte.loc["OS", "CNSR"]) == (10, 0)


def test_death_after_a_progression_ruled_out_by_missed_assessments_is_censored_too() -> None:
    """Last adequate scan SD 2020-04-10; PD 2020-10-27 comes 200 days later (> 120): ruled out; the death on
    2020-11-16 follows the same missed assessments, so PFS is censored at 2020-04-10: AVAL 100 + 1 = 101."""
    adsl = _one_subject_adsl(DTHDT=pd.Timestamp("2020-11-16"), LSTALVDT=pd.Timestamp("2020-11-16"))
    adrs = _one_subject_adrs([("OVR", "SD", "2020-04-10"), ("OVR", "PD", "2020-10-27"), ("PD", "Y", "2020-10-27")])
    pfs = derive_adtte(adsl, adrs, max_gap_days=120).set_index("PARAMCD").loc["PFS"]
    assert (pfs["ADT"], pfs["AVAL"], pfs["CNSR"]) == (pd.Timestamp("2020-04-10"), 101, 1)


def test_adsl_variables_match_pharmaverse_adtte_onco(
    pharmaverse: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    """admiral's ADTTE template carries AGE, SEX, ARM, ARMCD, ACTARM and ACTARMCD (adsl_vars) into every
    record: ours equal adtte_onco.csv's on all 512 records it has (OS, PFS, RSD as DOR)."""
    adsl, adrs, reference = pharmaverse
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrialWarning)
        adtte = derive_adtte(adsl, adrs)
    carried = ["AGE", "SEX", "ARM", "ARMCD", "ACTARM", "ACTARMCD"]
    assert adtte.columns.tolist()[:2] == ["STUDYID", "USUBJID"]
    got = adtte[["USUBJID", "PARAMCD", *carried]].astype(str)
    ref = reference.assign(PARAMCD=reference["PARAMCD"].replace({"RSD": "DOR"}))[["USUBJID", "PARAMCD", *carried]]
    merged = ref.merge(got, on=["USUBJID", "PARAMCD"], how="left", suffixes=("_ref", ""))
    assert len(merged) == 512
    for column in carried:
        assert (merged[f"{column}_ref"] == merged[column]).all(), column


def test_adsl_vars_carried_by_default_and_on_request() -> None:
    """STRATAR is a stratification factor (carried by default), ECOGBL only when asked for; every record of S
    has them. An ADSL without ARM simply has no ARM column in the ADTTE."""
    adsl = _adsl(STRATAR="HIGH", ECOGBL="1")
    adtte = derive_adtte(adsl, _adrs([("2024-02-12", "SD")]), adsl_vars=["ECOGBL"])
    assert adtte.columns.tolist()[:3] == ["USUBJID", "STRATAR", "ECOGBL"]
    assert set(adtte["STRATAR"].astype(str)) == {"HIGH"}
    assert set(adtte["ECOGBL"].astype(str)) == {"1"}
    assert "ARM" not in adtte.columns
    with pytest.raises(DataError, match=r"ADSL has no column\(s\) ARM to carry"):
        derive_adtte(adsl, _adrs([("2024-02-12", "SD")]), adsl_vars=["ARM"])
