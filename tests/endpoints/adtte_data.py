"""One subject's ADSL and ADRS, written by hand, for the ADTTE tests of the core and of the command line."""

from __future__ import annotations

import pandas as pd


def adsl_of_one(**columns: list[str]) -> pd.DataFrame:
    """Subject S randomised 2024-01-01, no death, alive on 2024-12-31; ``columns`` replace or add columns."""
    base: dict[str, list[str]] = {"USUBJID": ["S"], "RANDDT": ["2024-01-01"], "DTHDT": [""], "LSTALVDT": ["2024-12-31"]}
    return pd.DataFrame({**base, **columns})


def adrs_of_one(rows: list[tuple[str, str, str]] | None = None) -> pd.DataFrame:
    """Records (PARAMCD, AVALC, ADT) of subject S; by default one SD assessment on 2024-02-12."""
    rows = rows if rows is not None else [("OVR", "SD", "2024-02-12"), ("BOR", "SD", "2024-02-12")]
    return pd.DataFrame(
        [{"USUBJID": "S", "PARAMCD": p, "AVALC": v, "ADT": d, "ANL01FL": "Y"} for p, v, d in rows],
        columns=["USUBJID", "PARAMCD", "AVALC", "ADT", "ANL01FL"],
    )
