"""Best overall response and the ADRS response parameters (``oncotrial.recist.best_response``).

Every case is built by hand with RANDDT = 2024-01-01 and assessments ``day`` days later; the
expected values are worked out from the rules in the module docstring (admiralonco 1.0.0's ADRS
template, RECIST 1.1 sections 4.4-4.6) and written as (AVALC, day of ADT). Useful days:
day 21 = 2024-01-22, day 41 = 2024-02-11, day 42 = 2024-02-12, day 63 = 2024-03-04 (2024 is a
leap year, so February has 29 days).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pytest

from oncotrial.errors import DataError
from oncotrial.recist import ResponseRules, derive_overall_response_flags, derive_response_parameters

RANDDT = pd.Timestamp("2024-01-01")
PARAMS = ("BOR", "CBOR", "RSP", "CRSP", "CB", "CCB", "PD")
# A second subject with a PD on day 21 is added to every parameter case: it checks that subjects
# do not leak into each other (data without any PD: test_parameters_without_any_pd_in_the_data).
COMPANION = ("Z-PD", 21, "PD")
N = ("N", None)
MISSING = ("MISSING", None)

Expected = tuple[tuple[str, int | None], ...]  # (AVALC, ADT as days after RANDDT) in PARAMS order


def _overall(records: Sequence[tuple[str, int, str]], *, end_day: int | None = None) -> pd.DataFrame:
    """OVR records (USUBJID, day after RANDDT, AVALC); RSSEQ is the position, from 1."""
    frame = pd.DataFrame(
        {
            "USUBJID": [r[0] for r in records],
            "ADT": [RANDDT + pd.Timedelta(days=r[1]) for r in records],
            "AVALC": [r[2] for r in records],
            "RSSEQ": list(range(1, len(records) + 1)),
            "RANDDT": RANDDT,
            "AVISIT": [f"DAY {r[1]}" for r in records],
        }
    )
    if end_day is not None:
        frame["ENDDT"] = RANDDT + pd.Timedelta(days=end_day)
    for col in ("ADT", "RANDDT", "ENDDT"):
        if col in frame:
            frame[col] = frame[col].astype("datetime64[s]")
    frame["RSSEQ"] = frame["RSSEQ"].astype("int64")
    return frame


def _parameters(
    records: Sequence[tuple[str, int, str]], subjects: Sequence[str], rules: ResponseRules | None = None
) -> pd.DataFrame:
    flagged = derive_overall_response_flags(_overall(records))
    return derive_response_parameters(flagged, pd.DataFrame({"USUBJID": list(subjects)}), rules=rules)


def _summary(params: pd.DataFrame, subject: str) -> Expected:
    """(AVALC, ADT as days after RANDDT or None) per parameter, in PARAMS order."""
    rows = params.loc[params["USUBJID"] == subject].set_index("PARAMCD")
    assert sorted(rows.index) == sorted(PARAMS)
    return tuple(
        (str(rows.at[p, "AVALC"]), None if pd.isna(rows.at[p, "ADT"]) else (rows.at[p, "ADT"] - RANDDT).days)
        for p in PARAMS
    )


def _one_subject(*records: tuple[int, str], rules: ResponseRules | None = None) -> Expected:
    params = _parameters([("A", day, avalc) for day, avalc in records] + [COMPANION], ["A", "Z-PD"], rules)
    assert _summary(params, "Z-PD") == (("PD", 21), ("PD", 21), N, N, N, N, ("Y", 21))
    return _summary(params, "A")


# --- the parameters, case by case -------------------------------------------------------------
#            BOR            CBOR           RSP          CRSP         CB           CCB          PD
CASES = [
    # SD on day 41 is 1 day short of 42: no SD event; NE takes any CR/PR/SD/NON-CR/NE -> NE day 41.
    pytest.param([(41, "SD")], (("NE", 41), ("NE", 41), N, N, N, N, N), id="sd_day_41_is_ne"),
    # SD on day 42 meets sd_min_days exactly: BOR/CBOR SD, and clinical benefit (>= 42 days).
    pytest.param([(42, "SD")], (("SD", 42), ("SD", 42), N, N, ("Y", 42), ("Y", 42), N), id="sd_day_42_is_sd"),
    # The same window for NON-CR/NON-PD (non-measurable disease only).
    pytest.param([(41, "NON-CR/NON-PD")], (("NE", 41), ("NE", 41), N, N, N, N, N), id="non_cr_non_pd_day_41_is_ne"),
    pytest.param(
        [(42, "NON-CR/NON-PD")],
        (("NON-CR/NON-PD", 42), ("NON-CR/NON-PD", 42), N, N, ("Y", 42), ("Y", 42), N),
        id="non_cr_non_pd_day_42",
    ),
    # PR day 42 then PD day 63: no CR/PR after the PR, so it is unconfirmed; CBOR falls to the SD
    # event (a PR at >= 42 days counts as SD) on day 42; CCB likewise; PD on day 63.
    pytest.param(
        [(42, "PR"), (63, "PD")],
        (("PR", 42), ("SD", 42), ("Y", 42), N, ("Y", 42), ("Y", 42), ("Y", 63)),
        id="pr_then_pd_unconfirmed",
    ),
    # PR day 21 confirmed by PR day 49: 49 - 21 = 28 days, exactly confirmation_days.
    pytest.param(
        [(21, "PR"), (49, "PR")],
        (("PR", 21), ("PR", 21), ("Y", 21), ("Y", 21), ("Y", 21), ("Y", 21), N),
        id="pr_confirmed_after_28_days",
    ),
    # PR day 48 is only 27 days after PR day 21: unconfirmed. SD event: first CR/PR/SD >= day 42
    # is the PR on day 48 -> CBOR SD day 48, CCB Y day 48; unconfirmed BOR/RSP/CB on day 21.
    pytest.param(
        [(21, "PR"), (48, "PR")],
        (("PR", 21), ("SD", 48), ("Y", 21), N, ("Y", 21), ("Y", 48), N),
        id="pr_not_confirmed_after_27_days",
    ),
    # PR, NE, PR (28 days): one NE between (max_ne = 1) -> confirmed on day 21.
    pytest.param(
        [(21, "PR"), (35, "NE"), (49, "PR")],
        (("PR", 21), ("PR", 21), ("Y", 21), ("Y", 21), ("Y", 21), ("Y", 21), N),
        id="pr_ne_pr_confirmed",
    ),
    # PR, NE, NE, PR: two NE before the confirming PR -> not confirmed; SD event: the NE on day 42
    # is not CR/PR/SD, so the first is the PR on day 56.
    pytest.param(
        [(21, "PR"), (35, "NE"), (42, "NE"), (56, "PR")],
        (("PR", 21), ("SD", 56), ("Y", 21), N, ("Y", 21), ("Y", 56), N),
        id="pr_ne_ne_pr_not_confirmed",
    ),
    # PR, SD, PR: an SD between breaks the confirmation; SD event = PR day 49 (SD day 35 < 42).
    pytest.param(
        [(21, "PR"), (35, "SD"), (49, "PR")],
        (("PR", 21), ("SD", 49), ("Y", 21), N, ("Y", 21), ("Y", 49), N),
        id="pr_sd_pr_not_confirmed",
    ),
    # CR day 42 confirmed by CR day 70 (28 days).
    pytest.param(
        [(42, "CR"), (70, "CR")],
        (("CR", 42), ("CR", 42), ("Y", 42), ("Y", 42), ("Y", 42), ("Y", 42), N),
        id="cr_confirmed_by_cr",
    ),
    # CR day 42 then PR day 70: a PR does not confirm a CR, and the PR on day 70 has no later CR/PR
    # to confirm it -> no confirmed response; SD event: the CR on day 42 (>= 42 days).
    pytest.param(
        [(42, "CR"), (70, "PR")],
        (("CR", 42), ("SD", 42), ("Y", 42), N, ("Y", 42), ("Y", 42), N),
        id="cr_then_pr_not_confirmed",
    ),
    # CR, NE, CR: one NE allowed between a CR and its confirmation.
    pytest.param(
        [(21, "CR"), (35, "NE"), (49, "CR")],
        (("CR", 21), ("CR", 21), ("Y", 21), ("Y", 21), ("Y", 21), ("Y", 21), N),
        id="cr_ne_cr_confirmed",
    ),
    # CR, NE, NE, CR: two NE -> not confirmed; SD event: CR day 56 (NE day 42 does not count).
    pytest.param(
        [(21, "CR"), (35, "NE"), (42, "NE"), (56, "CR")],
        (("CR", 21), ("SD", 56), ("Y", 21), N, ("Y", 21), ("Y", 56), N),
        id="cr_ne_ne_cr_not_confirmed",
    ),
    # CR, PR, CR: only CR/NE may lie between a CR and its confirmation; the PR on day 35 has no
    # CR/PR 28 days later (day 63) -> unconfirmed; SD event: CR day 49.
    pytest.param(
        [(21, "CR"), (35, "PR"), (49, "CR")],
        (("CR", 21), ("SD", 49), ("Y", 21), N, ("Y", 21), ("Y", 49), N),
        id="cr_pr_cr_not_confirmed",
    ),
    # PR day 21 then CR day 49: a CR confirms a PR -> confirmed PR on day 21. BOR is CR (the CR
    # event comes first), dated by the CR on day 49; RSP/CB at the first response (PR day 21).
    pytest.param(
        [(21, "PR"), (49, "CR")],
        (("CR", 49), ("PR", 21), ("Y", 21), ("Y", 21), ("Y", 21), ("Y", 21), N),
        id="pr_confirmed_by_cr",
    ),
    # PR, PR, CR: the PR on day 21 is confirmed by the CR on day 49; the join (PR 35, CR 49) has no
    # PR after the CR (admiralonco: min CR date 49 > max PR date 35). BOR CR day 49.
    pytest.param(
        [(21, "PR"), (35, "PR"), (49, "CR")],
        (("CR", 49), ("PR", 21), ("Y", 21), ("Y", 21), ("Y", 21), ("Y", 21), N),
        id="pr_pr_cr_confirmed",
    ),
    # PR, CR, CR: confirmed by the CR on day 49 with only a CR (day 35) between; the CR on day 35
    # has no CR 28 days later (day 63), so CBOR is the confirmed PR. BOR CR day 35.
    pytest.param(
        [(21, "PR"), (35, "CR"), (49, "CR")],
        (("CR", 35), ("PR", 21), ("Y", 21), ("Y", 21), ("Y", 21), ("Y", 21), N),
        id="pr_cr_cr_confirmed",
    ),
    # PR day 21, CR day 49, PR day 56: the confirmation stops at the first CR/PR >= day 49 (the CR),
    # so the later PR does not matter -> confirmed PR on day 21.
    pytest.param(
        [(21, "PR"), (49, "CR"), (56, "PR")],
        (("CR", 49), ("PR", 21), ("Y", 21), ("Y", 21), ("Y", 21), ("Y", 21), N),
        id="pr_confirmed_before_a_later_pr",
    ),
    # Confirmed PR (day 21 by day 49), then confirmed CR (day 63 by day 91): the confirmed-CR event
    # comes first in CBOR (event order), dated day 63; CRSP and CCB are ordered by date first
    # (admiralonco: desc(AVALC), ADT, event_nr), so they take the confirmed PR on day 21.
    pytest.param(
        [(21, "PR"), (49, "PR"), (63, "CR"), (91, "CR")],
        (("CR", 63), ("CR", 63), ("Y", 21), ("Y", 21), ("Y", 21), ("Y", 21), N),
        id="confirmed_cr_event_before_confirmed_pr",
    ),
    # The CB example: SD on day 44 (>= 42 days), then PR on day 86. CB and CCB are Y at the
    # earliest qualifying record, the SD on day 44, not the response on day 86; RSP is the PR
    # (its only event). The PR is unconfirmed (nothing after it): CBOR SD day 44, CRSP N.
    pytest.param(
        [(44, "SD"), (86, "PR")],
        (("PR", 86), ("SD", 44), ("Y", 86), N, ("Y", 44), ("Y", 44), N),
        id="cb_dated_at_earlier_sd",
    ),
    # The CRSP example: PR day 45 confirmed by CR day 87 (42 days later, nothing between),
    # that CR confirmed by CR day 137. CBOR is CR (event order) on day 87; CRSP and CCB are dated at
    # the earliest confirmed response, the PR on day 45; BOR CR day 87.
    pytest.param(
        [(45, "PR"), (87, "CR"), (137, "CR")],
        (("CR", 87), ("CR", 87), ("Y", 45), ("Y", 45), ("Y", 45), ("Y", 45), N),
        id="crsp_dated_at_confirmed_pr_before_confirmed_cr",
    ),
    # A lone PR on day 21: BOR PR; CBOR has no confirmed response, no event >= 42 days and no PD,
    # so it is NE (the NE event takes CR/PR too); CCB N since day 21 < 42.
    pytest.param([(21, "PR")], (("PR", 21), ("NE", 21), ("Y", 21), N, ("Y", 21), N, N), id="lone_early_pr"),
    # Only NE: BOR/CBOR NE on its date.
    pytest.param([(30, "NE")], (("NE", 30), ("NE", 30), N, N, N, N, N), id="only_ne"),
    # PD day 21 then CR day 63: records after the first PD lose ANL02FL and are ignored.
    pytest.param(
        [(21, "PD"), (63, "CR")],
        (("PD", 21), ("PD", 21), N, N, N, N, ("Y", 21)),
        id="records_after_first_pd_ignored",
    ),
    # SD day 21 then PD day 42: SD too early, so PD wins over NE (PD comes first in the list).
    pytest.param(
        [(21, "SD"), (42, "PD")],
        (("PD", 42), ("PD", 42), N, N, N, N, ("Y", 42)),
        id="early_sd_then_pd",
    ),
    # PR and PD on the same day 42: the worst (PD) is kept for ANL01FL -> BOR PD.
    pytest.param(
        [(42, "PR"), (42, "PD")],
        (("PD", 42), ("PD", 42), N, N, N, N, ("Y", 42)),
        id="pr_and_pd_same_day",
    ),
    # PR before RANDDT (day -7) is not analysed; SD day 42 -> BOR SD, no response.
    pytest.param(
        [(-7, "PR"), (42, "SD")],
        (("SD", 42), ("SD", 42), N, N, ("Y", 42), ("Y", 42), N),
        id="record_before_randomisation_ignored",
    ),
    # An assessment on RANDDT itself (day 0) is analysed (ADT >= RANDDT).
    pytest.param([(0, "PR")], (("PR", 0), ("NE", 0), ("Y", 0), N, ("Y", 0), N, N), id="record_on_randomisation_day"),
]


@pytest.fixture(scope="module")
def case_parameters() -> pd.DataFrame:
    """Every case of CASES in one derivation (fast, and subjects must not interfere): the subject
    of a case is named by its id; the PD companion is added once."""
    records = [(case.id or "", day, avalc) for case in CASES for day, avalc in case.values[0]]
    subjects = [case.id or "" for case in CASES] + [COMPANION[0]]
    return _parameters([*records, COMPANION], subjects)


@pytest.mark.parametrize(("records", "expected"), CASES)
def test_response_parameters(
    case_parameters: pd.DataFrame, request: pytest.FixtureRequest, records: list[tuple[int, str]], expected: Expected
) -> None:
    # the records are in case_parameters, under the subject named by the case id
    assert _summary(case_parameters, request.node.callspec.id) == expected, f"records (day, AVALC): {records}"


def test_companion_subject_in_the_case_table(case_parameters: pd.DataFrame) -> None:
    """The PD companion (PD on day 21): BOR/CBOR PD, PD Y on day 21, no response."""
    assert _summary(case_parameters, "Z-PD") == (("PD", 21), ("PD", 21), N, N, N, N, ("Y", 21))


def test_max_ne_two_confirms_across_two_ne() -> None:
    """PR, NE, NE, PR (35 days): not confirmed with max_ne=1 (case above), confirmed with max_ne=2."""
    found = _one_subject((21, "PR"), (35, "NE"), (42, "NE"), (56, "PR"), rules=ResponseRules(max_ne=2))
    assert found == (("PR", 21), ("PR", 21), ("Y", 21), ("Y", 21), ("Y", 21), ("Y", 21), N)


def test_confirmation_days_option() -> None:
    """PR day 21 and day 48 are 27 days apart: confirmed once confirmation_days is 27."""
    found = _one_subject((21, "PR"), (48, "PR"), rules=ResponseRules(confirmation_days=27))
    assert found == (("PR", 21), ("PR", 21), ("Y", 21), ("Y", 21), ("Y", 21), ("Y", 21), N)


def test_sd_min_days_option() -> None:
    """SD on day 35 is SD (and clinical benefit) with sd_min_days=35, NE with the default 42."""
    assert _one_subject((35, "SD"), rules=ResponseRules(sd_min_days=35)) == (
        ("SD", 35), ("SD", 35), N, N, ("Y", 35), ("Y", 35), N,
    )  # fmt: skip
    assert _one_subject((35, "SD")) == (("NE", 35), ("NE", 35), N, N, N, N, N)


def test_default_rules_are_recist_and_admiralonco() -> None:
    """RECIST 1.1 / admiralonco: confirmation after >= 28 days, SD after >= 42 days, one NE."""
    rules = ResponseRules()
    assert (rules.confirmation_days, rules.sd_min_days, rules.max_ne) == (28, 42, 1)


@pytest.mark.parametrize(
    ("option", "value", "valid"),
    [
        pytest.param("confirmation_days", 0, "from 1 to 3650", id="confirmation_days_zero"),
        pytest.param("confirmation_days", 10**27, "from 1 to 3650", id="confirmation_days_overflows"),
        pytest.param("sd_min_days", -1, "from 0 to 3650", id="sd_min_days_negative"),
        pytest.param("sd_min_days", 3651, "from 0 to 3650", id="sd_min_days_over_ten_years"),
        pytest.param("max_ne", 101, "from 0 to 100", id="max_ne_too_many"),
        pytest.param("max_ne", 1.5, "from 0 to 100", id="max_ne_fraction"),
    ],
)
def test_rules_outside_their_range_are_refused(option: str, value: float, valid: str) -> None:
    """RULE_LIMITS: a day count from 1 (confirmation) or 0 (SD) to ten years, at most 100 NE."""
    with pytest.raises(DataError, match=f"{option} = {value!r} is not valid: give a whole number {valid}") as info:
        ResponseRules(**{option: value})
    assert (info.value.code, info.value.fields) == ("RECIST-E025", {"field": option})


def test_subject_without_records_is_missing() -> None:
    """A subject listed in ``subjects`` with no record: MISSING for BOR/CBOR, N otherwise, no date."""
    params = _parameters([COMPANION], ["NONE", "Z-PD"])
    assert _summary(params, "NONE") == (MISSING, MISSING, N, N, N, N, N)
    rows = params.loc[params["USUBJID"] == "NONE"].set_index("PARAMCD")
    assert rows["AVAL"].to_dict() == {"BOR": 7, "CBOR": 7, "RSP": 0, "CRSP": 0, "CB": 0, "CCB": 0, "PD": 0}
    assert rows["ADT"].isna().all()


def test_subject_with_only_unanalysable_records_is_missing() -> None:
    """Only a record before RANDDT: nothing analysable -> MISSING / N."""
    params = _parameters([("A", -3, "SD"), COMPANION], ["A", "Z-PD"])
    assert _summary(params, "A") == (MISSING, MISSING, N, N, N, N, N)


def test_confirmation_never_crosses_subjects() -> None:
    """A's PR (day 21) must not be confirmed by B's PR 28 days later (day 49), nor B's by anything."""
    params = _parameters([("A", 21, "PR"), ("B", 49, "PR"), COMPANION], ["A", "B", "Z-PD"])
    assert _summary(params, "A") == (("PR", 21), ("NE", 21), ("Y", 21), N, ("Y", 21), N, N)
    # B: a lone PR on day 49 (>= 42): CBOR SD and CCB Y on day 49.
    assert _summary(params, "B") == (("PR", 49), ("SD", 49), ("Y", 49), N, ("Y", 49), ("Y", 49), N)


