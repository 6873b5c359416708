"""RECIST 1.1: lesion validation, time-point response, best overall response and ADRS parameters.

Pure functions over pandas DataFrames; rules and defaults follow RECIST 1.1 and admiralonco.
"""

from oncotrial.recist.adrs import PARAMETER_NAMES, derive_adrs, derive_adrs_from_overall
from oncotrial.recist.analysis import LesionResponseAnalysis, derive_lesion_response_analysis
from oncotrial.recist.baseline import BaselineBreach, BaselineEvaluation, evaluate_baseline_lesions
from oncotrial.recist.best_response import (
    AVAL_CODES,
    RESPONSE_PARAMETERS,
    RULE_LIMITS,
    ResponseRules,
    derive_overall_response_flags,
    derive_response_parameters,
)
from oncotrial.recist.dates import ImputedDates, compute_imputed_dates
from oncotrial.recist.irecist import IRESPONSES, IResponse, derive_irecist_best_response, derive_irecist_responses
from oncotrial.recist.lesions import derive_lesion_assessments
from oncotrial.recist.rules import (
    BaselineRules,
    NewLesions,
    NonTargetResponse,
    OverallResponse,
    OverallResponseCodes,
    OverallResponseTable,
    TargetResponse,
    load_baseline_rules,
    load_overall_response_table,
)
from oncotrial.recist.sizes import TUMOUR_SIZE_COLUMNS, derive_best_tumour_change, derive_tumour_sizes
from oncotrial.recist.summary import derive_adrs_from_timepoints, derive_subject_summary
from oncotrial.recist.timepoint import TARGET_RULES, TargetRule, derive_timepoint_responses
from oncotrial.recist.trial_rules import (
    derive_irradiated_flags,
    derive_pet_confirmed_response,
    select_lesions,
    select_primary_timepoint,
)

__all__ = [
    "AVAL_CODES",
    "IRESPONSES",
    "PARAMETER_NAMES",
    "RESPONSE_PARAMETERS",
    "RULE_LIMITS",
    "TARGET_RULES",
    "TUMOUR_SIZE_COLUMNS",
    "BaselineBreach",
    "BaselineEvaluation",
    "BaselineRules",
    "IResponse",
    "ImputedDates",
    "LesionResponseAnalysis",
    "NewLesions",
    "NonTargetResponse",
    "OverallResponse",
    "OverallResponseCodes",
    "OverallResponseTable",
    "ResponseRules",
    "TargetResponse",
    "TargetRule",
    "compute_imputed_dates",
    "derive_adrs",
    "derive_adrs_from_overall",
    "derive_adrs_from_timepoints",
    "derive_best_tumour_change",
    "derive_irecist_best_response",
    "derive_irecist_responses",
    "derive_irradiated_flags",
    "derive_lesion_assessments",
    "derive_lesion_response_analysis",
    "derive_overall_response_flags",
    "derive_pet_confirmed_response",
    "derive_response_parameters",
    "derive_subject_summary",
    "derive_timepoint_responses",
    "derive_tumour_sizes",
    "evaluate_baseline_lesions",
    "load_baseline_rules",
    "load_overall_response_table",
    "select_lesions",
    "select_primary_timepoint",
]
