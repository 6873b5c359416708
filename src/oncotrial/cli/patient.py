"""``oncotrial patient``: enrol, consent, screen, randomise and (softly) delete a patient of a trial."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from oncotrial.cli.common import input_limits, print_table
from oncotrial.cli.database import (
    AsOption,
    DbOption,
    JsonOption,
    SubjectOption,
    TrialOption,
    operation,
    parse_day,
    parse_factors,
    parse_moment,
    print_recorded,
)
from oncotrial.errors import DataError
from oncotrial.io import read_document

app = typer.Typer(no_args_is_help=True, help="Patients: enrol, consent, screen, randomise, delete.")


@app.command("enrol")
def enrol_command(
    trial: TrialOption,
    site: Annotated[str | None, typer.Option("--site", help="The site (default: the acting user's).")] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", metavar="ID", help="Subject id (default: SITE-NNNN, the next).")
    ] = None,
    enrolment_number: Annotated[
        int | None,
        typer.Option(
            "--enrolment-number", metavar="N", help="The number the protocol's rules use (default: the next)."
        ),
    ] = None,
    enrolled_on: Annotated[
        str | None, typer.Option("--enrolled-on", metavar="DATE", help="Date of enrolment (default: today).")
    ] = None,
    sex: Annotated[str | None, typer.Option("--sex", help="F, M or U.")] = None,
    age: Annotated[float | None, typer.Option("--age", help="Age in years at enrolment.")] = None,
    race: Annotated[str | None, typer.Option("--race", help="Race, as SDTM DM records it.")] = None,
    ethnicity: Annotated[str | None, typer.Option("--ethnicity", help="Ethnicity, as SDTM DM records it.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="Country (ISO 3166 code, e.g. GBR).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="The patient's name (kept apart; never exported).")] = None,
    birth_date: Annotated[
        str | None, typer.Option("--birth-date", metavar="DATE", help="Date of birth (kept apart; never exported).")
    ] = None,
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Enrol a patient at a site, under the trial's current protocol version; prints the subject id."""
    from oncotrial.store.models import Site
    from oncotrial.store.services import enrol_patient

    day = parse_day(enrolled_on, option="--enrolled-on")
    born = parse_day(birth_date, option="--birth-date") if birth_date is not None else None
    fields = {"enrolment_number": "--enrolment-number", "sex": "--sex", "age": "--age"}
    with operation(db, as_user, fields) as (session, actor):
        patient = enrol_patient(
            session,
            actor,
            trial,
            enrolled_on=day,
            site_code=site,
            subject_id=subject,
            enrolment_number=enrolment_number,
            sex=sex.upper() if sex else None,
            age=age,
            race=race,
            ethnicity=ethnicity,
            country=country,
            name=name,
            birth_date=born,
        )
        payload = {
            "trial": trial,
            "subject_id": patient.subject_id,
            "enrolment_number": patient.enrolment_number,
            "site": session.get_one(Site, patient.site_id).code,
            "enrolled_on": day.isoformat(),
        }
    print_recorded(
        [
            f"Enrolled patient {patient.subject_id} at site {payload['site']} of trial {trial} on {day} (enrolment "
            f"number {patient.enrolment_number})."
        ],
        payload,
        as_json=as_json,
    )


@app.command("consent")
def consent_command(
    trial: TrialOption,
    subject: SubjectOption,
    form_version: Annotated[str, typer.Option("--form-version", help="Version of the consent form signed.")],
    consent_date: Annotated[str, typer.Option("--date", metavar="DATE", help="Date the form was signed.")],
    db: DbOption = None,
    as_user: AsOption = None,
) -> None:
    """Record a patient's signed consent (form version and date)."""
    from oncotrial.store.services import record_consent

    day = parse_day(consent_date, option="--date")
    with operation(db, as_user, {"form_version": "--form-version"}) as (session, actor):
        record_consent(session, actor, trial, subject, form_version=form_version, consent_date=day)
    print_recorded(
        [f"Recorded consent of patient {subject} (form version {form_version}) on {day}."], {}, as_json=False
    )


def load_record(path: Path) -> dict[str, Any]:
    """One patient record (as ``oncotrial screen`` reads them; a list of one record is taken too)."""
    data = read_document(path, what="screening record", field="--record", limits=input_limits())
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        raise DataError(
            f"The screening record {path} must hold one patient record (a mapping of fields, as "
            "`oncotrial screen --template` writes).",
            code="CLI-E065",
            field="--record",
        )
    data.pop("subject_id", None)  # the patient is --subject
    return data


