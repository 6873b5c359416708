"""Every safety result has the one shape (tests/result_shape.py): frozen, to_frame(), JSON-safe to_dict(), str()."""

from __future__ import annotations

import pandas as pd

from oncotrial.protocol import DoseLimitingToxicity
from oncotrial.safety import derive_lab_grades, evaluate_dlt, summarise_adverse_events
from tests.conftest import shared_path
from tests.result_shape import assert_result_shape


def test_lab_grades_have_the_one_shape() -> None:
    """A missing grade (ATOXGRH of a hypoalbuminaemia-only test) is None in to_dict()."""
    lb = pd.read_csv(shared_path("pharmaverse", "sdtm", "lb.csv.gz")).head(200)
    result = derive_lab_grades(lb)
    assert_result_shape(result)
    albumin = next(r for r in result.to_dict()["records"] if r["LBTESTCD"] == "ALB")
    assert albumin["ATOXGRH"] is None
    assert albumin["ATOXDSCL"] == "Hypoalbuminemia"


def test_ae_tables_have_the_one_shape() -> None:
    ae = pd.read_csv(shared_path("pharmaverse", "sdtm", "ae.csv"))
    dm = pd.read_csv(shared_path("pharmaverse", "sdtm", "dm.csv"))
    assert_result_shape(summarise_adverse_events(ae, adsl=dm, by=["ARM"]))


def test_dlt_evaluation_has_the_one_shape() -> None:
    ae = pd.DataFrame(
        {"USUBJID": ["P1"], "AEBODSYS": ["SOC"], "AEDECOD": ["FEVER"], "AESTDTC": ["2024-01-03"], "AETOXGR": [4]}
    )
    doses = pd.DataFrame({"USUBJID": ["P1", "P2"], "first_dose": ["2024-01-01", "2024-01-01"]})
    result = evaluate_dlt(ae, doses, DoseLimitingToxicity(window_days=28))
    assert_result_shape(result)
    assert result.to_dict()["rate"]["x"] == 1
