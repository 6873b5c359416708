"""The writer the crash test kills: ``python -m tests.store.crash_writer URL`` enrols (with consent and an eligible
screening: one transaction) and then randomises (another) patient after patient at site 01 of the trial that
``tests/store/conftest.py``'s ``trial_store`` set up, and prints one line after each commit returns:
``enrolled 01-0001``, ``randomised 01-0001``. A line printed is a write acknowledged."""

from __future__ import annotations

import sys

from oncotrial.store import open_store
from oncotrial.store.services import actor_for, randomise
from tests.store.conftest import SCREENED_AT, TRIAL, enrol_eligible


def main(url: str, patients: int = 1000) -> None:
    store = open_store(url)
    for _ in range(patients):
        subject = enrol_eligible(store, "inv1")
        print("enrolled", subject, flush=True)
        with store.write() as session:
            randomise(session, actor_for(session, "inv1"), TRIAL, subject, randomised_on=SCREENED_AT.date())
        print("randomised", subject, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
