"""Bayesian monitoring of a single-arm binary endpoint, with exact frequentist operating characteristics.

Two kinds of boundaries, both with a Beta prior on the response rate ``p``:

* **Predictive probability** (Lee & Liu 2008). At the end (``nmax`` subjects) the trial is a
  success if ``P(p > p0 | data) > theta_t``. At an interim look with ``x`` of ``n`` responses,
  the predictive probability ``PP`` of ending a success is computed over the beta-binomial
  distribution of the remaining responses; stop for futility if ``PP < theta_l`` and for
  efficacy if ``PP > theta_u``.
* **Posterior probability** (Thall & Simon 1994). Stop for futility if
  ``P(p > p_s + delta | data) < theta_l`` and for efficacy if it exceeds ``theta_u``, where the
  standard treatment's rate ``p_s`` is either fixed at ``p0`` or has its own Beta prior. At the end
  the trial is a success if ``P(p > p_s | data) > theta_t``.

Both are turned into integer boundaries per look (stop for futility if ``x <= futility``; stop for
efficacy if ``x >= efficacy``; success at the end if ``x >= success``), and the operating
characteristics at any true rate are computed exactly by propagating the binomial distribution of
responses along the continuing paths.

References
----------
Lee JJ, Liu DD. A predictive probability design for phase II cancer clinical trials. Clin Trials
2008;5:93-106.
Thall PF, Simon R. Practical Bayesian guidelines for phase IIB clinical trials. Biometrics
1994;50:337-349.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.integrate import quad_vec
from scipy.stats import beta as beta_dist
from scipy.stats import betabinom, binom

from oncotrial._results import format_table, wrap
from oncotrial.design.checks import check_rate, check_sample_size
from oncotrial.errors import DesignError

__all__ = [
    "BayesBoundaries",
    "BetaPrior",
    "BoundaryCharacteristics",
    "build_posterior_boundaries",
    "build_predictive_boundaries",
    "compute_boundary_characteristics",
]

NEVER = -1  # futility boundary meaning "never stop"


@dataclass(frozen=True)
class BetaPrior:
    """A Beta(a, b) prior; its mean is ``a / (a + b)`` and its weight ``a + b`` subjects."""

    a: float
    b: float

    def __post_init__(self) -> None:
        if not (0 < self.a < math.inf and 0 < self.b < math.inf):
            raise DesignError(
                f"Beta prior parameters must be positive and finite; got a = {self.a}, b = {self.b} "
                f"(Beta(1, 1) is uniform; Beta(0.2, 0.8) has mean 0.2 and the weight of one subject).",
                code="DESIGN-E060",
                field="prior",
            )


@dataclass(frozen=True)
class BayesBoundaries:
    """Integer stopping boundaries at each look, and the success threshold at ``nmax``."""

    kind: Literal["predictive", "posterior"]
    p0: float
    nmax: int
    looks: tuple[int, ...]
    futility: tuple[int, ...]  # stop if responses <= value (NEVER = -1: no stopping)
    efficacy: tuple[int | None, ...]  # stop if responses >= value (None: no stopping)
    success: int  # promising at nmax if responses >= success
    parameters: Mapping[str, float]  # read-only: prior_a, prior_b, theta_t, theta_l, theta_u[, delta, standard_*]

    def to_frame(self) -> pd.DataFrame:
        """One row per look: n, stop for futility if x <= ..., stop for efficacy if x >= ..."""
        return pd.DataFrame(
            {"n": self.looks, "futility_if_at_most": self.futility, "efficacy_if_at_least": self.efficacy}
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: kind, p0, nmax, looks, futility, efficacy, success, parameters."""
        return {
            "kind": self.kind,
            "p0": self.p0,
            "nmax": self.nmax,
            "looks": list(self.looks),
            "futility": list(self.futility),
            "efficacy": list(self.efficacy),
            "success": self.success,
            "parameters": dict(self.parameters),
        }

    def __str__(self) -> str:
        source = "Predictive-probability boundaries (Lee & Liu 2008)"
        if self.kind == "posterior":
            source = "Posterior-probability boundaries (Thall & Simon 1994)"
        settings = ", ".join(f"{name} = {value:g}" for name, value in self.parameters.items())
        rows = [
            [str(n), "-" if fut == NEVER else str(fut), "-" if eff is None else str(eff)]
            for n, fut, eff in zip(self.looks, self.futility, self.efficacy, strict=True)
        ]
        lines = [
            *wrap(f"{source}: p0 = {self.p0:g}, nmax = {self.nmax}"),
            *wrap(settings, indent="  "),
            *format_table(("n", "stop for futility if x <=", "stop for efficacy if x >="), rows),
            f"Promising at n = {self.nmax} if at least {self.success} respond.",
        ]
        return "\n".join(lines)


