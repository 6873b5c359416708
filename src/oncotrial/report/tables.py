"""The report's tables: each is a function of :class:`~oncotrial.report.ReportData` that returns a
:class:`ReportTable` (a frame, the method it was computed with, footnotes), or a :class:`~oncotrial.report.Note`
when its data is missing or cannot support it.

No statistics are computed here: every number is a field of an analysis object of the core
(``derive_response_summary``, ``derive_survival_summary``, ``compute_two_stage_inference``,
``summarise_characteristics``, ``summarise_adverse_events``, ``derive_exposure``, ``summarise_nca``, ...), laid
out as rows. A number keeps its full precision in the frame (a rate as the fraction the object holds); the
column's format (``formats``) says how it is shown, so a reader of the HTML finds the object's value in the
cell's ``data-value``.

``TABLES`` lists them in the order the report shows them; the document builder reads only this list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pandas as pd

from oncotrial._frames import check_columns
from oncotrial.errors import DataError
from oncotrial.protocol.models import Protocol, RandomisedDesign
from oncotrial.report.data import ARM_COLUMNS, Note, ReportData

if TYPE_CHECKING:
    from oncotrial.endpoints import ResponseRates, SurvivalSummary

__all__ = ["TABLES", "ReportTable", "TableSpec", "choose_arm_column"]

_CONTINUOUS = ("AGE", "WEIGHTBL", "HEIGHTBL", "BMIBL")
_CATEGORICAL = ("AGEGR1", "SEX", "RACE", "ETHNIC", "ECOG", "ECOGBL", "BECOG", "COUNTRY")
_DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class ReportTable:
    """A table of the report: ``frame`` (numbers at full precision), the ``method`` printed under it, its
    ``footnotes``, and the format spec of each numeric column (``".1%"``, ``".0f"``, ...)."""

    frame: pd.DataFrame
    method: str
    footnotes: tuple[str, ...] = ()
    formats: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "frame", self.frame.copy())
        object.__setattr__(self, "formats", MappingProxyType(dict(self.formats)))


@dataclass(frozen=True)
class TableSpec:
    """One table of the report: a short name (anchor), its caption, and the function building it."""

    name: str
    caption: str
    build: Callable[[ReportData], ReportTable | Note]


def choose_arm_column(adsl: pd.DataFrame) -> str | None:
    """The ADSL column holding the arm (ARM, else TRT01P, ACTARM, TRT01A); None for a single-group table."""
    return next((c for c in ARM_COLUMNS if c in adsl.columns), None)


def _with_arm(table: pd.DataFrame, adsl: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """``table`` with ADSL's arm column (by USUBJID) when it lacks one, and the name of that column."""
    arm = choose_arm_column(adsl)
    if arm is None or arm in table.columns or "USUBJID" not in table.columns:
        return table, arm if arm is None or arm in table.columns else None
    return table.merge(adsl[["USUBJID", arm]].drop_duplicates("USUBJID"), on="USUBJID", how="left"), arm


# --- baseline characteristics and exposure: one layout for a CharacteristicsSummary ------------------------

_STATISTICS = (("n", "n", "d"), ("median", "Median", ".1f"), ("min", "Min", ".1f"), ("max", "Max", ".1f"))


def _characteristics_frame(table: pd.DataFrame, groups: Sequence[str], labels: Mapping[str, str]) -> pd.DataFrame:
    """Rows of (Characteristic, Category, Statistic) with one column per group, from a summary's table."""
    rows: list[dict[str, Any]] = []
    keys = table[["variable", "category"]].drop_duplicates()
    for variable, category in keys.itertuples(index=False):
        part = table[(table["variable"] == variable) & (table["category"] == category)].set_index("group")
        statistics = [("n", "n"), ("percent", "%")] if category else [(s, name) for s, name, _ in _STATISTICS]
        for column, name in statistics:
            values = {g: part[column].get(g) for g in groups}
            rows.append({"Characteristic": labels.get(variable, variable), "Category": category,
                         "Statistic": name, **values})  # fmt: skip
    return pd.DataFrame(rows, columns=["Characteristic", "Category", "Statistic", *groups])