def test_parameter_aval_codes() -> None:
    """admiralonco's aval_resp(): CR 1, PR 2, SD 3, NON-CR/NON-PD 4, PD 5, NE 6, MISSING 7; Y 1, N 0."""
    records = [
        ("S-CR", 42, "CR"),
        ("S-PR", 42, "PR"),
        ("S-SD", 42, "SD"),
        ("S-NN", 42, "NON-CR/NON-PD"),
        ("S-PD", 21, "PD"),
        ("S-NE", 21, "NE"),
    ]
    subjects = ["S-CR", "S-PR", "S-SD", "S-NN", "S-PD", "S-NE", "S-MI"]
    params = _parameters(records, subjects)
    bor = params.loc[params["PARAMCD"] == "BOR"].set_index("USUBJID")
    assert bor["AVALC"].to_dict() == {
        "S-CR": "CR", "S-PR": "PR", "S-SD": "SD", "S-NN": "NON-CR/NON-PD", "S-PD": "PD", "S-NE": "NE", "S-MI": "MISSING",
    }  # fmt: skip
    assert bor["AVAL"].to_dict() == {"S-CR": 1, "S-PR": 2, "S-SD": 3, "S-NN": 4, "S-PD": 5, "S-NE": 6, "S-MI": 7}
    rsp = params.loc[params["PARAMCD"] == "RSP"].set_index("USUBJID")
    assert rsp["AVAL"].to_dict() == {"S-CR": 1, "S-PR": 1, "S-SD": 0, "S-NN": 0, "S-PD": 0, "S-NE": 0, "S-MI": 0}


