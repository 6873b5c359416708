"""Which SDTM column is kept in which column of the store, one table per domain; both directions read it.

The import converts each kept column to the store's type, the export converts it back; ``STUDYID`` (the trial's
code), ``DOMAIN``, ``USUBJID`` (the subject id) and ``--SEQ`` (renumbered 1, 2, ... per subject in the records'
order, which is the input's ``--SEQ`` order) are rebuilt on export. The columns not listed are not kept
(:data:`NOT_KEPT`, also in :mod:`oncotrial.store.cdisc`'s table).

Dates are ISO 8601 text in SDTM and dates or date-times in the store. A partial date (``2014-01``, ``2014``)
of AESTDTC is passed on as reported (the AE service keeps it beside the onset, its first day) and comes back as
reported; a column of kind ``iso`` is passed to the service as ISO text. A date-time kept
to the minute comes back to the minute, and one without a time comes back without one (a time of exactly
00:00 is written as a date alone); PC's ``PCDTC`` comes back to the second, as pharmaverse writes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from oncotrial.errors import DataError

__all__ = [
    "DOMAINS",
    "NOT_KEPT",
    "Column",
    "Domain",
    "first_day",
    "format_dates",
    "parse_dates",
    "parse_numbers",
]

Kind = Literal["text", "float", "int", "date", "minutes", "seconds", "yn", "flag", "iso"]


@dataclass(frozen=True)
class Column:
    """One kept SDTM column: its name, the store's field, and how its values are converted."""

    sdtm: str
    field: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Domain:
    """An SDTM domain: its kept columns, the file names it is read from, and the batch service that loads it.

    ``fixed`` are store fields with one value for every record of the domain (``kind = "pk"`` for PC);
    ``derive`` adds store fields computed from the SDTM record (``event`` from DSDECOD); ``restore`` gives back
    the SDTM columns that are not a plain copy of a field, from the store's fields and ``extra`` ones.
    """

    name: str
    service: str
    model: str
    columns: tuple[Column, ...]
    not_kept: tuple[str, ...]
    fixed: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    derive: Callable[[pd.DataFrame], dict[str, pd.Series]] | None = None
    extra: tuple[str, ...] = ()
    restore: Callable[[pd.DataFrame], dict[str, pd.Series]] | None = None

    @property
    def seq(self) -> str:
        return f"{self.name}SEQ"

    @property
    def files(self) -> tuple[str, str]:
        """The file stems read for the domain: ``ae``, else ``ae_onco`` (pharmaverse's oncology examples)."""
        return self.name.lower(), f"{self.name.lower()}_onco"


# --- conversions ------------------------------------------------------------------------------------------


def first_day(text: pd.Series) -> pd.Series:
    """``YYYY`` and ``YYYY-MM`` completed to the first day (admiral's ``date_imputation = "first"``)."""
    day = text.str.slice(0, 10)
    return day.where(day.str.len() != 7, day + "-01").where(day.str.len() != 4, day + "-01-01")


def parse_dates(text: pd.Series, *, kind: Kind, name: str) -> pd.Series:
    """ISO 8601 text to dates (``kind="date"``) or date-times; a value that is not ISO 8601 is refused."""
    present = text.notna() & (text.astype("string").str.strip() != "")
    if kind == "date":
        parsed = pd.to_datetime(first_day(text.astype("string")), format="%Y-%m-%d", errors="coerce")
    else:
        parsed = pd.to_datetime(text.astype("string"), format="ISO8601", errors="coerce")
    bad = present & parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{name} row {row + 1}: {text.iloc[row]!r} is not an ISO 8601 date (YYYY-MM-DD, or YYYY-MM-DDThh:mm); "
            "correct it in the SDTM file",
            code="CDISC-E003",
            field=name,
            rows=(row + 1,),
        )
    values = parsed.dt.date if kind == "date" else parsed.dt.to_pydatetime()
    return pd.Series(values, index=text.index, dtype=object).where(present, None)


