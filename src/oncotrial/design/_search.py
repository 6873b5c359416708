"""The exact, vectorised search behind :func:`oncotrial.design.find_simon_designs`.

Written by hand because no Python library searches Simon designs, and because it must pick
exactly the designs clinfun's Fortran ``f2bdry`` picks (R package clinfun 1.1.5), ties included:

* for every total size ``n``, among ``n1 = 1..n-1`` (ascending), ``r1`` (descending) and ``r``
  (descending, ``r1 <= r <= r1 + n2``), keep the design with the smallest expected size under
  ``p0``; a later design replaces the kept one only if its EN is strictly smaller;
* a design qualifies when ``P(reject | p0) < alpha`` and ``1 - P(reject | p1) < beta`` (strict).

For fixed ``(n1, n2, r1)`` the rejection probability falls as ``r`` grows, so the ``r``
clinfun keeps is the largest ``r`` with enough power (``r_pow``), and the triple qualifies iff
``alpha(r1, r_pow) < alpha``; within ``(n1, n2)`` the largest qualifying ``r1`` has the smallest EN.

Instead of clinfun's O(nmax^4) loops the search prunes with exact bounds:

* ``n`` starts at the smallest size where the randomised most powerful single-stage test at
  level ``alpha`` has power above ``1 - beta`` (no two-stage test can do better);
* ``r1`` is at most the largest value with ``P(X1 > r1 | p1) > 1 - beta``;
* ``r`` is at most the largest value with ``P(X > r | p1) > 1 - beta`` over all ``n`` subjects;
* beyond the minimax size only designs with EN below the minimax's EN are kept: no other
  design can be optimal or admissible.

For each ``(n1, n2)`` the rejection probabilities of every ``r1`` come from one reverse
cumulative sum over stage-1 outcomes, on a short window of ``r`` values below the bound; the
window slides down only where the largest powered ``r`` can lie lower and still qualify.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from oncotrial.design._binomial import BinomialTables, get_binomial_tables, get_early_stop_table

__all__ = ["SearchRow", "search_simon_rows", "smallest_feasible_n"]

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

_WINDOW = 4  # r values evaluated at once below the upper bound (measured best in bench/)
_CHUNK = 128  # (n1, n2) pairs per vectorised block, sized to stay in cache
_BLOCK_N = 6  # total sizes tried at once while looking for the minimax design


@dataclass(frozen=True)
class SearchRow:
    """The best design for one total size ``n`` (one row of clinfun's ``ph2simon()$out``)."""

    r1: int
    n1: int
    r: int
    n: int
    en0: float
    pet0: float


@dataclass(frozen=True)
class _Problem:
    t0: BinomialTables
    t1: BinomialTables
    pet: NDArray[np.float64]
    alpha: float
    beta: float
    r1_max: IntArray  # by n1: largest r1 with enough stage-1 power, -2 if none
    r_max: IntArray  # by n: largest r with enough single-stage power, -2 if none


def _largest_index_where(mask: BoolArray, offset: int) -> IntArray:
    """Per row, the largest column index where ``mask`` holds, minus ``offset``; -2 if none."""
    last = mask.shape[1] - 1 - np.argmax(mask[:, ::-1], axis=1)
    return np.where(mask.any(axis=1), last - offset, -2).astype(np.int64)


def _make_problem(p0: float, p1: float, alpha: float, beta: float, nmax: int) -> _Problem:
    t0 = get_binomial_tables(p0, nmax)
    t1 = get_binomial_tables(p1, nmax)
    # power bound by n1: 1 - P(X1 > r1 | p1) < beta, column r1 + 1 of the upper tail.
    r1_max = _largest_index_where(1.0 - t1.upper[:, : nmax + 1] < beta, offset=1)
    # single-stage power bound by n: 1 - P(X > r | p1) < beta, column r + 1.
    r_max = _largest_index_where(1.0 - t1.upper[:, 1 : nmax + 2] < beta, offset=0)
    pet = get_early_stop_table(p0, nmax)
    return _Problem(t0, t1, pet, alpha, beta, r1_max, r_max)


@dataclass(frozen=True)
class _Window:
    feasible: BoolArray  # [pair, r1 + 1]
    r_pow: IntArray  # [pair, r1 + 1]
    unresolved: BoolArray  # [pair, r1 + 1]: r_pow may lie below the window


def _reject_probabilities(
    tables: BinomialTables, n1s: IntArray, n2s: IntArray, k: IntArray, positions: IntArray, x_top: int
) -> NDArray[np.float64]:
    """``P(X1 > r1 and X1 + X2 > r)`` for each pair, ``r1`` (via ``positions``) and window ``r``."""
    x1_desc = np.arange(x_top, -1, -1)
    terms = tables.pmf[n1s[:, None], x1_desc[None, :]][:, :, None] * tables.upper[n2s[:, None, None], k]
    np.cumsum(terms, axis=1, out=terms)  # sums over x1 >= x1s, x1 descending
    return terms[:, positions, :]


def _evaluate_window(
    problem: _Problem, n1s: IntArray, n2s: IntArray, r_low: IntArray, r1_top: int, x_top: int
) -> _Window:
    """Evaluate the window of ``r`` values starting at ``r_low``; ``x_top >= max(n1s) > r1_top``."""
    r = r_low[:, None] + np.arange(_WINDOW)[None, :]
    k = np.clip(r[:, None, :] + 1 - np.arange(x_top, -1, -1)[None, :, None], 0, problem.t0.nmax + 1)
    r1v = np.arange(-1, r1_top + 1)
    positions = x_top - (r1v + 1)  # stage-1 sums start at x1 = r1 + 1
    power = _reject_probabilities(problem.t1, n1s, n2s, k, positions, x_top)
    size = _reject_probabilities(problem.t0, n1s, n2s, k, positions, x_top)
    r1_ok = (r1v[None, :] <= problem.r1_max[n1s][:, None])[:, :, None]
    in_range = (r[:, None, :] >= r1v[None, :, None]) & (r[:, None, :] <= (n2s[:, None] + r1v[None, :])[:, :, None])
    powered = (1.0 - power < problem.beta) & in_range & r1_ok
    w = np.where(powered, np.arange(_WINDOW)[None, None, :], -1).max(axis=2)
    has = w >= 0
    size_at = np.take_along_axis(size, np.maximum(w, 0)[..., None], axis=2)[..., 0]
    unresolved = ~has & (size[:, :, 0] < problem.alpha) & (r_low[:, None] > r1v[None, :]) & r1_ok[:, :, 0]
    return _Window(has & (size_at < problem.alpha), r_low[:, None] + np.maximum(w, 0), unresolved)


def _evaluate_pairs(problem: _Problem, n1s: IntArray, n2s: IntArray, r1_top: int) -> tuple[BoolArray, IntArray]:
    """Feasibility and ``r_pow`` of every ``r1`` of every ``(n1, n2)`` pair (one chunk)."""
    r_low = np.maximum(problem.r_max[n1s + n2s] - _WINDOW + 1, -1)
    x_top = int(n1s.max())  # kept for the whole chunk: the r1 positions are counted from it
    window = _evaluate_window(problem, n1s, n2s, r_low, r1_top, x_top)
    feasible, r_pow, unresolved = window.feasible.copy(), window.r_pow.copy(), window.unresolved
    while unresolved.any():  # slide the window down where r_pow may be lower and still qualify
        rows = np.nonzero(unresolved.any(axis=1))[0]
        r_low = r_low.copy()
        r_low[rows] = np.maximum(r_low[rows] - _WINDOW, -1)
        lower = _evaluate_window(problem, n1s[rows], n2s[rows], r_low[rows], r1_top, x_top)
        todo = unresolved[rows]
        sub_f, sub_r = feasible[rows], r_pow[rows]
        sub_f[todo], sub_r[todo] = lower.feasible[todo], lower.r_pow[todo]
        feasible[rows], r_pow[rows] = sub_f, sub_r
        unresolved = np.zeros_like(unresolved)
        unresolved[rows] = lower.unresolved & todo
    return feasible, r_pow


@dataclass(frozen=True)
class _Candidates:
    """Qualifying designs, one per (n1, n2) pair, as parallel arrays."""

    r1: IntArray
    n1: IntArray
    r: IntArray
    n: IntArray
    en0: NDArray[np.float64]
    pet0: NDArray[np.float64]


def _best_per_pair(problem: _Problem, n1s: IntArray, n2s: IntArray) -> _Candidates:
    """For each ``(n1, n2)`` pair, the qualifying design with the largest ``r1`` (smallest EN)."""
    keep = (problem.r1_max[n1s] >= -1) & (problem.r_max[n1s + n2s] >= -1)
    order = np.argsort(n1s[keep], kind="stable")  # similar n1 together keeps the blocks narrow
    n1s, n2s = n1s[keep][order], n2s[keep][order]
    found: list[tuple[IntArray, IntArray, IntArray, IntArray]] = []
    for start in range(0, n1s.size, _CHUNK):
        c1, c2 = n1s[start : start + _CHUNK], n2s[start : start + _CHUNK]
        feasible, r_pow = _evaluate_pairs(problem, c1, c2, int(problem.r1_max[c1].max()))
        j = np.where(feasible, np.arange(feasible.shape[1])[None, :], -1).max(axis=1)
        hit = j >= 0
        found.append((j[hit] - 1, c1[hit], r_pow[hit, j[hit]], c2[hit]))
    if not found:
        empty = np.zeros(0, np.int64)
        return _Candidates(empty, empty, empty, empty, np.zeros(0), np.zeros(0))
    r1, n1, r, n2 = (np.concatenate(parts) for parts in zip(*found, strict=True))
    pet = problem.pet[n1, r1 + 1]
    return _Candidates(r1, n1, r, n1 + n2, n1 + (1.0 - pet) * n2, pet)


def _pick_per_n(found: _Candidates) -> dict[int, SearchRow]:
    """Per total size, the smallest EN; ties go to the smallest n1 (clinfun's scan order)."""
    ok = found.en0 < found.n  # clinfun starts each n with EN = n and needs strictly less
    order = np.lexsort((found.n1[ok], found.en0[ok], found.n[ok]))
    idx = np.nonzero(ok)[0][order]
    first = idx[np.r_[True, found.n[idx][1:] != found.n[idx][:-1]]] if idx.size else idx
    return {
        int(found.n[i]): SearchRow(
            int(found.r1[i]),
            int(found.n1[i]),
            int(found.r[i]),
            int(found.n[i]),
            float(found.en0[i]),
            float(found.pet0[i]),
        )
        for i in first
    }


def _first_n_bound(problem: _Problem) -> int:
    """Smallest n whose randomised level-alpha single-stage test has power above 1 - beta."""
    t0, t1, alpha = problem.t0, problem.t1, problem.alpha
    n = np.arange(t0.nmax + 1)
    tail0 = t0.upper[:, 1 : t0.nmax + 2]  # P0(X > r)
    c = np.argmax(tail0 <= alpha, axis=1)
    point0 = t0.pmf[n, c]
    gamma = (alpha - tail0[n, c]) / np.where(point0 > 0, point0, 1.0)
    power = t1.upper[n, c + 1] + gamma * t1.pmf[n, c]
    possible = np.nonzero(1.0 - power < problem.beta)[0]
    return int(possible[0]) if possible.size else t0.nmax + 1


def _find_minimax(problem: _Problem, nmax: int) -> SearchRow | None:
    n = max(_first_n_bound(problem), 2)
    while n <= nmax:
        sizes = range(n, min(n + _BLOCK_N, nmax + 1))
        n1s = np.concatenate([np.arange(1, m) for m in sizes])
        n2s = np.concatenate([m - np.arange(1, m) for m in sizes])
        best = _pick_per_n(_best_per_pair(problem, n1s, n2s))
        if best:
            return best[min(best)]
        n = sizes[-1] + 1
    return None


def _candidate_pairs(problem: _Problem, minimax: SearchRow, nmax: int) -> tuple[IntArray, IntArray]:
    """All (n1, n2) with n above the minimax that could still give EN below the minimax's."""
    n1_parts, n2_parts = [], []
    for n1 in range(1, min(int(np.ceil(minimax.en0)), nmax)):
        r1 = int(problem.r1_max[n1])
        if r1 < -1:
            continue
        best_pet = float(problem.pet[n1, r1 + 1])
        n2_top = nmax - n1
        if best_pet < 1.0:
            n2_top = min(n2_top, int(np.ceil((minimax.en0 - n1) / (1.0 - best_pet))))
        n2 = np.arange(max(1, minimax.n + 1 - n1), n2_top + 1)
        n1_parts.append(np.full(n2.size, n1))
        n2_parts.append(n2)
    if not n1_parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(n1_parts).astype(np.int64), np.concatenate(n2_parts).astype(np.int64)


def search_simon_rows(p0: float, p1: float, alpha: float, beta: float, nmax: int) -> list[SearchRow]:
    """The best design for each total size that can be minimax, optimal or admissible.

    The first row is the minimax design; later rows have EN below the minimax's. Empty when
    no design with ``n <= nmax`` qualifies.
    """
    problem = _make_problem(p0, p1, alpha, beta, nmax)
    minimax = _find_minimax(problem, nmax)
    if minimax is None:
        return []
    later = _pick_per_n(_best_per_pair(problem, *_candidate_pairs(problem, minimax, nmax)))
    return [minimax] + [row for n, row in sorted(later.items()) if row.en0 < minimax.en0]


def smallest_feasible_n(p0: float, p1: float, alpha: float, beta: float, limit: int = 1000) -> int | None:
    """The minimax design's total size, searching up to ``limit``; None if even that is too small."""
    problem = _make_problem(p0, p1, alpha, beta, limit)
    minimax = _find_minimax(problem, limit)
    return None if minimax is None else minimax.n
