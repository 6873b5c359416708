"""From SDTM TU/TR to lesion assessments (``oncotrial.recist.lesions``).

Small TU/TR tables are built by hand as text (as ``read_table`` reads CSV). SDTM conventions
(SDTMIG v3.x TU/TR domains; CDISC test codes DIAMETER, LDIAM, SAXIS, LPERP, SUMDIAM, TUMSTATE):
the RECIST diameter of a target is TR's DIAMETER when given, otherwise the longest diameter
(LDIAM) of a non-nodal lesion and the short axis (SAXIS, else LPERP) of a node (RECIST 1.1
section 3.1.1). The reference test runs the shared pharmaverse RECIST set.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from oncotrial.errors import DataError, InconsistentDataError, TrialWarning
from oncotrial.recist import derive_lesion_assessments, derive_timepoint_responses
from tests.conftest import shared_path

INV = "INVESTIGATOR"
IRC = "INDEPENDENT ASSESSOR"
TU_COLUMNS = ["USUBJID", "TULNKID", "TUSTRESC", "TULOC", "VISIT", "TUMETHOD", "TUEVAL", "TUDTC"]
TR_COLUMNS = ["USUBJID", "TRLNKID", "TRTESTCD", "TRSTRESC", "TRSTRESU", "VISIT", "TRDTC", "TREVAL"]


def _tu(*rows: Sequence[str]) -> pd.DataFrame:
    """TU rows: (subject, lesion, category, location, visit[, method, evaluator, date])."""
    defaults = ("CT SCAN", INV, "2024-01-01")
    return pd.DataFrame([(*r, *defaults[len(r) - 5 :]) for r in rows], columns=TU_COLUMNS)


def _tr(*rows: Sequence[str]) -> pd.DataFrame:
    """TR rows: (subject, lesion, test, result, unit, visit[, date, evaluator])."""
    defaults = ("2024-01-01", INV)
    return pd.DataFrame([(*r, *defaults[len(r) - 6 :]) for r in rows], columns=TR_COLUMNS)


def _by_lesion(assessments: pd.DataFrame) -> pd.DataFrame:
    return assessments.set_index(["LESIONID", "VISIT"]).sort_index()


# --- the RECIST diameter ----------------------------------------------------------------------------

DIAMETER_CASES = [
    # DIAMETER is the RECIST diameter when present: 31, not LDIAM 99.
    pytest.param("LIVER", [("DIAMETER", "31", "mm"), ("LDIAM", "99", "mm")], 31.0, id="diameter_preferred"),
    # ... for a node too: 16, not SAXIS 18.
    pytest.param("LYMPH NODE", [("DIAMETER", "16", "mm"), ("SAXIS", "18", "mm")], 16.0, id="diameter_preferred_node"),
    # Non-nodal without DIAMETER: LDIAM 40 (LPERP 20 is not the RECIST measure).
    pytest.param("LIVER", [("LDIAM", "40", "mm"), ("LPERP", "20", "mm")], 40.0, id="non_nodal_ldiam"),
    # Node without DIAMETER: SAXIS 18 (not LDIAM 40, not LPERP 19).
    pytest.param(
        "LYMPH NODE", [("LDIAM", "40", "mm"), ("SAXIS", "18", "mm"), ("LPERP", "19", "mm")], 18.0, id="node_saxis"
    ),
    # Node without DIAMETER or SAXIS: LPERP 17; TULOC naming a node station is nodal.
    pytest.param("AXILLARY LYMPH NODE", [("LDIAM", "40", "mm"), ("LPERP", "17", "mm")], 17.0, id="node_lperp"),
    # 2.5 cm = 25 mm.
    pytest.param("LIVER", [("LDIAM", "2.5", "cm")], 25.0, id="cm_to_mm"),
]


@pytest.mark.parametrize(("location", "results", "expected"), DIAMETER_CASES)
def test_recist_diameter(location: str, results: list[tuple[str, str, str]], expected: float) -> None:
    tu = _tu(("S1", "T1", "TARGET", location, "SCREENING"))
    tr = _tr(*[("S1", "T1", test, value, unit, "SCREENING") for test, value, unit in results])
    row = _by_lesion(derive_lesion_assessments(tu, tr)).loc[("T1", "SCREENING")]
    assert row["DIAMETER"] == expected
    assert bool(row["NODAL"]) is ("NODE" in location)


@pytest.mark.parametrize("unit", [pytest.param("", id="missing"), pytest.param("kg", id="kg")])
def test_unit_that_is_not_a_length(unit: str) -> None:
    tu = _tu(("S1", "T1", "TARGET", "LIVER", "SCREENING"))
    tr = _tr(("S1", "T1", "LDIAM", "30", "mm", "SCREENING"), ("S1", "T1", "LDIAM", "25", unit, "WEEK 6", "2024-02-12"))
    with pytest.raises(
        DataError, match=f"Subject S1, visit WEEK 6, lesion T1: the LDIAM 25 has unit '{unit or 'none'}'"
    ):
        derive_lesion_assessments(tu, tr)


def test_result_that_is_not_a_number() -> None:
    tu = _tu(("S1", "T1", "TARGET", "LIVER", "SCREENING"))
    tr = _tr(("S1", "T1", "LDIAM", "abc", "mm", "SCREENING"))
    with pytest.raises(DataError, match="Subject S1, visit SCREENING, lesion T1: LDIAM 'abc' is not a number"):
        derive_lesion_assessments(tu, tr)


def test_measurement_not_done_is_missing_not_zero() -> None:
    """T1 30 mm at baseline; at week 6 its LDIAM record has no result (not done): DIAMETER must be missing
    (RECIST: not evaluated -> target NE), not 0 mm (disappeared)."""
    tu = _tu(("S1", "T1", "TARGET", "LIVER", "SCREENING"))
    tr = _tr(("S1", "T1", "LDIAM", "30", "mm", "SCREENING"), ("S1", "T1", "LDIAM", "", "", "WEEK 6", "2024-02-12"))
    assessments = derive_lesion_assessments(tu, tr)
    assert np.isnan(_by_lesion(assessments).at[("T1", "WEEK 6"), "DIAMETER"])
    timepoints = derive_timepoint_responses(assessments)
    assert timepoints["TARGET"].tolist()[1:] == ["NE"]


def test_too_small_to_measure_is_5_mm_and_not_done_is_missing() -> None:
    """RECIST 1.1 (section 3.1.2, FAQ): a target present but too small to measure is recorded as 5 mm.
    T1 30 -> "TOO SMALL TO MEASURE" (5 mm); T2 20 -> "NOT DONE" (not evaluated, NaN)."""
    tu = _tu(("S1", "T1", "TARGET", "LIVER", "SCREENING"), ("S1", "T2", "TARGET", "LUNG", "SCREENING"))
    tr = _tr(
        ("S1", "T1", "LDIAM", "30", "mm", "SCREENING"),
        ("S1", "T2", "LDIAM", "20", "mm", "SCREENING"),
        ("S1", "T1", "LDIAM", "TOO SMALL TO MEASURE", "", "WEEK 6", "2024-02-12"),
        ("S1", "T2", "LDIAM", "NOT DONE", "", "WEEK 6", "2024-02-12"),
    )
    lesions = _by_lesion(derive_lesion_assessments(tu, tr))
    assert lesions.at[("T1", "WEEK 6"), "DIAMETER"] == 5.0
    assert np.isnan(lesions.at[("T2", "WEEK 6"), "DIAMETER"])


# --- lesions, visits and dates -------------------------------------------------------------------------


def test_states_categories_and_baseline_flag() -> None:
    """TU identifies T1 and NT1 at SCREENING (the baseline); TUMSTATE is upper-cased; a non-target has no
    diameter; the lesion's TULOC and TUMETHOD are carried as LOCATION and METHOD."""
    tu = _tu(("S1", "T1", "target", "Liver", "SCREENING"), ("S1", "NT1", "NON-TARGET", "BONE", "SCREENING"))
    tr = _tr(
        ("S1", "T1", "LDIAM", "30", "mm", "SCREENING"),
        ("S1", "NT1", "TUMSTATE", "present", "", "SCREENING"),
        ("S1", "T1", "LDIAM", "20", "mm", "WEEK 6", "2024-02-12"),
        ("S1", "NT1", "TUMSTATE", "absent", "", "WEEK 6", "2024-02-12"),
    )
    table = _by_lesion(derive_lesion_assessments(tu, tr))
    assert table["CATEGORY"].to_dict() == {
        ("NT1", "SCREENING"): "NON-TARGET",
        ("NT1", "WEEK 6"): "NON-TARGET",
        ("T1", "SCREENING"): "TARGET",
        ("T1", "WEEK 6"): "TARGET",
    }
    assert table["BASELINE"].astype(bool).tolist() == [True, False, True, False]
    assert table.loc["NT1", "STATE"].tolist() == ["PRESENT", "ABSENT"]
    assert table.loc["NT1", "DIAMETER"].isna().all()
    assert table.loc["T1", "DIAMETER"].tolist() == [30.0, 20.0]
    assert table.at[("T1", "WEEK 6"), "ADT"] == pd.Timestamp("2024-02-12")
    assert (table.at[("T1", "SCREENING"), "LOCATION"], table.at[("T1", "SCREENING"), "METHOD"]) == ("LIVER", "CT SCAN")


