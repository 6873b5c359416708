"""``oncotrial safety`` (``oncotrial.cli.safety``), run in-process through ``main(argv)``.

Reference: tests/reference/safety/ctcae_v5_grades_admiral.csv (admiral 1.0.2 ``derive_var_atoxgr_dir()``
on pharmaversesdtm LB; provenance in tests/reference/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cli.helpers import assert_clean_error, run_cli
from tests.conftest import shared_path

LB = str(shared_path("pharmaverse", "sdtm", "lb.csv.gz"))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_safety_grade_writes_admirals_grades(capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str) -> None:
    """The written ATOXGRL/ATOXGRH equal admiral's on every reference row."""
    target = tmp_path / f"grades{suffix}"
    code, _, err = run_cli(capsys, "safety", "grade", "--lb", LB, "--out", str(target))
    assert code == 0, err
    written = pd.read_csv(target) if suffix == ".csv" else pd.read_parquet(target)
    assert list(written.columns) == ["USUBJID", "LBSEQ", "LBTESTCD", "ATOXDSCL", "ATOXDSCH", "ATOXGRL", "ATOXGRH"]
    reference = pd.read_csv(shared_path("safety", "ctcae_v5_grades_admiral.csv"))
    merged = reference.merge(written, on=["USUBJID", "LBSEQ"], suffixes=("_admiral", ""))
    assert len(merged) == 10753
    for grade in ("ATOXGRL", "ATOXGRH"):
        assert merged[grade].astype("Float64").fillna(-1).eq(merged[f"{grade}_admiral"].fillna(-1)).all()


