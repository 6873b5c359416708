"""ADSL from SDTM by admiral's template rules (:func:`oncotrial.store.cdisc.adsl.derive_adsl`), against
pharmaverse's ADSL: no database."""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.io import read_table
from oncotrial.store.cdisc.adsl import derive_adsl
from tests.store.cdisc.conftest import REFERENCE, SDTM, read_sdtm


def _adsl() -> pd.DataFrame:
    tables = {name: read_sdtm(SDTM, name) for name in ("DM", "DS", "EX", "AE", "LB")}
    return derive_adsl(tables["DM"], tables["DS"], tables["EX"], tables["AE"], tables["LB"])


@pytest.mark.parametrize("column", ["RANDDT", "TRTSDT", "TRTEDT", "DTHDT", "LSTALVDT", "TRT01P", "TRT01A"])
def test_adsl_dates_match_pharmaverse_adsl(column: str) -> None:
    """Expected: tests/reference/pharmaverse/adam/adsl.csv (pharmaverseadam's ADSL, made by admiral's ADSL
    template from the same SDTM; provenance in tests/reference/README.md), column by column for all 306
    subjects, empty where pharmaverse's is empty."""
    ours = _adsl().set_index("USUBJID")[column].astype("string").replace("", pd.NA)
    reference = read_table(REFERENCE / "adam" / "adsl.csv", name="ADSL", text=True).set_index("USUBJID")[column]
    reference = reference.astype("string").replace("", pd.NA)
    assert len(ours) == len(reference) == 306
    pd.testing.assert_series_equal(ours.reindex(reference.index), reference, check_names=False)


def test_adsl_takes_the_first_complete_dose_date_of_a_valid_dose() -> None:
    """Worked by hand: doses of 0 mg count only for a placebo (admiral's template); the first complete
    EXSTDTC of a counted dose is TRTSDT, the last EXENDTC TRTEDT; LSTALVDT is the latest of AE onset
    (a partial 2020-03 is 2020-03-01), AE end, lab date and TRTEDT; RANDDT is DS's RANDOMIZED date."""
    dm = pd.DataFrame(
        {"STUDYID": ["S"] * 2, "USUBJID": ["A", "B"], "ARM": ["Drug", "Placebo"], "DTHDTC": ["2020-05", None]}
    )
    ds = pd.DataFrame(
        {"USUBJID": ["A", "B"], "DSDECOD": ["RANDOMIZED", "COMPLETED"], "DSSTDTC": ["2020-01-02", "2020-02-01"]}
    )
    ex = pd.DataFrame(
        {
            "USUBJID": ["A", "A", "B"],
            "EXTRT": ["DRUG", "DRUG", "PLACEBO"],
            "EXDOSE": ["0", "10", "0"],
            "EXSTDTC": ["2020-01-03", "2020-01-05", "2020-02-03"],
            "EXENDTC": ["2020-01-04", "2020-01-20", "2020-02-10"],
        }
    )
    ae = pd.DataFrame({"USUBJID": ["A"], "AESTDTC": ["2020-03"], "AEENDTC": [None]})
    lb = pd.DataFrame({"USUBJID": ["B"], "LBDTC": ["2020-02-12T08:00"]})
    adsl = derive_adsl(dm, ds, ex, ae, lb).set_index("USUBJID")
    assert adsl.loc["A", ["RANDDT", "TRTSDT", "TRTEDT", "LSTALVDT", "DTHDT"]].tolist() == [
        "2020-01-02",
        "2020-01-05",
        "2020-01-20",
        "2020-03-01",
        "2020-05-01",
    ]
    assert adsl.loc["B", ["TRTSDT", "TRTEDT", "LSTALVDT"]].tolist() == ["2020-02-03", "2020-02-10", "2020-02-12"]
    assert pd.isna(adsl.loc["B", "RANDDT"])
