"""Dose-limiting toxicity (DLT): which patients had one, under the protocol's definition
(:class:`oncotrial.protocol.DoseLimitingToxicity`), and the DLT rate with its exact interval.

Input: SDTM AE (the columns of :mod:`oncotrial.safety.adverse_events`: USUBJID, AEBODSYS, AEDECOD,
AESTDTC, AETOXGR or AESEV, AEREL; AETERM if present) and each patient's first dose (a table with
``USUBJID`` and ``first_dose``, such as :func:`oncotrial.safety.derive_dose_dates` gives from EX). The
patients evaluated are those with a first dose.

An AE is a DLT when its grade is at least ``min_grade``, its onset falls in days 1..``window_days`` (day 1
= the day of the first dose; a partial onset counts when any of its possible days does, the cautious
reading for a safety rule), its preferred or reported term is one of ``terms`` (any when empty), it is
related when ``related_only``, and no exception (term, grade up to ``max_grade``) covers it.

The rate is the Clopper-Pearson interval of :func:`oncotrial.endpoints.compute_binomial_interval`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncotrial._frames import check_columns
from oncotrial._results import fit_lines, format_frame, frame_records, to_json_dict
from oncotrial.endpoints import BinomialInterval, compute_binomial_interval
from oncotrial.errors import DataError
from oncotrial.protocol import DoseLimitingToxicity
from oncotrial.safety.adverse_events import derive_ae_flags, onset_bounds

__all__ = ["DltEvaluation", "evaluate_dlt"]


@dataclass(frozen=True)
class DltEvaluation:
    """``patients``: one row per dosed patient (USUBJID, first_dose, dlt, n_dlt_events, first_dlt_term,
    first_dlt_day); ``events``: each AE that is a DLT; ``rate``: DLT patients / dosed patients with its
    exact interval; ``definition``: the protocol's rule."""

    patients: pd.DataFrame
    events: pd.DataFrame
    rate: BinomialInterval
    definition: DoseLimitingToxicity

    def __post_init__(self) -> None:
        object.__setattr__(self, "patients", self.patients.copy())
        object.__setattr__(self, "events", self.events.copy())

    def to_frame(self) -> pd.DataFrame:
        """The per-patient table (a copy)."""
        return self.patients.copy()

    def to_dict(self) -> dict[str, Any]:
        """``{"definition", "rate", "patients": [...]}`` (JSON-safe)."""
        return to_json_dict(
            {
                "definition": self.definition.model_dump(mode="json"),
                "rate": self.rate.to_dict(),
                "patients": frame_records(self.patients),
            }
        )

    def __str__(self) -> str:
        r = self.rate
        head = (
            f"DLT: {r.x} of {r.n} patients ({100 * r.estimate:.1f} %, {100 * r.conf_level:g} % exact CI "
            f"{100 * r.lower:.1f}-{100 * r.upper:.1f} %); grade >= {self.definition.min_grade} within "
            f"{self.definition.window_days} days of the first dose"
        )
        shown = self.patients.loc[self.patients["dlt"], ["USUBJID", "first_dlt_term", "first_dlt_day"]]
        return fit_lines(head) + ("" if shown.empty else f"\n{format_frame(shown)}")


def _matches(ae: pd.DataFrame, terms: list[str]) -> NDArray[np.bool_]:
    """Whether the preferred term (or the reported one) is one of ``terms``, ignoring case."""
    wanted = {t.strip().upper() for t in terms}
    found = np.zeros(len(ae), dtype=bool)
    for column in ("AEDECOD", "AETERM"):
        if column in ae.columns:
            found |= ae[column].astype("string").str.strip().str.upper().isin(wanted).fillna(False).to_numpy(bool)
    return found


def _is_dlt(ae: pd.DataFrame, first: NDArray[np.datetime64], rule: DoseLimitingToxicity) -> NDArray[np.bool_]:
    earliest, latest = onset_bounds(ae["AESTDTC"])
    window_end = np.asarray(first + np.timedelta64(rule.window_days - 1, "D"), dtype="datetime64[ns]")
    in_window = ~np.isnat(first) & (latest >= first) & (earliest <= window_end)
    grade = ae["AGRADE"].to_numpy(dtype=float)
    dlt = in_window & (grade >= rule.min_grade)
    if rule.terms:
        dlt &= _matches(ae, rule.terms)
    if rule.related_only:
        dlt &= ae["RELFL"].to_numpy(dtype=bool)
    for exception in rule.exceptions:
        dlt &= ~(_matches(ae, [exception.term]) & (grade <= exception.max_grade))
    return np.asarray(dlt, dtype=bool)


def evaluate_dlt(
    ae: pd.DataFrame, first_doses: pd.DataFrame, rule: DoseLimitingToxicity, *, conf_level: float = 0.95
) -> DltEvaluation:
    """Which dosed patients had a DLT under ``rule``, and the DLT rate with its Clopper-Pearson interval.

    Raises
    ------
    DataError
        A required column is missing, or no patient was dosed (SAFETY-E010, SAFETY-E020).
    """
    check_columns(first_doses, ("USUBJID", "first_dose"), name="first doses", code="SAFETY-E010")
    dates = first_doses.assign(first_dose=pd.to_datetime(first_doses["first_dose"], errors="coerce"))
    doses = dates.dropna(subset=["first_dose"]).drop_duplicates("USUBJID").set_index("USUBJID")["first_dose"]
    if doses.empty:
        raise DataError(
            "No patient has a first dose, so no one can be evaluated for DLT. Give EX (or the first-dose dates).",
            code="SAFETY-E020",
            field="first_dose",
        )
    flagged = derive_ae_flags(ae)
    first = flagged["USUBJID"].map(doses).to_numpy(dtype="datetime64[ns]")
    dlt = _is_dlt(flagged, first, rule)
    onset, _ = onset_bounds(flagged["AESTDTC"])
    events = (
        flagged.loc[dlt]
        .assign(DLT_DAY=((onset[dlt] - first[dlt]) // np.timedelta64(1, "D")).astype(float) + 1)
        .sort_values(["USUBJID", "DLT_DAY"], kind="stable")
    )
    per = events.groupby("USUBJID").agg(
        n_dlt_events=("USUBJID", "size"), first_dlt_term=("AEDECOD", "first"), first_dlt_day=("DLT_DAY", "first")
    )
    patients = pd.DataFrame({"USUBJID": doses.index, "first_dose": doses.to_numpy()}).merge(
        per, left_on="USUBJID", right_index=True, how="left"
    )
    patients["n_dlt_events"] = patients["n_dlt_events"].fillna(0).astype(int)
    patients.insert(2, "dlt", patients["n_dlt_events"] > 0)
    rate = compute_binomial_interval(int(patients["dlt"].sum()), len(patients), conf_level=conf_level)
    return DltEvaluation(patients, events.reset_index(drop=True), rate, rule)
