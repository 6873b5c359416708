"""``oncotrial protocol``: list, show and validate protocols."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.table import Table
from rich.text import Text

from oncotrial.cli.common import err, out, read_text_file, write_text
from oncotrial.errors import DataError
from oncotrial.io.ctgov import derive_protocol_from_ctgov
from oncotrial.protocol import (
    list_builtin_protocols,
    load_builtin_protocol,
    load_protocol,
    load_protocol_reference,
    parse_protocol,
    protocol_to_dict,
)
from oncotrial.protocol.models import Protocol

app = typer.Typer(help="Protocols as data: list the built-in ones, show one, validate a file.", no_args_is_help=True)


@app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the built-in protocols."""
    protocols = [load_builtin_protocol(pid) for pid in list_builtin_protocols()]
    if as_json:
        rows = [_summary(p) for p in protocols]
        write_text(json.dumps(rows, indent=2, ensure_ascii=False), None)
        return
    table = Table(title="Built-in protocols")
    for column in ("id", "short title", "phase", "arms", "design"):
        table.add_column(column)
    for p in protocols:
        row = _summary(p)
        table.add_row(p.id, str(row["short_title"]), p.phase, ", ".join(a.id for a in p.arms), p.design.kind)
    out.print(table)


def _summary(p: Protocol) -> dict[str, object]:
    return {
        "id": p.id,
        "short_title": p.short_title or p.title,
        "phase": p.phase,
        "arms": [a.id for a in p.arms],
        "design": p.design.kind,
    }


@app.command("show")
def show_command(
    protocol_id: Annotated[str, typer.Argument(metavar="ID", help="A built-in protocol id or a YAML file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the validated protocol as JSON.")] = False,
) -> None:
    """Show a protocol: its arms, treatments and rules (or the whole validated document as JSON)."""
    protocol = load_protocol_reference(protocol_id)
    if as_json:
        write_text(json.dumps(protocol_to_dict(protocol), indent=2, ensure_ascii=False), None)
        return
    out.print(Text.assemble((protocol.id, "bold"), f": {protocol.title}"))
    out.print(f"Phase {protocol.phase}; design {protocol.design.kind}; conditions: {', '.join(protocol.conditions)}")
    for arm in protocol.arms:
        out.print(Text.assemble("\n", (f"Arm {arm.id}", "bold"), f": {arm.label}"))
        for t in arm.treatments:
            out.print(f"  {protocol.agent(t.agent).name}: {t.dose} {t.route.value}")
        for rule in arm.continuation:
            out.print(f"  continuation: {rule.text}")
        for cross in arm.crossover:
            out.print(
                f"  crossover to arm {cross.to_arm} after {cross.after_cycles} cycles if {'/'.join(cross.responses)}"
            )
    if protocol.interpretations:
        out.print(f"\n{len(protocol.interpretations)} interpretation(s) of the source are recorded (see --json).")


@app.command("validate")
def validate_command(
    file: Annotated[Path, typer.Argument(help="A protocol YAML file.")],
) -> None:
    """Validate a protocol file; every problem is listed with its place in the file."""
    protocol = load_protocol(file)
    out.print(
        f"{file}: valid protocol {protocol.id} ({len(protocol.arms)} arm(s), {len(protocol.eligibility)} eligibility criteria)"
    )


@app.command("import-ctgov")
def import_ctgov_command(
    file: Annotated[Path, typer.Argument(help="A ClinicalTrials.gov API v2 study record (JSON).")],
    out_path: Annotated[Path, typer.Option("--out", help="The draft protocol YAML to write.")],
) -> None:
    """Draft a protocol from a ClinicalTrials.gov record; report which criterion lines became rules."""
    text = read_text_file(file, what="registry record", option="FILE", code="CTGOV-E002")
    try:
        study = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{file} is not JSON: {exc}", code="CTGOV-E003", field="FILE") from exc
    imported = derive_protocol_from_ctgov(study)
    protocol = parse_protocol(imported.protocol, source=str(file))  # the draft must validate
    write_text(yaml.safe_dump(protocol_to_dict(protocol), sort_keys=False, allow_unicode=True), out_path)
    for warning in imported.warnings:
        err.print(f"Warning: {warning}", markup=False)
    out.print(f"{protocol.id}: {imported.coverage}")
    for text in imported.not_encoded:
        out.print(f"  kept for investigator review: {text}", markup=False)
    for text, criterion_id in imported.permissions:
        out.print(f"  a permission, kept with {criterion_id} (never evaluated): {text}", markup=False)
