"""``oncotrial assessment``: the lesions identified at baseline, then each follow-up visit's measurements, from a
YAML or JSON file; the time-point response that ``oncotrial.recist`` derives is printed with its rule id.

A baseline file::

    date: 2026-11-20
    lesions:
      - {code: T01, kind: TARGET, location: LUNG, method: CT SCAN, diameter: 30}
      - {code: NT01, kind: NON-TARGET, location: BONE, method: CT SCAN}

A visit file::

    visit: WEEK 6
    date: 2027-01-01
    evaluator: INVESTIGATOR            # optional (with evaluator_id, for a second reader)
    measurements:
      - {lesion: T01, diameter: 20}
      - {lesion: NT01, status: PRESENT}
    new_lesions: []                    # optional: {code, location, method, status}
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from oncotrial.cli.common import input_limits
from oncotrial.cli.database import (
    AsOption,
    DbOption,
    JsonOption,
    SubjectOption,
    TrialOption,
    operation,
    parse_day,
    print_recorded,
)
from oncotrial.errors import DataError
from oncotrial.io import read_document

app = typer.Typer(no_args_is_help=True, help="Tumour assessments: baseline lesions, then each visit (RECIST 1.1).")

FileOption = Annotated[Path, typer.Option("--file", metavar="FILE", help="The assessment (YAML or JSON).")]
READER = ("evaluator", "evaluator_id", "visit_number")
BASELINE_KEYS = ("date", "lesions", "visit", *READER)
VISIT_KEYS = ("visit", "date", "measurements", "new_lesions", *READER)
# the fields the store names in its errors, and where they are in the file
FIELDS = {"identified_on": "--file (date)", "assessed_on": "--file (date)", "lesions": "--file (lesions)"}


def load_assessment(path: Path, *, keys: Collection[str], required: Collection[str]) -> dict[str, Any]:
    """The mapping in ``path``, its ``date`` read as a date; unknown or missing keys are refused by name."""
    data = read_document(path, what="assessment file", field="--file", limits=input_limits())
    if not isinstance(data, dict):
        raise DataError(
            f"The assessment file {path} must hold a mapping ({', '.join(keys)}); see `oncotrial assessment --help`.",
            code="CLI-E069",
            field="--file",
        )
    unknown = sorted(set(data) - set(keys))
    missing = [key for key in required if key not in data]
    if unknown or missing:
        problem = f"{', '.join(unknown)} is not a field" if unknown else f"{', '.join(missing)} is missing"
        raise DataError(
            f"The assessment file {path}: {problem} (its fields: {', '.join(keys)}).", code="CLI-E069", field="--file"
        )
    when = data.pop("date")
    data["date"] = when if isinstance(when, date) else parse_day(str(when), option=f"--file {path.name}: date")
    return data


@app.command("baseline")
def baseline_command(
    trial: TrialOption,
    subject: SubjectOption,
    file: FileOption,
    db: DbOption = None,
    as_user: AsOption = None,
) -> None:
    """Record the lesions identified at baseline, held to the RECIST 1.1 selection rules."""
    from oncotrial.store.services import record_baseline_lesions

    data = load_assessment(file, keys=BASELINE_KEYS, required=("date", "lesions"))
    day, lesions = data.pop("date"), data.pop("lesions")
    with operation(db, as_user, FIELDS) as (session, actor):
        record_baseline_lesions(session, actor, trial, subject, identified_on=day, lesions=lesions, **data)
    kinds = [str(lesion.get("kind", "")).lower() for lesion in lesions if isinstance(lesion, dict)]
    counted = ", ".join(f"{kinds.count(kind)} {kind}" for kind in dict.fromkeys(kinds))
    print_recorded(
        [f"Recorded the baseline of patient {subject} on {day}: {len(lesions)} lesions ({counted})."], {}, as_json=False
    )


@app.command("add")
def add_command(
    trial: TrialOption,
    subject: SubjectOption,
    file: FileOption,
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a follow-up visit; prints the time-point response derived from it, with its RECIST 1.1 rule id."""
    from oncotrial.store.services import record_assessment, timepoint_responses

    data = load_assessment(file, keys=VISIT_KEYS, required=("visit", "date", "measurements"))
    day = data.pop("date")
    with operation(db, as_user, FIELDS) as (session, actor):
        assessment = record_assessment(session, actor, trial, subject, assessed_on=day, **data)
        stored = timepoint_responses(session, actor, trial, subject)
        response = next(
            t
            for t in stored
            if (t.visit, t.evaluator, t.evaluator_id, t.assessed_on)
            == (assessment.visit, assessment.evaluator, assessment.evaluator_id, assessment.assessed_on)
        )
    total = f"; sum of diameters {response.sum_of_diameters:g} mm" if response.sum_of_diameters is not None else ""
    payload = {
        "trial": trial,
        "subject_id": subject,
        "visit": response.visit,
        "assessed_on": day.isoformat(),
        "target": response.target,
        "non_target": response.non_target,
        "new_lesions": response.new_lesions,
        "overall": response.overall,
        "rule_id": response.rule_id,
        "sum_of_diameters": response.sum_of_diameters,
    }
    print_recorded(
        [
            f"Recorded {response.visit} of patient {subject} on {day}: overall response {response.overall} "
            f"(RECIST 1.1 rule {response.rule_id}; target {response.target}, non-target {response.non_target}, "
            f"new lesions {response.new_lesions}{total})."
        ],
        payload,
        as_json=as_json,
    )
