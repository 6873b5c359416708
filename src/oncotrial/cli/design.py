"""``oncotrial design``: Simon two-stage, single-stage, inference, monitoring, selection and Bayesian designs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.progress import Progress

from oncotrial.cli.common import err, out, output_option, write_text
from oncotrial.design import (
    BetaPrior,
    build_posterior_boundaries,
    build_predictive_boundaries,
    check_rate,
    check_sample_size,
    compute_boundary_characteristics,
    compute_correct_selection,
    compute_two_stage_inference,
    evaluate_two_stage_interim,
    find_selection_sample_size,
    find_simon_designs,
    find_simon_designs_grid,
    find_single_stage_designs,
)
from oncotrial.errors import DataError, DesignError

app = typer.Typer(
    help="Trial design: Simon two-stage, exact single-stage, inference, monitoring, selection, Bayesian.",
    no_args_is_help=True,
)

P0 = Annotated[float, typer.Option("--p0", help="Response rate not worth pursuing (e.g. 0.16).")]
P1 = Annotated[float, typer.Option("--p1", help="Response rate that makes the treatment promising.")]
ALPHA = Annotated[float, typer.Option("--alpha", help="Type I error (one-sided).")]
BETA = Annotated[float, typer.Option("--beta", help="Type II error (1 - power).")]
JSON = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
OUT = Annotated[Path | None, output_option("--out", help="Write the output to this file.")]
DESIGN = Annotated[str, typer.Option("--design", help="The two-stage design as r1/n1,r/n (e.g. 3/13,12/43).")]


def _print_json(payload: Any, path: Path | None = None) -> None:
    write_text(json.dumps(payload, indent=2), path)


def parse_two_stage(text: str) -> tuple[int, int, int, int]:
    """``r1/n1,r/n`` -> ``(r1, n1, r, n)``; anything else is a clear error."""
    match = re.fullmatch(r"\s*(-?\d+)\s*/\s*(\d+)\s*,\s*(\d+)\s*/\s*(\d+)\s*", text)
    if match is None:
        raise DataError(
            f"--design '{text}' is not a two-stage design: write r1/n1,r/n, e.g. 3/13,12/43 "
            "(stop if at most 3 of the first 13 respond; promising if more than 12 of 43).",
            code="CLI-E010",
            field="--design",
        )
    r1, n1, r, n = (int(g) for g in match.groups())
    return r1, n1, r, n


def _read_grid(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"Cannot read the scenario file {path}: {exc}", code="CLI-E011", field="--grid") from exc


def _run_grid(path: Path, nmax: int, as_json: bool, out_path: Path | None) -> None:
    scenarios = _read_grid(path)
    if "nmax" not in scenarios.columns:
        scenarios = scenarios.assign(nmax=nmax)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("Simon designs", total=len(scenarios))
        result = find_simon_designs_grid(scenarios, on_progress=lambda i: progress.update(task, completed=i))
    if as_json:
        _print_json([_json_row(row) for row in result.to_dict(orient="records")], out_path)
    elif out_path is not None:
        write_text(result.to_csv(index=False), out_path)
    else:
        out.print(result.to_string(index=False))


def _json_row(row: dict[Any, Any]) -> dict[str, Any]:
    """A grid row with full precision, whole numbers as ints and missing values as null."""
    return {str(k): None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v for k, v in row.items()}


@app.command("simon")
def simon_command(
    p0: Annotated[float | None, typer.Option("--p0", help="Response rate not worth pursuing (e.g. 0.16).")] = None,
    p1: Annotated[float | None, typer.Option("--p1", help="Response rate that makes the treatment promising.")] = None,
    alpha: ALPHA = 0.05,
    beta: BETA = 0.20,
    nmax: Annotated[int, typer.Option("--nmax", help="Largest total sample size searched (at most 1000).")] = 100,
    grid: Annotated[Path | None, typer.Option("--grid", help="CSV of scenarios: p0,p1,alpha,beta[,nmax].")] = None,
    as_json: JSON = False,
    out_path: OUT = None,
) -> None:
    """Simon's optimal, minimax and admissible two-stage designs (as clinfun's ph2simon)."""
    if grid is not None:
        _run_grid(grid, nmax, as_json, out_path)
        return
    if p0 is None or p1 is None:
        raise typer.BadParameter("give --p0 and --p1 (or --grid FILE for many scenarios).", param_hint="--p0/--p1")
    found = find_simon_designs(p0, p1, alpha=alpha, beta=beta, nmax=nmax)
    if as_json:
        _print_json(found.to_dict(), out_path)
        return
    if out_path is not None:
        write_text(str(found), out_path)
    else:
        out.print(str(found))


@app.command("single")
def single_command(
    p0: P0,
    p1: P1,
    alpha: ALPHA = 0.05,
    beta: BETA = 0.20,
    count: Annotated[int, typer.Option("--count", help="How many designs to list.")] = 5,
    nmax: Annotated[int, typer.Option("--nmax", help="Largest sample size searched (at most 5000).")] = 1000,
    as_json: JSON = False,
) -> None:
    """Exact single-stage designs: the smallest n (and r) meeting alpha and beta (as clinfun's ph2single)."""
    found = find_single_stage_designs(p0, p1, alpha=alpha, beta=beta, count=count, nmax=nmax)
    if as_json:
        _print_json(found.to_dict())
    else:
        out.print(str(found))


@app.command("infer")
def infer_command(
    design: DESIGN,
    responses: Annotated[int, typer.Option("--responses", help="Total responses observed.")],
    p0: P0,
    alpha: Annotated[float, typer.Option("--alpha", help="One-sided level; the interval is 1 - 2 alpha.")] = 0.05,
    n1_actual: Annotated[int | None, typer.Option("--n1-actual", help="Stage-1 size actually enrolled.")] = None,
    n_actual: Annotated[int | None, typer.Option("--n-actual", help="Total size actually enrolled.")] = None,
    stage1_responses: Annotated[
        int | None, typer.Option("--stage1-responses", help="Stage-1 responses (needed if stage 2's size changed).")
    ] = None,
    as_json: JSON = False,
) -> None:
    """Design-adjusted p-value, UMVUE, median-unbiased estimate and exact limits (Koyama & Chen 2008)."""
    r1, n1, r, n = parse_two_stage(design)
    result = compute_two_stage_inference(
        responses,
        r1=r1,
        n1=n1,
        r=r,
        n=n,
        p0=p0,
        alpha=alpha,
        n1_actual=n1_actual,
        n_actual=n_actual,
        stage1_responses=stage1_responses,
    )
    if as_json:
        _print_json(result.to_dict())
    else:
        out.print(str(result))


@app.command("monitor")
def monitor_command(
    design: DESIGN,
    responses: Annotated[int, typer.Option("--responses", help="Responses so far.")],
    enrolled: Annotated[int, typer.Option("--enrolled", help="Subjects evaluable so far.")],
    rate: Annotated[list[float] | None, typer.Option("--rate", help="Rate(s) for the conditional power.")] = None,
    as_json: JSON = False,
) -> None:
    """Stage-1 decision and monitoring: continue, stop for futility or promising, with conditional power."""
    r1, n1, r, n = parse_two_stage(design)
    decision = evaluate_two_stage_interim(responses, enrolled, r1=r1, n1=n1, r=r, n=n, rates=rate or ())
    if as_json:
        _print_json(decision.to_dict())
    else:
        out.print(str(decision))


@app.command("select")
def select_command(
    p: Annotated[float, typer.Option("--p", help="Response rate of the inferior arms.")],
    difference: Annotated[float, typer.Option("--difference", help="How much better the best arm is (e.g. 0.15).")],
    arms: Annotated[int, typer.Option("--arms", help="Number of arms.")] = 2,
    target: Annotated[float, typer.Option("--target", help="Probability of correct selection wanted.")] = 0.90,
    n: Annotated[int | None, typer.Option("--n", help="Evaluate this n per arm instead of searching.")] = None,
    as_json: JSON = False,
) -> None:
    """Randomised phase II selection (Simon, Wittes & Ellenberg 1985): n per arm for a correct pick."""
    if n is not None:
        prob = compute_correct_selection(n, p, difference, arms=arms)
        if as_json:
            _print_json(prob.to_dict())
        else:
            out.print(str(prob))
        return
    found = find_selection_sample_size(p, difference, arms=arms, target=target)
    if as_json:
        _print_json(found.to_dict())
    else:
        out.print(str(found))


@app.command("bayes")
def bayes_command(
    p0: P0,
    nmax: Annotated[int, typer.Option("--nmax", help="Maximum sample size.")],
    p1: Annotated[float | None, typer.Option("--p1", help="Rate at which to report power.")] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="predictive (Lee & Liu) or posterior (Thall & Simon).")
    ] = "predictive",
    prior_a: Annotated[float, typer.Option("--prior-a", help="Beta prior a.")] = 1.0,
    prior_b: Annotated[float, typer.Option("--prior-b", help="Beta prior b.")] = 1.0,
    theta_t: Annotated[float, typer.Option("--theta-t", help="Posterior probability needed at the end.")] = 0.95,
    theta_l: Annotated[float, typer.Option("--theta-l", help="Stop for futility below this probability.")] = 0.05,
    theta_u: Annotated[float, typer.Option("--theta-u", help="Stop for efficacy above this (1 = never).")] = 1.0,
    first_look: Annotated[int, typer.Option("--first-look", help="First interim look (subjects).")] = 10,
    every: Annotated[int, typer.Option("--every", help="Subjects between looks.")] = 1,
    as_json: JSON = False,
) -> None:
    """Bayesian monitoring boundaries with their exact operating characteristics."""
    check_sample_size(nmax, "--nmax", minimum=2, maximum=2000)
    if p1 is not None:
        check_rate(p1, "--p1")
    prior = BetaPrior(prior_a, prior_b)
    if not 1 <= first_look < nmax or every < 1:
        raise DesignError(
            f"--first-look {first_look} must lie from 1 to nmax - 1 = {nmax - 1}, and --every {every} must be at least 1.",
            code="CLI-E014",
            field="--first-look",
        )
    looks = list(range(first_look, nmax, every))
    if kind == "predictive":
        bounds = build_predictive_boundaries(
            p0, nmax=nmax, prior=prior, theta_t=theta_t, theta_l=theta_l, theta_u=theta_u, looks=looks
        )
    elif kind == "posterior":
        bounds = build_posterior_boundaries(
            p0, nmax=nmax, prior=prior, theta_t=theta_t, theta_l=theta_l, theta_u=theta_u, looks=looks
        )
    else:
        raise DesignError(f"--kind '{kind}' must be predictive or posterior.", code="CLI-E013", field="--kind")
    rates = [p0] + ([p1] if p1 is not None else [])
    chars = [compute_boundary_characteristics(bounds, p) for p in rates]
    if as_json:
        _print_json({"boundaries": bounds.to_dict(), "characteristics": [c.to_dict() for c in chars]})
        return
    out.print(str(bounds))
    for c in chars:
        out.print(str(c))
