"""The RECIST 1.1 overall-response table, loaded from ``rules/recist11_overall_response.csv``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncotrial.errors import RuleTableError

__all__ = [
    "NEW_LESION_CODES",
    "NON_TARGET_CODES",
    "OVERALL_CODES",
    "TARGET_CODES",
    "OverallResponseTable",
    "load_overall_response_table",
]

TARGET_CODES = ("CR", "PR", "SD", "PD", "NE", "NA")
NON_TARGET_CODES = ("CR", "NON-CR/NON-PD", "NE", "PD", "NA")
NEW_LESION_CODES = ("NO", "YES")
OVERALL_CODES = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")


@dataclass(frozen=True)
class OverallResponseTable:
    """The rule table as a lookup array ``[target, non_target, new] -> row`` plus the rows themselves."""

    rows: pd.DataFrame
    lookup: NDArray[np.int64]  # row position, -1 for a combination the table lacks
    version: str

    def evaluate(
        self, target: NDArray[np.int64], non_target: NDArray[np.int64], new: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Overall response codes (into OVERALL_CODES) and rule rows for coded inputs."""
        row = self.lookup[target, non_target, new]
        overall = self.rows["overall_code"].to_numpy()[row]
        return overall, row


def _code(values: pd.Series, codes: tuple[str, ...], column: str) -> NDArray[np.int64]:
    index = pd.Index(codes).get_indexer(pd.Index(values))
    if (index < 0).any():
        bad = sorted(set(values[index < 0]))
        raise RuleTableError(
            f"The RECIST rule table has {column} value(s) {bad}; allowed: {list(codes)}.",
            code="RECIST-E900",
            field=column,
        )
    return np.asarray(index, dtype=np.int64)


@lru_cache(maxsize=1)
def load_overall_response_table() -> OverallResponseTable:
    """Load and check the packaged RECIST 1.1 table (every combination once, known values only)."""
    with files("oncotrial.recist").joinpath("rules/recist11_overall_response.csv").open(encoding="utf-8") as f:
        rows = pd.read_csv(f, dtype=str, keep_default_na=False)
    t = _code(rows["target"], TARGET_CODES, "target")
    nt = _code(rows["non_target"], NON_TARGET_CODES, "non_target")
    new = _code(rows["new_lesions"], NEW_LESION_CODES, "new_lesions")
    rows["overall_code"] = _code(rows["overall"], OVERALL_CODES, "overall")
    lookup = np.full((len(TARGET_CODES), len(NON_TARGET_CODES), len(NEW_LESION_CODES)), -1, dtype=np.int64)
    if pd.DataFrame({"t": t, "nt": nt, "new": new}).duplicated().any():
        raise RuleTableError("The RECIST rule table lists a combination twice.", code="RECIST-E901")
    lookup[t, nt, new] = np.arange(len(rows))
    versions = rows["version"].unique()
    return OverallResponseTable(rows, lookup, str(versions[0]) if len(versions) == 1 else ",".join(versions))
