"""Baseline lesion selection rules (``oncotrial.recist.baseline``).

RECIST 1.1 (Eisenhauer EA et al., Eur J Cancer 2009;45:228-247), section 3.1.1 (measurable:
longest diameter >= 10 mm by CT, >= 20 mm by chest X-ray; a malignant node >= 15 mm in short
axis; 10 to < 15 mm is pathological but non-measurable) and section 3.3.1 (at most five target
lesions in total and two per organ; lymph nodes, wherever they are, count as one organ).
Each case is a hand-built baseline; the expected breaches are listed as (lesion, rule).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from oncotrial.errors import DataError
from oncotrial.recist import evaluate_baseline_lesions

# (lesion, category, nodal, diameter mm or None, method, location)
Lesion = tuple[str, str, bool, float | None, str, str]


def _baseline(lesions: Sequence[Lesion], *, subject: str = "S1") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": subject,
            "VISIT": "SCREENING",
            "ADT": pd.Timestamp("2024-01-01"),
            "BASELINE": True,
            "LESIONID": [x[0] for x in lesions],
            "CATEGORY": [x[1] for x in lesions],
            "NODAL": [x[2] for x in lesions],
            "DIAMETER": [np.nan if x[3] is None else float(x[3]) for x in lesions],
            "STATE": None,
            "METHOD": [x[4] for x in lesions],
            "LOCATION": [x[5] for x in lesions],
        }
    )


def _target(
    lesion: str, diameter: float | None, location: str, *, nodal: bool = False, method: str = "CT SCAN"
) -> Lesion:
    return (lesion, "TARGET", nodal, diameter, method, location)


def _breaches(table: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(table["LESIONID"], table["RULE"], strict=True))


CASES = [
    # Non-nodal by CT: 9.9 mm < 10 -> B01; 10 mm is measurable.
    pytest.param([_target("T1", 9.9, "LIVER")], [("T1", "RECIST-B01")], id="ct_9_9mm_b01"),
    pytest.param([_target("T1", 10, "LIVER")], [], id="ct_10mm_ok"),
    # MRI has the CT threshold.
    pytest.param([_target("T1", 9, "BRAIN", method="MRI")], [("T1", "RECIST-B01")], id="mri_9mm_b01"),
    # Chest X-ray: 19 mm < 20 -> B02 (and not B01); 20 mm is measurable.
    pytest.param([_target("T1", 19, "LUNG", method="CHEST X-RAY")], [("T1", "RECIST-B02")], id="xray_19mm_b02"),
    pytest.param([_target("T1", 20, "LUNG", method="CHEST X-RAY")], [], id="xray_20mm_ok"),
    # Nodes by short axis: 14.9 mm < 15 -> B03; 15 mm is measurable; a node of 12 mm is not B01 (nodes have
    # their own threshold).
    pytest.param([_target("T1", 14.9, "LYMPH NODE", nodal=True)], [("T1", "RECIST-B03")], id="node_14_9mm_b03"),
    pytest.param([_target("T1", 15, "LYMPH NODE", nodal=True)], [], id="node_15mm_ok"),
    # A target without a baseline measurement -> B06.
    pytest.param([_target("T1", None, "LIVER")], [("T1", "RECIST-B06")], id="no_baseline_diameter_b06"),
    # Six targets in six organs -> one B04 row, on the sixth.
    pytest.param(
        [
            _target(f"T{i}", 20, organ)
            for i, organ in enumerate(["LIVER", "LUNG", "BONE", "SPLEEN", "KIDNEY", "SKIN"], 1)
        ],
        [("T6", "RECIST-B04")],
        id="six_targets_b04",
    ),
    # Five targets in five organs: the maximum.
    pytest.param(
        [_target(f"T{i}", 20, organ) for i, organ in enumerate(["LIVER", "LUNG", "BONE", "SPLEEN", "KIDNEY"], 1)],
        [],
        id="five_targets_ok",
    ),
    # Three targets in the liver -> one B05 row, on the third; two in one organ are fine.
    pytest.param(
        [_target("T1", 20, "LIVER"), _target("T2", 20, "LIVER"), _target("T3", 20, "LIVER")],
        [("T3", "RECIST-B05")],
        id="three_in_liver_b05",
    ),
    pytest.param([_target("T1", 20, "LIVER"), _target("T2", 20, "LIVER")], [], id="two_in_liver_ok"),
    # Three nodes in three different node stations: all lymph nodes are one organ -> B05.
    pytest.param(
        [
            _target("T1", 20, "AXILLARY LYMPH NODE", nodal=True),
            _target("T2", 20, "INGUINAL LYMPH NODE", nodal=True),
            _target("T3", 20, "MEDIASTINAL LYMPH NODE", nodal=True),
        ],
        [("T3", "RECIST-B05")],
        id="three_nodes_in_three_stations_b05",
    ),
    # Non-target lesions are not held to the target rules (a 5 mm non-target is fine, any number of them).
    pytest.param(
        [_target("T1", 20, "LIVER")] + [(f"NT{i}", "NON-TARGET", False, 5.0, "CT SCAN", "LIVER") for i in range(1, 8)],
        [],
        id="non_targets_ignored",
    ),
]


@pytest.mark.parametrize(("lesions", "expected"), CASES)
def test_baseline_rules(lesions: list[Lesion], expected: list[tuple[str, str]]) -> None:
    """RECIST 1.1 sections 3.1.1 and 3.3.1 (thresholds in the module docstring)."""
    assert sorted(_breaches(evaluate_baseline_lesions(_baseline(lesions)).to_frame())) == expected


def test_messages_give_the_measure_and_count() -> None:
    lesions = [_target("T1", 9.9, "LIVER")] + [
        _target(f"T{i}", 20, organ) for i, organ in enumerate(["LUNG", "BONE", "SPLEEN", "KIDNEY", "SKIN"], 2)
    ]
    table = evaluate_baseline_lesions(_baseline(lesions)).to_frame().set_index("RULE")
    assert table.at["RECIST-B01", "MESSAGE"] == (
        "non-nodal target lesion below 10 mm (CT/MRI/calipers): not measurable (9.9 mm)"
    )
    assert table.at["RECIST-B04", "MESSAGE"] == "more than 5 target lesions (6 targets)"
    assert table.at["RECIST-B04", "USUBJID"] == "S1"


def test_lymph_node_organ_named_in_b05() -> None:
    lesions = [_target(f"T{i}", 20, "LYMPH NODE", nodal=True) for i in (1, 2, 3)]
    table = evaluate_baseline_lesions(_baseline(lesions)).to_frame()
    assert table["MESSAGE"].tolist() == [
        "more than 2 target lesions in one organ (all lymph nodes are one organ) (LYMPH NODE)"
    ]


def test_follow_up_measurements_are_not_checked() -> None:
    """A target that shrinks to 4 mm at a follow-up breaks no baseline rule."""
    base = _baseline([_target("T1", 20, "LIVER")])
    follow = base.assign(VISIT="WEEK 6", BASELINE=False, DIAMETER=4.0)
    assert evaluate_baseline_lesions(pd.concat([base, follow], ignore_index=True)).is_valid


def test_split_lesion_fragments_add_up_and_an_unmeasured_target_stays_missing_in_an_object_column() -> None:
    """DIAMETER as object values (None for not measured, as a table built by concatenation holds them): the two
    fragments of T1 (4 + 7 = 11 mm, RECIST 1.1 section 4.3.1) are measurable (not B01), T2 has no measurement
    (B06, not B01 for a 0 mm sum)."""
    table = _baseline([_target("T1", 4, "LIVER"), _target("T1", 7, "LIVER"), _target("T2", None, "LUNG")])
    table["DIAMETER"] = pd.Series([4.0, 7.0, None], dtype=object)
    assert _breaches(evaluate_baseline_lesions(table).to_frame()) == [("T2", "RECIST-B06")]


def test_subjects_are_counted_separately() -> None:
    """Two subjects with three targets each (six in all) and two per organ: no breach."""
    lesions = [_target("T1", 20, "LIVER"), _target("T2", 20, "LIVER"), _target("T3", 20, "LUNG")]
    both = pd.concat([_baseline(lesions, subject="S1"), _baseline(lesions, subject="S2")], ignore_index=True)
    assert evaluate_baseline_lesions(both).is_valid


def test_valid_baseline_gives_an_empty_table_with_columns() -> None:
    table = evaluate_baseline_lesions(
        _baseline([_target("T1", 25, "LIVER"), _target("T2", 16, "LYMPH NODE", nodal=True)])
    ).to_frame()
    assert table.empty
    assert list(table.columns) == ["USUBJID", "LESIONID", "RULE", "MESSAGE"]


def test_without_method_and_location_columns() -> None:
    """Without METHOD no X-ray rule applies (19 mm non-nodal is measurable by the CT rule); without
    LOCATION no organ count is possible (three targets, no B05)."""
    lesions = [_target("T1", 19, "LUNG", method="CHEST X-RAY")] + [_target(f"T{i}", 20, "LIVER") for i in (2, 3)]
    table = evaluate_baseline_lesions(_baseline(lesions).drop(columns=["METHOD", "LOCATION"])).to_frame()
    assert table.empty


@pytest.mark.parametrize("no", [pytest.param("N", id="N"), pytest.param("n", id="n"), pytest.param("0", id="zero")])
def test_nodal_written_n_is_not_a_node(no: str) -> None:
    """A 12 mm liver lesion with NODAL = "N" (as SDTM-derived CSVs write it) is non-nodal and measurable
    (>= 10 mm, section 3.1.1): no breach. Reading "N" as True made it a 12 mm node below 15 mm (RECIST-B03)."""
    table = _baseline([_target("T1", 12, "LIVER")]).assign(NODAL=no, BASELINE="Y")
    assert _breaches(evaluate_baseline_lesions(table).to_frame()) == []


def test_nodal_written_y_is_a_node() -> None:
    """The same 12 mm lesion with NODAL = "Y" is a node below 15 mm short axis: RECIST-B03."""
    table = _baseline([_target("T1", 12, "LYMPH NODE")]).assign(NODAL="Y", BASELINE="Y")
    assert _breaches(evaluate_baseline_lesions(table).to_frame()) == [("T1", "RECIST-B03")]


def test_follow_up_rows_written_n_are_not_baseline() -> None:
    """BASELINE = "N" marks a follow-up: its 3 mm new row T2 is not a baseline target below 10 mm (B01)."""
    base = _baseline([_target("T1", 30, "LIVER")]).assign(BASELINE="Y")
    follow = _baseline([_target("T2", 3, "LIVER")]).assign(BASELINE="N", VISIT="WEEK 6")
    assert evaluate_baseline_lesions(pd.concat([base, follow], ignore_index=True)).is_valid


def test_unknown_nodal_flag_is_refused_with_row_and_value() -> None:
    """A flag that is neither yes nor no is an error naming the row and the value."""
    table = _baseline([_target("T1", 12, "LIVER"), _target("T2", 12, "LUNG")]).assign(NODAL=["N", "node"])
    with pytest.raises(DataError, match="row 2: NODAL 'node' is not a yes/no flag") as info:
        evaluate_baseline_lesions(table)
    assert info.value.code == "RECIST-E005"
