"""``oncotrial safety``: CTCAE v5 lab grades equal to admiral's, adverse-event tables, dose-limiting toxicity.

``safety grade --lb LB --out F`` reads SDTM LB (.csv, .csv.gz, .parquet, .xpt), calls
:func:`oncotrial.safety.derive_lab_grades` and writes each graded record (USUBJID, LBSEQ, LBTESTCD, the
low and high terms and grades in admiral's names) to ``--out`` (.csv or .parquet), or prints the counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from oncotrial.cli.common import err, out, output_option

app = typer.Typer(
    help="Safety: CTCAE v5 lab grades (equal to admiral), adverse-event tables, dose-limiting toxicity.",
    no_args_is_help=True,
)

_WRITTEN = ("USUBJID", "LBSEQ", "LBTESTCD", "ATOXDSCL", "ATOXDSCH", "ATOXGRL", "ATOXGRH")


@app.callback()
def safety_group() -> None:
    """Safety: CTCAE v5 lab grades (equal to admiral), adverse-event tables, dose-limiting toxicity."""


@app.command("grade")
def grade_command(
    lb: Annotated[Path, typer.Option("--lb", help="SDTM LB with standard results and normal ranges.")],
    out_path: Annotated[
        Path | None, output_option("--out", help="Write the graded records (.csv or .parquet).")
    ] = None,
) -> None:
    """CTCAE v5 low and high grade of each LB record (admiral's ATOXGRL/ATOXGRH), with its terms."""
    from oncotrial.io import MISSING_SPELLINGS, read_table, write_table
    from oncotrial.safety import LAB_COLUMNS, derive_lab_grades

    table = read_table(
        lb, name="LB", columns=list(LAB_COLUMNS), optional=("LBSEQ", "LBBLFL"), missing_values=MISSING_SPELLINGS
    )
    grades = derive_lab_grades(table)
    if out_path is None:
        out.print(str(grades), markup=False, highlight=False)
        return
    frame = grades.to_frame()
    write_table(frame[[c for c in _WRITTEN if c in frame.columns]], out_path)
    err.print(f"Wrote {out_path} ({len(frame)} graded records)")
