"""Summary statistics of NCA parameters: n, mean, SD, geometric mean, geometric CV %, median, min, max.

Per parameter (and per analyte or period when the result has those columns), over the profiles where the
parameter is not missing. The geometric mean is exp(mean(log x)) and the geometric CV % is
100·sqrt(exp(s²) − 1), s the SD of log x (n − 1 denominator); both are missing when a value is 0 or
below. Computed for all parameters at once with
pandas' grouped reductions.

References
----------
Kirkwood TBL. Geometric means and measures of dispersion. Biometrics 1979;35:908-9 (geometric CV);
PKNCA 0.12.1 ``business.geomean`` and ``business.geocv``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from oncotrial._results import format_frame, frame_records, to_json_dict
from oncotrial.errors import DataError
from oncotrial.pk.nca import NCA_PARAMETERS, NcaResult

__all__ = ["NcaSummary", "summarise_nca"]

STATISTICS = ("n", "mean", "sd", "geomean", "geocv", "median", "min", "max")
_DEFAULT = ("cmax", "tmax", "auclast", "aucinf.obs", "half.life", "cl.obs", "vz.obs", "mrt.obs")


@dataclass(frozen=True)
class NcaSummary:
    """One row per group and parameter with the statistics of :data:`STATISTICS`."""

    table: pd.DataFrame
    groups: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", self.table.copy())

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """``{"groups": [...], "rows": [one dict per group and parameter]}``."""
        return to_json_dict({"groups": list(self.groups), "rows": frame_records(self.table)})

    def __str__(self) -> str:
        shown = self.table[[*self.groups, "parameter", *STATISTICS]]
        formats = {s: ".4g" for s in STATISTICS if s != "n"}
        return "NCA summary\n" + format_frame(shown, formats=formats)


def summarise_nca(result: NcaResult, *, parameters: Sequence[str] = _DEFAULT) -> NcaSummary:
    """Summary statistics of ``parameters`` over the profiles of ``result``, per analyte/period group.

    Raises
    ------
    DataError
        A parameter that is not in the result (PK-E010).
    """
    frame = result.to_frame()
    unknown = [p for p in parameters if p not in frame.columns]
    if unknown:
        raise DataError(
            f"Cannot summarise {', '.join(unknown)}: not an NCA parameter. Choose among {', '.join(NCA_PARAMETERS)}.",
            code="PK-E010",
            field="parameters",
        )
    groups = tuple(k for k in result.keys if k != "subject")
    long = frame.melt(id_vars=list(groups), value_vars=list(parameters), var_name="parameter", value_name="value")
    long["value"] = pd.to_numeric(long["value"], errors="coerce").astype(float)
    long = long.dropna(subset=["value"])
    positive = long["value"] > 0
    long["log"] = np.log(long["value"].where(positive))
    by = [*groups, "parameter"]
    grouped = long.groupby(by, sort=False)
    table = (
        grouped["value"]
        .agg(["count", "mean", "std", "median", "min", "max"])
        .rename(columns={"count": "n", "std": "sd"})
    )
    logs = grouped["log"].agg(["count", "mean", "std"])
    all_positive = grouped["value"].min() > 0
    table["geomean"] = np.exp(logs["mean"]).where(all_positive)
    table["geocv"] = (100 * np.sqrt(np.exp(logs["std"] ** 2) - 1)).where(all_positive)
    table = table.reset_index()
    order = {p: i for i, p in enumerate(parameters)}
    table = table.sort_values([*groups, "parameter"], key=lambda c: c.map(order) if c.name == "parameter" else c)
    columns = [*groups, "parameter", *STATISTICS]
    return NcaSummary(table[columns].reset_index(drop=True), groups)
