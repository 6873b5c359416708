"""Writing a trial's ADaM datasets from the store: ADSL, ADRS and ADTTE.

ADSL is derived from the SDTM tables the store gives back (:func:`oncotrial.store.cdisc.adsl.derive_adsl`,
admiral's template rules). ADRS and ADTTE come from the derivations the file commands use, with their
defaults, so that ``export_adam`` and ``oncotrial recist --from-overall --rs RS --adsl ADSL`` followed by
``oncotrial adtte --adsl ADSL --adrs ADRS`` give the same tables: ADRS from the investigator's RS overall
responses (:func:`oncotrial.recist.derive_adrs_from_overall`), ADTTE from ADSL and ADRS
(:func:`oncotrial.endpoints.derive_adtte`), both counted from RANDDT. No derivation is written twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from oncotrial.store.audit import Actor
from oncotrial.store.cdisc.adsl import derive_adsl
from oncotrial.store.cdisc.exporting import Format, derive_sdtm, write_domain

__all__ = ["derive_adam", "export_adam"]

ADAM_SOURCES = ("DS", "EX", "AE", "LB", "RS")


def derive_adam(session: Session, actor: Actor, trial_code: str) -> dict[str, pd.DataFrame]:
    """ADSL, ADRS and ADTTE of the trial, as tables (needs the ``export`` permission)."""
    from oncotrial.endpoints import derive_adtte
    from oncotrial.recist import derive_adrs_from_overall

    sdtm = derive_sdtm(session, actor, trial_code, domains=ADAM_SOURCES)
    adsl = _with_follow_up(session, trial_code, derive_adsl(sdtm["DM"], sdtm["DS"], sdtm["EX"], sdtm["AE"], sdtm["LB"]))
    adrs = derive_adrs_from_overall(sdtm["RS"], adsl)
    adtte = derive_adtte(adsl, adrs)
    return {"ADSL": adsl, "ADRS": adrs, "ADTTE": adtte}


def _with_follow_up(session: Session, trial_code: str, adsl: pd.DataFrame) -> pd.DataFrame:
    """ADSL with what the store records beyond SDTM's columns that ADSL reads:

    - ``LSTALVDT`` is also the last "last known alive" contact recorded at follow-up (``record_last_known_alive``),
      when later than what AE, LB and EX give: the date an alive patient's overall survival is censored at;
    - ``TRT02A`` and ``TR02SDT``: the arm a patient crossed over to and the day (``record_crossover``), ADaM's
      second period, only when the trial has crossovers (the randomised arm stays ``ARM``: ITT).
    """
    from sqlalchemy import select

    from oncotrial.store.models import Crossover, Disposition, Patient, Trial

    trial = Trial.code == trial_code
    alive = select(Patient.subject_id, Disposition.event_date).join(Disposition, Disposition.patient_id == Patient.id)
    alive = alive.join(Trial, Trial.id == Patient.trial_id).where(trial, Disposition.event == "last_known_alive")
    contacts = pd.DataFrame(session.execute(alive).all(), columns=["USUBJID", "DATE"], dtype=object)
    if not contacts.empty:
        last = pd.to_datetime(contacts["DATE"]).groupby(contacts["USUBJID"]).max()
        known = pd.to_datetime(adsl["LSTALVDT"], format="%Y-%m-%d")
        latest = pd.concat([known, adsl["USUBJID"].map(last)], axis=1).max(axis=1)  # NaT only when both are
        adsl["LSTALVDT"] = latest.dt.strftime("%Y-%m-%d").astype("string")
    moved = select(Patient.subject_id, Crossover.to_arm, Crossover.crossover_on)
    moved = moved.join(Crossover, Crossover.patient_id == Patient.id).join(Trial, Trial.id == Patient.trial_id)
    crossovers = pd.DataFrame(session.execute(moved.where(trial)).all(), columns=["USUBJID", "TRT02A", "TR02SDT"])
    if not crossovers.empty:
        crossovers["TRT02A"] = crossovers["TRT02A"].astype("string")
        crossovers["TR02SDT"] = pd.to_datetime(crossovers["TR02SDT"]).dt.strftime("%Y-%m-%d").astype("string")
        adsl = adsl.merge(crossovers, on="USUBJID", how="left")
    return adsl


def export_adam(
    session: Session, actor: Actor, trial_code: str, directory: Path, *, format: Format = "csv"
) -> Mapping[str, Path]:
    """Write ``adsl``, ``adrs`` and ``adtte`` (CSV, Parquet or XPT) into ``directory``; returns each file."""
    tables = derive_adam(session, actor, trial_code)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return {name: write_domain(table, name, directory, format=format) for name, table in tables.items()}
