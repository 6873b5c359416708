"""Dose amounts and dosing calendars: what a patient gets, when, and how much."""

from oncotrial.dosing.amounts import DoseAmount, Patient, compute_body_surface_area, compute_dose
from oncotrial.dosing.calendar import (
    Administration,
    CyclePlan,
    DosingCalendar,
    build_dosing_calendar,
    compute_next_weekday,
)
from oncotrial.dosing.records import AdministrationRecord, CycleStartRecord, DosingRecords
from oncotrial.dosing.summary import DoseSummary, compute_dose_summary

__all__ = [
    "Administration",
    "AdministrationRecord",
    "CyclePlan",
    "CycleStartRecord",
    "DoseAmount",
    "DoseSummary",
    "DosingCalendar",
    "DosingRecords",
    "Patient",
    "build_dosing_calendar",
    "compute_body_surface_area",
    "compute_dose",
    "compute_dose_summary",
    "compute_next_weekday",
]
