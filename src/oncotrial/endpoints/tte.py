"""Time-to-event parameters (an ADTTE) from ADSL and ADRS, with event and censoring sources as data.

As admiral's ``derive_param_tte``: for each subject the earliest date among the *event* sources
is the event (``CNSR = 0``); without one, the latest date among the *censoring* sources is the
censoring (``CNSR = 1``); ``AVAL`` is ``ADT - STARTDT + 1`` days (admiral's
``derive_vars_duration``, start day counted as day 1). Each record says what it is
(``EVNTDESC``, ``CNSDTDSC`` as admiral writes them) and, when censored, why (``CNSRREAS``, in the
words of the FDA table below).

The FDA's censoring rules for progression (Clinical Trial Endpoints for the Approval of Cancer
Drugs and Biologics, 2018, Table 3) are options that remove events before the choice is made:

* no adequate post-baseline assessment: censored at the start date (the "Randomization" source);
* new anti-cancer therapy before progression (``nact_col``): events and assessments on or after it
  are not used, so the record is censored at the last assessment before it;
* progression or death after two or more missed assessments (``max_gap_days``): censored at the
  last adequate assessment before;
* data cut-off (``cutoff``): nothing after it is used; last-known-alive dates are capped at it.

Everything is done on whole tables, never row by row: the subject ids of ADSL and ADRS become one
categorical (merges and sorts on integer codes), and the text that only depends on the source of a
record (EVNTDESC, CNSDTDSC, SRCDOM, SRCVAR, CNSRREAS) is a categorical label of that source.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pandas.api.types import union_categoricals

from oncotrial._adsl import derive_adsl_vars, select_adsl_vars
from oncotrial._numbers import is_whole
from oncotrial.errors import DataError, InconsistentDataError, MissingDataError, TrialWarning
from oncotrial.recist.dates import first_flagged as _first
from oncotrial.recist.dates import read_dates as _dates

__all__ = [
    "ADRS_PARAMETERS",
    "MAX_GAP_DAYS_LIMITS",
    "SURVIVAL_COLUMNS",
    "TimeToEventSource",
    "check_adtte_columns",
    "derive_adtte",
    "derive_param_tte",
]

#: ADSL columns of death and last-known-alive dates; without them OS cannot be derived.
SURVIVAL_COLUMNS = ("DTHDT", "LSTALVDT")
#: The ADRS parameters the derivation reads (its other records are not used).
ADRS_PARAMETERS = ("OVR", "PD", "RSP", "BOR")
#: The accepted ``max_gap_days`` (inclusive): at least a day, at most ten years.
MAX_GAP_DAYS_LIMITS = (1, 3650)


@dataclass(frozen=True)
class TimeToEventSource:
    """Dates that are events or censorings for some subjects (one row per subject and date)."""

    dates: pd.DataFrame  # USUBJID, ADT (and optionally SRCSEQ)
    description: str  # EVNTDESC, e.g. "Disease Progression"
    censor_description: str = ""  # CNSDTDSC for censorings
    domain: str = ""  # SRCDOM, e.g. "ADRS"
    variable: str = ""  # SRCVAR, e.g. "ADT"


def _stack(sources: Sequence[TimeToEventSource], first: int = 0) -> pd.DataFrame:
    """The dates of all ``sources`` (USUBJID, ADT), with ``_order``: ``first`` + the source's position."""
    parts = [s.dates[["USUBJID", "ADT"]].dropna(subset=["ADT"]).assign(_order=first + i) for i, s in enumerate(sources)]
    if not parts:
        return pd.DataFrame({"USUBJID": [], "ADT": pd.Series(dtype="datetime64[s]"), "_order": pd.Series(dtype=int)})
    return pd.concat(parts, ignore_index=True)


def _source_labels(order: NDArray[np.int64], labels: Sequence[str]) -> pd.Categorical[str]:
    """``labels[order]`` as a categorical: one label per source, not one string per record."""
    codes, uniques = pd.factorize(np.array(labels, dtype=object))
    return pd.Categorical.from_codes(codes[order], categories=pd.Index(uniques, dtype=object))


