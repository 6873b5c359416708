"""The end-to-end demo (``oncotrial demo``): a trial database for NCT01416831 filled with virtual patients
through the store's own operations, the analyses, and the report.

:func:`build_demo` does it all in a folder of its own: an SQLite database with two sites and their users
(passwords generated here, returned, never stored in clear), about 60 people screened and 44 randomised
(``oncotrial.simulate``: records drawn from the shipped scenario with a fixed seed), each record entered by the
service a site would use (batches where the store has them), so the audit trail is real. Then the ADaM tables
(``derive_adam``), the response rates by arm with exact intervals, the median PFS by arm and the design's
decision, read back from the database, and the report (:func:`_write_report`).

The folder is the demo's: a marker file names it so. A folder with the marker is emptied of what an earlier
demo wrote (the files the marker lists) and filled again; a folder without it that is not empty is refused,
and nothing in it is touched.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oncotrial.errors import DataError, TrialWarning
from oncotrial.protocol import load_builtin_protocol
from oncotrial.protocol.models import Protocol
from oncotrial.simulate import load_builtin_scenario
from oncotrial.simulate.patients import MONTH_DAYS, PatientCourse, ScreenedPerson, generate_course, generate_screening
from oncotrial.store import Store, open_store, services
from oncotrial.store.audit import Actor, verify_chain
from oncotrial.store.migrate import init_schema

__all__ = [
    "DEMO_LOGIN",
    "MARKER",
    "STEPS",
    "ArmResult",
    "DemoAccount",
    "DemoResult",
    "analyse_demo",
    "build_demo",
    "decide_design",
]

TRIAL = "NCT01416831"
SEED = 20261130
RANDOMISED = 44
FIRST_DAY = dt.date(2022, 1, 3)  # the first screening week
DATA_CUT = dt.date(2025, 6, 30)
MARKER = ".oncotrial-demo"
DATABASE = "demo.db"
SITES = ("01", "02")
DEMO_LOGIN = "monitor"  # sees every site's patients, reads the audit trail, changes nothing
STEPS = (
    "database, sites and users",
    "screening and randomisation",
    "treatment and doses",
    "tumour assessments",
    "responses and crossovers",
    "safety, labs and follow-up",
    "analyses and report",
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    site: str | None
    password: str


@dataclass(frozen=True)
class ArmResult:
    """One arm: the patients, the responders (best overall response CR or PR) with the exact 95 % interval of
    the rate, and the median PFS in months with its 95 % interval (None: not reached)."""

    arm: str
    patients: int
    responders: int
    rate: float
    lower: float
    upper: float
    median_pfs_months: float | None
    pfs_lower: float | None
    pfs_upper: float | None


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    database_url: str
    accounts: tuple[DemoAccount, ...]
    screened: int
    screen_failures: int
    randomised: int
    arms: tuple[ArmResult, ...]
    decision: str
    report: Path
    chain_ok: bool
    report_note: str = ""  # why the PDF is missing, when it is

    @property
    def serve_command(self) -> str:
        return f"oncotrial serve --db {self.database_url}"


# --- the folder ---------------------------------------------------------------------------------------------


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != MARKER}


def _prepare_folder(folder: Path) -> set[str]:
    """Empty an earlier demo's folder of the files its marker lists, or refuse a folder that is not the demo's;
    returns the files left in it (someone else's: the next marker does not list them)."""
    if folder.exists() and not folder.is_dir():
        raise DataError(
            f"{folder} is a file, not a folder; give the demo a folder of its own (--out DIR)",
            code="DEMO-E001",
            field="out",
        )
    marker = folder / MARKER
    if folder.is_dir() and not marker.is_file() and any(folder.iterdir()):
        raise DataError(
            f"{folder} exists and is not a folder the demo made (it has no {MARKER} file); nothing in it was "
            "touched. Give an empty or new folder (--out DIR)",
            code="DEMO-E002",
            field="out",
        )
    if marker.is_file():
        written = [folder / name for name in json.loads(marker.read_text(encoding="utf-8")).get("files", [])]
        for path in written:
            if path.is_file() and path.resolve().is_relative_to(folder.resolve()):
                path.unlink()
        for directory in sorted({p.parent for p in written if p.parent != folder}, key=lambda p: -len(p.parts)):
            if directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()
    folder.mkdir(parents=True, exist_ok=True)
    _write_marker(folder, set())
    return _files(folder)


def _write_marker(folder: Path, written: set[str]) -> None:
    """The marker names the folder as the demo's and lists the files the demo wrote in it."""
    text = json.dumps({"made_by": "oncotrial demo", "trial": TRIAL, "files": sorted(written)}, indent=1)
    (folder / MARKER).write_text(text + "\n", encoding="utf-8")


# --- database, sites and users ------------------------------------------------------------------------------


def _accounts() -> tuple[DemoAccount, ...]:
    def password() -> str:
        return secrets.token_urlsafe(12)

    accounts = [DemoAccount("admin", "admin", None, password())]
    for code in SITES:
        number = int(code)
        accounts += [
            DemoAccount(f"coord{number}", "coordinator", code, password()),
            DemoAccount(f"inv{number}", "investigator", code, password()),
        ]
    accounts += [
        DemoAccount("monitor", "monitor", None, password()),
        DemoAccount("stat", "statistician", None, password()),
    ]
    return tuple(accounts)


def _create_trial(store: Store, accounts: Sequence[DemoAccount]) -> None:
    protocol_text = (files("oncotrial.protocol.library") / f"{TRIAL}.yaml").read_text(encoding="utf-8")
    with store.write() as session:
        services.bootstrap_admin(session, "admin", full_name="Demo Admin")
    with store.write() as session:
        admin = services.actor_for(session, "admin")
        services.create_trial(session, admin, TRIAL, protocol_yaml=protocol_text)
        for code in SITES:
            services.add_site(session, admin, TRIAL, code, name=f"Demo site {code}")
        for account in accounts[1:]:
            services.add_user(
                session,
                admin,
                account.username,
                role=account.role,
                full_name=f"Demo {account.role} {account.site or ''}".strip(),
                trial_code=TRIAL if account.site else None,
                site_code=account.site,
            )
        services.setup_allocation(session, admin, TRIAL, seed=SEED)
        for account in accounts:
            services.set_password(session, admin, account.username, account.password)


# --- patients ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Enrolled:
    person: ScreenedPerson
    subject_id: str
    site: str


def _investigator(site: str) -> str:
    return f"inv{int(site)}"


def _by_site(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    grouped: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[str(row["subject_id"]).split("-")[0]].append(row)
    return grouped


def _write_by_site(store: Store, rows: Sequence[Mapping[str, Any]], service: Callable[..., Any]) -> None:
    """One batch per site, entered by the site's investigator (a site role enters its own site's data)."""
    for site, part in sorted(_by_site(rows).items()):
        with store.write() as session:
            service(session, services.actor_for(session, _investigator(site)), TRIAL, part)


def _enrol(store: Store, people: Sequence[ScreenedPerson]) -> list[_Enrolled]:
    enrolled: list[_Enrolled] = []
    counts = dict.fromkeys(SITES, 0)
    for index, person in enumerate(people):
        site = SITES[index % len(SITES)]
        counts[site] += 1
        enrolled.append(_Enrolled(person, f"{site}-{counts[site]:04d}", site))
    rows = [
        {
            "subject_id": e.subject_id,
            "site_code": e.site,
            "enrolled_on": e.person.consent_date,
            "sex": e.person.sex,
            "age": float(e.person.age),
        }
        for e in enrolled
    ]
    _write_by_site(store, rows, services.enrol_patients)
    consents = [
        {"subject_id": e.subject_id, "form_version": "2.0", "consent_date": e.person.consent_date} for e in enrolled
    ]
    _write_by_site(store, consents, services.record_consents)
    for e in enrolled:
        with store.write() as session:
            actor = services.actor_for(session, _investigator(e.site))
            services.record_screening(
                session, actor, TRIAL, e.subject_id, e.person.record, screened_at=e.person.screened_at
            )
    return enrolled


def _randomise(store: Store, enrolled: Sequence[_Enrolled]) -> dict[str, tuple[str, int]]:
    """Randomise the eligible (the store's concealed list; the SDTM export writes each as DS's RANDOMIZED
    milestone); arm and enrolment number by subject."""
    assigned: dict[str, tuple[str, int]] = {}
    for e in enrolled:
        if not e.person.eligible:
            continue
        day = e.person.screened_at.date()
        with store.write() as session:
            actor = services.actor_for(session, _investigator(e.site))
            assignment = services.randomise(session, actor, TRIAL, e.subject_id, randomised_on=day)
            assigned[e.subject_id] = (assignment.arm, _enrolment_number(session, assignment.patient_id))
    return assigned


def _enrolment_number(session: Any, patient_id: int) -> int:
    from oncotrial.store.models import Patient

    return int(session.get_one(Patient, patient_id).enrolment_number)


def _courses(
    protocol: Protocol, enrolled: Sequence[_Enrolled], assigned: Mapping[str, tuple[str, int]], seed: int
) -> list[PatientCourse]:
    scenario = load_builtin_scenario(TRIAL)
    randomised = [e for e in enrolled if e.subject_id in assigned]
    streams = np.random.SeedSequence([seed, 2]).spawn(len(randomised))
    # the data cut, or half a year after the last start if accrual ran later (another seed or scenario)
    last_start = max(e.person.planned_start.date() for e in randomised)
    data_cut = max(DATA_CUT, last_start + dt.timedelta(days=183))
    return [
        generate_course(
            protocol,
            scenario,
            e.person,
            assigned[e.subject_id][0],
            e.person.planned_start,
            np.random.default_rng(stream),
            subject_id=e.subject_id,
            enrolment_number=assigned[e.subject_id][1],
            data_cut=data_cut,
        )
        for e, stream in zip(randomised, streams, strict=True)
    ]


def _treat(store: Store, courses: Sequence[PatientCourse]) -> None:
    for course in courses:
        site = course.subject_id.split("-")[0]
        with store.write() as session:
            actor = services.actor_for(session, _investigator(site))
            services.record_treatment_start(
                session, actor, TRIAL, course.subject_id, start=course.start, weight_kg=course.weight_kg
            )
            for start in course.cycle_starts:
                services.record_cycle_start(session, actor, TRIAL, course.subject_id, **start)
    _write_by_site(store, [row for c in courses for row in c.administrations], services.record_administrations)
    _write_by_site(store, [row for c in courses for row in c.adverse_events], services.record_adverse_events)


def _assess(store: Store, courses: Sequence[PatientCourse]) -> None:
    _write_by_site(store, [row for c in courses for row in c.lesions], services.record_lesions)
    _write_by_site(store, [row for c in courses for row in c.measurements], services.record_measurements)


def _responses_and_crossovers(store: Store, courses: Sequence[PatientCourse]) -> None:
    """The investigator's overall response at each visit (RS, as the store derived it from the measurements),
    then the crossovers, which need the recorded progression, and the crossover cycles."""
    rows = []
    with store.read() as session:
        monitor = services.actor_for(session, DEMO_LOGIN)
        for course in courses:
            for point in services.timepoint_responses(session, monitor, TRIAL, course.subject_id):
                if point.visit == "BASELINE":
                    continue
                rows.append(
                    {
                        "subject_id": course.subject_id,
                        "evaluator": "INVESTIGATOR",
                        "category": "RECIST 1.1",
                        "test_code": "OVRLRESP",
                        "test_name": "Overall Response",
                        "visit": point.visit,
                        "assessed_on": point.assessed_on,
                        "response": point.overall,
                    }
                )
    _write_by_site(store, rows, services.record_recorded_responses)
    crossed = [c for c in courses if c.crossover is not None]
    for course in crossed:
        assert course.crossover is not None
        crossover = course.crossover
        with store.write() as session:
            actor = services.actor_for(session, _investigator(course.subject_id.split("-")[0]))
            services.record_crossover(
                session,
                actor,
                TRIAL,
                course.subject_id,
                to_arm=crossover.to_arm,
                crossover_on=crossover.crossover_on,
                reason="progressive disease after the planned cycles",
            )
            services.record_cycle_start(
                session,
                actor,
                TRIAL,
                course.subject_id,
                cycle=crossover.first_cycle,
                start=crossover.first_cycle_start,
                reason=f"crossover to arm {crossover.to_arm}",
            )
            for start in crossover.cycle_starts:
                services.record_cycle_start(session, actor, TRIAL, course.subject_id, **start)
    rows = [row for c in crossed if c.crossover is not None for row in c.crossover.administrations]
    _write_by_site(store, rows, services.record_administrations)


def _follow_up(store: Store, courses: Sequence[PatientCourse]) -> None:
    _write_by_site(store, [row for c in courses for row in c.lab_results], services.record_lab_results)
    samples = [row for c in courses for row in c.samples]
    if samples:
        _write_by_site(store, samples, services.record_samples)
    _write_by_site(store, [row for c in courses for row in c.dispositions], services.record_dispositions)


# --- analyses ------------------------------------------------------------------------------------------------


def analyse_demo(adam: Mapping[str, pd.DataFrame]) -> tuple[ArmResult, ...]:
    """Per arm as randomised: the best overall response (ADRS BOR; a randomised patient without one counts as
    MISSING, in the denominator) with Clopper-Pearson intervals, and the Kaplan-Meier median of PFS (ADTTE)."""
    from oncotrial.endpoints import compute_kaplan_meier, derive_response_rates

    adsl = adam["ADSL"]
    randomised = adsl.loc[adsl["ARMCD"].notna(), ["USUBJID", "ARMCD"]]
    adrs = adam["ADRS"]
    bor = adrs.loc[adrs["PARAMCD"] == "BOR", ["USUBJID", "AVALC"]]
    table = randomised.merge(bor, on="USUBJID", how="left").fillna({"AVALC": "MISSING"})
    adtte = adam["ADTTE"]
    pfs = adtte.loc[(adtte["PARAMCD"] == "PFS") & adtte["USUBJID"].isin(randomised["USUBJID"])]
    results = []
    for arm, part in table.groupby("ARMCD", sort=True):
        orr = derive_response_rates(part["AVALC"]).orr
        times = pfs.loc[pfs["ARMCD"] == arm]
        months = pd.to_numeric(times["AVAL"]).to_numpy(dtype=float) / MONTH_DAYS
        median = compute_kaplan_meier(months, 1 - pd.to_numeric(times["CNSR"]).to_numpy(dtype=int)).median
        results.append(
            ArmResult(
                str(arm), orr.n, orr.x, orr.estimate, orr.lower, orr.upper, median.estimate, median.lower, median.upper
            )
        )
    return tuple(results)


def decide_design(protocol: Protocol, arms: Sequence[ArmResult]) -> str:
    """The design's decision on the response rates: for NCT01416831's randomised two-arm design, a randomised
    selection (pick the winner, Simon, Wittes and Ellenberg 1985): the arm with the higher response rate is
    selected for further study; with equal rates none is. It is a selection, not a test of superiority.

    References
    ----------
    Simon R, Wittes RE, Ellenberg SS. Randomized phase II clinical trials. Cancer Treat Rep 1985;69:1375-1381.
    """
    ordered = sorted(arms, key=lambda a: a.responders / a.patients if a.patients else 0.0, reverse=True)
    if len(ordered) < 2:
        return "no selection: fewer than two arms have patients"
    best, other = ordered[0], ordered[1]
    if best.responders * other.patients == other.responders * best.patients:
        return f"no arm selected: arms {best.arm} and {other.arm} have the same response rate"
    label = protocol.arm(best.arm).label
    return (
        f"select arm {best.arm} ({label}) for further study: response rate {100 * best.rate:.1f} % vs "
        f"{100 * other.rate:.1f} % in arm {other.arm} (randomised selection, not a test of superiority)"
    )


@contextmanager
def _screen_failures_expected() -> Iterator[None]:
    """The people screened who were not eligible have no RANDDT, hence no time-to-event records: expected here,
    so the ADTTE derivation's warning about them is not shown."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*have no RANDDT", category=TrialWarning)
        yield


def _write_report(store: Store, actor: Actor, trial_code: str, out_dir: Path) -> tuple[Path, str]:
    """The trial's report in ``out_dir/report``: ``report.html``, ``report.pdf`` and the figures
    (``oncotrial.report``, from the database as ``oncotrial report --db`` builds it), beside the ADaM tables as
    CSV. Returns the HTML's path, and a note when the PDF could not be made (no Pango): the HTML is there."""
    from oncotrial.report.document import write_report
    from oncotrial.report.sources import report_data_from_store
    from oncotrial.store.cdisc.adam import export_adam

    report = out_dir / "report"
    with store.read() as session, _screen_failures_expected():
        export_adam(session, actor, trial_code, report)
        data = report_data_from_store(session, actor, trial_code)
    with _screen_failures_expected():
        try:
            written = write_report(data, report)
        except DataError as exc:
            if exc.code != "REPORT-E002":
                raise
            return report / "report.html", exc.message
    return written.html, ""


# --- the whole demo ------------------------------------------------------------------------------------------


def build_demo(folder: Path, *, on_step: Callable[[str], None] = lambda step: None) -> DemoResult:
    """Build the demo in ``folder`` (see the module docstring); ``on_step`` is called as each step of
    :data:`STEPS` ends (a progress bar).

    Raises
    ------
    DataError
        ``folder`` is a file (DEMO-E001), or a folder that is not empty and not the demo's (DEMO-E002).
    """
    folder = Path(folder)
    others = _prepare_folder(folder)
    url = f"sqlite:///{(folder / DATABASE).resolve()}"
    store = open_store(url, check_schema=False)
    try:
        init_schema(store)
        accounts = _accounts()
        _create_trial(store, accounts)
        on_step(STEPS[0])
        protocol = load_builtin_protocol(TRIAL)
        rng = np.random.default_rng(np.random.SeedSequence([SEED, 1]))
        people = generate_screening(
            protocol, load_builtin_scenario(TRIAL), rng, n_randomised=RANDOMISED, first_day=FIRST_DAY
        )
        enrolled = _enrol(store, people)
        assigned = _randomise(store, enrolled)
        on_step(STEPS[1])
        courses = _courses(protocol, enrolled, assigned, SEED)
        _treat(store, courses)
        on_step(STEPS[2])
        _assess(store, courses)
        on_step(STEPS[3])
        _responses_and_crossovers(store, courses)
        on_step(STEPS[4])
        _follow_up(store, courses)
        on_step(STEPS[5])
        result = _analyse(store, folder, protocol, accounts, people, url)
        on_step(STEPS[6])
    finally:
        store.dispose()
        _write_marker(folder, _files(folder) - others)
    return result


def _analyse(
    store: Store,
    folder: Path,
    protocol: Protocol,
    accounts: tuple[DemoAccount, ...],
    people: Sequence[ScreenedPerson],
    url: str,
) -> DemoResult:
    from oncotrial.store.cdisc.adam import derive_adam

    with store.read() as session:
        statistician = services.actor_for(session, "stat")
        with _screen_failures_expected():
            arms = analyse_demo(derive_adam(session, statistician, TRIAL))
        chain_ok = verify_chain(session).ok
    report, note = _write_report(store, statistician, TRIAL, folder)
    return DemoResult(
        folder=folder,
        database_url=url,
        accounts=accounts,
        screened=len(people),
        screen_failures=sum(not p.eligible for p in people),
        randomised=sum(a.patients for a in arms),
        arms=arms,
        decision=decide_design(protocol, arms),
        report=report,
        chain_ok=chain_ok,
        report_note=note,
    )
