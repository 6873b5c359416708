"""``oncotrial simulate``: virtual trials of a protocol under a scenario, their operating characteristics with
Monte-Carlo standard errors; in this process, on a local Dask cluster (``--workers``) or on a scheduler."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from oncotrial.cli.common import err, out, output_option, write_text
from oncotrial.errors import DataError

if TYPE_CHECKING:
    from oncotrial.simulate import ChunkRunner, OperatingCharacteristics, Scenario

DEFAULT_SEED = 20161130
FILES = ("operating_characteristics.json", "operating_characteristics.csv", "replicates.csv")


def _scenario(path: Path | None, protocol_id: str) -> Scenario:
    from oncotrial.cli.common import input_limits
    from oncotrial.simulate import load_builtin_scenario, load_scenario

    if path is None:
        return load_builtin_scenario(protocol_id)
    return load_scenario(path, limits=input_limits())


def _write(result: OperatingCharacteristics, folder: Path) -> None:
    from oncotrial.io import write_table

    if folder.exists() and not folder.is_dir():
        raise DataError(
            f"--out {folder} is a file: give a folder to write {', '.join(FILES)} into.", code="CLI-E090", field="--out"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(
            f"Cannot create the folder {folder} ({exc.strerror or exc}): give a folder you can write.",
            code="CLI-E091",
            field="--out",
        ) from exc
    write_text(json.dumps(result.to_dict(), indent=2) + "\n", folder / FILES[0])
    write_table(result.to_frame(), folder / FILES[1])
    write_table(result.to_replicate_frame(), folder / FILES[2])


def _run(runner: ChunkRunner | None, chunk_size: int, replicates: int, **arguments: object) -> OperatingCharacteristics:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from oncotrial.simulate import run_chunks_in_process, simulate_trials

    with Progress(
        TextColumn("Virtual trials"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("trials", total=replicates)
        return simulate_trials(
            replicates=replicates,
            chunk_size=chunk_size,
            run_chunks=runner or run_chunks_in_process,
            progress=lambda done: progress.update(task, completed=done),
            **arguments,  # type: ignore[arg-type]
        )


def simulate_command(
    protocol: Annotated[str, typer.Option("--protocol", help="Built-in protocol id or YAML file.")],
    replicates: Annotated[int, typer.Option("--replicates", help="Number of virtual trials (e.g. 10000).")],
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="Scenario YAML file (absent: the seed trial's own scenario).")
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed gives the same results.")
    ] = DEFAULT_SEED,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Run on a local Dask cluster of this many worker processes.")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Run on the Dask scheduler at this address (tcp://host:8786).")
    ] = None,
    p0: Annotated[float | None, typer.Option("--p0", help="Simon design without stage sizes: the rate p0.")] = None,
    p1: Annotated[float | None, typer.Option("--p1", help="Simon design without stage sizes: the rate p1.")] = None,
    alpha: Annotated[float, typer.Option("--alpha", help="Simon design search: type I error.")] = 0.05,
    beta: Annotated[float, typer.Option("--beta", help="Simon design search: type II error.")] = 0.20,
    out_dir: Annotated[
        Path | None,
        output_option("--out", help="Folder to write the results into: JSON, CSV and one row per replicate."),
    ] = None,
) -> None:
    """Simulate whole trials (accrual, screening, allocation, RECIST, endpoints, the design's decision) and print
    their operating characteristics with Monte-Carlo standard errors."""
    from oncotrial.protocol import load_protocol_reference
    from oncotrial.simulate import TrialOptions, build_trial_plan, check_run

    if workers is not None and scheduler is not None:
        raise DataError("Give --workers or --scheduler, not both.", code="CLI-E092", field="--workers")
    check_run(replicates, seed)
    proto = load_protocol_reference(protocol)
    arguments = {
        "protocol": proto,
        "scenario": _scenario(scenario, proto.id),
        "seed": seed,
        "options": TrialOptions(p0=p0, p1=p1, alpha=alpha, beta=beta),
    }
    build_trial_plan(proto, arguments["scenario"], arguments["options"])  # type: ignore[arg-type]  # bad input fails before a cluster starts
    if workers is None and scheduler is None:
        result = _run(None, 1000, replicates, **arguments)
    else:
        from oncotrial.simulate import choose_chunk_size, dask_runner, open_client

        with open_client(scheduler=scheduler, workers=workers) as client:
            count = workers or max(1, len(client.scheduler_info().get("workers", {})))
            result = _run(dask_runner(client), choose_chunk_size(replicates, count), replicates, **arguments)
    out.print(str(result))
    if out_dir is not None:
        _write(result, out_dir)
        out.print(f"Wrote {', '.join(FILES)} to {out_dir}.")
