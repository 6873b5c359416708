"""Time-point responses from lesion measurements (``oncotrial.recist.timepoint``).

Every case is a small lesion table built by hand: baseline on 2024-01-01 (day 0), follow-ups
``day`` days later (visit "DAY <day>"). Expected values are worked out by hand from RECIST 1.1
(Eisenhauer EA et al., Eur J Cancer 2009;45:228-247): section 4.3.1 (target lesions: CR = all
non-nodal targets gone and every target node < 10 mm short axis; PR = sum >= 30 % below the
baseline sum; PD = sum >= 20 % and >= 5 mm above the nadir, the smallest sum so far, baseline
included), section 4.3.2 (non-target lesions), 4.3.3 (new lesions), 4.3.4 Tables 1-2 (overall).

A companion subject "C" (target 10 mm -> 4 mm on day 21: PR, -60 %) is added to every target
case. It sorts before the subject under test "P", so its small sums would leak into P's nadir or
baseline if subjects were mixed (checked in ``_derive``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from oncotrial.errors import DataError, InconsistentDataError
from oncotrial.recist import derive_adrs_from_timepoints, derive_timepoint_responses

DAY0 = pd.Timestamp("2024-01-01")
# (subject, day, lesion, category, nodal, diameter in mm or None, state or None)
Row = tuple[str, int, str, str, bool, float | None, str | None]
COMPANION: list[Row] = [
    ("C", 0, "T1", "TARGET", False, 10.0, None),
    ("C", 21, "T1", "TARGET", False, 4.0, None),  # 4 <= 7 (70 % of 10): PR
]


def _frame(rows: Sequence[Row]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": [r[0] for r in rows],
            "VISIT": ["BASELINE" if r[1] == 0 else f"DAY {r[1]}" for r in rows],
            "ADT": pd.to_datetime([DAY0 + pd.Timedelta(days=r[1]) for r in rows]),
            "BASELINE": [r[1] == 0 for r in rows],
            "LESIONID": [r[2] for r in rows],
            "CATEGORY": [r[3] for r in rows],
            "NODAL": [r[4] for r in rows],
            "DIAMETER": [np.nan if r[5] is None else float(r[5]) for r in rows],
            "STATE": [r[6] for r in rows],
        }
    )


def _course(*visits: tuple[int, Sequence[float | None]], nodal: Sequence[bool] = ()) -> list[Row]:
    """Target lesions T1, T2, ... of subject P: one (day, diameters) per assessment."""
    return [
        ("P", day, f"T{i}", "TARGET", bool(nodal[i - 1]) if nodal else False, d, None)
        for day, diameters in visits
        for i, d in enumerate(diameters, start=1)
    ]


def _derive(rows: Sequence[Row]) -> pd.DataFrame:
    """Time points of subject P, indexed by day; the companion's own result is checked on the way."""
    result = derive_timepoint_responses(_frame([*COMPANION, *rows]))
    companion = result.loc[result["USUBJID"] == "C"]
    assert companion["TARGET"].tolist()[1:] == ["PR"]
    assert companion["SOD_BASELINE"].tolist() == [10.0, 10.0]
    mine = result.loc[result["USUBJID"] == "P"]
    return mine.set_index((mine["ADT"] - DAY0).dt.days.rename("DAY"))


def _column(table: pd.DataFrame, column: str) -> dict[int, str]:
    """A response column at the follow-ups, by day."""
    follow = table.loc[~table["BASELINE"]]
    return {int(day): str(value) for day, value in follow[column].items()}


# --- target lesions ------------------------------------------------------------------------------

