"""ADRS from SDTM RS overall responses and ADSL (``oncotrial.recist.adrs.derive_adrs_from_overall``).

Reference: shared/reference/pharmaverse/admiralonco/ (see shared/reference/README.md, section
pharmaverse/): the ADRS that admiralonco 1.0.0's ADRS template derives (admiral 1.0.2, R 4.2.2)
from pharmaversesdtm ``rs_onco_recist`` and pharmaverseadam ``adsl``. The hand-built cases use
RANDDT 2024-01-01: WEEK 3 = 2024-01-22 (day 21), WEEK 6 = 2024-02-12 (day 42), WEEK 9 =
2024-03-04 (day 63, 2024 being a leap year), WEEK 12 = 2024-03-25 (day 84).
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import pandas as pd
import pytest

from oncotrial.errors import DataError, TrialWarning
from oncotrial.recist import ResponseRules, derive_adrs, derive_adrs_from_overall
from tests.conftest import shared_path

Row = dict[str, str]
SUBJECT_PARAMS = ("BOR", "CBOR", "RSP", "CRSP", "CB", "CCB", "PD")
# the ADSL variables carried (oncotrial._adsl.DEFAULT_ADSL_VARS that pharmaverseadam's adsl has) follow USUBJID
ADRS_COLUMNS = [
    "STUDYID", "USUBJID", "ARM", "ARMCD", "ACTARM", "ACTARMCD", "TRT01P", "TRT01A", "AGE", "SEX", "RACE",
    "PARAMCD", "PARAM", "AVALC", "AVAL", "ADT", "ADTF", "AVISIT", "RSSEQ", "ANL01FL", "ANL02FL", "RANDDT",
]  # fmt: skip


def _read_csv(path: Path) -> list[Row]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _text(value: object) -> str:
    """An ADRS value as the reference CSV writes it: ISO date, whole number, or empty."""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, str):
        return value
    return "" if pd.isna(value) else str(value)


def _rows_by_key(adrs: pd.DataFrame) -> dict[tuple[str, str, str], Row]:
    """Output rows as text, keyed by (USUBJID, PARAMCD, RSSEQ for OVR records else "")."""
    rows: dict[tuple[str, str, str], Row] = {}
    for record in adrs.to_dict("records"):
        row = {str(k): _text(v) for k, v in record.items()}
        key = (row["USUBJID"], row["PARAMCD"], row["RSSEQ"] if row["PARAMCD"] == "OVR" else "")
        assert key not in rows, f"duplicate output row {key}"
        rows[key] = row
    return rows


# --- the admiralonco reference ----------------------------------------------------------------


@pytest.fixture(scope="module")
def reference_adrs() -> pd.DataFrame:
    """Our ADRS on rs_onco_recist.csv + adsl.csv (all columns read as text, as SDTM ships them)."""
    base = ("reference", "pharmaverse")
    rs = pd.read_csv(shared_path(*base, "sdtm", "rs_onco_recist.csv"), dtype=str, keep_default_na=False)
    adsl = pd.read_csv(shared_path(*base, "adam", "adsl.csv"), dtype=str, keep_default_na=False)
    # rs_onco_recist has one partial date: 01-701-1015 WEEK 6 "2014-02" (investigator, RSSEQ 6)
    with pytest.warns(TrialWarning, match=r"1 partial date\(s\) .*01-701-1015 WEEK 6 \(2014-02\)"):
        return derive_adrs_from_overall(rs, adsl)


@pytest.fixture(scope="module")
def admiralonco_rows() -> list[Row]:
    return _read_csv(shared_path("reference", "pharmaverse", "admiralonco", "adrs_from_rs_onco_recist.csv"))


def test_adrs_matches_admiralonco_template_on_rs_onco_recist(
    reference_adrs: pd.DataFrame, admiralonco_rows: list[Row]
) -> None:
    """shared/reference/pharmaverse/admiralonco/adrs_from_rs_onco_recist.csv.

    R: admiralonco 1.0.0 ADRS template on ``pharmaversesdtm::rs_onco_recist`` and
    ``pharmaverseadam::adsl`` -- OVR = RS where RSEVAL == "INVESTIGATOR" & RSTESTCD == "OVRLRESP",
    ``derive_vars_dt(highest_imputation = "D", date_imputation = "last")``, ANL01FL/ANL02FL, then
    ``derive_extreme_event()`` with admiralonco's ``bor_*``, ``cbor_*``, ``rsp_y``, ``crsp_y_*``,
    ``cb_y``, ``no_data_*`` events and ``derive_extreme_records()`` for PD. Every subject (306) and
    parameter: AVALC, AVAL, ADT (empty when the reference is empty); OVR records also ANL01FL, ANL02FL.
    """
    assert _mismatches(reference_adrs, admiralonco_rows) == []
    # the reference's shape, counted from the file: 306 subjects x 7 parameters + 22 OVR records
    assert len({r["USUBJID"] for r in admiralonco_rows}) == 306
    assert len({(r["USUBJID"], r["PARAMCD"], r["RSSEQ"]) for r in admiralonco_rows}) == 306 * 7 + 22


def _mismatches(adrs: pd.DataFrame, admiralonco_rows: list[Row]) -> list[str]:
    """Every difference from the admiralonco reference: AVALC, AVAL, ADT (and the flags of OVR records)."""
    found = _rows_by_key(adrs)
    mismatches: list[str] = []
    expected_keys = set()
    for ref in admiralonco_rows:
        paramcd = ref["PARAMCD"]
        key = (ref["USUBJID"], paramcd, ref["RSSEQ"] if paramcd == "OVR" else "")
        expected_keys.add(key)
        row = found.get(key)
        if row is None:
            mismatches.append(f"{key}: missing from the output")
            continue
        columns = ["AVALC", "AVAL", "ADT"] + (["ANL01FL", "ANL02FL"] if paramcd == "OVR" else [])
        mismatches += [
            f"{key} {col}: expected {ref[col]!r}, got {row[col]!r}" for col in columns if row[col] != ref[col]
        ]
    return mismatches + [f"{key}: not in the reference" for key in sorted(set(found) - expected_keys)]


def test_exact_duplicate_rs_row_counted_once_with_a_warning(admiralonco_rows: list[Row]) -> None:
    """rs_onco_recist.csv with the investigator's PD of 01-701-1028 at WEEK 6 (RSSEQ 6, 2013-08-30) given
    twice: the copy is removed with a warning naming it, and the ADRS is still admiralonco's (BOR PD on
    2013-08-30; counted twice, the PD lost ANL02FL and BOR fell to NE)."""
    base = ("reference", "pharmaverse")
    rs = pd.read_csv(shared_path(*base, "sdtm", "rs_onco_recist.csv"), dtype=str, keep_default_na=False)
    adsl = pd.read_csv(shared_path(*base, "adam", "adsl.csv"), dtype=str, keep_default_na=False)
    pd_row = rs.loc[(rs["USUBJID"] == "01-701-1028") & (rs["RSEVAL"] == "INVESTIGATOR") & (rs["RSSEQ"] == "6")]
    assert pd_row[["VISIT", "RSSTRESC", "RSDTC"]].values.tolist() == [["WEEK 6", "PD", "2013-08-30"]]
    doubled = pd.concat([rs, pd_row], ignore_index=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        adrs = derive_adrs_from_overall(doubled, adsl)
    messages = [str(w.message) for w in caught]
    assert (
        "1 overall response row(s) appear more than once in the RS table with every column equal and are "
        "counted once: 01-701-1028 WEEK 6 (2013-08-30). Remove the duplicate rows."
    ) in messages
    assert _mismatches(adrs, admiralonco_rows) == []


def test_adrs_matches_admiralonco_subject_summary(reference_adrs: pd.DataFrame) -> None:
    """shared/reference/pharmaverse/admiralonco/adrs_subject_summary_rs_onco_recist.csv.

    R: the same admiralonco 1.0.0 ADRS template, one row per subject with RS data (8 subjects),
    its parameters spread to AVALC_<PARAMCD> and ADT_<PARAMCD> columns.
    """
    summary = _read_csv(
        shared_path("reference", "pharmaverse", "admiralonco", "adrs_subject_summary_rs_onco_recist.csv")
    )
    found = _rows_by_key(reference_adrs)
    mismatches: list[str] = []
    for ref in summary:
        for paramcd in SUBJECT_PARAMS:
            row = found.get((ref["USUBJID"], paramcd, ""))
            if row is None:
                mismatches.append(f"{ref['USUBJID']} {paramcd}: missing from the output")
                continue
            for col in ("AVALC", "ADT"):
                if row[col] != ref[f"{col}_{paramcd}"]:
                    mismatches.append(
                        f"{ref['USUBJID']} {paramcd} {col}: expected {ref[f'{col}_{paramcd}']!r}, got {row[col]!r}"
                    )
    assert mismatches == []
    assert len(summary) == 8


def test_reference_partial_date_flagged(reference_adrs: pd.DataFrame) -> None:
    """01-701-1015 WEEK 6 "2014-02" (rs_onco_recist.csv) -> 2014-02-28 (2014 is not a leap year), ADTF D."""
    ovr = reference_adrs.loc[reference_adrs["PARAMCD"] == "OVR"]
    imputed = ovr.loc[ovr["ADTF"] == "D"]
    assert imputed["USUBJID"].tolist() == ["01-701-1015"]
    assert imputed["AVISIT"].tolist() == ["WEEK 6"]
    assert imputed["ADT"].tolist() == [pd.Timestamp("2014-02-28")]
    assert set(reference_adrs.loc[reference_adrs["PARAMCD"] != "OVR", "ADTF"]) == {""}


def test_reference_output_columns(reference_adrs: pd.DataFrame) -> None:
    assert reference_adrs.columns.tolist() == ADRS_COLUMNS
    names = reference_adrs.drop_duplicates("PARAMCD").set_index("PARAMCD")["PARAM"].to_dict()
    assert names == {
        "OVR": "Overall Response",
        "BOR": "Best Overall Response (confirmation not required)",
        "CBOR": "Best Confirmed Overall Response",
        "RSP": "Response (confirmation not required)",
        "CRSP": "Confirmed Response",
        "CB": "Clinical Benefit (confirmation for response not required)",
        "CCB": "Confirmed Clinical Benefit",
        "PD": "Disease Progression",
    }


# --- hand-built RS and ADSL --------------------------------------------------------------------

RS_COLUMNS = ["STUDYID", "USUBJID", "VISIT", "RSTESTCD", "RSEVAL", "RSSTRESC", "RSDTC", "RSSEQ"]
# A second subject, with a PD, in every table: subjects must not interfere with each other.
COMPANION = ["ST", "Z-PD", "WEEK 3", "OVRLRESP", "INVESTIGATOR", "PD", "2024-01-22", "1"]


def _rs(*rows: tuple[str, str, str, str], evaluator: str = "INVESTIGATOR") -> pd.DataFrame:
    """RS overall responses (USUBJID, VISIT, RSSTRESC, RSDTC), RSSEQ numbered from 1 per subject."""
    records = [[*COMPANION[:4], evaluator, *COMPANION[5:]]]
    numbers: dict[str, int] = {}
    for subject, visit, value, date in rows:
        numbers[subject] = numbers.get(subject, 0) + 1
        records.append(["ST", subject, visit, "OVRLRESP", evaluator, value, date, str(numbers[subject])])
    return pd.DataFrame(records, columns=RS_COLUMNS)


def _adsl(*subjects: str, randdt: str = "2024-01-01", **extra: list[str]) -> pd.DataFrame:
    ids = [*subjects, "Z-PD"]
    table = {"STUDYID": ["ST"] * len(ids), "USUBJID": ids, "RANDDT": [randdt] * len(ids)}
    for col, values in extra.items():
        table[col] = [*values, ""]
    return pd.DataFrame(table)


def _derive_quietly(
    rs: pd.DataFrame,
    adsl: pd.DataFrame,
    *,
    evaluator: str = "INVESTIGATOR",
    reference_col: str = "RANDDT",
    end_col: str | None = None,
    rules: ResponseRules | None = None,
    adsl_vars: tuple[str, ...] | list[str] = (),
) -> pd.DataFrame:
    """Derive, failing on any warning (the input is clean)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return derive_adrs_from_overall(
            rs, adsl, evaluator=evaluator, reference_col=reference_col, end_col=end_col, rules=rules,
            adsl_vars=adsl_vars,
        )  # fmt: skip


