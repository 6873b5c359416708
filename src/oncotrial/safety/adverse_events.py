"""Adverse-event tables from SDTM AE: patients with any grade, grade >= 3, serious and related events by
system organ class and preferred term, by arm (and cycle); treatment-emergent flags; worst grade per
patient; exposure-adjusted rates.

Input tables (columns):

* AE: ``USUBJID``, ``AEBODSYS`` (system organ class), ``AEDECOD`` (preferred term), ``AESTDTC`` (onset, ISO
  8601, possibly partial); optionally ``AETOXGR`` (CTCAE grade 1-5), else ``AESEV`` (MILD, MODERATE, SEVERE,
  LIFE THREATENING, FATAL read as grades 1-5), ``AESER`` (Y/N), ``AEREL`` (causality) and a cycle column;
* ADSL or DM (optional): ``USUBJID`` and the grouping column (``ARM``); gives the denominators;
* EX (optional): ``USUBJID``, ``EXSTDTC``, ``EXENDTC``: the first dose (earliest start), the last (latest
  end, or start when the end is missing) and the exposure (last - first + 1 days).

Rules:

* treatment-emergent (``TRTEMFL``): onset on or after the first dose and at most ``window_days`` (default 30)
  after the last. SDTM records a worsening as a new record from the day it worsened, so the onset rule
  covers "onset or worsening". A partial onset is treatment-emergent when its latest possible day is on
  or after the first dose and its earliest possible day within the window; a missing onset is (the
  conservative reading, as in ADaM ADAE practice). Without EX no flag is derived and every AE counts.
* related: ``AEREL`` in ``related_terms`` (default POSSIBLE, PROBABLE, DEFINITE, RELATED, Y, YES).
* counts are of patients (each patient once per row), events are records; exposure-adjusted rate =
  treatment-emergent events / total exposure in patient-years (365.25 days) of the group (not given when
  the table is split by an AE column such as a cycle, whose exposure EX does not tell).

Everything is vectorised (group-bys on the event table); no loop runs per patient or event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncotrial._frames import check_columns
from oncotrial._results import fit_lines, format_frame, frame_records, to_json_dict
from oncotrial.errors import DataError

__all__ = [
    "AE_COLUMNS",
    "RELATED_TERMS",
    "AeTables",
    "derive_ae_flags",
    "derive_dose_dates",
    "summarise_adverse_events",
]

AE_COLUMNS = ("USUBJID", "AEBODSYS", "AEDECOD", "AESTDTC")
RELATED_TERMS = ("POSSIBLE", "PROBABLE", "DEFINITE", "RELATED", "Y", "YES")
_SEVERITY = {"MILD": 1, "MODERATE": 2, "SEVERE": 3, "LIFE THREATENING": 4, "FATAL": 5}
ANY_EVENT = "ANY ADVERSE EVENT"
NOT_CODED = "(not coded)"  # the class of an event without AEBODSYS, and its term without AEDECOD or AETERM
_COUNTS = ("any", "grade_3_plus", "serious", "related")
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class AeTables:
    """``counts``: one row per group, level (any / soc / term), AEBODSYS and AEDECOD with N (patients in
    the group), the patients with ``any``, ``grade_3_plus``, ``serious`` and ``related`` events, their
    percentages, ``events``, ``exposure_years`` and ``events_per_patient_year``; ``worst``: the worst grade
    per patient and preferred term; ``events``: each AE record counted, with its flags."""

    counts: pd.DataFrame
    worst: pd.DataFrame
    events: pd.DataFrame
    by: tuple[str, ...] = field(default_factory=tuple)
    window_days: int = 30

    def __post_init__(self) -> None:
        for name in ("counts", "worst", "events"):
            object.__setattr__(self, name, getattr(self, name).copy())

    def to_frame(self) -> pd.DataFrame:
        """The counts table (a copy)."""
        return self.counts.copy()

    def to_dict(self) -> dict[str, Any]:
        """``{"by", "window_days", "counts": [...], "worst": [...]}`` (JSON-safe)."""
        return to_json_dict(
            {
                "by": list(self.by),
                "window_days": self.window_days,
                "counts": frame_records(self.counts),
                "worst": frame_records(self.worst),
            }
        )

    def __str__(self) -> str:
        shown = self.counts.loc[self.counts["level"] != "term", [*self.by, "AEBODSYS", "N", *_COUNTS]]
        shown = shown.rename(columns={"grade_3_plus": "gr>=3", "serious": "ser", "related": "rel"})
        head = f"Adverse events: {len(self.events)} record(s) counted; patients by system organ class"
        return f"{fit_lines(head)}\n{format_frame(shown)}"


def _dates(values: pd.Series, *, latest: bool) -> NDArray[np.datetime64]:
    """ISO 8601 dates (the first 10 characters), a partial one (YYYY or YYYY-MM) read as its earliest or
    ``latest`` possible day; missing or unreadable text is NaT."""
    text = values.astype("string").str.slice(0, 10).fillna("")
    full = pd.to_datetime(text.where(text.str.len() == 10), format="%Y-%m-%d", errors="coerce")
    month = pd.to_datetime(text.where(text.str.len() == 7), format="%Y-%m", errors="coerce")
    year = pd.to_datetime(text.where(text.str.len() == 4), format="%Y", errors="coerce")
    if latest:
        month = month + pd.offsets.MonthEnd(0)
        year = year + pd.offsets.YearEnd(0)
    return np.asarray(full.fillna(month).fillna(year).to_numpy(dtype="datetime64[ns]"))


def onset_bounds(values: pd.Series) -> tuple[NDArray[np.datetime64], NDArray[np.datetime64]]:
    """The earliest and latest possible day of each (possibly partial) ISO 8601 date; NaT when missing."""
    return _dates(values, latest=False), _dates(values, latest=True)


def derive_dose_dates(ex: pd.DataFrame) -> pd.DataFrame:
    """Per patient: ``first_dose`` (earliest EXSTDTC), ``last_dose`` (latest EXENDTC, else EXSTDTC) and
    ``exposure_days`` (last - first + 1), from SDTM EX."""
    check_columns(ex, ("USUBJID", "EXSTDTC"), name="EX", code="SAFETY-E010")
    start = _dates(ex["EXSTDTC"], latest=False)
    end = _dates(ex["EXENDTC"], latest=False) if "EXENDTC" in ex.columns else start
    end = np.where(np.isnat(end), start, end)
    dates = pd.DataFrame({"USUBJID": ex["USUBJID"].to_numpy(), "start": start, "end": end})
    per = dates.groupby("USUBJID", sort=True).agg(first_dose=("start", "min"), last_dose=("end", "max"))
    per["exposure_days"] = (per["last_dose"] - per["first_dose"]).dt.days + 1
    return per.reset_index()


def _grades(ae: pd.DataFrame) -> NDArray[np.float64]:
    if "AETOXGR" in ae.columns:
        grade = pd.to_numeric(ae["AETOXGR"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isnan(grade) & ~np.isin(grade, [1, 2, 3, 4, 5])
        if bad.any():
            row = int(np.argmax(bad))
            raise DataError(
                f"AE row {row + 1} (subject {ae['USUBJID'].iloc[row]}): AETOXGR '{ae['AETOXGR'].iloc[row]}' is not "
                "a CTCAE grade. Give a whole grade from 1 to 5.",
                code="SAFETY-E011",
                field="AETOXGR",
                subject_id=str(ae["USUBJID"].iloc[row]),
                rows=(row + 1,),
            )
        return np.asarray(grade, dtype=np.float64)
    if "AESEV" in ae.columns:
        severity = ae["AESEV"].astype("string").str.strip().str.upper()
        return np.asarray(severity.map(_SEVERITY).to_numpy(dtype=float, na_value=np.nan), dtype=np.float64)
    return np.full(len(ae), np.nan)


def _yes(ae: pd.DataFrame, column: str, values: Sequence[str]) -> NDArray[np.bool_]:
    if column not in ae.columns:
        return np.zeros(len(ae), dtype=bool)
    text = ae[column].astype("string").str.strip().str.upper()
    return np.asarray(text.isin([v.upper() for v in values]).fillna(False).to_numpy(dtype=bool), dtype=bool)


def derive_ae_flags(
    ae: pd.DataFrame,
    dose_dates: pd.DataFrame | None = None,
    *,
    window_days: int = 30,
    related_terms: Sequence[str] = RELATED_TERMS,
) -> pd.DataFrame:
    """AE plus ``AGRADE`` (AETOXGR, else AESEV as 1-5), ``SERFL`` and ``RELFL`` (booleans) and, with
    ``dose_dates`` (:func:`derive_dose_dates`), ``TRTEMFL`` (see the module docstring)."""
    check_columns(ae, AE_COLUMNS, name="AE", code="SAFETY-E010")
    if window_days < 0:
        raise DataError(f"The window after the last dose is {window_days} days; give 0 or more.", code="SAFETY-E012")
    out = ae.copy()
    out["AGRADE"] = _grades(ae)
    out["SERFL"] = _yes(ae, "AESER", ("Y", "YES"))
    out["RELFL"] = _yes(ae, "AEREL", related_terms)
    if dose_dates is None:
        return out
    doses = dose_dates.set_index("USUBJID")
    first = ae["USUBJID"].map(doses["first_dose"]).to_numpy(dtype="datetime64[ns]")
    last = ae["USUBJID"].map(doses["last_dose"]).to_numpy(dtype="datetime64[ns]")
    earliest, latest = onset_bounds(ae["AESTDTC"])
    window_end = np.asarray(last + np.timedelta64(window_days, "D"), dtype="datetime64[ns]")
    onset_unknown = np.isnat(earliest)
    dosed = ~np.isnat(first)
    in_window = (latest >= first) & (earliest <= window_end)
    out["TRTEMFL"] = dosed & (onset_unknown | in_window)
    return out


def _patients(events: pd.DataFrame, keys: list[str], condition: pd.Series) -> pd.Series:
    return events[condition].groupby(keys, dropna=False)["USUBJID"].nunique()


def _level(events: pd.DataFrame, by: list[str], level: str) -> pd.DataFrame:
    keys = by + {"any": [], "soc": ["AEBODSYS"], "term": ["AEBODSYS", "AEDECOD"]}[level]
    if not keys:  # no grouping and the overall row: one group
        events = events.assign(_all=True)
        keys = ["_all"]
    conditions = {
        "any": events["USUBJID"].notna(),
        "grade_3_plus": events["AGRADE"] >= 3,
        "serious": events["SERFL"],
        "related": events["RELFL"],
    }
    table = pd.DataFrame({name: _patients(events, keys, cond) for name, cond in conditions.items()})
    table["events"] = events.groupby(keys, dropna=False).size()
    table = table.fillna(0).astype(int).reset_index().drop(columns=["_all"], errors="ignore")
    table.insert(len(by), "level", level)
    if level != "term":
        table["AEDECOD"] = ""
    if level == "any":
        table["AEBODSYS"] = ANY_EVENT
    return table


def _denominators(subjects: pd.DataFrame, dose_dates: pd.DataFrame | None, by: list[str]) -> pd.DataFrame:
    """Patients and exposure (patient-years) per group."""
    if dose_dates is not None:
        subjects = subjects.merge(dose_dates[["USUBJID", "exposure_days"]], on="USUBJID", how="left")
    else:
        subjects = subjects.assign(exposure_days=np.nan)
    keys = by or ["_all"]
    subjects = subjects.assign(_all=True)
    table = subjects.groupby(keys, dropna=False).agg(N=("USUBJID", "nunique"), exposure_days=("exposure_days", "sum"))
    table["exposure_years"] = table["exposure_days"] / DAYS_PER_YEAR
    if dose_dates is None:
        table["exposure_years"] = np.nan
    return table.drop(columns="exposure_days").reset_index().drop(columns=["_all"], errors="ignore")


def summarise_adverse_events(
    ae: pd.DataFrame,
    *,
    adsl: pd.DataFrame | None = None,
    ex: pd.DataFrame | None = None,
    by: Sequence[str] = (),
    window_days: int = 30,
    related_terms: Sequence[str] = RELATED_TERMS,
) -> AeTables:
    """Patients with any, grade >= 3, serious and related AEs by SOC and preferred term, per group.

    ``by`` names ADSL columns (``ARM``) or AE columns (a cycle column) to split by; ADSL gives the
    denominators (else EX's patients, else AE's). With EX only treatment-emergent AEs are counted.

    Raises
    ------
    DataError
        A required column is missing, or a ``by`` column is in neither ADSL nor AE (SAFETY-E010, E013).
    """
    by = list(by)
    dose_dates = derive_dose_dates(ex) if ex is not None else None
    events = derive_ae_flags(ae, dose_dates, window_days=window_days, related_terms=related_terms)
    if dose_dates is not None:
        events = events[events["TRTEMFL"]]
    # an event not coded to MedDRA (entered in oncotrial) is counted under its verbatim term, in a class of its own
    verbatim = events["AETERM"] if "AETERM" in events.columns else pd.Series(NOT_CODED, index=events.index)
    events = events.assign(
        AEBODSYS=events["AEBODSYS"].fillna(NOT_CODED), AEDECOD=events["AEDECOD"].fillna(verbatim.fillna(NOT_CODED))
    )
    subjects = _subjects(ae, adsl, dose_dates, by)
    adsl_by = [c for c in by if c in subjects.columns]
    events = events.merge(subjects[["USUBJID", *adsl_by]].drop_duplicates("USUBJID"), on="USUBJID", how="left")
    counts = pd.concat([_level(events, by, level) for level in ("any", "soc", "term")], ignore_index=True)
    denominators = _denominators(subjects, dose_dates, adsl_by)
    if adsl_by:
        counts = counts.merge(denominators, on=adsl_by, how="left")
    else:
        counts = counts.assign(N=int(denominators["N"].iloc[0]), exposure_years=denominators["exposure_years"].iloc[0])
    if len(adsl_by) < len(by):  # split by an AE column (a cycle): the exposure within it is not known
        counts["exposure_years"] = np.nan
    for name in _COUNTS:
        counts[f"pct_{name}"] = 100 * counts[name] / counts["N"]
    counts["events_per_patient_year"] = counts["events"] / counts["exposure_years"]
    counts = counts.sort_values([*by, "AEBODSYS", "AEDECOD"], kind="stable", key=_any_first).reset_index(drop=True)
    percents = [column for name in _COUNTS for column in (name, f"pct_{name}")]
    order = [*by, "level", "AEBODSYS", "AEDECOD", "N", *percents, "events", "exposure_years", "events_per_patient_year"]
    counts = counts[order]
    worst = (
        events.groupby(["USUBJID", *by, "AEBODSYS", "AEDECOD"], dropna=False)["AGRADE"]
        .max()
        .rename("worst_grade")
        .reset_index()
    )
    return AeTables(counts, worst, events.reset_index(drop=True), tuple(by), window_days)


def _any_first(column: pd.Series) -> pd.Series:
    """Sort key: the overall row first, then the SOC row before its terms ("" first), then alphabetical."""
    if column.name == "AEBODSYS":
        return column.where(column != ANY_EVENT, "")
    return column


def _subjects(
    ae: pd.DataFrame, adsl: pd.DataFrame | None, dose_dates: pd.DataFrame | None, by: list[str]
) -> pd.DataFrame:
    """The patients of the denominators: ADSL's, else EX's, else AE's, with the ``by`` columns ADSL has."""
    if adsl is not None:
        check_columns(adsl, ["USUBJID"], name="ADSL", code="SAFETY-E010")
        missing = [c for c in by if c not in adsl.columns and c not in ae.columns]
        if missing:
            raise DataError(
                f"--by {missing[0]} is a column of neither ADSL nor AE. Name an ADSL column such as ARM, or an AE "
                "column such as a cycle number.",
                code="SAFETY-E013",
                field=missing[0],
            )
        return adsl[["USUBJID", *(c for c in by if c in adsl.columns)]]
    missing = [c for c in by if c not in ae.columns]
    if missing:
        raise DataError(
            f"--by {missing[0]} is not an AE column; give ADSL (--adsl) to split by its columns.",
            code="SAFETY-E013",
            field=missing[0],
        )
    source = dose_dates if dose_dates is not None else ae
    return pd.DataFrame({"USUBJID": source["USUBJID"].drop_duplicates().to_numpy()})
