"""Dose amounts and dosing calendars: what a patient gets, when, and how much.

The results (``DoseAmount``, ``Administration``, ``CyclePlan``, ``DosingCalendar``, ``DoseSummary``,
``DoseSummaries``) are frozen and have ``to_frame()``, a JSON-safe ``to_dict()`` and a ``str()`` of at
most 80 columns.
"""

from oncotrial.dosing.amounts import DoseAmount, Patient, compute_body_surface_area, compute_dose
from oncotrial.dosing.calendar import (
    Administration,
    CyclePlan,
    DosingCalendar,
    build_dosing_calendar,
    compute_cycle_day,
    compute_next_weekday,
)
from oncotrial.dosing.exposure import derive_exposure
from oncotrial.dosing.records import AdministrationRecord, CycleStartRecord, DosingRecords, parse_dosing_records
from oncotrial.dosing.summary import DoseSummaries, DoseSummary, compute_dose_summary

__all__ = [
    "Administration",
    "AdministrationRecord",
    "CyclePlan",
    "CycleStartRecord",
    "DoseAmount",
    "DoseSummaries",
    "DoseSummary",
    "DosingCalendar",
    "DosingRecords",
    "Patient",
    "build_dosing_calendar",
    "compute_body_surface_area",
    "compute_cycle_day",
    "compute_dose",
    "compute_dose_summary",
    "compute_next_weekday",
    "derive_exposure",
    "parse_dosing_records",
]
