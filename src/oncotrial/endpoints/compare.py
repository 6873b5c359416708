"""Comparing survival between groups: log-rank (stratified, Fleming-Harrington weights) and Cox regression.

Written here because it must equal R's ``survdiff`` and ``coxph`` and run on a million subjects in
about a second: statsmodels' ``PHReg`` matches R but took 62 s for a Cox fit on 1M rows (NOTES.md).
Both work on sorted distinct times with cumulative sums over risk sets (no loop per subject).

* Log-rank: at each event time, observed and expected events per group and the hypergeometric
  variance; the weight is ``S(t-)^rho (1 - S(t-))^gamma`` with ``S`` the pooled Kaplan-Meier curve
  just before ``t`` (``rho = 0, gamma = 0`` is the log-rank test, ``rho = 1`` R's Peto-Peto
  ``survdiff(rho = 1)``). Strata: sums of (O - E) and variances over strata.
* Cox: Newton-Raphson from 0 (centred covariates, R's convergence rule ``|1 - l_old / l_new| < 1e-9``,
  at most 20 iterations) with Breslow or Efron handling of tied event times; Wald, likelihood-ratio
  and score tests.

References
----------
Mantel N. Cancer Chemother Rep 1966;50:163-170. Harrington DP, Fleming TR. Biometrika 1982;69:553-566.
Cox DR. JRSS B 1972;34:187-220. Efron B. JASA 1977;72:557-565. Breslow N. Biometrics 1974;30:89-99.
Therneau TM. survival 3.5 (``survdiff``, ``coxph``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import chi2, norm

from oncotrial._frames import is_missing
from oncotrial._results import fit_lines, format_frame, to_json_dict
from oncotrial.endpoints.km import check_survival_data, compute_distinct_times
from oncotrial.errors import DataError, TrialWarning

__all__ = ["CoxResult", "LogRankResult", "compute_cox_regression", "compute_logrank_test"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class LogRankResult:
    """Weighted log-rank test: chi-square with ``k - 1`` degrees of freedom, per-group O and E."""

    chisq: float
    df: int
    p: float
    groups: tuple[str, ...]
    n: tuple[int, ...]
    observed: tuple[float, ...]
    expected: tuple[float, ...]
    rho: float
    gamma: float

    def to_frame(self) -> pd.DataFrame:
        """One row per group: group, n, observed and expected events."""
        return pd.DataFrame({"group": self.groups, "n": self.n, "observed": self.observed, "expected": self.expected})

    def __str__(self) -> str:
        head = f"Log-rank (rho = {self.rho:g}): chi-square {self.chisq:.4f} on {self.df} df, p = {self.p:.4g}"
        return fit_lines(f"{head}\n{format_frame(self.to_frame())}")

    def to_dict(self) -> dict[str, Any]:
        """``{"chisq", "df", "p", "groups", "n", "observed", "expected", "rho", "gamma"}``."""
        return to_json_dict({
            "chisq": self.chisq,
            "df": self.df,
            "p": self.p,
            "groups": list(self.groups),
            "n": list(self.n),
            "observed": list(self.observed),
            "expected": list(self.expected),
            "rho": self.rho,
            "gamma": self.gamma,
        })  # fmt: skip


def _blank_as_missing(values: Any) -> pd.Series:
    """Text that reads as a missing value (empty, NA, ``.``) is missing."""
    series = pd.Series(values)
    return series.where(~is_missing(series))


def _group_codes(group: Any, name: str) -> tuple[NDArray[np.int64], tuple[str, ...]]:
    codes, labels = pd.factorize(_blank_as_missing(group), sort=True)
    if (codes < 0).any():
        rows = np.nonzero(codes < 0)[0][:10] + 1
        raise DataError(
            f"Column '{name}' is empty at row(s) {', '.join(map(str, rows))} (blank, NA or '.'): give each subject "
            "a group, or leave those rows out.",
            code="SURV-E010",
            field=name,
        )
    if len(labels) < 2:
        raise DataError(
            f"Column '{name}' has a single level ({labels[0] if len(labels) else 'none'}): a comparison needs two or more groups.",
            code="SURV-E011",
            field=name,
        )
    return codes.astype(np.int64), tuple(str(v) for v in labels)


def _stratum_codes(strata: Any, n: int) -> NDArray[np.int64]:
    """Integer codes of the strata (all 0 without strata); an empty stratum is an error naming the rows."""
    if strata is None:
        return np.zeros(n, dtype=np.int64)
    codes = pd.factorize(_blank_as_missing(strata))[0]
    if len(codes) != n:
        raise DataError(
            f"The strata must have one value per subject: got {len(codes)} for {n} subjects.",
            code="SURV-E012",
            field="strata",
        )
    if (codes < 0).any():
        rows = np.nonzero(codes < 0)[0][:10] + 1
        raise DataError(
            f"The strata column is empty at row(s) {', '.join(map(str, rows))} (blank, NA or '.'): give every subject a stratum "
            f"(or leave those rows out).",
            code="SURV-E013",
            field="strata",
        )
    return codes.astype(np.int64)


def _stratum_terms(
    t: FloatArray, e: NDArray[np.bool_], g: NDArray[np.int64], k: int, rho: float, gamma: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Weighted O, E and variance matrix of one stratum."""
    times, inv = compute_distinct_times(t)
    m = times.size
    deaths = np.zeros((m, k))
    total = np.zeros((m, k))
    np.add.at(deaths, (inv, g), e.astype(float))
    np.add.at(total, (inv, g), 1.0)
    at_risk = total[::-1].cumsum(axis=0)[::-1]  # [time, group]: time >= t
    n_t = at_risk.sum(axis=1)
    d_t = deaths.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        km = np.cumprod(1.0 - d_t / n_t)
    s_before = np.concatenate([[1.0], km[:-1]])
    w = s_before**rho * (1.0 - s_before) ** gamma
    event = d_t > 0
    w, deaths, at_risk, n_t, d_t = w[event], deaths[event], at_risk[event], n_t[event], d_t[event]
    frac = at_risk / n_t[:, None]
    observed = (w[:, None] * deaths).sum(axis=0)
    expected = (w[:, None] * d_t[:, None] * frac).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n_t > 1, w**2 * d_t * (n_t - d_t) / (n_t - 1), 0.0)
    var = np.einsum("t,ti,ij->ij", factor, frac, np.eye(k)) - np.einsum("t,ti,tj->ij", factor, frac, frac)
    return observed, expected, var


