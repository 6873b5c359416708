"""Eligibility: evaluate patient records against a protocol's criteria; screening logs."""

from oncotrial.eligibility.evaluate import CriterionResult, EligibilityResult, evaluate_eligibility
from oncotrial.eligibility.records import LabResult, Lesion, PatientRecord, PregnancyTest, PriorTherapy
from oncotrial.eligibility.screening import RecordError, ScreeningLog, screen_patients

__all__ = [
    "CriterionResult",
    "EligibilityResult",
    "LabResult",
    "Lesion",
    "PatientRecord",
    "PregnancyTest",
    "PriorTherapy",
    "RecordError",
    "ScreeningLog",
    "evaluate_eligibility",
    "screen_patients",
]
