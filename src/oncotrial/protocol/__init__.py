"""Protocols as data: pydantic models, YAML reading and validation, and the built-in library."""

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
    list_builtin_protocols,
    load_builtin_protocol,
    load_protocol,
    load_protocol_reference,
    parse_protocol,
    protocol_to_dict,
    save_protocol,
)
from oncotrial.protocol.models import Agent, Arm, Endpoint, Protocol
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

__all__ = [
    "Agent",
    "Arm",
    "ContinuationRule",
    "CrossoverRule",
    "DaySchedule",
    "Dose",
    "DoseLimit",
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
]