def compute_logrank_test(
    time: Any,
    event: Any,
    group: Any,
    *,
    strata: Any = None,
    rho: float = 0.0,
    gamma: float = 0.0,
    group_name: str = "group",
) -> LogRankResult:
    """Log-rank test of equal survival across groups (optionally stratified and weighted)."""
    t, e = check_survival_data(time, event)
    g, labels = _group_codes(group, group_name)
    if len(g) != len(t) or (strata is not None and len(strata) != len(t)):
        raise DataError(
            "time, event, group and strata must have one value per subject (the same length).",
            code="SURV-E012",
            field=group_name,
        )
    k = len(labels)
    s_codes = _stratum_codes(strata, len(t))
    obs, exp_, var = np.zeros(k), np.zeros(k), np.zeros((k, k))
    for s in np.unique(s_codes):  # one pass per stratum (a handful), vectorised inside
        rows = s_codes == s
        o, ex, v = _stratum_terms(t[rows], e[rows], g[rows], k, rho, gamma)
        obs, exp_, var = obs + o, exp_ + ex, var + v
    # as survdiff: groups with no expected events take no part (df = groups with E > 0, minus 1)
    used = np.nonzero(exp_ > 0)[0]
    diff = (obs - exp_)[used][:-1]
    chisq = float(diff @ np.linalg.pinv(var[np.ix_(used, used)][:-1, :-1]) @ diff) if used.size > 1 else 0.0
    df = max(int(used.size) - 1, 0)
    n = tuple(int(c) for c in np.bincount(g, minlength=k))
    p = float(chi2.sf(chisq, df)) if df > 0 else 1.0
    return LogRankResult(chisq, df, p, labels, n, tuple(obs), tuple(exp_), rho, gamma)