def test_parameter_rows_carry_the_deciding_record() -> None:
    """ADT, AVISIT and RSSEQ come from the record that decided the value; flags as admiralonco sets them."""
    params = _parameters([("A", 42, "PR"), ("A", 63, "PD")], ["A"])
    assert params.columns.tolist() == [
        "STUDYID", "USUBJID", "PARAMCD", "AVALC", "AVAL", "ADT", "AVISIT", "RSSEQ", "ANL01FL", "ANL02FL",
    ]  # fmt: skip
    rows = params.set_index("PARAMCD")
    # PR (RSSEQ 1, day 42) decides BOR; PD (RSSEQ 2, day 63) decides PD; CRSP is N.
    assert (rows.at["BOR", "AVISIT"], rows.at["BOR", "RSSEQ"]) == ("DAY 42", 1)
    assert rows.at["BOR", "ADT"] == pd.Timestamp("2024-02-12")
    assert (rows.at["PD", "AVISIT"], rows.at["PD", "RSSEQ"]) == ("DAY 63", 2)
    assert rows.at["PD", "ADT"] == pd.Timestamp("2024-03-04")
    assert rows.loc["CRSP", ["ADT", "AVISIT", "RSSEQ"]].isna().all()
    assert rows["ANL01FL"].to_dict() == dict.fromkeys(PARAMS, "Y")
    assert rows["ANL02FL"].to_dict() == {
        "BOR": "Y", "CBOR": "Y", "RSP": "Y", "CRSP": "", "CB": "Y", "CCB": "Y", "PD": "Y",
    }  # fmt: skip