def derive_param_tte(
    subjects: pd.DataFrame,
    *,
    paramcd: str,
    param: str,
    events: Sequence[TimeToEventSource],
    censors: Sequence[TimeToEventSource],
) -> pd.DataFrame:
    """One time-to-event record per subject of ``subjects`` (``USUBJID``, ``STARTDT``) with an event or a censoring."""
    event = _stack(events).sort_values(["USUBJID", "ADT", "_order"], kind="stable").drop_duplicates("USUBJID")
    # admiral: the latest censoring date; on a tie, the source listed last
    censor = _stack(censors, len(events)).sort_values(
        ["USUBJID", "ADT", "_order"], ascending=[True, False, False], kind="stable"
    )
    censor = censor.drop_duplicates("USUBJID")
    censor = censor.loc[~censor["USUBJID"].isin(event["USUBJID"])]
    chosen = pd.concat([event.assign(CNSR=0), censor.assign(CNSR=1)], ignore_index=True)
    base = subjects[["USUBJID", "STARTDT", *(["STUDYID"] if "STUDYID" in subjects.columns else [])]]
    out = base.merge(chosen, on="USUBJID", how="inner")
    order = out["_order"].to_numpy(dtype=np.int64)
    sources = [*events, *censors]
    out["PARAMCD"] = _source_labels(np.zeros(len(out), dtype=np.int64), [paramcd])
    out["PARAM"] = _source_labels(np.zeros(len(out), dtype=np.int64), [param])
    out["AVAL"] = (out["ADT"] - out["STARTDT"]).dt.days + 1
    out["EVNTDESC"] = _source_labels(order, [s.description for s in sources])
    out["CNSDTDSC"] = _source_labels(order, [""] * len(events) + [s.censor_description for s in censors])
    out["SRCDOM"] = _source_labels(order, [s.domain for s in sources])
    out["SRCVAR"] = _source_labels(order, [s.variable for s in sources])
    _check_not_before(out.rename(columns={"STARTDT": "_start"}), column=None, start_name=f"STARTDT ({paramcd})")
    columns = [
        "USUBJID",
        "PARAMCD",
        "PARAM",
        "STARTDT",
        "ADT",
        "AVAL",
        "CNSR",
        "EVNTDESC",
        "CNSDTDSC",
        "SRCDOM",
        "SRCVAR",
    ]
    return out[(["STUDYID"] if "STUDYID" in out.columns else []) + columns]


def _subject_dates(adsl: pd.DataFrame, column: str | None) -> pd.DataFrame:
    if column is None or column not in adsl.columns:
        return pd.DataFrame({"USUBJID": pd.Series(dtype=str), "ADT": pd.Series(dtype="datetime64[s]")})
    dates = pd.DataFrame({"USUBJID": adsl["USUBJID"].array, "ADT": _dates(adsl, column, table="ADSL").to_numpy()})
    return dates.dropna(subset=["ADT"])


def _check_not_before(dates: pd.DataFrame, *, column: str | None, start_name: str, field: str | None = None) -> None:
    """Raise when a date (``ADT``) is before the subject's start (``_start``); ``column=None`` reads ``SRCVAR``."""
    bad = (dates["ADT"] < dates["_start"]).to_numpy()
    if not bad.any():
        return
    row_at, more = _first(bad)
    row = dates.iloc[row_at]
    name = column or str(row["SRCVAR"])
    raise InconsistentDataError(
        f"Subject {row['USUBJID']}: {name} {row['ADT']:%Y-%m-%d} is before the start date {start_name} "
        f"{row['_start']:%Y-%m-%d}, which would give a negative time to event{more}. Correct {name} or "
        f"{start_name} of this subject in the source data.",
        code="SURV-E041",
        subject_id=str(row["USUBJID"]),
        field=field or name,
    )


