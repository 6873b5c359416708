"""Writing a trial's SDTM domains from the store (DM, DS, EX, AE, LB, PC, and TU, TR, RS).

Each domain is a table of the store read back through :mod:`oncotrial.store.cdisc.domains`' column table (the
same table the import reads), one row per record of a patient who is not deleted, in subject order and then
in the order the records were written; ``--SEQ`` numbers them 1, 2, ... per subject. DM is built from the
patient, the site, the consent, the recorded or randomised assignment and the death (DS). The identity table
(name, date of birth) is never read: no BRTHDTC is written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from oncotrial.errors import DataError
from oncotrial.store import models
from oncotrial.store.access import require
from oncotrial.store.audit import Actor
from oncotrial.store.cdisc.domains import DOMAINS, Column, Domain, format_dates
from oncotrial.store.cdisc.importing import ARM_FIELDS, FORM_NOT_RECORDED
from oncotrial.store.models import (
    Assessment,
    Consent,
    Disposition,
    Lesion,
    Patient,
    Randomisation,
    Site,
    TreatmentStart,
    Trial,
)
from oncotrial.store.services._common import find_trial, protocol_of_trial
from oncotrial.store.services.dosing import doses_given

__all__ = ["FORMATS", "check_export_for", "derive_sdtm", "export_sdtm", "write_domain"]

Format = Literal["csv", "parquet", "xpt"]
FORMATS: tuple[Format, ...] = ("csv", "parquet", "xpt")
TR_ASSESSMENT_FIELDS = ("evaluator", "evaluator_id", "visit", "visit_number")


def _patients(session: Session, trial: Trial) -> pd.DataFrame:
    stmt = (
        select(Patient.id, Patient.subject_id, Site.code.label("site"), *(getattr(Patient, n) for n in _DM_FIELDS))
        .join(Site, Site.id == Patient.site_id)
        .where(Patient.trial_id == trial.id, Patient.deleted_on.is_(None))
        .order_by(Patient.subject_id)
    )
    return pd.DataFrame(session.execute(stmt).mappings().all(), columns=["id", "subject_id", "site", *_DM_FIELDS])


_DM_FIELDS = ("age", "age_unit", "sex", "race", "ethnicity", "country")


def _values(session: Session, stmt: Any, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(session.execute(stmt).all(), columns=columns)


def _arms_of_protocol(session: Session, trial: Trial, arms: pd.DataFrame) -> None:
    """For an assignment made here (no recorded ARM): ARM is the protocol arm's name, and the actual arm is the
    assigned one once the patient's treatment started (not treated: no actual arm)."""
    protocol = protocol_of_trial(session, trial)
    if protocol is None or arms.empty:
        return
    names = {arm.id: arm.label for arm in protocol.arms}
    started = set(
        session.execute(
            select(TreatmentStart.patient_id).where(TreatmentStart.patient_id.in_(arms["id"].tolist()))
        ).scalars()
    )
    entered = arms["ARM"].isna().to_numpy()
    treated = arms["id"].isin(started).to_numpy() & entered
    arms.loc[entered, "ARM"] = arms.loc[entered, "ARMCD"].map(names)
    arms.loc[treated, "ACTARMCD"] = arms.loc[treated, "ARMCD"]
    arms.loc[treated, "ACTARM"] = arms.loc[treated, "ARM"]