def test_results_for_a_lesion_not_in_tu() -> None:
    tu = _tu(("S1", "T1", "TARGET", "LIVER", "SCREENING"))
    tr = _tr(("S1", "T1", "LDIAM", "30", "mm", "SCREENING"), ("S1", "T9", "LDIAM", "25", "mm", "WEEK 6", "2024-02-12"))
    with pytest.raises(
        InconsistentDataError,
        match="Subject S1, visit WEEK 6, lesion T9: the lesion has results in TR but is not identified in TU",
    ):
        derive_lesion_assessments(tu, tr)


def test_baseline_lesions_identified_at_two_visits() -> None:
    tu = _tu(("S1", "T1", "TARGET", "LIVER", "SCREENING"), ("S1", "T2", "TARGET", "LUNG", "WEEK 3"))
    tr = _tr(("S1", "T1", "LDIAM", "30", "mm", "SCREENING"))
    with pytest.raises(
        InconsistentDataError, match=r"Subject S1 has baseline lesions identified at two visits \(SCREENING, WEEK 3\)"
    ):
        derive_lesion_assessments(tu, tr)


def test_partial_scan_date_is_imputed_with_a_warning() -> None:
    """TRDTC 2024-02 -> 2024-02-29 (last day of the month; 2024 is a leap year), as admiral imputes."""
    tu = _tu(("S1", "T1", "TARGET", "LIVER", "SCREENING"))
    tr = _tr(("S1", "T1", "LDIAM", "30", "mm", "SCREENING"), ("S1", "T1", "LDIAM", "20", "mm", "WEEK 6", "2024-02"))
    with pytest.warns(TrialWarning, match="1 partial scan date.*subject S1, visit WEEK 6, lesion T1"):
        table = _by_lesion(derive_lesion_assessments(tu, tr))
    assert table.at[("T1", "WEEK 6"), "ADT"] == pd.Timestamp("2024-02-29")


