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
    adsl = derive_adsl(sdtm["DM"], sdtm["DS"], sdtm["EX"], sdtm["AE"], sdtm["LB"])
    adrs = derive_adrs_from_overall(sdtm["RS"], adsl)
    adtte = derive_adtte(adsl, adrs)
    return {"ADSL": adsl, "ADRS": adrs, "ADTTE": adtte}


def export_adam(
    session: Session, actor: Actor, trial_code: str, directory: Path, *, format: Format = "csv"
) -> Mapping[str, Path]:
    """Write ``adsl``, ``adrs`` and ``adtte`` (CSV, Parquet or XPT) into ``directory``; returns each file."""
    tables = derive_adam(session, actor, trial_code)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return {name: write_domain(table, name, directory, format=format) for name, table in tables.items()}
