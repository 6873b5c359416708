"""NCA against PKNCA 0.12.1 (tests/reference/pk/, provenance in tests/reference/README.md).

The reference files hold ``pk.nca()`` results with PKNCA's defaults (half-life points chosen automatically:
best adjusted r² within 1e-4, at least 3 points, tmax excluded; BLQ first keep, middle drop, last keep) for:

* ``nca_theoph_linear.csv`` / ``nca_theoph_lin_up_log_down.csv``: datasets::Theoph, subjects 1-6,
  ``PKNCAconc(conc ~ Time | Subject)``, ``PKNCAdose(Dose ~ 0 | Subject)``, auc.method "linear" and
  "lin up/log down";
* ``nca_pc_linear.csv`` / ``nca_pc_lin_up_log_down.csv``: pharmaverse PC + EX prepared as the reference README
  says (nominal times, pre-dose at 0, ``<BLQ`` as 0, EXDOSE of the first EX record), one subject in three.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncotrial.errors import DataError
from oncotrial.pk import derive_nca, derive_pk_profiles
from tests.conftest import shared_path

METHODS = [
    pytest.param("linear", "linear", id="linear"),
    pytest.param("lin_up_log_down", "lin up/log down", id="lin_up_log_down"),
]
LAMBDA_Z_POINTS = ["lambda.z.time.first", "lambda.z.time.last", "lambda.z.n.points"]


def _theoph() -> pd.DataFrame:
    return pd.read_csv(shared_path("pk", "theoph.csv"))


def _pharmaverse_profiles() -> pd.DataFrame:
    pc = pd.read_csv(shared_path("pharmaverse", "sdtm", "pc.csv"))
    ex = pd.read_csv(shared_path("pharmaverse", "sdtm", "ex.csv"))
    return derive_pk_profiles(pc, ex, time="nominal")


def _compare(got: pd.DataFrame, reference: pd.DataFrame, key: str) -> int:
    """Every reference parameter equal to 1e-6 relative (λz points exactly); returns the values compared."""
    got = got.set_index("subject").loc[reference[key].astype(str)]
    compared = 0
    for column in reference.columns.drop(key):
        expected = reference[column].to_numpy(dtype=float)
        actual = got[column].to_numpy(dtype=float)
        if column in LAMBDA_Z_POINTS:
            np.testing.assert_array_equal(actual, expected, err_msg=column)
        else:
            np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=0, err_msg=column)
        compared += len(expected)
    return compared


@pytest.mark.parametrize(("name", "method"), METHODS)
def test_nca_of_theoph_matches_pknca(name: str, method: str) -> None:
    """Every parameter of ``nca_theoph_<method>.csv`` (22 parameters x 6 subjects), λz points identical."""
    reference = pd.read_csv(shared_path("pk", f"nca_theoph_{name}.csv"))
    data = _theoph()
    data["Subject"] = data["Subject"].astype(str)
    result = derive_nca(data, auc_method=method)  # type: ignore[arg-type]
    assert _compare(result.to_frame(), reference, "Subject") == 22 * 6


@pytest.mark.parametrize(("name", "method"), METHODS)
def test_nca_of_pharmaverse_pc_ex_matches_pknca(name: str, method: str) -> None:
    """Every parameter of ``nca_pc_<method>.csv`` (23 parameters x 56 subjects, aucall included), λz points identical."""
    reference = pd.read_csv(shared_path("pk", f"nca_pc_{name}.csv"))
    result = derive_nca(
        _pharmaverse_profiles(), subject_col="USUBJID", time_col="time", conc_col="conc", dose_col="dose",
        group_cols=("PCTESTCD",), auc_method=method,  # type: ignore[arg-type]
    )  # fmt: skip
    assert _compare(result.to_frame(), reference, "USUBJID") == 23 * 56


def test_theoph_subject_6_uses_seven_points_for_lambda_z() -> None:
    """PKNCA (nca_theoph_linear.csv) chose 7 points from t = 2.03 h to 23.85 h for subject 6, 3 from 9.05 h
    for subject 1: more points win when their adjusted r² is within 1e-4 of the best."""
    table = derive_nca(_theoph(), auc_method="linear").to_frame().set_index("subject")
    assert table.loc[6, LAMBDA_Z_POINTS].tolist() == [2.03, 23.85, 7]
    assert table.loc[1, LAMBDA_Z_POINTS].tolist() == [9.05, 24.37, 3]


def test_profile_whose_concentrations_do_not_decline_has_no_lambda_z_and_says_why() -> None:
    """Hand-made: a profile still rising at its last sample (tmax = 2 h, the last time) has no point after tmax,
    so no λz, AUCinf, CL or Vz; its AUClast is still computed (linear: 1·(0+2)/2 + 1·(2+4)/2 = 4). A declining
    profile beside it (D) gets its λz."""
    data = pd.DataFrame(
        {"Subject": ["R"] * 3 + ["D"] * 5, "Time": [0, 1, 2, 0, 1, 2, 4, 8], "conc": [0, 2, 4, 0, 8, 4, 2, 1],
         "Dose": 10}
    )  # fmt: skip
    table = derive_nca(data, auc_method="linear").to_frame().set_index("subject")
    rising = table.loc["R"]
    assert rising["lambda.z.exclude.reason"] == "too few points after tmax for lambda.z (0 above 0; at least 3 needed)"
    assert np.isnan(rising[["lambda.z", "half.life", "aucinf.obs", "cl.obs", "vz.obs", "mrt.obs"]].astype(float)).all()
    assert rising["auclast"] == 4.0
    assert table.loc["D", "lambda.z.exclude.reason"] is None
    assert table.loc["D", "lambda.z"] > 0


def test_flat_tail_gives_the_no_decline_reason() -> None:
    """Hand-made: after tmax the concentrations are 4, 4, 4, 4 (no decline): every fit has λz = 0, none > 0."""
    data = pd.DataFrame({"Subject": "F", "Time": [0, 1, 2, 3, 4, 5], "conc": [0, 8, 4, 4, 4, 4], "Dose": 1})
    table = derive_nca(data).to_frame()
    assert table.loc[0, "lambda.z.exclude.reason"] == "no candidate fit has lambda.z > 0 (no decline after tmax)"
    assert np.isnan(table.loc[0, "lambda.z"])


def test_mono_exponential_decline_gives_its_rate_exactly() -> None:
    """Hand-made: c = 16·2^(−t/2) after tmax at t = 1 (8, 4, 2, 1 at t = 2, 4, 6, 8): λz = ln 2 / 2, r² = 1,
    all 4 points after tmax used; half-life 2 h; clast.pred = clast = 1."""
    data = pd.DataFrame({"Subject": "E", "Time": [0, 1, 2, 4, 6, 8], "conc": [0, 10, 8, 4, 2, 1], "Dose": 100})
    row = derive_nca(data).to_frame().iloc[0]
    assert row["lambda.z"] == pytest.approx(np.log(2) / 2, rel=1e-12)
    assert row["half.life"] == pytest.approx(2.0, rel=1e-12)
    assert row["r.squared"] == pytest.approx(1.0, rel=1e-12)
    assert (row["lambda.z.time.first"], row["lambda.z.n.points"]) == (2.0, 4)
    assert row["clast.pred"] == pytest.approx(1.0, rel=1e-12)
    # AUCinf,obs = AUClast + 1/λz; CL/F = 100/AUCinf; AUClast by lin up/log down (by hand):
    # 0-1: 5; 1-2: (10-8)/ln(10/8) = 8.9628; 2-4, 4-6, 6-8: 2·(8-4)/ln 2, 2·(4-2)/ln 2, 2·(2-1)/ln 2
    auclast = 5 + 2 / np.log(10 / 8) + 2 * 7 / np.log(2)
    assert row["auclast"] == pytest.approx(auclast, rel=1e-12)
    assert row["aucinf.obs"] == pytest.approx(auclast + 2 / np.log(2), rel=1e-12)
    assert row["cl.obs"] == pytest.approx(100 / (auclast + 2 / np.log(2)), rel=1e-12)


def test_user_chosen_points_are_fitted_as_they_are() -> None:
    """Hand-made: the user keeps t = 4 and 8 (conc 4 and 1): λz = ln(4/1)/4 = ln 2 / 2; n = 2 (no adjusted r²)."""
    data = pd.DataFrame(
        {"Subject": "U", "Time": [0, 1, 2, 4, 8], "conc": [0, 10, 8, 4, 1], "Dose": 1,
         "hl": ["N", "N", "N", "Y", "Y"]}
    )  # fmt: skip
    row = derive_nca(data, include_col="hl").to_frame().iloc[0]
    assert row["lambda.z"] == pytest.approx(np.log(2) / 2, rel=1e-12)
    assert (row["lambda.z.time.first"], row["lambda.z.time.last"], row["lambda.z.n.points"]) == (4, 8, 2)
    assert np.isnan(row["adj.r.squared"])


def test_percent_extrapolated_above_20_is_flagged() -> None:
    """Theoph subject 1: PKNCA's aucpext.obs is 31.25 % (linear), above 20 %; subject 2's 8.63 % is not."""
    table = derive_nca(_theoph(), auc_method="linear").to_frame().set_index("subject")
    assert bool(table.loc[1, "aucpext.flag"]) is True
    assert bool(table.loc[2, "aucpext.flag"]) is False


def test_dose_normalised_values_divide_by_the_dose() -> None:
    """Theoph subject 1 (dose 4.02 mg/kg): cmax.dn = 10.5 / 4.02 = 2.6119..."""
    table = derive_nca(_theoph()).to_frame().set_index("subject")
    assert table.loc[1, "cmax.dn"] == pytest.approx(10.5 / 4.02, rel=1e-12)
    assert table.loc[1, "auclast.dn"] == pytest.approx(147.234748537004 / 4.02, rel=1e-9)


def test_profiles_are_kept_apart_by_analyte_and_period() -> None:
    """Two periods of one subject give two rows, each with its own Cmax (by hand: 4 and 8)."""
    data = pd.DataFrame(
        {"Subject": "S", "period": [1, 1, 1, 2, 2, 2], "Time": [0, 1, 2] * 2, "conc": [0, 4, 2, 0, 8, 4], "Dose": 1}
    )
    table = derive_nca(data, group_cols=("period",)).to_frame()
    assert table[["period", "subject", "cmax"]].values.tolist() == [[1, "S", 4.0], [2, "S", 8.0]]


def test_first_sample_after_time_zero_leaves_the_aucs_missing_with_the_reason() -> None:
    """PKNCA refuses an AUC interval starting (0) before the first measurement (here 0.5 h)."""
    data = pd.DataFrame({"Subject": "L", "Time": [0.5, 1, 2, 4], "conc": [1, 4, 2, 1], "Dose": 1})
    row = derive_nca(data).to_frame().iloc[0]
    assert np.isnan(row["auclast"])
    assert "no sample at time 0" in row["auc.exclude.reason"]
    assert row["cmax"] == 4


@pytest.mark.parametrize(
    ("change", "code", "match"),
    [
        pytest.param({"Time": [0, -1, 2]}, "PK-E004", r"Row 2 \(subject A\): Time is -1, below 0", id="negative_time"),
        pytest.param({"conc": ["1", "x", "2"]}, "PK-E002", r"Row 2 \(subject A\): conc 'x' is not a number",
                     id="non_numeric_conc"),
        pytest.param({"Time": [0, 1, 1]}, "PK-E005", r"Rows 2 and 3 \(subject A\): two samples at Time 1",
                     id="duplicate_time"),
        pytest.param({"conc": [0, -2, 1]}, "PK-E004", r"conc is -2, below 0", id="negative_conc"),
        pytest.param({"Dose": [1, 2, 1]}, "PK-E006", r"Subject A: Dose differs", id="dose_varies"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_row_subject_and_field(
    change: dict[str, list[object]], code: str, match: str
) -> None:
    data = pd.DataFrame({"Subject": "A", "Time": [0, 1, 2], "conc": [0, 2, 1], "Dose": 1}).assign(**change)
    with pytest.raises(DataError, match=match) as caught:
        derive_nca(data)
    assert caught.value.code == code


def test_missing_column_is_named() -> None:
    data = pd.DataFrame({"Subject": "A", "Time": [0, 1], "Dose": 1})
    with pytest.raises(DataError, match="lacks the column") as caught:
        derive_nca(data)
    assert (caught.value.code, caught.value.field) == ("PK-E001", "conc")


def test_unknown_auc_method_is_refused() -> None:
    data = pd.DataFrame({"Subject": "A", "Time": [0, 1], "conc": [0, 1], "Dose": 1})
    with pytest.raises(DataError, match="'log' is not known") as caught:
        derive_nca(data, auc_method="log")  # type: ignore[arg-type]
    assert caught.value.code == "PK-E008"


def test_a_missing_concentration_is_left_out() -> None:
    """PKNCA's conc.na = "drop": the empty value at 4 h is skipped, so 2-6 h is one trapezoid.
    By hand (linear): 1·(0+10)/2 + 1·(10+8)/2 + 4·(8+2)/2 = 5 + 9 + 20 = 34."""
    data = pd.DataFrame({"Subject": "N", "Time": [0, 1, 2, 4, 6], "conc": ["0", "10", "8", "NA", "2"], "Dose": 1})
    row = derive_nca(data, auc_method="linear").to_frame().iloc[0]
    assert row["auclast"] == 34.0