def test_scan_date_that_is_not_a_date() -> None:
    tu = _tu(("S1", "T1", "TARGET", "LIVER", "SCREENING"))
    tr = _tr(("S1", "T1", "LDIAM", "30", "mm", "SCREENING", "2024/01/01"))
    with pytest.raises(
        DataError, match="Subject S1, visit SCREENING, lesion T1: the scan date '2024/01/01' is not a date"
    ):
        derive_lesion_assessments(tu, tr)


def test_sumdiam_rows_are_ignored() -> None:
    """A SUMDIAM record (no lesion, a derived sum) neither adds a lesion nor changes T1's 30 mm."""
    tu = _tu(("S1", "T1", "TARGET", "LIVER", "SCREENING"))
    tr = _tr(("S1", "T1", "LDIAM", "30", "mm", "SCREENING"), ("S1", "", "SUMDIAM", "500", "mm", "SCREENING"))
    table = derive_lesion_assessments(tu, tr)
    assert table["LESIONID"].tolist() == ["T1"]
    assert table["DIAMETER"].tolist() == [30.0]


def test_new_lesion_without_results_is_unequivocal_at_its_tu_visit() -> None:
    """N1 is identified as NEW in TU at WEEK 6 (TUDTC 2024-02-13) with no TR record."""
    tu = _tu(
        ("S1", "T1", "TARGET", "LIVER", "SCREENING"),
        ("S1", "N1", "NEW", "LUNG", "WEEK 6", "CT SCAN", INV, "2024-02-13"),
    )
    tr = _tr(("S1", "T1", "LDIAM", "30", "mm", "SCREENING"), ("S1", "T1", "LDIAM", "30", "mm", "WEEK 6", "2024-02-12"))
    row = _by_lesion(derive_lesion_assessments(tu, tr)).loc[("N1", "WEEK 6")]
    assert (row["CATEGORY"], row["STATE"], bool(row["BASELINE"])) == ("NEW", "UNEQUIVOCAL", False)
    assert row["ADT"] == pd.Timestamp("2024-02-13")
    assert np.isnan(row["DIAMETER"])


