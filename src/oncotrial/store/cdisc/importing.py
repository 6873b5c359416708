"""Loading an SDTM set into the store, through the same service functions (and checks) as data entry.

Files: each domain is read from ``<domain>.<ext>``, else ``<domain>_onco.<ext>`` (pharmaverse's oncology
examples: ``tu_onco.csv``, ``tr_onco.csv.gz``, ``rs_onco.csv``), with ``ext`` one of ``csv``, ``csv.gz``,
``parquet``, ``xpt`` and the name in any case. DM is required; the other domains are loaded when present. Other
files (``suppdm.csv``, ``rs_onco_recist.csv``, ...) are not read, and the report lists them.

DM gives the patients (``services.enrol_patients``): USUBJID is the subject id, SITEID the site, BRTHDTC the
date of birth in the identity table only; RFICDTC the consent; ARMCD the recorded assignment
(``services.record_recorded_assignments``) on the date of DS's RANDOMIZED record, with ARM, ACTARMCD and ACTARM
kept beside it. A patient without RFICDTC (none of pharmaverse's has one) is recorded as consented on the date
of their first record, so the "nothing before consent" check cannot be made for them: the report says so.

A data set from elsewhere has no oncotrial protocol: when the trial (DM's STUDYID, or ``trial_code``) is not in
the store, the import creates it without one, with the sites of DM's SITEID, and the report lists the protocol
checks it could not make. The whole import is one transaction: all of it is written, or nothing. A domain of
more than :data:`PART_ROWS` records is passed to its service in parts of whole patients; an error's row number
then counts within its part (the error names the patient and the field).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from oncotrial.errors import DataError
from oncotrial.io import read_table
from oncotrial.store import services
from oncotrial.store.access import require
from oncotrial.store.audit import Actor, audit_context
from oncotrial.store.cdisc.domains import DOMAINS, NOT_KEPT, Domain, first_day, parse_dates, parse_numbers
from oncotrial.store.engine import Store
from oncotrial.store.models import Site, Trial

__all__ = ["FORM_NOT_RECORDED", "FORM_RECORDED", "ImportReport", "import_sdtm"]

SUFFIXES = (".csv", ".csv.gz", ".parquet", ".xpt")
DOMAIN_ORDER = ("DM", *(d.name for d in DOMAINS))
FORM_RECORDED = "as recorded (SDTM RFICDTC)"
FORM_NOT_RECORDED = "not recorded (SDTM import: date of the first record)"
ARM_FIELDS = ("ARM", "ACTARMCD", "ACTARM")
# the records of a domain passed to its service at once (whole patients; see parts_by_patient)
PART_ROWS = 100_000

# protocol checks that need an oncotrial protocol, which a data set from elsewhere does not have
WITHOUT_PROTOCOL = (
    "eligibility: no screening is evaluated (the trial has no eligibility criteria)",
    "randomisation: arms are kept as DM records them; no allocation list was drawn or used",
    "dosing: doses are not checked against a dosing calendar (the trial has none)",
)


@dataclass(frozen=True)
class ImportReport:
    """What an SDTM import loaded: the trial, the files read and ignored, the records per domain, the checks
    that could not be made, and the columns the store does not keep."""

    trial_code: str
    created_trial: bool
    sites_created: tuple[str, ...]
    files: Mapping[str, str]
    records: Mapping[str, int]
    ignored_files: tuple[str, ...]
    checks_not_made: tuple[str, ...]
    not_kept: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: NOT_KEPT)

    def __str__(self) -> str:
        loaded = ", ".join(f"{name} {count}" for name, count in self.records.items())
        lines = [f"trial {self.trial_code}" + (" (created, without a protocol)" if self.created_trial else "")]
        lines.append(f"records loaded: {loaded}")
        if self.sites_created:
            lines.append(f"sites created: {', '.join(self.sites_created)}")
        if self.ignored_files:
            lines.append(f"files not read: {', '.join(self.ignored_files)}")
        lines.extend(f"check not made: {check}" for check in self.checks_not_made)
        return "\n".join(lines)


# --- files ------------------------------------------------------------------------------------------------


def _stem(path: Path) -> str | None:
    name = path.name.lower()
    suffix = next((s for s in SUFFIXES if name.endswith(s)), None)
    return None if suffix is None or not path.is_file() else name[: -len(suffix)]


def find_domain_files(directory: Path, domains: Sequence[str]) -> tuple[dict[str, Path], tuple[str, ...]]:
    """The file of each domain found in ``directory`` (see the module docstring), and the files not read."""
    if not directory.is_dir():
        raise DataError(f"SDTM folder {directory} does not exist", code="CDISC-E001", field="directory")
    by_stem: dict[str, list[Path]] = {}
    for path in sorted(directory.iterdir()):
        stem = _stem(path)
        if stem is not None:
            by_stem.setdefault(stem, []).append(path)
    chosen: dict[str, Path] = {}
    for domain in domains:
        stem = next((s for s in (domain.lower(), f"{domain.lower()}_onco") if s in by_stem), None)
        if stem is None:
            continue
        if len(by_stem[stem]) > 1:
            names = ", ".join(p.name for p in by_stem[stem])
            raise DataError(
                f"SDTM folder {directory} holds {domain} twice ({names}); keep one", code="CDISC-E002", field=domain
            )
        chosen[domain] = by_stem[stem][0]
    if "DM" not in chosen:
        raise DataError(
            f"SDTM folder {directory} has no DM (dm.csv, dm.parquet or dm.xpt): the patients come from DM",
            code="CDISC-E005",
            field="DM",
        )
    used = set(chosen.values())
    ignored = tuple(p.name for paths in by_stem.values() for p in paths if p not in used)
    return chosen, ignored


def _read(path: Path, domain: str) -> pd.DataFrame:
    frame = read_table(path, name=domain, text=True)
    frame.columns = [str(c).upper() for c in frame.columns]
    missing = [c for c in ("STUDYID", "USUBJID") if c not in frame.columns]
    if missing:
        raise DataError(
            f"{domain} ({path.name}) has no {' or '.join(missing)} column; an SDTM domain names its study and subject",
            code="CDISC-E006",
            field=domain,
        )
    return frame


# --- converting a domain to the services' rows ---------------------------------------------------------------


def _plain(values: pd.Series) -> list[Any]:
    return values.astype(object).where(values.notna(), None).tolist()


def _converted(frame: pd.DataFrame, column: str, kind: str, domain: str) -> list[Any]:
    if column not in frame.columns:
        return [None] * len(frame)
    text = frame[column]
    name = f"{domain} {column}"
    if kind in ("date", "minutes", "seconds"):
        return parse_dates(text, kind=kind, name=name).tolist()  # type: ignore[arg-type]
    if kind in ("float", "int"):
        numbers = parse_numbers(text, name=name)
        return _plain(numbers)  # a whole number's check ("int") is the service's, which names the row
    if kind in ("yn", "flag"):
        return (text.astype("string").str.upper() == "Y").fillna(False).astype(bool).tolist()
    stripped = text.astype("string").str.strip()  # text, and ISO dates passed on as written (kind "iso")
    return _plain(stripped.where(stripped != ""))


def sorted_by_sequence(frame: pd.DataFrame, seq: str) -> pd.DataFrame:
    """The records in subject order, then in ``--SEQ`` order (the order the store keeps)."""
    order = parse_numbers(frame[seq], name=seq) if seq in frame.columns else pd.Series(range(len(frame)))
    keyed = frame.assign(_order=order.to_numpy())
    return keyed.sort_values(["USUBJID", "_order"], kind="stable").drop(columns="_order").reset_index(drop=True)


def domain_rows(domain: Domain, frame: pd.DataFrame) -> pd.DataFrame:
    """The service's rows for ``frame`` (sorted by subject and ``--SEQ``): ``subject_id`` and the kept fields, as
    a frame of Python values (the batch services read a frame as they read a list of mappings, without a dict
    per row)."""
    values: dict[str, list[Any]] = {"subject_id": frame["USUBJID"].astype("string").tolist()}
    for column in domain.columns:
        values[column.field] = _converted(frame, column.sdtm, column.kind, domain.name)
    for name, value in domain.fixed.items():
        values[name] = [value] * len(frame)
    if domain.derive is not None:
        values.update({name: _plain(series) for name, series in domain.derive(frame).items()})
    return pd.DataFrame({name: pd.Series(column, dtype=object) for name, column in values.items()})


def _first_dates(frames: Mapping[str, pd.DataFrame]) -> dict[str, dt.date]:
    """Each subject's earliest dated record, over the kept dates of every domain."""
    firsts: list[pd.Series] = []
    for domain in DOMAINS:
        frame = frames.get(domain.name)
        if frame is None:
            continue
        for column in domain.columns:
            if column.kind in ("date", "minutes", "seconds", "iso") and column.sdtm in frame.columns:
                text = first_day(frame[column.sdtm].astype("string"))  # a bad date is the service's to refuse
                days = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
                firsts.append(days.groupby(frame["USUBJID"]).min())
    if not firsts:
        return {}
    earliest = pd.concat(firsts, axis=1).min(axis=1).dropna()
    return {str(k): v.date() for k, v in earliest.items()}


