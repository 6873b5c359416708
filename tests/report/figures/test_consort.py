"""The CONSORT diagram (``oncotrial.report.figures.consort``): counts by hand from ``conftest.py``.

13 screened, 3 not eligible (ECOG performance status 2 twice, no measurable disease once); 10 randomised. Arm A
(P01-P05): 5 treated, none crossed over, 4 assessed (P05 has no OVR record), 5 analysed (ITTFL). Arm B (P06-P10):
4 treated (P10 SAFFL N), 1 crossed over (P08), 4 assessed (P10 has none), 5 analysed.
"""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure

from oncotrial.errors import DataError
from oncotrial.report import Note, ReportData
from oncotrial.report.figures.consort import BOX_GID, ArmFlow, derive_consort_flow, draw
from tests.report.figures.conftest import ADSL, ARM_A, ARM_B, SCREENING


def _boxes(data: ReportData) -> list[str]:
    figure = draw(data)
    assert isinstance(figure, Figure)
    return [t.get_text() for t in figure.axes[0].texts if t.get_gid() == BOX_GID]


def test_counts_match_the_hand_counts(trial: ReportData):
    flow = derive_consort_flow(trial)
    assert flow.screened == 13
    assert dict(flow.not_eligible) == {"ECOG performance status 2": 2, "No measurable disease": 1}
    assert flow.randomised == 10
    assert flow.arms == (ArmFlow(ARM_A, 5, 5, 0, 4, 5), ArmFlow(ARM_B, 5, 4, 1, 4, 5))


def test_box_texts(trial: ReportData):
    assert _boxes(trial) == [
        "Screened\nn = 13",
        "Not eligible\nn = 3\nECOG performance status 2: 2\nNo measurable disease: 1",
        "Randomised\nn = 10",
        f"Randomised to {ARM_A}\nn = 5",
        "Treated\nn = 5",
        "Crossed over\nn = 0",
        "Assessed for response\nn = 4",
        "Analysed\nn = 5",
        f"Randomised to {ARM_B}\nn = 5",
        "Treated\nn = 4",
        "Crossed over\nn = 1",
        "Assessed for response\nn = 4",
        "Analysed\nn = 5",
    ]


def test_without_flags_the_dates_decide():
    """Without RANDFL/ITTFL/SAFFL: randomised = a RANDDT (10), treated = a TRTSDT (A 5, B 4); analysed = every
    randomised patient (ITT); without ADRS no one is assessed."""
    data = ReportData(adsl=ADSL.drop(columns=["SAFFL", "ITTFL"]))
    assert derive_consort_flow(data).arms == (ArmFlow(ARM_A, 5, 5, 0, 0, 5), ArmFlow(ARM_B, 5, 4, 1, 0, 5))


def test_without_a_screening_log_the_diagram_starts_at_randomisation(trial: ReportData):
    boxes = _boxes(ReportData(adsl=trial.adsl, adrs=trial.adrs))
    assert boxes[0] == "Randomised\nn = 10"
    assert not any(b.startswith(("Screened", "Not eligible")) for b in boxes)


def test_a_reason_not_recorded_is_counted_as_such(trial: ReportData):
    screening = pd.concat([SCREENING, pd.DataFrame([("S14", False, "")], columns=SCREENING.columns)])
    flow = derive_consort_flow(ReportData(adsl=trial.adsl, screening=screening))
    assert dict(flow.not_eligible) == {
        "ECOG performance status 2": 2,
        "No measurable disease": 1,
        "reason not recorded": 1,
    }


def test_no_randomised_patient_gives_a_note():
    adsl = ADSL.assign(ITTFL="N")
    assert draw(ReportData(adsl=adsl)) == Note("No randomised patient (ADSL): no CONSORT diagram.")


def test_screening_without_eligible_column_is_refused(trial: ReportData):
    with pytest.raises(DataError, match=r"The screening table lacks the column\(s\) ELIGIBLE"):
        derive_consort_flow(ReportData(adsl=trial.adsl, screening=SCREENING.drop(columns="ELIGIBLE")))


def test_an_unreadable_eligibility_flag_is_refused(trial: ReportData):
    screening = SCREENING.assign(ELIGIBLE=SCREENING["ELIGIBLE"].astype(object))
    screening.loc[0, "ELIGIBLE"] = "perhaps"
    with pytest.raises(DataError, match="perhaps"):
        derive_consort_flow(ReportData(adsl=trial.adsl, screening=screening))


def test_reasons_naming_their_criteria_are_counted_by_criterion_and_people_once(trial: ReportData):
    """The store's screening log writes "[criterion] reason; [criterion] reason" with each person's own values: the
    diagram counts by criterion (S2 fails two, so counts under both), and n = 3 people, not 4 reasons."""
    screening = pd.DataFrame(
        [
            ("S1", True, None),
            ("S2", False, "[ecog] ECOG 2; [platelets] platelets 80 x10^9/L < 100"),
            ("S3", False, "[ecog] ECOG 3"),
            ("S4", False, "[platelets] platelets 60 x10^9/L < 100"),
        ],
        columns=["SUBJID", "ELIGIBLE", "REASON"],
    )
    flow = derive_consort_flow(ReportData(adsl=trial.adsl, screening=screening))
    assert (flow.screened, flow.ineligible, dict(flow.not_eligible)) == (4, 3, {"ecog": 2, "platelets": 2})
    boxes = _boxes(ReportData(adsl=trial.adsl, screening=screening))
    assert boxes[1] == "Not eligible\nn = 3\necog: 2\nplatelets: 2"
