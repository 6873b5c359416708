"""RECIST 1.1 for virtual trials, vectorised over replicates × patients × assessments.

A virtual patient has one non-nodal target lesion (its diameter is the sum of diameters), no non-target
disease and no new lesions, and is assessed at the same days after randomisation as every other patient
(the trial's calendar) until the first PD, death or dropout: the assessments a patient has are a prefix of
the calendar. For such records the rules of the core are:

* time point (:func:`oncotrial.recist.derive_timepoint_responses`, RECIST 1.1 section 4.3.1 and the
  overall-response table with non-target NA and no new lesion): PD when the sum is at least 20 % and
  5 mm above the nadir (the smallest earlier sum, baseline included); CR when the lesion is gone (0 mm);
  PR when the sum is at least 30 % below baseline; otherwise SD;
* best overall response (:mod:`oncotrial.recist.best_response`, admiralonco's ADRS template): over the
  records up to the first PD, CR if any CR; PR if any PR; SD if any CR/PR/SD at least ``sd_min_days``
  after randomisation; PD if any PD; NE if any CR/PR/SD; else MISSING. With confirmation, CR and PR count
  only when confirmed: a CR by the first CR at least ``confirmation_days`` later with only CR between, a PR
  by the first CR/PR at least ``confirmation_days`` later with only CR/PR between and no PR after a CR.

The core works on a long table (one row per lesion and assessment) that would hold 10⁷ rows for 10⁴ trials;
here the same rules are written over dense arrays [replicate, patient, assessment], because every patient
shares the calendar: the confirming assessment of assessment ``i`` is the same calendar position for every
patient. ``tests/simulate/test_trials.py`` checks these arrays equal the core's results for a replicate.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from oncotrial.recist.rules import OverallResponse

__all__ = ["MISSING", "compute_best_responses", "compute_timepoint_codes"]

MISSING = -1  # best response of a patient without any analysable assessment (and "not assessed" per time point)
_CR, _PR, _SD, _PD = (
    int(OverallResponse.CR),
    int(OverallResponse.PR),
    int(OverallResponse.SD),
    int(OverallResponse.PD),
)
_NE = int(OverallResponse.NE)
_EPS = 1e-9  # the core's tolerance for the percentage thresholds on sums given to 0.1 mm

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def compute_timepoint_codes(baseline: FloatArray, sums: FloatArray, assessed: BoolArray) -> IntArray:
    """Overall response code (``OverallResponse``) of every assessment; ``MISSING`` where not assessed.

    ``baseline`` is [..., patient], ``sums`` and ``assessed`` are [..., patient, assessment]: the sum of
    diameters (mm) at each calendar assessment and whether the patient had it.
    """
    with_baseline = np.concatenate([baseline[..., None], sums], axis=-1)
    nadir = np.minimum.accumulate(with_baseline, axis=-1)[..., :-1]  # smallest earlier sum
    rise = (5 * sums >= 6 * nadir - _EPS) & (sums - nadir >= 5 - _EPS)
    fall = 10 * sums <= 7 * baseline[..., None] + _EPS
    code = np.select([rise, sums == 0, fall], [_PD, _CR, _PR], default=_SD)
    return np.where(assessed, code, MISSING).astype(np.int64)


def _any(mask: BoolArray) -> BoolArray:
    found: BoolArray = np.asarray(mask.any(axis=-1), dtype=bool)
    return found


def _confirmed(codes: IntArray, days: IntArray, confirmation_days: int) -> tuple[BoolArray, BoolArray]:
    """Whether each assessment is a confirmed CR, and a confirmed PR (see the module docstring)."""
    n = days.size
    j = np.searchsorted(days, days + confirmation_days, side="left")  # the confirming calendar position
    found = j < n
    j = np.minimum(j, n - 1)
    i = np.arange(n)
    zero = np.zeros((*codes.shape[:-1], 1), dtype=np.int64)

    def count(mask: BoolArray, start: IntArray) -> IntArray:  # records start..j holding mask
        total = np.concatenate([zero, np.cumsum(mask, axis=-1)], axis=-1)
        between: IntArray = total[..., j + 1] - total[..., np.minimum(start, j + 1)]
        return between

    cr = codes == _CR
    response = cr | (codes == _PR)
    cr_ok = found & (codes[..., j] == _CR) & (count(~cr, i + 1) == 0)
    # with only CR/PR in i+1..j, a PR after a CR there is a CR directly followed by a PR at some m in i+2..j
    cr_then_pr = np.concatenate([np.zeros_like(cr[..., :1]), cr[..., :-1] & (codes[..., 1:] == _PR)], axis=-1)
    pr_ok = found & response[..., j] & (count(~response, i + 1) == 0) & (count(cr_then_pr, i + 2) == 0)
    return cr & cr_ok, (codes == _PR) & pr_ok


def compute_best_responses(
    codes: IntArray, days: IntArray, *, sd_min_days: int, confirmation_days: int | None
) -> IntArray:
    """Best overall response code per patient (``OverallResponse`` code, ``MISSING`` when none).

    ``codes`` [..., patient, assessment] from :func:`compute_timepoint_codes` (records after the first PD
    must already be ``MISSING``), ``days`` the calendar (days after randomisation, increasing). Without
    ``confirmation_days`` this is admiralonco's BOR, with it CBOR.
    """
    if confirmation_days is None:
        cr, pr = codes == _CR, codes == _PR
    else:
        cr, pr = _confirmed(codes, days, confirmation_days)
    late = days >= sd_min_days
    stable = np.isin(codes, (_CR, _PR, _SD))
    choices = [_any(cr), _any(pr), _any(stable & late), _any(codes == _PD), _any(stable)]
    best: IntArray = np.select(choices, [_CR, _PR, _SD, _PD, _NE], default=MISSING).astype(np.int64)
    return best