def check_adtte_columns(
    adsl: pd.DataFrame,
    adrs: pd.DataFrame,
    *,
    start_col: str = "RANDDT",
    nact_col: str | None = None,
    survival_cols: Sequence[str] = SURVIVAL_COLUMNS,
) -> None:
    """Raise a :class:`DataError` listing every column that ADSL and ADRS lack for an ADTTE.

    ``survival_cols`` are the death and last-known-alive dates. :func:`derive_adtte` accepts an ADSL
    without them (no deaths, or no follow-up, are then recorded) and warns; the command line requires them.
    """
    needed = {
        "ADSL": (adsl, ["USUBJID", start_col, *survival_cols, *([nact_col] if nact_col else [])]),
        "ADRS": (adrs, ["USUBJID", "PARAMCD", "AVALC", "ADT"]),
    }
    missing = {
        name: [c for c in dict.fromkeys(cols) if c not in table.columns] for name, (table, cols) in needed.items()
    }
    problems = [f"{name} table lacks the column(s) {', '.join(cols)}" for name, cols in missing.items() if cols]
    if problems:
        raise DataError(
            "The " + "; the ".join(problems) + ". Add them to the table, or name the columns that hold these dates.",
            code="TTE-E001",
            field=next(c for cols in missing.values() for c in cols),
        )


def _check_subjects(adsl: pd.DataFrame) -> None:
    """ADSL has at least one subject and one row per subject."""
    if adsl.empty:
        raise DataError(
            "ADSL has no subjects: the table has column names but no rows. Check that the right ADSL was given.",
            code="SURV-E043",
            field="USUBJID",
        )
    ids = adsl["USUBJID"].astype("string")
    repeated = ids[ids.duplicated()].unique()
    if len(repeated):
        raise InconsistentDataError(
            f"ADSL has more than one row for subject(s) {', '.join(map(str, repeated[:5]))}: ADSL must have "
            "one row per subject (USUBJID). Remove the duplicate rows.",
            code="SURV-E044",
            subject_id=str(repeated[0]),
            field="USUBJID",
        )


@dataclass(frozen=True)
class _Data:
    subjects: pd.DataFrame
    assessments: pd.DataFrame  # analysable tumour assessments: USUBJID, ADT
    progression: pd.DataFrame
    death: pd.DataFrame
    alive: pd.DataFrame
    start: pd.DataFrame
    response: pd.DataFrame  # first CR/PR per responder
    stable: pd.DataFrame  # subjects with BOR SD


def _params(adrs: pd.DataFrame, paramcd: str, value: str) -> pd.DataFrame:
    rows = adrs.loc[(adrs["PARAMCD"].astype(str) == paramcd) & (adrs["AVALC"].astype(str) == value)]
    dates = pd.DataFrame({"USUBJID": rows["USUBJID"].array, "ADT": _dates(rows, "ADT", table="ADRS").to_numpy()})
    return dates.dropna(subset=["ADT"])


def _subjects(adsl: pd.DataFrame, start_col: str) -> pd.DataFrame:
    """USUBJID, STARTDT (and STUDYID) of the subjects with a start date; a warning names those without."""
    subjects = pd.DataFrame(
        {
            "USUBJID": adsl["USUBJID"].array,
            "STARTDT": _dates(adsl, start_col, table="ADSL", require_full_date=True).to_numpy(),
        }
    )
    if "STUDYID" in adsl.columns:
        subjects["STUDYID"] = adsl["STUDYID"].to_numpy()
    no_start = subjects["STARTDT"].isna()
    if no_start.all():
        raise MissingDataError(
            f"None of the {len(subjects)} ADSL subject(s) has a {start_col} (e.g. {subjects['USUBJID'].iloc[0]}), "
            f"so no time to event can be derived. Fill in {start_col} or name the column that holds the start date.",
            code="SURV-E046",
            subject_id=str(subjects["USUBJID"].iloc[0]),
            field=start_col,
        )
    if no_start.any():  # as admiral: no start date, no time-to-event record (e.g. never randomised)
        warnings.warn(
            TrialWarning(
                f"{int(no_start.sum())} subject(s) have no {start_col} and get no time-to-event records "
                f"(e.g. {subjects.loc[no_start, 'USUBJID'].iloc[0]})."
            ),
            stacklevel=4,
        )
    return subjects.loc[~no_start]