def _check_common(p0: float, nmax: int, looks: Sequence[int] | None, thetas: dict[str, float]) -> tuple[int, ...]:
    check_rate(p0, "p0")
    check_sample_size(nmax, "nmax", minimum=2, maximum=2000)
    for name, value in thetas.items():
        if not 0.0 <= value <= 1.0:
            raise DesignError(f"{name} = {value} must be a probability from 0 to 1.", code="DESIGN-E061", field=name)
    if thetas.get("theta_u", 1.0) < 1.0 and thetas.get("theta_l", 0.0) >= thetas["theta_u"]:
        raise DesignError(
            f"theta_l = {thetas['theta_l']} must be below theta_u = {thetas['theta_u']}: otherwise one "
            f"result would stop the trial both for futility and for efficacy.",
            code="DESIGN-E065",
            field="theta_l",
        )
    chosen = tuple(range(1, nmax)) if looks is None else tuple(sorted(set(looks)))
    if any(not 1 <= n < nmax for n in chosen):
        raise DesignError(
            f"Interim looks must be at 1 to nmax - 1 = {nmax - 1} subjects; got {list(chosen)}.",
            code="DESIGN-E062",
            field="looks",
        )
    return tuple(int(n) if isinstance(n, np.integer) else n for n in chosen)


def _read_only(params: dict[str, float]) -> Mapping[str, float]:
    return MappingProxyType({name: float(value) for name, value in params.items()})


def _first_above(prob: NDArray[np.float64], level: float) -> int | None:
    """Smallest x with ``prob > level`` (prob rising with x); None if there is none."""
    hits = np.nonzero(prob > level)[0]
    return int(hits[0]) if hits.size else None


def _last_below(prob: NDArray[np.float64], level: float) -> int:
    """Largest x with ``prob < level`` (prob rising with x); NEVER if there is none."""
    hits = np.nonzero(prob < level)[0]
    return int(hits[-1]) if hits.size else NEVER


def _success_threshold(prob: NDArray[np.float64], nmax: int, p0: float, theta_t: float) -> int:
    """Smallest number of responses at ``nmax`` whose posterior probability exceeds ``theta_t``."""
    success = _first_above(prob, theta_t)
    if success is None:
        raise DesignError(
            f"Even {nmax} responses of {nmax} do not give P(p > {p0}) > theta_t = {theta_t}: lower theta_t.",
            code="DESIGN-E063",
            field="theta_t",
        )
    return success


def _posterior_above(x: NDArray[np.int64], n: int, prior: BetaPrior, p0: float) -> NDArray[np.float64]:
    return np.asarray(beta_dist.sf(p0, prior.a + x, prior.b + n - x), dtype=np.float64)


def build_predictive_boundaries(
    p0: float,
    *,
    nmax: int,
    prior: BetaPrior,
    theta_t: float,
    theta_l: float,
    theta_u: float = 1.0,
    looks: Sequence[int] | None = None,
) -> BayesBoundaries:
    """Lee & Liu's predictive-probability boundaries (futility if PP < theta_l, efficacy if PP > theta_u)."""
    chosen = _check_common(p0, nmax, looks, {"theta_t": theta_t, "theta_l": theta_l, "theta_u": theta_u})
    x_end = np.arange(nmax + 1)
    success = _success_threshold(_posterior_above(x_end, nmax, prior, p0), nmax, p0, theta_t)
    futility, efficacy = [], []
    for n in chosen:
        x = np.arange(n + 1)
        pp = np.asarray(betabinom.sf(success - x - 1, nmax - n, prior.a + x, prior.b + n - x), dtype=np.float64)
        futility.append(_last_below(pp, theta_l))
        efficacy.append(_first_above(pp, theta_u))
    params = {"prior_a": prior.a, "prior_b": prior.b, "theta_t": theta_t, "theta_l": theta_l, "theta_u": theta_u}
    return BayesBoundaries(
        "predictive", float(p0), int(nmax), chosen, tuple(futility), tuple(efficacy), success, _read_only(params)
    )


