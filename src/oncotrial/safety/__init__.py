"""Safety: CTCAE v5 grading of laboratory values equal to admiral, adverse-event tables, dose-limiting
toxicity.

``derive_lab_grades`` grades SDTM LB records in both directions against the packaged CTCAE v5 rule table
(``rules/ctcae_v5_lab_grades.csv``, one row per term, direction and grade with its CTCAE criterion text)
and returns ``LabGrades`` (admiral's ATOXDSCL/ATOXGRL and ATOXDSCH/ATOXGRH); ``derive_worst_lab_grades``
gives the worst grade per patient, test and period; ``compute_lab_grades`` grades plain arrays.
``summarise_adverse_events`` counts patients with any, grade >= 3, serious and related AEs by system organ
class and preferred term, per arm, with treatment-emergent flags and exposure-adjusted rates (``AeTables``).
``evaluate_dlt`` applies a protocol's DLT definition per patient and gives the rate with its exact interval.
"""

from typing import TYPE_CHECKING

from oncotrial._lazy import lazy_attributes

__all__ = [
    "AE_COLUMNS",
    "ANY_EVENT",
    "GRADE_COLUMNS",
    "LAB_COLUMNS",
    "RELATED_TERMS",
    "AeTables",
    "CtcaeLabRules",
    "DltEvaluation",
    "LabGrades",
    "compute_lab_grades",
    "derive_ae_flags",
    "derive_dose_dates",
    "derive_lab_grades",
    "derive_worst_grade_counts",
    "derive_worst_lab_grades",
    "evaluate_dlt",
    "load_ctcae_lab_rules",
    "summarise_adverse_events",
]

_WHERE = {
    "AE_COLUMNS": "oncotrial.safety.adverse_events",
    "ANY_EVENT": "oncotrial.safety.adverse_events",
    "RELATED_TERMS": "oncotrial.safety.adverse_events",
    "AeTables": "oncotrial.safety.adverse_events",
    "DltEvaluation": "oncotrial.safety.dlt",
    "evaluate_dlt": "oncotrial.safety.dlt",
    "derive_ae_flags": "oncotrial.safety.adverse_events",
    "derive_dose_dates": "oncotrial.safety.adverse_events",
    "summarise_adverse_events": "oncotrial.safety.adverse_events",
    "GRADE_COLUMNS": "oncotrial.safety.worst_grade",
    "derive_worst_grade_counts": "oncotrial.safety.worst_grade",
    "LAB_COLUMNS": "oncotrial.safety.labs",
    "CtcaeLabRules": "oncotrial.safety.ctcae",
    "LabGrades": "oncotrial.safety.labs",
    "compute_lab_grades": "oncotrial.safety.ctcae",
    "derive_lab_grades": "oncotrial.safety.labs",
    "derive_worst_lab_grades": "oncotrial.safety.labs",
    "load_ctcae_lab_rules": "oncotrial.safety.ctcae",
}

if TYPE_CHECKING:
    from oncotrial.safety.adverse_events import (
        AE_COLUMNS,
        ANY_EVENT,
        RELATED_TERMS,
        AeTables,
        derive_ae_flags,
        derive_dose_dates,
        summarise_adverse_events,
    )
    from oncotrial.safety.ctcae import CtcaeLabRules, compute_lab_grades, load_ctcae_lab_rules
    from oncotrial.safety.dlt import DltEvaluation, evaluate_dlt
    from oncotrial.safety.labs import LAB_COLUMNS, LabGrades, derive_lab_grades, derive_worst_lab_grades
    from oncotrial.safety.worst_grade import GRADE_COLUMNS, derive_worst_grade_counts

__getattr__, __dir__ = lazy_attributes(globals(), _WHERE)
