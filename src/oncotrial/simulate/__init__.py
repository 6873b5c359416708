"""Virtual patients and virtual trials: scenarios (what is true), patients generated from a protocol and a
scenario, and many replicates of a trial run through the real pipeline for its operating characteristics."""

from oncotrial.simulate.scenario import (
    ArmScenario,
    Scenario,
    Screening,
    Toxicity,
    builtin_scenario_files,
    check_scenario,
    design_sample_size,
    load_builtin_scenario,
    load_scenario,
    parse_scenario,
)

__all__ = [
    "ArmScenario",
    "Scenario",
    "Screening",
    "Toxicity",
    "builtin_scenario_files",
    "check_scenario",
    "design_sample_size",
    "load_builtin_scenario",
    "load_scenario",
    "parse_scenario",
]