def parse_numbers(text: pd.Series, *, name: str) -> pd.Series:
    """Numbers from text; text that is not a number is refused naming the row."""
    present = text.notna() & (text.astype("string").str.strip() != "")
    parsed = pd.to_numeric(text.where(present), errors="coerce")
    bad = present & parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{name} row {row + 1}: {text.iloc[row]!r} is not a number; correct it in the SDTM file",
            code="CDISC-E004",
            field=name,
            rows=(row + 1,),
        )
    return parsed.astype("float64")


def format_dates(values: pd.Series, *, kind: Kind) -> pd.Series:
    """Dates and date-times back to ISO 8601 text (see the module docstring for the precision)."""
    stamps = pd.to_datetime(values)
    if kind == "date":
        text = stamps.dt.strftime("%Y-%m-%d")
    elif kind == "seconds":
        text = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S")
    else:
        midnight = stamps == stamps.dt.normalize()
        text = stamps.dt.strftime("%Y-%m-%dT%H:%M").where(~midnight, stamps.dt.strftime("%Y-%m-%d"))
    return text.astype("string").where(stamps.notna(), pd.NA)


# --- derived fields ---------------------------------------------------------------------------------------


def _disposition_event(ds: pd.DataFrame) -> dict[str, pd.Series]:
    """DS to the store's event: a death is ``death``, another disposition event ``off_study``, the rest
    (milestones such as RANDOMIZED, other events) ``other``."""
    decoded = ds["DSDECOD"].astype("string").str.upper()
    category = ds["DSCAT"].astype("string").str.upper()
    event = np.where(decoded == "DEATH", "death", np.where(category == "DISPOSITION EVENT", "off_study", "other"))
    return {"event": pd.Series(event, index=ds.index, dtype=object)}