# --- DM: trial, sites, patients, consent, assignments --------------------------------------------------------


def _trial(session: Session, actor: Actor, dm: pd.DataFrame, trial_code: str | None) -> tuple[Trial, bool]:
    studies = sorted(dm["STUDYID"].dropna().astype(str).unique())
    if trial_code is None and len(studies) != 1:
        raise DataError(
            f"DM holds {len(studies)} studies ({', '.join(studies) or 'none'}); import one study at a time, or name "
            "the trial",
            code="CDISC-E007",
            field="STUDYID",
        )
    code = trial_code or studies[0]
    trial = session.execute(select(Trial).where(Trial.code == code)).scalar_one_or_none()
    if trial is not None:
        return trial, False
    with audit_context(session, actor):
        trial = Trial(
            code=code, title=f"{code} (imported from SDTM)", created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None)
        )
        session.add(trial)
        session.flush()
    return trial, True


def _sites(session: Session, actor: Actor, trial: Trial, dm: pd.DataFrame, *, created: bool) -> tuple[str, ...]:
    if "SITEID" not in dm.columns or dm["SITEID"].isna().any():
        raise DataError("DM needs a SITEID for every patient", code="CDISC-E008", field="SITEID")
    wanted = sorted(set(dm["SITEID"].astype(str)))
    have = set(session.execute(select(Site.code).where(Site.trial_id == trial.id)).scalars())
    new = [code for code in wanted if code not in have]
    if new and not created:
        raise DataError(
            f"trial {trial.code} has no site {', '.join(new)}; an admin adds the sites first (`oncotrial site add`)",
            code="CDISC-E009",
            field="SITEID",
        )
    bad = [code for code in new if not code.isalnum()]
    if bad:
        raise DataError(f"SITEID {bad[0]!r}: use letters and digits only", code="CDISC-E010", field="SITEID")
    with audit_context(session, actor):
        session.add_all(Site(trial_id=trial.id, code=code, name=f"Site {code}") for code in new)
        session.flush()
    return tuple(new)


