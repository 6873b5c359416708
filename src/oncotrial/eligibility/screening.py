"""Batch screening: many patient records against one protocol, with a screening log.

One bad record (a malformed field, an unknown unit, a future date) is reported with the patient
and the field, and the others are still screened. The log counts patients by status and lists,
criterion by criterion, how many failed it or lacked its data (for the CONSORT flow).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from pydantic import ValidationError

from oncotrial._results import fit_lines, to_json_dict
from oncotrial.eligibility.evaluate import EligibilityResult, evaluate_eligibility, require_criteria
from oncotrial.eligibility.records import PatientRecord
from oncotrial.errors import TrialError, validation_messages
from oncotrial.protocol.models import Protocol

__all__ = ["RecordProblem", "ScreeningLog", "screen_patients"]


@dataclass(frozen=True)
class RecordProblem:
    """Why a record could not be screened: which one, which field, what is wrong.

    ``message`` has one line per problem (the first names the patient); ``details`` holds them apart.
    """

    index: int  # 1-based position in the batch
    subject_id: str | None
    message: str
    code: str | None = None
    details: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields: index, subject_id, message, code."""
        return {"index": self.index, "subject_id": self.subject_id, "message": self.message, "code": self.code}

    def to_frame(self) -> pd.DataFrame:
        """One row: index, subject_id, message, code."""
        return pd.DataFrame([self.to_dict()], columns=["index", "subject_id", "message", "code"])

    def __str__(self) -> str:
        return fit_lines(f"Not screened (record {self.index}): {self.message} [{self.code}]")


@dataclass(frozen=True)
class ScreeningLog:
    """The results of a batch and the records that could not be screened."""

    results: tuple[EligibilityResult, ...]
    problems: tuple[RecordProblem, ...]

    def summary(self) -> dict[str, int]:
        """Records by outcome: records (all), screened, eligible, ineligible, incomplete, not screened (errors)."""
        counts = {
            "records": len(self.results) + len(self.problems),
            "screened": len(self.results),
            "eligible": 0,
            "ineligible": 0,
            "incomplete": 0,
        }
        for r in self.results:
            counts[r.status] += 1
        counts["not screened"] = len(self.problems)
        return counts

    def reasons(self) -> pd.DataFrame:
        """Per criterion: how many patients did not meet it, and how many lacked its data or review."""
        rows = [
            {"criterion": c.criterion_id, "type": c.type, "status": c.status}
            for r in self.results
            for c in r.criteria
            if c.status != "met"
        ]
        if not rows:
            return pd.DataFrame(columns=["criterion", "type", "not met", "unknown", "needs review"])
        table = pd.DataFrame(rows).pivot_table(
            index=["criterion", "type"], columns="status", aggfunc="size", fill_value=0
        )
        table = table.reindex(columns=["not met", "unknown", "needs review"], fill_value=0).reset_index()
        table.columns.name = None
        return table.sort_values(["not met", "unknown"], ascending=False, kind="stable").reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """One row per record, in batch order: subject_id, status (``not screened`` for a record error),
        reasons (one per line), then each criterion's status in a column named by its id."""
        failed = {p.index: p for p in self.problems}
        results = iter(self.results)
        rows: list[dict[str, Any]] = []
        for index in range(1, len(self.results) + len(self.problems) + 1):
            if index in failed:
                problem = failed[index]
                rows.append({"subject_id": problem.subject_id, "status": "not screened", "reasons": problem.message})
                continue
            result = next(results)
            row = {"subject_id": result.subject_id, "status": result.status, "reasons": "\n".join(result.reasons)}
            row.update((c.criterion_id, c.status) for c in result.criteria)
            rows.append(row)
        return pd.DataFrame(rows, columns=self._columns())

    def _columns(self) -> list[str]:
        ids = [c.criterion_id for c in self.results[0].criteria] if self.results else []
        return ["subject_id", "status", "reasons", *ids]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: summary, reasons, patients, problems (the records not screened)."""
        return to_json_dict(
            {
                "summary": self.summary(),
                "reasons": self.reasons().to_dict(orient="records"),
                "patients": [r.to_dict() for r in self.results],
                "problems": [p.to_dict() for p in self.problems],
            }
        )

    def __str__(self) -> str:
        lines = [", ".join(f"{k}: {v}" for k, v in self.summary().items())]
        for result in self.results:
            reasons = "; ".join(result.reasons)
            lines.append(f"{result.subject_id}: {result.status}" + (f" ({reasons})" if reasons else ""))
        lines += [str(problem) for problem in self.problems]
        return fit_lines("\n".join(lines))


def _describe(exc: ValidationError, subject: str | None) -> tuple[str, tuple[str, ...]]:
    """The message (one line per problem) and the problems."""
    problems = tuple(
        f"{where}: {message}" if where else message for where, message in validation_messages(exc.errors())
    )
    who = f"Patient {subject}" if subject else "A patient record"
    if len(problems) == 1:
        return f"{who}: {problems[0]}", problems
    return f"{who}: {len(problems)} problems\n" + "\n".join(f"  {problem}" for problem in problems), problems


def _subject_of(raw: object) -> str | None:
    if isinstance(raw, PatientRecord):
        return raw.subject_id
    if isinstance(raw, Mapping) and raw.get("subject_id") is not None:
        return str(raw.get("subject_id"))
    return None


def screen_patients(
    protocol: Protocol,
    records: Iterable[Mapping[str, Any] | PatientRecord],
    *,
    as_of: date | datetime,
    max_data_age_days: float = 28.0,
) -> ScreeningLog:
    """Screen every record; a record's problems are collected (``ScreeningLog.problems``) instead of
    stopping the batch.

    A record whose ``subject_id`` repeats an earlier record's is not screened (``ELIG-E012``).

    Raises
    ------
    DataError
        When the protocol has no eligibility criteria (``ELIG-E011``).
    """
    require_criteria(protocol)
    results, problems = [], []
    seen: dict[str, int] = {}
    for index, raw in enumerate(records, start=1):
        subject = _subject_of(raw)
        if subject is not None and subject in seen:
            message = (
                f"Patient {subject}: the subject_id is also that of record {seen[subject]}; give each patient one "
                f"record (merge the two, or correct the id)."
            )
            problems.append(RecordProblem(index, subject, message, "ELIG-E012"))
            continue
        if subject is not None:
            seen[subject] = index
        try:
            record = raw if isinstance(raw, PatientRecord) else PatientRecord.model_validate(raw)
            results.append(evaluate_eligibility(protocol, record, as_of=as_of, max_data_age_days=max_data_age_days))
        except ValidationError as exc:
            message, details = _describe(exc, subject)
            problems.append(RecordProblem(index, subject, message, "ELIG-E001", details))
        except TrialError as exc:
            problems.append(RecordProblem(index, subject, exc.message, exc.code))
    return ScreeningLog(tuple(results), tuple(problems))
