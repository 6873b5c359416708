"""The tables of the trial database, one module per trial concept (SQLAlchemy 2 typed models)."""

from oncotrial.store.models.audit import AuditEntry, AuditHead
from oncotrial.store.models.base import Base
from oncotrial.store.models.dosing import Administration, CycleStart, TreatmentStart
from oncotrial.store.models.followup import DISPOSITION_EVENTS, Disposition
from oncotrial.store.models.login import ApiToken, LoginFailure, WebSession
from oncotrial.store.models.patient import Consent, Patient, PatientIdentity, Screening, ScreeningCriterion
from oncotrial.store.models.query import QUERY_STATUSES, DataQuery
from oncotrial.store.models.randomisation import AllocationSecret, AllocationSlot, Crossover, Randomisation
from oncotrial.store.models.safety import AdverseEvent, LabResult, Sample
from oncotrial.store.models.signoff import SIGNABLE, SignOff
from oncotrial.store.models.trial import ROLES, ProtocolVersion, Site, Trial, User
from oncotrial.store.models.tumour import Assessment, Lesion, Measurement, RecordedResponse, TimepointResponse

__all__ = [
    "DISPOSITION_EVENTS",
    "QUERY_STATUSES",
    "ROLES",
    "SIGNABLE",
    "Administration",
    "AdverseEvent",
    "AllocationSecret",
    "AllocationSlot",
    "ApiToken",
    "Assessment",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Consent",
    "Crossover",
    "CycleStart",
    "DataQuery",
    "Disposition",
    "LabResult",
    "Lesion",
    "LoginFailure",
    "Measurement",
    "Patient",
    "PatientIdentity",
    "ProtocolVersion",
    "Randomisation",
    "RecordedResponse",
    "Sample",
    "Screening",
    "ScreeningCriterion",
    "SignOff",
    "Site",
    "TimepointResponse",
    "TreatmentStart",
    "Trial",
    "User",
    "WebSession",
]