TARGET_CASES = [
    # Baseline 60 + 40 = 100. Day 42: 42 + 28 = 70 = 100 - 30 % exactly -> PR (section 4.3.1: "at least 30 %").
    pytest.param([(0, (60, 40)), (42, (42, 28))], False, {42: "PR"}, id="sum_70_of_100_is_pr_at_exactly_minus_30pct"),
    # Day 42: 43 + 28 = 71 = -29 % -> not PR; +0 over nadir 100 -> not PD -> SD.
    pytest.param([(0, (60, 40)), (42, (43, 28))], False, {42: "SD"}, id="sum_71_of_100_is_sd"),
    # Baseline 10 + 10 = 20. Day 42: 12 + 12 = 24 = +20 % but only +4 mm -> not PD; -> SD.
    pytest.param([(0, (10, 10)), (42, (12, 12))], False, {42: "SD"}, id="plus_20pct_but_4mm_is_sd"),
    # Day 42: 12 + 13 = 25 = +25 % and +5 mm -> PD (both thresholds met).
    pytest.param([(0, (10, 10)), (42, (12, 13))], False, {42: "PD"}, id="plus_25pct_and_5mm_is_pd"),
    # Baseline 100; day 42: 63 + 42 = 105 = +5 mm but only +5 % -> SD.
    pytest.param([(0, (60, 40)), (42, (63, 42))], False, {42: "SD"}, id="plus_5mm_but_5pct_is_sd"),
    # Baseline 100; day 42: 30 + 20 = 50 -> PR (-50 %); day 84: 36 + 24 = 60: -40 % from baseline, but
    # +20 % (60 = 1.2 x 50) and +10 mm over the nadir 50 -> PD (measured from the nadir, not baseline).
    pytest.param(
        [(0, (60, 40)), (42, (30, 20)), (84, (36, 24))],
        False,
        {42: "PR", 84: "PD"},
        id="pd_measured_from_nadir_not_baseline",
    ),
    # Continued response that drifts back (EORTC RECIST 1.1 FAQ): baseline 100; day 42: 36 + 24 = 60 -> PR;
    # day 84: 43 + 28 = 71: 71 / 60 = +18.3 % over the nadir (< 20 %) -> not PD; -29 % from baseline -> not
    # PR -> SD at this time point (the best overall response stays PR: test_drift_back_keeps_bor_pr).
    pytest.param([(0, (60, 40)), (42, (36, 24)), (84, (43, 28))], False, {42: "PR", 84: "SD"}, id="drift_back_is_sd"),
    # Non-nodal 20 + node 16 = 36. Day 42: 0 + node 9 -> CR: the non-nodal target is gone and the node is
    # < 10 mm, although the sum is 9, not 0.
    pytest.param([(0, (20, 16)), (42, (0, 9))], True, {42: "CR"}, id="node_below_10mm_is_cr"),
    # Day 42: 0 + node 10 -> the node is not < 10 mm: not CR; 10 vs 36 = -72 % -> PR.
    pytest.param([(0, (20, 16)), (42, (0, 10))], True, {42: "PR"}, id="node_at_10mm_is_pr"),
    # Day 42: 0 + 8 -> CR (sum 8 is the nadir); day 84: 0 + 12: +50 % over the nadir 8 but only +4 mm -> not
    # PD; the node is >= 10 mm -> not CR; 12 <= 25.2 (70 % of 36) -> PR.
    pytest.param(
        [(0, (20, 16)), (42, (0, 8)), (84, (0, 12))], True, {42: "CR", 84: "PR"}, id="node_grows_back_after_cr"
    ),
    # "Too small to measure" recorded 5 mm: baseline 30 + 20 = 50; day 42: 5 + 0 = 5 -> the non-nodal 5 mm
    # lesion is not gone -> not CR; 5 <= 35 -> PR (were the 5 mm not counted it would read CR).
    pytest.param([(0, (30, 20)), (42, (5, 0))], False, {42: "PR"}, id="too_small_to_measure_5mm_is_not_cr"),
    # Merged lesions: baseline 30 + 20 = 50; day 42: T1 45 (the merged mass), T2 0 (merged into T1) -> sum 45,
    # every target measured (complete) -> -10 % -> SD (not NE).
    pytest.param([(0, (30, 20)), (42, (45, 0))], False, {42: "SD"}, id="merged_lesion_recorded_0_is_measured"),
    # Missing measurement: baseline 10 + 10 = 20 (nadir 20); day 42: T1 15, T2 not measured -> NE.
    pytest.param([(0, (10, 10)), (42, (15, None))], False, {42: "NE"}, id="missing_target_is_ne"),
    # Day 42: T1 30 alone >= 24 (120 % of 20) and +10 mm over the nadir 20 -> PD despite T2 missing.
    pytest.param([(0, (10, 10)), (42, (30, None))], False, {42: "PD"}, id="measured_lesions_alone_show_pd"),
    # Day 42 is NE with a partial sum 5 (T1 5, T2 missing); day 84: 10 + 10 = 20. The partial 5 is no nadir
    # (20 vs 5 would be PD); the nadir stays 20 -> +0 % -> SD.
    pytest.param(
        [(0, (10, 10)), (42, (5, None)), (84, (10, 10))], False, {42: "NE", 84: "SD"}, id="ne_sum_is_not_a_nadir"
    ),
    # Nadir 0 after CR of non-nodal targets: baseline 30; day 42: 0 -> CR; day 84: 5 -> +5 mm over 0 -> PD.
    pytest.param(
        [(0, (30,)), (42, (0,)), (84, (5,))], False, {42: "CR", 84: "PD"}, id="regrowth_5mm_from_nadir_0_is_pd"
    ),
]