def _param(adrs: pd.DataFrame, subject: str, paramcd: str) -> tuple[str, str]:
    row = adrs.loc[(adrs["USUBJID"] == subject) & (adrs["PARAMCD"] == paramcd)]
    assert len(row) == 1
    return str(row["AVALC"].iloc[0]), _text(row["ADT"].iloc[0])


def _ovr(adrs: pd.DataFrame, subject: str) -> list[tuple[str, str, str, str, str]]:
    """(AVALC, ADT, ADTF, ANL01FL, ANL02FL) of a subject's OVR records, in RSSEQ order."""
    rows = adrs.loc[(adrs["USUBJID"] == subject) & (adrs["PARAMCD"] == "OVR")].sort_values("RSSEQ")
    return [(str(r.AVALC), _text(r.ADT), str(r.ADTF), str(r.ANL01FL), str(r.ANL02FL)) for r in rows.itertuples()]


def test_clean_input_gives_no_warning_and_the_parameters() -> None:
    """SD day 21, PR day 42, PR day 84: PR confirmed (42 days later, >= 28) -> CBOR PR day 42.

    RSSTRESC " pr " is read as PR (trimmed, upper-cased) without a warning; the inputs are not modified.
    """
    rs = _rs(
        ("S1", "WEEK 3", "SD", "2024-01-22"),
        ("S1", "WEEK 6", "PR", "2024-02-12"),
        ("S1", "WEEK 12", " pr ", "2024-03-25"),
    )
    adsl = _adsl("S1")
    rs_before, adsl_before = rs.copy(), adsl.copy()
    adrs = _derive_quietly(rs, adsl)
    pd.testing.assert_frame_equal(rs, rs_before)
    pd.testing.assert_frame_equal(adsl, adsl_before)
    assert _param(adrs, "S1", "BOR") == ("PR", "2024-02-12")
    assert _param(adrs, "S1", "CBOR") == ("PR", "2024-02-12")
    assert _param(adrs, "S1", "CRSP") == ("Y", "2024-02-12")
    assert _param(adrs, "S1", "PD") == ("N", "")
    assert _ovr(adrs, "S1") == [
        ("SD", "2024-01-22", "", "Y", "Y"),
        ("PR", "2024-02-12", "", "Y", "Y"),
        ("PR", "2024-03-25", "", "Y", "Y"),
    ]
    assert adrs.loc[adrs["USUBJID"] == "S1", "RANDDT"].unique().tolist() == [pd.Timestamp("2024-01-01")]


