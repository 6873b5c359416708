"""The RECIST 1.1 analysis from lesion tables (SDTM TU and TR) in one call: what ``oncotrial recist --tu --tr`` runs.

Steps: lesion assessments from TU/TR; the baseline rules; the irradiated lesions set apart (when
listed); time-point responses; CR confirmed by PET (when given); ADRS. The subject summary and the
iRECIST responses are derived on request from the stored time points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from oncotrial._results import frame_records
from oncotrial.recist.baseline import BaselineEvaluation, evaluate_baseline_lesions
from oncotrial.recist.best_response import AVAL_CODES, ResponseRules
from oncotrial.recist.irecist import derive_irecist_best_response, derive_irecist_responses
from oncotrial.recist.lesions import derive_lesion_assessments
from oncotrial.recist.summary import derive_adrs_from_timepoints, derive_subject_summary
from oncotrial.recist.timepoint import derive_timepoint_responses
from oncotrial.recist.trial_rules import (
    derive_irradiated_flags,
    derive_pet_confirmed_response,
    select_lesions,
    select_primary_timepoint,
)

__all__ = ["LesionResponseAnalysis", "derive_lesion_response_analysis"]


@dataclass(frozen=True)
class LesionResponseAnalysis:
    """ADRS and the tables behind it; every table is returned as a copy (the result cannot change)."""

    baseline: BaselineEvaluation
    _adrs: pd.DataFrame = field(repr=False)
    _assessments: pd.DataFrame = field(repr=False)
    _timepoints: pd.DataFrame = field(repr=False)
    _irradiated: pd.DataFrame | None = field(repr=False, default=None)  # the irradiated lesions' assessments

    def to_frame(self) -> pd.DataFrame:
        """The ADRS (OVR records, then BOR, CBOR, RSP, CRSP, CB, CCB, PD per subject)."""
        return self._adrs.copy()

    def timepoints(self) -> pd.DataFrame:
        """The time-point responses of the primary lesions (:func:`derive_timepoint_responses`)."""
        return self._timepoints.copy()

    def irradiated_timepoints(self) -> pd.DataFrame | None:
        """The irradiated lesions' own time-point responses (None when none were listed)."""
        return None if self._irradiated is None else derive_timepoint_responses(self._irradiated)

    def subject_summary(self, *, primary_visit: str | None = None) -> pd.DataFrame:
        """One row per subject (:func:`derive_subject_summary`), with ``PRIMARY`` at ``primary_visit`` if given."""
        summary = derive_subject_summary(self._timepoints, self._adrs)
        if primary_visit is None:
            return summary
        primary = select_primary_timepoint(self._timepoints, visit=primary_visit)
        return summary.merge(primary[["USUBJID", "PRIMARY"]], on="USUBJID", how="left")

    def irecist(self) -> pd.DataFrame:
        """iRECIST time-point responses with each subject's best iRECIST response."""
        iresponses = derive_irecist_responses(self._assessments, self._timepoints)
        return iresponses.merge(derive_irecist_best_response(iresponses), on="USUBJID", how="left")

    def best_response_counts(self) -> dict[str, int]:
        """Subjects by best overall response (BOR), in admiralonco's AVAL order."""
        bor = self._adrs.loc[self._adrs["PARAMCD"] == "BOR", "AVALC"].astype(str)
        counts = bor.value_counts()
        return {label: int(counts[label]) for label in AVAL_CODES if label in counts.index}

    def to_dict(self) -> dict[str, Any]:
        """The counts and the baseline breaches (the ADRS itself is a table: write ``to_frame()``)."""
        return {
            "subjects": int((self._adrs["PARAMCD"] == "BOR").sum()),
            "best_overall_response": self.best_response_counts(),
            "baseline_breaches": frame_records(self.baseline.to_frame()),
        }

    def __str__(self) -> str:
        counts = ", ".join(f"{label} {n}" for label, n in self.best_response_counts().items())
        subjects = int((self._adrs["PARAMCD"] == "BOR").sum())
        return f"{subjects} subjects; best overall response: {counts or 'none'}"


def derive_lesion_response_analysis(
    tu: pd.DataFrame,
    tr: pd.DataFrame,
    adsl: pd.DataFrame | None = None,
    *,
    evaluator: str = "INVESTIGATOR",
    reference_col: str = "RANDDT",
    end_col: str | None = None,
    rules: ResponseRules | None = None,
    pet: pd.DataFrame | None = None,
    irradiated: pd.DataFrame | None = None,
    adsl_vars: Sequence[str] = (),
) -> LesionResponseAnalysis:
    """RECIST 1.1 from SDTM TU/TR to ADRS.

    ``irradiated`` lists lesions (USUBJID, LESIONID) left out of the primary response and assessed on
    their own; ``pet`` (USUBJID, VISIT, PET) makes a CR need a negative PET. Without ``adsl`` the
    reference date is the baseline scan (``reference_col`` is then RANDDT).
    """
    assessments = derive_lesion_assessments(tu, tr, evaluator=evaluator)
    baseline = evaluate_baseline_lesions(assessments)
    irradiated_assessments = None
    if irradiated is not None:
        flagged = derive_irradiated_flags(assessments, irradiated)
        irradiated_assessments = select_lesions(flagged, irradiated=True)
        assessments = select_lesions(flagged, irradiated=False)
    timepoints = derive_timepoint_responses(assessments)
    if pet is not None:
        timepoints = derive_pet_confirmed_response(timepoints, pet)
    adrs = derive_adrs_from_timepoints(
        timepoints,
        adsl,
        reference_col=reference_col if adsl is not None else "RANDDT",
        end_col=end_col,
        rules=rules,
        adsl_vars=adsl_vars,
    )
    return LesionResponseAnalysis(baseline, adrs, assessments, timepoints, irradiated_assessments)
