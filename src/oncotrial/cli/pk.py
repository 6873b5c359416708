"""``oncotrial pk nca``: non-compartmental analysis equal to PKNCA, from a sample table or an SDTM PC + EX pair.

The command parses its options, reads the files, calls :func:`oncotrial.pk.derive_nca` (after
:func:`oncotrial.pk.derive_pk_profiles` for a PC/EX pair) and prints the result, writes its JSON, or writes
the table (one row per subject, PKNCA's column names) to ``--out`` (.csv or .parquet; .json for JSON).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from oncotrial.cli.common import err, naming_options, out, output_option, write_text
from oncotrial.cli.database import AsOption, DbOption, stored_sdtm
from oncotrial.errors import DataError

if TYPE_CHECKING:  # the core (numpy, pandas) is imported when the command runs, not for ``pk --help``
    import pandas as pd

    from oncotrial.pk import BlqRule, BlqRules, BlqRulesByTmax, NcaResult

app = typer.Typer(help="Pharmacokinetics: non-compartmental analysis (NCA) equal to PKNCA.", no_args_is_help=True)

_OPTIONS = {
    "subject_col": "--subject",
    "time_col": "--time",
    "conc_col": "--conc",
    "dose_col": "--dose",
    "auc_method": "--auc-method",
    "partial_intervals": "--partial",
    "blq.first": "--blq-first",
    "blq.middle": "--blq-middle",
    "blq.last": "--blq-last",
    "blq.before_tmax": "--blq-before-tmax",
    "blq.after_tmax": "--blq-after-tmax",
    "time": "--times",
}


@app.callback()
def pk_group() -> None:
    """Pharmacokinetics: non-compartmental analysis (NCA) equal to PKNCA."""


_BLQ_HELP = "keep, drop, or a concentration to use instead (e.g. 0.05)."


def _blq_rule(text: str, option: str) -> BlqRule:
    if text in ("keep", "drop"):
        return text  # type: ignore[return-value]
    try:
        return float(text)
    except ValueError:
        raise DataError(f"{option} '{text}': use keep, drop or a number.", code="CLI-E060", field=option) from None


def _blq_rules(
    by_position: tuple[str | None, str | None, str | None], by_tmax: tuple[str | None, str | None]
) -> BlqRules | BlqRulesByTmax:
    """PKNCA's first/middle/last rules (their defaults: keep, drop, keep), or the before/after tmax ones."""
    from oncotrial.pk import BlqRules, BlqRulesByTmax

    if any(v is not None for v in by_tmax):
        if any(v is not None for v in by_position):
            raise DataError(
                "Give either --blq-first/--blq-middle/--blq-last or --blq-before-tmax/--blq-after-tmax, not both.",
                code="CLI-E065",
                field="--blq-before-tmax",
            )
        before, after = (
            _blq_rule(v or "keep", o) for v, o in zip(by_tmax, ("--blq-before-tmax", "--blq-after-tmax"), strict=True)
        )
        return BlqRulesByTmax(before, after)
    options = ("--blq-first", "--blq-middle", "--blq-last")
    first, middle, last = (
        _blq_rule(v or d, o) for v, d, o in zip(by_position, ("keep", "drop", "keep"), options, strict=True)
    )
    return BlqRules(first, middle, last)


def _intervals(text: str | None) -> list[tuple[float, float]]:
    """``0-12,12-24`` as [(0, 12), (12, 24)]."""
    intervals = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        start, _, end = part.partition("-")
        try:
            intervals.append((float(start), float(end)))
        except ValueError:
            raise DataError(
                f"--partial '{part}': write each interval as START-END, separated by commas (e.g. 0-12,0-24).",
                code="CLI-E061",
                field="--partial",
            ) from None
    return intervals