def _dm(session: Session, trial: Trial, patients: pd.DataFrame) -> pd.DataFrame:
    ids = patients["id"].tolist()
    consents = _values(
        session,
        # every consent but the one an import inferred from the first record (no date was given for it)
        select(Consent.patient_id, Consent.consent_date)
        .where(Consent.patient_id.in_(ids), Consent.form_version != FORM_NOT_RECORDED)
        .order_by(Consent.consent_date),
        ["id", "RFICDTC"],
    ).drop_duplicates("id")
    arms = _values(
        session,
        select(Randomisation.patient_id, Randomisation.arm, Randomisation.factors).where(
            Randomisation.patient_id.in_(ids)
        ),
        ["id", "ARMCD", "factors"],
    )
    for name in ARM_FIELDS:  # the label of a recorded arm, and the actual arm, kept beside the assignment
        arms[name] = [json.loads(f).get(name) for f in arms["factors"]]
    _arms_of_protocol(session, trial, arms)
    deaths = _values(
        session,
        select(Disposition.patient_id, Disposition.event_date).where(
            Disposition.patient_id.in_(ids), Disposition.event == "death"
        ),
        ["id", "DTHDTC"],
    ).drop_duplicates("id")
    dm = (
        patients.merge(consents, on="id", how="left")
        .merge(arms, on="id", how="left")
        .merge(deaths, on="id", how="left")
    )
    out = pd.DataFrame(
        {
            "STUDYID": trial.code,
            "DOMAIN": "DM",
            "USUBJID": dm["subject_id"],
            "RFICDTC": format_dates(dm["RFICDTC"], kind="date"),
            "DTHDTC": format_dates(dm["DTHDTC"], kind="date"),
            "DTHFL": pd.Series(["Y" if d else None for d in dm["DTHDTC"].notna()], index=dm.index, dtype="string"),
            "SITEID": dm["site"],
            "AGE": _numbers(dm["age"]),
            "AGEU": dm["age_unit"],
            "SEX": dm["sex"],
            "RACE": dm["race"],
            "ETHNIC": dm["ethnicity"],
            "ARMCD": dm["ARMCD"],
            "ARM": dm["ARM"],
            "ACTARMCD": dm["ACTARMCD"],
            "ACTARM": dm["ACTARM"],
            "COUNTRY": dm["country"],
        }
    )
    return out


def _numbers(values: pd.Series) -> pd.Series:
    """Numbers, as whole numbers when every value is one (``63``, as SDTM files write them, not ``63.0``)."""
    numbers = pd.to_numeric(values).astype("float64")
    whole = numbers.dropna()
    return numbers.astype("Int64") if bool((whole == whole.round()).all()) and whole.abs().max() < 2**53 else numbers


def _sdtm_values(column: Column, values: pd.Series) -> pd.Series:
    if column.kind == "iso":  # ISO text as the store keeps it (possibly partial), or a date
        return pd.Series([v.isoformat() if hasattr(v, "isoformat") else v for v in values], dtype="string")
    if column.kind in ("date", "minutes", "seconds"):
        return format_dates(values, kind=column.kind)
    if column.kind == "float":
        return _numbers(values)
    if column.kind == "int":
        return pd.to_numeric(values).astype("Int64")
    if column.kind in ("yn", "flag"):
        no = "N" if column.kind == "yn" else pd.NA
        return pd.Series(["Y" if v else no for v in values], index=values.index, dtype="string")
    text = values.astype("string")
    return text.where(text != "", pd.NA)


def _records(session: Session, trial: Trial, domain: Domain, fields: list[str]) -> pd.DataFrame:
    """The domain's records: ``subject_id`` and ``fields``, by subject, then in the order they were written."""
    table: Table = getattr(models, domain.model).__table__
    if domain.name == "TR":  # a result belongs to an assessment (the patient, reader and visit) and a lesion
        assessment, lesion = Assessment.__table__, Lesion.__table__
        where = {"lesion": lesion.c.code, **{f: assessment.c[f] for f in TR_ASSESSMENT_FIELDS}}
        stmt = (
            select(Patient.subject_id, *(where[f] if f in where else table.c[f] for f in fields))
            .select_from(table)
            .join(assessment, assessment.c.id == table.c.assessment_id)
            .outerjoin(lesion, lesion.c.id == table.c.lesion_id)
            .join(Patient, Patient.id == assessment.c.patient_id)
        )
    else:
        stmt = select(Patient.subject_id, *(table.c[f] for f in fields)).join(Patient, Patient.id == table.c.patient_id)
    stmt = stmt.where(Patient.trial_id == trial.id, Patient.deleted_on.is_(None)).order_by(
        Patient.subject_id, table.c.id
    )
    if domain.name == "EX":  # EX is exposure: a dose held was not given, so it is not an EX record
        stmt = stmt.where(table.c.status != "held")
    return _values(session, stmt, ["subject_id", *fields])


