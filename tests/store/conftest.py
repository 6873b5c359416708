"""Fixtures of the store tests: every test that takes ``store`` runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from ``ONCOTRIAL_TEST_PG``, a URL with the right to create databases (``.ci/run`` starts
Debian's server, makes a role with a fresh password and sets it). Each pytest-xdist worker of each run gets its
own database, created once with the schema (``oncotrial db init``'s code) and emptied between tests. Without the
variable or the server, the PostgreSQL cases skip and say why; with ``ONCOTRIAL_REQUIRE_SERVERS=1`` (CI) they
fail instead.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, make_url, select, text

from oncotrial.store import Store, open_store
from oncotrial.store.migrate import init_schema
from oncotrial.store.models import Base

PG_ENV = "ONCOTRIAL_TEST_PG"
TRIAL = "NCT01416831"


def servers_required() -> bool:
    return os.environ.get("ONCOTRIAL_REQUIRE_SERVERS") == "1"


def missing_server(reason: str) -> None:
    """Skip (a developer's run) or fail (CI, ``ONCOTRIAL_REQUIRE_SERVERS=1``) for a server that is not there."""
    if servers_required():
        pytest.fail(f"{reason} (ONCOTRIAL_REQUIRE_SERVERS=1 makes this a failure)")
    pytest.skip(reason)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    store = open_store(f"sqlite:///{path}", check_schema=False)
    init_schema(store)
    store.dispose()
    return path


@pytest.fixture(scope="session")
def pg_url(testrun_uid: str) -> Iterator[str]:
    """A database of this worker's own on the test server, with the schema; dropped at the end."""
    admin = os.environ.get(PG_ENV)
    if not admin:
        missing_server(
            f"PostgreSQL tests need a server: set {PG_ENV}=postgresql+psycopg://USER:PASSWORD@127.0.0.1/"
            "postgres (a role that may create databases)"
        )
    assert admin is not None
    name = f"oncotrial_test_{_worker()}_{testrun_uid[:8]}"  # two runs at once never share a database
    engine = create_engine(admin.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        engine.dispose()
        missing_server(f"PostgreSQL at {PG_ENV} cannot be reached: {str(exc).splitlines()[0]}")
    url = engine.url.set(database=name).render_as_string(hide_password=False)
    store = open_store(url, check_schema=False)
    init_schema(store)
    store.dispose()
    yield url
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _empty_postgres(store: Store) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with store.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, current database: a copy of the SQLite template, or this worker's PostgreSQL
    database emptied."""
    if request.param == "sqlite":
        path = tmp_path / "trial.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_url")
    store = open_store(url)
    _empty_postgres(store)
    store.dispose()
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.dispose()


@pytest.fixture
def sqlite_store(sqlite_template: Path, tmp_path: Path) -> Iterator[Store]:
    """A current, empty SQLite database only (for the few tests too long to run twice)."""
    path = tmp_path / "trial.db"
    shutil.copyfile(sqlite_template, path)
    opened = open_store(f"sqlite:///{path}")
    yield opened
    opened.dispose()


def builtin_protocol_text(protocol_id: str = TRIAL) -> str:
    return (files("oncotrial.protocol.library") / f"{protocol_id}.yaml").read_text(encoding="utf-8")


@pytest.fixture
def trial_store(store: Store) -> Store:
    """``store`` with NCT01416831 (its protocol verbatim), sites 01 and 02, the allocation list drawn from seed
    20261130, and one user per role: ``admin``, ``coord1``/``inv1`` (site 01), ``coord2``/``inv2`` (site 02),
    ``monitor``, ``stat``."""
    return build_trial(store)


def build_trial(store: Store, **allocation: Any) -> Store:
    """:func:`trial_store`'s trial, sites and users in ``store``; ``allocation`` goes to ``setup_allocation``
    (default: seed 20261130, permuted blocks, no stratification factors)."""
    from oncotrial.store.services import (
        actor_for,
        add_site,
        add_user,
        bootstrap_admin,
        create_trial,
        setup_allocation,
    )

    with store.write() as session:
        bootstrap_admin(session, "admin", full_name="Trial Admin")
    with store.write() as session:
        admin = actor_for(session, "admin")
        create_trial(session, admin, TRIAL, protocol_yaml=builtin_protocol_text())
        for code in ("01", "02"):
            add_site(session, admin, TRIAL, code, name=f"Site {code}")
            add_user(
                session,
                admin,
                f"coord{int(code)}",
                role="coordinator",
                full_name=f"Coordinator {code}",
                trial_code=TRIAL,
                site_code=code,
            )
            add_user(
                session,
                admin,
                f"inv{int(code)}",
                role="investigator",
                full_name=f"Investigator {code}",
                trial_code=TRIAL,
                site_code=code,
            )
        add_user(session, admin, "monitor", role="monitor", full_name="Monitor")
        add_user(session, admin, "stat", role="statistician", full_name="Statistician")
        setup_allocation(session, admin, TRIAL, **{"seed": 20261130, **allocation})
    return store


# Screening NCT01416831 on Saturday 2026-11-21 for a start on Monday 2026-11-23, consent on 2026-11-18: the
# record below meets every criterion (the same patient as tests/eligibility/test_evaluate.py's, checked there
# criterion by criterion).
SCREENED_AT = dt.datetime(2026, 11, 21, 9, 0)
CONSENTED_ON = dt.date(2026, 11, 18)
LAB_DAY = "2026-11-16"
_ABSENT = (
    "brain_metastases_not_radiosurgery_candidate prior_radiation_to_sbrt_site active_infection pregnant_or_lactating "
    "cardiac_ischemia chronic_steroids"
).split()


def _lab(analyte: str, value: float, unit: str, **limits: float) -> dict[str, object]:
    return {"analyte": analyte, "value": value, "unit": unit, "date": LAB_DAY, **limits}


def eligible_record() -> dict[str, object]:
    """A screening record that meets every criterion of NCT01416831 on :data:`SCREENED_AT`."""
    return {
        "sex": "female",
        "birth_date": "1961-04-02",
        "planned_start": "2026-11-23T08:00",
        "ecog": {"value": 1, "date": LAB_DAY},
        "labs": [
            _lab("wbc", 4.2, "10^9/L"),
            _lab("hemoglobin", 12.5, "g/dL"),
            _lab("ast", 30, "U/L", lln=10, uln=40),
            _lab("alt", 25, "U/L", lln=7, uln=40),
            _lab("bilirubin_total", 0.8, "mg/dL"),
            _lab("creatinine", 88, "umol/L"),
            _lab("dlco_pct_predicted", 85, "%"),
            _lab("fev1_pct_predicted", 90, "%"),
            _lab("fev1_fvc_pct_predicted", 78, "%"),
        ],
        "lesions": [{"site": "lung", "method": "spiral_ct", "size_mm": 24, "date": "2026-11-10"}],
        "conditions": {
            "melanoma_histologically_confirmed": True,
            "sbrt_amenable_site": True,
            **dict.fromkeys(_ABSENT, False),
        },
        "childbearing_potential": True,
        "pregnancy_test": {"result": "negative", "datetime": "2026-11-21T09:00"},
        "consent_date": "2026-11-18",
    }


def enrol_eligible(store: Store, username: str = "inv1", *, randomise: bool = False) -> str:
    """Enrol, consent and screen (eligible) a patient at ``username``'s site; randomise too when asked.
    Returns the subject id."""
    from oncotrial.store import services

    with store.write() as session:
        actor = services.actor_for(session, username)
        patient = services.enrol_patient(session, actor, TRIAL, enrolled_on=CONSENTED_ON)
        services.record_consent(
            session, actor, TRIAL, patient.subject_id, form_version="2.0", consent_date=CONSENTED_ON
        )
        services.record_screening(session, actor, TRIAL, patient.subject_id, eligible_record(), screened_at=SCREENED_AT)
        subject_id = patient.subject_id
    if randomise:
        with store.write() as session:
            actor = services.actor_for(session, username)
            services.randomise(session, actor, TRIAL, subject_id, randomised_on=SCREENED_AT.date())
    return subject_id


# --- clinical data entry (dosing, safety, follow-up) -------------------------------------------------------

# NCT01416831 treatment starts on a Monday: the Monday after the screening above.
TREATMENT_START = dt.datetime(2026, 11, 23, 8, 0)
IMPORTED = "CDISCPILOT01"


def count_rows(store: Store, model: type[Base]) -> tuple[int, int]:
    """(rows of ``model``'s table, audit entries): both unchanged after a refused operation."""
    from sqlalchemy import func, select

    from oncotrial.store.models import AuditEntry

    with store.read() as session:
        rows = session.execute(select(func.count()).select_from(model)).scalar_one()
        entries = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    return int(rows), int(entries)


@pytest.fixture
def treated_store(trial_store: Store) -> tuple[Store, str]:
    """``trial_store`` with one patient of site 01 randomised and started on :data:`TREATMENT_START`, 70 kg;
    returns the store and the subject id."""
    from oncotrial.store import services

    subject_id = enrol_eligible(trial_store, "inv1", randomise=True)
    with trial_store.write() as session:
        actor = services.actor_for(session, "inv1")
        services.record_treatment_start(session, actor, TRIAL, subject_id, start=TREATMENT_START, weight_kg=70)
    return trial_store, subject_id


@pytest.fixture
def imported_store(trial_store: Store) -> Store:
    """``trial_store`` with a second trial, :data:`IMPORTED`, without a protocol (data from elsewhere), one site
    701, and patient 01-701-1015 enrolled by the statistician, consented on 2014-01-02."""
    from oncotrial.store import services

    with trial_store.write() as session:
        admin = services.actor_for(session, "admin")
        services.create_trial(session, admin, IMPORTED)
        services.add_site(session, admin, IMPORTED, "701", name="Site 701")
    with trial_store.write() as session:
        stat = services.actor_for(session, "stat")
        services.enrol_patient(
            session, stat, IMPORTED, site_code="701", subject_id="01-701-1015", enrolled_on=dt.date(2014, 1, 2)
        )
        services.record_consent(
            session, stat, IMPORTED, "01-701-1015", form_version="1", consent_date=dt.date(2014, 1, 2)
        )
    return trial_store


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database with no tables at all (a file of its own, or a PostgreSQL database of this test's
    own, dropped after it), for tests that create the schema themselves (an older revision, then upgrade)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    worker_url = make_url(request.getfixturevalue("pg_url"))  # the server is there (or the test skipped)
    name = f"{worker_url.database}_empty"
    engine = create_engine(
        os.environ[PG_ENV].replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield worker_url.set(database=name).render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def table_rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the audit trail too), by table, in primary-key order: equal before and after an
    operation that writes nothing.

    The tables are read as the database has them (reflected, plain SQL), not as today's models describe them, so
    that a database of an older revision (tests/store/test_migrate.py) is read as it is.
    """
    reflected = MetaData()
    reflected.reflect(store.engine)
    tables = [table for table in reflected.sorted_tables if table.name != "alembic_version"]
    with store.read() as session:
        return {
            table.name: [tuple(row) for row in session.execute(select(table).order_by(*table.primary_key.columns))]
            for table in tables
        }
