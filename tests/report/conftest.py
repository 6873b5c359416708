"""A small trial for the report tests: 44 patients in two arms (NCT01416831's design: A IL-2, B SBRT + IL-2,
1:1, arm A crossing over to SBRT after progression), built by hand from the literal table ``PATIENTS``.

Each patient has a response pattern (RS overall responses at days 56, 112, 168 and 224 after randomisation until
progression), a death or last-known-alive day, IL-2 doses (EX), adverse events (AE), lesion measurements (TR);
six patients have PK samples (PC). ADRS and ADTTE are derived from these SDTM tables by the core
(``derive_adrs_from_overall``, ``derive_adtte``), as ``oncotrial export adam`` derives them.

Counted by hand from ``PATIENTS`` (the expected values of the tests; confirmed best response, CBOR):

==========  ====  ====  ====  ====  ====  =====  ===
arm          CR    PR    SD    PD    NE   ORR    DCR
==========  ====  ====  ====  ====  ====  =====  ===
A (n 22)     2     5     7     6     2    7/22   14/22
B (n 22)     1     3     6    10     2    4/22   10/22
==========  ====  ====  ====  ====  ====  =====  ===

(an unconfirmed PR, pattern ``PRu``, is SD). Deaths: 11 in arm A, 14 in arm B. Crossed over: 6 (arm A, PD).
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from oncotrial.io import write_table
from oncotrial.protocol.models import Protocol
from oncotrial.report import ReportData

# SUBJ, ARM, AGE, SEX, ECOG, PATTERN, DEATH (day after randomisation, blank: alive), LASTALIVE (day), XOVER (1:
# crossed over to SBRT after progression), PK (1: PK samples)
PATIENTS = """\
SUBJ,ARM,AGE,SEX,ECOG,PATTERN,DEATH,LASTALIVE,XOVER,PK
001,A,54,M,0,CR,,720,0,1
002,A,61,F,1,CR,,690,0,1
003,A,47,M,0,PR,,650,0,1
004,A,66,M,1,PR,540,540,0,0
005,A,58,F,0,PR,,600,0,0
006,A,72,M,1,PR,610,610,0,0
007,A,50,M,0,PR,,580,0,0
008,A,63,F,1,PRu,400,400,0,0
009,A,59,M,0,SD,,560,0,0
010,A,68,M,1,SD,380,380,0,0
011,A,45,F,0,SD,,540,0,0
012,A,70,M,1,SD,420,420,0,0
013,A,56,M,0,SD,,500,0,0
014,A,62,F,0,SD,450,450,0,0
015,A,57,M,1,PD,250,250,1,0
016,A,64,M,0,PD,300,300,1,0
017,A,49,F,1,PD,,480,1,0
018,A,71,M,0,PD,210,210,1,0
019,A,53,M,1,PD,330,330,1,0
020,A,60,F,0,PD,,470,1,0
021,A,67,M,1,NE,40,40,0,0
022,A,52,M,0,NE,,30,0,0
023,B,55,M,0,CR,,700,0,1
024,B,62,F,1,PR,,660,0,1
025,B,48,M,0,PR,520,520,0,1
026,B,65,M,1,PR,,630,0,0
027,B,59,F,0,PRu,390,390,0,0
028,B,69,M,1,SD,,550,0,0
029,B,46,M,0,SD,360,360,0,0
030,B,73,F,1,SD,410,410,0,0
031,B,57,M,0,SD,,530,0,0
032,B,61,M,1,SD,440,440,0,0
033,B,51,F,0,PD,200,200,0,0
034,B,66,M,1,PD,240,240,0,0
035,B,58,M,0,PD,,460,0,0
036,B,70,F,1,PD,190,190,0,0
037,B,54,M,0,PD,280,280,0,0
038,B,63,M,1,PD,230,230,0,0
039,B,47,F,0,PD,,450,0,0
040,B,68,M,1,PD,260,260,0,0
041,B,56,M,0,PD,310,310,0,0
042,B,64,F,1,PD,270,270,0,0
043,B,60,M,1,NE,35,35,0,0
044,B,50,F,0,NE,,28,0,0
"""

# the overall response at days 56, 112, 168, 224 (until the first PD)
PATTERNS = {
    "CR": ("CR", "CR", "CR", "CR"),
    "PR": ("PR", "PR", "PR", "SD"),
    "PRu": ("PR", "SD", "PD"),
    "SD": ("SD", "SD", "PD"),
    "PD": ("PD",),
    "NE": (),
}
VISIT_DAYS = (56, 112, 168, 224)
DIAMETER = {"CR": 0.0, "PR": 30.0, "SD": 45.0, "PD": 65.0}  # mm, from 50 mm at baseline
START = dt.date(2012, 1, 2)
STUDY = "NCT01416831"
ARM_NAMES = {"A": "Arm A: IL-2 Monotherapy", "B": "Arm B: SBRT + IL-2"}
# hand-counted from PATIENTS (see the module docstring)
RESPONDERS = {"A": 7, "B": 4}
DISEASE_CONTROL = {"A": 14, "B": 10}
CBOR_COUNTS = {"A": {"CR": 2, "PR": 5, "SD": 7, "PD": 6, "NE": 2}, "B": {"CR": 1, "PR": 3, "SD": 6, "PD": 10, "NE": 2}}
DEATHS = {"A": 11, "B": 14}


def _patients() -> pd.DataFrame:
    table = pd.read_csv(io.StringIO(PATIENTS), dtype={"SUBJ": str})
    table["USUBJID"] = STUDY + "-" + table["SUBJ"]
    table["RAND"] = [START + dt.timedelta(days=7 * i) for i in range(len(table))]
    return table


def _iso(day: dt.date, offset: float) -> str:
    return (day + dt.timedelta(days=int(offset))).isoformat()


def _first_pd(pattern: str) -> int | None:
    visits = PATTERNS[pattern]
    return VISIT_DAYS[visits.index("PD")] if "PD" in visits else None


def build_adsl(patients: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for p in patients.itertuples():
        pd_day = _first_pd(p.PATTERN)
        crossed = bool(p.XOVER) and pd_day is not None
        rows.append(
            {
                "STUDYID": STUDY, "USUBJID": p.USUBJID, "SUBJID": p.SUBJ, "SITEID": "01", "AGE": p.AGE,
                "AGEU": "YEARS", "SEX": p.SEX, "ECOG": str(p.ECOG), "ARM": ARM_NAMES[p.ARM], "ARMCD": p.ARM,
                "TRT01P": ARM_NAMES[p.ARM], "TRT01A": ARM_NAMES[p.ARM], "RANDDT": p.RAND.isoformat(),
                "TRTSDT": _iso(p.RAND, 3), "TRTEDT": _iso(p.RAND, 24),
                "DTHDT": _iso(p.RAND, p.DEATH) if pd.notna(p.DEATH) else None,
                "LSTALVDT": _iso(p.RAND, p.LASTALIVE),
                "TRT02A": "SBRT (crossover)" if crossed else None,
                "TR02SDT": _iso(p.RAND, pd_day + 14) if crossed and pd_day is not None else None,
            }
        )  # fmt: skip
    return pd.DataFrame(rows)


def build_rs(patients: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for p in patients.itertuples():
        for seq, (day, response) in enumerate(zip(VISIT_DAYS, PATTERNS[p.PATTERN], strict=False), start=1):
            if day > p.LASTALIVE:
                break
            rows.append({"STUDYID": STUDY, "USUBJID": p.USUBJID, "RSSEQ": seq, "RSTESTCD": "OVRLRESP",
                         "RSEVAL": "INVESTIGATOR", "RSSTRESC": response, "RSDTC": _iso(p.RAND, day),
                         "VISIT": f"WEEK {day // 7}"})  # fmt: skip
    return pd.DataFrame(rows)


def build_tr(patients: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for p in patients.itertuples():
        visits = [(0, 50.0)] + [(d, DIAMETER[r]) for d, r in zip(VISIT_DAYS, PATTERNS[p.PATTERN], strict=False)]
        for seq, (day, diameter) in enumerate(visits, start=1):
            rows.append({"STUDYID": STUDY, "USUBJID": p.USUBJID, "TRSEQ": seq, "TRLNKID": "T01",
                         "TRTESTCD": "DIAMETER", "TRSTRESN": diameter, "TRSTRESU": "mm",
                         "TRDTC": _iso(p.RAND, day), "TRDY": day + 1})  # fmt: skip
    return pd.DataFrame(rows)


def build_ex(patients: pd.DataFrame) -> pd.DataFrame:
    """IL-2 600,000 IU/kg on days 1-3 of cycle 1 and 17-19 of cycle 2 (an odd patient number has its last dose
    held); arm B: SBRT 20 Gy on day 1."""
    records = []
    for number, p in enumerate(patients.itertuples(), start=1):
        days = [3, 4, 5, 19, 20, 21][: 6 - number % 2]
        doses = [("IL-2", 600000.0, "IU/kg", day) for day in days]
        if p.ARM == "B":
            doses.append(("SBRT", 20.0, "Gy", 3))
        for treatment, dose, unit, day in doses:
            records.append({"STUDYID": STUDY, "USUBJID": p.USUBJID, "EXTRT": treatment, "EXDOSE": dose,
                            "EXDOSU": unit, "EXSTDTC": _iso(p.RAND, day) + "T08:00",
                            "EXENDTC": _iso(p.RAND, day) + "T08:15"})  # fmt: skip
    table = pd.DataFrame(records)
    table["EXSEQ"] = table.groupby("USUBJID").cumcount() + 1
    return table


def build_ae(patients: pd.DataFrame) -> pd.DataFrame:
    """Fever grade 2 every third patient, hypotension grade 3 every fifth, rash grade 1 every seventh,
    capillary leak grade 4 for patients 011 and 033."""
    rows = []
    for number, p in enumerate(patients.itertuples(), start=1):
        events = []
        if number % 3 == 0:
            events.append(("General disorders", "Pyrexia", 2))
        if number % 5 == 0:
            events.append(("Vascular disorders", "Hypotension", 3))
        if number % 7 == 0:
            events.append(("Skin disorders", "Rash", 1))
        if number in (11, 33):
            events.append(("Vascular disorders", "Capillary leak syndrome", 4))
        for seq, (soc, term, grade) in enumerate(events, start=1):
            rows.append({"STUDYID": STUDY, "USUBJID": p.USUBJID, "AESEQ": seq, "AETERM": term, "AEDECOD": term,
                         "AEBODSYS": soc, "AETOXGR": grade, "AESER": "Y" if grade >= 3 else "N",
                         "AEREL": "PROBABLE", "AESTDTC": _iso(p.RAND, 4 + seq), "TRTEMFL": "Y"})  # fmt: skip
    return pd.DataFrame(rows)


PK_TIMES = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
PK_PROFILE = (0.0, 180.0, 150.0, 110.0, 62.0, 21.0, 3.5)  # ng/mL at PK_TIMES hours after the first dose
PK_FACTORS = (1.0, 1.2, 0.8, 1.1, 0.9, 1.3)


def build_pc(patients: pd.DataFrame) -> pd.DataFrame:
    rows = []
    sampled = patients[patients["PK"] == 1]
    for factor, p in zip(PK_FACTORS, sampled.itertuples(), strict=True):
        for seq, (hours, conc) in enumerate(zip(PK_TIMES, PK_PROFILE, strict=True), start=1):
            value = round(conc * factor, 3)
            taken = dt.datetime.combine(p.RAND + dt.timedelta(days=3), dt.time(8, 0)) + dt.timedelta(hours=hours)
            rows.append({"STUDYID": STUDY, "USUBJID": p.USUBJID, "PCSEQ": seq, "PCTESTCD": "IL2", "PCTEST": "IL-2",
                         "PCSPEC": "PLASMA", "PCTPT": f"{hours:g}h", "PCTPTNUM": hours,
                         "PCSTRESC": "<BLQ" if value == 0 else f"{value:g}", "PCSTRESN": value if value else None,
                         "PCSTRESU": "ng/mL", "PCDTC": taken.isoformat(timespec="minutes")})  # fmt: skip
    return pd.DataFrame(rows)


def build_screening(patients: pd.DataFrame) -> pd.DataFrame:
    eligible = [{"SUBJID": s, "ELIGIBLE": True, "REASON": None} for s in patients["SUBJ"]]
    reasons = ["ECOG performance status 2"] * 3 + ["Brain metastases"] * 2 + ["Creatinine above the limit"] * 3
    not_eligible = [{"SUBJID": f"S{i:02d}", "ELIGIBLE": False, "REASON": r} for i, r in enumerate(reasons, 1)]
    return pd.DataFrame(eligible + not_eligible)


def confirmed(protocol: Protocol, days: int = 28) -> Protocol:
    """``protocol`` whose primary response endpoint asks for confirmation after ``days`` (RECIST 1.1: at least 4
    weeks): the test trial's response counts are of the confirmed best response (CBOR), counted by hand."""
    endpoints = [
        e.model_copy(update={"response": e.response.model_copy(update={"confirmation_days": days})})
        if e.level == "primary" and e.response is not None
        else e
        for e in protocol.endpoints
    ]
    return protocol.model_copy(update={"endpoints": endpoints})


