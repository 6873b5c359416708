"""``oncotrial demo``: the end-to-end demo (``oncotrial.demo``): a trial database of virtual patients, the
analyses and the report, with a progress bar and a short summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from oncotrial.cli.common import err, out, print_table

if TYPE_CHECKING:
    from oncotrial.demo import DemoResult


def _months(value: float | None) -> str:
    return "not reached" if value is None else f"{value:.1f}"


def print_summary(result: DemoResult) -> None:
    """Responses by arm with their exact intervals, median PFS, the decision, the report and how to open the app."""
    from oncotrial.demo import DEMO_LOGIN

    out.print(
        f"Trial NCT01416831 in {result.folder}: {result.screened} people screened ({result.screen_failures} not "
        f"eligible), {result.randomised} randomised; audit trail {'verified' if result.chain_ok else 'BROKEN'}."
    )
    rows = [
        [
            arm.arm,
            f"{arm.responders}/{arm.patients}",
            f"{100 * arm.rate:.1f} %",
            f"{100 * arm.lower:.1f}-{100 * arm.upper:.1f} %",
            _months(arm.median_pfs_months),
            f"{_months(arm.pfs_lower)}-{_months(arm.pfs_upper)}",
        ]
        for arm in result.arms
    ]
    print_table(
        "Best overall response CR or PR (exact 95 % CI) and median PFS in months (95 % CI), by arm",
        ["arm", "responders", "rate", "95 % CI", "median PFS", "95 % CI"],
        rows,
        right={"responders", "rate", "95 % CI", "median PFS"},
    )
    out.print(f"Decision: {result.decision}")
    pdf = result.report.with_suffix(".pdf")
    out.print(f"Report: {result.report}" + (f" and {pdf}" if pdf.is_file() else f" ({result.report_note})"))
    accounts = [[a.username, a.role, a.site or "all", a.password] for a in result.accounts]
    print_table(
        "Users of the demo database (passwords made now; keep them or set new ones)",
        ["user", "role", "site", "password"],
        accounts,
    )
    login = next(a for a in result.accounts if a.username == DEMO_LOGIN)
    out.print("Open the web app on the demo database, then log in at http://127.0.0.1:8000/ as")
    out.print(f"{login.username} (password {login.password}):")
    out.print(f"  {result.serve_command} --key-file {result.folder / 'oncotrial-web.key'}")


def demo_command(
    out_dir: Annotated[
        Path,
        typer.Option("--out", help="The demo's folder (made, or replaced when an earlier demo made it)."),
    ] = Path("oncotrial-demo"),
) -> None:
    """The end-to-end demo: NCT01416831 with 44 randomised virtual patients in a trial database, the analyses
    and the report; prints the results and how to open the web app on the database."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from oncotrial.demo import STEPS, build_demo

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("Building the demo", total=len(STEPS))
        result = build_demo(out_dir, on_step=lambda step: progress.update(task, advance=1, description=step))
    print_summary(result)
