"""``oncotrial biomarker summary`` (``oncotrial.cli.biomarker``), run in-process through ``main(argv)``, on the
hand-made IFN-γ set of tests/biomarker/test_kinetics.py (numbers worked out by hand there)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.biomarker.test_kinetics import _samples
from tests.cli.helpers import assert_clean_error, run_cli


def test_biomarker_summary_writes_the_per_patient_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """AUC 1050, 2460, 405, 12150; time above 20 pg/mL 22, 42, 0, 48 h; the paired tests are printed."""
    data = tmp_path / "ifng.csv"
    _samples().rename(columns={"value": "IFNG"}).to_csv(data, index=False)
    target = tmp_path / "kinetics.csv"
    code, out, err = run_cli(
        capsys, "biomarker", "summary", "--data", str(data), "--cycle", "CYCLE", "--value", "IFNG",
        "--threshold", "20", "--out", str(target),
    )  # fmt: skip
    assert code == 0, err
    table = pd.read_csv(target)
    assert table["auc"].tolist() == [1050, 2460, 405, 12150]
    assert table["time_above"].tolist() == [22, 42, 0, 48]
    assert "Wilcoxon signed-rank" in out


def test_biomarker_summary_missing_column_fails_cleanly(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = tmp_path / "ifng.csv"
    _samples().to_csv(data, index=False)
    code, _, err = run_cli(capsys, "biomarker", "summary", "--data", str(data), "--value", "IFNG")
    assert_clean_error(code, err)
    assert "lacks the column(s) IFNG" in err
