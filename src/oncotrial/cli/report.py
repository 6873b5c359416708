"""``oncotrial report``: the trial report (HTML, PDF and figures) from the trial database or from files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from oncotrial.cli.common import out, output_option
from oncotrial.cli.database import AsOption, DbOption
from oncotrial.errors import DataError

if TYPE_CHECKING:
    from oncotrial.report import ReportData


def _file(name: str, help: str) -> Any:
    return typer.Option(f"--{name}", help=help, show_default=False)


def _from_store(db: str | None, as_user: str | None, trial: str) -> ReportData:
    from oncotrial.cli.database import operation
    from oncotrial.report import report_data_from_store

    with operation(db, as_user, read_only=True) as (session, actor):
        return report_data_from_store(session, actor, trial)


def report_command(
    out_dir: Annotated[
        Path, output_option("--out", help="The folder to write report.html, report.pdf and figures/ into.")
    ],
    trial: Annotated[str | None, typer.Option("--trial", help="The trial's code in the database (with --db).")] = None,
    db: DbOption = None,
    as_user: AsOption = None,
    adsl: Annotated[Path | None, _file("adsl", "ADSL file (CSV, Parquet or XPT), instead of --trial.")] = None,
    adrs: Annotated[Path | None, _file("adrs", "ADRS file (best overall response: CBOR or BOR).")] = None,
    adtte: Annotated[Path | None, _file("adtte", "ADTTE file (OS, PFS, ...).")] = None,
    adae: Annotated[Path | None, _file("adae", "Adverse events (ADAE or SDTM AE with AETOXGR).")] = None,
    adpc: Annotated[Path | None, _file("adpc", "PK concentrations (SDTM PC; needs --ex for the doses).")] = None,
    tr: Annotated[Path | None, _file("tr", "SDTM TR lesion measurements (waterfall, spider plots).")] = None,
    ex: Annotated[Path | None, _file("ex", "SDTM EX doses (dose intensity, swimmer plot, PK doses).")] = None,
    lb: Annotated[Path | None, _file("lb", "SDTM LB (biomarker time courses).")] = None,
    screening: Annotated[Path | None, _file("screening", "Screening log: SUBJID, ELIGIBLE, REASON (CONSORT).")] = None,
    protocol: Annotated[
        str | None, typer.Option("--protocol", help="The protocol: a YAML file or a built-in id (e.g. NCT01416831).")
    ] = None,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="Write the HTML and figures only.")] = False,
) -> None:
    """Write the report: protocol summary and design, tables, figures; HTML (self-contained) and PDF."""
    files = {"--adrs": adrs, "--adtte": adtte, "--adae": adae, "--adpc": adpc, "--tr": tr, "--ex": ex, "--lb": lb,
             "--screening": screening}  # fmt: skip
    if (trial is None) == (adsl is None):
        raise DataError(
            "Say where the data are: --trial ID (the trial database, with --db) or --adsl FILE (with --adrs, --adtte, "
            "...), not both.",
            code="CLI-E090",
            field="--trial",
        )
    if trial is not None:
        given = [name for name, path in files.items() if path is not None]
        if given or protocol:
            raise DataError(
                f"{', '.join(given + (['--protocol'] if protocol else []))} read files; with --trial the data and the "
                "protocol come from the database. Leave them out, or use --adsl instead of --trial.",
                code="CLI-E091",
                field=given[0] if given else "--protocol",
            )
        data = _from_store(db, as_user, trial)
    else:
        from oncotrial.report import read_report_data

        assert adsl is not None
        data = read_report_data(adsl=adsl, adrs=adrs, adtte=adtte, adae=adae, adpc=adpc, tr=tr, ex=ex, lb=lb,
                                screening=screening, protocol=protocol)  # fmt: skip
    from oncotrial.report import write_report

    written = write_report(data, out_dir, pdf=not no_pdf)
    for path in (written.html, written.pdf, *written.figures):
        if path is not None:
            out.print(str(path), markup=False, highlight=False, soft_wrap=True)
