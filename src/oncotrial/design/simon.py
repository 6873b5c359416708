"""Simon's two-stage designs: optimal, minimax and admissible, with exact operating characteristics.

Convention (as clinfun's ``ph2simon``): enrol ``n1`` subjects; stop for futility if at most
``r1`` respond; otherwise enrol to ``n`` in all; the treatment is promising if more than ``r``
of the ``n`` respond.

References
----------
Simon R. Optimal two-stage designs for phase II clinical trials. Control Clin Trials 1989;10:1-10.
Jung SH, Lee T, Kim K, George SL. Admissible two-stage designs for phase II cancer clinical
trials. Stat Med 2004;23:561-569.
Seshan VE. clinfun: Clinical Trial Design and Data Analysis Functions, R package 1.1.5
(``ph2simon``, ``twostage.admissible``, ``oc.twostage.bdry``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import binom

from oncotrial._frames import check_columns
from oncotrial._results import format_table, wrap
from oncotrial.design._scenario import SearchScenario
from oncotrial.design._search import SearchRow, search_simon_rows, smallest_feasible_n
from oncotrial.design.checks import (
    check_error_rate,
    check_rate,
    check_rates,
    check_sample_size,
    check_two_stage_rule,
)
from oncotrial.errors import DesignError

__all__ = [
    "AdmissibleDesign",
    "SimonDesign",
    "SimonSearch",
    "TwoStageCharacteristics",
    "compute_two_stage_characteristics",
    "find_simon_designs",
    "find_simon_designs_grid",
]

DesignLabel = Literal["Minimax", "Admissible", "Optimal", "Minimax and optimal"]


@dataclass(frozen=True)
class TwoStageCharacteristics:
    """Exact behaviour of a two-stage rule at one true response rate ``p``."""

    p: float
    reject: float  # P(more than r responses in n, having passed stage 1): P(promising)
    pet: float  # P(stop after stage 1) = P(X1 <= r1)
    en: float  # expected number of subjects

    def to_dict(self) -> dict[str, float]:
        """``{"p", "reject", "pet", "en"}``."""
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """One row: p, reject, pet, en."""
        return pd.DataFrame([self.to_dict()])

    def __str__(self) -> str:
        return f"At p = {self.p:g}: promising {self.reject:.4f}, early stop {self.pet:.4f}, expected size {self.en:.2f}"


def compute_two_stage_characteristics(r1: int, n1: int, r: int, n: int, p: float) -> TwoStageCharacteristics:
    """Exact rejection probability, early-stopping probability and expected size at rate ``p``.

    As clinfun's ``oc.twostage.bdry``: ``reject = sum over x1 > r1 of P(X1 = x1) P(X2 > r - x1)``.
    """
    check_two_stage_rule(r1, n1, r, n)
    check_rate(p, "p")
    n2 = n - n1
    x1 = np.arange(r1 + 1, n1 + 1)
    reject = float(np.sum(binom.pmf(x1, n1, p) * binom.sf(r - x1, n2, p)))
    pet = float(binom.cdf(r1, n1, p))
    return TwoStageCharacteristics(p=float(p), reject=reject, pet=pet, en=n1 + (1.0 - pet) * n2)


@dataclass(frozen=True)
class SimonDesign:
    """One two-stage design and its exact operating characteristics under p0 and p1."""

    r1: int
    n1: int
    r: int
    n: int
    en0: float
    pet0: float
    en1: float
    pet1: float
    alpha_achieved: float  # P(promising | p0)
    power_achieved: float  # P(promising | p1)

    @property
    def rule(self) -> str:
        """The design as ``r1/n1, r/n`` (the form ``oncotrial design infer --design`` reads)."""
        return f"{self.r1}/{self.n1},{self.r}/{self.n}"

    def to_dict(self) -> dict[str, float | int]:
        """The documented JSON fields: r1, n1, r, n, en0, pet0, en1, pet1, alpha_achieved, power_achieved."""
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """One row with the fields of :meth:`to_dict`."""
        return pd.DataFrame([self.to_dict()])

    def __str__(self) -> str:
        stage1 = (
            "stage 1 never stops the trial"
            if self.r1 < 0
            else f"stop after stage 1 if at most {self.r1} of {self.n1} respond"
        )
        lines = [
            f"Two-stage design {self.r1}/{self.n1}, {self.r}/{self.n}: {stage1};",
            f"  promising if more than {self.r} of {self.n} respond",
            f"  under p0: expected size {self.en0:.2f}, early stop {self.pet0:.3f}, "
            f"type I error {self.alpha_achieved:.4f}",
            f"  under p1: expected size {self.en1:.2f}, early stop {self.pet1:.3f}, power {self.power_achieved:.4f}",
        ]
        return "\n".join(line for text in lines for line in wrap(text))


@dataclass(frozen=True)
class AdmissibleDesign:
    """An admissible design (Jung et al. 2004) and the weights ``q`` for which it is best.

    It minimises ``q * n + (1 - q) * EN0`` for every ``q_low <= q <= q_high``.
    """

    label: DesignLabel
    design: SimonDesign
    q_low: float
    q_high: float

    def to_dict(self) -> dict[str, Any]:
        """The design's fields plus ``label``, ``q_low`` and ``q_high``."""
        return {"label": self.label, **self.design.to_dict(), "q_low": self.q_low, "q_high": self.q_high}

    def to_frame(self) -> pd.DataFrame:
        """One row with the fields of :meth:`to_dict`."""
        return pd.DataFrame([self.to_dict()])

    def __str__(self) -> str:
        head = f"{self.label} design, best for weights q from {self.q_low:.3f} to {self.q_high:.3f} (q n + (1 - q) EN0)"
        return "\n".join([*wrap(head), str(self.design)])


