"""The crash test of issue 12, on SQLite and PostgreSQL: a separate process writes a stream of operations, each its
own transaction, and is killed (``SIGKILL``, no clean-up) after it has acknowledged some of them. After a restart
every acknowledged write is there, no operation is there in part, and the audit chain verifies."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select as select_rows

import oncotrial
from oncotrial.store import Store, open_store, verify_chain
from oncotrial.store.models import AllocationSlot, Consent, Patient, Randomisation, Screening, ScreeningCriterion

ROOT = Path(__file__).resolve().parents[2]
ACKNOWLEDGED_BEFORE_KILL = 7  # enrolled 1, randomised 1, ..., enrolled 4: the kill lands in randomisation 4 or later
DEADLINE_S = 60


def _acknowledgements(process: subprocess.Popen[str], count: int) -> list[tuple[str, str]]:
    """The first ``count`` lines the writer printed, read with a deadline (a hung writer fails the test)."""
    assert process.stdout is not None
    lines: list[tuple[str, str]] = []
    until = time.monotonic() + DEADLINE_S
    while len(lines) < count:
        ready, _, _ = select.select([process.stdout], [], [], max(until - time.monotonic(), 0))
        assert ready, f"the writer acknowledged {len(lines)} writes in {DEADLINE_S} s"
        line = process.stdout.readline()
        assert line, f"the writer stopped after {len(lines)} writes: {process.stderr.read() if process.stderr else ''}"
        action, subject = line.split()
        lines.append((action, subject))
    return lines


def _run_and_kill(url: str) -> list[tuple[str, str]]:
    source = Path(oncotrial.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(source)])}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.store.crash_writer", url],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        acknowledged = _acknowledgements(process, ACKNOWLEDGED_BEFORE_KILL)
        process.send_signal(signal.SIGKILL)  # mid-stream: the writer is inside its next transaction
    finally:
        process.kill()
        process.communicate(timeout=DEADLINE_S)
    assert process.returncode == -signal.SIGKILL
    return acknowledged


def test_a_killed_writer_loses_no_acknowledged_write_and_leaves_no_half_operation(trial_store: Store) -> None:
    url = trial_store.url
    trial_store.dispose()
    acknowledged = _run_and_kill(url)
    restarted = open_store(url)
    with restarted.read() as session:
        patients = dict(session.execute(select_rows(Patient.id, Patient.subject_id)).all())
        consents = Counter(session.execute(select_rows(Consent.patient_id)).scalars())
        screenings = dict(session.execute(select_rows(Screening.patient_id, Screening.id)).all())
        criteria = Counter(session.execute(select_rows(ScreeningCriterion.screening_id)).scalars())
        randomised = dict(session.execute(select_rows(Randomisation.patient_id, Randomisation.arm)).all())
        slots = dict(
            session.execute(
                select_rows(AllocationSlot.patient_id, AllocationSlot.arm).where(AllocationSlot.patient_id.is_not(None))
            ).all()
        )
        report = verify_chain(session)
        screening_count = session.execute(select_rows(func.count()).select_from(Screening)).scalar_one()
    restarted.dispose()
    enrolled = {s for action, s in acknowledged if action == "enrolled"}
    assigned = {s for action, s in acknowledged if action == "randomised"}
    assert len(enrolled) == 4
    assert len(assigned) == 3
    # every acknowledged write is there (and at most the one in flight beyond them)
    assert enrolled <= set(patients.values())
    assert len(patients) - len(enrolled) <= 1
    assert assigned <= {patients[p] for p in randomised}
    # an enrolment is whole: one consent, one screening, and the same number of criteria in every screening
    assert set(consents) == set(screenings) == set(patients)
    assert set(consents.values()) == {1}
    assert len(set(criteria.values())) == 1
    assert set(criteria) == set(screenings.values())
    assert screening_count == len(patients)
    # a randomisation is whole: the assignment and its slot of the list, with the same arm
    assert slots == randomised
    assert report.ok, str(report)