def build_baseline_table(data: ReportData) -> ReportTable | Note:
    """Baseline characteristics by arm: median (range) of continuous ADSL variables, n (%) of categorical ones."""
    from oncotrial.endpoints import summarise_characteristics

    adsl = data.adsl
    continuous = [c for c in _CONTINUOUS if c in adsl.columns]
    categorical = [c for c in _CATEGORICAL if c in adsl.columns]
    if not continuous and not categorical:
        return Note(f"ADSL has none of {', '.join(_CONTINUOUS + _CATEGORICAL)}: no baseline characteristics table.")
    arm = choose_arm_column(adsl)
    summary = summarise_characteristics(adsl, group_col=arm, continuous=continuous, categorical=categorical)
    labels = {"AGE": "Age (years)", "SEX": "Sex", "RACE": "Race", "ECOG": "ECOG performance status",
              "ECOGBL": "ECOG performance status", "BECOG": "ECOG performance status"}  # fmt: skip
    frame = _characteristics_frame(summary.table, summary.groups, labels)
    method = (
        f"ADSL, one row per subject ({len(adsl)}), by {arm or 'trial'}; continuous variables: n, median, min, max; "
        "categorical: n and % of the arm's subjects (missing values counted as 'Missing'). "
        "oncotrial.endpoints.summarise_characteristics."
    )
    # percentages are the summary's (0-100); counts stay whole and medians keep their decimals with "g"
    return ReportTable(frame, method, (), {g: ".4g" for g in summary.groups})


def build_exposure_table(data: ReportData) -> ReportTable | Note:
    """Exposure and dose intensity by treatment and arm, from EX."""
    from oncotrial.dosing import derive_exposure
    from oncotrial.endpoints import summarise_characteristics

    if data.ex is None or data.ex.empty:
        return Note("No exposure records (EX): no dose-intensity table.")
    exposure, arm = _with_arm(derive_exposure(data.ex), data.adsl)
    frames = []
    groups: tuple[str, ...] = ()
    variables = ["doses", "cumulative_dose", "duration_days", "dose_intensity"]
    for treatment, part in exposure.groupby("EXTRT", sort=True):
        summary = summarise_characteristics(part, group_col=arm, continuous=variables)
        unit = str(part["unit"].iloc[0] or "")
        labels = {"doses": "Doses given", "cumulative_dose": f"Cumulative dose ({unit})",
                  "duration_days": "Duration (days)", "dose_intensity": f"Dose intensity ({unit}/week)"}  # fmt: skip
        frame = _characteristics_frame(summary.table, summary.groups, labels)
        frames.append(frame.drop(columns="Category").assign(Treatment=str(treatment)))
        groups = tuple(dict.fromkeys((*groups, *summary.groups)))
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[["Treatment", "Characteristic", "Statistic", *groups]]
    method = (
        "SDTM EX (one record per administration given; held doses have none), per patient and treatment: doses "
        "given (EXDOSE > 0), cumulative dose, duration (last - first dose day + 1) and delivered dose intensity "
        "(cumulative dose per week of that duration; Hryniuk & Bush 1984); n, median, min, max by arm. "
        "oncotrial.dosing.derive_exposure."
    )
    return ReportTable(frame, method, (), {g: ",.7g" for g in groups})


# --- response ------------------------------------------------------------------------------------------------

RESPONSE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "CR": ("CR",),
    "PR": ("PR",),
    "SD": ("SD",),
    "Non-CR/non-PD": ("NON-CR/NON-PD",),
    "PD": ("PD",),
    "NE": ("NE", "MISSING"),
    "ORR (CR + PR)": ("CR", "PR"),
    "DCR (CR + PR + SD + non-CR/non-PD)": ("CR", "PR", "SD", "NON-CR/NON-PD"),
}
_RESPONSE_COLUMNS = ["Arm", "Response", "n", "N", "Estimate", "Lower", "Upper", "p"]