def test_subjects_are_listed_once_and_only_those_listed() -> None:
    """Rows for every listed subject (duplicates dropped), none for subjects not listed; STUDYID carried."""
    flagged = derive_overall_response_flags(_overall([("A", 42, "SD"), ("X", 21, "PD"), COMPANION]))
    subjects = pd.DataFrame({"STUDYID": ["ST1", "ST1", "ST1"], "USUBJID": ["A", "A", "Z-PD"]})
    params = derive_response_parameters(flagged, subjects)
    assert len(params) == 2 * 7
    assert set(params["USUBJID"]) == {"A", "Z-PD"}
    assert set(params["STUDYID"]) == {"ST1"}
    assert params.groupby("USUBJID")["PARAMCD"].apply(sorted).to_dict() == {
        "A": sorted(PARAMS),
        "Z-PD": sorted(PARAMS),
    }


def test_studyid_empty_when_subjects_have_none() -> None:
    params = _parameters([("A", 42, "SD"), COMPANION], ["A", "Z-PD"])
    assert set(params["STUDYID"]) == {""}


# --- no PD anywhere; a PR after a CR -----------------------------------------------------------


def test_parameters_without_any_pd_in_the_data() -> None:
    """One subject, SD on day 42 and no PD anywhere: BOR SD day 42, PD N (no companion subject here).

    Regression: this raised TypeError ("Cannot cast DatetimeArray to dtype float64") in
    _first_per_subject_pd under pandas 3.1 when no subject had an analysable PD.
    """
    params = _parameters([("A", 42, "SD")], ["A"])
    assert _summary(params, "A") == (("SD", 42), ("SD", 42), N, N, ("Y", 42), ("Y", 42), N)


