"""Edge cases of the RECIST engine found in review, each worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncotrial.errors import DataError, InconsistentDataError, TrialWarning
from oncotrial.recist import derive_adrs_from_overall, derive_lesion_assessments, derive_timepoint_responses


def _row(
    visit: str,
    date: str,
    baseline: object,
    lesion: str,
    category: str,
    nodal: object,
    size: float,
    state: str | None = None,
) -> dict[str, object]:
    return {"USUBJID": "A", "VISIT": visit, "ADT": pd.Timestamp(date), "BASELINE": baseline, "LESIONID": lesion,
            "CATEGORY": category, "NODAL": nodal, "DIAMETER": size, "STATE": state}  # fmt: skip


@pytest.mark.parametrize(
    "nodal", [pytest.param("N", id="N"), pytest.param(np.nan, id="missing"), pytest.param("False", id="text")]
)
def test_yes_no_flags_are_read_as_words(nodal: object) -> None:
    """A non-nodal lesion 20 -> 8 mm is -60 %: PR, not CR (a node under 10 mm would be CR)."""
    rows = [
        _row("BL", "2024-01-01", "Y", "T1", "TARGET", nodal, 20.0),
        _row("W6", "2024-02-12", "N", "T1", "TARGET", nodal, 8.0),
    ]
    tp = derive_timepoint_responses(pd.DataFrame(rows))
    assert tp["OVERALL"].astype(str).tolist()[1] == "PR"


def test_unknown_flag_value_is_an_error() -> None:
    rows = [_row("BL", "2024-01-01", "maybe", "T1", "TARGET", False, 20.0)]
    with pytest.raises(DataError, match="BASELINE must be yes/no"):
        derive_timepoint_responses(pd.DataFrame(rows))


def test_repeated_non_target_rows_do_not_hide_a_missing_lesion() -> None:
    """N1 and N2 at baseline; at W6 N1 absent (recorded twice), N2 not assessed: non-target NE, not CR."""
    rows = [
        _row("BL", "2024-01-01", True, "T1", "TARGET", False, 20.0),
        _row("BL", "2024-01-01", True, "N1", "NON-TARGET", False, np.nan, "PRESENT"),
        _row("BL", "2024-01-01", True, "N2", "NON-TARGET", False, np.nan, "PRESENT"),
        _row("W6", "2024-02-12", False, "T1", "TARGET", False, 0.0),
        _row("W6", "2024-02-12", False, "N1", "NON-TARGET", False, np.nan, "ABSENT"),
        _row("W6", "2024-02-12", False, "N1", "NON-TARGET", False, np.nan, "ABSENT"),
    ]
    tp = derive_timepoint_responses(pd.DataFrame(rows))
    assert (tp["NON_TARGET"].astype(str).tolist()[1], tp["OVERALL"].astype(str).tolist()[1]) == ("NE", "PR")


def test_undated_scan_and_empty_table_are_errors() -> None:
    rows = [_row("BL", "2024-01-01", True, "T1", "TARGET", False, 20.0)]
    rows[0]["ADT"] = pd.NaT
    with pytest.raises(DataError, match="the scan has no date"):
        derive_timepoint_responses(pd.DataFrame(rows))
    with pytest.raises(DataError, match="no lesion assessments"):
        derive_timepoint_responses(
            pd.DataFrame(columns=list(_row("BL", "2024-01-01", True, "T1", "TARGET", False, 1.0)))
        )


def _tu_tr(extra_tr: list[list[str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    tu, tr = _tu_tr(
        [["S", "T1", "LDIAM", "20", "mm", "W6", "2024-02-12"], ["S", "N1", "LDIAM", "10", "mm", "W6", "2024-02-12"]]
    )
    lesions = derive_lesion_assessments(tu, tr, evaluator=None).set_index("LESIONID")
    assert lesions.loc["N1", "DIAMETER"] == 10.0


def test_evaluator_without_records_is_warned() -> None:
    rs = pd.DataFrame({"USUBJID": ["S"], "RSTESTCD": ["OVRLRESP"], "RSEVAL": ["Investigator"], "RSSTRESC": ["SD"],
                       "RSDTC": ["2024-02-12"], "RSSEQ": ["1"]})  # fmt: skip
    adsl = pd.DataFrame({"USUBJID": ["S"], "RANDDT": ["2024-01-01"]})
    with pytest.warns(TrialWarning, match="No overall responses by evaluator 'INVESTIGATOR'"):
        derive_adrs_from_overall(rs, adsl)


def test_an_adsl_without_subjects_is_an_error() -> None:
    rs = pd.DataFrame(
        {"USUBJID": ["A"], "RSTESTCD": ["OVRLRESP"], "RSEVAL": ["INVESTIGATOR"], "RSSTRESC": ["PR"],
         "RSDTC": ["2024-02-12"], "RSSEQ": [1], "VISIT": ["WEEK 6"]}
    )  # fmt: skip
    adsl = pd.DataFrame({"USUBJID": pd.Series([], dtype=str), "RANDDT": pd.Series([], dtype=str)})
    with pytest.raises(DataError, match="The ADSL table has no subjects") as caught:
        derive_adrs_from_overall(rs, adsl)
    assert caught.value.code == "RECIST-E024"


def test_derive_adrs_names_a_missing_reference_date() -> None:
    """The lesion path calls derive_adrs directly: an ADSL without RANDDT is an error, not a KeyError."""
    from oncotrial.recist import derive_adrs

    overall = pd.DataFrame(
        {"USUBJID": ["A"], "ADT": [pd.Timestamp("2024-02-12")], "ADTF": [""], "AVALC": ["PR"], "RSSEQ": [1],
         "AVISIT": ["WEEK 6"]}
    )  # fmt: skip
    adsl = pd.DataFrame({"USUBJID": ["A"], "TRTSDT": ["2024-01-01"]})
    with pytest.raises(DataError, match="The ADSL table needs USUBJID and the reference date RANDDT") as caught:
        derive_adrs(overall, adsl)
    assert caught.value.code == "RECIST-E021"


@pytest.mark.parametrize(
    ("column", "value"),
    [pytest.param("RANDDT", "2020/01/01", id="reference-date"), pytest.param("NACTDT", "01MAR2020", id="end-date")],
)
def test_adsl_dates_that_are_not_dates_are_named(column: str, value: str) -> None:
    """Before, NACTDT '01MAR2020' was silently ignored (a PD after new therapy counted)."""
    rs = pd.DataFrame(
        {"USUBJID": ["A"], "RSTESTCD": ["OVRLRESP"], "RSEVAL": ["INVESTIGATOR"], "RSSTRESC": ["PR"],
         "RSDTC": ["2020-02-12"], "RSSEQ": [1], "VISIT": ["WEEK 6"]}
    )  # fmt: skip
    adsl = pd.DataFrame({"USUBJID": ["A"], "RANDDT": ["2020-01-01"], "NACTDT": [""]})
    adsl.loc[0, column] = value
    with pytest.raises(DataError, match=f"Subject A: ADSL {column} '{value}' is not a date") as caught:
        derive_adrs_from_overall(rs, adsl, end_col="NACTDT")
    assert caught.value.code == "DATE-E001"