def _check_dates_after_start(data: _Data, start_col: str) -> None:
    """Deaths and tumour assessments are not before the subject's start date (an error); a last-known-alive
    date before it is censored at the start date, as admiral does, with a warning."""
    start = data.start.rename(columns={"ADT": "_start"})
    for dates, column, field in (
        (data.death, "DTHDT", "DTHDT"),
        (data.assessments, "the ADRS overall response date ADT", "ADT"),
        (data.progression, "the ADRS progression date ADT", "ADT"),
        (data.response, "the ADRS response date ADT", "ADT"),
    ):
        _check_not_before(dates.merge(start, on="USUBJID"), column=column, start_name=start_col, field=field)
    alive = data.alive.merge(start, on="USUBJID")
    early = (alive["ADT"] < alive["_start"]).to_numpy()
    if early.any():
        row, more = _first(early)
        warnings.warn(
            TrialWarning(
                f"Subject {alive['USUBJID'].iloc[row]}: LSTALVDT {alive['ADT'].iloc[row]:%Y-%m-%d} is before "
                f"{start_col} {alive['_start'].iloc[row]:%Y-%m-%d}{more}; OS is censored at {start_col} "
                "(as admiral). Check LSTALVDT."
            ),
            stacklevel=5,
        )


def _collect(adsl: pd.DataFrame, adrs: pd.DataFrame, start_col: str) -> _Data:
    subjects = _subjects(adsl, start_col)
    start = subjects[["USUBJID", "STARTDT"]].rename(columns={"STARTDT": "ADT"})
    flag = adrs["ANL01FL"].astype(str) == "Y" if "ANL01FL" in adrs.columns else True
    ovr = adrs.loc[(adrs["PARAMCD"].astype(str) == "OVR") & flag]
    assessments = pd.DataFrame({"USUBJID": ovr["USUBJID"].array, "ADT": _dates(ovr, "ADT", table="ADRS").to_numpy()})
    data = _Data(
        subjects,
        assessments,
        _params(adrs, "PD", "Y"),
        _subject_dates(adsl, "DTHDT"),
        _subject_dates(adsl, "LSTALVDT"),
        start,
        _params(adrs, "RSP", "Y"),
        _params(adrs, "BOR", "SD"),
    )
    _check_dates_after_start(data, start_col)
    return data


def _before(dates: pd.DataFrame, limit: pd.DataFrame | None, *, inclusive: bool) -> pd.DataFrame:
    """Rows whose date is before the subject's limit date (all rows where there is no limit)."""
    if limit is None or limit.empty:
        return dates
    merged = dates.merge(limit.rename(columns={"ADT": "_limit"}), on="USUBJID", how="left")
    keep = merged["_limit"].isna() | (
        (merged["ADT"] <= merged["_limit"]) if inclusive else (merged["ADT"] < merged["_limit"])
    )
    return dates.loc[keep.to_numpy()]


def _apply_rules(data: _Data, adsl: pd.DataFrame, cutoff: date | None, nact: pd.DataFrame | None) -> _Data:
    """Cut-off and new anti-cancer therapy (``nact``: USUBJID, ADT): drop what happened after them."""
    limit = None
    if cutoff is not None:
        c = pd.Timestamp(cutoff)
        limit = pd.DataFrame({"USUBJID": adsl["USUBJID"].array, "ADT": c})
    tables = {}
    for name in ("assessments", "progression", "death", "response"):
        table = getattr(data, name)
        table = _before(table, limit, inclusive=True)
        if nact is not None:
            table = _before(table, nact, inclusive=False)
        tables[name] = table
    alive = data.alive
    if cutoff is not None:
        cap = pd.Timestamp(cutoff).to_datetime64().astype("datetime64[s]")
        alive = alive.assign(ADT=np.minimum(alive["ADT"].to_numpy(dtype="datetime64[s]"), cap))
    return _Data(
        data.subjects,
        tables["assessments"],
        tables["progression"],
        tables["death"],
        alive,
        data.start,
        tables["response"],
        data.stable,
    )