@dataclass(frozen=True)
class SimonSearch(SearchScenario):
    """The result of one design search: minimax, optimal and all admissible designs.

    Each design's type I and type II errors are strictly below ``alpha_requested`` and ``beta_requested``.
    """

    minimax: SimonDesign
    optimal: SimonDesign
    admissible: tuple[AdmissibleDesign, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: ``{"p0", "p1", "alpha_requested", "beta_requested", "nmax", "optimal": {...},
        "minimax": {...}, "admissible": [...], "notes": [...]}``."""
        return {
            **self.scenario_dict(),
            "optimal": self.optimal.to_dict(),
            "minimax": self.minimax.to_dict(),
            "admissible": [a.to_dict() for a in self.admissible],
            "notes": list(self.notes),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per admissible design (minimax first, optimal last)."""
        return pd.DataFrame([a.to_dict() for a in self.admissible])

    def __str__(self) -> str:
        head = [
            f"Simon two-stage designs: p0 = {self.p0:g}, p1 = {self.p1:g}",
            f"type I error below {self.alpha_requested:g}, type II error below {self.beta_requested:g}, "
            f"n at most {self.nmax}",
        ]
        rows = [
            [
                a.label,
                f"{a.design.r1}/{a.design.n1}",
                f"{a.design.r}/{a.design.n}",
                f"{a.design.en0:.2f}",
                f"{a.design.pet0:.3f}",
                f"{a.design.en1:.2f}",
                f"{a.design.alpha_achieved:.4f}",
                f"{a.design.power_achieved:.4f}",
                f"{a.q_low:.3f}-{a.q_high:.3f}",
            ]
            for a in self.admissible
        ]
        table = format_table(
            ("design", "r1/n1", "r/n", "EN(p0)", "PET(p0)", "EN(p1)", "alpha", "power", "weight q"), rows
        )
        notes = [line for note in self.notes for line in wrap(note, indent="Note: ")]
        return "\n".join([*head, *table, *notes])


def _complete(row: SearchRow, p0: float, p1: float) -> SimonDesign:
    at0 = compute_two_stage_characteristics(row.r1, row.n1, row.r, row.n, p0)
    at1 = compute_two_stage_characteristics(row.r1, row.n1, row.r, row.n, p1)
    return SimonDesign(row.r1, row.n1, row.r, row.n, row.en0, row.pet0, at1.en, at1.pet, at0.reject, at1.reject)


def _admissible_rows(rows: list[SearchRow]) -> list[tuple[SearchRow, float, float]]:
    """Lower convex hull from the minimax to the optimal design, as clinfun's ``twostage.admissible``.

    From the current design, the next admissible one is the later design with the steepest
    fall in EN per extra subject (the first on ties). The weight at which two neighbours are
    equally good is ``q = dEN / (dEN - dn)``.
    """
    ens = [row.en0 for row in rows]
    optimal = ens.index(min(ens))
    hull, start = [0], 0
    while start < optimal:
        slopes = [(rows[j].en0 - rows[start].en0) / (rows[j].n - rows[start].n) for j in range(start + 1, optimal + 1)]
        start += 1 + slopes.index(min(slopes))
        hull.append(start)
    chosen = [rows[i] for i in hull]
    weights = [(b.en0 - a.en0) / ((b.en0 - a.en0) - (b.n - a.n)) for a, b in itertools.pairwise(chosen)]
    highs, lows = [1.0, *weights], [*weights, 0.0]
    return list(zip(chosen, lows, highs, strict=True))


def _label(index: int, count: int) -> DesignLabel:
    if count == 1:
        return "Minimax and optimal"
    if index == 0:
        return "Minimax"
    return "Optimal" if index == count - 1 else "Admissible"


def _no_design_error(p0: float, p1: float, alpha: float, beta: float, nmax: int) -> DesignError:
    needed = smallest_feasible_n(p0, p1, alpha, beta)
    scenario = f"p0 = {p0}, p1 = {p1}, alpha = {alpha}, beta = {beta}"
    if needed is None:
        hint = "no design up to 1000 subjects exists: widen the gap between p0 and p1 or relax alpha or beta"
    else:
        hint = f"the smallest design needs n = {needed}: set nmax to at least {needed}"
        hint += f" ({min(needed + 20, 1000)} or more to see the optimal design too)" if needed < 1000 else ""
    return DesignError(
        f"No two-stage design with at most nmax = {nmax} subjects meets {scenario}; {hint}.",
        code="DESIGN-E010",
        needed_nmax=needed,
    )


def find_simon_designs(
    p0: float, p1: float, *, alpha: float = 0.05, beta: float = 0.20, nmax: int = 100
) -> SimonSearch:
    """Find Simon's optimal and minimax two-stage designs and all admissible designs between them.

    A design qualifies when its exact type I error is below ``alpha`` and its type II error below
    ``beta`` (both strict, as clinfun). The minimax design has the smallest maximum size ``n`` (the
    smallest EN0 among those); the optimal design the smallest expected size under ``p0`` (the
    smallest ``n`` on ties). The designs, their order and their ties are those of clinfun 1.1.5's
    ``ph2simon(pu = p0, pa = p1, ep1 = alpha, ep2 = beta, nmax)`` and ``twostage.admissible``.

    Raises
    ------
    DesignError
        For rates outside (0, 1), ``p1 <= p0``, alpha or beta outside (0, 0.5), nmax outside
        2..1000, or when no design fits within ``nmax`` (the message says how large it must be).
    """
    check_rates(p0, p1)
    check_error_rate(alpha, "alpha")
    check_error_rate(beta, "beta")
    check_sample_size(nmax, "nmax", minimum=2)
    rows = search_simon_rows(p0, p1, alpha, beta, nmax)
    if not rows:
        raise _no_design_error(p0, p1, alpha, beta, nmax)
    hull = _admissible_rows(rows)
    admissible = tuple(
        AdmissibleDesign(_label(i, len(hull)), _complete(row, p0, p1), low, high)
        for i, (row, low, high) in enumerate(hull)
    )
    notes: list[str] = []
    if admissible[-1].design.n > nmax - 10:
        notes.append(
            f"The optimal design's n = {admissible[-1].design.n} is within 10 of nmax = {nmax}: "
            f"a larger nmax may give a smaller expected size."
        )
    if any(a.design.r1 < 0 for a in admissible):
        notes.append(
            "A design with r1 = -1 never stops after stage 1 (clinfun reports it too: its early-stopping "
            "probability is zero only up to rounding)."
        )
    return SimonSearch(  # plain Python numbers, so that to_dict() is JSON-safe for numpy arguments too
        float(p0),
        float(p1),
        float(alpha),
        float(beta),
        int(nmax),
        admissible[0].design,
        admissible[-1].design,
        admissible,
        tuple(notes),
    )


_GRID_COLUMNS = ("p0", "p1", "alpha", "beta")


def _cell(value: object, row: int, column: str) -> float:
    """One scenario cell as a number; empty, text or a bool is an error naming the row and column."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise DesignError(
            f"Scenario row {row} has no value for {column}.", code="DESIGN-E012", rows=(row,), field=column
        )
    if isinstance(value, bool | np.bool_):
        raise DesignError(f"Scenario row {row}, {column}: {value} is not a number.", code="DESIGN-E012", rows=(row,))
    try:
        return float(str(value).strip()) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DesignError(
            f"Scenario row {row}, {column}: '{value}' is not a number (write 0.05, not 5%).",
            code="DESIGN-E012",
            rows=(row,),
            field=column,
        ) from None


def _grid_scenarios(scenarios: pd.DataFrame) -> list[tuple[int, float, float, float, float, int]]:
    """Every scenario read and checked before any is run: a bad row stops the run and is named."""
    check_columns(
        scenarios,
        _GRID_COLUMNS,
        name="scenario",
        code="DESIGN-E011",
        hint="It needs p0, p1, alpha, beta and optionally nmax.",
        error=DesignError,
    )
    if scenarios.empty:
        raise DesignError(
            "The scenario table has no rows: give one row per scenario (p0, p1, alpha, beta and optionally nmax).",
            code="DESIGN-E013",
        )
    table = scenarios if "nmax" in scenarios.columns else scenarios.assign(nmax=100)
    columns = [*_GRID_COLUMNS, "nmax"]
    checked = []
    for i, row in enumerate(table[columns].itertuples(index=False), start=1):
        p0, p1, alpha, beta, nmax = (_cell(value, i, column) for value, column in zip(row, columns, strict=True))
        try:
            check_rates(p0, p1)
            check_error_rate(alpha, "alpha")
            check_error_rate(beta, "beta")
            if not nmax.is_integer():
                raise DesignError(f"nmax = {nmax:g} must be a whole number of subjects.", code="DESIGN-E004")
            check_sample_size(int(nmax), "nmax", minimum=2)
        except DesignError as exc:
            raise DesignError(f"Scenario row {i}: {exc.message}", code=exc.code, rows=(i,)) from exc
        checked.append((i - 1, p0, p1, alpha, beta, int(nmax)))
    return checked


def find_simon_designs_grid(
    scenarios: pd.DataFrame, *, on_progress: Callable[[int], None] | None = None
) -> pd.DataFrame:
    """Run :func:`find_simon_designs` for every row of a scenario table.

    ``scenarios`` has columns ``p0, p1, alpha, beta`` and optionally ``nmax`` (default 100).
    Returns one row per scenario and design kind (minimax, optimal) with the design, its
    operating characteristics (``alpha_achieved``, ``power_achieved`` beside the requested
    ``alpha`` and ``beta``) and the number of admissible designs. A scenario without a
    design gets a row with ``design = "none"`` and the reason. ``on_progress(i)`` is called
    after each scenario.

    Raises
    ------
    DesignError
        Before any scenario is run, when a row has an empty or non-numeric cell or parameters out
        of range (the message names the row and column).
    """
    records: list[dict[str, Any]] = []
    for i, p0, p1, alpha, beta, nmax in _grid_scenarios(scenarios):
        key = {"scenario": i + 1, "p0": p0, "p1": p1, "alpha": alpha, "beta": beta, "nmax": nmax}
        try:
            found = find_simon_designs(p0, p1, alpha=alpha, beta=beta, nmax=nmax)
        except DesignError as exc:
            records.append({**key, "design": "none", "note": exc.message})
        else:
            for kind, design in (("minimax", found.minimax), ("optimal", found.optimal)):
                records.append({**key, "design": kind, **design.to_dict(), "n_admissible": len(found.admissible)})
        if on_progress is not None:
            on_progress(i + 1)
    table = pd.DataFrame.from_records(records)
    for column in ("r1", "n1", "r", "n", "n_admissible"):  # whole numbers stay whole when a scenario has none
        if column in table.columns:
            table[column] = table[column].astype("Int64")
    return table
