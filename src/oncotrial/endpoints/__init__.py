"""Endpoints: response rates with intervals, time-to-event derivation, Kaplan-Meier, log-rank, Cox.

Every result (``KaplanMeierResult``, ``RestrictedMean``, ``SurvivalSummary``, ``LogRankResult``,
``CoxResult``, ``BinomialInterval``, ``ResponseRates``, ``ResponseSummary``, ``RateComparison``,
``QuantileEstimate``) is frozen and has ``to_frame()``, a JSON-safe ``to_dict()`` and a ``str()`` of at
most 80 columns. ``derive_survival_summary``, ``derive_cox_model`` and ``derive_response_summary`` read an
ADTTE or an ADRS as ADaM writes it (``PARAMCD``, ``AVAL``/``CNSR``, ``AVALC``; see ``endpoints.adam``).
"""

from oncotrial.endpoints.adam import (
    check_one_row_per_subject,
    choose_response_column,
    choose_time_to_event_columns,
    select_parameter,
)
from oncotrial.endpoints.characteristics import CharacteristicsSummary, summarise_characteristics
from oncotrial.endpoints.compare import CoxResult, LogRankResult, compute_cox_regression, compute_logrank_test
from oncotrial.endpoints.cox import CoxCovariate, derive_cox_design, derive_cox_model
from oncotrial.endpoints.km import (
    ConfType,
    KaplanMeierResult,
    QuantileEstimate,
    RestrictedMean,
    check_survival_data,
    check_time_to_event_columns,
    compute_kaplan_meier,
    compute_median_followup,
)
from oncotrial.endpoints.rates import (
    RESPONSES,
    BinomialInterval,
    IntervalMethod,
    RateComparison,
    ResponseRates,
    ResponseSummary,
    check_best_responses,
    compare_response_rates,
    compute_binomial_interval,
    compute_exact_p_value,
    compute_two_sided_binomial_p,
    derive_response_rates,
    derive_response_summary,
)
from oncotrial.endpoints.survival import SurvivalSummary, derive_survival_summary
from oncotrial.endpoints.tte import (
    ADRS_PARAMETERS,
    MAX_GAP_DAYS_LIMITS,
    SURVIVAL_COLUMNS,
    TimeToEventSource,
    check_adtte_columns,
    derive_adtte,
    derive_param_tte,
)

__all__ = [
    "ADRS_PARAMETERS",
    "MAX_GAP_DAYS_LIMITS",
    "RESPONSES",
    "SURVIVAL_COLUMNS",
    "BinomialInterval",
    "CharacteristicsSummary",
    "ConfType",
    "CoxCovariate",
    "CoxResult",
    "IntervalMethod",
    "KaplanMeierResult",
    "LogRankResult",
    "QuantileEstimate",
    "RateComparison",
    "ResponseRates",
    "ResponseSummary",
    "RestrictedMean",
    "SurvivalSummary",
    "TimeToEventSource",
    "check_adtte_columns",
    "check_best_responses",
    "check_one_row_per_subject",
    "check_survival_data",
    "check_time_to_event_columns",
    "choose_response_column",
    "choose_time_to_event_columns",
    "compare_response_rates",
    "compute_binomial_interval",
    "compute_cox_regression",
    "compute_exact_p_value",
    "compute_kaplan_meier",
    "compute_logrank_test",
    "compute_median_followup",
    "compute_two_sided_binomial_p",
    "derive_adtte",
    "derive_cox_design",
    "derive_cox_model",
    "derive_param_tte",
    "derive_response_rates",
    "derive_response_summary",
    "derive_survival_summary",
    "select_parameter",
    "summarise_characteristics",
]