def test_safety_grade_reads_parquet_lb_and_prints_counts(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Hand-made LB: HGB 75 g/L (LLN 120) is anemia grade 3; 130 g/L is grade 0."""
    lb = pd.DataFrame(
        {
            "USUBJID": ["S1", "S1"],
            "LBSEQ": [1, 2],
            "LBTESTCD": ["HGB", "HGB"],
            "LBSTRESN": [130.0, 75.0],
            "LBSTRESU": ["g/L", "g/L"],
            "LBSTNRLO": [120.0, 120.0],
            "LBSTNRHI": [160.0, 160.0],
        }
    )
    path = tmp_path / "lb.parquet"
    lb.to_parquet(path)
    code, out, _ = run_cli(capsys, "safety", "grade", "--lb", str(path))
    assert code == 0
    anemia = next(line for line in out.splitlines() if line.split()[:1] == ["Anemia"])
    assert anemia.split() == ["Anemia", "1", "1"]


def test_safety_grade_on_a_file_that_is_not_lb_fails_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "safety", "grade", "--lb", str(shared_path("pharmaverse", "sdtm", "ae.csv")))
    assert_clean_error(code, err)
    assert "lacks the column(s) LBTESTCD" in err


def test_safety_ae_table_writes_the_counts(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Pharmaverse AE + DM + EX by ARM: the overall Placebo row has 86 patients, 65 with a treatment-emergent
    AE, as the direct count of tests/safety/test_adverse_events.py gives."""
    sdtm = ("pharmaverse", "sdtm")
    target = tmp_path / "ae_table.csv"
    code, _, err = run_cli(
        capsys, "safety", "ae-table", "--ae", str(shared_path(*sdtm, "ae.csv")), "--adsl",
        str(shared_path(*sdtm, "dm.csv")), "--ex", str(shared_path(*sdtm, "ex.csv")), "--by", "ARM",
        "--out", str(target),
    )  # fmt: skip
    assert code == 0, err
    table = pd.read_csv(target)
    placebo = table[(table["ARM"] == "Placebo") & (table["level"] == "any")]
    assert placebo[["N", "any"]].values.tolist() == [[86, 65]]


def test_safety_ae_table_unknown_by_column_fails_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    ae = str(shared_path("pharmaverse", "sdtm", "ae.csv"))
    code, _, err = run_cli(capsys, "safety", "ae-table", "--ae", ae, "--by", "ARM")
    assert_clean_error(code, err)
    assert "--by ARM is not an AE column" in err


def test_safety_grade_reads_sas_transport_lb(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An XPT LB (pyreadstat, version 5): PLAT 49 x 10^9/L (LLN 140) is grade 3, 140 is grade 0 (by hand)."""
    import pyreadstat

    lb = pd.DataFrame(
        {
            "USUBJID": ["S1", "S1"],
            "LBSEQ": [1.0, 2.0],
            "LBTESTCD": ["PLAT", "PLAT"],
            "LBSTRESN": [140.0, 49.0],
            "LBSTRESU": ["GI/L", "GI/L"],
            "LBSTNRLO": [140.0, 140.0],
            "LBSTNRHI": [400.0, 400.0],
        }
    )
    path = tmp_path / "lb.xpt"
    pyreadstat.write_xport(lb, str(path), table_name="LB", file_format_version=5)
    target = tmp_path / "grades.csv"
    code, _, err = run_cli(capsys, "safety", "grade", "--lb", str(path), "--out", str(target))
    assert code == 0, err
    assert pd.read_csv(target)["ATOXGRL"].tolist() == [0, 3]


def _dlt_files(tmp_path: Path, dlt: dict[str, object] | None) -> tuple[str, str, str]:
    import yaml

    from oncotrial.protocol import load_builtin_protocol, protocol_to_dict

    document = protocol_to_dict(load_builtin_protocol("HD-IL2-LTO"))
    if dlt is not None:
        document["dlt"] = dlt
    protocol = tmp_path / "protocol.yaml"
    protocol.write_text(yaml.safe_dump(document), encoding="utf-8")
    ae = pd.DataFrame(
        {
            "USUBJID": ["P1", "P2", "P3"],
            "AEBODSYS": ["SOC"] * 3,
            "AEDECOD": ["HYPOTENSION", "FEVER", "HYPOTENSION"],
            "AESTDTC": ["2024-01-10", "2024-01-05", "2024-02-20"],
            "AETOXGR": [4, 3, 3],
        }
    )
    ex = pd.DataFrame(
        {"USUBJID": ["P1", "P2", "P3", "P4"], "EXSTDTC": ["2024-01-01"] * 4, "EXENDTC": ["2024-01-05"] * 4}
    )
    ae.to_csv(tmp_path / "ae.csv", index=False)
    ex.to_csv(tmp_path / "ex.csv", index=False)
    return str(tmp_path / "ae.csv"), str(tmp_path / "ex.csv"), str(protocol)


def test_safety_dlt_applies_the_protocol_definition(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Grade >= 3 within 28 days, grade 3 fever excepted: P1's grade 4 hypotension on day 10 is a DLT, P2's
    grade 3 fever is excepted, P3's hypotension on day 51 is outside; P4 has no AE: 1 of 4 (by hand)."""
    dlt = {"min_grade": 3, "window_days": 28, "exceptions": [{"term": "Fever", "max_grade": 3}]}
    ae, ex, protocol = _dlt_files(tmp_path, dlt)
    target = tmp_path / "dlt.csv"
    code, out, err = run_cli(
        capsys, "safety", "dlt", "--ae", ae, "--ex", ex, "--protocol", protocol, "--out", str(target)
    )
    assert code == 0, err
    assert "DLT: 1 of 4 patients" in out
    assert pd.read_csv(target)["dlt"].tolist() == [True, False, False, False]


def test_safety_dlt_without_a_definition_fails_cleanly(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ae, ex, protocol = _dlt_files(tmp_path, None)
    code, _, err = run_cli(capsys, "safety", "dlt", "--ae", ae, "--ex", ex, "--protocol", protocol)
    assert_clean_error(code, err)
    assert "defines no dose-limiting toxicity" in err
