"""Patients by worst grade (``derive_worst_grade_counts``); expected counts worked out by hand from the AE table."""

from __future__ import annotations

import pandas as pd

from oncotrial.safety import derive_worst_grade_counts, summarise_adverse_events

ADSL = pd.DataFrame({"USUBJID": ["P1", "P2", "P3", "P4"], "ARM": ["A", "A", "B", "B"]})
AE = pd.DataFrame(
    {
        "USUBJID": ["P1", "P1", "P1", "P2", "P3"],
        "AEBODSYS": ["General", "General", "Vascular", "General", "Vascular"],
        "AEDECOD": ["Fever", "Fever", "Hypotension", "Fever", "Hypotension"],
        "AESTDTC": ["2024-01-02", "2024-01-05", "2024-01-03", "2024-01-02", "2024-02-01"],
        "AETOXGR": [1, 3, 4, 2, None],
    }
)


def test_worst_grade_per_patient_and_term_counted_by_hand() -> None:
    """Arm A: P1 fever grades 1 and 3 -> worst 3, P2 fever 2; P1 hypotension 4. Any event: P1 worst 4, P2 2.
    Arm B: P3 hypotension of unknown grade; P4 none (N = 2)."""
    counts = derive_worst_grade_counts(summarise_adverse_events(AE, adsl=ADSL, by=["ARM"]))
    rows = {(r.ARM, r.AEDECOD or r.AEBODSYS): r for r in counts.itertuples()}
    fever = rows[("A", "Fever")]
    assert (fever.N, fever.grade_1, fever.grade_2, fever.grade_3, fever.any) == (2, 0, 1, 1, 2)
    any_a = rows[("A", "ANY ADVERSE EVENT")]
    assert (any_a.grade_2, any_a.grade_4, any_a.any) == (1, 1, 2)
    any_b = rows[("B", "ANY ADVERSE EVENT")]
    assert (any_b.N, any_b.grade_missing, any_b.any) == (2, 1, 1)
    assert counts["AEBODSYS"].iloc[0] == "ANY ADVERSE EVENT"
    assert counts["ARM"].tolist() == ["A", "A", "A", "B", "B"]