# The protocol's routes as CDISC's ROUTE codelist (C66729) names them; external beam radiotherapy has no ROUTE
# term and is written as the protocol says.
CDISC_ROUTES = {
    "IV": "INTRAVENOUS",
    "IV bolus": "INTRAVENOUS BOLUS",
    "IV push": "INTRAVENOUS BOLUS",
    "SC": "SUBCUTANEOUS",
    "IM": "INTRAMUSCULAR",
    "PO": "ORAL",
}


def _planned_amounts(session: Session, frame: pd.DataFrame, patients: pd.DataFrame) -> None:
    """EXDOSE and EXDOSU of a dose entered as given without an amount (as planned, or a percent of the plan), and
    EXROUTE of a dose entered without a route: those of the patient's rebuilt calendar."""
    doses = doses_given(session, patients["id"].tolist())
    known = frame["id"].isin(doses.keys())
    blank = {"amount": known & frame["amount"].isna(), "route": known & frame["route"].isna()}
    ids = {when: frame.loc[rows, "id"] for when, rows in blank.items()}
    frame.loc[blank["amount"], "amount"] = [doses[i][0] for i in ids["amount"]]
    frame.loc[blank["amount"], "unit"] = [doses[i][1] for i in ids["amount"]]
    frame.loc[blank["route"], "route"] = [CDISC_ROUTES.get(doses[i][2], doses[i][2]) for i in ids["route"]]


def _domain(session: Session, trial: Trial, domain: Domain, patients: pd.DataFrame) -> pd.DataFrame:
    fields = list(dict.fromkeys([*(c.field for c in domain.columns), *domain.extra]))
    frame = _records(session, trial, domain, [*fields, "id"] if domain.name == "EX" else fields)
    if domain.name == "EX" and trial.current_protocol_id is not None:
        _planned_amounts(session, frame, patients)
    out = pd.DataFrame(
        {
            "STUDYID": pd.Series(trial.code, index=frame.index, dtype="string"),
            "DOMAIN": pd.Series(domain.name, index=frame.index, dtype="string"),
            "USUBJID": frame["subject_id"].astype("string"),
            domain.seq: (frame.groupby("subject_id", sort=False).cumcount() + 1).astype("int64"),
        }
    )
    for column in domain.columns:
        out[column.sdtm] = _sdtm_values(column, frame[column.field]).to_numpy()
    if domain.restore is not None:
        for name, values in domain.restore(frame).items():
            out[name] = values.to_numpy()
    _character_results(out, domain.name)
    return out


def _character_results(out: pd.DataFrame, name: str) -> None:
    """``--STRESC`` of a numeric result entered as a number: SDTM gives every standard result in character form
    too (``36`` for a diameter of 36 mm), and readers of TR and LB (RECIST, admiral) read that column."""
    numeric, character = f"{name}STRESN", f"{name}STRESC"
    if numeric in out.columns and character in out.columns:
        missing = out[character].isna() & out[numeric].notna()
        # %.15g: the shortest text that reads back to the stored number (36.0 -> "36", 0.25 -> "0.25")
        out.loc[missing, character] = [f"{float(v):.15g}" for v in out.loc[missing, numeric]]


