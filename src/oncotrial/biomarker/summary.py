"""Group summaries of biomarker kinetics and the paired comparison of baseline against maximum.

Per group (the cycle, and any other key) and parameter: n, mean, median, and the geometric mean with its
two-sided ``conf_level`` interval, exp(mean(log x) ± t(1 - α/2, n - 1) · sd(log x) / √n) over the
positive values. Paired baseline vs maximum (patients with both, both positive): the Wilcoxon
signed-rank test of max - baseline (``scipy.stats.wilcoxon``, two-sided; exact for small n without ties,
as R's ``wilcox.test(paired = TRUE)``) and the paired t-test on logs (``scipy.stats.ttest_rel`` of
log max and log baseline, two-sided), with the geometric mean fold change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from oncotrial._results import fit_lines, format_frame, frame_records, to_json_dict
from oncotrial.biomarker.kinetics import BiomarkerKinetics
from oncotrial.errors import DataError

__all__ = ["BiomarkerSummary", "summarise_biomarker_kinetics"]

_SUMMARISED = ("baseline", "max", "fold_change", "auc", "time_above")


@dataclass(frozen=True)
class BiomarkerSummary:
    """``summary``: one row per group and parameter (n, mean, median, geo_mean, geo_lower, geo_upper);
    ``paired``: one row per group (n_pairs, wilcoxon_statistic, wilcoxon_p, t_statistic, t_df, t_p,
    geo_mean_fold_change)."""

    summary: pd.DataFrame
    paired: pd.DataFrame
    conf_level: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "summary", self.summary.copy())
        object.__setattr__(self, "paired", self.paired.copy())

    def to_frame(self) -> pd.DataFrame:
        """The summary table (a copy)."""
        return self.summary.copy()

    def to_dict(self) -> dict[str, Any]:
        """``{"conf_level", "summary": [...], "paired": [...]}`` (JSON-safe)."""
        return to_json_dict(
            {
                "conf_level": self.conf_level,
                "summary": frame_records(self.summary),
                "paired": frame_records(self.paired),
            }
        )

    def __str__(self) -> str:
        numbers = ("mean", "median", "geo_mean", "geo_lower", "geo_upper")
        short = {"n_pairs": "n", "wilcoxon_statistic": "W", "wilcoxon_p": "p(W)", "t_statistic": "t", "t_df": "df"}
        paired = self.paired.rename(columns={**short, "t_p": "p(t)", "geo_mean_fold_change": "GM fold"})
        return "\n\n".join(
            [
                fit_lines(f"Biomarker summary (geometric mean with {100 * self.conf_level:g} % CI)"),
                format_frame(self.summary, formats=dict.fromkeys(numbers, ".4g")),
                fit_lines("Baseline vs maximum: Wilcoxon signed-rank, paired t on logs"),
                format_frame(paired, formats=dict.fromkeys(("p(W)", "t", "p(t)", "GM fold"), ".4g")),
            ]
        )


def _describe(values: pd.Series, conf_level: float) -> dict[str, float]:
    x = values.dropna().to_numpy(dtype=float)
    logs = np.log(x[x > 0])
    out = {"n": float(len(x)), "mean": np.nan, "median": np.nan, "geo_mean": np.nan, "geo_lower": np.nan}
    out["geo_upper"] = np.nan
    if len(x):
        out["mean"], out["median"] = float(x.mean()), float(np.median(x))
    if len(logs):
        out["geo_mean"] = float(np.exp(logs.mean()))
    if len(logs) > 1:
        half = stats.t.ppf(0.5 + conf_level / 2, len(logs) - 1) * logs.std(ddof=1) / np.sqrt(len(logs))
        out["geo_lower"], out["geo_upper"] = float(np.exp(logs.mean() - half)), float(np.exp(logs.mean() + half))
    return out


def _paired(group: pd.DataFrame) -> dict[str, float]:
    both = group[(group["baseline"] > 0) & (group["max"] > 0)]
    base, peak = both["baseline"].to_numpy(dtype=float), both["max"].to_numpy(dtype=float)
    out = {"n_pairs": float(len(both)), "wilcoxon_statistic": np.nan, "wilcoxon_p": np.nan}
    out |= {"t_statistic": np.nan, "t_df": np.nan, "t_p": np.nan, "geo_mean_fold_change": np.nan}
    if len(both) == 0:
        return out
    out["geo_mean_fold_change"] = float(np.exp(np.mean(np.log(peak / base))))
    if len(both) > 1 and np.any(peak != base):
        wilcoxon = stats.wilcoxon(peak, base)
        out["wilcoxon_statistic"], out["wilcoxon_p"] = float(wilcoxon.statistic), float(wilcoxon.pvalue)
        t = stats.ttest_rel(np.log(peak), np.log(base))
        out["t_statistic"], out["t_df"], out["t_p"] = float(t.statistic), float(len(both) - 1), float(t.pvalue)
    return out


def summarise_biomarker_kinetics(
    kinetics: BiomarkerKinetics, *, by: Sequence[str] | None = None, conf_level: float = 0.95
) -> BiomarkerSummary:
    """Group summaries and the paired baseline-versus-maximum tests; ``by`` defaults to the cycle key
    (every key but the subject), so each cycle is summarised on its own."""
    if not 0 < conf_level < 1:
        raise DataError(f"conf_level is {conf_level}; give a level such as 0.95.", code="BIOM-E003", field="conf_level")
    table = kinetics.to_frame()
    keys = list(kinetics.keys[1:] if by is None else by)
    grouped = table.assign(_all="all").groupby(keys or ["_all"], sort=True, dropna=False)
    rows, paired = [], []
    for key, group in grouped:
        label = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=False))
        for name in _SUMMARISED:
            rows.append({**label, "parameter": name, **_describe(group[name], conf_level)})
        paired.append({**label, **_paired(group)})
    summary = pd.DataFrame(rows).astype({"n": int})
    return BiomarkerSummary(summary, pd.DataFrame(paired).astype({"n_pairs": int}), conf_level)