def _randomisations(ds: pd.DataFrame | None) -> dict[str, dt.date]:
    if ds is None or "DSDECOD" not in ds.columns:
        return {}
    rows = ds.loc[ds["DSDECOD"].astype("string").str.upper() == "RANDOMIZED"]
    dates = parse_dates(rows["DSSTDTC"], kind="date", name="DS DSSTDTC")
    return {str(s): d for s, d in zip(rows["USUBJID"], dates, strict=True) if d is not None}


def _dm_columns(dm: pd.DataFrame) -> dict[str, list[Any]]:
    return {
        name: _converted(dm, column, kind, "DM")
        for name, column, kind in (
            ("sex", "SEX", "text"),
            ("age", "AGE", "float"),
            ("age_unit", "AGEU", "text"),
            ("race", "RACE", "text"),
            ("ethnicity", "ETHNIC", "text"),
            ("country", "COUNTRY", "text"),
            ("birth_date", "BRTHDTC", "date"),
            ("consent_date", "RFICDTC", "date"),
            ("collected_on", "DMDTC", "date"),
            ("arm", "ARMCD", "text"),
            *((name, name, "text") for name in ARM_FIELDS),
        )
    }


@dataclass
class _Patients:
    enrol: list[dict[str, Any]]
    consents: list[dict[str, Any]]
    assignments: list[dict[str, Any]]
    without_consent: int
    arm_without_date: int


def _patients(dm: pd.DataFrame, firsts: Mapping[str, dt.date], randomised: Mapping[str, dt.date]) -> _Patients:
    columns = _dm_columns(dm)
    subjects = dm["USUBJID"].astype("string").tolist()
    out = _Patients([], [], [], 0, 0)
    for i, sid in enumerate(subjects):
        row = {name: values[i] for name, values in columns.items()}
        known = [d for d in (firsts.get(sid), row["collected_on"]) if d is not None]
        consented = row["consent_date"] or (min(known) if known else None)
        if consented is None:
            raise DataError(
                f"DM row {i + 1}: patient {sid} has no RFICDTC and no dated record, so no consent date can be kept",
                code="CDISC-E011",
                field="RFICDTC",
                subject_id=sid,
                rows=(i + 1,),
            )
        out.without_consent += row["consent_date"] is None
        out.enrol.append(
            {
                "subject_id": sid,
                "site_code": str(dm["SITEID"].iloc[i]),
                "enrolled_on": consented,
                **{k: row[k] for k in ("sex", "age", "age_unit", "race", "ethnicity", "country", "birth_date")},
            }
        )
        form = FORM_RECORDED if row["consent_date"] is not None else FORM_NOT_RECORDED
        out.consents.append({"subject_id": sid, "form_version": form, "consent_date": consented})
        if row["arm"] is not None and sid in randomised:
            factors = {name: row[name] for name in ARM_FIELDS if row[name] is not None}
            out.assignments.append(
                {"subject_id": sid, "arm": row["arm"], "randomised_on": randomised[sid], "factors": factors}
            )
        elif row["arm"] is not None:
            out.arm_without_date += 1
    return out