def _with_randomisations(session: Session, trial: Trial, ds: pd.DataFrame) -> pd.DataFrame:
    """DS with the milestone RANDOMIZED (DSCAT PROTOCOL MILESTONE, DSSTDTC the day of randomisation) of every
    patient randomised through the store who has none, after the patient's other DS records: a randomisation
    entered with ``randomise`` is kept in its own table, not as a disposition, and ADSL's RANDDT is read from this
    record. A patient whose DS came in with its own RANDOMIZED record (an import) keeps that one only."""
    stmt = (
        select(Patient.subject_id, Randomisation.randomised_on)
        .join(Randomisation, Randomisation.patient_id == Patient.id)
        .where(Patient.trial_id == trial.id, Patient.deleted_on.is_(None))
    )
    recorded = set(ds.loc[ds["DSDECOD"].astype("string").str.upper() == "RANDOMIZED", "USUBJID"])
    rows = [(subject, day) for subject, day in session.execute(stmt) if subject not in recorded]
    if not rows:
        return ds
    subjects, days = zip(*rows, strict=True)
    milestones = pd.DataFrame(
        {
            "STUDYID": trial.code,
            "DOMAIN": "DS",
            "USUBJID": list(subjects),
            "DSTERM": "RANDOMIZED",
            "DSDECOD": "RANDOMIZED",
            "DSCAT": "PROTOCOL MILESTONE",
            "DSSTDTC": format_dates(pd.Series(days), kind="date").to_numpy(),
        }
    ).astype({name: "string" for name in ("STUDYID", "DOMAIN", "USUBJID", "DSTERM", "DSDECOD", "DSCAT", "DSSTDTC")})
    together = pd.concat([ds, milestones.reindex(columns=ds.columns)], ignore_index=True)
    together = together.sort_values("USUBJID", kind="stable", ignore_index=True)  # a subject's milestone last
    together["DSSEQ"] = (together.groupby("USUBJID", sort=False).cumcount() + 1).astype("int64")
    return together


def check_export_for(session: Session, actor: Actor, trial_code: str) -> None:
    """Refuse a user without the ``export`` permission, and a trial that is not in the database (a page offering
    the exports asks this before it offers them)."""
    require(actor, "export")
    find_trial(session, trial_code)


def derive_sdtm(
    session: Session, actor: Actor, trial_code: str, *, domains: Sequence[str] | None = None
) -> dict[str, pd.DataFrame]:
    """The trial's SDTM domains as tables (DM first, then ``domains``, by default all), read from the store;
    needs the ``export`` permission."""
    require(actor, "export")
    trial = find_trial(session, trial_code)
    patients = _patients(session, trial)
    if patients.empty:
        raise DataError(f"trial {trial.code} has no patients to export", code="CDISC-E020", field="trial")
    tables = {"DM": _dm(session, trial, patients)}
    for domain in DOMAINS:
        if domains is None or domain.name in domains:
            tables[domain.name] = _domain(session, trial, domain, patients)
    if "DS" in tables:
        tables["DS"] = _with_randomisations(session, trial, tables["DS"])
    return tables


def write_domain(table: pd.DataFrame, name: str, directory: Path, *, format: Format) -> Path:
    """Write one domain as ``<name>.csv``, ``.parquet`` or ``.xpt`` (SAS transport version 5, via pyreadstat)."""
    from oncotrial.io import write_table

    path = directory / f"{name.lower()}.{format}"
    if format == "xpt":
        import pyreadstat

        # XPT v5 holds text and 8-byte numbers: missing text as empty, whole-number columns as floats
        plain = table.copy()
        for col in plain.columns:
            if pd.api.types.is_string_dtype(plain[col]) or plain[col].dtype == object:
                plain[col] = plain[col].astype(object).where(plain[col].notna(), "")
            else:
                plain[col] = pd.to_numeric(plain[col]).astype("float64")
        pyreadstat.write_xport(plain, str(path), table_name=name.upper()[:8], file_format_version=5)
    else:
        write_table(table, path)
    return path


def export_sdtm(
    session: Session, actor: Actor, trial_code: str, directory: Path, *, format: Format = "csv"
) -> Mapping[str, Path]:
    """Write the trial's SDTM domains into ``directory`` (created if needed); returns each domain's file."""
    if format not in FORMATS:
        raise DataError(f"format {format!r}: use csv, parquet or xpt", code="CDISC-E021", field="format")
    tables = derive_sdtm(session, actor, trial_code)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return {name: write_domain(table, name, directory, format=format) for name, table in tables.items()}