def test_pr_not_confirmed_when_a_pr_follows_a_cr() -> None:
    """PR day 21, CR day 35, PR day 49.

    admiralonco 1.0.0 (R/event_objects.R, ``cbor_pr`` and ``crsp_y_pr``): the PR on day 21 is
    confirmed by the first CR/PR >= 28 days later (PR day 49) only if, among the records after it
    up to that one (CR day 35, PR day 49), no PR follows a CR: min CR date 35 > max PR date 49 is
    false, and there is a CR and a PR -> not confirmed. The CR on day 35 has no CR 28 days later;
    the PR on day 49 has nothing after it. So CRSP N; CBOR SD at the first CR/PR/SD >= day 42
    (PR day 49); CCB Y day 49; BOR CR day 35; RSP and CB Y at the first response, day 21.
    """
    found = _one_subject((21, "PR"), (35, "CR"), (49, "PR"))
    assert found == (("CR", 35), ("SD", 49), ("Y", 21), N, ("Y", 21), ("Y", 49), N)


# --- ANL01FL / ANL02FL / AVAL on the overall responses ----------------------------------------


def _flags(frame: pd.DataFrame, column: str) -> dict[int, str]:
    return dict(zip(frame["RSSEQ"], frame[column], strict=True))


def test_aval_of_each_category() -> None:
    """CR 1, PR 2, SD 3, NON-CR/NON-PD 4, PD 5, NE 6; MISSING and other text have no AVAL."""
    values = ["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING", "CHECK"]
    flagged = derive_overall_response_flags(_overall([("A", day, v) for day, v in enumerate(values, start=1)]))
    aval = dict(zip(flagged["AVALC"], flagged["AVAL"], strict=True))
    assert {k: aval[k] for k in values[:6]} == {"CR": 1, "PR": 2, "SD": 3, "NON-CR/NON-PD": 4, "PD": 5, "NE": 6}
    assert pd.isna(aval["MISSING"])
    assert pd.isna(aval["CHECK"])
    # no AVAL -> not analysable (RSSEQ 7 and 8)
    assert {k: v for k, v in _flags(flagged, "ANL01FL").items() if k >= 7} == {7: "", 8: ""}


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # worst of the day in the order NE < CR < PR < SD < NON-CR/NON-PD < PD (the last is kept)
        pytest.param("PR", "PD", {1: "", 2: "Y"}, id="pd_beats_pr"),
        pytest.param("PD", "PR", {1: "Y", 2: ""}, id="pd_beats_pr_whatever_rsseq"),
        pytest.param("NE", "CR", {1: "", 2: "Y"}, id="cr_beats_ne"),
        pytest.param("CR", "NE", {1: "Y", 2: ""}, id="cr_beats_ne_whatever_rsseq"),
        pytest.param("CR", "PR", {1: "", 2: "Y"}, id="pr_beats_cr"),
        pytest.param("SD", "PR", {1: "Y", 2: ""}, id="sd_beats_pr"),
        pytest.param("NON-CR/NON-PD", "SD", {1: "Y", 2: ""}, id="non_cr_non_pd_beats_sd"),
        pytest.param("SD", "SD", {1: "", 2: "Y"}, id="same_category_larger_rsseq"),
        pytest.param("CHECK", "SD", {1: "", 2: "Y"}, id="invalid_value_never_kept"),
    ],
)
def test_anl01fl_keeps_the_worst_of_a_day(first: str, second: str, expected: dict[int, str]) -> None:
    flagged = derive_overall_response_flags(_overall([("A", 42, first), ("A", 42, second)]))
    assert _flags(flagged, "ANL01FL") == expected


