"""Tumour data through the store's batch services: pharmaverse TU, TR and RS (306 patients) into a fresh database.

``python bench/bench_store_tumour.py [--url URL] [--copies N]``

Enrols DM's patients (USUBJID as subject id, a trial without protocol, as an import of data from elsewhere),
then times ``record_lesions`` (tu_onco, 7,734 rows), ``record_measurements`` (tr_onco, 55,995 rows; the RECIST
recompute of every patient's time-point responses included, and timed on its own too) and
``record_recorded_responses`` (rs_onco, 5,808 rows), each one transaction. ``--copies N`` replicates the set N
times with fresh subject ids (suffix ``-Rk``). Peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from oncotrial.store import open_store
from oncotrial.store.audit import insert_audited
from oncotrial.store.migrate import init_schema
from oncotrial.store.models import Patient, Site, Trial
from oncotrial.store.services import (
    actor_for,
    add_site,
    add_user,
    bootstrap_admin,
    create_trial,
    record_lesions,
    record_measurements,
    record_recorded_responses,
)

SDTM = Path(__file__).resolve().parents[1] / "tests" / "reference" / "pharmaverse" / "sdtm"
TRIAL = "CDISCPILOT01"


def _read(name: str, copies: int) -> pd.DataFrame:
    table = pd.read_csv(SDTM / name, dtype=str, keep_default_na=False, na_values=[""])
    parts = [table.assign(USUBJID=table["USUBJID"] + (f"-R{k}" if k else "")) for k in range(copies)]
    return pd.concat(parts, ignore_index=True)


def tu_rows(tu: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "subject_id": tu["USUBJID"],
            "evaluator": tu["TUEVAL"],
            "evaluator_id": tu["TUEVALID"],
            "code": tu["TULNKID"],
            "kind": tu["TUSTRESC"],
            "location": tu["TULOC"],
            "method": tu["TUMETHOD"],
            "identified_on": tu["TUDTC"],
            "visit": tu["VISIT"],
            "visit_number": pd.to_numeric(tu["VISITNUM"]),
            "accepted": tu["TUACPTFL"],
        }
    )


def tr_rows(tr: pd.DataFrame) -> pd.DataFrame:
    tumstate = tr["TRTESTCD"] == "TUMSTATE"
    return pd.DataFrame(
        {
            "subject_id": tr["USUBJID"],
            "evaluator": tr["TREVAL"],
            "evaluator_id": tr["TREVALID"],
            "visit": tr["VISIT"],
            "visit_number": pd.to_numeric(tr["VISITNUM"]),
            "lesion": tr["TRLNKID"],
            "test_code": tr["TRTESTCD"],
            "value": pd.to_numeric(tr["TRSTRESN"]),
            "unit": tr["TRSTRESU"],
            "status": tr["TRSTRESC"].where(tumstate),
            "original": tr["TRORRES"],
            "original_unit": tr["TRORRESU"],
            "not_done_reason": tr["TRREASND"],
            "measured_on": tr["TRDTC"],
            "method": tr["TRMETHOD"],
            "link_group": tr["TRLNKGRP"],
            "accepted": tr["TRACPTFL"],
        }
    )


def rs_rows(rs: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "subject_id": rs["USUBJID"],
            "evaluator": rs["RSEVAL"],
            "evaluator_id": rs["RSEVALID"],
            "category": rs["RSCAT"],
            "test_code": rs["RSTESTCD"],
            "test_name": rs["RSTEST"],
            "visit": rs["VISIT"],
            "visit_number": pd.to_numeric(rs["VISITNUM"]),
            "assessed_on": rs["RSDTC"],
            "original": rs["RSORRES"],
            "response": rs["RSSTRESC"],
            "not_done_reason": rs["RSREASND"],
            "link_group": rs["RSLNKGRP"],
            "accepted": rs["RSACPTFL"],
        }
    )


def _setup(url: str, subjects: list[str]) -> Any:
    store = open_store(url, check_schema=False)
    init_schema(store)
    with store.write() as session:
        bootstrap_admin(session, "admin", full_name="Admin")
    with store.write() as session:
        admin = actor_for(session, "admin")
        create_trial(session, admin, TRIAL)
        add_site(session, admin, TRIAL, "701", name="Site 701")
        add_user(session, admin, "stat", role="statistician", full_name="Statistician")
        trial = session.query(Trial).filter_by(code=TRIAL).one()
        site = session.query(Site).filter_by(trial_id=trial.id).one()
        patients = [
            {
                "trial_id": trial.id,
                "site_id": site.id,
                "subject_id": sid,
                "enrolment_number": n,
                "protocol_version_id": None,
                "enrolled_on": pd.Timestamp("2013-01-01").date(),
                "sex": None,
                "age": None,
                "age_unit": None,
                "race": None,
                "ethnicity": None,
                "country": None,
                "deleted_on": None,
                "deleted_reason": None,
            }
            for n, sid in enumerate(subjects, start=1)
        ]
        insert_audited(session, Patient.__table__, patients, admin)  # type: ignore[arg-type]
    return store


def _timed(what: str, call: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = call()
    print(f"{what}: {time.perf_counter() - start:.2f} s")
    return result


def _spy(module: Any, name: str) -> list[float]:
    """Replace ``module.name`` by a timed call; returns the list the times are added to."""
    spent: list[float] = []
    original = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    setattr(module, name, timed)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args()
    tu, tr, rs = (_read(n, args.copies) for n in ("tu_onco.csv", "tr_onco.csv.gz", "rs_onco.csv"))
    dm = _read("dm.csv", args.copies)
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    store = _setup(url, dm["USUBJID"].tolist())
    print(f"{url}: {len(dm)} patients, TU {len(tu)}, TR {len(tr)}, RS {len(rs)} rows")
    with store.write() as session:
        stat = actor_for(session, "stat")
    rows = tu_rows(tu), tr_rows(tr), rs_rows(rs)
    with store.write() as session:
        _timed("record_lesions (TU)", lambda: record_lesions(session, stat, TRIAL, rows[0]))
    spent = _spy(sys.modules["oncotrial.store.services.assessments"], "recompute_timepoints")
    audit = _spy(sys.modules["oncotrial.store.services._batch"], "insert_audited_columns")
    audit_direct = _spy(sys.modules["oncotrial.store.services.assessments"], "insert_audited")
    with store.write() as session:
        batch = _timed("record_measurements (TR)", lambda: record_measurements(session, stat, TRIAL, rows[1]))
    print(f"  of which the RECIST recompute (load, core, store): {sum(spent):.2f} s; {batch.timepoints} responses")
    print(f"  of which insert_audited (measurements and assessments): {sum(audit) + sum(audit_direct):.2f} s")
    print(f"  problems reported: {len(batch.problems)}; first: {batch.problems[:1]}")
    with store.write() as session:
        _timed("record_recorded_responses (RS)", lambda: record_recorded_responses(session, stat, TRIAL, rows[2]))
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    store.dispose()


if __name__ == "__main__":
    main()
