"""``oncotrial km``, ``oncotrial cox`` and ``oncotrial rates``: survival, Cox and response-rate tables from a data file.

Only the columns a command uses are read (pyarrow), with ``NA``, ``.`` and empty cells as missing
values; the core leaves those rows out with a warning, as R's ``na.omit``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from oncotrial.cli.common import err, out, output_option, write_text
from oncotrial.endpoints import compare_response_rates, derive_response_rates, derive_survival_summary
from oncotrial.endpoints.compare import CoxResult
from oncotrial.endpoints.cox import CoxCovariate, derive_cox_model
from oncotrial.endpoints.km import ConfType
from oncotrial.endpoints.missing import filter_complete_cases
from oncotrial.endpoints.rates import IntervalMethod, check_best_responses
from oncotrial.errors import DataError
from oncotrial.io.tables import MISSING_SPELLINGS, check_columns, read_table, write_table

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


def _fmt(value: float | None, digits: int = 1) -> str:
    return "NA" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _finite(value: Any) -> Any:
    """JSON has no infinity or NaN: such values (an undefined limit) become null."""
    if isinstance(value, dict):  # a curve's "table" is already JSON-ready (KaplanMeierResult.to_dict)
        return {k: v if k == "table" else _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _parse_times(text: str | None, option: str) -> list[float]:
    if not text:
        return []
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise DataError(
            f"{option} '{text}' must be numbers separated by commas (e.g. 1825,3650).", code="CLI-E030", field=option
        ) from None


def _read_survival_data(data: Path, param: str | None, columns: list[str | None]) -> Any:
    """The columns used (and PARAMCD), NA spellings as missing, the rows of ``param`` only."""
    wanted = [c for c in dict.fromkeys(columns) if c is not None]
    if param is not None and "PARAMCD" not in wanted:
        wanted.append("PARAMCD")
    table = read_table(data, name="data", columns=wanted, optional=("PARAMCD",), missing_values=MISSING_SPELLINGS)
    return _select_param(table, param, many_code="SURV-E038", none_code="CLI-E033")


def _time_and_outcome(time: str | None, event: str | None, censor: str | None) -> tuple[str, str | None, str | None]:
    """The time column and the event or censoring column; ADaM's names (AVAL, CNSR) when none are given."""
    if event is not None and censor is not None:
        raise DataError(
            "Give either --event (1 = event) or --censor (1 = censored), not both.", code="CLI-E032", field="--event"
        )
    if time is None:
        time = "AVAL"  # an ADTTE: the analysis value ...
        if event is None and censor is None:
            censor = "CNSR"  # ... and its censoring flag
    if event is None and censor is None:
        raise DataError("Give either --event (1 = event) or --censor (1 = censored).", code="CLI-E032", field="--event")
    return time, event, censor


def _check_ties(ties: str) -> None:
    if ties not in ("efron", "breslow"):
        raise DataError(f"--ties '{ties}' must be efron or breslow.", code="CLI-E035", field="--ties")


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
    time, event, censor = _time_and_outcome(time, event, censor)
    landmarks = _parse_times(at, "--at")
    table = _read_survival_data(data, param, [time, event, censor, group, strata])
    ct: ConfType = conf_type  # type: ignore[assignment]
    summary = derive_survival_summary(
        table, time_col=time, event_col=event, censor_col=censor, group_col=group, strata_col=strata, conf_type=ct,
        conf_level=conf_level, landmarks=landmarks, tau=tau, rho=rho, ties=ties,
    )  # fmt: skip
    if table_path is not None:
        write_table(summary.to_table(), table_path)
        err.print(f"Wrote {table_path}")
    if as_json or out_path is not None:
        payload = _finite(summary.to_dict())
        # on one line (json's C encoder; indent would take the slow one): the curves hold a value per distinct
        # time, hundreds of thousands on a large trial
        write_text(json.dumps(payload, allow_nan=False, default=_json_default), out_path)
        return
    rows = [{str(k): v for k, v in row.items()} for row in summary.to_frame().to_dict(orient="records")]
    _print_summary(summary.to_dict(include_tables=False), rows)


