"""``oncotrial km`` and ``oncotrial rates``: survival and response-rate tables from a data file."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from oncotrial.cli.common import out, output_option, write_text
from oncotrial.endpoints import compare_response_rates, derive_response_rates, derive_survival_summary
from oncotrial.endpoints.km import ConfType
from oncotrial.endpoints.rates import IntervalMethod, check_best_responses
from oncotrial.errors import DataError
from oncotrial.io.tables import check_columns, read_table

DATA = Annotated[Path, typer.Option("--data", help="Table with one row per subject (.csv, .parquet, .xpt).")]
JSON = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _fmt(value: float | None, digits: int = 1) -> str:
    return "NA" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _finite(value: Any) -> Any:
    """JSON has no infinity or NaN: such values (an undefined limit) become null."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
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


def km_command(
    data: DATA,
    time: Annotated[str, typer.Option("--time", help="Column of follow-up times.")],
    event: Annotated[
        str | None, typer.Option("--event", help="Column of events: 1/0, true/false or event/censored.")
    ] = None,
    censor: Annotated[
        str | None, typer.Option("--censor", help="Instead of --event: an ADTTE-style CNSR column (1 = censored).")
    ] = None,
    param: Annotated[str | None, typer.Option("--param", help="Keep the rows with this PARAMCD (e.g. PFS).")] = None,
    group: Annotated[str | None, typer.Option("--group", help="Column of groups to compare.")] = None,
    strata: Annotated[str | None, typer.Option("--strata", help="Column of strata for the log-rank test.")] = None,
    conf_type: Annotated[str, typer.Option("--conf-type", help="log (R's default), log-log (SAS's) or plain.")] = "log",
    conf_level: Annotated[float, typer.Option("--conf-level", help="Confidence level.")] = 0.95,
    at: Annotated[str | None, typer.Option("--at", help="Landmark times, comma-separated (e.g. 1825,3650).")] = None,
    tau: Annotated[float | None, typer.Option("--tau", help="Horizon of the restricted mean.")] = None,
    rho: Annotated[float, typer.Option("--rho", help="Fleming-Harrington rho (0 log-rank, 1 Peto-Peto).")] = 0.0,
    ties: Annotated[str, typer.Option("--ties", help="Cox ties: efron or breslow.")] = "efron",
    as_json: JSON = False,
    out_path: Annotated[Path | None, output_option("--out", help="Write the JSON to this file.")] = None,
) -> None:
    """Kaplan-Meier (R's intervals), median with limits, landmarks, restricted mean, log-rank, Cox, follow-up."""
    if conf_type not in ("log", "log-log", "plain"):
        raise DataError(
            f"--conf-type '{conf_type}' must be log, log-log or plain.", code="CLI-E031", field="--conf-type"
        )
    if (event is None) == (censor is None):
        raise DataError("Give either --event (1 = event) or --censor (1 = censored).", code="CLI-E032", field="--event")
    landmarks = _parse_times(at, "--at")
    raw = read_table(data, name="data")
    check_columns(raw, [c for c in (time, event, censor, group, strata) if c], name="data")  # the file's own
    table = _survival_table(_select_param(raw, param, many_code="SURV-E038", none_code="CLI-E033"), censor)
    for column in (group, strata):
        _check_no_blanks(table, column, code="SURV-E037")
    event = "_EVENT" if censor is not None else event
    assert event is not None  # refused above: neither or both
    ct: ConfType = conf_type  # type: ignore[assignment]
    summary = derive_survival_summary(
        table, time_col=time, event_col=event, group_col=group, strata_col=strata, conf_type=ct,
        conf_level=conf_level, landmarks=landmarks, tau=tau, rho=rho, ties=ties,
    )  # fmt: skip
    if as_json or out_path is not None:
        write_text(json.dumps(_finite(summary.to_dict()), indent=2, allow_nan=False, default=_json_default), out_path)
        return
    rows = [{str(k): v for k, v in row.items()} for row in summary.to_frame().to_dict(orient="records")]
    _print_summary(summary.to_dict(), rows)


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


def _check_no_blanks(table: Any, column: str | None, *, code: str) -> None:
    """A blank group (or stratum) would be a group of its own: name its rows (counted from 1 after the header)."""
    if column is None:
        return
    blank = table[column].isna() | (table[column].astype(str).str.strip() == "")
    if blank.any():
        rows = ", ".join(str(i + 1) for i in table.index[blank][:10])
        raise DataError(
            f"Column '{column}' is blank in row(s) {rows}: give every subject a value, or drop those rows.",
            code=code,
            field=column,
        )


def _survival_table(table: Any, censor: str | None) -> Any:
    """The rows, with an event column made from CNSR when --censor is given."""
    if censor is not None:
        cnsr = table[censor].astype(str).str.strip()
        bad = ~cnsr.isin(["0", "1", "0.0", "1.0"])
        if bad.any():
            rows = ", ".join(str(i + 1) for i in table.index[bad][:10])
            raise DataError(
                f"Column '{censor}' must be 0/1 (1 = censored); row(s) {rows} are not.", code="CLI-E034", field=censor
            )
        table = table.assign(_EVENT=(cnsr.str.startswith("0")).astype(int))
    return table


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
    """One row per subject with a known best response and, with --group, a non-blank arm."""
    check_columns(table, [c for c in (response, group) if c], name="data")
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
    check_best_responses(table[response], rows=[int(i) + 1 for i in table.index])
    _check_no_blanks(table, group, code="RATE-E010")
    return table


def rates_command(
    data: DATA,
    response: Annotated[str, typer.Option("--response", help="Column of best overall responses (CR, PR, SD, ...).")],
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
    table = _response_table(read_table(data, name="data"), response, group, param)
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
