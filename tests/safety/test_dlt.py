"""Dose-limiting toxicity (``oncotrial.safety.dlt``) on a hand-made AE set, every outcome worked out by hand.

Rule (made for the test, in the shape of an IL-2 protocol): grade >= 3 within 28 days of the first dose
(days 1-28, day 1 = the first dose), grade 3 fever excepted. First dose 2024-01-01 for every patient, so
day 28 is 2024-01-28.
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.errors import DataError
from oncotrial.protocol import DltException, DoseLimitingToxicity
from oncotrial.safety import evaluate_dlt

RULE = DoseLimitingToxicity(
    min_grade=3, window_days=28, exceptions=[DltException(term="Fever", max_grade=3, text="expected with IL-2")]
)

# (subject, term, onset, grade) -> a DLT or not, by hand
CASES = [
    pytest.param("P01", "NEUTROPENIA", "2024-01-28", 3, True, id="grade_3_on_day_28_inside"),
    pytest.param("P02", "NEUTROPENIA", "2024-01-29", 4, False, id="grade_4_on_day_29_outside"),
    pytest.param("P03", "NEUTROPENIA", "2024-01-01", 3, True, id="grade_3_on_day_1_inside"),
    pytest.param("P04", "NEUTROPENIA", "2023-12-31", 4, False, id="before_the_first_dose"),
    pytest.param("P05", "NEUTROPENIA", "2024-01-10", 2, False, id="grade_2_below_the_dlt_grade"),
    pytest.param("P06", "FEVER", "2024-01-10", 3, False, id="grade_3_fever_excepted"),
    pytest.param("P07", "FEVER", "2024-01-10", 4, True, id="grade_4_fever_not_excepted"),
    pytest.param("P08", "HYPOTENSION", "2024-01", 3, True, id="partial_onset_that_may_be_inside"),
    pytest.param("P09", "HYPOTENSION", "2024-02", 3, False, id="partial_onset_all_outside"),
]


def _ae(subject: str, term: str, onset: str, grade: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"USUBJID": [subject], "AEBODSYS": ["SOC"], "AEDECOD": [term], "AESTDTC": [onset], "AETOXGR": [grade]}
    )


def _doses(*subjects: str) -> pd.DataFrame:
    return pd.DataFrame({"USUBJID": list(subjects), "first_dose": ["2024-01-01"] * len(subjects)})


@pytest.mark.parametrize(("subject", "term", "onset", "grade", "expected"), CASES)
def test_dlt_per_case(subject: str, term: str, onset: str, grade: int, expected: bool) -> None:
    result = evaluate_dlt(_ae(subject, term, onset, grade), _doses(subject), RULE)
    assert result.patients["dlt"].tolist() == [expected]


def test_dlt_rate_has_the_clopper_pearson_interval() -> None:
    """10 dosed patients, 1 DLT (P01, day 28): rate 0.1, 95 % exact CI 0.00252857854446179 to 0.445016117028195
    (R ``binom.test(1, 10)$conf.int``, tests/reference/binom/binom_intervals.csv row x=1, n=10). P02's
    grade 4 on day 29 and P06's grade 3 fever do not count; P10 has no AE."""
    ae = pd.concat([_ae("P01", "NEUTROPENIA", "2024-01-28", 3), _ae("P02", "NEUTROPENIA", "2024-01-29", 4),
                    _ae("P06", "FEVER", "2024-01-10", 3)], ignore_index=True)  # fmt: skip
    result = evaluate_dlt(ae, _doses(*(f"P{i:02d}" for i in range(1, 11))), RULE)
    assert (result.rate.x, result.rate.n, result.rate.estimate) == (1, 10, 0.1)
    assert result.rate.lower == pytest.approx(0.00252857854446179, rel=1e-9)
    assert result.rate.upper == pytest.approx(0.445016117028195, rel=1e-9)
    first = result.patients.set_index("USUBJID").loc["P01"]
    assert (first["first_dlt_term"], first["first_dlt_day"], first["n_dlt_events"]) == ("NEUTROPENIA", 28, 1)


def test_terms_and_related_only_narrow_the_definition() -> None:
    """Only hypotension counts, and only when related: P01's related neutropenia and P02's unrelated
    hypotension are not DLTs; P03's related hypotension is (by hand)."""
    rule = DoseLimitingToxicity(min_grade=3, window_days=21, terms=["Hypotension"], related_only=True)
    ae = pd.DataFrame(
        {
            "USUBJID": ["P01", "P02", "P03"],
            "AEBODSYS": ["SOC"] * 3,
            "AEDECOD": ["NEUTROPENIA", "HYPOTENSION", "HYPOTENSION"],
            "AESTDTC": ["2024-01-05"] * 3,
            "AETOXGR": [4, 4, 3],
            "AEREL": ["PROBABLE", "NONE", "POSSIBLE"],
        }
    )
    result = evaluate_dlt(ae, _doses("P01", "P02", "P03"), rule)
    assert result.patients["dlt"].tolist() == [False, False, True]


def test_no_dosed_patient_is_refused() -> None:
    with pytest.raises(DataError, match="No patient has a first dose"):
        evaluate_dlt(
            _ae("P01", "FEVER", "2024-01-02", 4), pd.DataFrame({"USUBJID": ["P01"], "first_dose": [None]}), RULE
        )
