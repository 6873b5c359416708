"""Concentrations below the limit of quantification (BLQ, written 0), as PKNCA's ``clean.conc.blq`` treats them.

A BLQ sample is placed by the profile's first and last measurable (> 0) concentrations (tfirst, tlast):

* ``first``: at or before tfirst (before the concentrations rise; all of them when every sample is BLQ);
* ``middle``: between tfirst and tlast;
* ``last``: at or after tlast.

Each place has a rule: ``"keep"`` (as 0), ``"drop"`` (the sample is left out), or a number (the
concentration used instead, e.g. LLOQ/2). PKNCA's defaults: first keep, middle drop, last keep.

PKNCA's other scheme places a BLQ sample by tmax instead (:class:`BlqRulesByTmax`): ``before_tmax``
(time < tmax) and ``after_tmax`` (time ≥ tmax); tmax is the first time of the highest concentration (the
last time when every sample is BLQ).

References
----------
PKNCA 0.12.1, ``clean.conc.blq`` and ``PKNCA.options("conc.blq")`` (Denney W, Duvvuri S, Buckeridge C,
"Simple, Automatic Noncompartmental Analysis: The PKNCA R Package", J Pharmacokinet Pharmacodyn 2015;42:S65).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from oncotrial.errors import DataError

__all__ = ["BlqRule", "BlqRules", "BlqRulesByTmax", "apply_blq_rules", "compute_first_last_positive", "compute_tmax"]

BlqRule = Literal["keep", "drop"] | float


def _check_rule(place: str, rule: object) -> None:
    number = isinstance(rule, int | float) and not isinstance(rule, bool) and math.isfinite(rule) and rule >= 0
    if not (rule in ("keep", "drop") or number):
        raise DataError(
            f"The BLQ rule for '{place}' is {rule!r}; use 'keep', 'drop' or a concentration ≥ 0 "
            "(e.g. half the lower limit of quantification).",
            code="PK-E007",
            field=f"blq.{place}",
        )


class _CheckedRules:
    """Each rule of the places checked once, when the rules are made."""

    def rules(self) -> dict[str, BlqRule]:
        raise NotImplementedError

    def __post_init__(self) -> None:
        for place, rule in self.rules().items():
            _check_rule(place, rule)


@dataclass(frozen=True)
class BlqRules(_CheckedRules):
    """What to do with BLQ samples before tfirst (``first``), between (``middle``) and after tlast (``last``)."""

    first: BlqRule = "keep"
    middle: BlqRule = "drop"
    last: BlqRule = "keep"

    def rules(self) -> dict[str, BlqRule]:
        """``{place: rule}`` in PKNCA's order."""
        return {"first": self.first, "middle": self.middle, "last": self.last}


@dataclass(frozen=True)
class BlqRulesByTmax(_CheckedRules):
    """What to do with BLQ samples before tmax (``before_tmax``) and from tmax on (``after_tmax``)."""

    before_tmax: BlqRule = "keep"
    after_tmax: BlqRule = "keep"

    def rules(self) -> dict[str, BlqRule]:
        """``{place: rule}`` in PKNCA's order."""
        return {"before_tmax": self.before_tmax, "after_tmax": self.after_tmax}


def compute_first_last_positive(
    pid: NDArray[np.int64], time: NDArray[np.float64], conc: NDArray[np.float64], n_profiles: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """``(tfirst, tlast, index of tlast)`` per profile (NaN and -1 when no concentration is above 0).

    Rows are sorted by profile then time; the first and last positive rows of each profile are found by
    comparing neighbours' profile numbers (no loop).
    """
    positive = np.flatnonzero(conc > 0)
    tfirst = np.full(n_profiles, np.nan)
    tlast = np.full(n_profiles, np.nan)
    at_last = np.full(n_profiles, -1, dtype=np.int64)
    if len(positive):
        p = pid[positive]
        first = positive[np.r_[True, p[1:] != p[:-1]]]
        last = positive[np.r_[p[1:] != p[:-1], True]]
        tfirst[pid[first]] = time[first]
        tlast[pid[last]] = time[last]
        at_last[pid[last]] = last
    return tfirst, tlast, at_last


def compute_tmax(
    pid: NDArray[np.int64], time: NDArray[np.float64], conc: NDArray[np.float64], n_profiles: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(cmax, tmax)`` per profile: the highest concentration and its first time (NaN when all are 0)."""
    cmax = np.full(n_profiles, np.nan)
    tmax = np.full(n_profiles, np.nan)
    if len(pid) == 0:
        return cmax, tmax
    starts = np.flatnonzero(np.r_[True, pid[1:] != pid[:-1]])
    cmax[pid[starts]] = np.maximum.reduceat(conc, starts)
    at_max = np.flatnonzero((conc == cmax[pid]) & (conc > 0))
    if len(at_max):
        q = pid[at_max]
        first = at_max[np.r_[True, q[1:] != q[:-1]]]
        tmax[pid[first]] = time[first]
    return cmax, tmax


def _last_times(pid: NDArray[np.int64], time: NDArray[np.float64], n_profiles: int) -> NDArray[np.float64]:
    last_time = np.full(n_profiles, -np.inf)
    if len(pid):
        ends = np.flatnonzero(np.r_[pid[1:] != pid[:-1], True])
        last_time[pid[ends]] = time[ends]  # rows are sorted by time within a profile
    return last_time


def _places(
    pid: NDArray[np.int64],
    time: NDArray[np.float64],
    conc: NDArray[np.float64],
    n_profiles: int,
    rules: BlqRules | BlqRulesByTmax,
) -> dict[str, NDArray[np.bool_]]:
    """The BLQ samples of each place of ``rules``."""
    blq = conc == 0
    last_time = _last_times(pid, time, n_profiles)
    if isinstance(rules, BlqRulesByTmax):
        _, tmax = compute_tmax(pid, time, conc, n_profiles)
        tmax = np.where(np.isnan(tmax), last_time, tmax)  # every sample BLQ: PKNCA puts tmax at the last time
        return {"before_tmax": blq & (time < tmax[pid]), "after_tmax": blq & (time >= tmax[pid])}
    tfirst, tlast, _ = compute_first_last_positive(pid, time, conc, n_profiles)
    # a profile with every sample BLQ: all of them are "first" (PKNCA sets tfirst to its last time)
    none = np.isnan(tfirst)
    tfirst = np.where(none, last_time, tfirst)
    tlast = np.where(none, np.inf, tlast)
    return {
        "first": blq & (time <= tfirst[pid]),
        "middle": blq & (time > tfirst[pid]) & (time < tlast[pid]),
        "last": blq & (time >= tlast[pid]),
    }


def apply_blq_rules(
    pid: NDArray[np.int64],
    time: NDArray[np.float64],
    conc: NDArray[np.float64],
    n_profiles: int,
    rules: BlqRules | BlqRulesByTmax,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """``(pid, time, conc, kept)`` after the rules (``kept`` marks the input rows left in)."""
    places = _places(pid, time, conc, n_profiles, rules)
    kept = np.ones(len(conc), dtype=bool)
    conc = conc.copy()
    for place, rule in rules.rules().items():
        if rule == "drop":
            kept &= ~places[place]
        elif rule != "keep":
            conc[places[place]] = float(rule)
    return pid[kept], time[kept], conc[kept], kept