def test_new_lesion_state_from_tr() -> None:
    tu = _tu(("S1", "T1", "TARGET", "LIVER", "SCREENING"), ("S1", "N1", "NEW", "LUNG", "WEEK 6"))
    tr = _tr(
        ("S1", "T1", "LDIAM", "30", "mm", "SCREENING"),
        ("S1", "N1", "TUMSTATE", "EQUIVOCAL", "", "WEEK 6", "2024-02-12"),
        ("S1", "N1", "TUMSTATE", "UNEQUIVOCAL", "", "WEEK 12", "2024-03-25"),
    )
    table = _by_lesion(derive_lesion_assessments(tu, tr))
    assert table.loc["N1", "STATE"].to_dict() == {"WEEK 6": "EQUIVOCAL", "WEEK 12": "UNEQUIVOCAL"}


def test_evaluator_filter() -> None:
    """Investigator T1 30 mm, independent assessor 34 mm: the default evaluator is the investigator."""
    tu = pd.concat(
        [
            _tu(("S1", "T1", "TARGET", "LIVER", "SCREENING")),
            _tu(("S1", "T1", "TARGET", "LIVER", "SCREENING", "CT SCAN", IRC)),
        ]
    )
    tr = _tr(
        ("S1", "T1", "LDIAM", "30", "mm", "SCREENING", "2024-01-01", INV),
        ("S1", "T1", "LDIAM", "34", "mm", "SCREENING", "2024-01-01", IRC),
    )
    assert derive_lesion_assessments(tu, tr)["DIAMETER"].tolist() == [30.0]
    assert derive_lesion_assessments(tu, tr, evaluator=IRC)["DIAMETER"].tolist() == [34.0]


def test_repeated_results_without_treval_name_the_missing_column() -> None:
    """The two evaluators' results of test_evaluator_filter without TREVAL: both are read, so LDIAM of T1
    at SCREENING is there twice; the message says that TREVAL is missing and how to fix it."""
    tu = _tu(("S1", "T1", "TARGET", "LIVER", "SCREENING"))
    tr = _tr(
        ("S1", "T1", "LDIAM", "30", "mm", "SCREENING", "2024-01-01", INV),
        ("S1", "T1", "LDIAM", "34", "mm", "SCREENING", "2024-01-01", IRC),
    ).drop(columns="TREVAL")
    message = (
        "LDIAM is recorded more than once, and the TR table has no TREVAL column to tell the evaluators' "
        "results apart. Add TREVAL"
    )
    with pytest.raises(InconsistentDataError, match=re.escape(message)) as info:
        derive_lesion_assessments(tu, tr)
    assert info.value.code == "RECIST-E016"


def test_missing_columns() -> None:
    tu = _tu(("S1", "T1", "TARGET", "LIVER", "SCREENING")).drop(columns=["TULOC"])
    tr = _tr(("S1", "T1", "LDIAM", "30", "mm", "SCREENING"))
    with pytest.raises(DataError, match=r"The TU table lacks the column\(s\) TULOC"):
        derive_lesion_assessments(tu, tr)
    with pytest.raises(DataError, match=r"The TR table lacks the column\(s\) TRSTRESU"):
        derive_lesion_assessments(_tu(("S1", "T1", "TARGET", "LIVER", "SCREENING")), tr.drop(columns=["TRSTRESU"]))


# --- reference: the pharmaverse RECIST set -------------------------------------------------------------