@pytest.mark.parametrize(("visits", "node", "expected"), TARGET_CASES)
def test_target_response(
    visits: list[tuple[int, tuple[float | None, ...]]], node: bool, expected: dict[int, str]
) -> None:
    """RECIST 1.1 section 4.3.1, worked by hand in each case's comment; ``node``: T2 is a lymph node."""
    nodal = (False, True) if node else ()
    assert _column(_derive(_course(*visits, nodal=nodal)), "TARGET") == expected


def test_sums_nadir_and_percent_change() -> None:
    """Baseline 60 + 40 = 100; day 42: 30 + 20 = 50 (PCHG -50.0); day 84: 36 + 24 = 60 (PCHG -40.0,
    nadir 50 -> PD). SOD_BASELINE 100 throughout; NADIR: none at baseline, 100 at day 42, 50 at day 84."""
    table = _derive(_course((0, (60, 40)), (42, (30, 20)), (84, (36, 24))))
    assert table["SOD"].tolist() == [100.0, 50.0, 60.0]
    assert table["SOD_BASELINE"].tolist() == [100.0, 100.0, 100.0]
    assert table["NADIR"].tolist()[1:] == [100.0, 50.0]
    assert np.isnan(table["NADIR"].iloc[0])
    assert table["PCHG"].tolist() == [0.0, -50.0, -40.0]
    assert table["TARGET_RULE"].tolist()[2] == "PD: sum at least 20 % and 5 mm above the nadir"


def test_cr_with_node_keeps_the_node_in_the_sum() -> None:
    """Non-nodal 20 + node 16 = 36; day 42: 0 + 9 -> CR with SOD 9 and PCHG (9 - 36) / 36 = -75 %."""
    table = _derive(_course((0, (20, 16)), (42, (0, 9)), nodal=(False, True)))
    assert (table.at[42, "TARGET"], table.at[42, "SOD"], table.at[42, "PCHG"]) == ("CR", 9.0, -75.0)


def test_node_growing_back_after_cr_is_measured_from_nadir_8() -> None:
    """20 + 16 = 36 -> 0 + 8 (CR) -> 0 + 12: NADIR 8 on day 84, SOD 12, PCHG (12 - 36) / 36 = -66.7 %."""
    table = _derive(_course((0, (20, 16)), (42, (0, 8)), (84, (0, 12)), nodal=(False, True)))
    assert (table.at[84, "NADIR"], table.at[84, "SOD"]) == (8.0, 12.0)
    assert table.at[84, "PCHG"] == pytest.approx(-66.6667, abs=1e-4)


