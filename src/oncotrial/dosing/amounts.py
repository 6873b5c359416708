"""Dose amounts: a protocol dose (flat, per kg, per m²) for one patient, in absolute units."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from oncotrial._numbers import is_number
from oncotrial.errors import DataError, MissingDataError
from oncotrial.protocol.regimen import Dose
from oncotrial.units import UNITS, format_unit, parse_unit

__all__ = [
    "HEIGHT_RANGE_CM",
    "WEIGHT_RANGE_KG",
    "DoseAmount",
    "Patient",
    "compute_body_surface_area",
    "compute_dose",
]

#: Plausible adult body sizes; a value outside is almost always a unit or typing mistake.
WEIGHT_RANGE_KG = (20.0, 300.0)
HEIGHT_RANGE_CM = (100.0, 250.0)


@dataclass(frozen=True)
class Patient:
    """What the calendar needs to know of a patient.

    Parameters
    ----------
    weight_kg
        Body weight in kg, 20–300.
    height_cm
        Height in cm, 100–250; needed only for doses per m².
    patient_number
        Enrolment number in the study (1, 2, ...), for rules such as "patients 1–20".
    subject_id
        The trial's subject identifier, carried into exports (JSON, CSV, iCalendar, printed tables):
        printable text on one line, without control characters.
    """

    weight_kg: float
    height_cm: float | None = None
    patient_number: int | None = None
    subject_id: str | None = None

    def __post_init__(self) -> None:
        _check_subject_id(self.subject_id)
        who = f"Subject {self.subject_id}: " if self.subject_id else ""
        low, high = WEIGHT_RANGE_KG
        if not is_number(self.weight_kg):
            raise DataError(
                f"{who}the weight must be a number of kg.",
                code="DOSE-E001",
                field="weight_kg",
                subject_id=self.subject_id,
            )
        if not low <= self.weight_kg <= high:
            raise DataError(
                f"{who}a weight of {self.weight_kg:g} kg is outside the accepted {low:g}–{high:g} kg. "
                "Check the value and that it is in kilograms (not pounds or grams).",
                code="DOSE-E001",
                field="weight_kg",
                subject_id=self.subject_id,
            )
        if self.height_cm is not None and not HEIGHT_RANGE_CM[0] <= self.height_cm <= HEIGHT_RANGE_CM[1]:
            raise DataError(
                f"{who}a height of {self.height_cm:g} cm is outside the accepted "
                f"{HEIGHT_RANGE_CM[0]:g}–{HEIGHT_RANGE_CM[1]:g} cm. Check the value and that it is in "
                "centimetres.",
                code="DOSE-E004",
                field="height_cm",
                subject_id=self.subject_id,
            )
        if self.patient_number is not None and self.patient_number < 1:
            raise DataError(
                f"{who}the enrolment number must be 1 or more; got {self.patient_number}.",
                code="DOSE-E005",
                field="patient_number",
                subject_id=self.subject_id,
            )


def _check_subject_id(subject_id: str | None) -> None:
    """A subject id is one line of printable text: a line break or control character would split the
    record in a CSV or an iCalendar file."""
    if subject_id is None:
        return
    bad = next((c for c in subject_id if not c.isprintable()), None)
    if bad is not None or not subject_id.strip():
        what = f"contains the control character U+{ord(bad):04X}" if bad is not None else "is empty"
        raise DataError(
            f"The subject id {subject_id!r} {what}; write it on one line with printable characters only "
            "(e.g. 'SUBJ-0012').",
            code="DOSE-E006",
            field="subject_id",
        )


@dataclass(frozen=True)
class DoseAmount:
    """An absolute dose: ``value`` in ``unit`` (``42000000.0``, ``"IU"``)."""

    value: float
    unit: str

    def to_dict(self) -> dict[str, object]:
        """``{"value", "unit"}``."""
        return {"value": self.value, "unit": self.unit}

    def to_frame(self) -> pd.DataFrame:
        """One row: value, unit."""
        return pd.DataFrame([self.to_dict()])

    def __str__(self) -> str:
        return f"{self.value:,.10g} {self.unit}"


def compute_body_surface_area(
    weight_kg: float, height_cm: float, *, formula: Literal["mosteller", "dubois"] = "mosteller"
) -> float:
    """Body surface area in m².

    References
    ----------
    Mosteller RD. Simplified calculation of body-surface area. N Engl J Med 1987;317:1098.
    Du Bois D, Du Bois EF. A formula to estimate the approximate surface area if height and
    weight be known. Arch Intern Med 1916;17:863-71.
    """
    if formula == "mosteller":
        return math.sqrt(height_cm * weight_kg / 3600.0)
    return float(0.007184 * weight_kg**0.425 * height_cm**0.725)


def compute_dose(
    dose: Dose, patient: Patient, *, bsa_formula: Literal["mosteller", "dubois"] = "mosteller"
) -> DoseAmount:
    """The absolute dose of ``dose`` for ``patient``, in the dose's ``report_unit`` (or its unit).

    ``600,000 IU/kg`` for 70 kg is 42,000,000 IU; ``300 ng/kg`` reported in ``ug`` for 70 kg
    is 21 µg.

    Raises
    ------
    MissingDataError
        When the dose is per m² and the patient's height is missing.
    """
    factor = 1.0
    if dose.per == "kg":
        factor = patient.weight_kg
    elif dose.per == "m2":
        if patient.height_cm is None:
            who = f"Subject {patient.subject_id}: " if patient.subject_id else ""
            raise MissingDataError(
                f"{who}the dose {dose} is per m² of body surface, which needs the patient's height. "
                "Give the height in cm (height_cm).",
                code="DOSE-E002",
                field="height_cm",
                subject_id=patient.subject_id,
            )
        factor = compute_body_surface_area(patient.weight_kg, patient.height_cm, formula=bsa_formula)
    quantity = UNITS.Quantity(dose.amount * factor, parse_unit(dose.unit))
    target = parse_unit(dose.report_unit or dose.unit)
    value = quantity.to(target).magnitude
    # Round away binary noise (300 * 70 ng -> 21.000000000000004 ug); 12 significant digits
    # are far beyond what any pump or syringe delivers.
    return DoseAmount(float(f"{value:.12g}"), format_unit(target))