def test_anl01fl_same_category_larger_rsseq_given_first() -> None:
    """Two SD on one day, the larger RSSEQ (5) given first: RSSEQ 5 is flagged."""
    frame = _overall([("A", 42, "SD"), ("A", 42, "SD")])
    frame["RSSEQ"] = [5, 3]
    assert _flags(derive_overall_response_flags(frame), "ANL01FL") == {3: "", 5: "Y"}


def test_anl01fl_reference_date_window() -> None:
    """Day -1 is before RANDDT (not analysed); day 0 is RANDDT itself (analysed); missing ADT never."""
    frame = _overall([("A", -1, "SD"), ("A", 0, "SD"), ("A", 42, "SD"), ("A", 50, "SD")])
    frame.loc[3, "ADT"] = pd.NaT
    assert _flags(derive_overall_response_flags(frame), "ANL01FL") == {1: "", 2: "Y", 3: "Y", 4: ""}


def test_anl01fl_end_date() -> None:
    """End date day 63: day 62 is analysed; day 63 (on it) and day 70 (after it) are not."""
    frame = _overall([("A", 42, "SD"), ("A", 62, "SD"), ("A", 63, "PD"), ("A", 70, "SD")], end_day=63)
    flagged = derive_overall_response_flags(frame, end_col="ENDDT")
    assert _flags(flagged, "ANL01FL") == {1: "Y", 2: "Y", 3: "", 4: ""}
    # without end_col all four are analysed
    assert _flags(derive_overall_response_flags(frame), "ANL01FL") == {1: "Y", 2: "Y", 3: "Y", 4: "Y"}


