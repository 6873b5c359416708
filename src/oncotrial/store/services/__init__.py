"""The operations on the trial database: one function per operation, each taking a session and the acting
user, checking the role and site first, enforcing the protocol through the core, and auditing every change.

The CLI and the web app call only these; a rule (a role, a site, a protocol limit) is enforced here once.
The caller runs each operation in one transaction (``with store.write() as session: ...``): all of it is
written, or nothing.
"""

from oncotrial.store.services._common import actor_for
from oncotrial.store.services.patients import (
    delete_patient,
    enrol_patient,
    enrol_patients,
    record_consent,
    record_consents,
    record_screening,
)
from oncotrial.store.services.randomisation import (
    correct_randomisation,
    randomise,
    record_crossover,
    record_recorded_assignments,
    setup_allocation,
)
from oncotrial.store.services.trials import add_protocol_version, add_site, add_user, bootstrap_admin, create_trial

__all__ = [
    "actor_for",
    "add_protocol_version",
    "add_site",
    "add_user",
    "bootstrap_admin",
    "correct_randomisation",
    "create_trial",
    "delete_patient",
    "enrol_patient",
    "enrol_patients",
    "randomise",
    "record_consent",
    "record_consents",
    "record_crossover",
    "record_recorded_assignments",
    "record_screening",
    "setup_allocation",
]
