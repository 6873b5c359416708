"""A small two-arm trial written out as literal tables, for looking at the figures as a reader would.

Ten patients randomised (P01–P05 to arm A, P06–P10 to arm B) out of 13 screened; P10 was never treated; P08
crossed over from B to A's treatment on 2024-05-01; P03 and P07 died. Every expected count in the tests is
counted by hand from these rows (the counts are given beside the rows where they are used).
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.report import ReportData

ARM_A = "A: IL-12 + SBRT"
ARM_B = "B: SBRT"

# fmt: off
ADSL = pd.DataFrame(
    [
        # USUBJID, ARM,  RANDDT,       TRTSDT,       TRTEDT,       LSTALVDT,     DTHDT,        EOSSTT,         TRT02A, TR02SDT,      SAFFL, ITTFL
        ("P01", ARM_A, "2024-01-01", "2024-01-03", "2024-09-01", "2024-12-01", "", "ONGOING", "", "", "Y", "Y"),
        ("P02", ARM_A, "2024-01-05", "2024-01-08", "2024-04-01", "2024-06-15", "", "DISCONTINUED", "", "", "Y", "Y"),
        ("P03", ARM_A, "2024-01-10", "2024-01-12", "2024-05-01", "2024-09-30", "2024-10-15", "DISCONTINUED", "", "",
         "Y", "Y"),
        ("P04", ARM_A, "2024-01-15", "2024-01-17", "2024-10-01", "2024-12-01", "", "ONGOING", "", "", "Y", "Y"),
        ("P05", ARM_A, "2024-01-20", "2024-01-22", "2024-03-01", "2024-08-01", "", "COMPLETED", "", "", "Y", "Y"),
        ("P06", ARM_B, "2024-01-02", "2024-01-04", "2024-03-01", "2024-05-01", "", "DISCONTINUED", "", "", "Y", "Y"),
        ("P07", ARM_B, "2024-01-06", "2024-01-09", "2024-02-15", "2024-04-01", "2024-04-20", "DISCONTINUED", "", "",
         "Y", "Y"),
        ("P08", ARM_B, "2024-01-11", "2024-01-13", "2024-08-01", "2024-12-01", "", "ONGOING", ARM_A, "2024-05-01",
         "Y", "Y"),
        ("P09", ARM_B, "2024-01-16", "2024-01-18", "2024-06-01", "2024-11-01", "", "ONGOING", "", "", "Y", "Y"),
        ("P10", ARM_B, "2024-01-21", "", "", "2024-02-01", "", "DISCONTINUED", "", "", "N", "Y"),
    ],
    columns=["USUBJID", "ARM", "RANDDT", "TRTSDT", "TRTEDT", "LSTALVDT", "DTHDT", "EOSSTT", "TRT02A", "TR02SDT",
             "SAFFL", "ITTFL"],
)
# fmt: on

# PFS and OS in days from randomisation (CNSR 1 = censored). Numbers at risk at 0, 3, 6, 9, 12 months
# (0, 91.3125, 182.625, 273.9375, 365.25 days), counted by hand as the times >= each tick:
#   PFS A: 60 e, 120 c, 200 e, 300 e, 400 c  -> 5, 4, 3, 2, 1
#   PFS B: 30 e, 90 e, 95 c, 180 e, 250 c    -> 5, 3, 1, 0, 0
#   OS  A: 150 c, 300 e, 420 c, 500 c, 600 c -> 5, 5, 4, 4, 3
#   OS  B: 100 e, 200 c, 350 e, 450 c, 480 c -> 5, 5, 4, 3, 2
_TTE = {
    "PFS": [(60, 0), (120, 1), (200, 0), (300, 0), (400, 1), (30, 0), (90, 0), (95, 1), (180, 0), (250, 1)],
    "OS": [(150, 1), (300, 0), (420, 1), (500, 1), (600, 1), (100, 0), (200, 1), (350, 0), (450, 1), (480, 1)],
}
ADTTE = pd.DataFrame(
    [
        (f"P{i + 1:02d}", param, float(aval), cnsr)
        for param, rows in _TTE.items()
        for i, (aval, cnsr) in enumerate(rows)
    ],
    columns=["USUBJID", "PARAMCD", "AVAL", "CNSR"],
)

# Target lesions (TRGRPID TARGET, DIAMETER in mm). Best % change from baseline (smallest after baseline):
#   P01 50 -> 30 -> 20: -60 %        P02 40 -> 44 -> 52: +10 % (its smallest)   P03 30 -> 27: -10 %
#   P04 60 -> 40 -> 36: -40 %        P06 20 -> 25 -> 30: +25 %                  P07 35 -> 46: +31.43 % (11/35)
#   P08 45 -> 45 -> 30: -33.33 %     P09 25 -> 25: 0 %
#   P05 has only a baseline scan; P10 none: neither has a bar.
_SUMS = {
    "P01": [(50, "2024-01-02"), (30, "2024-03-01"), (20, "2024-05-01")],
    "P02": [(40, "2024-01-06"), (44, "2024-03-05"), (52, "2024-05-05")],
    "P03": [(30, "2024-01-11"), (27, "2024-03-10")],
    "P04": [(60, "2024-01-16"), (40, "2024-03-15"), (36, "2024-05-15")],
    "P05": [(33, "2024-01-21")],
    "P06": [(20, "2024-01-03"), (25, "2024-03-02"), (30, "2024-04-20")],
    "P07": [(35, "2024-01-07"), (46, "2024-03-06")],
    "P08": [(45, "2024-01-12"), (45, "2024-03-11"), (30, "2024-07-10")],
    "P09": [(25, "2024-01-17"), (25, "2024-03-16")],
}
TR = pd.DataFrame(
    [
        (subject, "TARGET", "T01", "DIAMETER", str(size), "mm", "BASELINE" if k == 0 else f"WEEK {8 * k}", date)
        for subject, scans in _SUMS.items()
        for k, (size, date) in enumerate(scans)
    ],
    columns=["USUBJID", "TRGRPID", "TRLNKID", "TRTESTCD", "TRSTRESC", "TRSTRESU", "VISIT", "TRDTC"],
)

# Time-point responses (OVR) and best overall response (BOR). CR/PR markers: P01 PR, CR; P04 PR, PR; P08 PR (3 PR,
# 1 CR); first PD: P02, P06, P07 (P06 has a second PD record that must not give a second marker).
ADRS = pd.DataFrame(
    [
        ("P01", "OVR", "PR", "2024-03-01"),
        ("P01", "OVR", "CR", "2024-05-01"),
        ("P02", "OVR", "SD", "2024-03-05"),
        ("P02", "OVR", "PD", "2024-05-05"),
        ("P03", "OVR", "SD", "2024-03-10"),
        ("P04", "OVR", "PR", "2024-03-15"),
        ("P04", "OVR", "PR", "2024-05-15"),
        ("P06", "OVR", "SD", "2024-03-02"),
        ("P06", "OVR", "PD", "2024-04-20"),
        ("P06", "OVR", "PD", "2024-05-01"),
        ("P07", "OVR", "PD", "2024-03-06"),
        ("P08", "OVR", "SD", "2024-03-11"),
        ("P08", "OVR", "PR", "2024-07-10"),
        ("P09", "OVR", "SD", "2024-03-16"),
        ("P01", "BOR", "CR", "2024-05-01"),
        ("P02", "BOR", "SD", "2024-03-05"),
        ("P03", "BOR", "SD", "2024-03-10"),
        ("P04", "BOR", "PR", "2024-03-15"),
        ("P05", "BOR", "NE", ""),
        ("P06", "BOR", "SD", "2024-03-02"),
        ("P07", "BOR", "PD", "2024-03-06"),
        ("P08", "BOR", "PR", "2024-07-10"),
        ("P09", "BOR", "SD", "2024-03-16"),
        ("P10", "BOR", "NE", ""),
    ],
    columns=["USUBJID", "PARAMCD", "AVALC", "ADT"],
)

# Doses every 3 weeks; a dose of 0 is a dose held. P02 has one held dose, P04 two: 3 held in all.
EX = pd.DataFrame(
    [
        ("P01", "IL-12", 300.0, "2024-01-03"),
        ("P01", "IL-12", 300.0, "2024-01-24"),
        ("P01", "IL-12", 300.0, "2024-02-14"),
        ("P02", "IL-12", 300.0, "2024-01-08"),
        ("P02", "IL-12", 0.0, "2024-01-29"),
        ("P02", "IL-12", 300.0, "2024-02-19"),
        ("P03", "IL-12", 300.0, "2024-01-12"),
        ("P04", "IL-12", 300.0, "2024-01-17"),
        ("P04", "IL-12", 0.0, "2024-02-07"),
        ("P04", "IL-12", 0.0, "2024-02-28"),
        ("P05", "IL-12", 300.0, "2024-01-22"),
        ("P06", "SBRT", 8.0, "2024-01-04"),
        ("P07", "SBRT", 8.0, "2024-01-09"),
        ("P08", "SBRT", 8.0, "2024-01-13"),
        ("P08", "IL-12", 300.0, "2024-05-01"),
        ("P09", "SBRT", 8.0, "2024-01-18"),
    ],
    columns=["USUBJID", "EXTRT", "EXDOSE", "EXSTDTC"],
)

# Serum IFN-γ on days 0, 7 and 14 after the first dose, in arm A (pg/mL). Medians by hand:
#   day 0: 2, 3, 4, 5, 6 -> 4;  day 7: 20, 40, 60, 80 -> 50;  day 14: 10, 12, 14 -> 12
_IFNG = {
    "P01": [2.0, 20.0, 10.0],
    "P02": [3.0, 40.0, 12.0],
    "P03": [4.0, 60.0, 14.0],
    "P04": [5.0, 80.0, None],
    "P05": [6.0, None, None],
}
_STARTS = dict(zip(ADSL["USUBJID"], ADSL["TRTSDT"], strict=True))
LB = pd.DataFrame(
    [
        (
            subject,
            "IFNG",
            "Interferon Gamma",
            value,
            "pg/mL",
            str(pd.Timestamp(_STARTS[subject]) + pd.Timedelta(days=day))[:10],
        )
        for subject, values in _IFNG.items()
        for day, value in zip((0, 7, 14), values, strict=True)
        if value is not None
    ]
    + [("P01", "HGB", "Hemoglobin", 130.0, "g/L", "2024-01-03")],
    columns=["USUBJID", "LBTESTCD", "LBTEST", "LBSTRESN", "LBSTRESU", "LBDTC"],
)

# ADPC (hours from the first dose): 3 patients x 5 times; the 0 h samples are BLQ (0), left out of the log panel.
ADPC = pd.DataFrame(
    [
        (subject, "IL12", "pg/mL", hours, conc)
        for subject, concs in {"P01": [0, 50, 80, 40, 10], "P02": [0, 30, 60, 35, 8], "P03": [0, 45, 70, 30, 5]}.items()
        for hours, conc in zip((0.0, 1.0, 4.0, 12.0, 24.0), concs, strict=True)
    ],
    columns=["USUBJID", "PARAMCD", "AVALU", "NFRLT", "AVAL"],
)

# 13 screened: 10 eligible (randomised), 3 not: ECOG 2 twice, no measurable disease once.
# fmt: off
SCREENING = pd.DataFrame(
    [(f"S{i:02d}", True, "") for i in range(1, 11)]
    + [("S11", False, "ECOG performance status 2"), ("S12", False, "No measurable disease"),
       ("S13", False, "ECOG performance status 2")],
    columns=["SUBJID", "ELIGIBLE", "REASON"],
)
# fmt: on


@pytest.fixture
def trial() -> ReportData:
    """The whole small trial."""
    return ReportData(
        adsl=ADSL.copy(),
        adrs=ADRS.copy(),
        adtte=ADTTE.copy(),
        adpc=ADPC.copy(),
        tr=TR.copy(),
        ex=EX.copy(),
        lb=LB.copy(),
        screening=SCREENING.copy(),
        title="Small trial",
    )


@pytest.fixture
def bare_trial() -> ReportData:
    """ADSL alone: every figure but CONSORT and the swimmer plot lacks its data."""
    return ReportData(adsl=ADSL.copy())
