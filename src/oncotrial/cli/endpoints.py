"""``oncotrial km``, ``oncotrial cox`` and ``oncotrial rates``: survival, Cox and response-rate tables from a data file.

Only the columns a command uses are read (pyarrow), with ``NA``, ``.`` and empty cells as missing
values; the core leaves those rows out with a warning, as R's ``na.omit``. The ADaM rules (a PARAMCD
chosen, AVAL/CNSR and AVALC by default, one row per USUBJID) are the core's; each command parses its
options, calls one core function and prints ``str(result)`` or writes ``result.to_dict()``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from oncotrial.cli.common import err, naming_options, out, output_option, write_text
from oncotrial.endpoints import (
    ConfType,
    CoxCovariate,
    IntervalMethod,
    choose_response_column,
    choose_time_to_event_columns,
    derive_cox_model,
    derive_response_summary,
    derive_survival_summary,
)
from oncotrial.errors import DataError
from oncotrial.io import MISSING_SPELLINGS, read_table, write_table

DATA = Annotated[Path, typer.Option("--data", help="Table with one row per subject (.csv, .parquet, .xpt).")]
JSON = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
TIME = Annotated[str | None, typer.Option("--time", help="Column of follow-up times (default: ADaM's AVAL).")]
EVENT = Annotated[
    str | None,
    typer.Option("--event", help="Column of events: 1/0, true/false, event/censored, or 1/2 as R's Surv (2 = event)."),
]
CENSOR = Annotated[
    str | None,
    typer.Option(
        "--censor", help="Instead of --event: an ADTTE-style CNSR column (1 = censored; the default with AVAL)."
    ),
]
PARAM = Annotated[str | None, typer.Option("--param", help="Keep the rows with this PARAMCD (e.g. PFS).")]
TIES = Annotated[str, typer.Option("--ties", help="Cox ties: efron or breslow.")]
CONF_LEVEL = Annotated[float, typer.Option("--conf-level", help="Confidence level.")]

# the core's parameter names and the options that set them (a core message names the parameter)
_OPTIONS = {
    "param": "--param",
    "time_col": "--time",
    "event_col": "--event",
    "censor_col": "--censor",
    "group_col": "--group",
    "strata_col": "--strata",
    "response_col": "--response",
    "tau": "--tau",
    "rho": "--rho",
    "landmarks": "--at",
    "ties": "--ties",
    "conf_type": "--conf-type",
    "conf_level": "--conf-level",
    "method": "--method",
    "data": "--data",
}


def _parse_times(text: str | None, option: str) -> list[float]:
    if not text:
        return []
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise DataError(
            f"{option} '{text}' must be numbers separated by commas (e.g. 1825,3650).", code="CLI-E030", field=option
        ) from None


def _read(data: Path, columns: list[str | None], param: str | None, *, optional: tuple[str, ...] = ()) -> Any:
    """The columns used (PARAMCD with --param), NA spellings as missing; the core picks the rows."""
    wanted = [c for c in dict.fromkeys(columns) if c is not None]
    if param is not None and "PARAMCD" not in wanted:
        wanted.append("PARAMCD")
    return read_table(
        data, name="data", columns=wanted, optional=("PARAMCD", *optional), missing_values=MISSING_SPELLINGS
    )


def _dump(payload: Any, path: Path | None = None, *, indent: int | None = 2) -> None:
    write_text(json.dumps(payload, indent=indent, allow_nan=False), path)


def km_command(
    data: DATA,
    time: TIME = None,
    event: EVENT = None,
    censor: CENSOR = None,
    param: PARAM = None,
    group: Annotated[str | None, typer.Option("--group", help="Column of groups to compare.")] = None,
    strata: Annotated[str | None, typer.Option("--strata", help="Column of strata for the log-rank test.")] = None,
    conf_type: Annotated[str, typer.Option("--conf-type", help="log (R's default), log-log (SAS's) or plain.")] = "log",
    conf_level: CONF_LEVEL = 0.95,
    at: Annotated[str | None, typer.Option("--at", help="Landmark times, comma-separated (e.g. 1825,3650).")] = None,
    tau: Annotated[float | None, typer.Option("--tau", help="Horizon of the restricted mean.")] = None,
    rho: Annotated[float, typer.Option("--rho", help="Fleming-Harrington rho (0 log-rank, 1 Peto-Peto).")] = 0.0,
    ties: TIES = "efron",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON: the summary and each curve as columns (time, surv, ...).")
    ] = False,
    out_path: Annotated[Path | None, output_option("--out", help="Write the JSON to this file.")] = None,
    table_path: Annotated[
        Path | None, output_option("--table", help="Write every curve's step table to this file (.csv or .parquet).")
    ] = None,
) -> None:
    """Kaplan-Meier (R's intervals), median with limits, landmarks, restricted mean, log-rank, Cox, follow-up."""
    if conf_type not in ("log", "log-log", "plain"):
        raise DataError(
            f"--conf-type '{conf_type}' must be log, log-log or plain.", code="CLI-E031", field="--conf-type"
        )
    ct: ConfType = conf_type  # type: ignore[assignment]
    landmarks = _parse_times(at, "--at")
    with naming_options(_OPTIONS):
        columns = choose_time_to_event_columns(time, event, censor)  # the core's defaults: read those columns
        table = _read(data, [*columns, group, strata], param)
        summary = derive_survival_summary(
            table, param=param, time_col=time, event_col=event, censor_col=censor, group_col=group,
            strata_col=strata, conf_type=ct, conf_level=conf_level, landmarks=landmarks, tau=tau, rho=rho, ties=ties,
        )  # fmt: skip
    if table_path is not None:
        write_table(summary.to_table(), table_path)
        err.print(f"Wrote {table_path}")
    if as_json or out_path is not None:
        # on one line (json's C encoder; indent would take the slow one): the curves hold a value per distinct
        # time, hundreds of thousands on a large trial
        _dump(summary.to_dict(), out_path, indent=None)
        return
    out.print(str(summary), markup=False, highlight=False)


def rates_command(
    data: DATA,
    response: Annotated[
        str | None,
        typer.Option(
            "--response", help="Column of best overall responses (CR, PR, SD, ...); with --param, default AVALC."
        ),
    ] = None,
    group: Annotated[str | None, typer.Option("--group", help="Column of arms.")] = None,
    method: Annotated[
        str, typer.Option("--method", help="clopper-pearson, wilson, wilson-cc, jeffreys, agresti-coull.")
    ] = "clopper-pearson",
    conf_level: Annotated[float, typer.Option("--conf-level", help="Confidence level.")] = 0.95,
    param: Annotated[
        str | None, typer.Option("--param", help="Keep the rows with this PARAMCD (e.g. BOR in a long ADRS).")
    ] = None,
    as_json: JSON = False,
) -> None:
    """ORR, CR, disease control, SD and PD rates with intervals; two arms compared (difference, Fisher)."""
    m: IntervalMethod = method  # type: ignore[assignment]
    with naming_options(_OPTIONS):
        table = _read(data, [choose_response_column(response, param), group], param, optional=("USUBJID",))
        summary = derive_response_summary(
            table, response_col=response, param=param, group_col=group, method=m, conf_level=conf_level
        )
    if as_json:
        _dump(summary.to_dict())
        return
    out.print(str(summary), markup=False, highlight=False)


def _parse_covariate(spec: str) -> CoxCovariate:
    """``age``, ``age:continuous``, ``sex:categorical`` or ``celltype:categorical:ref=squamous``."""
    column, *options = spec.split(":")
    categorical, reference = False, None
    for option in options:
        if option in ("categorical", "continuous"):
            categorical = option == "categorical"
        elif option.startswith("ref="):
            categorical, reference = True, option.removeprefix("ref=")
        else:
            raise DataError(
                f"--covariate '{spec}': '{option}' is not understood. Write COLUMN, COLUMN:categorical or "
                "COLUMN:categorical:ref=LEVEL (e.g. --covariate celltype:categorical:ref=squamous).",
                code="CLI-E036",
                field="--covariate",
            )
    if not column:
        raise DataError(f"--covariate '{spec}' names no column.", code="CLI-E036", field="--covariate")
    return CoxCovariate(column, categorical, reference)


def cox_command(
    data: DATA,
    covariate: Annotated[
        list[str],
        typer.Option(
            "--covariate",
            help="A covariate column, repeated for several: age (a number), sex:categorical, "
            "celltype:categorical:ref=squamous (reference level named; else the first level).",
        ),
    ],
    time: TIME = None,
    event: EVENT = None,
    censor: CENSOR = None,
    param: PARAM = None,
    strata: Annotated[
        str | None, typer.Option("--strata", help="Column of strata: a baseline hazard per stratum.")
    ] = None,
    ties: TIES = "efron",
    conf_level: CONF_LEVEL = 0.95,
    as_json: JSON = False,
) -> None:
    """Cox proportional-hazards model (as R's coxph): coefficients with hazard ratios, and the global tests."""
    if ties not in ("efron", "breslow"):
        raise DataError(f"--ties '{ties}' must be efron or breslow.", code="CLI-E035", field="--ties")
    terms = [_parse_covariate(spec) for spec in covariate]
    with naming_options(_OPTIONS):
        columns = choose_time_to_event_columns(time, event, censor)
        table = _read(data, [*columns, *(t.column for t in terms), strata], param)
        fit = derive_cox_model(
            table, covariates=terms, param=param, time_col=time, event_col=event, censor_col=censor,
            strata_col=strata, ties="breslow" if ties == "breslow" else "efron", conf_level=conf_level,
        )  # fmt: skip
    if as_json:
        _dump(fit.to_dict())
        return
    out.print(str(fit), markup=False, highlight=False)
