"""``oncotrial safety``: CTCAE v5 lab grades equal to admiral's, adverse-event tables, dose-limiting toxicity.

``safety grade --lb LB --out F`` reads SDTM LB (.csv, .csv.gz, .parquet, .xpt), calls
:func:`oncotrial.safety.derive_lab_grades` and writes each graded record (USUBJID, LBSEQ, LBTESTCD, the
low and high terms and grades in admiral's names) to ``--out`` (.csv or .parquet), or prints the counts.
``safety ae-table`` calls :func:`oncotrial.safety.summarise_adverse_events`; ``safety dlt`` applies the
protocol's ``dlt`` section with :func:`oncotrial.safety.evaluate_dlt`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from oncotrial.cli.common import err, input_limits, out, output_option
from oncotrial.cli.database import AsOption, DbOption, stored_sdtm
from oncotrial.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(
    help="Safety: CTCAE v5 lab grades (equal to admiral), adverse-event tables, dose-limiting toxicity.",
    no_args_is_help=True,
)

_WRITTEN = ("USUBJID", "LBSEQ", "LBTESTCD", "ATOXDSCL", "ATOXDSCH", "ATOXGRL", "ATOXGRH")


@app.callback()
def safety_group() -> None:
    """Safety: CTCAE v5 lab grades (equal to admiral), adverse-event tables, dose-limiting toxicity."""


def _one_source(path: Path | None, trial: str | None, option: str) -> None:
    if (path is None) == (trial is None):
        raise DataError(
            f"give the file ({option}) or a trial of the database (--trial), one of them", code="CLI-E071", field=option
        )


@app.command("grade")
def grade_command(
    lb: Annotated[Path | None, typer.Option("--lb", help="SDTM LB with standard results and normal ranges.")] = None,
    trial: Annotated[
        str | None, typer.Option("--trial", help="Grade the trial's lab results in the trial database instead.")
    ] = None,
    out_path: Annotated[
        Path | None, output_option("--out", help="Write the graded records (.csv or .parquet).")
    ] = None,
    db: DbOption = None,
    as_user: AsOption = None,
) -> None:
    """CTCAE v5 low and high grade of each LB record (admiral's ATOXGRL/ATOXGRH), with its terms; from an SDTM
    LB file (--lb) or from the trial database (--trial; a statistician's export permission)."""
    from oncotrial.io import MISSING_SPELLINGS, read_table, write_table
    from oncotrial.safety import LAB_COLUMNS, derive_lab_grades

    _one_source(lb, trial, "--lb")
    if trial is not None:
        table = stored_sdtm(db, as_user, trial, ("LB",))["LB"]
    else:
        assert lb is not None
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


@app.command("ae-table")
def ae_table_command(
    ae: Annotated[
        Path | None, typer.Option("--ae", help="SDTM AE (AEBODSYS, AEDECOD, AESTDTC; AETOXGR or AESEV).")
    ] = None,
    adsl: Annotated[Path | None, typer.Option("--adsl", help="ADSL or DM: the patients and the --by columns.")] = None,
    ex: Annotated[
        Path | None, typer.Option("--ex", help="SDTM EX: first and last dose (treatment-emergent), exposure.")
    ] = None,
    trial: Annotated[
        str | None,
        typer.Option("--trial", help="Read the trial's AE, EX and DM from the trial database instead of files."),
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Columns to split by, comma-separated (e.g. ARM).")] = None,
    window: Annotated[int, typer.Option("--window", help="Days after the last dose that still count.")] = 30,
    out_path: Annotated[Path | None, output_option("--out", help="Write the counts table (.csv or .parquet).")] = None,
    db: DbOption = None,
    as_user: AsOption = None,
) -> None:
    """Patients with any, grade >= 3, serious and related AEs by system organ class and preferred term, from SDTM
    files (--ae, --adsl, --ex) or from the trial database (--trial; a statistician's export permission)."""
    from oncotrial.io import read_table, write_table
    from oncotrial.safety import summarise_adverse_events

    _one_source(ae, trial, "--ae")
    if trial is not None:
        stored = stored_sdtm(db, as_user, trial, ("AE", "EX"))
        events = stored["AE"]
        tables: dict[str, pd.DataFrame | None] = {"ADSL": stored["DM"], "EX": stored["EX"]}
    else:
        assert ae is not None
        events = read_table(ae, name="AE")
        tables = {
            name: None if path is None else read_table(path, name=name) for name, path in (("ADSL", adsl), ("EX", ex))
        }
    groups = [c.strip() for c in (by or "").split(",") if c.strip()]
    result = summarise_adverse_events(events, adsl=tables["ADSL"], ex=tables["EX"], by=groups, window_days=window)
    if out_path is None:
        out.print(str(result), markup=False, highlight=False)
        return
    write_table(result.to_frame(), out_path)
    err.print(f"Wrote {out_path}")


@app.command("dlt")
def dlt_command(
    ae: Annotated[Path, typer.Option("--ae", help="SDTM AE (AEDECOD, AESTDTC; AETOXGR or AESEV; AEREL).")],
    ex: Annotated[Path, typer.Option("--ex", help="SDTM EX: each patient's first dose (the patients evaluated).")],
    protocol: Annotated[
        str, typer.Option("--protocol", help="A built-in protocol id or a protocol YAML file with a dlt section.")
    ],
    out_path: Annotated[
        Path | None, output_option("--out", help="Write the per-patient table (.csv or .parquet).")
    ] = None,
) -> None:
    """Dose-limiting toxicities per patient under the protocol's definition, and the DLT rate (exact CI)."""
    from oncotrial.errors import DataError
    from oncotrial.io import read_table, write_table
    from oncotrial.protocol import load_protocol_reference
    from oncotrial.safety import derive_dose_dates, evaluate_dlt

    proto = load_protocol_reference(protocol, limits=input_limits())
    if proto.dlt is None:
        raise DataError(
            f"Protocol {proto.id} defines no dose-limiting toxicity. Add a dlt section (min_grade, window_days, "
            "terms, exceptions) to the protocol file.",
            code="CLI-E080",
            field="--protocol",
        )
    doses = derive_dose_dates(read_table(ex, name="EX"))
    result = evaluate_dlt(read_table(ae, name="AE"), doses, proto.dlt)
    if out_path is not None:
        write_table(result.to_frame(), out_path)
        err.print(f"Wrote {out_path}")
    out.print(str(result), markup=False, highlight=False)
