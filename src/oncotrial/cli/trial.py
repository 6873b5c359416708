"""``oncotrial trial``: create a trial with its protocol stored verbatim, and draw its concealed allocation list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from oncotrial.cli.common import input_limits
from oncotrial.cli.database import AsOption, DbOption, JsonOption, operation, parse_factors, print_recorded
from oncotrial.cli.options import parse_column_list, parse_whole_number
from oncotrial.errors import DataError
from oncotrial.io import read_document, shorten_path

app = typer.Typer(no_args_is_help=True, help="Trials: create one with its protocol, draw its allocation list.")

CodeArgument = Annotated[str, typer.Argument(metavar="CODE", help="The trial's code (e.g. NCT01416831).")]


def load_protocol_text(reference: str) -> str:
    """The text of a protocol given as a built-in id or a YAML file, as it is (stored verbatim, with its SHA-256)."""
    from importlib.resources import files

    from oncotrial.protocol import load_builtin_protocol

    path = Path(reference)
    if path.suffix.lower() in {".yaml", ".yml"} or path.is_file():
        read_document(path, what="protocol file", field="--protocol", limits=input_limits())  # bounds, syntax
        return path.read_bytes().decode("utf-8-sig")
    builtin = load_builtin_protocol(reference)  # an unknown id is refused with the ids there are
    return (files("oncotrial.protocol.library") / f"{builtin.id}.yaml").read_text(encoding="utf-8")


@app.command("create")
def create_command(
    code: CodeArgument,
    protocol: Annotated[
        str, typer.Option("--protocol", metavar="ID|FILE", help="A built-in protocol id or a YAML file.")
    ],
    title: Annotated[str | None, typer.Option("--title", help="The trial's title (default: the protocol's).")] = None,
    db: DbOption = None,
    as_user: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a trial; its protocol is stored verbatim (the YAML text and its SHA-256)."""
    from oncotrial.store.models import ProtocolVersion
    from oncotrial.store.services import create_trial

    text = load_protocol_text(protocol)
    with operation(db, as_user, {"trial": "CODE", "protocol": "--protocol"}) as (session, actor):
        trial = create_trial(session, actor, code, title=title, protocol_yaml=text)
        version = session.get_one(ProtocolVersion, trial.current_protocol_id)
        payload = {
            "trial": trial.code,
            "title": trial.title,
            "protocol_id": version.protocol_id,
            "protocol_version": version.number,
            "sha256": version.sha256,
        }
    print_recorded(
        [
            f"Created trial {trial.code}: {trial.title}",
            f"Protocol {version.protocol_id}, version {version.number} (SHA-256 {version.sha256}), from "
            f"{shorten_path(protocol)}.",
        ],
        payload,
        as_json=as_json,
    )


def _block_sizes(text: str | None) -> list[int] | None:
    if text is None:
        return None
    return [
        parse_whole_number(size, option="--block-sizes", limits=(1, 1000))
        for size in parse_column_list(text, option="--block-sizes")
    ]


@app.command("allocation")
def allocation_command(
    code: CodeArgument,
    seed: Annotated[
        int | None,
        typer.Option("--seed", min=0, max=2**63 - 1, help="The list's seed (default: a fresh random one)."),
    ] = None,
    block_sizes: Annotated[
        str | None,
        typer.Option(
            "--block-sizes", metavar="N,N", help="Block sizes drawn at random (default: 1 and 2 times the ratio)."
        ),
    ] = None,
    factors: Annotated[
        list[str] | None,
        typer.Option("--factor", metavar="NAME=LEVEL,LEVEL", help="A stratification factor and its levels; repeat."),
    ] = None,
    method: Annotated[str, typer.Option("--method", help="blocks (permuted blocks) or minimisation.")] = "blocks",
    per_stratum: Annotated[
        int | None,
        typer.Option("--per-stratum", min=1, max=100_000, help="Places per stratum (default: the design's)."),
    ] = None,
    db: DbOption = None,
    as_user: AsOption = None,
) -> None:
    """Draw the trial's concealed allocation list from its seed; it is stored apart from site data and never printed."""
    from oncotrial.store.services import setup_allocation

    sizes = _block_sizes(block_sizes)
    levels = parse_factors(factors or [])
    if method not in ("blocks", "minimisation"):
        raise DataError(f"--method '{method}' must be blocks or minimisation.", code="CLI-E064", field="--method")
    with operation(db, as_user, {"trial": "CODE", "method": "--method"}) as (session, actor):
        secret = setup_allocation(
            session, actor, code, seed=seed, block_sizes=sizes, n_per_stratum=per_stratum, factors=levels, method=method
        )
        drawn_sizes = json.loads(secret.block_sizes)
        strata = json.loads(secret.factors)
        places = secret.n_per_stratum
    described = (
        "minimisation (Pocock-Simon)"
        if method == "minimisation"
        else "permuted blocks of " + " or ".join(str(size) for size in drawn_sizes)
    )
    by = "; ".join(f"{name} ({', '.join(levels)})" for name, levels in strata.items())
    lines = [
        f"Drew the allocation list of trial {code}: {described}, "
        + ("one stratum" if strata == {"all": ["all"]} else f"strata by {by}")
        + (f", {places} places per stratum." if method == "blocks" else "."),
        "The list and its seed are held in the database, apart from site data; they are not shown.",
    ]
    print_recorded(lines, {}, as_json=False)