def test_split_lesion_fragments_are_added() -> None:
    """Baseline T1 40 + T2 20 = 60. Day 42: T1 split in two fragments 30 and 25 (two rows with the same
    LESIONID), T2 20 -> sum 30 + 25 + 20 = 75: +25 % and +15 mm over the nadir 60 -> PD; complete (both
    lesions measured), so PCHG = +25.0. Either fragment alone (50 or 45 with T2) would not be PD."""
    rows = [
        *_course((0, (40, 20))),
        ("P", 42, "T1", "TARGET", False, 30.0, None),
        ("P", 42, "T1", "TARGET", False, 25.0, None),
        ("P", 42, "T2", "TARGET", False, 20.0, None),
    ]
    table = _derive(rows)
    assert (table.at[42, "SOD"], table.at[42, "PCHG"], table.at[42, "TARGET"]) == (75.0, 25.0, "PD")


def test_partial_pd_rule_is_named() -> None:
    """Baseline 10 + 10; day 42: T1 30, T2 missing -> PD from the measured lesions alone; SOD is the partial
    sum 30 and PCHG is empty (incomplete)."""
    table = _derive(_course((0, (10, 10)), (42, (30, None))))
    assert table.at[42, "TARGET_RULE"] == (
        "PD: measured lesions alone are 20 % and 5 mm above the nadir (others not measured)"
    )
    assert table.at[42, "SOD"] == 30.0
    assert np.isnan(table.at[42, "PCHG"])


def test_drift_back_keeps_bor_pr() -> None:
    """Baseline 100 -> 60 (PR, day 42) -> 71 (SD, day 84: -29 % from baseline, +18.3 % over the nadir 60).
    RECIST 1.1 section 4.4.1: the best overall response is the best time-point response -> PR on day 42
    (time-point PR needs >= 30 % below baseline, so day 84 itself is SD, not a 'continued PR')."""
    rows = _course((0, (60, 40)), (42, (36, 24)), (84, (43, 28)))
    timepoints = derive_timepoint_responses(_frame(rows))
    assert timepoints["OVERALL"].tolist()[1:] == ["PR", "SD"]
    adrs = derive_adrs_from_timepoints(timepoints)
    bor = adrs.loc[adrs["PARAMCD"] == "BOR"].iloc[0]
    assert (bor["AVALC"], (bor["ADT"] - DAY0).days) == ("PR", 42)


# --- non-target lesions and the overall response -------------------------------------------------

TARGET_CR = [("P", 0, "T1", "TARGET", False, 30.0, None), ("P", 42, "T1", "TARGET", False, 0.0, None)]
NT_BASELINE = [
    ("P", 0, "NT1", "NON-TARGET", False, None, "PRESENT"),
    ("P", 0, "NT2", "NON-TARGET", False, None, "PRESENT"),
]


def _nt(*states: tuple[str, str]) -> list[Row]:
    return [("P", 42, lesion, "NON-TARGET", False, None, state) for lesion, state in states]


