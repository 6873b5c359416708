"""The operations on the trial database: one function per operation, each taking a session and the acting
user, checking the role and site first, enforcing the protocol through the core, and auditing every change.

The CLI and the web app call only these; a rule (a role, a site, a protocol limit) is enforced here once.
The caller runs each operation in one transaction (``with store.write() as session: ...``): all of it is
written, or nothing.
"""

from oncotrial.store.services._common import actor_for
from oncotrial.store.services.assessments import (
    RecordedBatch,
    StoredTimepoint,
    record_assessment,
    record_baseline_lesions,
    record_lesions,
    record_measurements,
    record_recorded_responses,
    timepoint_responses,
    update_measurement,
)
from oncotrial.store.services.audit import HistoryEntry, audit_history
from oncotrial.store.services.auth import (
    LogIn,
    TokenInfo,
    actor_for_session,
    actor_for_token,
    create_token,
    end_session,
    list_tokens,
    log_in,
    revoke_token,
    set_password,
)
from oncotrial.store.services.dosing import (
    record_administration,
    record_administrations,
    record_cycle_start,
    record_treatment_start,
    update_administration,
)
from oncotrial.store.services.followup import (
    record_death,
    record_dispositions,
    record_last_known_alive,
    record_off_study,
    record_off_treatment,
)
from oncotrial.store.services.overview import (
    Dashboard,
    PatientRow,
    ScreeningForm,
    ScreeningView,
    Timeline,
    TimelineEvent,
    TrialRow,
    list_patients,
    list_trials,
    patient_timeline,
    screening_form,
    trial_dashboard,
)
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
from oncotrial.store.services.safety import (
    record_adverse_event,
    record_adverse_events,
    record_lab_results,
    record_samples,
    update_adverse_event,
)
from oncotrial.store.services.trials import add_protocol_version, add_site, add_user, bootstrap_admin, create_trial

__all__ = [
    "Dashboard",
    "HistoryEntry",
    "LogIn",
    "PatientRow",
    "RecordedBatch",
    "ScreeningForm",
    "ScreeningView",
    "StoredTimepoint",
    "Timeline",
    "TimelineEvent",
    "TokenInfo",
    "TrialRow",
    "actor_for",
    "actor_for_session",
    "actor_for_token",
    "add_protocol_version",
    "add_site",
    "add_user",
    "audit_history",
    "bootstrap_admin",
    "correct_randomisation",
    "create_token",
    "create_trial",
    "delete_patient",
    "end_session",
    "enrol_patient",
    "enrol_patients",
    "list_patients",
    "list_tokens",
    "list_trials",
    "log_in",
    "patient_timeline",
    "randomise",
    "record_administration",
    "record_administrations",
    "record_adverse_event",
    "record_adverse_events",
    "record_assessment",
    "record_baseline_lesions",
    "record_consent",
    "record_consents",
    "record_crossover",
    "record_cycle_start",
    "record_death",
    "record_dispositions",
    "record_lab_results",
    "record_last_known_alive",
    "record_lesions",
    "record_measurements",
    "record_off_study",
    "record_off_treatment",
    "record_recorded_assignments",
    "record_recorded_responses",
    "record_samples",
    "record_screening",
    "record_treatment_start",
    "revoke_token",
    "screening_form",
    "set_password",
    "setup_allocation",
    "timepoint_responses",
    "trial_dashboard",
    "update_administration",
    "update_adverse_event",
    "update_measurement",
]