def test_partial_date_imputed_to_month_end_with_warning() -> None:
    """Partial "2024-02" -> 2024-02-29 (leap year), ADTF D; the PR there (day 59 >= 42) is unconfirmed (PD next)."""
    rs = _rs(
        ("S1", "WEEK 3", "SD", "2024-01-22"),
        ("S1", "WEEK 6", "PR", "2024-02"),
        ("S1", "WEEK 12", "PD", "2024-03-25"),
    )
    with pytest.warns(TrialWarning, match=r"1 partial date\(s\) YYYY-MM imputed .*: S1 WEEK 6 \(2024-02\)\."):
        adrs = derive_adrs_from_overall(rs, _adsl("S1"))
    assert _ovr(adrs, "S1") == [
        ("SD", "2024-01-22", "", "Y", "Y"),
        ("PR", "2024-02-29", "D", "Y", "Y"),
        ("PD", "2024-03-25", "", "Y", "Y"),
    ]
    assert _param(adrs, "S1", "BOR") == ("PR", "2024-02-29")
    assert _param(adrs, "S1", "CBOR") == ("SD", "2024-02-29")
    assert _param(adrs, "S1", "PD") == ("Y", "2024-03-25")


def test_unusable_dates_warned_and_not_analysed() -> None:
    """A year only, an empty date and 2024-02-30 give no date: warned (naming subject, visit and
    text), not analysed; the dateless PDs sort last, so they cut nothing (ANL02FL Y on day 42)."""
    rs = _rs(
        ("S1", "WEEK 3", "PD", "2024"),
        ("S1", "WEEK 6", "SD", "2024-02-12"),
        ("S2", "WEEK 3", "PD", ""),
        ("S2", "WEEK 6", "SD", "2024-02-12"),
        ("S3", "WEEK 3", "PD", "2024-02-30"),
        ("S3", "WEEK 6", "SD", "2024-02-12"),
    )
    message = r"3 overall response\(s\) have no usable date .*: S1 WEEK 3 \(2024\); S2 WEEK 3 \(empty\); S3 WEEK 3 \(2024-02-30\)\."
    with pytest.warns(TrialWarning, match=message):
        adrs = derive_adrs_from_overall(rs, _adsl("S1", "S2", "S3"))
    for subject in ("S1", "S2", "S3"):
        assert _ovr(adrs, subject) == [("PD", "", "", "", "Y"), ("SD", "2024-02-12", "", "Y", "Y")]
        assert _param(adrs, subject, "BOR") == ("SD", "2024-02-12")
        assert _param(adrs, subject, "PD") == ("N", "")


