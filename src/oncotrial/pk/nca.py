"""Non-compartmental analysis (NCA) of single-dose profiles, equal to PKNCA's ``pk.nca()``.

Input: one row per sample (columns in :mod:`oncotrial.pk.profiles`); a profile is a subject, or a subject
within ``group_cols`` (analyte, period). Output: one row per profile with PKNCA's parameter names:

* ``cmax``, ``tmax`` (first time of Cmax), ``tlast``, ``clast.obs`` (last concentration above 0), from the
  samples as given (missing concentrations left out);
* ``auclast``, ``aucall``, ``aumclast``: ``auc_method`` "linear" or "lin up/log down" (PKNCA's default),
  from the samples after the BLQ rules (:mod:`oncotrial.pk.blq`; see :mod:`oncotrial.pk.auc`);
* ``lambda.z``, ``r.squared``, ``adj.r.squared``, ``lambda.z.time.first``, ``lambda.z.time.last``,
  ``lambda.z.n.points``, ``clast.pred``, ``half.life``, ``span.ratio``, and ``lambda.z.exclude.reason``
  when λz cannot be estimated (:mod:`oncotrial.pk.half_life`);
* ``aucinf.obs`` = AUClast + Clast,obs/λz, ``aucinf.pred`` (with Clast,pred), ``aumcinf.obs``/``.pred`` =
  AUMClast + Clast·tlast/λz + Clast/λz², ``aucpext.obs``/``.pred`` = 100 (1 − AUClast/AUCinf) with
  ``aucpext.flag`` above ``max_aucpext`` (20 %), ``cl.obs``/``.pred`` = dose/AUCinf, ``vz.obs``/``.pred``
  = dose/(λz AUCinf), ``mrt.obs``/``.pred`` = AUMCinf/AUCinf (the dose at time 0, no infusion);
* ``dose`` and the dose-normalised ``cmax.dn``, ``auclast.dn``, ``aucinf.obs.dn`` (value/dose);
* partial AUCs ``auc.<start>-<end>`` for each interval asked for (:func:`oncotrial.pk.auc.compute_partial_auc`);
* ``auc.exclude.reason`` when the AUCs cannot be computed (one sample, no sample at time 0).

CL and Vz are CL/F and Vz/F for an extravascular dose (PKNCA's ``cl.obs``, ``vz.obs``).

References
----------
Denney W, Duvvuri S, Buckeridge C. Simple, automatic noncompartmental analysis: the PKNCA R package.
J Pharmacokinet Pharmacodyn 2015;42(1):11-107, S65. PKNCA 0.12.1, ``pk.nca``; Gabrielsson J, Weiner D,
Pharmacokinetic & Pharmacodynamic Data Analysis, 4th ed., 2000, chapter 2.8.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncotrial._frames import read_flags
from oncotrial._results import fit_lines, format_frame, frame_records, to_json_dict
from oncotrial.errors import DataError
from oncotrial.pk.auc import AucMethod, compute_areas, compute_partial_auc
from oncotrial.pk.blq import BlqRules, BlqRulesByTmax, apply_blq_rules, compute_first_last_positive, compute_tmax
from oncotrial.pk.half_life import compute_half_life
from oncotrial.pk.profiles import Profiles, build_profiles

__all__ = ["AUC_METHODS", "NCA_PARAMETERS", "NcaResult", "derive_nca"]

AUC_METHODS: tuple[AucMethod, ...] = ("linear", "lin up/log down")

NCA_PARAMETERS = (
    "cmax", "tmax", "tlast", "clast.obs", "auclast", "aucall", "aumclast",
    "lambda.z", "r.squared", "adj.r.squared", "lambda.z.time.first", "lambda.z.time.last", "lambda.z.n.points",
    "clast.pred", "half.life", "span.ratio", "aucinf.obs", "aucinf.pred", "aumcinf.obs", "aumcinf.pred",
    "aucpext.obs", "aucpext.pred", "cl.obs", "cl.pred", "vz.obs", "vz.pred", "mrt.obs", "mrt.pred",
    "dose", "cmax.dn", "auclast.dn", "aucinf.obs.dn",
)  # fmt: skip
"""The numeric parameters of a result table, in order (PKNCA's names)."""

_SHOWN = ("cmax", "tmax", "auclast", "lambda.z", "half.life", "aucinf.obs", "aucpext.obs")

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class NcaResult:
    """One row per profile: its keys (``subject``, and analyte or period columns) and PKNCA's parameters."""

    table: pd.DataFrame
    keys: tuple[str, ...]
    auc_method: str
    blq: BlqRules | BlqRulesByTmax = field(default_factory=BlqRules)
    max_aucpext: float = 20.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", self.table.copy())

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy): keys, parameters, ``aucpext.flag`` and the two exclusion reasons."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """``{"auc_method", "blq", "profiles": [one dict per profile]}`` (JSON-safe; missing values as None)."""
        blq = self.blq.rules()
        return to_json_dict({"auc_method": self.auc_method, "blq": blq, "profiles": frame_records(self.table)})

    def __str__(self) -> str:
        shown = self.table[[*self.keys, *_SHOWN]]
        flagged = int(self.table["aucpext.flag"].sum())
        no_lz = int(self.table["lambda.z"].isna().sum())
        head = (
            f"NCA of {len(self.table)} profile(s), AUC {self.auc_method}; "
            f"{no_lz} without lambda.z, {flagged} with AUC extrapolated > {self.max_aucpext:g} %"
        )
        return f"{fit_lines(head)}\n{format_frame(shown, formats=dict.fromkeys(_SHOWN, '.4g'))}"


def _check_options(auc_method: str, min_points: int, factor: float, max_aucpext: float) -> None:
    if auc_method not in AUC_METHODS:
        raise DataError(
            f"The AUC method '{auc_method}' is not known; use 'linear' or 'lin up/log down'.",
            code="PK-E008",
            field="auc_method",
        )
    if not (isinstance(min_points, int) and min_points >= 3):
        raise DataError(
            f"min_points is {min_points!r}; lambda.z needs at least 3 points (adjusted R² needs n > 2).",
            code="PK-E008",
            field="min_points",
        )
    if not 0 < factor < 1:
        raise DataError(
            f"adj_r_squared_factor is {factor}; use a small positive tolerance such as 1e-4.",
            code="PK-E008",
            field="adj_r_squared_factor",
        )
    if not max_aucpext > 0:
        raise DataError(f"max_aucpext is {max_aucpext}; give a percentage > 0.", code="PK-E008", field="max_aucpext")


def _observed(p: Profiles) -> dict[str, Floats]:
    """Cmax, first tmax, tlast and Clast,obs from the samples as given."""
    n = p.n_profiles
    cmax, tmax = compute_tmax(p.pid, p.time, p.conc, n)
    _, tlast, at_last = compute_first_last_positive(p.pid, p.time, p.conc, n)
    present = np.bincount(p.pid, minlength=n) > 0
    clast = np.where(at_last >= 0, p.conc[np.maximum(at_last, 0)] if len(p.conc) else np.nan, 0.0)
    clast = np.where(present, clast, np.nan)
    return {"cmax": cmax, "tmax": tmax, "tlast": tlast, "clast.obs": clast}


def _secondary(v: dict[str, Floats], dose: Floats, max_aucpext: float) -> dict[str, Any]:
    """AUCinf, AUMCinf, % extrapolated, CL, Vz, MRT and dose-normalised values from the primary ones."""
    lz, tlast = v["lambda.z"], v["tlast"]
    out: dict[str, Any] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for kind, clast in (("obs", v["clast.obs"]), ("pred", v["clast.pred"])):
            aucinf = v["auclast"] + clast / lz
            aumcinf = v["aumclast"] + clast * tlast / lz + clast / lz**2
            out[f"aucinf.{kind}"] = aucinf
            out[f"aumcinf.{kind}"] = aumcinf
            out[f"aucpext.{kind}"] = np.where(aucinf != 0, 100 * (1 - v["auclast"] / aucinf), np.nan)
            out[f"cl.{kind}"] = dose / aucinf
            out[f"vz.{kind}"] = dose / (lz * aucinf)
            out[f"mrt.{kind}"] = aumcinf / aucinf
        out["dose"] = dose
        out["cmax.dn"] = v["cmax"] / dose
        out["auclast.dn"] = v["auclast"] / dose
        out["aucinf.obs.dn"] = out["aucinf.obs"] / dose
    out["aucpext.flag"] = np.asarray(out["aucpext.obs"] > max_aucpext)
    return out


def _interval_name(start: float, end: float) -> str:
    return f"auc.{start:g}-{end:g}"


def _check_intervals(intervals: Sequence[tuple[float, float]]) -> None:
    for start, end in intervals:
        if not (np.isfinite(start) and np.isfinite(end) and 0 <= start < end):
            raise DataError(
                f"The partial AUC interval ({start:g}, {end:g}) is not valid: give 0 ≤ start < end, both finite "
                "(e.g. 0-12).",
                code="PK-E009",
                field="partial_intervals",
            )


def derive_nca(
    data: pd.DataFrame,
    *,
    subject_col: str = "Subject",
    time_col: str = "Time",
    conc_col: str = "conc",
    dose_col: str | None = "Dose",
    group_cols: Sequence[str] = (),
    include_col: str | None = None,
    auc_method: AucMethod = "lin up/log down",
    blq: BlqRules | BlqRulesByTmax | None = None,
    partial_intervals: Sequence[tuple[float, float]] = (),
    min_points: int = 3,
    adj_r_squared_factor: float = 1e-4,
    max_aucpext: float = 20.0,
) -> NcaResult:
    """NCA of every profile of ``data`` at once, with PKNCA's rules and defaults (see the module docstring).

    ``include_col`` names a yes/no column marking the samples a user chose for λz (a profile with none
    marked gets the automatic choice). ``blq`` defaults to PKNCA's (first keep, middle drop, last keep);
    :class:`~oncotrial.pk.BlqRulesByTmax` places BLQ samples by tmax instead.

    Raises
    ------
    DataError
        A missing column (PK-E001), a value that is not a number (PK-E002), a missing time (PK-E003), a
        negative time, concentration or dose (PK-E004), two samples at one time of a profile (PK-E005), a
        dose that differs within a profile (PK-E006), a bad BLQ rule (PK-E007), option (PK-E008) or
        interval (PK-E009); each names the row, subject and column.
    """
    blq = blq if blq is not None else BlqRules()
    _check_options(auc_method, min_points, adj_r_squared_factor, max_aucpext)
    _check_intervals(partial_intervals)
    extra = [include_col] if include_col else []
    profiles, extras = build_profiles(
        data, subject_col=subject_col, time_col=time_col, conc_col=conc_col, dose_col=dose_col,
        group_cols=group_cols, extra_cols=extra,
    )  # fmt: skip
    n = profiles.n_profiles
    values: dict[str, Any] = _observed(profiles)
    pid, time, conc, kept = apply_blq_rules(profiles.pid, profiles.time, profiles.conc, n, blq)
    areas = compute_areas(pid, time, conc, n, auc_method)
    values.update(auclast=areas.auclast, aucall=areas.aucall, aumclast=areas.aumclast)
    include = _include_flags(extras[include_col], include_col)[kept] if include_col else None
    fit = compute_half_life(
        pid, time, conc, n, tmax=values["tmax"], tlast=values["tlast"], include=include,
        min_points=min_points, adj_r_squared_factor=adj_r_squared_factor,
    )  # fmt: skip
    values.update(fit.columns())
    values.update(_secondary(values, profiles.dose, max_aucpext))
    table = profiles.keys.copy()
    for name in NCA_PARAMETERS:
        table[name] = values[name]
    for start, end in partial_intervals:
        table[_interval_name(start, end)] = compute_partial_auc(pid, time, conc, n, auc_method, start, end)
    table["aucpext.flag"] = values["aucpext.flag"]
    table["lambda.z.exclude.reason"] = pd.Series(fit.reason, dtype=object)
    table["auc.exclude.reason"] = pd.Series(areas.reason, dtype=object)
    keys = (*group_cols, "subject")
    return NcaResult(table, keys, auc_method, blq, max_aucpext)


def _include_flags(values: NDArray[Any], column: str) -> NDArray[np.bool_]:
    return read_flags(pd.Series(values), column=column, name="concentration", code="PK-E002")
