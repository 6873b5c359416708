"""``oncotrial biomarker summary``: per patient and cycle kinetics of a biomarker (baseline, maximum, time to
maximum, fold change, AUC, time above a threshold), group summaries and the paired baseline-versus-maximum
tests. Parses the options, reads the file, calls :mod:`oncotrial.biomarker` and prints or writes the tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from oncotrial.cli.common import err, naming_options, out, output_option

app = typer.Typer(help="Biomarker kinetics (e.g. IFN-γ): per patient and cycle, summaries, paired tests.")

_OPTIONS = {"subject_col": "--subject", "cycle_col": "--cycle", "time_col": "--time", "value_col": "--value"}


@app.callback()
def biomarker_group() -> None:
    """Biomarker kinetics (e.g. IFN-γ): per patient and cycle, summaries, paired tests."""


@app.command("summary")
def summary_command(
    data: Annotated[Path, typer.Option("--data", help="Samples: one row per patient, cycle and time.")],
    subject: Annotated[str, typer.Option("--subject", help="Column of patients.")] = "USUBJID",
    cycle: Annotated[str | None, typer.Option("--cycle", help="Column of cycles (none: one cycle).")] = None,
    time: Annotated[str, typer.Option("--time", help="Column of times from the cycle start (0 = baseline).")] = "time",
    value: Annotated[str, typer.Option("--value", help="Column of values.")] = "value",
    threshold: Annotated[float | None, typer.Option("--threshold", help="Level for the time above it.")] = None,
    out_path: Annotated[
        Path | None, output_option("--out", help="Write the per-patient table (.csv or .parquet).")
    ] = None,
) -> None:
    """Baseline, maximum, tmax, fold change, AUC and time above a threshold; summaries; paired tests."""
    from oncotrial.biomarker import derive_biomarker_kinetics, summarise_biomarker_kinetics
    from oncotrial.io import MISSING_SPELLINGS, read_table, write_table

    table = read_table(data, name="data", missing_values=MISSING_SPELLINGS, text=False)
    with naming_options(_OPTIONS):
        kinetics = derive_biomarker_kinetics(
            table, subject_col=subject, cycle_col=cycle, time_col=time, value_col=value, threshold=threshold
        )
    summary = summarise_biomarker_kinetics(kinetics)
    if out_path is not None:
        write_table(kinetics.to_frame(), out_path)
        err.print(f"Wrote {out_path}")
    else:
        out.print(str(kinetics), markup=False, highlight=False)
    out.print(str(summary), markup=False, highlight=False)
