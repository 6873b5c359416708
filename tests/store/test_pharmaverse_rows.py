"""The batch functions take pharmaverse's CDISCPILOT01 AE, EX, DS and PC (tests/reference/pharmaverse/sdtm/) as
they are, into a trial without a protocol: the rows the SDTM import will hand them pass the generic checks.

Counts from the files (``wc``-style, checked by reading the CSVs): AE 1,191 rows, 26 of them with a partial
AESTDTC (15 ``YYYY-MM``, 11 ``YYYY``); EX 591 rows (226 placebo rows with EXDOSE 0); DS 850 rows, 3 deaths;
PC 4,572 rows, 2,179 with PCSTRESC ``<BLQ``. DM gives no consent date (RFICDTC empty), so nothing is
flagged as before consent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from oncotrial.store import Store, verify_chain
from oncotrial.store.models import AdverseEvent, Disposition, Sample
from oncotrial.store.services import (
    actor_for,
    add_site,
    add_user,
    bootstrap_admin,
    create_trial,
    enrol_patient,
    record_administrations,
    record_adverse_events,
    record_dispositions,
    record_samples,
)

SDTM = Path(__file__).resolve().parents[1] / "reference" / "pharmaverse" / "sdtm"
TRIAL = "CDISCPILOT01"


def _read(name: str) -> pd.DataFrame:
    frame = pd.read_csv(SDTM / name, dtype=str)
    return frame.astype(object).where(frame.notna(), None)


def load_pharmaverse_patients(store: Store) -> None:
    """CDISCPILOT01 without a protocol, its DM sites, a statistician, and its 306 DM patients enrolled (also the
    setup of bench/bench_store_entry.py)."""
    dm = _read("dm.csv")
    with store.write() as session:
        bootstrap_admin(session, "admin", full_name="Admin")
    with store.write() as session:
        admin = actor_for(session, "admin")
        create_trial(session, admin, TRIAL)
        for site in sorted(set(dm["SITEID"])):
            add_site(session, admin, TRIAL, site, name=f"Site {site}")
        add_user(session, admin, "stat", role="statistician", full_name="Statistician")
    with store.write() as session:
        stat = actor_for(session, "stat")
        for row in dm.itertuples(index=False):
            enrol_patient(
                session,
                stat,
                TRIAL,
                site_code=row.SITEID,
                subject_id=row.USUBJID,
                enrolled_on=pd.Timestamp(row.RFSTDTC or row.DMDTC).date(),
            )


def _adverse_events() -> list[dict[str, Any]]:
    return [
        {
            "subject_id": r.USUBJID,
            "term": r.AETERM,
            "decoded_term": r.AEDECOD,
            "body_system": r.AEBODSYS,
            "grade": None,
            "severity": r.AESEV,
            "onset": r.AESTDTC,
            "resolved": r.AEENDTC,
            "attribution": r.AEREL,
            "serious": r.AESER,
            "action_taken": r.AEACN,
            "outcome": r.AEOUT,
        }
        for r in _read("ae.csv").itertuples(index=False)
    ]


def _administrations() -> list[dict[str, Any]]:
    ex = _read("ex.csv")
    ex["number"] = ex.groupby(["USUBJID", "EXTRT"]).cumcount() + 1
    return [
        {
            "subject_id": r.USUBJID,
            "treatment": r.EXTRT,
            "cycle": 1,
            "number": r.number,
            "status": "given",
            "given_at": r.EXSTDTC,
            "ended_at": r.EXENDTC,
            "amount": r.EXDOSE,
            "unit": r.EXDOSU,
            "route": r.EXROUTE,
            "form": r.EXDOSFRM,
            "frequency": r.EXDOSFRQ,
            "visit": r.VISIT,
        }
        for r in ex.itertuples(index=False)
    ]


def _dispositions() -> list[dict[str, Any]]:
    return [
        {
            "subject_id": r.USUBJID,
            "event": "death" if r.DSDECOD == "DEATH" else "other",
            "event_date": r.DSSTDTC,
            "reason": r.DSTERM,
            "decoded": r.DSDECOD,
            "category": r.DSCAT,
            "visit": r.VISIT,
        }
        for r in _read("ds.csv").itertuples(index=False)
    ]


def _samples() -> list[dict[str, Any]]:
    return [
        {
            "subject_id": r.USUBJID,
            "kind": "pk",
            "analyte": r.PCTESTCD,
            "analyte_name": r.PCTEST,
            "specimen": r.PCSPEC,
            "collected_at": r.PCDTC,
            "value": r.PCSTRESN,
            "value_text": r.PCSTRESC if r.PCSTRESN is None else None,
            "unit": r.PCSTRESU,
            "blq": r.PCSTRESC == "<BLQ",
            "lloq": r.PCLLOQ,
            "timepoint": r.PCTPT,
            "timepoint_hours": r.PCTPTNUM,
            "visit": r.VISIT,
        }
        for r in _read("pc.csv").itertuples(index=False)
    ]


def test_pharmaverse_ae_ex_ds_and_pc_pass_the_generic_checks(store: Store) -> None:
    load_pharmaverse_patients(store)
    with store.write() as session:
        stat = actor_for(session, "stat")
        counts = [
            len(record_adverse_events(session, stat, TRIAL, _adverse_events())),
            len(record_administrations(session, stat, TRIAL, _administrations())),
            len(record_dispositions(session, stat, TRIAL, _dispositions())),
            len(record_samples(session, stat, TRIAL, _samples())),
        ]
    assert counts == [1191, 591, 850, 4572]
    with store.read() as session:
        partial = session.execute(select(func.count()).where(AdverseEvent.onset_partial.is_not(None))).scalar_one()
        flagged = session.execute(select(func.count()).where(AdverseEvent.pre_consent)).scalar_one()
        deaths = session.execute(select(func.count()).where(Disposition.event == "death")).scalar_one()
        blq = session.execute(select(func.count()).where(Sample.blq)).scalar_one()
        assert verify_chain(session).ok
    assert (partial, flagged, deaths, blq) == (26, 0, 3, 2179)
