"""Load test of the web app (issue 13): 50 users log in and read and enter data for 60 s, on SQLite or PostgreSQL.

What it does, in order:

1. A fresh database: a SQLite file in a temporary folder, or, with ``--pg URL`` (a role that may create
   databases), a PostgreSQL database of its own, dropped at the end. In it, the store tests' trial NCT01416831
   (sites 01 and 02, allocation drawn), ``--users`` staff with generated passwords (kept in memory only, hashed
   with argon2's defaults as in production): site users (coordinators and investigators, half at each site) and
   one monitor in five; and ``--patients`` patients per site, enrolled, consented and screened eligible.
2. The real app (``create_app``) under uvicorn in a subprocess, on 127.0.0.1 and a free port, ``--workers N``
   (1 by default); ``--server-cpus 0,1`` pins it (``taskset``) and ``--client-cpus`` pins this process.
3. Every virtual user logs in through the log-in form (the log-ins spread over ``--ramp`` seconds, 10 by
   default, as staff arrive, rather than fifty argon2 checks in the same instant) (the form's token and cookie, then the session's CSRF
   token from the trial list), makes a personal access token for the API, then loops until ``--seconds`` are
   over: it picks a kind of request from :data:`KINDS` by weight (about 80 % reads), sends it, waits
   ``--think`` seconds on average (uniform between 0 and twice that; 0: no wait), and again. A monitor only
   reads. Writes are adverse events (page form and API) and screenings (page form and API), each with a unique
   key (the term, or the screening time) so that it can be found afterwards.
4. The report: requests per second and p50/p95/p99/max latency per kind, as a table and (``--json FILE``) as
   JSON, with the machine, its load average and the CPU time of server and client. Then the checks: no 5xx and
   no other status than the kind expects; every acknowledged write (303 or 201) read back through the store;
   the audit chain verifies. The exit status is 1 when a check fails (the latency targets are reported, not
   enforced: ``--require-targets`` enforces them too).

Bounds: loopback only; every request has a timeout (``--timeout``); each user stops after ``--seconds`` or
``--max-requests`` requests; the whole run is cancelled after ``--ramp`` + ``--seconds`` + 120 s.

A new kind of request is one line of :data:`KINDS` (a GET: a name, a weight and a path).

Run: ``python bench/bench_web_load.py [--users 50] [--seconds 60] [--pg URL] [--workers 1] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
TRIAL = "NCT01416831"
HOST = "127.0.0.1"  # loopback only
DB_ENV, SECRET_ENV, PROFILE_ENV = "ONCOTRIAL_BENCH_DB", "ONCOTRIAL_BENCH_SECRET", "ONCOTRIAL_BENCH_PROFILE"
PAGE_READ_P99_MS, WRITE_P99_MS = 200.0, 500.0  # issue 13's targets (SQLite, 2 cores)
SCREENED_AT = dt.datetime(2026, 11, 21, 9, 0)  # the store tests' eligible screening; each write adds seconds
PATIENT = "/trials/{trial}/patients/{patient}"


def app_from_environment() -> Any:
    """The app for uvicorn's ``--factory`` (the server subprocess): the database and secret key from the
    environment this script sets (the app itself never reads the environment)."""
    from oncotrial.web import Settings, create_app

    app = create_app(Settings(db_url=os.environ[DB_ENV], secret_key=os.environ[SECRET_ENV]))
    return _profiled(app, Path(os.environ[PROFILE_ENV])) if os.environ.get(PROFILE_ENV) else app


def _profiled(app: Any, path: Path) -> Any:
    """``--server-profile``: every request runs in the event loop's thread (FastAPI's thread pool replaced by a
    direct call), so that cProfile, which sees one thread, sees all the work; the statistics are written to
    ``path`` when the server shuts down. The latencies of such a run are not the app's: it finds the costs."""
    import cProfile

    import fastapi.dependencies.utils
    import fastapi.routing

    async def direct(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    fastapi.routing.run_in_threadpool = direct
    fastapi.dependencies.utils.run_in_threadpool = direct
    profile = cProfile.Profile()

    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        async def sending(message: Any) -> None:
            if message["type"] == "lifespan.shutdown.complete":  # uvicorn ends by its signal: no atexit
                profile.disable()
                profile.dump_stats(path)
            await send(message)

        if scope["type"] == "lifespan":
            profile.enable()
            await app(scope, receive, sending)
        else:
            await app(scope, receive, send)

    return wrapper


# --- the kinds of request ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """An acknowledged write, to find afterwards: what (adverse event, screening), whose, and its unique key."""

    what: str
    subject_id: str
    key: str


def _ae_fields(write: Write) -> dict[str, str]:
    return {"term": write.key, "grade": "2", "onset": "2026-11-24", "serious": "N"}


def _ae_body(write: Write) -> dict[str, Any]:
    return {**_ae_fields(write), "grade": 2, "serious": False}


def _record() -> dict[str, Any]:
    from tests.store.conftest import eligible_record

    return eligible_record()


def _screening_fields(write: Write) -> dict[str, str]:
    from tests.web.test_patients import screening_form_data

    return {**screening_form_data(""), "screened_at": write.key}


def _screening_body(write: Write) -> dict[str, Any]:
    return {"record": _record(), "screened_at": write.key}


@dataclass(frozen=True)
class Kind:
    """A kind of request: its name in the report, its weight in the mix, the path (``{trial}``, ``{patient}``,
    ``{search}`` filled in), the status that answers it, and for a write what it writes and how it is sent (a
    page form, or an API JSON body with the user's token)."""

    name: str
    weight: int
    path: str
    expect: int = 200
    writes: str | None = None
    form: Callable[[Write], dict[str, str]] | None = None
    body: Callable[[Write], dict[str, Any]] | None = None
    entry: bool = False  # only a data-entry role (a write, or a form page)

    @property
    def page(self) -> bool:
        return not self.path.startswith("/api")


KINDS: tuple[Kind, ...] = (
    Kind("page: dashboard", 10, "/trials/{trial}"),
    Kind("page: patient list", 12, "/trials/{trial}/patients"),
    Kind("page: patient search", 6, "/trials/{trial}/patients?search={search}"),
    Kind("page: patient", 18, PATIENT),
    Kind("page: screening form", 6, PATIENT + "/screening", entry=True),
    Kind("page: adverse-event form", 4, PATIENT + "/adverse-events/new", entry=True),
    Kind("api: dashboard", 6, "/api/trials/{trial}"),
    Kind("api: patient list", 8, "/api/trials/{trial}/patients"),
    Kind("api: patient", 10, "/api" + PATIENT),
    Kind("page: save adverse event", 6, PATIENT + "/adverse-events", 303, "adverse event", form=_ae_fields),
    Kind("api: save adverse event", 5, "/api" + PATIENT + "/adverse-events", 201, "adverse event", body=_ae_body),
    Kind("page: save screening", 5, PATIENT + "/screening", 303, "screening", form=_screening_fields),
    Kind("api: save screening", 4, "/api" + PATIENT + "/screenings", 201, "screening", body=_screening_body),
)
LOGIN_KINDS = ("log-in (form, argon2)", "page: trial list (after log-in)", "api: make a token")


# --- the database --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    username: str
    password: str
    role: str
    site: str | None


@dataclass(frozen=True)
class Population:
    users: list[User]
    patients: dict[str, list[str]]  # site code -> subject ids


def _users(count: int) -> list[User]:
    """``count`` users: one in five a monitor, the others coordinators and investigators, sites 01 and 02 in
    turn; passwords from ``secrets`` (never written anywhere)."""
    users = []
    for number in range(1, count + 1):
        role = "monitor" if number % 5 == 0 else ("coordinator" if number % 2 else "investigator")
        site = None if role == "monitor" else ("01" if (number // 2) % 2 else "02")
        users.append(User(f"load{number:03d}", secrets.token_urlsafe(18), role, site))
    return users


def populate(store: Any, users: int, patients_per_site: int) -> Population:
    """The trial, ``users`` staff with their passwords, and ``patients_per_site`` screened patients per site."""
    from tests.store.conftest import build_trial, enrol_eligible

    from oncotrial.store import services

    build_trial(store)
    staff = _users(users)
    with store.write() as session:
        admin = services.actor_for(session, "admin")
        for user in staff:
            services.add_user(
                session,
                admin,
                user.username,
                role=user.role,
                full_name=f"Load {user.username}",
                trial_code=TRIAL if user.site else None,
                site_code=user.site,
            )
            services.set_password(session, admin, user.username, user.password)
    patients = {
        site: [enrol_eligible(store, f"inv{int(site)}") for _ in range(patients_per_site)] for site in ("01", "02")
    }
    return Population(staff, patients)


@contextmanager
def fresh_database(pg_admin_url: str | None, folder: Path) -> Iterator[str]:
    """The URL of a new, current database (SQLite file, or a PostgreSQL database dropped at the end)."""
    from sqlalchemy import create_engine, text

    from oncotrial.store import open_store
    from oncotrial.store.migrate import init_schema

    if pg_admin_url is None:
        url = f"sqlite:///{folder / 'load.db'}"
        engine = None
    else:
        name = f"oncotrial_bench_load_{os.getpid()}_{secrets.token_hex(3)}"
        engine = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = engine.url.set(database=name).render_as_string(hide_password=False)
    store = open_store(url, check_schema=False)
    init_schema(store)
    store.dispose()
    try:
        yield url
    finally:
        if engine is not None:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            engine.dispose()


# --- the server ----------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(
    url: str, workers: int, cpus: str | None, log: Path, profile: Path | None = None
) -> Iterator[tuple[str, int]]:
    """uvicorn with the real app on loopback; yields its base URL and pid; stopped (SIGTERM, then SIGKILL)."""
    port = _free_port()
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "bench_web_load:app_from_environment",
        "--app-dir", str(Path(__file__).parent), "--host", HOST, "--port", str(port),
        "--workers", str(workers), "--log-level", "warning", "--no-access-log",
        "--timeout-keep-alive", "75",  # as a browser keeps a connection: 5 s raced users waiting for the others
    ]  # fmt: skip
    if cpus:
        command = ["taskset", "-c", cpus, *command]
    env = {**os.environ, DB_ENV: url, SECRET_ENV: secrets.token_urlsafe(32)}
    if profile is not None:
        env[PROFILE_ENV] = str(profile.resolve())
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH")) if p)
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent)
    base = f"http://{HOST}:{port}"
    try:
        _wait_until_up(base, server, log)
        yield base, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped at start:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(base + "/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer within 60 s:\n{log.read_text(errors='replace')[-3000:]}")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (uvicorn's workers), from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


# --- the virtual users ---------------------------------------------------------------------------------------


@dataclass
class Results:
    """Latencies (seconds) and statuses by kind; unexpected answers; acknowledged writes."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)

    def note(self, kind: str, seconds: float, status: int, expect: int, where: str) -> bool:
        self.latencies.setdefault(kind, []).append(seconds)
        counts = self.statuses.setdefault(kind, {})
        counts[status] = counts.get(status, 0) + 1
        if status != expect:
            self.problems.append(f"{kind} {where}: {status} (expected {expect})")
        return status == expect


LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class VirtualUser:
    """One member of staff in a browser of their own (cookies), with a personal access token for the API."""

    def __init__(self, number: int, user: User, population: Population, base: str, timeout: float) -> None:
        self.number, self.user, self.results = number, user, Results()
        self.patients = (
            population.patients[user.site] if user.site else [p for ps in population.patients.values() for p in ps]
        )
        self.client = httpx.AsyncClient(base_url=base, timeout=timeout, follow_redirects=False)
        self.random = random.Random(number)
        self.csrf, self.token, self.sent = "", "", 0
        self.kinds = [k for k in KINDS if user.role != "monitor" or not (k.entry or k.writes)]
        self.weights = [k.weight for k in self.kinds]

    async def timed(self, kind: str, expect: int, method: str, path: str, **options: Any) -> httpx.Response | None:
        """Send one request and note its latency and status (a transport error counts as status 0)."""
        started = time.perf_counter()
        try:
            answer: httpx.Response | None = await self.client.request(method, path, **options)
        except httpx.HTTPError as exc:
            answer = None
            self.results.problems.append(f"{kind} {path}: {type(exc).__name__} {exc}")
        status = answer.status_code if answer is not None else 0
        self.results.note(kind, time.perf_counter() - started, status, expect, f"{method} {path}")
        self.sent += 1
        return answer if status == expect else None

    async def log_in(self) -> bool:
        page = await self.client.get("/login")
        found = LOGIN_TOKEN.search(page.text)
        form = {"username": self.user.username, "password": self.user.password, "next": "/"}
        form["login_token"] = found.group(1) if found else ""
        if await self.timed(LOGIN_KINDS[0], 303, "POST", "/login", data=form) is None:
            return False
        trials = await self.timed(LOGIN_KINDS[1], 200, "GET", "/")
        csrf = CSRF.search(trials.text) if trials is not None else None
        self.csrf = csrf.group(1) if csrf else ""
        made = await self.timed(
            LOGIN_KINDS[2], 201, "POST", "/api/tokens", json={"name": "load test"}, headers={"X-CSRF-Token": self.csrf}
        )
        self.token = made.json()["token"] if made is not None else ""
        return bool(self.csrf and self.token)

    def _write(self, kind: Kind, patient: str) -> Write:
        assert kind.writes is not None
        if kind.writes == "screening":  # a unique time: the user's block of 1,000 seconds after 09:00
            at = SCREENED_AT + dt.timedelta(seconds=self.number * 1000 + self.sent % 1000)
            return Write(kind.writes, patient, at.isoformat())
        return Write(kind.writes, patient, f"load test {self.user.username} {self.sent:06d}")

    async def one(self, kind: Kind) -> None:
        patient = self.random.choice(self.patients)
        path = kind.path.format(trial=TRIAL, patient=patient, search=patient[-3:])
        if kind.writes is None:
            headers = {} if kind.page else {"Authorization": f"Bearer {self.token}"}
            await self.timed(kind.name, kind.expect, "GET", path, headers=headers)
            return
        write = self._write(kind, patient)
        if kind.form is not None:
            options: dict[str, Any] = {"data": {**kind.form(write), "csrf_token": self.csrf}}
        else:
            assert kind.body is not None
            options = {"json": kind.body(write), "headers": {"Authorization": f"Bearer {self.token}"}}
        if await self.timed(kind.name, kind.expect, "POST", path, **options) is not None:
            self.results.writes.append(write)

    async def run(self, start: Start, args: argparse.Namespace) -> Results:
        think, max_requests = args.think, args.max_requests
        try:
            await asyncio.sleep((self.number - 1) * args.ramp / args.users)  # staff log in one after the other
            logged_in = await self.log_in()
            until = await start.wait()
            # the first request after a think time too, as every later one: fifty requests sent in the same
            # millisecond are a burst no staff make, and it queued ~0.7 s of work on 2 cores (the max of every kind)
            await asyncio.sleep(self.random.uniform(0, 2 * think))
            while logged_in and time.monotonic() < until and self.sent < max_requests:
                await self.one(self.random.choices(self.kinds, self.weights)[0])
                if think > 0:
                    await asyncio.sleep(min(self.random.uniform(0, 2 * think), max(0.0, until - time.monotonic())))
        finally:
            await self.client.aclose()
        return self.results


class Start:
    """The loops start together once every user has logged in (the log-ins are timed apart); ``wait`` gives
    the time they end."""

    def __init__(self, users: int, seconds: float, on_start: Callable[[], None]) -> None:
        self.waiting, self.seconds, self.event, self.on_start = users, seconds, asyncio.Event(), on_start
        self.started = self.until = 0.0

    async def wait(self) -> float:
        self.waiting -= 1
        if self.waiting == 0:
            self.on_start()
            self.started = time.monotonic()
            self.until = self.started + self.seconds
            self.event.set()
        await self.event.wait()
        return self.until


async def load(
    base: str, population: Population, args: argparse.Namespace, on_start: Callable[[], None]
) -> tuple[Results, float]:
    """All users at once; their results merged, and the time the loops took (``on_start`` is called as the loops
    start, after the log-ins)."""
    start = Start(len(population.users), args.seconds, on_start)
    users = [VirtualUser(n, u, population, base, args.timeout) for n, u in enumerate(population.users, start=1)]
    runs = [u.run(start, args) for u in users]
    parts = await asyncio.wait_for(asyncio.gather(*runs), timeout=args.ramp + args.seconds + 120)
    merged = Results()
    for part in parts:
        for kind, values in part.latencies.items():
            merged.latencies.setdefault(kind, []).extend(values)
        for kind, counts in part.statuses.items():
            for status, count in counts.items():
                merged.statuses.setdefault(kind, {})[status] = merged.statuses.get(kind, {}).get(status, 0) + count
        merged.problems += part.problems
        merged.writes += part.writes
    return merged, time.monotonic() - start.started


# --- checks and report ---------------------------------------------------------------------------------------


def missing_writes(url: str, writes: list[Write]) -> tuple[list[Write], str]:
    """The acknowledged writes not found in the database, and the audit chain's verdict."""
    from sqlalchemy import select

    from oncotrial.store import open_store, verify_chain
    from oncotrial.store.models import AdverseEvent, Patient, Screening

    store = open_store(url)
    try:
        with store.read() as session:
            events = session.execute(
                select(Patient.subject_id, AdverseEvent.term).join(Patient, Patient.id == AdverseEvent.patient_id)
            )
            found = {("adverse event", subject, term) for subject, term in events}
            screenings = session.execute(
                select(Patient.subject_id, Screening.screened_at).join(Patient, Patient.id == Screening.patient_id)
            )
            found |= {("screening", subject, at.isoformat()) for subject, at in screenings}
            chain = verify_chain(session)
    finally:
        store.dispose()
    return [w for w in writes if (w.what, w.subject_id, w.key) not in found], str(chain) if not chain.ok else "ok"


def _percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank, as load tools report it), in milliseconds."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil
    return 1000 * ordered[int(rank) - 1]