def test_value_not_a_recist_category_warned_and_not_analysed() -> None:
    rs = _rs(("S1", "WEEK 3", "CHECK", "2024-01-22"), ("S1", "WEEK 6", "SD", "2024-02-12"))
    with pytest.warns(
        TrialWarning, match=r"1 overall response\(s\) are not RECIST 1\.1 .*S1 WEEK 3 \(2024-01-22\), value\(s\) CHECK"
    ):
        adrs = derive_adrs_from_overall(rs, _adsl("S1"))
    assert _ovr(adrs, "S1") == [("CHECK", "2024-01-22", "", "", "Y"), ("SD", "2024-02-12", "", "Y", "Y")]
    ovr = adrs.loc[(adrs["USUBJID"] == "S1") & (adrs["PARAMCD"] == "OVR")].sort_values("RSSEQ")
    assert ovr["AVAL"].isna().tolist() == [True, False]
    assert _param(adrs, "S1", "BOR") == ("SD", "2024-02-12")


def test_subject_without_reference_date_warned() -> None:
    """S9 is in RS but not in ADSL; S2 is in ADSL with an empty RANDDT: neither is analysed."""
    rs = _rs(("S9", "WEEK 6", "SD", "2024-02-12"), ("S2", "WEEK 6", "SD", "2024-02-12"))
    adsl = pd.concat([_adsl(), pd.DataFrame({"STUDYID": ["ST"], "USUBJID": ["S2"], "RANDDT": [""]})])
    with pytest.warns(TrialWarning, match=r"2 subject\(s\) .*have no RANDDT in ADSL") as record:
        adrs = derive_adrs_from_overall(rs, adsl)
    message = " ".join(str(w.message) for w in record)
    assert "S2" in message
    assert "S9" in message
    assert _ovr(adrs, "S9") == [("SD", "2024-02-12", "", "", "Y")]
    assert _ovr(adrs, "S2") == [("SD", "2024-02-12", "", "", "Y")]
    # parameters only for ADSL subjects: S2 (MISSING), none for S9
    assert _param(adrs, "S2", "BOR") == ("MISSING", "")
    assert set(adrs.loc[adrs["USUBJID"] == "S9", "PARAMCD"]) == {"OVR"}


