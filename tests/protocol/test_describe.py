"""A protocol in words (``oncotrial.protocol.describe``), checked against the seed documents' own phrases.

Expected phrases are literals from the seeds (see /work/shared/DESIGN.md "Domain notes"):
NCT01416831 (shared/seeds/003_67a03df4dd7948a4.txt): "IL-2 will be given on a Monday at a dose of 600,000 IU
per kilogram IV every 8 hours for up to 14 doses each cycle"; SBRT "20 Gy per fraction", one fraction on the
Friday before IL-2 for patients 1-20, on the Wednesday and Friday for patients 21 on; "The second cycle is planned
16 days after cycle 1 but may be delayed up to one week".
NCT00514085 (004_9a6c68f6d1e6423e.txt): "50μg/kg/day as an IV push", "days 1-5 of weeks 1, 3 and 5" of an
8 week cycle (part A), weeks 1 and 3 of a 6 week cycle (part B).
CALGB 500001 (000_486c762ff8df9e81.txt): rhIL-12 300 ng/kg IV on day 1 and IFN-α2b 3×10⁶ units SC on days 2-6
of a 14-day cycle.
"""

from __future__ import annotations

import pytest

from oncotrial.protocol import (
    describe_cycles,
    describe_design,
    describe_protocol,
    describe_regimen,
    load_builtin_protocol,
)


def _regimens(protocol_id: str, arm_id: str) -> dict[str, str]:
    protocol = load_builtin_protocol(protocol_id)
    arm = protocol.arm(arm_id)
    return {t.id: describe_regimen(arm, t) for t in arm.treatments}


def test_hd_il2_regimen_reads_as_the_seed_writes_it():
    regimens = _regimens("NCT01416831", "A")
    assert regimens["il2"] == "600,000 IU/kg IV every 8 h, up to 14 doses, cycle 1 day 1 = Monday"


def test_sbrt_regimen_gives_each_enrolment_range_its_fractions():
    sbrt = _regimens("NCT01416831", "B")["sbrt"]
    assert sbrt == (
        "20 Gy external beam radiotherapy (patients 1–20: on the Friday before day 1; patients 21 on: on the "
        "Wednesday and Friday before day 1), in cycle 1 only, cycle 1 day 1 = Monday"
    )


@pytest.mark.parametrize(
    ("arm_id", "expected"),
    [
        pytest.param("part-A", "50 µg/kg IV push on days 1–5 of weeks 1, 3 and 5 of an 8-week cycle", id="part_A"),
        pytest.param("part-B", "50 µg/kg IV push on days 1–5 of weeks 1 and 3 of a 6-week cycle", id="part_B"),
    ],
)
def test_ril21_regimens(arm_id, expected):
    assert _regimens("NCT00514085", arm_id)["ril21"] == expected


def test_il12_ifn_regimens():
    regimens = _regimens("CALGB-500001", "IL12-IFN")
    assert regimens == {
        "rhil12": "300 ng/kg IV on day 1 of a 14-day cycle",
        "ifna2b": "3,000,000 IU SC on days 2–6 of a 14-day cycle",
    }


def test_cycle_timing_of_nct01416831():
    arm = load_builtin_protocol("NCT01416831").arm("A")
    assert describe_cycles(arm) == (
        "next cycle 16 days after day 1 of the previous one, on the first Monday on or after that day, "
        "delayable by up to 7 days; 2 cycles planned, at most 6"
    )


def test_designs_in_words():
    """NCT01416831: randomised 1:1 with crossover, 44 enrolled; CALGB 500001: Simon two-stage, 38 enrolled,
    no parameters in the abstract."""
    randomised = describe_design(load_builtin_protocol("NCT01416831").design)
    assert randomised.startswith("Randomised 1:1 between arms A and B, with crossover; 44 enrolled")
    simon = describe_design(load_builtin_protocol("CALGB-500001").design)
    assert simon.startswith("Simon two-stage design (parameters not given in the source); 38 enrolled")


def test_an_arm_heading_does_not_repeat_the_arm():
    """NCT01416831's arm A is labelled "Arm A: IL-2 Monotherapy"; the heading must not read "Arm A: Arm A:"."""
    headings = [title for title, _ in describe_protocol(load_builtin_protocol("NCT01416831"))]
    assert "Arm A: IL-2 Monotherapy" in headings
    assert "Arm B: SBRT + IL-2" in headings
    assert not any("Arm A: Arm A" in heading for heading in headings)


def test_a_label_that_spells_the_id_otherwise_shows_the_id():
    """NCT00514085's part A is labelled "Part A: ..."; the id to type (--arm part-A) is shown beside it."""
    headings = [title for title, _ in describe_protocol(load_builtin_protocol("NCT00514085"))]
    assert "Part A: rIL-21 days 1-5 of weeks 1, 3 and 5 of an 8-week cycle (arm id part-A)" in headings
    calgb = [title for title, _ in describe_protocol(load_builtin_protocol("CALGB-500001"))]
    assert "Arm IL12-IFN: rhIL-12 followed by IFN-α2b" in calgb


def test_describe_protocol_has_every_part():
    sections = dict(describe_protocol(load_builtin_protocol("NCT01416831")))
    assert list(sections)[-5:] == ["Design", "Endpoints", "Inclusion criteria", "Exclusion criteria", "Interpretations"]
    assert "[ecog] ECOG performance status of 0-1." in sections["Inclusion criteria"]
    assert "[wbc] WBC < 3.0 x 109/L" in sections["Exclusion criteria"]
    (primary, _) = sections["Endpoints"]
    assert primary.startswith("Primary (response): Best Overall Tumor Response")
    assert primary.endswith("time frame: At the end of Cycle 2 (Week 14).")