NON_TARGET_CASES = [
    # Target CR (30 -> 0) throughout; the overall response is then Table 1's row for target CR.
    pytest.param(NT_BASELINE + _nt(("NT1", "ABSENT"), ("NT2", "ABSENT")), ("CR", "CR", "R01"), id="all_absent_cr"),
    # One non-target persists -> NON-CR/NON-PD; target CR + NON-CR/NON-PD -> PR (Table 1, row T1b).
    pytest.param(
        NT_BASELINE + _nt(("NT1", "ABSENT"), ("NT2", "PRESENT")), ("NON-CR/NON-PD", "PR", "R03"), id="one_present"
    ),
    # Unequivocal progression of a non-target lesion -> PD, overall PD (Table 1, "Any / PD").
    pytest.param(
        NT_BASELINE + _nt(("NT1", "UNEQUIVOCAL"), ("NT2", "PRESENT")), ("PD", "PD", "R07"), id="unequivocal_pd"
    ),
    # A baseline non-target lesion not evaluated -> NE; target CR + not evaluated -> PR (Table 1, row T1c).
    pytest.param(NT_BASELINE + _nt(("NT1", "ABSENT"), ("NT2", "NE")), ("NE", "PR", "R05"), id="one_recorded_ne"),
    # ... or with no record at all at the follow-up.
    pytest.param(NT_BASELINE + _nt(("NT1", "ABSENT")), ("NE", "PR", "R05"), id="one_not_recorded"),
    # Unequivocal progression wins over a lesion not evaluated.
    pytest.param(NT_BASELINE + _nt(("NT1", "UNEQUIVOCAL")), ("PD", "PD", "R07"), id="unequivocal_with_one_missing"),
    # No non-target disease at baseline -> NA; target CR alone -> CR.
    pytest.param([], ("NA", "CR", "R09"), id="no_non_target_disease"),
]


@pytest.mark.parametrize(("non_target_rows", "expected"), NON_TARGET_CASES)
def test_non_target_and_overall(non_target_rows: list[Row], expected: tuple[str, str, str]) -> None:
    """RECIST 1.1 section 4.3.2 and Table 1 (rule ids from rules/recist11_overall_response.csv)."""
    table = _derive(TARGET_CR + non_target_rows)
    found = (table.at[42, "NON_TARGET"], table.at[42, "OVERALL"], table.at[42, "RULE_ID"])
    assert (table.at[42, "TARGET"], *found) == ("CR", *expected)


def test_non_target_disease_only() -> None:
    """Table 2: NT1, NT2 present at baseline; day 42 NT1 absent, NT2 present -> NON-CR/NON-PD (R53);
    day 84 both absent -> CR (R51). No target disease: TARGET NA, no sum."""
    rows = [
        *NT_BASELINE,
        ("P", 42, "NT1", "NON-TARGET", False, None, "ABSENT"),
        ("P", 42, "NT2", "NON-TARGET", False, None, "PRESENT"),
        ("P", 84, "NT1", "NON-TARGET", False, None, "ABSENT"),
        ("P", 84, "NT2", "NON-TARGET", False, None, "ABSENT"),
    ]
    table = _derive(rows)
    assert _column(table, "TARGET") == {42: "NA", 84: "NA"}
    assert _column(table, "OVERALL") == {42: "NON-CR/NON-PD", 84: "CR"}
    assert _column(table, "RULE_ID") == {42: "R53", 84: "R51"}
    assert table["SOD"].isna().all()


def test_no_target_disease_has_no_nadir() -> None:
    """Non-target disease only (NT1 present throughout): there is no sum of diameters, so no nadir."""
    rows = [
        ("P", 0, "NT1", "NON-TARGET", False, None, "PRESENT"),
        ("P", 42, "NT1", "NON-TARGET", False, None, "PRESENT"),
    ]
    table = _derive(rows)
    assert table["NADIR"].isna().all()


def test_baseline_row_has_no_responses() -> None:
    table = _derive(_course((0, (10, 10)), (42, (10, 10))))
    assert table.loc[0, ["TARGET", "NON_TARGET", "NEW_LESIONS", "OVERALL", "RULE_ID"]].isna().all()
    assert bool(table.at[0, "BASELINE"])


# --- new lesions ------------------------------------------------------------------------------------

STEADY = _course((0, (30,)), (42, (30,)), (84, (30,)))  # target SD at days 42 and 84


def _new(day: int, lesion: str, state: str) -> Row:
    return ("P", day, lesion, "NEW", False, None, state)


