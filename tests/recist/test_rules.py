"""The packaged RECIST 1.1 overall-response table (``oncotrial.recist.rules``).

Reference: Eisenhauer EA, Therasse P, Bogaerts J, et al. New response evaluation criteria in solid
tumours: revised RECIST guideline (version 1.1). Eur J Cancer 2009;45:228-247, section 4.3.4,
Table 1 (patients with target disease, with or without non-target disease) and Table 2 (patients
with non-target disease only). The published rows, transcribed:

Table 1  (target / non-target / new lesions -> overall)
  T1a  CR / CR / No                                   -> CR
  T1b  CR / Non-CR/non-PD / No                        -> PR
  T1c  CR / Not evaluated / No                        -> PR
  T1d  PR / Non-PD or not all evaluated / No          -> PR
  T1e  SD / Non-PD or not all evaluated / No          -> SD
  T1f  Not all evaluated / Non-PD / No                -> NE
  T1g  PD / Any / Yes or No                           -> PD
  T1h  Any / PD / Yes or No                           -> PD
  T1i  Any / Any / Yes                                -> PD

Table 2  (non-target / new lesions -> overall)
  T2a  CR / No                                        -> CR
  T2b  Non-CR/non-PD / No                             -> Non-CR/non-PD
  T2c  Not all evaluated / No                         -> NE
  T2d  Unequivocal PD / Yes or No                     -> PD
  T2e  Any / Yes                                      -> PD

Each expected value below is one of those rows written out for every value it covers ("Any",
"Non-PD" = CR or NON-CR/NON-PD, "not all evaluated" = NE). Codes: target NE = not all evaluated,
NA = no target disease; non-target NA = no non-target disease at baseline.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import oncotrial.recist
from oncotrial.recist import (
    NewLesions,
    NonTargetResponse,
    OverallResponse,
    TargetResponse,
    load_baseline_rules,
    load_overall_response_table,
)
from oncotrial.recist.rules import NEW_LESION_CODES, NON_TARGET_CODES, OVERALL_CODES, TARGET_CODES

NCR = "NON-CR/NON-PD"

# (target, non-target, new lesions, expected overall, table the row comes from), with the published row.
EXPECTED: list[tuple[str, str, str, str, str]] = [
    # --- Table 1, target CR ---
    ("CR", "CR", "NO", "CR", "Table 1"),  # T1a
    ("CR", "CR", "YES", "PD", "Table 1"),  # T1i
    ("CR", NCR, "NO", "PR", "Table 1"),  # T1b
    ("CR", NCR, "YES", "PD", "Table 1"),  # T1i
    ("CR", "NE", "NO", "PR", "Table 1"),  # T1c
    ("CR", "NE", "YES", "PD", "Table 1"),  # T1i
    ("CR", "PD", "NO", "PD", "Table 1"),  # T1h
    ("CR", "PD", "YES", "PD", "Table 1"),  # T1h, T1i
    # T1a with no non-target disease: nothing besides the (gone) targets to persist -> CR
    ("CR", "NA", "NO", "CR", "Table 1"),
    ("CR", "NA", "YES", "PD", "Table 1"),  # T1i
    # --- Table 1, target PR: non-PD (CR, NON-CR/NON-PD), not all evaluated (NE) or none (NA) -> PR ---
    ("PR", "CR", "NO", "PR", "Table 1"),  # T1d
    ("PR", "CR", "YES", "PD", "Table 1"),  # T1i
    ("PR", NCR, "NO", "PR", "Table 1"),  # T1d
    ("PR", NCR, "YES", "PD", "Table 1"),  # T1i
    ("PR", "NE", "NO", "PR", "Table 1"),  # T1d
    ("PR", "NE", "YES", "PD", "Table 1"),  # T1i
    ("PR", "PD", "NO", "PD", "Table 1"),  # T1h
    ("PR", "PD", "YES", "PD", "Table 1"),  # T1h, T1i
    ("PR", "NA", "NO", "PR", "Table 1"),  # T1d
    ("PR", "NA", "YES", "PD", "Table 1"),  # T1i
    # --- Table 1, target SD ---
    ("SD", "CR", "NO", "SD", "Table 1"),  # T1e
    ("SD", "CR", "YES", "PD", "Table 1"),  # T1i
    ("SD", NCR, "NO", "SD", "Table 1"),  # T1e
    ("SD", NCR, "YES", "PD", "Table 1"),  # T1i
    ("SD", "NE", "NO", "SD", "Table 1"),  # T1e
    ("SD", "NE", "YES", "PD", "Table 1"),  # T1i
    ("SD", "PD", "NO", "PD", "Table 1"),  # T1h
    ("SD", "PD", "YES", "PD", "Table 1"),  # T1h, T1i
    ("SD", "NA", "NO", "SD", "Table 1"),  # T1e
    ("SD", "NA", "YES", "PD", "Table 1"),  # T1i
    # --- Table 1, target PD: PD whatever the rest ---
    ("PD", "CR", "NO", "PD", "Table 1"),  # T1g
    ("PD", "CR", "YES", "PD", "Table 1"),  # T1g
    ("PD", NCR, "NO", "PD", "Table 1"),  # T1g
    ("PD", NCR, "YES", "PD", "Table 1"),  # T1g
    ("PD", "NE", "NO", "PD", "Table 1"),  # T1g
    ("PD", "NE", "YES", "PD", "Table 1"),  # T1g
    ("PD", "PD", "NO", "PD", "Table 1"),  # T1g, T1h
    ("PD", "PD", "YES", "PD", "Table 1"),  # T1g
    ("PD", "NA", "NO", "PD", "Table 1"),  # T1g
    ("PD", "NA", "YES", "PD", "Table 1"),  # T1g
    # --- Table 1, target not all evaluated: NE unless something shows progression ---
    ("NE", "CR", "NO", "NE", "Table 1"),  # T1f (CR is non-PD)
    ("NE", "CR", "YES", "PD", "Table 1"),  # T1i
    ("NE", NCR, "NO", "NE", "Table 1"),  # T1f
    ("NE", NCR, "YES", "PD", "Table 1"),  # T1i
    # T1f: nothing evaluated shows PD, and the targets are not all evaluated -> NE
    ("NE", "NE", "NO", "NE", "Table 1"),
    ("NE", "NE", "YES", "PD", "Table 1"),  # T1i
    ("NE", "PD", "NO", "PD", "Table 1"),  # T1h
    ("NE", "PD", "YES", "PD", "Table 1"),  # T1h, T1i
    ("NE", "NA", "NO", "NE", "Table 1"),  # T1f
    ("NE", "NA", "YES", "PD", "Table 1"),  # T1i
    # --- Table 2, no target disease ---
    ("NA", "CR", "NO", "CR", "Table 2"),  # T2a
    ("NA", "CR", "YES", "PD", "Table 2"),  # T2e
    ("NA", NCR, "NO", NCR, "Table 2"),  # T2b
    ("NA", NCR, "YES", "PD", "Table 2"),  # T2e
    ("NA", "NE", "NO", "NE", "Table 2"),  # T2c
    ("NA", "NE", "YES", "PD", "Table 2"),  # T2e
    ("NA", "PD", "NO", "PD", "Table 2"),  # T2d
    ("NA", "PD", "YES", "PD", "Table 2"),  # T2d, T2e
    # --- neither target nor non-target disease at baseline: oncotrial's rows (rules/PROVENANCE.md) ---
    ("NA", "NA", "NO", "NE", "oncotrial"),  # no disease to assess
    ("NA", "NA", "YES", "PD", "oncotrial"),  # a new lesion is progression (T1i/T2e logic)
]


def _id(target: str, non_target: str, new: str) -> str:
    return f"t_{target}-nt_{non_target.replace('NON-CR/NON-PD', 'NONCR')}-new_{new}"


CASES = [pytest.param(t, nt, new, overall, source, id=_id(t, nt, new)) for t, nt, new, overall, source in EXPECTED]


@pytest.mark.parametrize(("target", "non_target", "new", "overall", "source"), CASES)
def test_every_combination_matches_recist_11_tables(
    target: str, non_target: str, new: str, overall: str, source: str
) -> None:
    """Eisenhauer et al., Eur J Cancer 2009;45:228-247, section 4.3.4, Tables 1 and 2 (rows in the module docstring)."""
    table = load_overall_response_table()
    result = table.evaluate(
        np.array([TARGET_CODES.index(target)]),
        np.array([NON_TARGET_CODES.index(non_target)]),
        np.array([NEW_LESION_CODES.index(new)]),
    )
    codes, rows = result.overall, result.rule_row
    assert OVERALL_CODES[int(codes[0])] == overall
    row = table.rows.iloc[int(rows[0])]
    assert (row["target"], row["non_target"], row["new_lesions"], row["overall"]) == (target, non_target, new, overall)
    assert source in row["source"]
    assert row["version"] == "1.1"


def test_evaluate_is_vectorised_in_input_order() -> None:
    """Three time points at once: T1b (CR/NON-CR/NON-PD/No -> PR), T2b (NA/NON-CR/NON-PD/No ->
    NON-CR/NON-PD) and T1i (SD/CR/Yes -> PD), in that order."""
    table = load_overall_response_table()
    result = table.evaluate(
        np.array([TARGET_CODES.index("CR"), TARGET_CODES.index("NA"), TARGET_CODES.index("SD")]),
        np.array([NON_TARGET_CODES.index(NCR)] * 2 + [NON_TARGET_CODES.index("CR")]),
        np.array([NEW_LESION_CODES.index("NO")] * 2 + [NEW_LESION_CODES.index("YES")]),
    )
    assert [OVERALL_CODES[int(c)] for c in result.overall] == ["PR", NCR, "PD"]
    assert result.to_frame()["OVERALL"].tolist() == ["PR", NCR, "PD"]
    assert str(result) == "3 time points: PR 1, NON-CR/NON-PD 1, PD 1"


def test_code_orders() -> None:
    """The code tuples index the lookup array; their order is part of the interface."""
    assert TARGET_CODES == ("CR", "PR", "SD", "PD", "NE", "NA")
    assert NON_TARGET_CODES == ("CR", "NON-CR/NON-PD", "NE", "PD", "NA")
    assert NEW_LESION_CODES == ("NO", "YES")
    assert OVERALL_CODES == ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")


def test_table_has_every_combination_once() -> None:
    """6 target x 5 non-target x 2 new-lesion values = 60 rows (rules/PROVENANCE.md), each once."""
    table = load_overall_response_table()
    assert len(table.rows) == 60
    assert not table.rows.duplicated(["target", "non_target", "new_lesions"]).any()
    assert table.rows["rule_id"].is_unique
    assert table.lookup.shape == (6, 5, 2)
    assert (table.lookup >= 0).all()
    assert sorted(table.lookup.ravel().tolist()) == list(range(60))


def test_version_and_provenance_columns() -> None:
    table = load_overall_response_table()
    assert table.version == "1.1"
    assert {"rule_id", "target", "non_target", "new_lesions", "overall", "version", "source", "rationale"} <= set(
        table.rows.columns
    )
    assert (table.rows["rationale"].str.len() > 0).all()


def test_expected_table_covers_every_combination() -> None:
    """Guard on this module: the hand-written EXPECTED list itself has 60 distinct combinations."""
    assert len({(t, nt, new) for t, nt, new, _, _ in EXPECTED}) == 60


def test_baseline_rules_hold_the_published_thresholds() -> None:
    """Eisenhauer et al. 2009: 10 mm by CT, 20 mm on chest X-ray, 15 mm nodal short axis (3.1.1); at most
    5 targets and 2 per organ (3.3.2); a node below 10 mm short axis is normal for a CR (4.3.1)."""
    rules = load_baseline_rules()
    assert (rules.non_nodal_min_mm, rules.chest_xray_min_mm, rules.nodal_min_short_axis_mm) == (10.0, 20.0, 15.0)
    assert (rules.max_targets, rules.max_targets_per_organ, rules.node_normal_below_mm) == (5, 2, 10.0)
    assert rules.version == "1.1"
    assert rules.messages["RECIST-B04"] == "more than 5 target lesions"


def test_baseline_rule_rows_cite_a_section_and_a_rationale() -> None:
    rows = pd.read_csv(
        Path(oncotrial.recist.__file__).parent / "rules" / "recist11_baseline.csv", dtype=str, keep_default_na=False
    )
    assert rows["rule_id"].is_unique
    assert rows["source"].str.contains("section").all()
    assert (rows["rationale"].str.len() > 0).all()


def test_response_enums_name_the_rule_table_categories() -> None:
    """The codes are positions in the categories of Eisenhauer et al. 2009, Tables 1-2, as the table writes them."""
    assert TargetResponse.labels() == ("CR", "PR", "SD", "PD", "NE", "NA")
    assert NonTargetResponse.NON_CR_NON_PD.label == "NON-CR/NON-PD"
    assert NewLesions.labels() == ("NO", "YES")
    table = load_overall_response_table()
    row = table.lookup[TargetResponse.CR, NonTargetResponse.NON_CR_NON_PD, NewLesions.NO]
    assert OverallResponse(table.rows["overall_code"].iloc[row]) is OverallResponse.PR  # Table 1, T1b