def build_trial() -> ReportData:
    """The whole trial as a ReportData (ADRS and ADTTE derived by the core from RS and ADSL)."""
    from oncotrial.endpoints import derive_adtte
    from oncotrial.protocol import load_builtin_protocol
    from oncotrial.recist import derive_adrs_from_overall

    patients = _patients()
    adsl = build_adsl(patients)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        adrs = derive_adrs_from_overall(build_rs(patients), adsl)
        adtte = derive_adtte(adsl, adrs)
    return ReportData(
        adsl=adsl, adrs=adrs, adtte=adtte, adae=build_ae(patients), adpc=build_pc(patients), tr=build_tr(patients),
        ex=build_ex(patients), screening=build_screening(patients), protocol=confirmed(load_builtin_protocol(STUDY)),
        title="NCT01416831: SBRT + IL-2 versus IL-2 (test trial)",
    )  # fmt: skip


def write_trial_files(trial: ReportData, folder: Path, suffix: str = ".csv") -> dict[str, Path]:
    """The trial's tables as files (``adsl.csv``, ...), as a user gives them to ``oncotrial report``."""
    paths = {}
    tables = {"adsl": trial.adsl, "adrs": trial.adrs, "adtte": trial.adtte, "adae": trial.adae, "adpc": trial.adpc,
              "tr": trial.tr, "ex": trial.ex, "screening": trial.screening}  # fmt: skip
    for name, table in tables.items():
        assert table is not None
        paths[name] = folder / f"{name}{suffix}"
        write_table(table.astype({c: "string" for c in table.columns if table[c].dtype == object}), paths[name])
    return paths


@pytest.fixture(scope="session")
def trial() -> ReportData:
    return build_trial()


@pytest.fixture
def trial_copy() -> ReportData:
    return build_trial()


class _TableReader(HTMLParser):
    """The cells of every ``<table data-table=...>``: per table, a list of rows, each {column: (text, value)}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[dict[str, tuple[str, float | None]]]] = {}
        self._table: str | None = None
        self._cell: tuple[str, float | None] | None = None
        self._column = ""
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and found.get("data-table"):
            self._table = found["data-table"]
            self.tables[self._table or ""] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append({})
        elif tag == "td" and self._table is not None:
            value = found.get("data-value")
            self._column = found.get("data-column") or ""
            self._cell = ("", float(value) if value else None)
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._table is not None:
            self.tables[self._table][-1][self._column] = ("".join(self._text), self._cell[1])
            self._cell = None
        elif tag == "table":
            self._table = None


def read_html_tables(html: str) -> dict[str, list[dict[str, tuple[str, float | None]]]]:
    """Every table of a report's HTML with each cell's text and ``data-value`` (header rows left out)."""
    reader = _TableReader()
    reader.feed(html)
    return {name: [row for row in rows if row] for name, rows in reader.tables.items()}