def test_time_points_match_investigator_overall_responses() -> None:
    """shared/reference/pharmaverse/sdtm/tu_onco_recist.csv + tr_onco_recist.csv (investigator) ->
    derive_lesion_assessments -> derive_timepoint_responses: the overall response at every follow-up equals
    the investigator's OVRLRESP in rs_onco_recist.csv (RSEVAL = INVESTIGATOR), per subject and visit, with
    the visit date (RSDTC; the partial 2014-02 of 01-701-1015 WEEK 6 is imputed to 2014-02-28). 22 records
    for 8 subjects."""
    base = ("reference", "pharmaverse", "sdtm")
    read = {"dtype": str, "keep_default_na": False}
    tu = pd.read_csv(shared_path(*base, "tu_onco_recist.csv"), **read)
    tr = pd.read_csv(shared_path(*base, "tr_onco_recist.csv"), **read)
    rs = pd.read_csv(shared_path(*base, "rs_onco_recist.csv"), **read)
    with pytest.warns(TrialWarning, match="2 partial scan date"):
        assessments = derive_lesion_assessments(tu, tr)
    timepoints = derive_timepoint_responses(assessments)
    follow = timepoints.loc[~timepoints["BASELINE"]]
    found = {
        (s, v): (d.strftime("%Y-%m-%d"), str(o))
        for s, v, d, o in zip(follow["USUBJID"], follow["VISIT"], follow["ADT"], follow["OVERALL"], strict=True)
    }
    ovr = rs.loc[(rs["RSTESTCD"] == "OVRLRESP") & (rs["RSEVAL"] == INV)]
    expected = {
        (s, v): ("2014-02-28" if d == "2014-02" else d, o)
        for s, v, d, o in zip(ovr["USUBJID"], ovr["VISIT"], ovr["RSDTC"], ovr["RSSTRESC"], strict=True)
    }
    assert len(expected) == 22
    assert found == expected


@pytest.mark.parametrize("value", [pytest.param("-10", id="negative"), pytest.param("inf", id="infinite")])
def test_impossible_size(value: str) -> None:
    tu = _tu(("S1", "T1", "TARGET", "LIVER", "SCREENING"))
    tr = _tr(("S1", "T1", "LDIAM", value, "mm", "SCREENING"))
    with pytest.raises(DataError, match=f"Subject S1, visit SCREENING, lesion T1: LDIAM '{value}' is not a possible"):
        derive_lesion_assessments(tu, tr)


@pytest.mark.parametrize(("table", "name"), [pytest.param("tu", "TU", id="tu"), pytest.param("tr", "TR", id="tr")])
def test_header_only_tables(table: str, name: str) -> None:
    tu = _tu(("S1", "T1", "TARGET", "LIVER", "SCREENING"))
    tr = _tr(("S1", "T1", "LDIAM", "30", "mm", "SCREENING"))
    tables = {"tu": tu, "tr": tr}
    tables[table] = tables[table].iloc[0:0]
    with pytest.raises(DataError, match=f"The {name} table has no lesion rows for evaluator INVESTIGATOR") as caught:
        derive_lesion_assessments(tables["tu"], tables["tr"])
    assert caught.value.code == "RECIST-E017"


# --- repeated results and new-lesion sizes -----------------------------------------------------------


def _tu_tr(extra_tr: list[list[str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """TU: target T1 at BL and new lesion N1 at W6 (no evaluator columns); TR: T1 20 mm at BL, then ``extra_tr``."""
    tu = pd.DataFrame([["S", "T1", "TARGET", "LIVER", "BL"], ["S", "N1", "NEW", "LUNG", "W6"]],
                      columns=["USUBJID", "TULNKID", "TUSTRESC", "TULOC", "VISIT"])  # fmt: skip
    tr = pd.DataFrame([["S", "T1", "LDIAM", "20", "mm", "BL", "2024-01-01"], *extra_tr],
                      columns=["USUBJID", "TRLNKID", "TRTESTCD", "TRSTRESC", "TRSTRESU", "VISIT", "TRDTC"])  # fmt: skip
    return tu, tr


def test_a_result_recorded_twice_is_an_error() -> None:
    """Summing a duplicated 20 mm row would make 40 mm (false PD)."""
    row = ["S", "T1", "LDIAM", "20", "mm", "W6", "2024-02-12"]
    tu, tr = _tu_tr([row, row])
    with pytest.raises(InconsistentDataError, match="recorded more than once"):
        derive_lesion_assessments(tu, tr, evaluator=None)


def test_new_lesion_sizes_are_kept_for_irecist() -> None:
    """N1 measured 10 mm at W6: its diameter is kept (iRECIST sums new lesions), not blanked as RECIST's."""
    tu, tr = _tu_tr(
        [["S", "T1", "LDIAM", "20", "mm", "W6", "2024-02-12"], ["S", "N1", "LDIAM", "10", "mm", "W6", "2024-02-12"]]
    )
    lesions = derive_lesion_assessments(tu, tr, evaluator=None).set_index("LESIONID")
    assert lesions.loc["N1", "DIAMETER"] == 10.0
