"""Response rates with exact and score intervals; one- and two-arm response tables.

Intervals (as R computes them):

* ``clopper-pearson`` — exact, ``binom.test``: Beta quantiles, 0 at x = 0 and 1 at x = n;
* ``wilson`` — score interval, ``prop.test(x, n, correct = FALSE)``;
* ``wilson-cc`` — with continuity correction, ``prop.test(x, n)``; as in R the correction is
  ``min(0.5, |x - n/2|)``, i.e. taken against the default null p = 0.5;
* ``jeffreys`` — Beta(x + 1/2, n - x + 1/2) quantiles, 0 at x = 0 and 1 at x = n;
* ``agresti-coull`` — the adjusted Wald interval, clipped to [0, 1].

References
----------
Clopper CJ, Pearson ES. Biometrika 1934;26:404-413. Wilson EB. JASA 1927;22:209-212.
Brown LD, Cai TT, DasGupta A. Interval estimation for a binomial proportion. Stat Sci 2001;16:101-133.
Newcombe RG. Interval estimation for the difference between independent proportions. Stat Med
1998;17:873-890 (method 10, the difference of two Wilson intervals).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import beta, binom, binomtest, fisher_exact, norm

from oncotrial._results import fit_lines, format_frame, to_json_dict
from oncotrial.endpoints.adam import check_one_row_per_subject, choose_response_column, select_parameter
from oncotrial.endpoints.missing import filter_complete_cases
from oncotrial.errors import DataError

__all__ = [
    "RESPONSES",
    "BinomialInterval",
    "IntervalMethod",
    "RateComparison",
    "ResponseRates",
    "ResponseSummary",
    "check_best_responses",
    "compare_response_rates",
    "compute_binomial_interval",
    "compute_exact_p_value",
    "compute_two_sided_binomial_p",
    "derive_response_rates",
    "derive_response_summary",
]

IntervalMethod = Literal["clopper-pearson", "wilson", "wilson-cc", "jeffreys", "agresti-coull"]


@dataclass(frozen=True)
class BinomialInterval:
    """A proportion ``x / n`` with its confidence interval."""

    x: int
    n: int
    estimate: float
    lower: float
    upper: float
    conf_level: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return to_json_dict(asdict(self))

    def to_frame(self) -> pd.DataFrame:
        """One row: x, n, estimate, lower, upper, conf_level, method."""
        return pd.DataFrame([asdict(self)])

    def __str__(self) -> str:
        pct = 100 * self.conf_level
        return (
            f"{self.x}/{self.n} ({100 * self.estimate:.1f} %; {pct:g} % CI {100 * self.lower:.1f} to "
            f"{100 * self.upper:.1f} %, {self.method})"
        )


def _is_count(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_counts(x: int, n: int, conf_level: float) -> None:
    if not _is_count(n) or n < 1:
        raise DataError(f"n = {n!r} must be a whole number of subjects, at least 1.", code="RATE-E001", field="n")
    if not _is_count(x) or not 0 <= x <= n:
        raise DataError(f"x = {x!r} must be a whole number from 0 to n = {n}.", code="RATE-E002", field="x")
    if not 0.0 < conf_level < 1.0:
        raise DataError(f"conf_level = {conf_level} must lie between 0 and 1.", code="RATE-E003", field="conf_level")


def _clopper_pearson(x: int, n: int, a: float) -> tuple[float, float]:
    lower = 0.0 if x == 0 else float(beta.ppf(a / 2, x, n - x + 1))
    upper = 1.0 if x == n else float(beta.ppf(1 - a / 2, x + 1, n - x))
    return lower, upper


def _wilson(x: int, n: int, a: float, correct: bool) -> tuple[float, float]:
    z = float(norm.ppf(1 - a / 2))
    p = x / n
    yates = min(0.5, abs(x - n * 0.5)) if correct else 0.0  # R's prop.test: against p = 0.5
    z22n = z * z / (2 * n)
    pc = p + yates / n
    upper = 1.0 if pc >= 1 else (pc + z22n + z * math.sqrt(pc * (1 - pc) / n + z22n / (2 * n))) / (1 + 2 * z22n)
    pc = p - yates / n
    lower = 0.0 if pc <= 0 else (pc + z22n - z * math.sqrt(pc * (1 - pc) / n + z22n / (2 * n))) / (1 + 2 * z22n)
    return lower, upper


def _jeffreys(x: int, n: int, a: float) -> tuple[float, float]:
    lower = 0.0 if x == 0 else float(beta.ppf(a / 2, x + 0.5, n - x + 0.5))
    upper = 1.0 if x == n else float(beta.ppf(1 - a / 2, x + 0.5, n - x + 0.5))
    return lower, upper


def _agresti_coull(x: int, n: int, a: float) -> tuple[float, float]:
    z = float(norm.ppf(1 - a / 2))
    n_t = n + z * z
    p_t = (x + z * z / 2) / n_t
    half = z * math.sqrt(p_t * (1 - p_t) / n_t)
    return max(0.0, p_t - half), min(1.0, p_t + half)


def compute_binomial_interval(
    x: int, n: int, *, method: IntervalMethod = "clopper-pearson", conf_level: float = 0.95
) -> BinomialInterval:
    """The proportion ``x / n`` and its two-sided ``conf_level`` interval by ``method``."""
    _check_counts(x, n, conf_level)
    x, n = int(x), int(n)
    a = 1.0 - conf_level
    if method == "clopper-pearson":
        lower, upper = _clopper_pearson(x, n, a)
    elif method in ("wilson", "wilson-cc"):
        lower, upper = _wilson(x, n, a, correct=method == "wilson-cc")
    elif method == "jeffreys":
        lower, upper = _jeffreys(x, n, a)
    elif method == "agresti-coull":
        lower, upper = _agresti_coull(x, n, a)
    else:
        raise DataError(
            f"Interval method '{method}' is not one of clopper-pearson, wilson, wilson-cc, jeffreys, agresti-coull.",
            code="RATE-E004",
            field="method",
        )
    return BinomialInterval(x, n, x / n, lower, upper, conf_level, method)


def compute_exact_p_value(x: int, n: int, p0: float) -> float:
    """One-sided exact p-value ``P(X >= x | p0)`` (``binom.test(x, n, p0, alternative = "greater")``)."""
    _check_counts(x, n, 0.95)
    if not 0.0 < p0 < 1.0:
        raise DataError(f"p0 = {p0} must lie strictly between 0 and 1.", code="RATE-E005", field="p0")
    return float(binom.sf(x - 1, n, p0))


_CATEGORIES = {
    "ORR": ("CR", "PR"),
    "CR rate": ("CR",),
    "DCR": ("CR", "PR", "SD", "NON-CR/NON-PD"),
    "SD rate": ("SD",),
    "PD rate": ("PD",),
}


RESPONSES = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING")
"""Best overall responses a response table accepts (any case); every other value is an error."""


def check_best_responses(
    best_responses: pd.Series, *, accepted: Sequence[str] = RESPONSES, rows: Sequence[int] | None = None
) -> None:
    """Raise a DataError naming every value (and its first row) that is not one of ``accepted``.

    Rows are counted from 1 in the order of ``best_responses`` unless ``rows`` gives each value's row
    number (e.g. its row in the file it was read from). A blank value is refused too: a subject
    without a best response is written ``MISSING`` (still in the denominator, never a responder).
    """
    values = best_responses.astype(object).where(best_responses.notna(), "").astype(str).str.strip().str.upper()
    allowed = {a.upper() for a in accepted}
    bad = ~values.isin(allowed)
    if not bad.any():
        return
    first_row: dict[str, int] = {}
    for position in bad.to_numpy().nonzero()[0]:
        raw = str(best_responses.iloc[position]) if values.iloc[position] else ""
        first_row.setdefault(raw, int(rows[int(position)]) if rows is not None else int(position) + 1)
    listed = "; ".join(f"{v!r} (row {r})" if v else f"blank (row {r})" for v, r in list(first_row.items())[:10])
    column = f"Column '{best_responses.name}'" if best_responses.name is not None else "The best responses"
    raise DataError(
        f"{column} has {len(first_row)} value(s) that are not a best overall response: {listed}. Accepted (any "
        f"case): {', '.join(accepted)}. Recode them (e.g. 'Partial Response' -> PR, a blank -> MISSING).",
        code="RATE-E006",
        field=str(best_responses.name) if best_responses.name is not None else "best_responses",
    )


@dataclass(frozen=True)
class ResponseRates:
    """Response rates of one group of subjects (ORR, CR rate, DCR, ...), each with its interval."""

    rates: Mapping[str, BinomialInterval]

    def __post_init__(self) -> None:
        object.__setattr__(self, "rates", MappingProxyType(dict(self.rates)))

    def __getitem__(self, name: str) -> BinomialInterval:
        """The rate named ``name`` (e.g. ``"ORR"``)."""
        if name not in self.rates:
            raise DataError(
                f"No rate named '{name}'; the rates are {', '.join(self.rates)}.", code="RATE-E012", field="name"
            )
        return self.rates[name]

    @property
    def orr(self) -> BinomialInterval:
        """The objective response rate (the rate named ORR)."""
        return self["ORR"]

    def to_frame(self) -> pd.DataFrame:
        """One row per rate: rate, x, n, estimate, lower, upper."""
        rows = [
            {"rate": name, "x": ci.x, "n": ci.n, "estimate": ci.estimate, "lower": ci.lower, "upper": ci.upper}
            for name, ci in self.rates.items()
        ]
        return pd.DataFrame(rows, columns=["rate", "x", "n", "estimate", "lower", "upper"])

    def to_dict(self) -> dict[str, Any]:
        """``{"rates": [{"rate", "x", "n", "estimate", "lower", "upper", ...}, ...]}``."""
        return {"rates": [{"rate": name, **ci.to_dict()} for name, ci in self.rates.items()]}

    def __str__(self) -> str:
        return "\n".join(fit_lines(f"{name}: {ci}") for name, ci in self.rates.items()) or "(no rates)"


def derive_response_rates(
    best_responses: pd.Series,
    *,
    method: IntervalMethod = "clopper-pearson",
    conf_level: float = 0.95,
    rates: Mapping[str, Sequence[str]] | None = None,
) -> ResponseRates:
    """ORR, CR rate, disease control (clinical benefit), SD and PD rates with intervals.

    ``best_responses`` holds one best overall response per subject (CR, PR, SD, NON-CR/NON-PD, PD,
    NE, MISSING, in any case); any other value, a blank included, is an error (:func:`check_best_responses`).
    Every subject is in the denominator (intention to treat). ``rates`` replaces the default definitions
    (name -> responses counted), e.g. a DCR that needs SD for a protocol minimum is computed from a BOR
    that already applied that minimum; the responses it counts are accepted as well.
    """
    extra = [r for counted in (rates or {}).values() for r in counted if r.upper() not in RESPONSES]
    check_best_responses(best_responses, accepted=(*RESPONSES, *dict.fromkeys(extra)))
    values = best_responses.astype(str).str.strip().str.upper()
    n = len(values)
    found = {}
    for name, counted in (rates or _CATEGORIES).items():
        x = int(values.isin(list(counted)).sum())
        found[name] = compute_binomial_interval(x, n, method=method, conf_level=conf_level)
    return ResponseRates(found)


@dataclass(frozen=True)
class ResponseSummary:
    """Response rates overall or per arm and, for two arms, the comparison of their ORR."""

    arms: Mapping[str, ResponseRates]
    comparison: RateComparison | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "arms", MappingProxyType(dict(self.arms)))

    def to_frame(self) -> pd.DataFrame:
        """One row per arm and rate: arm, rate, x, n, estimate, lower, upper."""
        frames = [rates.to_frame().assign(arm=arm) for arm, rates in self.arms.items()]
        frame = pd.concat(frames, ignore_index=True)
        return frame[["arm", *(c for c in frame.columns if c != "arm")]]

    def to_dict(self) -> dict[str, Any]:
        """``{"rates": {arm: [...]}, "orr_comparison": {...} or None}`` (the comparison names its arms)."""
        comparison = None
        if self.comparison is not None:
            comparison = {"arms": list(self.arms), **self.comparison.to_dict()}
        rates = {arm: result.to_dict()["rates"] for arm, result in self.arms.items()}
        return {"rates": rates, "orr_comparison": comparison}

    def __str__(self) -> str:
        parts = []
        for arm, rates in self.arms.items():
            first = next(iter(rates.rates.values()))
            title = f"Response rates: {arm} ({first.method}, {100 * first.conf_level:g} %)"
            parts.append(f"{title}\n{format_frame(_percentages(rates.to_frame()))}")
        if self.comparison is not None:
            first_arm, second_arm = list(self.arms)
            parts.append(fit_lines(f"ORR {first_arm} - {second_arm}: {self.comparison}"))
        return "\n".join(parts)


def _percentages(frame: pd.DataFrame) -> pd.DataFrame:
    """rate, x/n and the estimate with its limits in per cent (one decimal), as a response table prints."""
    shown = pd.DataFrame({"rate": frame["rate"], "x/n": frame["x"].astype(str) + "/" + frame["n"].astype(str)})
    for column, header in (("estimate", "%"), ("lower", "lower"), ("upper", "upper")):
        shown[header] = [f"{100 * v:.1f}" for v in frame[column]]
    return shown


def derive_response_summary(
    data: pd.DataFrame,
    *,
    response_col: str | None = None,
    param: str | None = None,
    group_col: str | None = None,
    method: IntervalMethod = "clopper-pearson",
    conf_level: float = 0.95,
) -> ResponseSummary:
    """Response rates from a table of subjects or an ADRS, overall or per ``group_col`` arm (two arms compared).

    ``param`` keeps the rows of that ``PARAMCD`` (e.g. ``BOR`` of a long ADRS); a table holding several
    parameters needs it. The responses are in ``response_col``, by default ADaM's ``AVALC`` when
    ``param`` is given. One row per ``USUBJID``; rows without an arm are left out with a warning.
    """
    response_col = choose_response_column(response_col, param)
    table = select_parameter(data, param, many_code="RATE-E008", none_code="RATE-E009")
    if table.empty:
        raise DataError(
            "The data have no subjects (a header without rows): there is nothing to count.",
            code="RATE-E011",
            field="data",
        )
    check_one_row_per_subject(table)
    table = filter_complete_cases(table, [group_col])  # an arm written NA, '.' or left empty: left out
    check_best_responses(table[response_col], rows=[int(i) + 1 for i in table.index])
    if group_col is None:
        arms = {"all": table}
    else:
        arms = {str(k): v for k, v in table.groupby(group_col, sort=True)}
    results = {
        name: derive_response_rates(part[response_col], method=method, conf_level=conf_level)
        for name, part in arms.items()
    }
    comparison = None
    if len(results) == 2 and group_col is not None:
        first, second = (result.orr for result in results.values())
        comparison = compare_response_rates(first.x, first.n, second.x, second.n, conf_level=conf_level)
    return ResponseSummary(results, comparison)


@dataclass(frozen=True)
class RateComparison:
    """Two arms' rates, their difference (arm 1 - arm 2) with Newcombe's interval, and Fisher's exact p."""

    arm1: BinomialInterval
    arm2: BinomialInterval
    difference: float
    lower: float
    upper: float
    fisher_p: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return to_json_dict(
            {
                "arm1": self.arm1.to_dict(),
                "arm2": self.arm2.to_dict(),
                "difference": self.difference,
                "lower": self.lower,
                "upper": self.upper,
                "fisher_p": self.fisher_p,
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """One row: each arm's x/n and rate, the difference with Newcombe's limits, Fisher's p."""
        return pd.DataFrame(
            [
                {
                    "x1": self.arm1.x, "n1": self.arm1.n, "rate1": self.arm1.estimate,
                    "x2": self.arm2.x, "n2": self.arm2.n, "rate2": self.arm2.estimate,
                    "difference": self.difference, "lower": self.lower, "upper": self.upper,
                    "fisher_p": self.fisher_p,
                }
            ]
        )  # fmt: skip

    def __str__(self) -> str:
        return fit_lines(
            f"Difference {100 * self.difference:.1f} % ({100 * self.lower:.1f} to {100 * self.upper:.1f} %; "
            f"Newcombe), Fisher p = {self.fisher_p:.4g}\n  arm 1: {self.arm1}\n  arm 2: {self.arm2}"
        )


def compare_response_rates(x1: int, n1: int, x2: int, n2: int, *, conf_level: float = 0.95) -> RateComparison:
    """Difference of two proportions with Newcombe's hybrid score interval; two-sided Fisher exact test."""
    w1 = compute_binomial_interval(x1, n1, method="wilson", conf_level=conf_level)
    w2 = compute_binomial_interval(x2, n2, method="wilson", conf_level=conf_level)
    d = w1.estimate - w2.estimate
    lower = d - math.sqrt((w1.estimate - w1.lower) ** 2 + (w2.upper - w2.estimate) ** 2)
    upper = d + math.sqrt((w1.upper - w1.estimate) ** 2 + (w2.estimate - w2.lower) ** 2)
    p = float(fisher_exact(np.array([[x1, n1 - x1], [x2, n2 - x2]])).pvalue)
    c1 = compute_binomial_interval(x1, n1, conf_level=conf_level)
    c2 = compute_binomial_interval(x2, n2, conf_level=conf_level)
    return RateComparison(c1, c2, d, lower, upper, p)


def compute_two_sided_binomial_p(x: int, n: int, p0: float = 0.5) -> float:
    """Two-sided exact p-value as ``binom.test(x, n, p0)``."""
    _check_counts(x, n, 0.95)
    if not 0.0 < p0 < 1.0:
        raise DataError(f"p0 = {p0} must lie strictly between 0 and 1.", code="RATE-E005", field="p0")
    return float(binomtest(x, n, p0).pvalue)
