"""Protocols as data: pydantic models, YAML reading and validation, and the built-in library.

The names below are imported on first use (PEP 562), so that a command which only lists the built-in
protocols (:mod:`oncotrial.protocol.library`) does not pay for the pydantic models and pint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oncotrial._lazy import lazy_attributes

if TYPE_CHECKING:
    from oncotrial.protocol.base import Route, Weekday
    from oncotrial.protocol.describe import (
        describe_cycles,
        describe_design,
        describe_dose,
        describe_endpoint,
        describe_protocol,
        describe_regimen,
        describe_schedule,
    )
    from oncotrial.protocol.io import (
        load_builtin_protocol,
        load_protocol,
        load_protocol_reference,
        parse_protocol,
        protocol_to_dict,
        save_protocol,
    )
    from oncotrial.protocol.library import list_builtin_protocols, summarise_builtin_protocols
    from oncotrial.protocol.models import Agent, Arm, DltException, DoseLimitingToxicity, Endpoint, Protocol
    from oncotrial.protocol.regimen import (
        ContinuationRule,
        CrossoverRule,
        DaySchedule,
        Dose,
        DoseLimit,
        IntervalSchedule,
        NextCycleRule,
        Treatment,
        WeekdaysBeforeSchedule,
        WeekSchedule,
    )

# public name -> the module that defines it
_WHERE = {
    "Agent": "oncotrial.protocol.models",
    "Arm": "oncotrial.protocol.models",
    "ContinuationRule": "oncotrial.protocol.regimen",
    "CrossoverRule": "oncotrial.protocol.regimen",
    "DaySchedule": "oncotrial.protocol.regimen",
    "Dose": "oncotrial.protocol.regimen",
    "DoseLimit": "oncotrial.protocol.regimen",
    "DltException": "oncotrial.protocol.models",
    "DoseLimitingToxicity": "oncotrial.protocol.models",
    "Endpoint": "oncotrial.protocol.models",
    "IntervalSchedule": "oncotrial.protocol.regimen",
    "NextCycleRule": "oncotrial.protocol.regimen",
    "Protocol": "oncotrial.protocol.models",
    "Route": "oncotrial.protocol.base",
    "Treatment": "oncotrial.protocol.regimen",
    "WeekSchedule": "oncotrial.protocol.regimen",
    "Weekday": "oncotrial.protocol.base",
    "WeekdaysBeforeSchedule": "oncotrial.protocol.regimen",
    "describe_cycles": "oncotrial.protocol.describe",
    "describe_design": "oncotrial.protocol.describe",
    "describe_dose": "oncotrial.protocol.describe",
    "describe_endpoint": "oncotrial.protocol.describe",
    "describe_protocol": "oncotrial.protocol.describe",
    "describe_regimen": "oncotrial.protocol.describe",
    "describe_schedule": "oncotrial.protocol.describe",
    "list_builtin_protocols": "oncotrial.protocol.library",
    "summarise_builtin_protocols": "oncotrial.protocol.library",
    "load_builtin_protocol": "oncotrial.protocol.io",
    "load_protocol": "oncotrial.protocol.io",
    "load_protocol_reference": "oncotrial.protocol.io",
    "parse_protocol": "oncotrial.protocol.io",
    "protocol_to_dict": "oncotrial.protocol.io",
    "save_protocol": "oncotrial.protocol.io",
}

__all__ = [
    "Agent",
    "Arm",
    "ContinuationRule",
    "CrossoverRule",
    "DaySchedule",
    "DltException",
    "Dose",
    "DoseLimit",
    "DoseLimitingToxicity",
    "Endpoint",
    "IntervalSchedule",
    "NextCycleRule",
    "Protocol",
    "Route",
    "Treatment",
    "WeekSchedule",
    "Weekday",
    "WeekdaysBeforeSchedule",
    "describe_cycles",
    "describe_design",
    "describe_dose",
    "describe_endpoint",
    "describe_protocol",
    "describe_regimen",
    "describe_schedule",
    "list_builtin_protocols",
    "load_builtin_protocol",
    "load_protocol",
    "load_protocol_reference",
    "parse_protocol",
    "protocol_to_dict",
    "save_protocol",
    "summarise_builtin_protocols",
]

__getattr__, __dir__ = lazy_attributes(globals(), _WHERE)
