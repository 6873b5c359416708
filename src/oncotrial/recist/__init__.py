"""RECIST 1.1: best overall response and the ADRS response parameters (lesion-level engine to follow).

Pure functions over pandas DataFrames; rules and defaults follow RECIST 1.1 and admiralonco.
"""

from oncotrial.recist.adrs import PARAMETER_NAMES, derive_adrs_from_overall
from oncotrial.recist.best_response import (
    AVAL_CODES,
    RESPONSE_PARAMETERS,
    ResponseRules,
    derive_overall_response_flags,
    derive_response_parameters,
)
from oncotrial.recist.dates import ImputedDates, compute_imputed_dates

__all__ = [
    "AVAL_CODES",
    "PARAMETER_NAMES",
    "RESPONSE_PARAMETERS",
    "ImputedDates",
    "ResponseRules",
    "compute_imputed_dates",
    "derive_adrs_from_overall",
    "derive_overall_response_flags",
    "derive_response_parameters",
]