def summarise(results: Results, seconds: float) -> dict[str, dict[str, Any]]:
    """Per kind: count, requests per second, p50/p95/p99/max (ms), statuses, and the target it is held to."""
    kinds = {kind.name: kind for kind in KINDS}
    table = {}
    for name in sorted(results.latencies, key=lambda n: (n not in LOGIN_KINDS, n)):
        values, kind = results.latencies[name], kinds.get(name)
        target = None if kind is None else (WRITE_P99_MS if kind.writes else PAGE_READ_P99_MS if kind.page else None)
        p99 = _percentile(values, 99)
        table[name] = {
            "count": len(values),
            "per_second": None if name in LOGIN_KINDS else round(len(values) / seconds, 2),
            "p50_ms": round(_percentile(values, 50), 1),
            "p95_ms": round(_percentile(values, 95), 1),
            "p99_ms": round(p99, 1),
            "max_ms": round(1000 * max(values), 1),
            "statuses": {str(s): c for s, c in sorted(results.statuses[name].items())},
            "target_p99_ms": target,
            "target_met": None if target is None else p99 < target,
        }
    return table


def _loop_requests(table: dict[str, dict[str, Any]]) -> int:
    return sum(row["count"] for name, row in table.items() if name not in LOGIN_KINDS)


def _print_table(table: dict[str, dict[str, Any]], total: int, seconds: float) -> None:
    print(
        f"{'kind of request':<32} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  target"
    )
    for name, row in table.items():
        target = (
            ""
            if row["target_p99_ms"] is None
            else f"p99<{row['target_p99_ms']:.0f} {'ok' if row['target_met'] else 'MISSED'}"
        )
        print(
            f"{name:<32} {row['count']:>7} {row['per_second'] or 0:>7.1f} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
            f"{row['p99_ms']:>8.1f} {row['max_ms']:>8.1f}  {target}"
        )  # fmt: skip
    print(f"{'all (the loops)':<32} {total:>7} {total / seconds:>7.1f}  (log-in kinds before the loops, not in req/s)")