def test_anl01fl_missing_end_date_excludes_nothing() -> None:
    frame = _overall([("A", 42, "SD"), ("A", 63, "PD")], end_day=63)
    frame["ENDDT"] = pd.Series([pd.NaT, pd.NaT], dtype="datetime64[s]")
    assert _flags(derive_overall_response_flags(frame, end_col="ENDDT"), "ANL01FL") == {1: "Y", 2: "Y"}


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        pytest.param([(21, "SD"), (42, "SD")], {1: "Y", 2: "Y"}, id="no_pd_all_flagged"),
        pytest.param(
            [(21, "SD"), (42, "PD"), (63, "SD"), (84, "PD")], {1: "Y", 2: "Y", 3: "", 4: ""}, id="up_to_first_pd"
        ),
        pytest.param([(21, "PD"), (21, "PR")], {1: "Y", 2: ""}, id="same_day_after_pd_by_rsseq"),
        pytest.param([(21, "PR"), (21, "PD")], {1: "Y", 2: "Y"}, id="same_day_before_pd_by_rsseq"),
        # the first PD in (ADT, RSSEQ) order, whether analysed or not
        pytest.param([(-7, "PD"), (42, "SD")], {1: "Y", 2: ""}, id="pd_before_randomisation_still_cuts"),
    ],
)
def test_anl02fl_up_to_the_first_pd(records: list[tuple[int, str]], expected: dict[int, str]) -> None:
    flagged = derive_overall_response_flags(_overall([("A", day, v) for day, v in records]))
    assert _flags(flagged, "ANL02FL") == expected


