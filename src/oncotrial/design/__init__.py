"""Trial design: Simon two-stage, exact single-stage, inference after a two-stage trial,
stage-1 monitoring, randomised selection and Bayesian monitoring.

Pure functions returning frozen results, each with ``to_frame()`` (a pandas DataFrame), a JSON-safe
``to_dict()`` and a ``__str__`` within 80 columns; numbers equal R's clinfun where clinfun has them.
A design's achieved error rates are ``alpha_achieved`` and ``power_achieved``; a search keeps the ones
asked for as ``alpha_requested`` and ``beta_requested``.
"""

from oncotrial.design.bayes import (
    BayesBoundaries,
    BetaPrior,
    BoundaryCharacteristics,
    build_posterior_boundaries,
    build_predictive_boundaries,
    compute_boundary_characteristics,
)
from oncotrial.design.checks import check_rate, check_sample_size
from oncotrial.design.inference import TwoStageInference, compute_two_stage_inference
from oncotrial.design.monitoring import InterimDecision, InterimStatus, evaluate_two_stage_interim
from oncotrial.design.selection import (
    SelectionDesign,
    SelectionProbability,
    compute_correct_selection,
    compute_selection_probability,
    find_selection_sample_size,
)
from oncotrial.design.simon import (
    AdmissibleDesign,
    SimonDesign,
    SimonSearch,
    TwoStageCharacteristics,
    compute_two_stage_characteristics,
    find_simon_designs,
    find_simon_designs_grid,
)
from oncotrial.design.single import SingleStageDesign, SingleStageSearch, find_single_stage_designs

__all__ = [
    "AdmissibleDesign",
    "BayesBoundaries",
    "BetaPrior",
    "BoundaryCharacteristics",
    "InterimDecision",
    "InterimStatus",
    "SelectionDesign",
    "SelectionProbability",
    "SimonDesign",
    "SimonSearch",
    "SingleStageDesign",
    "SingleStageSearch",
    "TwoStageCharacteristics",
    "TwoStageInference",
    "build_posterior_boundaries",
    "build_predictive_boundaries",
    "check_rate",
    "check_sample_size",
    "compute_boundary_characteristics",
    "compute_correct_selection",
    "compute_selection_probability",
    "compute_two_stage_characteristics",
    "compute_two_stage_inference",
    "evaluate_two_stage_interim",
    "find_selection_sample_size",
    "find_simon_designs",
    "find_simon_designs_grid",
    "find_single_stage_designs",
]
