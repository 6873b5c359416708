"""Where a report's data come from: files (ADaM and SDTM tables, as the other file commands read them) or the
trial database (the ADaM and SDTM tables ``oncotrial export`` writes, the screening log and the protocol).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from oncotrial.report.data import ReportData

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from oncotrial.protocol.models import Protocol
    from oncotrial.store.audit import Actor

__all__ = ["read_report_data", "report_data_from_store"]

REPORT_SDTM = ("AE", "EX", "TR", "PC", "LB")
"""The SDTM domains a report reads from the store besides the ADaM tables (AE with its grades, EX, TR, PC, LB)."""


def _read(path: Path | None, name: str) -> pd.DataFrame | None:
    from oncotrial.io import read_table

    return None if path is None else read_table(Path(path), name=name, text=False)


def _protocol(protocol: Path | str | None) -> Protocol | None:
    """A protocol file, or a built-in protocol's id."""
    if protocol is None:
        return None
    from oncotrial.protocol.io import load_protocol_reference

    return load_protocol_reference(str(protocol))


def read_report_data(
    *,
    adsl: Path,
    adrs: Path | None = None,
    adtte: Path | None = None,
    adae: Path | None = None,
    adpc: Path | None = None,
    tr: Path | None = None,
    ex: Path | None = None,
    lb: Path | None = None,
    screening: Path | None = None,
    protocol: Path | str | None = None,
    title: str = "",
) -> ReportData:
    """The report's data from files (CSV, Parquet or SAS XPT, read by :func:`oncotrial.io.read_table`), and the
    protocol from a YAML file or a built-in protocol's id.

    Raises
    ------
    DataError
        A file is missing or unreadable (IO-E0xx, naming the file); ProtocolError for an invalid protocol.
    """
    return ReportData(
        adsl=_read(adsl, "ADSL"),  # type: ignore[arg-type]  # adsl is required: never None here
        adrs=_read(adrs, "ADRS"),
        adtte=_read(adtte, "ADTTE"),
        adae=_read(adae, "ADAE"),
        adpc=_read(adpc, "PC"),
        tr=_read(tr, "TR"),
        ex=_read(ex, "EX"),
        lb=_read(lb, "LB"),
        screening=_read(screening, "screening log"),
        protocol=_protocol(protocol),
        title=title,
    )


def _screening_log(session: Session, trial_id: int) -> pd.DataFrame:
    """One row per screened patient (the latest screening): SUBJID, ELIGIBLE, REASON (the criteria not met)."""
    from sqlalchemy import select

    from oncotrial.store.models import Patient, Screening, ScreeningCriterion

    screenings = session.execute(
        select(Patient.subject_id, Screening.id, Screening.status)
        .join(Screening, Screening.patient_id == Patient.id)
        .where(Patient.trial_id == trial_id, Patient.deleted_on.is_(None))
        .order_by(Patient.subject_id, Screening.screened_at, Screening.id)
    ).all()
    latest = {subject: (screening_id, status) for subject, screening_id, status in screenings}
    failed = [sid for sid, status in latest.values() if status == "ineligible"]
    reasons: dict[int, list[str]] = {}
    if failed:
        rows = session.execute(
            select(ScreeningCriterion.screening_id, ScreeningCriterion.criterion_id, ScreeningCriterion.reason)
            .where(ScreeningCriterion.screening_id.in_(failed), ScreeningCriterion.status == "not met")
            .order_by(ScreeningCriterion.screening_id, ScreeningCriterion.criterion_id)
        ).all()
        for screening_id, criterion, reason in rows:
            reasons.setdefault(screening_id, []).append(f"[{criterion}] {reason}")
    records = [
        {"SUBJID": subject, "ELIGIBLE": status == "eligible", "REASON": "; ".join(reasons.get(sid, [])) or None}
        for subject, (sid, status) in latest.items()
        if status in ("eligible", "ineligible")
    ]
    return pd.DataFrame(records, columns=["SUBJID", "ELIGIBLE", "REASON"])


def report_data_from_store(session: Session, actor: Actor, trial_code: str) -> ReportData:
    """The report's data of a trial in the database: ADSL, ADRS and ADTTE as ``oncotrial export adam`` derives
    them, AE (as ADAE), EX, TR, PC and LB as ``oncotrial export sdtm`` writes them, the screening log and the
    trial's protocol (needs the ``export`` permission, a statistician's)."""
    from oncotrial.store.access import require
    from oncotrial.store.cdisc import derive_sdtm
    from oncotrial.store.cdisc.adam import derive_adam
    from oncotrial.store.services._common import find_trial, protocol_of_trial

    require(actor, "export")
    trial = find_trial(session, trial_code)
    adam = derive_adam(session, actor, trial_code)
    sdtm = derive_sdtm(session, actor, trial_code, domains=REPORT_SDTM)
    protocol = protocol_of_trial(session, trial)
    return ReportData(
        adsl=adam["ADSL"],
        adrs=adam["ADRS"],
        adtte=adam["ADTTE"],
        adae=sdtm["AE"],
        adpc=sdtm["PC"],
        tr=sdtm["TR"],
        ex=sdtm["EX"],
        lb=sdtm["LB"],
        screening=_screening_log(session, trial.id),
        protocol=protocol,
        title=f"{trial.code}: {protocol.title}" if protocol is not None else trial.code,
    )