def test_anl02fl_is_per_subject() -> None:
    """A's PD on day 21 does not cut B's later records."""
    flagged = derive_overall_response_flags(_overall([("A", 21, "PD"), ("A", 42, "SD"), ("B", 63, "SD")]))
    assert _flags(flagged, "ANL02FL") == {1: "Y", 2: "", 3: "Y"}


def test_flags_output_sorted_and_input_unchanged() -> None:
    frame = _overall([("B", 21, "SD"), ("A", 63, "SD"), ("A", 21, "PR")])
    before = frame.copy()
    flagged = derive_overall_response_flags(frame)
    assert flagged["RSSEQ"].tolist() == [3, 2, 1]  # A day 21, A day 63, B day 21
    pd.testing.assert_frame_equal(frame, before)


def test_flags_output_has_only_public_columns() -> None:
    """derive_overall_response_flags adds AVAL, ANL01FL and ANL02FL and nothing private (no ``_CODE``);
    derive_response_parameters derives the codes it needs from AVALC: A's PR on day 30 is then BOR PR."""
    overall = _overall([("A", 30, "PR"), ("A", 60, "PD")])
    flagged = derive_overall_response_flags(overall)
    assert [c for c in flagged.columns if c.startswith("_")] == []
    assert set(flagged.columns) - set(overall.columns) == {"AVAL", "ANL01FL", "ANL02FL"}
    params = derive_response_parameters(flagged, pd.DataFrame({"USUBJID": ["A"]})).set_index("PARAMCD")
    assert (params.loc["BOR", "AVALC"], params.loc["PD", "AVALC"]) == ("PR", "Y")