def test_adsl_subject_without_rs_records_is_missing() -> None:
    adrs = _derive_quietly(_rs(), _adsl("S1"))
    assert [_param(adrs, "S1", p) for p in SUBJECT_PARAMS] == [
        ("MISSING", ""), ("MISSING", ""), ("N", ""), ("N", ""), ("N", ""), ("N", ""), ("N", ""),
    ]  # fmt: skip
    assert _ovr(adrs, "S1") == []


def test_only_investigator_overall_responses_are_used() -> None:
    """Independent-assessor records and other RSTESTCD are left out unless their evaluator is chosen."""
    rs = pd.concat(
        [
            _rs(("S1", "WEEK 6", "SD", "2024-02-12")),
            _rs(("S1", "WEEK 6", "PR", "2024-02-12"), evaluator="INDEPENDENT ASSESSOR"),
            pd.DataFrame(
                [["ST", "S1", "WEEK 6", "TRGRESP", "INVESTIGATOR", "CR", "2024-02-12", "9"]], columns=RS_COLUMNS
            ),
        ],
        ignore_index=True,
    )
    adrs = _derive_quietly(rs, _adsl("S1"))
    assert _ovr(adrs, "S1") == [("SD", "2024-02-12", "", "Y", "Y")]
    assert _param(adrs, "S1", "BOR") == ("SD", "2024-02-12")
    adrs = _derive_quietly(rs, _adsl("S1"), evaluator="INDEPENDENT ASSESSOR")
    assert _param(adrs, "S1", "BOR") == ("PR", "2024-02-12")