def confirmation_required(protocol: Protocol | None) -> bool:
    """Whether the best response is counted confirmed: as the protocol's primary response endpoint says
    (``confirmation_days``); else not in a randomised trial, where RECIST 1.1 (section 4.6) does not require
    confirmation, and yes otherwise (a single-arm trial with response as its endpoint; or no protocol known)."""
    if protocol is None:
        return True
    for endpoint in protocol.endpoints:
        if endpoint.level == "primary" and endpoint.response is not None and endpoint.response.confirmation_days:
            return True
    return not isinstance(protocol.design, RandomisedDesign)


def response_parameter(adrs: pd.DataFrame, protocol: Protocol | None = None) -> str | None:
    """The ADRS parameter the response counts read: CBOR (confirmed) or BOR, as :func:`confirmation_required`
    decides, falling back to the one ADRS has."""
    codes = set(adrs["PARAMCD"].astype(str)) if "PARAMCD" in adrs.columns else set()
    order = ("CBOR", "BOR") if confirmation_required(protocol) else ("BOR", "CBOR")
    return next((p for p in order if p in codes), None)


def _rate_rows(arm: str, rates: ResponseRates) -> list[dict[str, Any]]:
    return [
        {
            "Arm": arm,
            "Response": name,
            "n": ci.x,
            "N": ci.n,
            "Estimate": ci.estimate,
            "Lower": ci.lower,
            "Upper": ci.upper,
        }
        for name, ci in rates.rates.items()
        if ci.x or name not in ("Non-CR/non-PD",)
    ]


def subject_responses(data: ReportData, param: str) -> tuple[pd.DataFrame, str | None]:
    """The ``param`` records of ADRS, one per subject, with ADSL's arm; every ADSL subject without one is NE."""
    assert data.adrs is not None
    check_columns(data.adrs, ["USUBJID", "PARAMCD", "AVALC"], name="ADRS", code="REPORT-E020")
    check_columns(data.adsl, ["USUBJID"], name="ADSL", code="REPORT-E020")
    records = data.adrs[data.adrs["PARAMCD"].astype(str) == param][["USUBJID", "AVALC"]]
    arm = choose_arm_column(data.adsl)
    subjects = data.adsl[["USUBJID", *([arm] if arm else [])]].drop_duplicates("USUBJID")
    table = subjects.merge(records.drop_duplicates("USUBJID"), on="USUBJID", how="left")
    table["AVALC"] = table["AVALC"].fillna("MISSING")
    return table, arm