def _drop_after_gap(
    events: pd.DataFrame, assessments: pd.DataFrame, start: pd.DataFrame, max_gap_days: int | None
) -> pd.DataFrame:
    """Events more than ``max_gap_days`` after the last assessment before them (or the start) are dropped."""
    if max_gap_days is None or events.empty:
        return events
    prior = pd.concat([assessments, start], ignore_index=True).dropna().sort_values("ADT")
    ev = events.sort_values("ADT").reset_index(drop=True)
    last = pd.merge_asof(
        ev,
        prior.rename(columns={"ADT": "PRIOR"}),
        left_on="ADT",
        right_on="PRIOR",
        by="USUBJID",
        allow_exact_matches=False,
    )
    gap = (last["ADT"] - last["PRIOR"]).dt.days
    return ev.loc[~(gap > max_gap_days).to_numpy()]


def _last_assessment(assessments: pd.DataFrame) -> pd.DataFrame:
    return assessments.sort_values("ADT").drop_duplicates("USUBJID", keep="last")


def _check_inputs(
    adsl: pd.DataFrame, adrs: pd.DataFrame, *, start_col: str, nact_col: str | None, max_gap_days: int | None
) -> None:
    """Columns, subjects and options that :func:`derive_adtte` needs; a warning for absent survival columns."""
    check_adtte_columns(adsl, adrs, start_col=start_col, nact_col=nact_col, survival_cols=())
    low, high = MAX_GAP_DAYS_LIMITS
    if max_gap_days is not None and not (is_whole(max_gap_days) and low <= max_gap_days <= high):
        raise DataError(
            f"max_gap_days = {max_gap_days!r} is not valid: give a whole number of days from {low} to {high} "
            "(e.g. two assessment intervals plus the visit window).",
            code="SURV-E045",
            field="max_gap_days",
        )
    _check_subjects(adsl)
    absent = [c for c in SURVIVAL_COLUMNS if c not in adsl.columns]
    if absent:
        consequence = {"DTHDT": "no subject is counted as dead", "LSTALVDT": "OS is censored at the start date"}
        warnings.warn(
            TrialWarning(
                f"ADSL has no {' or '.join(absent)} column: {' and '.join(consequence[c] for c in absent)}. "
                "Add the column(s) for overall survival."
            ),
            stacklevel=3,
        )