def test_reference_column_option() -> None:
    """SD on 2024-02-12: 42 days after RANDDT 2024-01-01 (it would be SD), 41 after TRTSDT 2024-01-02 -> NE."""
    rs = _rs(("S1", "WEEK 6", "SD", "2024-02-12"))
    adsl = _adsl("S1", TRTSDT=["2024-01-02"])
    adsl.loc[adsl["USUBJID"] == "Z-PD", "TRTSDT"] = "2024-01-01"
    by_treatment = _derive_quietly(rs, adsl, reference_col="TRTSDT")
    assert _param(by_treatment, "S1", "BOR") == ("NE", "2024-02-12")
    assert "TRTSDT" in by_treatment.columns


def test_end_column_excludes_records_on_or_after_it() -> None:
    """NACTDT 2024-03-04: the PD on that day is not analysed -> BOR SD (day 42), PD N."""
    rs = _rs(("S1", "WEEK 6", "SD", "2024-02-12"), ("S1", "WEEK 9", "PD", "2024-03-04"))
    adrs = _derive_quietly(rs, _adsl("S1", NACTDT=["2024-03-04"]), end_col="NACTDT")
    assert _ovr(adrs, "S1") == [("SD", "2024-02-12", "", "Y", "Y"), ("PD", "2024-03-04", "", "", "Y")]
    assert _param(adrs, "S1", "BOR") == ("SD", "2024-02-12")
    assert _param(adrs, "S1", "PD") == ("N", "")


def test_rules_option() -> None:
    """PR day 21 and day 48 (27 days apart, not confirmed by default) confirmed with confirmation_days=27."""
    rs = _rs(("S1", "WEEK 3", "PR", "2024-01-22"), ("S1", "WEEK 7", "PR", "2024-02-18"))
    adrs = _derive_quietly(rs, _adsl("S1"), rules=ResponseRules(confirmation_days=27))
    assert _param(adrs, "S1", "CRSP") == ("Y", "2024-01-22")


def test_rs_without_visit_column() -> None:
    rs = _rs(("S1", "WEEK 6", "SD", "2024-02")).drop(columns=["VISIT"])
    with pytest.warns(TrialWarning, match=r"partial date\(s\) .*: S1 \(2024-02\)"):
        adrs = derive_adrs_from_overall(rs, _adsl("S1"))
    assert _param(adrs, "S1", "BOR") == ("SD", "2024-02-29")


# --- errors -----------------------------------------------------------------------------------


def test_missing_rs_columns() -> None:
    rs = _rs(("S1", "WEEK 6", "SD", "2024-02-12")).drop(columns=["RSDTC", "RSSEQ"])
    with pytest.raises(DataError, match=r"The RS table lacks the column\(s\) RSDTC, RSSEQ;") as info:
        derive_adrs_from_overall(rs, _adsl("S1"))
    assert info.value.code == "RECIST-E020"


@pytest.mark.parametrize("column", [pytest.param("USUBJID", id="usubjid"), pytest.param("RANDDT", id="randdt")])
def test_missing_adsl_columns(column: str) -> None:
    adsl = _adsl("S1").drop(columns=[column])
    with pytest.raises(
        DataError, match=r"The ADSL table lacks the column\(s\) .*It needs USUBJID and the reference date RANDDT"
    ) as info:
        derive_adrs_from_overall(_rs(), adsl)
    assert info.value.code == "RECIST-E021"


def test_missing_reference_column_named() -> None:
    with pytest.raises(DataError, match=r"the reference date TRTSDT"):
        derive_adrs_from_overall(_rs(), _adsl("S1"), reference_col="TRTSDT")


@pytest.mark.parametrize("value", [pytest.param("x", id="text"), pytest.param("", id="empty")])
def test_rsseq_not_a_number(value: str) -> None:
    rs = _rs(("S1", "WEEK 6", "SD", "2024-02-12"))
    rs.loc[rs["USUBJID"] == "S1", "RSSEQ"] = value
    with pytest.raises(DataError, match=r"RSSEQ is not a whole number for: S1 WEEK 6 \(2024-02-12\)") as info:
        derive_adrs_from_overall(rs, _adsl("S1"))
    assert info.value.code == "RECIST-E022"


def test_rsseq_with_a_fraction_is_an_error() -> None:
    rs = _rs(("S1", "WEEK 6", "SD", "2024-02-12"))
    rs.loc[rs["USUBJID"] == "S1", "RSSEQ"] = "1.5"
    with pytest.raises(DataError, match=r"RSSEQ is not a whole number"):
        derive_adrs_from_overall(rs, _adsl("S1"))