NEW_CASES = [
    # An unequivocal new lesion on day 42 -> YES, overall PD (Table 1, "Any / Any / Yes").
    pytest.param([_new(42, "N1", "UNEQUIVOCAL")], {42: ("YES", "PD"), 84: ("NO", "SD")}, id="unequivocal"),
    # Equivocal on day 42, the same lesion unequivocal on day 84 -> progression dated to day 42 (section 4.3.3:
    # "the progression is declared using the date of the initial scan").
    pytest.param(
        [_new(42, "N1", "EQUIVOCAL"), _new(84, "N1", "UNEQUIVOCAL")],
        {42: ("YES", "PD"), 84: ("YES", "PD")},
        id="equivocal_then_confirmed",
    ),
    # Equivocal twice, never confirmed -> NO.
    pytest.param(
        [_new(42, "N1", "EQUIVOCAL"), _new(84, "N1", "EQUIVOCAL")],
        {42: ("NO", "SD"), 84: ("NO", "SD")},
        id="equivocal_never_confirmed",
    ),
    # Equivocal N1 on day 42; a different lesion N2 unequivocal on day 84: only day 84 is PD.
    pytest.param(
        [_new(42, "N1", "EQUIVOCAL"), _new(84, "N2", "UNEQUIVOCAL")],
        {42: ("NO", "SD"), 84: ("YES", "PD")},
        id="another_lesion_does_not_confirm",
    ),
]


@pytest.mark.parametrize(("new_rows", "expected"), NEW_CASES)
def test_new_lesions(new_rows: list[Row], expected: dict[int, tuple[str, str]]) -> None:
    """RECIST 1.1 section 4.3.3; target 30 mm steady (SD) throughout."""
    table = _derive(STEADY + new_rows)
    new = _column(table, "NEW_LESIONS")
    overall = _column(table, "OVERALL")
    assert {day: (new[day], overall[day]) for day in new} == expected


def test_confirmed_equivocal_lesion_dates_progression() -> None:
    """Equivocal on day 42, unequivocal on day 84: the ADRS PD parameter is dated day 42."""
    timepoints = derive_timepoint_responses(
        _frame([*STEADY, _new(42, "N1", "EQUIVOCAL"), _new(84, "N1", "UNEQUIVOCAL")])
    )
    adrs = derive_adrs_from_timepoints(timepoints)
    pd_row = adrs.loc[adrs["PARAMCD"] == "PD"].iloc[0]
    assert (pd_row["AVALC"], (pd_row["ADT"] - DAY0).days) == ("Y", 42)


# --- input errors ---------------------------------------------------------------------------------


def test_two_baselines() -> None:
    rows = _frame(_course((0, (10,)), (42, (10,))))
    rows.loc[rows["VISIT"] == "DAY 42", "BASELINE"] = True
    with pytest.raises(
        InconsistentDataError, match=r"Subject P has two or more baseline assessments \(BASELINE, DAY 42\)"
    ):
        derive_timepoint_responses(rows)


def test_no_baseline() -> None:
    rows = _frame(_course((0, (10,)), (42, (10,))))
    rows["BASELINE"] = False
    with pytest.raises(InconsistentDataError, match="Subject P has no baseline assessment"):
        derive_timepoint_responses(rows)


def test_target_lesion_not_identified_at_baseline() -> None:
    rows = [*_course((0, (10,)), (42, (10,))), ("P", 42, "T9", "TARGET", False, 12.0, None)]
    with pytest.raises(
        InconsistentDataError,
        match="Subject P, visit DAY 42, lesion T9: the lesion is assessed but was not identified at baseline",
    ):
        derive_timepoint_responses(_frame(rows))


def test_missing_columns() -> None:
    rows = _frame(_course((0, (10,)))).drop(columns=["DIAMETER", "STATE"])
    with pytest.raises(DataError, match=r"lesion assessments table lacks the column\(s\) DIAMETER, STATE;"):
        derive_timepoint_responses(rows)


