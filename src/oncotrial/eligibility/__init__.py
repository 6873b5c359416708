"""Eligibility: evaluate patient records against a protocol's criteria; screening logs.

The results (``CriterionResult``, ``EligibilityResult``, ``ScreeningLog``, ``RecordProblem``) are frozen
and have ``to_frame()``, a JSON-safe ``to_dict()`` and a ``str()`` of at most 80 columns.
"""

from oncotrial.eligibility.evaluate import CriterionResult, EligibilityResult, evaluate_eligibility
from oncotrial.eligibility.parse import ParsedLine, parse_criteria_text, split_criteria_lines
from oncotrial.eligibility.records import LabResult, Lesion, PatientRecord, PregnancyTest, PriorTherapy
from oncotrial.eligibility.screening import RecordProblem, ScreeningLog, screen_patients
from oncotrial.eligibility.template import TemplateField, build_record_template

__all__ = [
    "CriterionResult",
    "EligibilityResult",
    "LabResult",
    "Lesion",
    "ParsedLine",
    "PatientRecord",
    "PregnancyTest",
    "PriorTherapy",
    "RecordProblem",
    "ScreeningLog",
    "TemplateField",
    "build_record_template",
    "evaluate_eligibility",
    "parse_criteria_text",
    "screen_patients",
    "split_criteria_lines",
]