@dataclass(frozen=True)
class CoxResult:
    """Cox proportional-hazards fit: coefficients, hazard ratios with Wald intervals, and the three tests."""

    covariates: tuple[str, ...]
    coef: tuple[float, ...]
    se: tuple[float, ...]
    hr: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    z: tuple[float, ...]
    p: tuple[float, ...]
    loglik_null: float
    loglik: float
    lr_chisq: float
    lr_p: float
    score_chisq: float
    score_p: float
    wald_chisq: float
    wald_p: float
    n: int
    events: int
    ties: str
    iterations: int
    conf_level: float = 0.95
    strata: str | None = None  # the column whose strata have their own baseline hazard

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table as ``summary(coxph(...))`` prints it: term, coef, exp(coef) (``exp_coef``),
        se(coef) (``se_coef``), z, p, and the hazard ratio's limits (``lower``, ``upper``)."""
        return pd.DataFrame(
            {
                "term": self.covariates,
                "coef": self.coef,
                "exp_coef": self.hr,
                "se_coef": self.se,
                "z": self.z,
                "p": self.p,
                "lower": self.lower,
                "upper": self.upper,
            }
        )

    def __str__(self) -> str:
        level = f"{self.conf_level:g}".removeprefix("0")
        strata = f", stratified by {self.strata}" if self.strata else ""
        headers = {"term": "", "exp_coef": "exp(coef)", "se_coef": "se(coef)"}
        headers |= {"lower": f"lower {level}", "upper": f"upper {level}"}
        lines = [f"Cox model ({self.ties} ties{strata})"]
        lines.append(format_frame(self.to_frame().rename(columns=headers)))
        lines.append(f"n = {self.n}, number of events = {self.events}")
        names = {"likelihood_ratio": "Likelihood ratio test", "wald": "Wald test", "score": "Score (logrank) test"}
        for key, test in self.global_tests().items():
            lines.append(f"{names[key]} = {test['chisq']:.4g} on {test['df']:g} df, p = {test['p']:.4g}")
        return fit_lines("\n".join(lines))

    def global_tests(self) -> dict[str, dict[str, float]]:
        """The likelihood-ratio, Wald and score tests that all coefficients are 0: chi-square, df, p."""
        df = len(self.coef)
        return {
            "likelihood_ratio": {"chisq": self.lr_chisq, "df": df, "p": self.lr_p},
            "wald": {"chisq": self.wald_chisq, "df": df, "p": self.wald_p},
            "score": {"chisq": self.score_chisq, "df": df, "p": self.score_p},
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; for one covariate the documented ``{"coef", "hr", "lower", "upper", "p"}`` plus the rest;
        ``coefficients`` (the rows of :meth:`to_frame`) and ``tests`` (:meth:`global_tests`) for any number."""
        one = len(self.covariates) == 1
        out: dict[str, Any] = {
            name: (getattr(self, name)[0] if one else list(getattr(self, name)))
            for name in ("coef", "se", "hr", "lower", "upper", "z", "p")
        }
        out |= {
            "covariates": list(self.covariates),
            "loglik_null": self.loglik_null,
            "loglik": self.loglik,
            "lr_chisq": self.lr_chisq,
            "lr_p": self.lr_p,
            "score_chisq": self.score_chisq,
            "score_p": self.score_p,
            "wald_chisq": self.wald_chisq,
            "wald_p": self.wald_p,
            "n": self.n,
            "events": self.events,
            "ties": self.ties,
            "iterations": self.iterations,
            "conf_level": self.conf_level,
            "strata": self.strata,
            "coefficients": self.to_frame().to_dict(orient="records"),
            "tests": self.global_tests(),
        }
        return to_json_dict(out)


@dataclass(frozen=True)
class _Sorted:
    x: FloatArray  # [n, p], centred, sorted by stratum then time
    event: NDArray[np.bool_]
    block: NDArray[np.int64]  # index of each row's (stratum, distinct time) block
    n_times: int
    stratum_end: NDArray[np.int64]  # per block: the first block of the next stratum (the risk set ends there)
    # Efron: one entry per event: its tied block and its rank l / d within the block
    death_block: NDArray[np.int64]
    death_frac: FloatArray


def _prepare(t: FloatArray, e: NDArray[np.bool_], x: FloatArray, strata: NDArray[np.int64]) -> _Sorted:
    if not (bool(np.all(strata == 0)) and bool(np.all(t[1:] >= t[:-1]))):  # else already in order
        order = np.lexsort((t, strata))
        t, e, x, strata = t[order], e[order], x[order], strata[order]
    new_block = np.concatenate([[True], (t[1:] != t[:-1]) | (strata[1:] != strata[:-1])])
    block = np.cumsum(new_block) - 1
    n_times = int(block[-1]) + 1
    block_stratum = strata[new_block]
    stratum_end = np.searchsorted(block_stratum, block_stratum, side="right")
    death_block = block[e]
    counts = np.bincount(death_block, minlength=n_times)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.arange(death_block.size) - starts[death_block]
    frac = rank / counts[death_block]
    return _Sorted(
        x, e, block.astype(np.int64), n_times, stratum_end.astype(np.int64), death_block.astype(np.int64), frac
    )


def _risk_set_sums(per_block: NDArray[Any], stratum_end: NDArray[np.int64]) -> FloatArray:
    """Sums over each block's risk set: the blocks from it to the end of its stratum (time >= t)."""
    tail = per_block[::-1].cumsum(axis=0)[::-1]
    tail = np.concatenate([tail, np.zeros((1, *per_block.shape[1:]))])
    return tail[:-1] - tail[stratum_end]  # type: ignore[no-any-return]


def _loglik_derivatives(d: _Sorted, beta: FloatArray, ties: str) -> tuple[float, FloatArray, FloatArray]:
    """Partial log-likelihood, score vector and information matrix at ``beta``."""
    eta = d.x @ beta
    with np.errstate(over="ignore"):  # a diverging fit (no events in one group) is reported by the caller
        r = np.exp(eta)
    p = d.x.shape[1]
    # sums over each distinct time block, then over the risk set (time >= t): reverse cumulative sums
    b0 = np.bincount(d.block, weights=r, minlength=d.n_times)
    b1 = np.stack([np.bincount(d.block, weights=r * d.x[:, j], minlength=d.n_times) for j in range(p)], axis=1)
    b2 = np.einsum("n,ni,nj->nij", r, d.x, d.x)
    b2 = np.stack(
        [np.bincount(d.block, weights=b2[:, i, j], minlength=d.n_times) for i in range(p) for j in range(p)], axis=1
    ).reshape(-1, p, p)
    s0, s1, s2 = (_risk_set_sums(a, d.stratum_end) for a in (b0, b1, b2))
    rd = r * d.event
    # sums over the deaths of each block (Efron subtracts a fraction of them)
    e0 = np.bincount(d.block, weights=rd, minlength=d.n_times)
    e1 = np.stack([np.bincount(d.block, weights=rd * d.x[:, j], minlength=d.n_times) for j in range(p)], axis=1)
    xd = np.einsum("n,ni,nj->nij", rd, d.x, d.x)
    e2 = np.stack(
        [np.bincount(d.block, weights=xd[:, i, j], minlength=d.n_times) for i in range(p) for j in range(p)], axis=1
    ).reshape(-1, p, p)
    frac = d.death_frac if ties == "efron" else np.zeros_like(d.death_frac)
    k = d.death_block
    a0 = s0[k] - frac * e0[k]
    a1 = s1[k] - frac[:, None] * e1[k]
    a2 = s2[k] - frac[:, None, None] * e2[k]
    mean = a1 / a0[:, None]
    loglik = float(eta[d.event].sum() - np.log(a0).sum())
    score = d.x[d.event].sum(axis=0) - mean.sum(axis=0)
    info = (a2 / a0[:, None, None] - np.einsum("ki,kj->kij", mean, mean)).sum(axis=0)
    return loglik, score, info


def _covariate_matrix(covariates: pd.DataFrame | Any, n: int) -> tuple[FloatArray, tuple[str, ...]]:
    frame = covariates if isinstance(covariates, pd.DataFrame) else pd.DataFrame({"x": covariates})
    x = frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if x.shape[0] != n:
        raise DataError("The covariates must have one row per subject.", code="SURV-E020", field="covariates")
    bad = np.nonzero(~np.isfinite(x).all(axis=1))[0]
    if bad.size:
        raise DataError(
            f"Covariate values are missing or not numbers at row(s) {', '.join(str(i + 1) for i in bad[:10])}.",
            code="SURV-E021",
            field=str(frame.columns[0]),
        )
    return x - x.mean(axis=0), tuple(str(c) for c in frame.columns)


def compute_cox_regression(
    time: Any,
    event: Any,
    covariates: pd.DataFrame | Any,
    *,
    strata: Any = None,
    ties: Literal["efron", "breslow"] = "efron",
    conf_level: float = 0.95,
) -> CoxResult:
    """Fit ``coxph(Surv(time, event) ~ covariates + strata(strata), ties = ties)``; hazard ratios with Wald
    intervals. With ``strata`` each stratum has its own baseline hazard: a risk set holds the subjects
    of the event's stratum only."""
    t, e = check_survival_data(time, event)
    if ties not in ("efron", "breslow"):
        raise DataError(f"ties = '{ties}' must be efron or breslow.", code="SURV-E022", field="ties")
    if not e.any():
        raise DataError(
            "Every subject is censored: a Cox model needs at least one event.", code="SURV-E023", field="event"
        )
    x, names = _covariate_matrix(covariates, len(t))
    data = _prepare(t, e, x, _stratum_codes(strata, len(t)))
    beta = np.zeros(x.shape[1])
    loglik0, score0, info0 = _loglik_derivatives(data, beta, ties)
    if np.linalg.matrix_rank(info0) < info0.shape[0]:
        raise DataError(
            f"The Cox model cannot be fitted: covariate(s) {', '.join(names)} do not vary among the subjects at risk "
            f"at the event times (the information matrix is singular).",
            code="SURV-E024",
            field=names[0],
        )
    score_chisq = float(score0 @ np.linalg.solve(info0, score0))
    loglik, score, info = loglik0, score0, info0
    iterations = 0
    converged = False
    while iterations < 20:  # Newton-Raphson, at most 20 steps as coxph
        iterations += 1
        step = np.linalg.solve(info, score)
        new_beta = beta + step
        new_loglik, new_score, new_info = _loglik_derivatives(data, new_beta, ties)
        while new_loglik < loglik - 1e-12:  # step halving if the likelihood falls (coxph does the same)
            step /= 2
            new_beta = beta + step
            new_loglik, new_score, new_info = _loglik_derivatives(data, new_beta, ties)
        converged = abs(1 - loglik / new_loglik) < 1e-9
        beta, loglik, score, info = new_beta, new_loglik, new_score, new_info
        if converged:
            break
    if not converged or not np.all(np.isfinite(beta)) or np.any(np.abs(beta) > 25):
        warnings.warn(
            TrialWarning(
                f"The Cox fit did not converge in {iterations} iterations (monotone likelihood, e.g. a group without "
                f"events?): the hazard ratio may be infinite and is not estimable."
            ),
            stacklevel=2,
        )
    cov = np.linalg.inv(info)
    se = np.sqrt(np.diag(cov))
    z = beta / se
    q = float(norm.ppf(1 - (1 - conf_level) / 2))
    with np.errstate(over="ignore"):  # a diverged fit (warned above) gives an infinite hazard ratio
        hr, hr_lower, hr_upper = np.exp(beta), np.exp(beta - q * se), np.exp(beta + q * se)
    wald = float(beta @ info @ beta)
    lr = 2 * (loglik - loglik0)
    df = len(beta)
    return CoxResult(
        names,
        tuple(beta),
        tuple(se),
        tuple(hr),
        tuple(hr_lower),
        tuple(hr_upper),
        tuple(z),
        tuple(2 * norm.sf(np.abs(z))),
        loglik0,
        loglik,
        lr,
        float(chi2.sf(lr, df)),
        score_chisq,
        float(chi2.sf(score_chisq, df)),
        wald,
        float(chi2.sf(wald, df)),
        len(t),
        int(e.sum()),
        ties,
        iterations,
        conf_level,
    )