def _load_patients(
    session: Session, actor: Actor, trial: Trial, frames: Mapping[str, pd.DataFrame]
) -> tuple[int, list[str]]:
    dm = frames["DM"]
    duplicated = dm["USUBJID"].duplicated()
    if duplicated.any():
        row = int(duplicated.to_numpy().nonzero()[0][0])
        raise DataError(
            f"DM row {row + 1}: patient {dm['USUBJID'].iloc[row]} is in DM twice",
            code="CDISC-E012",
            field="USUBJID",
            rows=(row + 1,),
        )
    found = _patients(dm, _first_dates(frames), _randomisations(frames.get("DS")))
    services.enrol_patients(session, actor, trial.code, found.enrol)
    services.record_consents(session, actor, trial.code, found.consents)
    services.record_recorded_assignments(session, actor, trial.code, found.assignments)
    notes = []
    if found.without_consent:
        notes.append(
            f"consent: {found.without_consent} of {len(dm)} patients have no RFICDTC; each is recorded as consented "
            "on the date of their first record (or DMDTC, if earlier), so 'nothing before consent' could not be checked for them"
        )
    if found.arm_without_date:
        notes.append(
            f"randomisation: {found.arm_without_date} patients have an arm in DM but no RANDOMIZED record in DS "
            "(e.g. screen failures); their ARM and ARMCD are not kept"
        )
    return len(dm), notes


def part_bounds(subjects: Sequence[str], size: int) -> list[tuple[int, int]]:
    """``(start, end)`` of parts of about ``size`` records of ``subjects`` (in subject order), never splitting a
    patient's records.

    A service checks a patient's records together (a dosing calendar, a RECIST recompute), and PostgreSQL takes
    at most 65,535 parameters in one statement, which a service's query over a whole 10,000-patient domain can
    pass. All parts are written in the import's one transaction; a domain is turned into the services' rows one
    part at a time, so that a large import holds one part's rows at once, not the whole domain's.
    """
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < len(subjects):
        end = min(start + size, len(subjects))
        while end < len(subjects) and subjects[end] == subjects[end - 1]:
            end += 1
        bounds.append((start, end))
        start = end
    return bounds


def parts_by_patient(rows: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    """``rows`` (in subject order) cut into parts of about ``size`` rows, never splitting a patient's records."""
    return [rows[a:b] for a, b in part_bounds([row["subject_id"] for row in rows], size)]


# --- the import ---------------------------------------------------------------------------------------------


def _service(name: str) -> Callable[[Session, Actor, str, pd.DataFrame], Any]:
    function: Callable[[Session, Actor, str, pd.DataFrame], Any] = getattr(services, name)
    return function


def _import(session: Session, actor: Actor, directory: Path, trial_code: str | None) -> ImportReport:
    require(actor, "import")
    paths, ignored = find_domain_files(directory, DOMAIN_ORDER)
    frames = {name: _read(path, name) for name, path in paths.items()}
    trial, created = _trial(session, actor, frames["DM"], trial_code)
    sites = _sites(session, actor, trial, frames["DM"], created=created)
    records: dict[str, int] = {}
    records["DM"], notes = _load_patients(session, actor, trial, frames)
    for domain in DOMAINS:
        frame = frames.pop(domain.name, None)  # released once loaded: a 10,000-patient LB is gigabytes of text
        if frame is None:
            continue
        ordered = sorted_by_sequence(frame, domain.seq)
        del frame
        records[domain.name] = 0
        for start, end in part_bounds(ordered["USUBJID"].tolist(), PART_ROWS):
            part = domain_rows(domain, ordered.iloc[start:end])
            _service(domain.service)(session, actor, trial.code, part)
            records[domain.name] += len(part)
    checks = (*(WITHOUT_PROTOCOL if trial.current_protocol_id is None else ()), *notes)
    return ImportReport(
        trial.code,
        created,
        sites,
        MappingProxyType({name: path.name for name, path in paths.items()}),
        MappingProxyType(records),
        ignored,
        checks,
    )


def import_sdtm(
    store_or_session: Store | Session, actor: Actor, directory: Path, *, trial_code: str | None = None
) -> ImportReport:
    """Load the SDTM set in ``directory`` into the store, as ``actor`` (who needs the ``import`` permission).

    Given a :class:`Store`, the import is one transaction of its own; given a session, it runs in the caller's
    transaction. Every record goes through the batch service functions, with their checks: the first bad
    record stops the import, and nothing is written.
    """
    if isinstance(store_or_session, Store):
        with store_or_session.write() as session:
            return _import(session, actor, Path(directory), trial_code)
    return _import(store_or_session, actor, Path(directory), trial_code)
