"""iRECIST (Seymour et al., Lancet Oncol 2017;18:e143-e152): immune-related response on top of RECIST 1.1.

Time-point iResponse from the RECIST 1.1 time points (:func:`derive_timepoint_responses`) and the
new lesions, which iRECIST records separately (their number and the sum of their diameters):

* a RECIST PD is **iUPD** (unconfirmed progression);
* the next assessment ``confirm_min_days`` to ``confirm_max_days`` after the iUPD (4 to 8 weeks)
  confirms it as **iCPD** when progression increases further: the target sum at least 5 mm above
  its value at the iUPD, non-target progression that was not there at the iUPD, more new lesions,
  or a new-lesion sum at least 5 mm larger; iCPD is final;
* an assessment after an iUPD that is CR, PR, SD or NON-CR/NON-PD by RECIST 1.1 **resets** the
  bar (iCR, iPR, iSD, iNN): a later PD is a new iUPD that needs its own confirmation;
* otherwise (PD without further increase, NE, or an assessment outside the window) the iUPD stays.

The state machine runs one assessment index at a time for all subjects at once (vectorised over
subjects, never a loop per subject). Non-target "further unequivocal increase" cannot be measured
from a state; only new non-target progression counts (written here as the interpretation).
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncotrial.recist.rules import OverallResponse
from oncotrial.recist.timepoint import as_flags

__all__ = ["IRESPONSES", "IResponse", "derive_irecist_best_response", "derive_irecist_responses"]


class IResponse(IntEnum):
    """iRECIST time-point response (Seymour et al. 2017), in best-response order; ``label`` is its text."""

    ICR = 0
    IPR = 1
    ISD = 2
    INN = 3  # iNN: non-iCR/non-iUPD (non-target disease only)
    IUPD = 4
    ICPD = 5
    INE = 6

    @property
    def label(self) -> str:
        return "i" + self.name[1:]


IRESPONSES = tuple(code.label for code in IResponse)
ICR, IPR, ISD, INN, IUPD, ICPD, INE = IResponse
# The iResponse an assessment gets from its RECIST 1.1 overall response when no iUPD is pending.
_FROM_RECIST = {
    OverallResponse.CR.label: ICR,
    OverallResponse.PR.label: IPR,
    OverallResponse.SD.label: ISD,
    OverallResponse.NON_CR_NON_PD.label: INN,
    OverallResponse.NE.label: INE,
}
_RECIST_PD = -1  # grid value of a RECIST PD (any response not in _FROM_RECIST)
_NO_ASSESSMENT = -2  # grid value where a subject has no assessment at that index


def _new_lesion_burden(assessments: pd.DataFrame, timepoints: pd.DataFrame) -> pd.DataFrame:
    """Per time point: new lesions seen so far (distinct ids) and the sum of their measured diameters."""
    new = assessments.loc[assessments["CATEGORY"] == "NEW", ["USUBJID", "VISIT", "LESIONID", "DIAMETER"]]
    keys = timepoints[["USUBJID", "VISIT", "ADT"]]
    if new.empty:
        return keys.assign(NEW_COUNT=0, NEW_SUM=0.0)
    per_tp = new.groupby(["USUBJID", "VISIT"], sort=False).agg(NEW_SUM=("DIAMETER", "sum"))
    first_seen = new.merge(keys, on=["USUBJID", "VISIT"]).groupby(["USUBJID", "LESIONID"])["ADT"].min()
    seen = first_seen.reset_index().rename(columns={"ADT": "FIRST"})
    counts = keys.merge(seen, on="USUBJID", how="left")
    counts = counts.assign(_seen=(counts["FIRST"] <= counts["ADT"]).astype(int))
    count = counts.groupby(["USUBJID", "VISIT"], sort=False)["_seen"].sum().rename("NEW_COUNT")
    out = keys.join(count, on=["USUBJID", "VISIT"]).join(per_tp, on=["USUBJID", "VISIT"])
    return out.fillna({"NEW_COUNT": 0, "NEW_SUM": 0.0})


def _grid(
    values: NDArray[np.generic],
    subject: NDArray[np.int64],
    position: NDArray[np.int64],
    shape: tuple[int, int],
    fill: float,
) -> NDArray[np.float64]:
    grid = np.full(shape, fill, dtype=np.float64)
    grid[subject, position] = values
    return grid


def derive_irecist_responses(
    assessments: pd.DataFrame,
    timepoints: pd.DataFrame,
    *,
    confirm_min_days: int = 28,
    confirm_max_days: int | None = 56,
) -> pd.DataFrame:
    """The follow-up time points with ``IRESP`` (iCR, iPR, iSD, iNN, iUPD, iCPD, iNE), ``NEW_COUNT``,
    ``NEW_SUM`` and ``DAYS`` (since the baseline scan).

    ``timepoints`` is the output of :func:`derive_timepoint_responses` for ``assessments``;
    ``confirm_max_days=None`` lets any later assessment confirm an iUPD.
    """
    follow = timepoints.loc[~as_flags(timepoints, "BASELINE", "time points")].reset_index(drop=True)
    burden = _new_lesion_burden(assessments, follow)
    subject = pd.factorize(follow["USUBJID"], sort=False)[0].astype(np.int64)
    position: NDArray[np.int64] = np.asarray(follow.groupby(subject, sort=False).cumcount(), dtype=np.int64)
    shape = (int(subject.max()) + 1 if len(follow) else 0, int(position.max()) + 1 if len(follow) else 0)
    overall = follow["OVERALL"].astype(object).to_numpy()
    recist = np.array([_FROM_RECIST.get(str(v), _RECIST_PD) for v in overall], dtype=np.float64)
    grids = {
        "resp": _grid(recist, subject, position, shape, _NO_ASSESSMENT),
        "day": _grid(follow["ADT"].to_numpy(dtype="datetime64[D]").astype(np.int64), subject, position, shape, 0),
        "sod": _grid(follow["SOD"].to_numpy(dtype=float), subject, position, shape, np.nan),
        "ntpd": _grid((follow["NON_TARGET"] == "PD").to_numpy(dtype=float), subject, position, shape, 0),
        "count": _grid(burden["NEW_COUNT"].to_numpy(dtype=float), subject, position, shape, 0),
        "nsum": _grid(burden["NEW_SUM"].to_numpy(dtype=float), subject, position, shape, 0),
    }
    iresp = _run_state_machine(grids, confirm_min_days, np.inf if confirm_max_days is None else confirm_max_days)
    base = timepoints.loc[as_flags(timepoints, "BASELINE", "time points")].set_index("USUBJID")["ADT"]
    days = (follow["ADT"] - follow["USUBJID"].map(base)).dt.days.to_numpy()
    result = follow.assign(NEW_COUNT=burden["NEW_COUNT"].to_numpy(), NEW_SUM=burden["NEW_SUM"].to_numpy(), DAYS=days)
    result["IRESP"] = pd.Categorical.from_codes(
        iresp[subject, position].astype(np.int64), categories=pd.Index(IRESPONSES)
    )
    return result


def _run_state_machine(g: dict[str, NDArray[np.float64]], lo: float, hi: float) -> NDArray[np.int64]:
    n, steps = g["resp"].shape
    out = np.full((n, steps), INE, dtype=np.int64)
    in_upd = np.zeros(n, dtype=bool)
    confirmed = np.zeros(n, dtype=bool)
    ref = {name: np.zeros(n) for name in ("day", "sod", "ntpd", "count", "nsum")}
    for k in range(steps):  # one assessment index at a time, all subjects together
        resp = g["resp"][:, k]
        present = resp != _NO_ASSESSMENT
        is_pd = resp == _RECIST_PD
        gap = g["day"][:, k] - ref["day"]
        further = (
            (g["sod"][:, k] >= ref["sod"] + 5)
            | ((g["ntpd"][:, k] > 0) & (ref["ntpd"] == 0))
            | (g["count"][:, k] > ref["count"])
            | (g["nsum"][:, k] >= ref["nsum"] + 5)
        )
        confirm_now = present & in_upd & is_pd & (gap >= lo) & (gap <= hi) & further & ~confirmed
        start_upd = present & is_pd & ~in_upd & ~confirmed
        reset = present & in_upd & ~confirmed & (resp >= 0) & (resp <= INN)
        confirmed |= confirm_now
        step = np.where(resp >= 0, resp, INE).astype(np.int64)
        step = np.where(in_upd & present & ~reset, IUPD, step)
        step = np.where(start_upd, IUPD, step)
        step = np.where(confirmed & present, ICPD, step)
        out[:, k] = step
        for name in ref:
            ref[name] = np.where(start_upd, np.nan_to_num(g[name][:, k]), ref[name])
        in_upd = (in_upd | start_upd) & ~reset & ~confirmed
    return out


def derive_irecist_best_response(iresponses: pd.DataFrame, *, sd_min_days: int = 42) -> pd.DataFrame:
    """Best iRECIST response per subject: iCR, iPR, iSD (>= ``sd_min_days`` after baseline), iNN,
    iUPD, iCPD, iNE — the first that occurs up to the first iCPD; with the date it was first seen.

    An iUPD later confirmed (iCPD with no reset between) counts as iCPD dated at the iUPD, as
    iRECIST dates confirmed progression to the first iUPD. ``iresponses`` is the output of
    :func:`derive_irecist_responses`.
    """
    data = iresponses.copy()
    code = pd.Index(IRESPONSES).get_indexer(pd.Index(data["IRESP"].astype(object)))
    # an iUPD whose episode was confirmed is progression from its own date: iCPD dated at the iUPD
    decisive = pd.Series(np.where((code == IUPD) | (code == INE), np.nan, code))
    following = decisive.groupby(data["USUBJID"].to_numpy(), sort=False).bfill().to_numpy()
    code = np.where((code == IUPD) & (following == ICPD), ICPD, code)
    cpd_before = pd.Series((code == ICPD).astype(int)).groupby(data["USUBJID"].to_numpy()).cumsum().to_numpy()
    usable = (cpd_before - (code == ICPD)) == 0  # up to and including the first iCPD
    # iSD and iNN count only far enough from the baseline scan
    early = ((code == ISD) | (code == INN)) & (data["DAYS"].to_numpy() < sd_min_days)
    rank = np.where(usable & ~early, code, len(IRESPONSES))
    data = data.assign(_rank=rank)
    best = data.sort_values(["USUBJID", "_rank", "ADT"], kind="stable").drop_duplicates("USUBJID")
    best = best.loc[best["_rank"] < len(IRESPONSES)]
    best = best.assign(IRESP=np.asarray(IRESPONSES, dtype=object)[best["_rank"].to_numpy()])
    subjects = pd.DataFrame({"USUBJID": iresponses["USUBJID"].drop_duplicates().to_numpy()})
    out = subjects.merge(best[["USUBJID", "IRESP", "ADT"]], on="USUBJID", how="left")
    return out.rename(columns={"IRESP": "IBOR", "ADT": "IBOR_DATE"})
