"""The RECIST 1.1 rule tables: the overall response (``rules/recist11_overall_response.csv``) and the
baseline thresholds (``rules/recist11_baseline.csv``), each loaded once (see ``rules/PROVENANCE.md``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from importlib.resources import files
from types import MappingProxyType

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oncotrial.errors import RuleTableError

__all__ = [
    "BASELINE_RULE_IDS",
    "NEW_LESION_CODES",
    "NON_TARGET_CODES",
    "OVERALL_CODES",
    "TARGET_CODES",
    "BaselineRules",
    "NewLesions",
    "NonTargetResponse",
    "OverallResponse",
    "OverallResponseCodes",
    "OverallResponseTable",
    "TargetResponse",
    "load_baseline_rules",
    "load_overall_response_table",
]


class _Coded(IntEnum):
    """A response category; its value is its position in the coded arrays, ``label`` its RECIST text."""

    @property
    def label(self) -> str:
        return self.name.replace("NON_CR_NON_PD", "NON-CR/NON-PD")

    @classmethod
    def labels(cls) -> tuple[str, ...]:
        return tuple(member.label for member in cls)


class TargetResponse(_Coded):
    """Target-lesion response at a time point (RECIST 1.1 section 4.3.1); NA: no target disease."""

    CR = 0
    PR = 1
    SD = 2
    PD = 3
    NE = 4
    NA = 5


class NonTargetResponse(_Coded):
    """Non-target response at a time point (RECIST 1.1 section 4.3.3); NA: no non-target disease."""

    CR = 0
    NON_CR_NON_PD = 1
    NE = 2
    PD = 3
    NA = 4


class NewLesions(_Coded):
    """Whether an unequivocal new lesion is seen at a time point (RECIST 1.1 section 4.3.2)."""

    NO = 0
    YES = 1


class OverallResponse(_Coded):
    """Time-point overall response (RECIST 1.1 section 4.3.4, Tables 1 and 2), as admiralonco reads it."""

    CR = 0
    PR = 1
    SD = 2
    NON_CR_NON_PD = 3
    PD = 4
    NE = 5


TARGET_CODES = TargetResponse.labels()
NON_TARGET_CODES = NonTargetResponse.labels()
NEW_LESION_CODES = NewLesions.labels()
OVERALL_CODES = OverallResponse.labels()


@dataclass(frozen=True)
class OverallResponseTable:
    """The rule table as a lookup array ``[target, non_target, new] -> row`` plus the rows themselves."""

    rows: pd.DataFrame
    lookup: NDArray[np.int64]  # row position, -1 for a combination the table lacks
    version: str

    def evaluate(
        self, target: NDArray[np.int64], non_target: NDArray[np.int64], new: NDArray[np.int64]
    ) -> OverallResponseCodes:
        """Overall response codes and rule rows for coded inputs (TargetResponse, NonTargetResponse, NewLesions)."""
        row = self.lookup[target, non_target, new]
        overall = self.rows["overall_code"].to_numpy()[row]
        return OverallResponseCodes(_read_only(overall), _read_only(row), tuple(self.rows["rule_id"]))


def _read_only(values: NDArray[np.int64]) -> NDArray[np.int64]:
    frozen = np.array(values, dtype=np.int64)
    frozen.flags.writeable = False
    return frozen


@dataclass(frozen=True)
class OverallResponseCodes:
    """Time-point overall responses looked up in the rule table: one code and one rule row per time point."""

    overall: NDArray[np.int64]  # OverallResponse values (read-only)
    rule_row: NDArray[np.int64]  # row of the rule table (read-only)
    rule_ids: tuple[str, ...]  # the table's rule ids, by row

    def to_frame(self) -> pd.DataFrame:
        """One row per time point: OVERALL (its RECIST text) and RULE_ID."""
        return pd.DataFrame(
            {
                "OVERALL": [OverallResponse(int(code)).label for code in self.overall],
                "RULE_ID": [self.rule_ids[int(row)] for row in self.rule_row],
            }
        )

    def to_dict(self) -> dict[str, list[str]]:
        frame = self.to_frame()
        return {"overall": frame["OVERALL"].tolist(), "rule_id": frame["RULE_ID"].tolist()}

    def __str__(self) -> str:
        counts = self.to_frame()["OVERALL"].value_counts()
        shown = ", ".join(f"{label} {int(counts[label])}" for label in OVERALL_CODES if label in counts.index)
        return f"{len(self.overall)} time points: {shown or 'none'}"


def _read_rules(name: str) -> pd.DataFrame:
    with files("oncotrial.recist").joinpath(f"rules/{name}").open(encoding="utf-8") as f:
        return pd.read_csv(f, dtype=str, keep_default_na=False)


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
    rows = _read_rules("recist11_overall_response.csv")
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


BASELINE_RULE_IDS = ("RECIST-B01", "RECIST-B02", "RECIST-B03", "RECIST-B04", "RECIST-B05", "RECIST-B06", "RECIST-T01")


@dataclass(frozen=True)
class BaselineRules:
    """The RECIST 1.1 baseline thresholds (rows of ``rules/recist11_baseline.csv``), typed."""

    non_nodal_min_mm: float  # RECIST-B01: longest diameter by CT, MRI or calipers
    chest_xray_min_mm: float  # RECIST-B02: longest diameter on chest X-ray
    nodal_min_short_axis_mm: float  # RECIST-B03: short axis of a measurable node
    max_targets: int  # RECIST-B04
    max_targets_per_organ: int  # RECIST-B05 (all lymph nodes are one organ)
    node_normal_below_mm: float  # RECIST-T01: a node below this short axis is normal (target CR)
    messages: Mapping[str, str]  # rule id -> the breach text
    version: str


def _limit(rows: pd.DataFrame, rule_id: str) -> float:
    text = rows.loc[rows["rule_id"] == rule_id, "limit"].iloc[0]
    try:
        return float(text)
    except ValueError:
        raise RuleTableError(
            f"The RECIST baseline rule table gives {rule_id} the limit '{text}', which is not a number.",
            code="RECIST-E902",
            rule_id=rule_id,
        ) from None


@lru_cache(maxsize=1)
def load_baseline_rules() -> BaselineRules:
    """Load and check the packaged baseline thresholds (each rule id exactly once)."""
    rows = _read_rules("recist11_baseline.csv")
    if sorted(rows["rule_id"]) != sorted(BASELINE_RULE_IDS):
        raise RuleTableError(
            f"The RECIST baseline rule table has the rules {sorted(rows['rule_id'])}; it needs "
            f"{list(BASELINE_RULE_IDS)}, each once.",
            code="RECIST-E902",
        )
    return BaselineRules(
        non_nodal_min_mm=_limit(rows, "RECIST-B01"),
        chest_xray_min_mm=_limit(rows, "RECIST-B02"),
        nodal_min_short_axis_mm=_limit(rows, "RECIST-B03"),
        max_targets=int(_limit(rows, "RECIST-B04")),
        max_targets_per_organ=int(_limit(rows, "RECIST-B05")),
        node_normal_below_mm=_limit(rows, "RECIST-T01"),
        messages=MappingProxyType(dict(zip(rows["rule_id"], rows["message"], strict=True))),
        version=",".join(rows["version"].unique()),
    )
