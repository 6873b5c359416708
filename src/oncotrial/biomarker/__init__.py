"""Biomarker kinetics: per patient and cycle baseline, maximum, time to maximum, fold change, AUC and time
above a threshold (``derive_biomarker_kinetics``, giving ``BiomarkerKinetics``), with group summaries
(mean, median, geometric mean with its CI) and paired baseline-versus-maximum tests (Wilcoxon signed-rank,
paired t on logs) in ``summarise_biomarker_kinetics`` (``BiomarkerSummary``); the median time course across patients
(``derive_biomarker_time_course``). The form in which the IL-12
trial (CALGB 500001) reports plasma IFN-γ.
"""

from typing import TYPE_CHECKING

from oncotrial._lazy import lazy_attributes

__all__ = [
    "KINETIC_PARAMETERS",
    "BiomarkerKinetics",
    "BiomarkerSummary",
    "derive_biomarker_kinetics",
    "derive_biomarker_time_course",
    "summarise_biomarker_kinetics",
]

_WHERE = {
    "KINETIC_PARAMETERS": "oncotrial.biomarker.kinetics",
    "BiomarkerKinetics": "oncotrial.biomarker.kinetics",
    "BiomarkerSummary": "oncotrial.biomarker.summary",
    "derive_biomarker_kinetics": "oncotrial.biomarker.kinetics",
    "derive_biomarker_time_course": "oncotrial.biomarker.course",
    "summarise_biomarker_kinetics": "oncotrial.biomarker.summary",
}

if TYPE_CHECKING:
    from oncotrial.biomarker.course import derive_biomarker_time_course
    from oncotrial.biomarker.kinetics import KINETIC_PARAMETERS, BiomarkerKinetics, derive_biomarker_kinetics
    from oncotrial.biomarker.summary import BiomarkerSummary, summarise_biomarker_kinetics

__getattr__, __dir__ = lazy_attributes(globals(), _WHERE)
