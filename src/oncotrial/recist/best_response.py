"""Best overall response and the response parameters of an ADRS, from time-point overall responses.

The derivation follows admiralonco's ADRS template (admiralonco 1.0.0), so that its results are
reproduced record for record:

1. **ANL01FL** marks the analysable records: a valid response (CR, PR, SD, NON-CR/NON-PD, PD,
   NE) on or after the reference date (and before the end date, e.g. new anti-cancer therapy,
   when given); of several on one date the worst is kept (NE < CR < PR < SD < NON-CR/NON-PD < PD,
   then the larger RSSEQ).
2. **ANL02FL** marks the records up to and including the first PD (all of them if there is none).
3. The subject-level parameters use the records with both flags. BOR, CBOR and RSP take the
   first matching *event* in a list (admiralonco's ``order = exprs(event_nr, ADT)``), the earliest
   record of that event giving the date. CRSP, CB and CCB are Y when any of their events occurs,
   dated by the earliest record among all of them, whatever the event (the template orders them by
   ``desc(AVALC), ADT, event_nr``): an SD on day 44 then a PR on day 86 give CB = Y on day 44.

   ======  ==========================================================================================
   BOR     CR; PR; SD (a CR, PR or SD at least ``sd_min_days`` after the reference date);
           NON-CR/NON-PD (at least ``sd_min_days`` after); PD; NE (any CR, PR, SD, NON-CR/NON-PD,
           NE); else MISSING
   CBOR    confirmed CR; confirmed PR; then as BOR from SD on
   RSP     Y if any CR or PR, else N
   CRSP    Y if a confirmed CR, else a confirmed PR, else N
   CB      Y if any CR or PR (response), else a CR/PR/SD/NON-CR/NON-PD at least ``sd_min_days``
           after the reference date, else N
   CCB     as CB with confirmed responses
   PD      Y at the first PD among the ANL01FL records, else N
   ======  ==========================================================================================

   A **confirmed CR** is a CR followed by the first CR at least ``confirmation_days`` later with
   only CR/NE records between and at most ``max_ne`` NE; a **confirmed PR** a PR followed by the
   first CR/PR at least ``confirmation_days`` later, with only CR/PR/NE between, at most
   ``max_ne`` NE, and no PR after a CR among them (admiralonco's ``crsp_y_pr``). Subjects without any analysable record get MISSING (BOR, CBOR) and N.

Everything is computed with vectorised pandas/numpy operations over all subjects at once.

References
----------
Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST guideline
(version 1.1). Eur J Cancer 2009;45:228-247 (sections 4.4-4.6: best overall response, confirmation).
admiralonco 1.0.0, ADRS template (``derive_extreme_event`` with ``bor_*``, ``cbor_*``, ``crsp_y_*``,
``cb_y``, ``rsp_y`` events).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncotrial._numbers import is_whole
from oncotrial.errors import DataError
from oncotrial.recist.rules import OverallResponse

__all__ = [
    "AVAL_CODES",
    "RESPONSE_PARAMETERS",
    "RULE_LIMITS",
    "ResponseRules",
    "derive_overall_response_flags",
    "derive_response_parameters",
]

# admiralonco's aval_resp(): the analysis value of each response category.
AVAL_CODES = {"CR": 1, "PR": 2, "SD": 3, "NON-CR/NON-PD": 4, "PD": 5, "NE": 6, "MISSING": 7}
RESPONSE_PARAMETERS = ("BOR", "CBOR", "RSP", "CRSP", "CB", "CCB", "PD")
# Integer codes of the analysable categories are OverallResponse (-1: anything else, MISSING included).
CR, PR, SD, NONCR, PD, NE = (
    OverallResponse.CR,
    OverallResponse.PR,
    OverallResponse.SD,
    OverallResponse.NON_CR_NON_PD,
    OverallResponse.PD,
    OverallResponse.NE,
)
# Worst-of-the-day rank of each code: NE < CR < PR < SD < NON-CR/NON-PD < PD.
_WORST_ORDER = (NE, CR, PR, SD, NONCR, PD)
_WORST = np.array([_WORST_ORDER.index(code) for code in OverallResponse], dtype=np.int64)
# admiralonco's aval_resp() by code.
_AVAL = np.array([AVAL_CODES[code.label] for code in OverallResponse], dtype=np.float64)


#: The accepted values of each rule (inclusive): a confirmation needs a later assessment (at least
#: one day), and ten years bound every interval of a trial; larger values are typing errors that
#: would also overflow the day arithmetic.
RULE_LIMITS: dict[str, tuple[int, int]] = {"confirmation_days": (1, 3650), "sd_min_days": (0, 3650), "max_ne": (0, 100)}


@dataclass(frozen=True)
class ResponseRules:
    """Parameters of the derivation, with the RECIST 1.1 / admiralonco defaults.

    Each must be a whole number within :data:`RULE_LIMITS`, else a :class:`DataError` (RECIST-E025).
    """

    confirmation_days: int = 28  # a response is confirmed by one at least this many days later
    sd_min_days: int = 42  # SD (and NON-CR/NON-PD) counts only this many days after the reference date
    max_ne: int = 1  # NE assessments allowed between a response and its confirmation

    def __post_init__(self) -> None:
        for name, (low, high) in RULE_LIMITS.items():
            value = getattr(self, name)
            if not (is_whole(value) and low <= value <= high):
                raise DataError(
                    f"{name} = {value!r} is not valid: give a whole number from {low} to {high}.",
                    code="RECIST-E025",
                    field=name,
                )


def _response_codes(values: pd.Series) -> NDArray[np.int64]:
    """Integer code of each response (-1 when it is not an analysable RECIST category)."""
    codes, uniques = pd.factorize(values, sort=False)
    lookup = {code.label: int(code) for code in OverallResponse}
    mapped = np.array([lookup.get(str(u), -1) for u in uniques] + [-1], dtype=np.int64)
    return mapped[np.where(codes < 0, len(uniques), codes)]


def _flag(mask: NDArray[np.bool_]) -> pd.Categorical[str]:
    return pd.Categorical.from_codes(mask.astype(np.int8), categories=pd.Index(["", "Y"]))


def derive_overall_response_flags(
    overall: pd.DataFrame, *, reference_col: str = "RANDDT", end_col: str | None = None
) -> pd.DataFrame:
    """Add ``AVAL``, ``ANL01FL`` and ``ANL02FL`` to overall-response records.

    ``overall`` has one row per time-point overall response with ``USUBJID``, ``ADT`` (date),
    ``AVALC``, ``RSSEQ`` and the reference date column; ``end_col`` (e.g. the date of new
    anti-cancer therapy) excludes records on or after it. Returns a new table sorted by
    subject, date and RSSEQ.
    """
    data = overall.sort_values(["USUBJID", "ADT", "RSSEQ"], kind="stable").reset_index(drop=True)
    code = _response_codes(data["AVALC"])
    data["AVAL"] = np.where(code >= 0, _AVAL[np.maximum(code, 0)], np.nan)  # aval_resp: CR 1 ... NE 6
    adt = data["ADT"].to_numpy(dtype="datetime64[D]")
    eligible = (code >= 0) & ~np.isnat(adt) & (adt >= data[reference_col].to_numpy(dtype="datetime64[D]"))
    if end_col is not None:
        eligible &= ~(adt >= data[end_col].to_numpy(dtype="datetime64[D]"))
    subject = pd.factorize(data["USUBJID"], sort=False)[0].astype(np.int64)  # increasing: data are sorted
    # Worst record per (subject, date): rows are in (subject, date, RSSEQ) order, so among the
    # eligible rows of one date the last of the highest worst-rank wins.
    rows = np.nonzero(eligible)[0]
    kept = np.zeros(len(data), dtype=bool)
    if rows.size:
        run = np.concatenate([[True], (subject[rows][1:] != subject[rows][:-1]) | (adt[rows][1:] != adt[rows][:-1])])
        run_id = np.cumsum(run) - 1
        order = np.lexsort((rows, _WORST[code[rows]], run_id))
        last = np.concatenate([run_id[order][1:] != run_id[order][:-1], [True]])
        kept[rows[order][last]] = True
    data["ANL01FL"] = _flag(kept)
    is_pd = code == PD
    # records after the first PD of their subject: a PD strictly earlier within the subject
    pd_before = pd.Series(is_pd.astype(np.int64)).groupby(subject, sort=False).cumsum().to_numpy() - is_pd
    data["ANL02FL"] = _flag(pd_before == 0)
    return data


@dataclass(frozen=True)
class _Records:
    """The analysable records (both flags), sorted, as arrays."""

    frame: pd.DataFrame
    subject: NDArray[np.int64]  # subject code per record
    day: NDArray[np.int64]  # days since the epoch
    since_reference: NDArray[np.int64]  # days since the reference date
    code: NDArray[np.int64]  # response code (CR ... NE)


def _records(flagged: pd.DataFrame, reference_col: str) -> _Records:
    both = (flagged["ANL01FL"] == "Y").to_numpy() & (flagged["ANL02FL"] == "Y").to_numpy()
    frame = flagged.loc[both].reset_index(drop=True)
    codes = pd.factorize(frame["USUBJID"], sort=False)[0].astype(np.int64)
    day = frame["ADT"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    ref = frame[reference_col].to_numpy(dtype="datetime64[D]").astype(np.int64)
    return _Records(frame, codes, day, day - ref, _response_codes(frame["AVALC"]))


def _confirmed(
    rec: _Records, first: int, confirm: tuple[int, ...], between: tuple[int, ...], rules: ResponseRules
) -> NDArray[np.bool_]:
    """Which records of category ``first`` are confirmed (admiralonco's ``event_joined`` rule).

    For each record the confirming record is the subject's first ``confirm`` record at least
    ``confirmation_days`` later (found for all records at once by a binary search on a
    (subject, day) key); the records after it up to that one must all be in ``between``, with at
    most ``max_ne`` NE.
    """
    n = rec.day.size
    positions = np.nonzero(np.isin(rec.code, confirm))[0]
    if n == 0 or positions.size == 0:
        return np.zeros(n, dtype=bool)
    base = int(rec.day.min())
    span = int(rec.day.max()) - base + rules.confirmation_days + 1  # keeps subjects' key ranges apart
    key = rec.subject * span + (rec.day - base)  # increasing: records sorted by subject, then day
    idx = np.searchsorted(key[positions], key + rules.confirmation_days, side="left")
    found = idx < positions.size
    j = positions[np.minimum(idx, positions.size - 1)]
    found &= rec.subject[j] == rec.subject
    bad = np.concatenate([[0], np.cumsum(~np.isin(rec.code, between))])
    ne = np.concatenate([[0], np.cumsum(rec.code == NE)])
    i = np.arange(n)
    clean = (bad[j + 1] - bad[i + 1] == 0) & (ne[j + 1] - ne[i + 1] <= rules.max_ne)  # records i+1..j
    if first == PR:
        clean &= ~_pr_after_cr(rec.code, i, j)
    confirmed: NDArray[np.bool_] = (rec.code == first) & found & clean
    return confirmed


def _pr_after_cr(code: NDArray[np.int64], i: NDArray[np.int64], j: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Whether records i+1..j hold a PR after a CR (a PR cannot then be confirmed: admiralonco
    requires every CR of the confirmation window to come after every PR)."""
    cr_positions = np.nonzero(code == CR)[0]
    pr = np.concatenate([[0], np.cumsum(code == PR)])
    if cr_positions.size == 0:
        return np.zeros(i.size, dtype=bool)
    k = np.searchsorted(cr_positions, i + 1, side="left")  # first CR after record i
    first_cr = cr_positions[np.minimum(k, cr_positions.size - 1)]
    has_cr = (k < cr_positions.size) & (first_cr <= j)
    after: NDArray[np.bool_] = has_cr & (pr[j + 1] - pr[np.minimum(first_cr, j) + 1] > 0)
    return after


def _first_per_subject(rec: _Records, mask: NDArray[np.bool_], n_subjects: int) -> NDArray[np.int64]:
    """Position of each subject's first record where ``mask`` holds; -1 where none."""
    first = np.full(n_subjects, -1, dtype=np.int64)
    hits = np.nonzero(mask)[0]
    # records are sorted by subject then date: the first hit of each subject is its earliest
    subjects, start = np.unique(rec.subject[hits], return_index=True)
    first[subjects] = hits[start]
    return first


def _pick(
    events: list[tuple[str, NDArray[np.int64]]], n_subjects: int
) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    """The first event (in list order) each subject has, and its record position."""
    value = np.full(n_subjects, None, dtype=object)
    position = np.full(n_subjects, -1, dtype=np.int64)
    for label, first in reversed(events):
        hit = first >= 0
        value[hit] = label
        position[hit] = first[hit]
    return value, position


def _event_positions(
    rec: _Records, subject_rows: NDArray[np.int64], n_subjects: int, rules: ResponseRules
) -> dict[str, NDArray[np.int64]]:
    """For every event, each subject's first record position (-1 if none).

    ``subject_rows[k]`` is the row in the subject list of the record's subject code ``k``.
    """
    a, late = rec.code, rec.since_reference >= rules.sd_min_days
    confirmed_cr = _confirmed(rec, CR, (CR,), (CR, NE), rules)
    confirmed_pr = _confirmed(rec, PR, (CR, PR), (CR, PR, NE), rules)
    listed = _Records(rec.frame, subject_rows[rec.subject], rec.day, rec.since_reference, rec.code)
    masks = {
        "cr": a == CR,
        "pr": a == PR,
        "sd": np.isin(a, (CR, PR, SD)) & late,
        "noncr": (a == NONCR) & late,
        "pd": a == PD,
        "ne": np.isin(a, (CR, PR, SD, NONCR, NE)),
        "rsp": np.isin(a, (CR, PR)),
        "cb": np.isin(a, (CR, PR, SD, NONCR)) & late,
        "ccr": confirmed_cr,
        "cpr": confirmed_pr,
    }
    return {name: _first_per_subject(listed, mask, n_subjects) for name, mask in masks.items()}


def _pick_earliest(
    events: list[tuple[str, NDArray[np.int64]]], n_subjects: int
) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    """Y at the earliest record among all the events a subject has (admiralonco orders the Y/N
    parameters CB, CRSP and CCB by ``desc(AVALC), ADT, event_nr``: a Y first, then the date)."""
    position = np.full(n_subjects, -1, dtype=np.int64)
    for _, first in events:
        # records are sorted by subject then date: the smaller position is the earlier date
        earlier = (first >= 0) & ((position < 0) | (first < position))
        position[earlier] = first[earlier]
    value = np.full(n_subjects, None, dtype=object)
    value[position >= 0] = "Y"
    return value, position


# Parameters whose candidate events are ordered by date first (then event order): the Y/N
# parameters with several events. RSP has one event; BOR and CBOR take the events in list order.
_BY_DATE = frozenset({"CRSP", "CB", "CCB"})


def _parameter_events(first: dict[str, NDArray[np.int64]]) -> dict[str, list[tuple[str, NDArray[np.int64]]]]:
    tail = [("SD", first["sd"]), ("NON-CR/NON-PD", first["noncr"]), ("PD", first["pd"]), ("NE", first["ne"])]
    return {
        "BOR": [("CR", first["cr"]), ("PR", first["pr"]), *tail],
        "CBOR": [("CR", first["ccr"]), ("PR", first["cpr"]), *tail],
        "RSP": [("Y", first["rsp"])],
        "CRSP": [("Y", first["ccr"]), ("Y", first["cpr"])],
        "CB": [("Y", first["rsp"]), ("Y", first["cb"])],
        "CCB": [("Y", first["ccr"]), ("Y", first["cpr"]), ("Y", first["cb"])],
    }


_COLUMNS = ["STUDYID", "USUBJID", "PARAMCD", "AVALC", "AVAL", "ADT", "AVISIT", "RSSEQ", "ANL01FL", "ANL02FL"]


def _parameter_rows(
    paramcd: str, value: NDArray[np.object_], position: NDArray[np.int64], rec: _Records, subjects: pd.DataFrame
) -> pd.DataFrame:
    found = position >= 0
    source = rec.frame.iloc[np.where(found, position, 0)].reset_index(drop=True) if len(rec.frame) else None
    missing = "MISSING" if paramcd in ("BOR", "CBOR") else "N"
    avalc = pd.Categorical(np.where(found, value, missing))
    rows = pd.DataFrame(
        {
            "STUDYID": subjects["STUDYID"].to_numpy() if "STUDYID" in subjects else "",
            "USUBJID": subjects["USUBJID"].to_numpy(),
            "PARAMCD": pd.Categorical.from_codes(np.zeros(len(subjects), np.int8), pd.Index([paramcd])),
            "AVALC": avalc,
        }
    )
    rows["AVAL"] = rows["AVALC"].map({**AVAL_CODES, "Y": 1, "N": 0}).astype("Int64")
    for col in ("ADT", "AVISIT", "RSSEQ"):
        if source is not None and col in source:
            rows[col] = source[col].where(pd.Series(found)).to_numpy()
        else:
            rows[col] = pd.NA
    rows["ANL01FL"] = "Y"
    rows["ANL02FL"] = np.where(found, "Y", "")
    return rows


def derive_response_parameters(
    flagged: pd.DataFrame,
    subjects: pd.DataFrame,
    *,
    reference_col: str = "RANDDT",
    rules: ResponseRules | None = None,
) -> pd.DataFrame:
    """BOR, CBOR, RSP, CRSP, CB, CCB and PD per subject, one row per subject and parameter.

    ``flagged`` is the output of :func:`derive_overall_response_flags`; ``subjects`` lists every
    subject to report (``USUBJID``, optional ``STUDYID``), as ADSL does. Returns ADRS-shaped rows
    (STUDYID, USUBJID, PARAMCD, AVALC, AVAL, ADT, AVISIT, RSSEQ, ANL01FL, ANL02FL); ``ADT`` is the
    date of the record that decided the value (empty for MISSING and N).
    """
    rules = rules or ResponseRules()
    subjects = subjects.drop_duplicates("USUBJID").reset_index(drop=True)
    rec = _records(flagged[flagged["USUBJID"].isin(subjects["USUBJID"])], reference_col)
    subject_rows = pd.Index(subjects["USUBJID"]).get_indexer(rec.frame["USUBJID"].drop_duplicates())
    n = len(subjects)
    first = _event_positions(rec, subject_rows.astype(np.int64), n, rules)
    parts = []
    for paramcd, events in _parameter_events(first).items():
        value, position = (_pick_earliest if paramcd in _BY_DATE else _pick)(events, n)
        parts.append(_parameter_rows(paramcd, value, position, rec, subjects))
    pd_first = _first_per_subject_pd(flagged, subjects)
    parts.append(pd_first)
    return pd.concat(parts, ignore_index=True)[_COLUMNS]


def _first_per_subject_pd(flagged: pd.DataFrame, subjects: pd.DataFrame) -> pd.DataFrame:
    """PD: the first PD among the ANL01FL records (admiralonco takes it before the ANL02FL cut)."""
    pds = flagged.loc[(flagged["ANL01FL"] == "Y").to_numpy() & (_response_codes(flagged["AVALC"]) == PD)]
    pds = pds.drop_duplicates("USUBJID", keep="first").set_index("USUBJID")
    rows = pd.DataFrame(
        {"STUDYID": subjects["STUDYID"].to_numpy() if "STUDYID" in subjects else "", "USUBJID": subjects["USUBJID"]}
    )
    hit = rows["USUBJID"].isin(pds.index).to_numpy()
    rows["PARAMCD"] = pd.Categorical.from_codes(np.zeros(len(rows), np.int8), pd.Index(["PD"]))
    rows["AVALC"] = np.where(hit, "Y", "N")
    rows["AVAL"] = pd.array(np.where(hit, 1, 0), dtype="Int64")
    for col in ("ADT", "AVISIT", "RSSEQ"):
        rows[col] = pds[col].reindex(rows["USUBJID"]).to_numpy() if col in pds else pd.NA
    rows["ANL01FL"] = "Y"
    rows["ANL02FL"] = np.where(hit, "Y", "")  # a first PD is never after the first PD
    return rows
