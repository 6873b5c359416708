"""``oncotrial protocol``: list, show and validate protocols."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from oncotrial.cli.common import err, input_limits, out, output_option, print_table, write_text
from oncotrial.io import read_document, shorten_path
from oncotrial.protocol import summarise_builtin_protocols

# Start-up: `protocol list` needs only the library's index; the models (pydantic, pint), the registry
# import and rich's layout classes are imported by the commands that use them.


app = typer.Typer(help="Protocols as data: list the built-in ones, show one, validate a file.", no_args_is_help=True)


@app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the built-in protocols."""
    summaries = summarise_builtin_protocols()
    if as_json:
        write_text(json.dumps([s.to_dict() for s in summaries], indent=2, ensure_ascii=False), None)
        return
    rows = [[s.id, s.short_title, s.phase, ", ".join(s.arms), s.design] for s in summaries]
    print_table("Built-in protocols", ("id", "short title", "phase", "arms", "design"), rows)


@app.command("show")
def show_command(
    protocol_id: Annotated[str, typer.Argument(metavar="ID", help="A built-in protocol id or a YAML file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the validated protocol as JSON.")] = False,
) -> None:
    """Show a protocol in words: arms with each agent's regimen, cycle timing, design, endpoints and criteria
    (or the whole validated document as JSON)."""
    from rich.padding import Padding
    from rich.text import Text

    from oncotrial.protocol import describe_protocol, load_protocol_reference, protocol_to_dict

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
    from oncotrial.protocol import load_protocol

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
    import yaml

    from oncotrial.io import derive_protocol_from_ctgov
    from oncotrial.protocol import parse_protocol, protocol_to_dict

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
