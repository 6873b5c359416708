"""Virtual patients and virtual trials: scenarios (what is true), patients generated from a protocol and a
scenario, and many replicates of a trial run through the real pipeline for its operating characteristics.

The names are imported on first use (PEP 562): reading a scenario does not load the simulation engine, and
Dask is imported only when a cluster is opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oncotrial._lazy import lazy_attributes

if TYPE_CHECKING:
    from oncotrial.simulate.cluster import choose_chunk_size, dask_runner, open_client
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
    from oncotrial.simulate.trials import (
        ChunkRunner,
        Estimate,
        OperatingCharacteristics,
        ReplicateOutcomes,
        TrialOptions,
        TrialPlan,
        build_trial_plan,
        check_run,
        run_chunks_in_process,
        simulate_trials,
    )

_SCENARIO = "oncotrial.simulate.scenario"
_TRIALS = "oncotrial.simulate.trials"
_CLUSTER = "oncotrial.simulate.cluster"
# public name -> the module that defines it
_WHERE = {
    "ArmScenario": _SCENARIO,
    "Scenario": _SCENARIO,
    "Screening": _SCENARIO,
    "Toxicity": _SCENARIO,
    "builtin_scenario_files": _SCENARIO,
    "check_scenario": _SCENARIO,
    "design_sample_size": _SCENARIO,
    "load_builtin_scenario": _SCENARIO,
    "load_scenario": _SCENARIO,
    "parse_scenario": _SCENARIO,
    "ChunkRunner": _TRIALS,
    "Estimate": _TRIALS,
    "OperatingCharacteristics": _TRIALS,
    "ReplicateOutcomes": _TRIALS,
    "TrialOptions": _TRIALS,
    "TrialPlan": _TRIALS,
    "build_trial_plan": _TRIALS,
    "check_run": _TRIALS,
    "run_chunks_in_process": _TRIALS,
    "simulate_trials": _TRIALS,
    "choose_chunk_size": _CLUSTER,
    "dask_runner": _CLUSTER,
    "open_client": _CLUSTER,
}

__all__ = [
    "ArmScenario",
    "ChunkRunner",
    "Estimate",
    "OperatingCharacteristics",
    "ReplicateOutcomes",
    "Scenario",
    "Screening",
    "Toxicity",
    "TrialOptions",
    "TrialPlan",
    "build_trial_plan",
    "builtin_scenario_files",
    "check_run",
    "check_scenario",
    "choose_chunk_size",
    "dask_runner",
    "design_sample_size",
    "load_builtin_scenario",
    "load_scenario",
    "open_client",
    "parse_scenario",
    "run_chunks_in_process",
    "simulate_trials",
]

__getattr__, __dir__ = lazy_attributes(globals(), _WHERE)