def _design_rows(data: ReportData, responses: int, enrolled: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Design-adjusted inference and the two-stage rule's verdict, when the protocol has a full Simon design."""
    from oncotrial.design import compute_two_stage_inference, evaluate_two_stage_interim
    from oncotrial.protocol.models import SimonTwoStageDesign

    design = data.protocol.design if data.protocol is not None else None
    if not isinstance(design, SimonTwoStageDesign):
        return [], []
    r1, n1, r, n, p0 = design.r1, design.n1, design.r, design.n, design.p0
    if r1 is None or n1 is None or r is None or n is None or p0 is None:
        return [], ["The protocol's Simon design lacks r1, n1, r, n or p0: no design-adjusted inference."]
    alpha = design.alpha if design.alpha is not None else 0.05
    verdict = evaluate_two_stage_interim(responses, min(enrolled, n), r1=r1, n1=n1, r=r, n=n)
    inference = compute_two_stage_inference(responses, r1=r1, n1=n1, r=r, n=n, p0=p0, alpha=alpha)
    conf = f"{100 * inference.confidence:g} %"
    rows = [
        {"Arm": "all", "Response": "ORR, UMVUE (Jung & Kim)", "Estimate": inference.umvue},
        {
            "Arm": "all",
            "Response": f"ORR, median-unbiased ({conf} limits, Koyama & Chen)",
            "Estimate": inference.median_unbiased,
            "Lower": inference.lower,
            "Upper": inference.upper,
            "p": inference.p_value,
        },
    ]
    notes = [
        f"Simon two-stage design (stop if <= {r1}/{n1}; promising if > {r}/{n}; p0 = {p0:g}): "
        f"{verdict.status.value}: {verdict.reason}.",
        f"Design-adjusted inference: {inference.method}; p-value against p0 = {p0:g}."
        + (f" {'; '.join(inference.notes)}." if inference.notes else ""),
    ]
    return rows, notes


def build_response_table(data: ReportData) -> ReportTable | Note:
    """CR, PR, SD, PD, NE with ORR and DCR and exact intervals per arm; the comparison of two arms; the Simon
    design's decision and design-adjusted inference when the protocol has one."""
    from oncotrial.endpoints import derive_response_rates, derive_response_summary

    if data.adrs is None or data.adrs.empty:
        return Note("No response data (ADRS): no response table.")
    param = response_parameter(data.adrs, data.protocol)
    if param is None:
        return Note("ADRS has no best overall response (PARAMCD CBOR or BOR): no response table.")
    table, arm = subject_responses(data, param)
    summary = derive_response_summary(table, response_col="AVALC", group_col=arm)
    rows: list[dict[str, Any]] = []
    parts = {str(k): v for k, v in table.groupby(arm, sort=True)} if arm else {"all": table}
    for name, part in parts.items():
        rows += _rate_rows(name, derive_response_rates(part["AVALC"], rates=RESPONSE_CATEGORIES))
    notes = []
    if summary.comparison is not None:
        first, second = summary.arms
        c = summary.comparison
        rows.append({"Arm": f"{first} - {second}", "Response": "ORR difference (Newcombe); Fisher's exact p",
                     "Estimate": c.difference, "Lower": c.lower, "Upper": c.upper, "p": c.fisher_p})  # fmt: skip
    responders = sum(rates.orr.x for rates in summary.arms.values())
    design_rows, design_notes = _design_rows(data, responders, len(table))
    rows += design_rows
    notes += design_notes
    frame = pd.DataFrame(rows, columns=_RESPONSE_COLUMNS)
    confirmed = (
        "confirmed (CBOR)"
        if param == "CBOR"
        else "unconfirmed (BOR; RECIST 1.1 section 4.6: confirmation is not required in a randomised trial)"
        if not confirmation_required(data.protocol)
        else "unconfirmed (BOR: ADRS has no confirmed best response)"
    )
    method = (
        f"Best overall response per RECIST 1.1, {confirmed}, from ADRS; every ADSL subject in the denominator (no "
        "response record: NE). Exact (Clopper–Pearson) 95 % CI; ORR = CR + PR; DCR = CR + PR + SD + non-CR/non-PD. "
        "Two arms: ORR difference with Newcombe's hybrid score interval, Fisher's exact test. "
        "oncotrial.endpoints.derive_response_summary, derive_response_rates."
    )
    formats = {"n": "d", "N": "d", "Estimate": ".1%", "Lower": ".1%", "Upper": ".1%", "p": ".4f"}
    return ReportTable(frame, method, tuple(notes), formats)


# --- time to event -----------------------------------------------------------------------------------------

_TTE_ORDER = ("OS", "PFS", "TTP", "DOR", "DSD")


def _landmarks(data: ReportData) -> tuple[float, ...]:
    """Landmark times in days: the protocol's time-to-event endpoints' landmark years, else 6 and 12 months."""
    years = sorted(
        {y for e in (data.protocol.endpoints if data.protocol else []) if e.kind == "time_to_event"
         for y in e.landmarks_years}
    )  # fmt: skip
    return tuple(y * _DAYS_PER_YEAR for y in years) or (_DAYS_PER_YEAR / 2, _DAYS_PER_YEAR)


def _curve_rows(param: str, summary: SurvivalSummary) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    curves = [*summary.groups.items()] or [("all", summary.overall)]
    landmarks = summary.landmark_frame() if summary.landmarks else pd.DataFrame()
    for name, km in curves:
        head = {"Parameter": param, "Group": name, "N": km.n, "Events": km.events}
        median = km.median
        rows.append({**head, "Statistic": "Median (days)", "Estimate": median.estimate, "Lower": median.lower,
                     "Upper": median.upper})  # fmt: skip
        for at in landmarks[landmarks["group"] == name].to_dict("records"):
            time = float(at["time"])
            rows.append({**head, "Statistic": f"Survival at {time / 30.4375:.0f} months ({time:.0f} days)",
                         "Estimate": at["surv"], "Lower": at["lower"], "Upper": at["upper"]})  # fmt: skip
    if summary.cox is not None:
        cox = summary.cox
        rows.append({"Parameter": param, "Group": cox.covariates[0], "Statistic": "Hazard ratio (Cox)",
                     "Estimate": cox.hr[0], "Lower": cox.lower[0], "Upper": cox.upper[0], "p": cox.p[0]})  # fmt: skip
    if summary.logrank is not None:
        rows.append({"Parameter": param, "Group": "", "Statistic": "Log-rank test", "p": summary.logrank.p})
    return rows


def build_time_to_event_table(data: ReportData) -> ReportTable | Note:
    """Per ADTTE parameter and arm: events, median with its CI, landmark survival; hazard ratio and log-rank."""
    from oncotrial.endpoints import derive_survival_summary

    if data.adtte is None or data.adtte.empty or "PARAMCD" not in data.adtte.columns:
        return Note("No time-to-event data (ADTTE with PARAMCD): no time-to-event table.")
    present = list(dict.fromkeys(data.adtte["PARAMCD"].astype(str)))
    params = [p for p in _TTE_ORDER if p in present] + [p for p in present if p not in _TTE_ORDER]
    adtte, arm = _with_arm(data.adtte, data.adsl)
    landmarks = _landmarks(data)
    rows: list[dict[str, Any]] = []
    for param in params:
        summary = derive_survival_summary(adtte, param=param, group_col=arm, landmarks=landmarks)
        rows += _curve_rows(param, summary)
    frame = pd.DataFrame(rows, columns=["Parameter", "Group", "N", "Events", "Statistic", "Estimate", "Lower",
                                        "Upper", "p"])  # fmt: skip
    method = (
        "ADTTE (AVAL in days, CNSR 1 = censored). Kaplan–Meier; median with Brookmeyer–Crowley 95 % CI on the log "
        "scale (R survfit conf.type = 'log'); landmark survival with log 95 % CI; two arms: Cox hazard ratio "
        "(Efron ties, first arm in sorted order the reference) and log-rank test. "
        "oncotrial.endpoints.derive_survival_summary."
    )
    formats = {"N": "d", "Events": "d", "Estimate": ",.4g", "Lower": ",.4g", "Upper": ",.4g", "p": ".4f"}
    return ReportTable(frame, method, ("Empty median limits: not reached.",), formats)


# --- adverse events ----------------------------------------------------------------------------------------


def build_adverse_event_table(data: ReportData) -> ReportTable | Note:
    """Patients by worst CTCAE grade per arm, system organ class and preferred term."""
    from oncotrial.safety import derive_worst_grade_counts, summarise_adverse_events

    if data.adae is None or data.adae.empty:
        return Note("No adverse-event data (ADAE): no adverse-event table.")
    adae = data.adae
    if "AETOXGR" not in adae.columns and "ATOXGR" in adae.columns:
        adae = adae.assign(AETOXGR=adae["ATOXGR"])
    if "TRTEMFL" in adae.columns:
        adae = adae[adae["TRTEMFL"].astype("string").str.upper() == "Y"]
    arm = choose_arm_column(data.adsl)
    tables = summarise_adverse_events(adae, adsl=data.adsl, by=[arm] if arm else [])
    counts = derive_worst_grade_counts(tables)
    names = {f"grade_{g}": f"Grade {g}" for g in range(1, 6)} | {"grade_missing": "Grade unknown", "any": "Any grade"}
    frame = counts.rename(columns={arm or "": "Arm", "AEBODSYS": "System organ class", "AEDECOD": "Preferred term",
                                   **names})  # fmt: skip
    if "Grade unknown" in frame.columns and not frame["Grade unknown"].any():
        frame = frame.drop(columns="Grade unknown")
    method = (
        "Patients by their worst CTCAE grade of each preferred term (ANY ADVERSE EVENT: worst grade over all "
        "events); N = the arm's patients in ADSL. "
        + ("Treatment-emergent events (TRTEMFL = Y). " if "TRTEMFL" in data.adae.columns else "")
        + "oncotrial.safety.summarise_adverse_events, derive_worst_grade_counts."
    )
    formats = {c: "d" for c in (*names.values(), "N")}
    return ReportTable(frame, method, (), formats)


# --- PK ----------------------------------------------------------------------------------------------------


def build_pk_table(data: ReportData) -> ReportTable | Note:
    """NCA parameters (Cmax, tmax, AUC, half-life, ...) summarised per analyte."""
    from oncotrial.pk import derive_nca, derive_pk_profiles, summarise_nca
    from oncotrial.pk.cdisc import PC_COLUMNS

    if data.adpc is None or data.adpc.empty:
        return Note("No PK concentrations (PC/ADPC): no PK summary table.")
    missing = [c for c in PC_COLUMNS if c not in data.adpc.columns]
    if missing:
        return Note(f"The PK concentrations lack {', '.join(missing)} (SDTM PC columns): no PK summary table.")
    if data.ex is None or data.ex.empty:
        return Note("No exposure records (EX) to give the PK doses: no PK summary table.")
    profiles = derive_pk_profiles(data.adpc, data.ex)
    nca = derive_nca(profiles, subject_col="USUBJID", time_col="time", conc_col="conc", dose_col="dose",
                     group_cols=("PCTESTCD",))  # fmt: skip
    summary = summarise_nca(nca)
    frame = summary.to_frame().rename(columns={"PCTESTCD": "Analyte"})
    method = (
        "Non-compartmental analysis of each subject's first-dose plasma profile (nominal times; BLQ as 0, PKNCA's "
        "rules; AUC linear-up/log-down), then n, mean, SD, geometric mean and CV %, median, min, max per "
        "parameter. oncotrial.pk.derive_pk_profiles, derive_nca, summarise_nca."
    )
    formats = {"n": "d"} | {c: ".4g" for c in ("mean", "sd", "geomean", "geocv", "median", "min", "max")}
    return ReportTable(frame, method, (), formats)


def _guarded(build: Callable[[ReportData], ReportTable | Note], caption: str) -> Callable[[ReportData], Any]:
    """A table whose data the core refuses (a DataError) becomes a note with the core's message."""

    def safe(data: ReportData) -> ReportTable | Note:
        try:
            return build(data)
        except DataError as exc:
            return Note(f"{caption}: not built, the data were refused: {exc.message}")

    safe.__doc__ = build.__doc__
    return safe


_SPECS = (
    ("baseline", "Baseline characteristics by arm", build_baseline_table),
    ("response", "Best overall response, ORR and DCR", build_response_table),
    ("time-to-event", "Time to event: medians, landmark survival, hazard ratio", build_time_to_event_table),
    ("adverse-events", "Adverse events by worst grade", build_adverse_event_table),
    ("dose-intensity", "Exposure and dose intensity", build_exposure_table),
    ("pk", "Pharmacokinetics: NCA summary", build_pk_table),
)

TABLES: tuple[TableSpec, ...] = tuple(TableSpec(n, c, _guarded(b, c)) for n, c, b in _SPECS)