def test_unknown_category() -> None:
    rows = _frame([*_course((0, (10,))), ("P", 0, "NT1", "NONTARGET", False, None, "PRESENT")])
    with pytest.raises(
        DataError, match="Subject P, visit BASELINE, lesion NT1: category 'NONTARGET' is not TARGET, NON-TARGET or NEW"
    ):
        derive_timepoint_responses(rows)


# --- input forms and input errors -----------------------------------------------------------------


def _lesion_row(
    visit: str,
    date: str,
    baseline: object,
    lesion: str,
    category: str,
    nodal: object,
    size: float,
    state: str | None = None,
) -> dict[str, object]:
    """One lesion assessment of subject A (the columns of derive_timepoint_responses)."""
    return {"USUBJID": "A", "VISIT": visit, "ADT": pd.Timestamp(date), "BASELINE": baseline, "LESIONID": lesion,
            "CATEGORY": category, "NODAL": nodal, "DIAMETER": size, "STATE": state}  # fmt: skip


@pytest.mark.parametrize(
    "nodal", [pytest.param("N", id="N"), pytest.param(np.nan, id="missing"), pytest.param("False", id="text")]
)
def test_yes_no_flags_are_read_as_words(nodal: object) -> None:
    """A non-nodal lesion 20 -> 8 mm is -60 %: PR, not CR (a node under 10 mm would be CR)."""
    rows = [
        _lesion_row("BL", "2024-01-01", "Y", "T1", "TARGET", nodal, 20.0),
        _lesion_row("W6", "2024-02-12", "N", "T1", "TARGET", nodal, 8.0),
    ]
    tp = derive_timepoint_responses(pd.DataFrame(rows))
    assert tp["OVERALL"].astype(str).tolist()[1] == "PR"


def test_unknown_flag_value_is_an_error() -> None:
    rows = [_lesion_row("BL", "2024-01-01", "maybe", "T1", "TARGET", False, 20.0)]
    with pytest.raises(DataError, match="row 1: BASELINE 'maybe' is not a yes/no flag") as info:
        derive_timepoint_responses(pd.DataFrame(rows))
    assert info.value.code == "RECIST-E005"


def test_repeated_non_target_rows_do_not_hide_a_missing_lesion() -> None:
    """N1 and N2 at baseline; at W6 N1 absent (recorded twice), N2 not assessed: non-target NE, not CR."""
    rows = [
        _lesion_row("BL", "2024-01-01", True, "T1", "TARGET", False, 20.0),
        _lesion_row("BL", "2024-01-01", True, "N1", "NON-TARGET", False, np.nan, "PRESENT"),
        _lesion_row("BL", "2024-01-01", True, "N2", "NON-TARGET", False, np.nan, "PRESENT"),
        _lesion_row("W6", "2024-02-12", False, "T1", "TARGET", False, 0.0),
        _lesion_row("W6", "2024-02-12", False, "N1", "NON-TARGET", False, np.nan, "ABSENT"),
        _lesion_row("W6", "2024-02-12", False, "N1", "NON-TARGET", False, np.nan, "ABSENT"),
    ]
    tp = derive_timepoint_responses(pd.DataFrame(rows))
    assert (tp["NON_TARGET"].astype(str).tolist()[1], tp["OVERALL"].astype(str).tolist()[1]) == ("NE", "PR")


def test_undated_scan_and_empty_table_are_errors() -> None:
    rows = [_lesion_row("BL", "2024-01-01", True, "T1", "TARGET", False, 20.0)]
    rows[0]["ADT"] = pd.NaT
    with pytest.raises(DataError, match="the scan has no date"):
        derive_timepoint_responses(pd.DataFrame(rows))
    with pytest.raises(DataError, match="no lesion assessments"):
        derive_timepoint_responses(
            pd.DataFrame(columns=list(_lesion_row("BL", "2024-01-01", True, "T1", "TARGET", False, 1.0)))
        )