def _select_param(table: Any, param: str | None, *, many_code: str, none_code: str) -> Any:
    """The rows of PARAMCD ``param``; without --param, a file holding several parameters is refused."""
    if param is None:
        if "PARAMCD" in table.columns:
            values = sorted(table["PARAMCD"].dropna().astype(str).unique())
            if len(values) > 1:
                raise DataError(
                    f"The data hold {len(values)} parameters (PARAMCD {', '.join(values)}): choose one with "
                    f"--param (e.g. --param {values[0]}).",
                    code=many_code,
                    field="--param",
                )
        return table
    check_columns(table, ["PARAMCD"], name="data")
    kept = table.loc[table["PARAMCD"].astype(str) == param]
    if kept.empty:
        values = sorted(table["PARAMCD"].dropna().astype(str).unique())
        raise DataError(
            f"No rows with PARAMCD {param} in the data; it has {', '.join(values) or 'none'}.",
            code=none_code,
            field="--param",
        )
    return kept


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _print_summary(payload: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    table = Table(title=f"Kaplan-Meier ({payload['conf_type']} intervals, {100 * payload['conf_level']:g} %)")
    for column in ("group", "n", "events", "median", "lower", "upper", "rmean"):
        table.add_column(column, justify="left" if column == "group" else "right")
    for row in rows:
        table.add_row(
            str(row["group"]), str(row["n"]), str(row["events"]), _fmt(row["median"]), _fmt(row["lower"]),
            _fmt(row["upper"]), _fmt(row["rmean"], 2),
        )  # fmt: skip
    out.print(table)
    _print_landmarks(payload)
    follow = payload["follow_up"]
    out.print(
        f"Median follow-up (reverse Kaplan-Meier): {_fmt(follow['median'])} ({_fmt(follow['lower'])}, {_fmt(follow['upper'])})"
    )
    if payload["logrank"]:
        lr = payload["logrank"]
        out.print(f"Log-rank (rho = {lr['rho']:g}): chi-square {lr['chisq']:.4f} on {lr['df']} df, p = {lr['p']:.4g}")
    if payload["cox"]:
        cox = payload["cox"]
        limits = (cox["hr"], cox["lower"], cox["upper"])
        if all(v is not None and math.isfinite(v) and v > 0 for v in limits):
            out.print(
                f"Cox ({cox['ties']}): HR {cox['hr']:.4f} ({cox['lower']:.4f}, {cox['upper']:.4f}), p = {cox['p']:.4g}"
            )
        else:
            out.print(f"Cox ({cox['ties']}): HR not estimable (the fit did not converge)")


def _print_landmarks(payload: dict[str, Any]) -> None:
    """Survival at each --at time, per curve (the JSON's ``landmarks``)."""
    curves = [payload["all"], *payload["groups"]]
    if not curves[0].get("landmarks"):
        return
    level = f"{100 * payload['conf_level']:g} %"
    table = Table(title=f"Survival at landmark times ({payload['conf_type']} intervals, {level})")
    for column in ("group", "time", "n at risk", "survival", "lower", "upper"):
        table.add_column(column, justify="left" if column == "group" else "right")
    for curve in curves:
        for row in curve["landmarks"]:
            table.add_row(
                str(curve["group"]), f"{row['time']:g}", str(row["n_risk"]), _fmt(row["surv"], 4),
                _fmt(row["lower"], 4), _fmt(row["upper"], 4),
            )  # fmt: skip
    out.print(table)


def _response_table(table: Any, response: str, group: str | None, param: str | None) -> Any:
    """One row per subject with a known best response and, with --group, an arm (rows without one are left out)."""
    table = _select_param(table, param, many_code="RATE-E008", none_code="RATE-E009")
    if table.empty:
        raise DataError(
            "The data have no subjects (a header without rows): there is nothing to count.",
            code="RATE-E011",
            field="--data",
        )
    if "USUBJID" in table.columns:
        ids = table["USUBJID"].astype(str)
        dup = ids[ids.duplicated(keep=False)]
        if not dup.empty:
            first = dup.iloc[0]
            rows = ", ".join(str(i + 1) for i in dup.index[dup == first])
            raise DataError(
                f"USUBJID {first} has {len(rows.split(', '))} rows ({rows}); a response table needs one best "
                "response per subject (for a long ADRS, choose the parameter with --param).",
                code="RATE-E007",
                field="USUBJID",
            )
    table = filter_complete_cases(table, [group])  # an arm written NA, '.' or left empty: the row is left out
    check_best_responses(table[response], rows=[int(i) + 1 for i in table.index])
    return table


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
    if response is None:
        if param is None:
            raise DataError(
                "Give the column of responses with --response (a table with one row per subject), or the "
                "parameter with --param (an ADRS, e.g. --param BOR: its AVALC is the response).",
                code="CLI-E036",
                field="--response",
            )
        response = "AVALC"  # ADaM: the parameter's value in words
    columns = [c for c in dict.fromkeys((response, group, "PARAMCD" if param else None)) if c]
    raw = read_table(
        data, name="data", columns=columns, optional=("PARAMCD", "USUBJID"), missing_values=MISSING_SPELLINGS
    )
    table = _response_table(raw, response, group, param)
    m: IntervalMethod = method  # type: ignore[assignment]
    arms = {"all": table} if group is None else {str(k): v for k, v in table.groupby(group, sort=True)}
    results = {
        name: derive_response_rates(part[response], method=m, conf_level=conf_level) for name, part in arms.items()
    }
    comparison = None
    if group is not None and len(arms) == 2:
        (n1, a), (n2, b) = results.items()
        orr1, orr2 = a.iloc[0], b.iloc[0]
        comparison = {
            "arms": [n1, n2],
            **compare_response_rates(
                int(orr1.x), int(orr1.n), int(orr2.x), int(orr2.n), conf_level=conf_level
            ).to_dict(),
        }
    if as_json:
        payload = {"rates": {k: v.to_dict(orient="records") for k, v in results.items()}, "orr_comparison": comparison}
        write_text(json.dumps(payload, indent=2, default=_json_default), None)
        return
    for name, frame in results.items():
        t = Table(title=f"Response rates: {name} ({method}, {100 * conf_level:g} %)")
        for column in ("rate", "x/n", "%", "lower", "upper"):
            t.add_column(column, justify="left" if column == "rate" else "right")
        for row in frame.to_dict(orient="records"):
            pct = [f"{100 * float(row[c]):.1f}" for c in ("estimate", "lower", "upper")]
            t.add_row(str(row["rate"]), f"{row['x']}/{row['n']}", *pct)
        out.print(t)
    if comparison:
        out.print(
            f"ORR difference {comparison['arms'][0]} - {comparison['arms'][1]}: {100 * comparison['difference']:.1f} % "
            f"({100 * comparison['lower']:.1f}, {100 * comparison['upper']:.1f}; Newcombe), Fisher p = {comparison['fisher_p']:.4g}"
        )


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
    time, event, censor = _time_and_outcome(time, event, censor)
    _check_ties(ties)
    terms = [_parse_covariate(spec) for spec in covariate]
    table = _read_survival_data(data, param, [time, event, censor, *(t.column for t in terms), strata])
    fit = derive_cox_model(
        table, time_col=time, event_col=event, censor_col=censor, covariates=terms, strata_col=strata,
        ties="breslow" if ties == "breslow" else "efron", conf_level=conf_level,
    )  # fmt: skip
    if as_json:
        payload = {
            "coefficients": fit.to_frame().to_dict(orient="records"),
            "tests": fit.global_tests(),
            "n": fit.n,
            "events": fit.events,
            "ties": fit.ties,
            "strata": strata,
            "conf_level": conf_level,
        }
        write_text(json.dumps(_finite(payload), indent=2, allow_nan=False, default=_json_default), None)
        return
    _print_cox(fit, strata, conf_level)


def _print_cox(fit: CoxResult, strata: str | None, conf_level: float) -> None:
    level = f"{conf_level:g}".removeprefix("0")
    title = f"Cox model ({fit.ties} ties{f', stratified by {strata}' if strata else ''})"
    table = Table(title=title)
    headers = ("", "coef", "exp(coef)", "se(coef)", "z", "p", f"lower {level}", f"upper {level}")
    for header in headers:
        table.add_column(header, justify="left" if not header else "right")
    for row in fit.to_frame().to_dict(orient="records"):
        table.add_row(
            str(row["term"]), *(f"{row[k]:.4g}" for k in ("coef", "exp_coef", "se_coef", "z", "p", "lower", "upper"))
        )
    out.print(table)
    out.print(f"n = {fit.n}, number of events = {fit.events}")
    names = {"likelihood_ratio": "Likelihood ratio test", "wald": "Wald test", "score": "Score (logrank) test"}
    for key, test in fit.global_tests().items():
        out.print(f"{names[key]} = {test['chisq']:.4g} on {test['df']} df, p = {test['p']:.4g}")
