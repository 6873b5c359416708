"""Endpoints: response rates with intervals, time-to-event derivation, Kaplan-Meier, log-rank, Cox."""

from oncotrial.endpoints.compare import CoxResult, LogRankResult, compute_cox_regression, compute_logrank_test
from oncotrial.endpoints.km import (
    KaplanMeierResult,
    QuantileEstimate,
    check_survival_data,
    compute_kaplan_meier,
    compute_median_followup,
)
from oncotrial.endpoints.rates import (
    BinomialInterval,
    RateComparison,
    compare_response_rates,
    compute_binomial_interval,
    compute_exact_p_value,
    compute_two_sided_binomial_p,
    derive_response_rates,
)
from oncotrial.endpoints.survival import SurvivalSummary, derive_survival_summary
from oncotrial.endpoints.tte import TimeToEventSource, derive_adtte, derive_param_tte

__all__ = [
    "BinomialInterval",
    "CoxResult",
    "KaplanMeierResult",
    "LogRankResult",
    "QuantileEstimate",
    "RateComparison",
    "SurvivalSummary",
    "TimeToEventSource",
    "check_survival_data",
    "compare_response_rates",
    "compute_binomial_interval",
    "compute_cox_regression",
    "compute_exact_p_value",
    "compute_kaplan_meier",
    "compute_logrank_test",
    "compute_median_followup",
    "compute_two_sided_binomial_p",
    "derive_adtte",
    "derive_param_tte",
    "derive_response_rates",
    "derive_survival_summary",
]
