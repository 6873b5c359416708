"""What a report is built from: the analysis tables of one trial (ADaM, and the SDTM domains that have no ADaM
twin here), and its protocol when known.

Every field but ``adsl`` is optional: a figure or table whose data is missing gives a :class:`Note` that says
what is missing, and the report shows the note in its place instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from oncotrial.protocol.models import Protocol

__all__ = ["ARM_COLUMNS", "Note", "ReportData", "analysis_population"]


#: The ADSL columns that may hold the arm, in the order they are looked for.
ARM_COLUMNS = ("ARM", "TRT01P", "ACTARM", "TRT01A")
#: Arm values that say the subject was not assigned to an arm (ADaM's and CDISC's controlled terms).
NOT_ASSIGNED = frozenset({"", "SCREEN FAILURE", "SCRNFAIL", "NOT ASSIGNED", "NOTASSGN", "NOT TREATED", "NOTTRT"})


@dataclass(frozen=True)
class Note:
    """Why a figure or table is not in the report (e.g. "No lesion measurements (TR): no waterfall plot.")."""

    text: str


@dataclass(frozen=True)
class ReportData:
    """The tables of one trial, as ``oncotrial.store.cdisc`` exports them or as files give them.

    - ``adsl``: one row per subject (``USUBJID``, ``ARM``/``TRT01P``/``TRT01A``, ``RANDDT``, ``TRTSDT``, ...).
    - ``adrs``: ADRS (``PARAMCD`` ``OVR`` per visit, ``BOR``, ``CBOR``, ...; ``AVALC``, ``ADT``).
    - ``adtte``: ADTTE (``PARAMCD`` ``PFS``, ``OS``, ...; ``AVAL`` in days, ``CNSR``).
    - ``adae``: adverse events (AE with ``ATOXGR``/``AETOXGR``, ``TRTEMFL``, ``AESER``, ``AEREL``, ...).
    - ``adpc``: PK concentrations (PC or ADPC: ``PCSTRESN``/``AVAL``, nominal/actual time).
    - ``tr``: SDTM TR lesion measurements (``TRTESTCD`` ``DIAMETER``/``LDIAM``, ``TRSTRESN``, ``TRDTC``/``TRDY``,
      ``TRLNKID``), for the waterfall and spider plots.
    - ``ex``: SDTM EX doses (``EXSTDTC``, ``EXDOSE``, ``EXTRT``, held doses absent), for the swimmer plot and dose
      intensity.
    - ``lb``: SDTM LB, for biomarker time courses (e.g. serum IFN-γ).
    - ``screening``: one row per person screened (``SUBJID``, ``ELIGIBLE`` True/False, ``REASON`` text for the
      not eligible), for the CONSORT diagram.
    - ``protocol``: the trial's protocol (summary, arms, design), when known.
    """

    adsl: pd.DataFrame
    adrs: pd.DataFrame | None = None
    adtte: pd.DataFrame | None = None
    adae: pd.DataFrame | None = None
    adpc: pd.DataFrame | None = None
    tr: pd.DataFrame | None = None
    ex: pd.DataFrame | None = None
    lb: pd.DataFrame | None = None
    screening: pd.DataFrame | None = None
    protocol: Protocol | None = None
    title: str = ""


def analysis_population(data: ReportData) -> ReportData:
    """``data`` with ADSL restricted to the subjects assigned to an arm (randomised or enrolled): an ADSL that holds
    every person screened (as the store's does, and pharmaverse's with ARM "Screen Failure") would otherwise count
    the screen failures as patients not evaluable. Without an arm column ADSL is kept whole. The people screened
    stay in ``screening`` (the CONSORT diagram counts them from there)."""
    arm = next((c for c in ARM_COLUMNS if c in data.adsl.columns), None)
    if arm is None:
        return data
    values = data.adsl[arm].astype("string").str.strip().str.upper()
    keep = (values.notna() & ~values.isin(NOT_ASSIGNED)).to_numpy(dtype=bool)
    return data if keep.all() else replace(data, adsl=data.adsl.loc[keep].reset_index(drop=True))