def test_end_column_missing_from_adsl_is_an_error() -> None:
    rs = _rs(("S1", "WEEK 6", "SD", "2024-02-12"))
    with pytest.raises(DataError, match="NACTDT"):
        derive_adrs_from_overall(rs, _adsl("S1"), end_col="NACTDT")


# --- ADSL variables carried into the ADRS -------------------------------------------------------


def test_adsl_variables_carried_into_every_record(reference_adrs: pd.DataFrame) -> None:
    """pharmaverseadam adsl.csv, subject 01-701-1015: ARM Placebo, ARMCD Pbo, ACTARM Placebo, ACTARMCD Pbo,
    TRT01P/TRT01A Placebo, AGE 63, SEX F, RACE WHITE; on its 7 parameter rows and its OVR records alike."""
    rows = reference_adrs.loc[reference_adrs["USUBJID"] == "01-701-1015"]
    carried = ["ARM", "ARMCD", "ACTARM", "ACTARMCD", "TRT01P", "TRT01A", "AGE", "SEX", "RACE"]
    assert len(rows) == 7 + 3  # 3 investigator OVRLRESP records in rs_onco_recist.csv
    assert rows[carried].astype(str).drop_duplicates().values.tolist() == [
        ["Placebo", "Pbo", "Placebo", "Pbo", "Placebo", "Placebo", "63", "F", "WHITE"]
    ]


def test_adsl_vars_option_carries_more_and_strata_by_name() -> None:
    """STRAT1R (a stratification factor) is carried by default; COUNTRY only when asked for; ARM is absent
    from this ADSL and simply not carried."""
    adsl = _adsl("S1", STRAT1R=["ECOG 0"], COUNTRY=["FRA"], SITEID=["7"])
    rs = _rs(("S1", "WEEK 6", "SD", "2024-02-12"))
    default = _derive_quietly(rs, adsl)
    assert default.columns.tolist()[:3] == ["STUDYID", "USUBJID", "STRAT1R"]
    assert "COUNTRY" not in default.columns
    more = _derive_quietly(rs, adsl, adsl_vars=["COUNTRY"])
    assert more.columns.tolist()[:4] == ["STUDYID", "USUBJID", "STRAT1R", "COUNTRY"]
    assert more.loc[more["USUBJID"] == "S1", "COUNTRY"].astype(str).unique().tolist() == ["FRA"]


def test_adsl_vars_asked_for_must_exist() -> None:
    with pytest.raises(DataError, match=r"ADSL has no column\(s\) ARM, TRTSEQP to carry") as info:
        _derive_quietly(_rs(("S1", "WEEK 6", "SD", "2024-02-12")), _adsl("S1"), adsl_vars=["ARM", "TRTSEQP"])
    assert info.value.code == "ADAM-E001"


# --- ADSL and evaluator problems -------------------------------------------------------------------


def test_evaluator_without_records_is_warned() -> None:
    """RSEVAL 'Investigator' is not the default 'INVESTIGATOR': every subject would be MISSING, so it is said."""
    rs = pd.DataFrame({"USUBJID": ["S"], "RSTESTCD": ["OVRLRESP"], "RSEVAL": ["Investigator"], "RSSTRESC": ["SD"],
                       "RSDTC": ["2024-02-12"], "RSSEQ": ["1"]})  # fmt: skip
    adsl = pd.DataFrame({"USUBJID": ["S"], "RANDDT": ["2024-01-01"]})
    with pytest.warns(TrialWarning, match="No overall responses by evaluator 'INVESTIGATOR'"):
        derive_adrs_from_overall(rs, adsl)


def test_an_adsl_without_subjects_is_an_error() -> None:
    """An ADSL with its header but no rows: nobody to report."""
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
    overall = pd.DataFrame(
        {"USUBJID": ["A"], "ADT": [pd.Timestamp("2024-02-12")], "ADTF": [""], "AVALC": ["PR"], "RSSEQ": [1],
         "AVISIT": ["WEEK 6"]}
    )  # fmt: skip
    adsl = pd.DataFrame({"USUBJID": ["A"], "TRTSDT": ["2024-01-01"]})
    with pytest.raises(
        DataError, match=r"The ADSL table lacks the column\(s\) RANDDT;.*It needs USUBJID and the reference date RANDDT"
    ) as caught:
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