def machine(args: argparse.Namespace, load_before: tuple[float, ...]) -> dict[str, Any]:
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "cores_online": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "server_cpus": args.server_cpus,
        "client_cpus": args.client_cpus,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50, help="virtual users at once (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="how long the users loop (default 60)")
    parser.add_argument("--ramp", type=float, default=10, help="the log-ins spread over this many s (default 10)")
    parser.add_argument("--think", type=float, default=0.5, help="mean wait between a user's requests, s (0.5)")
    parser.add_argument("--patients", type=int, default=50, help="patients per site (default 50)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    parser.add_argument("--pg", metavar="URL", help="a PostgreSQL server (a role that may create databases)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures and checks as JSON")
    parser.add_argument("--server-cpus", help="taskset CPU list for the server (e.g. 0,1)")
    parser.add_argument("--client-cpus", help="CPU list for this process (the virtual users)")
    parser.add_argument("--timeout", type=float, default=30, help="a request's timeout, s (default 30)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="per user (default 100000)")
    parser.add_argument(
        "--server-profile", type=Path, metavar="FILE", help="cProfile the server (one thread) into FILE"
    )
    parser.add_argument("--require-targets", action="store_true", help="exit 1 when a p99 target is missed")
    args = parser.parse_args(argv)
    if not (1 <= args.users <= 1000 and 0 < args.seconds <= 3600 and args.patients >= 1 and args.workers >= 1):
        parser.error("give 1-1000 users, 0-3600 seconds, at least one patient per site and one worker")
    if not 0 <= args.ramp <= 600:
        parser.error("give a ramp of 0-600 seconds")
    return args


def _checks(results: Results, url: str) -> dict[str, Any]:
    missing, chain = missing_writes(url, results.writes)
    server_errors = sum(c for counts in results.statuses.values() for s, c in counts.items() if s >= 500 or s == 0)
    return {
        "acknowledged_writes": len(results.writes),
        "missing_writes": [w.__dict__ for w in missing[:20]],
        "missing_count": len(missing),
        "server_errors": server_errors,
        "unexpected_answers": len(results.problems),
        "first_problems": results.problems[:20],
        "audit_chain": chain,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Set up, load, check; the report as a dict (printed as a table on the way)."""
    from oncotrial.store import open_store

    if args.client_cpus:
        os.sched_setaffinity(0, {int(c) for c in args.client_cpus.split(",")})
    sys.path.insert(0, str(ROOT))  # the tests' trial setup and eligible record
    with tempfile.TemporaryDirectory(prefix="oncotrial-load-") as folder, fresh_database(args.pg, Path(folder)) as url:
        store = open_store(url)
        population = populate(store, args.users, args.patients)
        store.dispose()
        _screening_fields(Write("screening", "", ""))  # its imports now: inside the loops they stalled every user
        load_before = os.getloadavg()
        server = running_server(url, args.workers, args.server_cpus, Path(folder) / "server.log", args.server_profile)
        with server as (base, pid):
            cpu: list[float] = []  # server and client CPU seconds as the loops start (the log-ins' argon2 apart)
            on_start = lambda: cpu.extend((_cpu_seconds(pid), time.process_time()))  # noqa: E731
            results, seconds = asyncio.run(load(base, population, args, on_start))
            server_cpu, client_cpu = _cpu_seconds(pid) - cpu[0], time.process_time() - cpu[1]
            log_tail = (Path(folder) / "server.log").read_text(errors="replace")[-3000:]
        table = summarise(results, seconds)
        report = {
            "backend": "postgresql" if args.pg else "sqlite",
            "users": args.users,
            "seconds": round(seconds, 2),
            "think_s": args.think,
            "ramp_s": args.ramp,
            "workers": args.workers,
            "machine": machine(args, load_before),
            "server_cpu_s": round(server_cpu, 1),
            "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, _loop_requests(table)), 2),
            "client_cpu_s": round(client_cpu, 1),
            "requests": _loop_requests(table),
            "kinds": table,
            "checks": _checks(results, url),
        }
    _print_table(table, report["requests"], seconds)
    if report["checks"]["server_errors"] and log_tail:
        print("server log (end):\n" + log_tail)
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.server_cpus and shutil.which("taskset") is None:
        raise SystemExit("--server-cpus needs taskset (util-linux)")
    report = run(args)
    checks = report["checks"]
    print(
        f"{report['backend']}, {report['users']} users, {report['seconds']} s, {report['workers']} worker(s): "
        f"{report['requests']} requests; server CPU {report['server_cpu_s']} s "
        f"({report['server_cpu_ms_per_request']} ms a request), client CPU {report['client_cpu_s']} s; "
        f"load average {report['machine']['load_average_before']} -> {report['machine']['load_average_after']}"
    )
    print(
        f"checks: {checks['acknowledged_writes']} acknowledged writes, {checks['missing_count']} missing; "
        f"{checks['server_errors']} server errors, {checks['unexpected_answers']} unexpected answers; "
        f"audit chain {checks['audit_chain']}"
    )
    for problem in checks["first_problems"]:
        print("  " + problem)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    failed = checks["missing_count"] or checks["unexpected_answers"] or checks["audit_chain"] != "ok"
    missed = any(row["target_met"] is False for row in report["kinds"].values())
    return 1 if failed or (args.require_targets and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