def _from_pair(pc: Path, ex: Path, times: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    from oncotrial.io import MISSING_SPELLINGS, read_table

    return _profiles(
        read_table(pc, name="PC", missing_values=MISSING_SPELLINGS),
        read_table(ex, name="EX", missing_values=MISSING_SPELLINGS),
        times,
    )


def _profiles(pc: pd.DataFrame, ex: pd.DataFrame, times: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    from oncotrial.pk import derive_pk_profiles

    if times not in ("nominal", "actual"):
        raise DataError(f"--times '{times}' must be nominal or actual.", code="CLI-E062", field="--times")
    profiles = derive_pk_profiles(pc, ex, time=times)  # type: ignore[arg-type]
    columns = {"subject_col": "USUBJID", "time_col": "time", "conc_col": "conc", "dose_col": "dose"}
    return profiles, {**columns, "group_cols": ("PCTESTCD",)}


def _write(result: NcaResult, path: Path) -> None:
    from oncotrial.io import write_table

    if path.suffix.lower() == ".json":
        write_text(json.dumps(result.to_dict(), allow_nan=False), path)
        return
    write_table(result.to_frame(), path)
    err.print(f"Wrote {path}")


@app.command("nca")
def nca_command(
    data: Annotated[
        Path | None, typer.Option("--data", help="Samples: one row per subject and time (.csv, .parquet, .xpt).")
    ] = None,
    subject: Annotated[str, typer.Option("--subject", help="Column of subjects.")] = "Subject",
    time: Annotated[str, typer.Option("--time", help="Column of times after the dose.")] = "Time",
    conc: Annotated[str, typer.Option("--conc", help="Column of concentrations (0 = BLQ).")] = "conc",
    dose: Annotated[str, typer.Option("--dose", help="Column of doses.")] = "Dose",
    by: Annotated[
        str | None,
        typer.Option("--by", help="Columns that tell a subject's profiles apart (analyte, period), comma-separated."),
    ] = None,
    pc: Annotated[Path | None, typer.Option("--pc", help="Instead of --data: SDTM PC (with --ex).")] = None,
    ex: Annotated[Path | None, typer.Option("--ex", help="SDTM EX: each subject's first dose.")] = None,
    trial: Annotated[
        str | None, typer.Option("--trial", help="Instead of files: the trial's PC and EX in the trial database.")
    ] = None,
    times: Annotated[str, typer.Option("--times", help="With --pc: nominal (PCTPTNUM) or actual times.")] = "nominal",
    auc_method: Annotated[
        str, typer.Option("--auc-method", help="linear or lin-up/log-down (PKNCA's default).")
    ] = "lin-up/log-down",
    partial: Annotated[str | None, typer.Option("--partial", help="Partial AUCs, e.g. 0-12,0-24.")] = None,
    blq_first: Annotated[
        str | None, typer.Option("--blq-first", help="BLQ before the first measurable (keep): " + _BLQ_HELP)
    ] = None,
    blq_middle: Annotated[
        str | None, typer.Option("--blq-middle", help="BLQ between measurables (drop): " + _BLQ_HELP)
    ] = None,
    blq_last: Annotated[
        str | None, typer.Option("--blq-last", help="BLQ after the last measurable (keep): " + _BLQ_HELP)
    ] = None,
    blq_before_tmax: Annotated[
        str | None, typer.Option("--blq-before-tmax", help="Instead: BLQ before tmax: " + _BLQ_HELP)
    ] = None,
    blq_after_tmax: Annotated[
        str | None, typer.Option("--blq-after-tmax", help="Instead: BLQ from tmax on: " + _BLQ_HELP)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    out_path: Annotated[
        Path | None, output_option("--out", help="Write the table (.csv or .parquet) or its JSON (.json).")
    ] = None,
    db: DbOption = None,
    as_user: AsOption = None,
) -> None:
    """NCA per subject (PKNCA's parameter names): Cmax, AUCs, lambda.z, half-life, AUCinf, CL/F, Vz/F, MRT."""
    from oncotrial.io import MISSING_SPELLINGS, read_table
    from oncotrial.pk import AUC_METHODS, derive_nca, summarise_nca

    method = {"lin-up/log-down": "lin up/log down"}.get(auc_method, auc_method)
    columns: dict[str, Any]
    with naming_options(_OPTIONS):
        blq = _blq_rules((blq_first, blq_middle, blq_last), (blq_before_tmax, blq_after_tmax))
        if (pc is None) != (ex is None):
            raise DataError("Give --pc and --ex together (an SDTM pair).", code="CLI-E063", field="--pc")
        if trial is not None:
            stored = stored_sdtm(db, as_user, trial, ("PC", "EX"))
            if stored["PC"].empty:
                raise DataError(
                    f"trial {trial} has no PK samples recorded (SDTM PC); record them first",
                    code="CLI-E072",
                    field="--trial",
                )
            table, columns = _profiles(stored["PC"], stored["EX"], times)
        elif pc is not None and ex is not None:
            table, columns = _from_pair(pc, ex, times)
        elif data is not None:
            table = read_table(data, name="data", missing_values=MISSING_SPELLINGS, text=False)
            groups = tuple(c.strip() for c in (by or "").split(",") if c.strip())
            columns = {
                "subject_col": subject,
                "time_col": time,
                "conc_col": conc,
                "dose_col": dose,
                "group_cols": groups,
            }
        else:
            raise DataError("Give --data FILE (or --pc PC --ex EX, or --trial ID).", code="CLI-E063", field="--data")
        if method not in AUC_METHODS:
            raise DataError(
                f"--auc-method '{auc_method}' must be linear or lin-up/log-down.", code="CLI-E064", field="--auc-method"
            )
        result = derive_nca(table, auc_method=method, blq=blq, partial_intervals=_intervals(partial), **columns)
    if out_path is not None:
        _write(result, out_path)
        return
    if as_json:
        write_text(json.dumps(result.to_dict(), allow_nan=False), None)
        return
    out.print(str(result), markup=False, highlight=False)
    out.print(str(summarise_nca(result)), markup=False, highlight=False)
