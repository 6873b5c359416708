"""``oncotrial screen``: screen patient records against a protocol's eligibility criteria."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from oncotrial.cli.common import err, input_limits, out, output_option, parse_start, print_table, write_text
from oncotrial.eligibility import ScreeningLog, TemplateField, build_record_template, screen_patients
from oncotrial.errors import DataError
from oncotrial.io import PATIENTS_FILE_LIMITS, read_document
from oncotrial.protocol import load_protocol_reference


def load_patients(path: Path) -> list[Any]:
    """A YAML or JSON file holding a list of patient records (or ``{"patients": [...]}``), read within bounds."""
    if path.suffix.lower() not in {".yaml", ".yml", ".json"}:
        raise DataError(
            f"The patients file {path} must be YAML (.yaml, .yml) or JSON (.json); see 'oncotrial screen --help' "
            f"and the record shape in the README.",
            code="ELIG-E003",
            field="--patients",
        )
    data = read_document(path, what="patients file", field="--patients", limits=input_limits(PATIENTS_FILE_LIMITS))
    if isinstance(data, dict) and "patients" in data:
        data = data["patients"]
    if not isinstance(data, list) or not data:
        raise DataError(
            f"The patients file {path} must hold a list of one or more patient records (or 'patients: [...]').",
            code="ELIG-E003",
            field="--patients",
        )
    return data


def screen_command(
    protocol: Annotated[str, typer.Option("--protocol", help="A built-in protocol id or a protocol YAML file.")],
    patients: Annotated[
        Path | None, typer.Option("--patients", help="Patient records (YAML or JSON list); not with --template.")
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Screening date (YYYY-MM-DD); default today.")] = None,
    lab_window_days: Annotated[
        float,
        typer.Option("--lab-window-days", min=0, help="Oldest lab/ECOG accepted when a criterion gives no limit."),
    ] = 28.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    template: Annotated[
        bool, typer.Option("--template", help="Write a blank patient record with the fields the protocol uses.")
    ] = False,
    out_path: Annotated[
        Path | None,
        output_option(
            "--out",
            help="Write to this file: with --template the blank record (default: standard output); otherwise one row "
            "per patient (.csv, each criterion's status) or the whole log (.json), and the terminal gets the summary.",
        ),
    ] = None,
) -> None:
    """Screen patients: each criterion met / not met / unknown, and eligible, ineligible or incomplete.

    Exits with 1 when any record could not be screened (it is listed; the others are screened).
    """
    proto = load_protocol_reference(protocol, limits=input_limits())
    if template:
        fields = build_record_template(proto, max_data_age_days=lab_window_days)
        write_text(render_record_template(proto.id, fields), out_path)
        return
    if patients is None:
        raise DataError(
            "Give the patient records with --patients FILE (YAML or JSON), or --template for a blank record.",
            code="ELIG-E004",
            field="--patients",
        )
    when: date | datetime = parse_start(as_of, option="--as-of", time="with the time") if as_of else date.today()
    log = screen_patients(proto, load_patients(patients), as_of=when, max_data_age_days=lab_window_days)
    if out_path is not None:
        _write_log(log, out_path)
        _print_summary(log)
    elif as_json:
        write_text(json.dumps(log.to_dict(), indent=2, allow_nan=False), None)
    else:
        _print_log(log, proto.id, when)
    if log.problems:
        raise typer.Exit(1)


def _write_log(log: ScreeningLog, path: Path) -> None:
    if path.suffix.lower() == ".json":
        write_text(json.dumps(log.to_dict(), allow_nan=False), path)
        return
    if path.suffix.lower() != ".csv":
        raise DataError(
            f"--out {path}: write the screening results to a .csv table (one row per patient) or a .json file.",
            code="ELIG-E005",
            field="--out",
        )
    write_text(log.to_frame().to_csv(index=False), path)


def _print_log(log: ScreeningLog, protocol_id: str, when: date | datetime) -> None:
    rows = [[result.subject_id, result.status, "\n".join(result.reasons)] for result in log.results]
    print_table(f"Screening for {protocol_id} on {when}", ("patient", "status", "reasons"), rows)
    _print_summary(log)


def _print_summary(log: ScreeningLog) -> None:
    summary = log.summary()
    out.print(", ".join(f"{k}: {v}" for k, v in summary.items()))
    for problem in log.problems:
        err.print(f"Not screened (record {problem.index}): {problem.message}", markup=False)


# --- the blank record, as YAML with a comment per field ------------------------------------------

_COMMENT_COLUMN = 44


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)  # a JSON scalar is a YAML scalar ("%" needs its quotes)


def _tree(fields: list[TemplateField]) -> tuple[dict[Any, Any], dict[tuple[Any, ...], TemplateField]]:
    """Nested mappings keyed by path parts (lists keyed by 0, 1, ...), in first-use order."""
    root: dict[Any, Any] = {}
    by_path = {f.path: f for f in fields}
    for field in fields:
        node = root
        for part in field.path:
            node = node.setdefault(part, {})
    return root, by_path


def _render(
    node: dict[Any, Any], path: tuple[Any, ...], indent: int, by_path: dict[tuple[Any, ...], TemplateField]
) -> list[str]:
    lines: list[str] = []
    for key, child in node.items():
        here = (*path, key)
        if isinstance(key, int):  # a list item: its first field carries the "- "
            item = _render(child, here, indent + 2, by_path)
            lines += [" " * indent + "- " + item[0].lstrip(), *item[1:]]
            continue
        field = by_path.get(here)
        text = f"{' ' * indent}{key}:" + (f" {_scalar(field.value)}" if field and field.value is not None else "")
        if field and field.comment:
            text = f"{text.ljust(_COMMENT_COLUMN)} # {field.comment}"
        lines += [text, *_render(child, here, indent + 2, by_path)]
    return lines


def render_record_template(protocol_id: str, fields: list[TemplateField]) -> str:
    """The blank record as a YAML list of one record, each field commented (unit, accepted values, criteria)."""
    root, by_path = _tree(fields)
    lines = [
        f"# Patient record for {protocol_id}: the fields its eligibility criteria use. Fill in every value (delete",
        "# a field that is not known: the criteria that need it stay unknown), copy the record for each patient,",
        f"# then run: oncotrial screen --protocol {protocol_id} --patients FILE",
    ]
    record = _render(root, (), 2, by_path)
    lines += ["- " + record[0].lstrip(), *record[1:]]
    return "\n".join(lines) + "\n"