def _disposition_terms(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """DSDECOD and DSCAT of a disposition entered without them (``record_death``): a death is DSDECOD ``DEATH``,
    DSCAT ``DISPOSITION EVENT``, as an imported one is; the others keep what was entered (their reason is free
    text, not a term of the NCOMPLT codelist)."""
    death = (frame["event"] == "death").to_numpy()
    decoded = frame["decoded"].astype("string")
    category = frame["category"].astype("string")
    return {
        "DSDECOD": decoded.where(decoded.notna() | ~death, "DEATH"),
        "DSCAT": category.where(category.notna() | ~death, "DISPOSITION EVENT"),
    }


def _below_quantification(pc: pd.DataFrame) -> dict[str, pd.Series]:
    """A PK sample is below the limit of quantification when its standard result says so (``<BLQ``, ``BLQ``)."""
    result = pc["PCSTRESC"].astype("string").str.upper().str.strip()
    return {"blq": result.isin(["<BLQ", "BLQ", "BLOQ", "<LLOQ"]).fillna(False).astype(bool)}


def _exposure_order(ex: pd.DataFrame) -> dict[str, pd.Series]:
    """EX has no cycles: each record is dose ``number`` n (its order within the patient) of cycle 1, given."""
    return {"number": (ex.groupby("USUBJID", sort=False).cumcount() + 1).astype(int)}


def _reported_onset(ae: pd.DataFrame) -> dict[str, pd.Series]:
    """AESTDTC as reported: the partial onset (``2014-01``) where only that was known, else the onset."""
    return {"AESTDTC": ae["onset_partial"].astype("string").fillna(format_dates(ae["onset"], kind="date"))}


def _not_done(frame: pd.DataFrame) -> pd.Series:
    """--STAT: ``NOT DONE`` where a reason not done is kept."""
    reason = frame["not_done_reason"].astype("string")
    return pd.Series(["NOT DONE" if r else None for r in reason.notna()], index=frame.index, dtype="string")


def _tumour_results(tr: pd.DataFrame) -> dict[str, pd.Series]:
    """TRSTRESC and TRSTRESU as TRORRES and TRORRESU (pharmaverse's are the same), TRSTAT from the reason."""
    return {"TRSTRESC": tr["original"].astype("string"), "TRSTAT": _not_done(tr)}


def _response_status(rs: pd.DataFrame) -> dict[str, pd.Series]:
    return {"RSSTAT": _not_done(rs)}


# --- the domains ------------------------------------------------------------------------------------------

_VISIT = (Column("VISIT", "visit"),)

DOMAINS: tuple[Domain, ...] = (
    Domain(
        "DS",
        "record_dispositions",
        "Disposition",
        (
            Column("DSTERM", "reason"),
            Column("DSDECOD", "decoded"),
            Column("DSCAT", "category"),
            *_VISIT,
            Column("DSSTDTC", "event_date", "date"),
        ),
        ("DSSPID", "VISITNUM", "DSDTC", "DSSTDY"),
        derive=_disposition_event,
        extra=("event",),
        restore=_disposition_terms,
    ),
    Domain(
        "EX",
        "record_administrations",
        "Administration",
        (
            Column("EXTRT", "treatment"),
            Column("EXDOSE", "amount", "float"),
            Column("EXDOSU", "unit"),
            Column("EXDOSFRM", "form"),
            Column("EXDOSFRQ", "frequency"),
            Column("EXROUTE", "route"),
            *_VISIT,
            Column("EXSTDTC", "given_at", "minutes"),
            Column("EXENDTC", "ended_at", "minutes"),
        ),
        ("VISITNUM", "VISITDY", "EXSTDY", "EXENDY"),
        fixed=MappingProxyType({"cycle": 1, "status": "given"}),
        derive=_exposure_order,
    ),
    Domain(
        "AE",
        "record_adverse_events",
        "AdverseEvent",
        (
            Column("AETERM", "term"),
            Column("AEDECOD", "decoded_term"),
            Column("AEBODSYS", "body_system"),
            Column("AETOXGR", "grade", "int"),
            Column("AESEV", "severity"),
            Column("AESER", "serious", "yn"),
            Column("AEACN", "action_taken"),
            Column("AEREL", "attribution"),
            Column("AEOUT", "outcome"),
            Column("AESTDTC", "onset", "iso"),
            Column("AEENDTC", "resolved", "date"),
        ),
        (
            "AESPID",
            "AELLT",
            "AELLTCD",
            "AEPTCD",
            "AEHLT",
            "AEHLTCD",
            "AEHLGT",
            "AEHLGTCD",
            "AEBDSYCD",
            "AESOC",
            "AESOCCD",
            "AESCAN",
            "AESCONG",
            "AESDISAB",
            "AESDTH",
            "AESHOSP",
            "AESLIFE",
            "AESOD",
            "AEDTC",
            "AESTDY",
            "AEENDY",
        ),
        extra=("onset_partial",),
        restore=_reported_onset,
    ),
    Domain(
        "LB",
        "record_lab_results",
        "LabResult",
        (
            Column("LBTESTCD", "test_code"),
            Column("LBTEST", "test_name"),
            Column("LBCAT", "category"),
            Column("LBSTRESC", "value_text"),
            Column("LBSTRESN", "value", "float"),
            Column("LBSTRESU", "unit"),
            Column("LBSTNRLO", "normal_low", "float"),
            Column("LBSTNRHI", "normal_high", "float"),
            Column("LBBLFL", "baseline", "flag"),
            Column("VISITNUM", "visit_number", "float"),
            *_VISIT,
            Column("LBDTC", "collected_at", "minutes"),
        ),
        ("LBSEQ", "LBORRES", "LBORRESU", "LBORNRLO", "LBORNRHI", "LBNRIND", "VISITDY", "LBDY"),
    ),
    Domain(
        "PC",
        "record_samples",
        "Sample",
        (
            Column("PCTESTCD", "analyte"),
            Column("PCTEST", "analyte_name"),
            Column("PCSTRESC", "value_text"),
            Column("PCSTRESN", "value", "float"),
            Column("PCSTRESU", "unit"),
            Column("PCSPEC", "specimen"),
            Column("PCLLOQ", "lloq", "float"),
            *_VISIT,
            Column("PCDTC", "collected_at", "seconds"),
            Column("PCTPT", "timepoint"),
            Column("PCTPTNUM", "timepoint_hours", "float"),
        ),
        ("PCORRES", "PCORRESU", "PCNAM", "VISITNUM", "VISITDY", "PCDY"),
        fixed=MappingProxyType({"kind": "pk"}),
        derive=_below_quantification,
    ),
)

# tumour domains: TU (lesions), TR (results, each visit of each reader an assessment), RS (responses as recorded)
_READER = (Column("{}EVAL", "evaluator"), Column("{}EVALID", "evaluator_id"), Column("{}ACPTFL", "accepted"))


def _reader(prefix: str) -> tuple[Column, ...]:
    return tuple(Column(c.sdtm.format(prefix), c.field) for c in _READER)


TUMOUR_DOMAINS: tuple[Domain, ...] = (
    Domain(
        "TU",
        "record_lesions",
        "Lesion",
        (
            Column("TULNKID", "code"),
            Column("TUSTRESC", "kind"),
            Column("TULOC", "location"),
            Column("TUMETHOD", "method"),
            *_reader("TU"),
            Column("VISITNUM", "visit_number", "float"),
            *_VISIT,
            Column("TUDTC", "identified_on", "iso"),
        ),
        ("TUTESTCD", "TUTEST", "TUORRES", "TUDY"),
    ),
    Domain(
        "TR",
        "record_measurements",
        "Measurement",
        (
            Column("TRLNKGRP", "link_group"),
            Column("TRLNKID", "lesion"),
            Column("TRTESTCD", "test_code"),
            Column("TRORRES", "original"),
            Column("TRORRESU", "original_unit"),
            Column("TRSTRESN", "value", "float"),
            Column("TRSTRESU", "unit"),
            Column("TRREASND", "not_done_reason"),
            Column("TRMETHOD", "method"),
            *_reader("TR"),
            Column("VISITNUM", "visit_number", "float"),
            *_VISIT,
            Column("TRDTC", "measured_on", "iso"),
        ),
        ("TRGRPID", "TRTEST", "TRDY"),
        derive=lambda tr: {"status": tr["TRSTRESC"].where(tr["TRTESTCD"].astype("string") == "TUMSTATE")},
        restore=_tumour_results,
    ),
    Domain(
        "RS",
        "record_recorded_responses",
        "RecordedResponse",
        (
            Column("RSLNKGRP", "link_group"),
            Column("RSTESTCD", "test_code"),
            Column("RSTEST", "test_name"),
            Column("RSCAT", "category"),
            Column("RSORRES", "original"),
            Column("RSSTRESC", "response"),
            Column("RSREASND", "not_done_reason"),
            *_reader("RS"),
            Column("VISITNUM", "visit_number", "float"),
            *_VISIT,
            Column("RSDTC", "assessed_on", "iso"),
        ),
        ("RSDY",),
        restore=_response_status,
    ),
)
DOMAINS = (*DOMAINS, *TUMOUR_DOMAINS)

# DM's kept columns are in oncotrial.store.cdisc.importing (patients, consent, assignments), not in DOMAINS
DM_NOT_KEPT = (
    "SUBJID", "RFSTDTC", "RFENDTC", "RFXSTDTC", "RFXENDTC", "RFPENDTC", "DMDTC", "DMDY", "ARMNRS", "ACTARMUD",
    "BRTHDTC (kept in the identity table, never exported)",
)  # fmt: skip

NOT_KEPT: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {"DM": DM_NOT_KEPT, **{d.name: d.not_kept for d in DOMAINS}}
)