@app.command("screen")
def screen_command(
    trial: TrialOption,
    subject: SubjectOption,
    record: Annotated[Path, typer.Option("--record", metavar="FILE", help="The patient record (YAML or JSON).")],
    at: Annotated[
        str | None, typer.Option("--at", metavar="DATETIME", help="When screened, YYYY-MM-DDTHH:MM (default: now).")
    ] = None,
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Screen a patient under the protocol they were enrolled under; prints each criterion's result."""
    from sqlalchemy import select

    from oncotrial.store.models import ScreeningCriterion
    from oncotrial.store.services import record_screening

    when = parse_moment(at, option="--at")
    fields = load_record(record)
    with operation(db, as_user, {"screened_at": "--at", "record": "--record"}) as (session, actor):
        screening = record_screening(session, actor, trial, subject, fields, screened_at=when)
        criteria = session.execute(
            select(ScreeningCriterion)
            .where(ScreeningCriterion.screening_id == screening.id)
            .order_by(ScreeningCriterion.id)
        ).scalars()
        rows = [[c.criterion_id, c.type, c.status, c.reason] for c in criteria]
        status = screening.status
    if as_json:
        columns = ("criterion_id", "type", "status", "reason")
        criteria_list = [dict(zip(columns, row, strict=True)) for row in rows]
        payload = {"trial": trial, "subject_id": subject, "screened_at": when.isoformat(), "status": status}
        print_recorded([], {**payload, "criteria": criteria_list}, as_json=True)
        return
    print_table(
        f"Screening of patient {subject} ({trial}) at {when:%Y-%m-%d %H:%M}",
        ("criterion", "type", "status", "reason"),
        rows,
    )
    print_recorded([f"Patient {subject}: {status}."], {}, as_json=False)


@app.command("randomise")
def randomise_command(
    trial: TrialOption,
    subject: SubjectOption,
    on: Annotated[
        str | None, typer.Option("--on", metavar="DATE", help="Date of randomisation (default: today).")
    ] = None,
    factors: Annotated[
        list[str] | None,
        typer.Option("--factor", metavar="NAME=LEVEL", help="The patient's level of a stratification factor; repeat."),
    ] = None,
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Randomise an eligible, consented patient: the next place of their stratum's concealed list."""
    from oncotrial.store.services import randomise

    day = parse_day(on, option="--on")
    given = {}
    for name, levels in parse_factors(factors or []).items():
        if len(levels) != 1:
            raise DataError(
                f"--factor {name}: give the patient's one level (e.g. --factor {name}={levels[0]}).",
                code="CLI-E066",
                field="--factor",
            )
        given[name] = levels[0]
    with operation(db, as_user, {"randomised_on": "--on", "factors": "--factor"}) as (session, actor):
        assignment = randomise(session, actor, trial, subject, randomised_on=day, factors=given or None)
        payload = {
            "trial": trial,
            "subject_id": subject,
            "arm": assignment.arm,
            "stratum": assignment.stratum,
            "randomised_on": day.isoformat(),
        }
    print_recorded(
        [f"Randomised patient {subject} to arm {assignment.arm} on {day}{_stratum(assignment.stratum)}."],
        payload,
        as_json=as_json,
    )


def _stratum(stratum: str) -> str:
    return "" if stratum == "all=all" else f" (stratum {stratum})"


@app.command("delete")
def delete_command(
    trial: TrialOption,
    subject: SubjectOption,
    reason: Annotated[str, typer.Option("--reason", help="Why the patient is deleted (kept in the audit trail).")],
    db: DbOption = None,
    as_user: AsOption = None,
) -> None:
    """Delete a patient softly: their records stay, marked deleted, with the reason."""
    from oncotrial.store.services import delete_patient

    if not reason.strip():
        raise DataError("--reason is empty: say why the patient is deleted.", code="CLI-E067", field="--reason")
    with operation(db, as_user) as (session, actor):
        delete_patient(session, actor, trial, subject, reason=reason)
    print_recorded(
        [f"Deleted patient {subject} of trial {trial} (reason: {reason}); the records stay, marked deleted."],
        {},
        as_json=False,
    )