def _superiority(
    x: NDArray[np.int64], n: int, prior: BetaPrior, p0: float, delta: float, standard: BetaPrior | None
) -> NDArray[np.float64]:
    """``P(p > p_s + delta | x of n)`` with ``p_s`` fixed at ``p0`` or Beta-distributed."""
    if standard is None:
        return _posterior_above(x, n, prior, min(p0 + delta, 1.0))

    def integrand(s: float) -> NDArray[np.float64]:
        return float(beta_dist.pdf(s, standard.a, standard.b)) * _posterior_above(x, n, prior, s + delta)

    value, _ = quad_vec(integrand, 0.0, 1.0 - delta, epsabs=1e-12, epsrel=1e-10)
    return np.asarray(value, dtype=np.float64)


def build_posterior_boundaries(
    p0: float,
    *,
    nmax: int,
    prior: BetaPrior,
    theta_l: float,
    theta_u: float = 1.0,
    theta_t: float = 0.95,
    delta: float = 0.0,
    standard_prior: BetaPrior | None = None,
    looks: Sequence[int] | None = None,
) -> BayesBoundaries:
    """Thall & Simon's posterior-probability boundaries (futility if P(p > p_s + delta) < theta_l)."""
    chosen = _check_common(p0, nmax, looks, {"theta_t": theta_t, "theta_l": theta_l, "theta_u": theta_u})
    if not 0.0 <= delta < 1.0:
        raise DesignError(f"delta = {delta} must lie in [0, 1).", code="DESIGN-E064", field="delta")
    x_end = np.arange(nmax + 1)
    success = _success_threshold(_superiority(x_end, nmax, prior, p0, 0.0, standard_prior), nmax, p0, theta_t)
    futility, efficacy = [], []
    for n in chosen:
        prob = _superiority(np.arange(n + 1), n, prior, p0, delta, standard_prior)
        futility.append(_last_below(prob, theta_l))
        efficacy.append(_first_above(prob, theta_u))
    params = {
        "prior_a": prior.a,
        "prior_b": prior.b,
        "theta_t": theta_t,
        "theta_l": theta_l,
        "theta_u": theta_u,
        "delta": delta,
    }
    if standard_prior is not None:
        params |= {"standard_a": standard_prior.a, "standard_b": standard_prior.b}
    return BayesBoundaries(
        "posterior", float(p0), int(nmax), chosen, tuple(futility), tuple(efficacy), success, _read_only(params)
    )


@dataclass(frozen=True)
class BoundaryCharacteristics:
    """Exact behaviour of Bayesian boundaries at one true response rate."""

    p: float
    promising: float  # P(stopped for efficacy or success at nmax)
    stop_futility: float  # P(stopped early for futility)
    stop_efficacy: float  # P(stopped early for efficacy)
    expected_n: float

    def to_dict(self) -> dict[str, float]:
        """JSON-ready fields."""
        return {
            "p": self.p,
            "promising": self.promising,
            "stop_futility": self.stop_futility,
            "stop_efficacy": self.stop_efficacy,
            "expected_n": self.expected_n,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row with the fields of :meth:`to_dict`."""
        return pd.DataFrame([self.to_dict()])

    def __str__(self) -> str:
        line = (
            f"p = {self.p:g}: promising {self.promising:.4f}, early futility stop {self.stop_futility:.4f}, "
            f"expected n {self.expected_n:.1f}"
        )
        if self.stop_efficacy > 0:
            line += f", early efficacy stop {self.stop_efficacy:.4f}"
        return "\n".join(wrap(line))


def compute_boundary_characteristics(boundaries: BayesBoundaries, p: float) -> BoundaryCharacteristics:
    """Exact probability of a promising result, of early stopping, and the expected size at rate ``p``."""
    check_rate(p, "p")
    alive = np.array([1.0])  # distribution of responses among trials still running, at n = 0
    n_prev, futile, effic, expected = 0, 0.0, 0.0, 0.0
    for n, fut, eff in zip(boundaries.looks, boundaries.futility, boundaries.efficacy, strict=True):
        alive = np.convolve(alive, binom.pmf(np.arange(n - n_prev + 1), n - n_prev, p))
        n_prev = n
        stop = np.zeros(alive.size, dtype=bool)
        if fut >= 0:
            stop[: fut + 1] = True
            futile += float(alive[: fut + 1].sum())
        if eff is not None:
            effic += float(alive[eff:].sum())
            stop[eff:] = True
        expected += n * float(alive[stop].sum())
        alive = np.where(stop, 0.0, alive)
    alive = np.convolve(alive, binom.pmf(np.arange(boundaries.nmax - n_prev + 1), boundaries.nmax - n_prev, p))
    expected += boundaries.nmax * float(alive.sum())
    promising = effic + float(alive[boundaries.success :].sum())
    return BoundaryCharacteristics(float(p), promising, futile, effic, expected)