def derive_adtte(
    adsl: pd.DataFrame,
    adrs: pd.DataFrame,
    *,
    start_col: str = "RANDDT",
    cutoff: date | None = None,
    nact_col: str | None = None,
    max_gap_days: int | None = None,
    adsl_vars: Sequence[str] = (),
) -> pd.DataFrame:
    """OS, PFS, TTP, duration of response (DOR) and duration of SD (DSD) for every subject of ADSL.

    ``adrs`` is an ADRS as :mod:`oncotrial.recist` writes it (OVR records with ANL01FL; PD, RSP and
    BOR parameters); ``adsl`` has one row per subject with ``USUBJID``, the start date ``start_col``,
    ``DTHDT`` (death) and ``LSTALVDT`` (last known alive; either may be left out, with a warning) and
    the new-therapy date ``nact_col`` when one is named. Dates are ISO 8601 text (``YYYY-MM-DD``; a
    partial ``YYYY-MM`` is imputed to the month's last day, with a warning) or datetimes.

    ADSL variables are carried into every record, as admiral's ``adsl_vars``: STUDYID, ARM, ARMCD,
    ACTARM, ACTARMCD, TRT01P, TRT01A, AGE, SEX, RACE and the ``STRAT*`` stratification factors when
    ADSL has them, and the columns named in ``adsl_vars`` (which must exist); see :mod:`oncotrial._adsl`.

    Raises
    ------
    DataError
        A column is missing (``adsl_vars`` included), a date cannot be read, ADSL has no subjects or
        none with a start date, or ``max_gap_days`` is not a whole number within MAX_GAP_DAYS_LIMITS.
    InconsistentDataError
        ADSL has a subject twice, or a death, last-known-alive or tumour assessment date is before
        the subject's start date.
    """
    _check_inputs(adsl, adrs, start_col=start_col, nact_col=nact_col, max_gap_days=max_gap_days)
    carried = select_adsl_vars(adsl, adsl_vars)
    adsl, adrs = _code_subjects(adsl, adrs)
    raw = _collect(adsl, adrs, start_col)
    data = _apply_rules(raw, adsl, cutoff, _subject_dates(adsl, nact_col))
    progression = _drop_after_gap(data.progression, data.assessments, data.start, max_gap_days)
    # a progression ruled out by missed assessments is not an adequate assessment for a later death either
    ruled_out = data.progression.merge(progression, how="left", indicator=True)
    first_ruled_out = (
        ruled_out.loc[ruled_out["_merge"] == "left_only"].groupby("USUBJID", observed=True)["ADT"].min().reset_index()
    )
    death = _drop_after_gap(
        data.death, _before(data.assessments, first_ruled_out, inclusive=False), data.start, max_gap_days
    )
    # an event dropped after missed assessments is censored at the last adequate assessment before it
    dropped = pd.concat([data.progression, data.death]).merge(
        pd.concat([progression, death]), how="left", indicator=True
    )
    first_dropped = (
        dropped.loc[dropped["_merge"] == "left_only"].groupby("USUBJID", observed=True)["ADT"].min().reset_index()
    )
    assessments = _before(data.assessments, first_dropped, inclusive=False)
    last = TimeToEventSource(
        _last_assessment(assessments), "Last Tumor Assessment", "Last Tumor Assessment", "ADRS", "ADT"
    )
    start = TimeToEventSource(data.start, "Randomization", "Randomization", "ADSL", start_col)
    pd_source = TimeToEventSource(progression, "Disease Progression", "", "ADRS", "ADT")
    death_source = TimeToEventSource(death, "Death", "", "ADSL", "DTHDT")
    alive = TimeToEventSource(data.alive, "Alive", "Alive During Study", "ADSL", "LSTALVDT")
    # OS counts every death up to the cut-off: new therapy and missed assessments do not censor it
    os_death = _apply_rules(raw, adsl, cutoff, None).death
    os_source = TimeToEventSource(os_death, "Death", "", "ADSL", "DTHDT")
    parts = [
        derive_param_tte(
            data.subjects, paramcd="OS", param="Overall Survival", events=[os_source], censors=[alive, start]
        ),
        derive_param_tte(
            data.subjects,
            paramcd="PFS",
            param="Progression Free Survival",
            events=[pd_source, death_source],
            censors=[last, start],
        ),
        derive_param_tte(
            data.subjects, paramcd="TTP", param="Time to Progression", events=[pd_source], censors=[last, start]
        ),
    ]
    responders = data.response.sort_values("ADT").drop_duplicates("USUBJID")
    dor_subjects = data.subjects.drop(columns="STARTDT").merge(
        responders.rename(columns={"ADT": "STARTDT"}), on="USUBJID"
    )
    parts.append(
        derive_param_tte(
            dor_subjects, paramcd="DOR", param="Duration of Response", events=[pd_source, death_source], censors=[last]
        )
    )
    sd_subjects = data.subjects.loc[data.subjects["USUBJID"].isin(data.stable["USUBJID"])]
    parts.append(
        derive_param_tte(
            sd_subjects,
            paramcd="DSD",
            param="Duration of Stable Disease",
            events=[pd_source, death_source],
            censors=[last, start],
        )
    )
    adtte = _concat_labelled(parts, ("PARAMCD", "PARAM", "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR"))
    adtte["CNSR"] = adtte["CNSR"].astype(np.int64)
    adtte["CNSRREAS"] = _censor_reasons(adtte, raw, data, progression, death, os_death)
    adtte = adtte.sort_values(["USUBJID", "PARAMCD"], kind="stable").reset_index(drop=True)
    return derive_adsl_vars(adtte, adsl, carried)


