"""Adverse-event tables (``oncotrial.safety.adverse_events``).

On pharmaversesdtm AE/DM/EX (tests/reference/pharmaverse/sdtm/, provenance in tests/reference/README.md) the
counts equal a direct count written here another way (sets of patients built row by row, dates compared
with ``datetime``); on a hand-made AE set every count is a literal worked out by hand.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pandas as pd
import pytest

from oncotrial.errors import DataError
from oncotrial.safety import ANY_EVENT, summarise_adverse_events
from tests.conftest import shared_path

SDTM = ("pharmaverse", "sdtm")


def _bounds(text: object) -> tuple[date | None, date | None]:
    """Earliest and latest day of an ISO date that may be partial (YYYY, YYYY-MM)."""
    if not isinstance(text, str) or not text:
        return None, None
    parts = [int(p) for p in text[:10].split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return day, day
    if len(parts) == 2:
        return date(parts[0], parts[1], 1), date(parts[0], parts[1], calendar.monthrange(*parts)[1])
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def _direct_counts(window: int) -> dict[tuple[str, str, str], dict[str, set[str]]]:
    ae = pd.read_csv(shared_path(*SDTM, "ae.csv"))
    dm = pd.read_csv(shared_path(*SDTM, "dm.csv"))
    ex = pd.read_csv(shared_path(*SDTM, "ex.csv"))
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    for row in ex.itertuples():
        end = row.EXENDTC if isinstance(row.EXENDTC, str) else row.EXSTDTC
        first[row.USUBJID] = min(first.get(row.USUBJID, row.EXSTDTC), row.EXSTDTC)  # ISO dates sort as text
        last[row.USUBJID] = max(last.get(row.USUBJID, end), end)
    arm = dict(zip(dm["USUBJID"], dm["ARM"], strict=True))
    sets: dict[tuple[str, str, str], dict[str, set[str]]] = {}
    for row in ae.itertuples():
        if row.USUBJID not in first:
            continue
        start, end = date.fromisoformat(first[row.USUBJID]), date.fromisoformat(last[row.USUBJID])
        earliest, latest = _bounds(row.AESTDTC)
        if earliest is not None and not (latest >= start and earliest <= end + timedelta(days=window)):
            continue
        for key in ((arm[row.USUBJID], ANY_EVENT, ""), (arm[row.USUBJID], row.AEBODSYS, ""),
                    (arm[row.USUBJID], row.AEBODSYS, row.AEDECOD)):  # fmt: skip
            entry = sets.setdefault(key, {"any": set(), "grade_3_plus": set(), "serious": set(), "related": set()})
            entry["any"].add(row.USUBJID)
            if row.AESEV == "SEVERE":
                entry["grade_3_plus"].add(row.USUBJID)
            if row.AESER == "Y":
                entry["serious"].add(row.USUBJID)
            if row.AEREL in ("POSSIBLE", "PROBABLE"):
                entry["related"].add(row.USUBJID)
    return sets


@pytest.mark.parametrize("window", [30, 0])
def test_counts_on_pharmaverse_ae_equal_a_direct_count(window: int) -> None:
    """Every row (arm x overall / SOC / preferred term) of the table equals the sets built above."""
    ae = pd.read_csv(shared_path(*SDTM, "ae.csv"))
    dm = pd.read_csv(shared_path(*SDTM, "dm.csv"))
    ex = pd.read_csv(shared_path(*SDTM, "ex.csv"))
    table = summarise_adverse_events(ae, adsl=dm, ex=ex, by=["ARM"], window_days=window).to_frame()
    expected = _direct_counts(window)
    got = {(r.ARM, r.AEBODSYS, r.AEDECOD): r for r in table.itertuples()}
    assert set(got) == set(expected)
    for key, sets in expected.items():
        for name, patients in sets.items():
            assert getattr(got[key], name) == len(patients), (key, name)
    denominators = table.drop_duplicates("ARM").set_index("ARM")["N"].to_dict()
    assert denominators == dm["ARM"].value_counts().drop("Screen Failure").to_dict()


def _hand_made() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    ae = pd.DataFrame(
        {
            "USUBJID": ["P1", "P1", "P1", "P2", "P2", "P3", "P4"],
            "AEBODSYS": ["GI", "GI", "SKIN", "GI", "GI", "SKIN", "GI"],
            "AEDECOD": ["NAUSEA", "NAUSEA", "RASH", "DIARRHOEA", "NAUSEA", "RASH", "NAUSEA"],
            "AESTDTC": ["2024-01-05", "2024-01-20", "2023-12-30", "2024-02-01", "2024-03-15", "2024-01-10", "2024-01"],
            "AETOXGR": [1, 3, 2, 2, 1, 4, 2],
            "AESER": ["N", "Y", "N", "N", "N", "Y", "N"],
            "AEREL": ["PROBABLE", "PROBABLE", "NONE", "REMOTE", "POSSIBLE", "NONE", "RELATED"],
        }
    )
    adsl = pd.DataFrame({"USUBJID": ["P1", "P2", "P3", "P4", "P5"], "ARM": ["A", "A", "B", "B", "B"]})
    ex = pd.DataFrame(
        {
            "USUBJID": ["P1", "P1", "P2", "P3", "P4", "P5"],
            "EXSTDTC": ["2024-01-01", "2024-01-22", "2024-01-01", "2024-01-01", "2024-01-15", "2024-01-01"],
            "EXENDTC": ["2024-01-21", "2024-02-11", "2024-01-31", "2024-01-31", "2024-02-13", "2024-03-01"],
        }
    )
    return ae, adsl, ex


def test_hand_made_counts() -> None:
    """By hand. First/last dose: P1 Jan 1 - Feb 11, P2 Jan 1 - Jan 31, P3 Jan 1 - Jan 31, P4 Jan 15 - Feb 13.
    Treatment-emergent (30 days): P1 nausea x2 (rash Dec 30 is before the first dose); P2 diarrhoea Feb 1
    (nausea Mar 15 is 44 days after Jan 31: out); P3 rash; P4 nausea in "2024-01" (its last possible day,
    Jan 31, is after the first dose). Arm A (P1, P2): any 2, grade >= 3 1 (P1), serious 1 (P1), related 1
    (P1; REMOTE is not related). Arm B (P3, P4, P5): any 2, grade >= 3 1 (P3), serious 1, related 1 (P4)."""
    ae, adsl, ex = _hand_made()
    table = summarise_adverse_events(ae, adsl=adsl, ex=ex, by=["ARM"]).to_frame()
    overall = table[table["level"] == "any"].set_index("ARM")
    assert overall[["N", "any", "grade_3_plus", "serious", "related", "events"]].values.tolist() == [
        [2, 2, 1, 1, 1, 3], [3, 2, 1, 1, 1, 2],
    ]  # fmt: skip
    nausea = table[table["AEDECOD"] == "NAUSEA"].set_index("ARM")
    assert nausea[["any", "grade_3_plus", "events"]].values.tolist() == [[1, 1, 2], [1, 0, 1]]
    assert nausea["pct_any"].tolist() == pytest.approx([50.0, 100 / 3])


def test_hand_made_exposure_adjusted_rates() -> None:
    """Exposure (last - first + 1 days): arm A P1 42 + P2 31 = 73 days; arm B P3 31 + P4 30 + P5 61 = 122
    days. Rates: 3 / (73 / 365.25) = 15.0103 and 2 / (122 / 365.25) = 5.9877 events per patient-year."""
    ae, adsl, ex = _hand_made()
    table = summarise_adverse_events(ae, adsl=adsl, ex=ex, by=["ARM"]).to_frame()
    overall = table[table["level"] == "any"].set_index("ARM")
    assert overall["exposure_years"].tolist() == pytest.approx([73 / 365.25, 122 / 365.25])
    assert overall["events_per_patient_year"].tolist() == pytest.approx([15.0103, 5.9877], abs=1e-4)


def test_worst_grade_per_patient_and_term() -> None:
    """P1 nausea grades 1 and 3: worst 3 (by hand)."""
    ae, adsl, ex = _hand_made()
    worst = summarise_adverse_events(ae, adsl=adsl, ex=ex, by=["ARM"]).worst
    p1 = worst[(worst["USUBJID"] == "P1") & (worst["AEDECOD"] == "NAUSEA")]
    assert p1["worst_grade"].tolist() == [3]


def test_without_ex_every_ae_counts_and_a_cycle_column_splits() -> None:
    """No EX: all 7 records count; by AE column CYCLE: cycle 1 has P1, P2, P3 (3 patients), cycle 2 P1, P4."""
    ae, _, _ = _hand_made()
    ae["CYCLE"] = [1, 2, 1, 1, 2, 1, 2]
    result = summarise_adverse_events(ae, by=["CYCLE"])
    overall = result.to_frame().query("level == 'any'").set_index("CYCLE")
    assert overall["any"].tolist() == [3, 3]
    assert len(result.events) == 7


def test_no_exposure_adjusted_rate_within_a_cycle() -> None:
    """EX tells each patient's whole exposure, not the part within a cycle: split by an AE column the
    rate is left missing, split by ARM it is given."""
    ae, adsl, ex = _hand_made()
    ae["CYCLE"] = [1, 2, 1, 1, 2, 1, 2]
    by_cycle = summarise_adverse_events(ae, adsl=adsl, ex=ex, by=["CYCLE"]).to_frame()
    assert by_cycle["events_per_patient_year"].isna().all()
    by_arm = summarise_adverse_events(ae, adsl=adsl, ex=ex, by=["ARM"]).to_frame()
    assert by_arm["events_per_patient_year"].notna().all()


def test_bad_grade_and_unknown_by_column_are_refused() -> None:
    ae, adsl, _ = _hand_made()
    with pytest.raises(DataError, match=r"AE row 2 \(subject P1\): AETOXGR '3.5' is not a CTCAE grade"):
        summarise_adverse_events(ae.assign(AETOXGR=[1, 3.5, 2, 2, 1, 4, 2]))
    with pytest.raises(DataError, match="--by SITE is a column of neither ADSL nor AE"):
        summarise_adverse_events(ae, adsl=adsl, by=["SITE"])
    with pytest.raises(DataError, match="lacks the column\\(s\\) AEDECOD"):
        summarise_adverse_events(ae.drop(columns="AEDECOD"))


def test_an_event_not_coded_is_counted_under_its_verbatim_term() -> None:
    """Entered data have no MedDRA coding: P1's "Hypotension" (no AEBODSYS, no AEDECOD) is counted in the class
    "(not coded)" under its verbatim term, P2's coded nausea as before; no row is keyed by a missing value."""
    ae = pd.DataFrame(
        {
            "USUBJID": ["P1", "P2"],
            "AETERM": ["Hypotension", "Nausea"],
            "AEBODSYS": [None, "GASTROINTESTINAL DISORDERS"],
            "AEDECOD": [None, "NAUSEA"],
            "AESTDTC": ["2026-11-24", "2026-11-25"],
            "AETOXGR": [3, 1],
        }
    )
    table = summarise_adverse_events(ae).to_frame()
    terms = table[table["level"] == "term"]
    assert terms[["AEBODSYS", "AEDECOD", "any", "grade_3_plus"]].values.tolist() == [
        ["(not coded)", "Hypotension", 1, 1],
        ["GASTROINTESTINAL DISORDERS", "NAUSEA", 1, 0],
    ]
