"""Concentrations below the limit of quantification (BLQ, written 0), as PKNCA's ``clean.conc.blq`` treats them.

A BLQ sample is placed by the profile's first and last measurable (> 0) concentrations (tfirst, tlast):

* ``first``: at or before tfirst (before the concentrations rise; all of them when every sample is BLQ);
* ``middle``: between tfirst and tlast;
* ``last``: at or after tlast.

Each place has a rule: ``"keep"`` (as 0), ``"drop"`` (the sample is left out), or a number (the
concentration used instead, e.g. LLOQ/2). PKNCA's defaults: first keep, middle drop, last keep.

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

__all__ = ["BlqRule", "BlqRules", "compute_first_last_positive"]

BlqRule = Literal["keep", "drop"] | float


@dataclass(frozen=True)
class BlqRules:
    """What to do with BLQ samples before tfirst (``first``), between (``middle``) and after tlast (``last``)."""

    first: BlqRule = "keep"
    middle: BlqRule = "drop"
    last: BlqRule = "keep"

    def __post_init__(self) -> None:
        for place in ("first", "middle", "last"):
            rule = getattr(self, place)
            number = isinstance(rule, int | float) and not isinstance(rule, bool)
            if not (rule in ("keep", "drop") or (number and math.isfinite(rule) and rule >= 0)):
                raise DataError(
                    f"The BLQ rule for '{place}' is {rule!r}; use 'keep', 'drop' or a concentration ≥ 0 "
                    "(e.g. half the lower limit of quantification).",
                    code="PK-E007",
                    field=f"blq.{place}",
                )


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


def apply_blq_rules(
    pid: NDArray[np.int64],
    time: NDArray[np.float64],
    conc: NDArray[np.float64],
    n_profiles: int,
    rules: BlqRules,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """``(pid, time, conc, kept)`` after the rules (``kept`` marks the input rows left in)."""
    tfirst, tlast, _ = compute_first_last_positive(pid, time, conc, n_profiles)
    # a profile with every sample BLQ: all of them are "first" (PKNCA sets tfirst to its last time)
    last_time = np.full(n_profiles, -np.inf)
    if len(pid):
        ends = np.flatnonzero(np.r_[pid[1:] != pid[:-1], True])
        last_time[pid[ends]] = time[ends]  # rows are sorted by time within a profile
    none = np.isnan(tfirst)
    tfirst = np.where(none, last_time, tfirst)
    tlast = np.where(none, np.inf, tlast)
    blq = conc == 0
    places = {
        "first": blq & (time <= tfirst[pid]),
        "middle": blq & (time > tfirst[pid]) & (time < tlast[pid]),
        "last": blq & (time >= tlast[pid]),
    }
    kept = np.ones(len(conc), dtype=bool)
    conc = conc.copy()
    for place, mask in places.items():
        rule = getattr(rules, place)
        if rule == "drop":
            kept &= ~mask
        elif rule != "keep":
            conc[mask] = float(rule)
    return pid[kept], time[kept], conc[kept], kept