def _concat_labelled(parts: list[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    """``parts`` one under the other, the categorical ``columns`` kept categorical (sorted categories).

    pandas concatenates categoricals with different categories into text, one string per record.
    """
    for col in columns:
        categories = union_categoricals([part[col] for part in parts], sort_categories=True).categories
        parts = [part.assign(**{col: part[col].cat.set_categories(categories)}) for part in parts]
    return pd.concat(parts, ignore_index=True)


def _code_subjects(adsl: pd.DataFrame, adrs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """USUBJID of both tables as one categorical with sorted categories.

    Merges, look-ups and sorts then work on integer codes (a million text ids made them the bulk of
    the time), and the ids still print as text in messages and sort as text in the output.
    """
    adsl_codes, adsl_ids = pd.factorize(adsl["USUBJID"])
    adrs_codes, adrs_ids = pd.factorize(adrs["USUBJID"])
    # USUBJID is CDISC text: 1 (a number in a Parquet ADSL) and "1" (a CSV ADRS) are one subject
    adsl_ids, adrs_ids = pd.Index(adsl_ids).astype(str), pd.Index(adrs_ids).astype(str)
    dtype = pd.CategoricalDtype(adsl_ids.union(adrs_ids))

    def recode(codes: NDArray[np.intp], ids: pd.Index) -> pd.Categorical:
        # the ids are looked up once each, not once per row (an ADRS has many rows per subject)
        positions = dtype.categories.get_indexer(ids)
        return pd.Categorical.from_codes(np.where(codes >= 0, positions[codes], -1), dtype=dtype)

    return adsl.assign(USUBJID=recode(adsl_codes, adsl_ids)), adrs.assign(USUBJID=recode(adrs_codes, adrs_ids))


_DEFAULT_REASON = {
    "Randomization": "No adequate post-baseline tumour assessment (censored at the start date)",
    "Last Tumor Assessment": "No event by the last adequate tumour assessment",
    "Alive": "Alive at last contact",
}
_AFTER_CUTOFF = "Death after the data cut-off (censored at the cut-off)"
_GAP = "Progression or death after two or more missed assessments (censored at the last adequate one)"
_REMOVED = "Progression or death after new anti-cancer therapy or the data cut-off (censored before it)"
_REASONS = ("", *_DEFAULT_REASON.values(), _AFTER_CUTOFF, _GAP, _REMOVED)


def _censor_reasons(
    adtte: pd.DataFrame,
    raw: _Data,
    used: _Data,
    progression: pd.DataFrame,
    death: pd.DataFrame,
    os_death: pd.DataFrame,
) -> pd.Categorical[str]:
    """Why each censored record is censored (FDA 2018 Table 3 wording); empty for events."""

    def subjects(table: pd.DataFrame) -> set[str]:
        return set(table["USUBJID"])

    events_raw = subjects(raw.progression) | subjects(raw.death)
    events_cut = subjects(used.progression) | subjects(used.death)  # after cut-off and new therapy
    events_used = subjects(progression) | subjects(death)  # after the missed-assessment rule too
    code = {reason: i for i, reason in enumerate(_REASONS)}
    default = {label: code[reason] for label, reason in _DEFAULT_REASON.items()}
    description = adtte["EVNTDESC"].astype("category").cat
    per_label = np.array([default.get(str(label), 0) for label in description.categories] + [0], dtype=np.int8)
    reason = per_label[description.codes.to_numpy()]  # code -1 (no description) takes the last entry: ""
    subject = adtte["USUBJID"]
    censored = (adtte["CNSR"] == 1).to_numpy()
    is_os = (adtte["PARAMCD"] == "OS").to_numpy()
    later = (
        (censored & is_os & subject.isin(subjects(raw.death) - subjects(os_death)).to_numpy(), _AFTER_CUTOFF),
        (censored & ~is_os & subject.isin(events_cut - events_used).to_numpy(), _GAP),
        (censored & ~is_os & subject.isin(events_raw - events_cut).to_numpy(), _REMOVED),
    )
    for mask, text in later:  # each overrides the ones before it
        reason[mask] = code[text]
    reason[~censored] = 0
    return pd.Categorical.from_codes(reason, categories=pd.Index(_REASONS, dtype=object))
