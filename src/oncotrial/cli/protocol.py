"""``oncotrial protocol``: list, show and validate protocols."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.padding import Padding
from rich.text import Text

from oncotrial._documents import read_document, shorten_path
from oncotrial.cli.common import err, input_limits, out, output_option, print_table, write_text
from oncotrial.io.ctgov import derive_protocol_from_ctgov
from oncotrial.protocol import (
    describe_protocol,
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
    table_rows = [
        [p.id, p.short_title or p.title, p.phase, ", ".join(a.id for a in p.arms), p.design.kind] for p in protocols
    ]
    print_table("Built-in protocols", ("id", "short title", "phase", "arms", "design"), table_rows)


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
    """Show a protocol in words: arms with each agent's regimen, cycle timing, design, endpoints and criteria
    (or the whole validated document as JSON)."""
    protocol = load_protocol_reference(protocol_id, limits=input_limits())
    if as_json:
        write_text(json.dumps(protocol_to_dict(protocol), indent=2, ensure_ascii=False), None)
        return
    for number, (heading, lines) in enumerate(describe_protocol(protocol)):
        out.print(Text.assemble("\n" if number else "", (heading, "bold")), soft_wrap=False)
        for line in lines:  # wrapped between words, with a hanging indent, to the console's width
            out.print(Padding(Text(line), (0, 0, 0, 2), expand=False), soft_wrap=False)


@app.command("validate")
def validate_command(
    file: Annotated[Path, typer.Argument(help="A protocol YAML file.")],
) -> None:
    """Validate a protocol file; every problem is listed with its place in the file."""
    protocol = load_protocol(file, limits=input_limits())
    out.print(
        f"{file}: valid protocol {protocol.id} ({len(protocol.arms)} arm(s), {len(protocol.eligibility)} eligibility criteria)"
    )


@app.command("import-ctgov")
def import_ctgov_command(
    file: Annotated[Path, typer.Argument(help="A ClinicalTrials.gov API v2 study record (JSON).")],
    out_path: Annotated[Path, output_option("--out", help="The draft protocol YAML to write.")],
) -> None:
    """Draft a protocol from a ClinicalTrials.gov record; report which criterion lines became rules."""
    study = read_document(file, what="registry record", field="FILE", syntax="json", limits=input_limits())
    imported = derive_protocol_from_ctgov(study)
    protocol = parse_protocol(imported.protocol, source=shorten_path(file))  # the draft must validate
    write_text(yaml.safe_dump(protocol_to_dict(protocol), sort_keys=False, allow_unicode=True), out_path)
    for warning in imported.warnings:
        err.print(f"Warning: {warning}", markup=False)
    out.print(f"{protocol.id}: {imported.coverage}")
    for text in imported.not_encoded:
        out.print(f"  kept for investigator review: {text}", markup=False)
    for text, criterion_id in imported.permissions:
        out.print(f"  a permission, kept with {criterion_id} (never evaluated): {text}", markup=False)
